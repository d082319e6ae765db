//! A whole database copied into another, empty one: how an office that began on an SQLite file
//! moves to a shared PostgreSQL (and back, the same way).
//!
//! Every table of the schema is copied row for row, with every column as stored (ids, versions,
//! times, hashes), so the audit chain and the snapshots' content hashes verify unchanged on the
//! other side. The source is read in one transaction (a consistent picture while others go on
//! writing); the target is written in one transaction, so an interrupted copy leaves it as empty
//! as it was. Tables are copied parents first (by their foreign keys), rows in primary-key order.

use std::collections::{BTreeMap, BTreeSet};

use futures_util::TryStreamExt;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use crate::{Backend, Result, Store, StoreError, corrupt};

/// How far a copy has come, reported after every batch of rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyProgress {
    /// The table being copied.
    pub table: String,
    /// Rows copied so far, in all tables.
    pub copied: u64,
    /// Rows to copy, in all tables.
    pub total: u64,
}

/// What a copy wrote: each table with its rows, in the order copied.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CopiedTables {
    /// Each table and the rows copied into it.
    pub tables: Vec<(String, u64)>,
    /// Rows copied in all.
    pub rows: u64,
}

/// How a column's values are carried across.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int,
    Text,
    Bytes,
}

#[derive(Debug, Clone)]
struct Table {
    name: String,
    /// Columns in the target's order, each with its kind.
    columns: Vec<(String, Kind)>,
    /// Columns of the primary key, to read rows in a stable order.
    key: Vec<String>,
    /// Tables its foreign keys name.
    parents: BTreeSet<String>,
}

/// The table that keeps sqlx's record of applied migrations: each side keeps its own.
const MIGRATIONS: &str = "_sqlx_migrations";

/// The most parameters one `INSERT` binds: on PostgreSQL (which allows 65,535) many rows at once;
/// on SQLite few, since sqlx looks each parameter up by name in a linear scan and binding time
/// grows with the square of a statement's parameters.
fn most_parameters(target: Backend) -> usize {
    match target {
        Backend::Postgres => 30_000,
        Backend::Sqlite => 320,
    }
}

fn kind(declared: &str) -> Result<Kind> {
    let t = declared.to_ascii_lowercase();
    if t.contains("int") {
        Ok(Kind::Int)
    } else if t.contains("text") || t.contains("char") {
        Ok(Kind::Text)
    } else if t.contains("blob") || t.contains("bytea") {
        Ok(Kind::Bytes)
    } else {
        Err(corrupt(format!("a column of type {declared} cannot be copied")))
    }
}

/// An identifier quoted for SQL. The names quoted are the database's own (read from its
/// catalogue), never a user's input; values are always bound as parameters.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

impl Store {
    /// The schema's tables (without sqlx's migrations table), by name.
    async fn table_names(&self) -> Result<Vec<String>> {
        let sql = match self.backend {
            Backend::Sqlite => {
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            }
            Backend::Postgres => {
                "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1"
            }
        };
        let rows: Vec<(String,)> = sqlx::query_as(sql).fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(|r| r.0).filter(|n| n != MIGRATIONS).collect())
    }

    /// A table's columns (name, declared type, place in the primary key or 0) and parents.
    async fn describe(&self, table: &str) -> Result<Table> {
        let (columns_sql, parents_sql) = match self.backend {
            Backend::Sqlite => (
                "SELECT name, type, pk FROM pragma_table_info($1) ORDER BY cid",
                "SELECT DISTINCT \"table\" FROM pragma_foreign_key_list($1)",
            ),
            Backend::Postgres => (
                "SELECT c.column_name::text, c.data_type::text, COALESCE((SELECT k.ordinal_position::bigint FROM information_schema.key_column_usage k JOIN information_schema.table_constraints t ON t.constraint_name = k.constraint_name AND t.table_schema = k.table_schema WHERE t.constraint_type = 'PRIMARY KEY' AND k.table_schema = c.table_schema AND k.table_name = c.table_name AND k.column_name = c.column_name), 0) FROM information_schema.columns c WHERE c.table_schema = current_schema() AND c.table_name = $1 ORDER BY c.ordinal_position",
                "SELECT DISTINCT confrelid::regclass::text FROM pg_constraint WHERE contype = 'f' AND conrelid = (quote_ident(current_schema()) || '.' || quote_ident($1))::regclass",
            ),
        };
        let described: Vec<(String, String, i64)> =
            sqlx::query_as(columns_sql).bind(table.to_string()).fetch_all(&self.pool).await?;
        let mut columns = Vec::new();
        let mut key = Vec::new();
        for (name, declared, pk) in described {
            columns.push((name.clone(), kind(&declared)?));
            if pk > 0 {
                key.push((pk, name));
            }
        }
        key.sort();
        let parents: Vec<(String,)> = sqlx::query_as(parents_sql).bind(table.to_string()).fetch_all(&self.pool).await?;
        let parents = parents.into_iter().map(|p| p.0.trim_matches('"').to_string()).filter(|p| p != table).collect();
        Ok(Table { name: table.to_string(), columns, key: key.into_iter().map(|k| k.1).collect(), parents })
    }

    /// Every table, parents before the tables that name them.
    async fn tables_in_order(&self) -> Result<Vec<Table>> {
        let mut pending = BTreeMap::new();
        for name in self.table_names().await? {
            pending.insert(name.clone(), self.describe(&name).await?);
        }
        let mut ordered: Vec<Table> = Vec::new();
        while !pending.is_empty() {
            let done: BTreeSet<&str> = ordered.iter().map(|t| t.name.as_str()).collect();
            let ready: Vec<String> = pending
                .values()
                .filter(|t| t.parents.iter().all(|p| done.contains(p.as_str()) || !pending.contains_key(p)))
                .map(|t| t.name.clone())
                .collect();
            if ready.is_empty() {
                return Err(corrupt(format!("foreign keys form a cycle among {:?}", pending.keys())));
            }
            for name in ready {
                ordered.extend(pending.remove(&name));
            }
        }
        Ok(ordered)
    }

    /// Whether nothing has been written here beyond what the migrations themselves leave (the
    /// audit trail's empty head): the tables that hold something, if any.
    async fn written_tables(&self, tables: &[Table]) -> Result<Vec<String>> {
        let mut written = Vec::new();
        for t in tables {
            let sql = if t.name == "audit_head" {
                "SELECT COUNT(*) FROM audit_head WHERE seq <> 0".to_string()
            } else {
                format!("SELECT COUNT(*) FROM {}", quoted(&t.name))
            };
            let (n,): (i64,) = sqlx::query_as(AssertSqlSafe(sql)).fetch_one(&self.pool).await?;
            if n > 0 {
                written.push(t.name.clone());
            }
        }
        Ok(written)
    }

    /// Whether this database may receive a copy, checked before anything is written to it: it
    /// holds no tables at all, or it is a haibun database of this very schema with nothing
    /// written yet. Otherwise [`StoreError::NotEmpty`] or [`StoreError::Schema`].
    pub async fn check_copy_target(&self) -> Result<()> {
        let names = self.table_names().await?;
        if names.is_empty() {
            return Ok(());
        }
        match self.applied_schema_version().await? {
            Some(v) if v == crate::SCHEMA_VERSION => {}
            other => {
                return Err(StoreError::Schema(format!(
                    "target {other:?}, this version {}; tables {}",
                    crate::SCHEMA_VERSION,
                    names.len()
                )));
            }
        }
        let tables = self.tables_in_order().await?;
        let written = self.written_tables(&tables).await?;
        if written.is_empty() { Ok(()) } else { Err(StoreError::NotEmpty(written.join(", "))) }
    }

    /// Copies everything in this database into `target`, whose schema must be this one's and
    /// which must hold nothing yet; `progress` hears after every batch. Refuses (writing
    /// nothing) a target that holds anything or whose tables differ.
    pub async fn copy_into(&self, target: &Store, mut progress: impl FnMut(&CopyProgress)) -> Result<CopiedTables> {
        let ours = self.applied_schema_version().await?;
        let theirs = target.applied_schema_version().await?;
        if ours != theirs {
            return Err(StoreError::Schema(format!("source {ours:?}, target {theirs:?}")));
        }
        let tables = self.tables_in_order().await?;
        let target_tables = target.tables_in_order().await?;
        let shape = |ts: &[Table]| -> BTreeMap<String, BTreeSet<String>> {
            ts.iter().map(|t| (t.name.clone(), t.columns.iter().map(|c| c.0.clone()).collect())).collect()
        };
        if shape(&tables) != shape(&target_tables) {
            return Err(StoreError::Schema("the tables or their columns differ".into()));
        }
        let written = target.written_tables(&target_tables).await?;
        if !written.is_empty() {
            let more = if written.len() > 5 { format!(", … ({})", written.len()) } else { String::new() };
            return Err(StoreError::NotEmpty(format!("{}{more}", written[..written.len().min(5)].join(", "))));
        }
        let by_name: BTreeMap<&str, &Table> = target_tables.iter().map(|t| (t.name.as_str(), t)).collect();

        // One consistent read of the source; one transaction on the target.
        let mut source = self.pool.begin().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(&mut *source).await?;
        }
        let mut counts = Vec::new();
        for t in &tables {
            let (n,): (i64,) = sqlx::query_as(AssertSqlSafe(format!("SELECT COUNT(*) FROM {}", quoted(&t.name))))
                .fetch_one(&mut *source)
                .await?;
            counts.push(n as u64);
        }
        let total = counts.iter().sum();
        let mut tx = target.begin().await?;
        sqlx::query("DELETE FROM audit_head").execute(&mut *tx.tx).await?;
        let mut copied = 0;
        let mut report = Vec::new();
        for (t, expected) in tables.iter().zip(counts) {
            // The target's column order, each read from the source by name.
            let columns = &by_name[t.name.as_str()].columns;
            let names = columns.iter().map(|c| quoted(&c.0)).collect::<Vec<_>>().join(", ");
            let order = if t.key.is_empty() {
                names.clone()
            } else {
                t.key.iter().map(|k| quoted(k)).collect::<Vec<_>>().join(", ")
            };
            let select = format!("SELECT {names} FROM {} ORDER BY {order}", quoted(&t.name));
            let per_batch = (most_parameters(target.backend) / columns.len().max(1)).clamp(1, 1_000);
            let mut rows = sqlx::query(AssertSqlSafe(select)).fetch(&mut *source);
            let mut batch: Vec<AnyRow> = Vec::with_capacity(per_batch);
            let mut in_table = 0u64;
            loop {
                let row = rows.try_next().await?;
                let end = row.is_none();
                batch.extend(row);
                if batch.len() == per_batch || (end && !batch.is_empty()) {
                    insert(&mut tx, &t.name, columns, &batch).await?;
                    in_table += batch.len() as u64;
                    copied += batch.len() as u64;
                    batch.clear();
                    progress(&CopyProgress { table: t.name.clone(), copied, total });
                }
                if end {
                    break;
                }
            }
            if in_table != expected {
                return Err(corrupt(format!("{}: counted {expected} rows, read {in_table}", t.name)));
            }
            report.push((t.name.clone(), in_table));
        }
        drop(source);
        if target.backend == Backend::Postgres {
            // Generated ids continue after the copied ones.
            let identities: Vec<(String, String)> = sqlx::query_as(
                "SELECT table_name::text, column_name::text FROM information_schema.columns WHERE table_schema = current_schema() AND is_identity = 'YES'",
            )
            .fetch_all(&mut *tx.tx)
            .await?;
            for (table, column) in identities {
                let sql = format!(
                    "SELECT setval(pg_get_serial_sequence($1, $2), COALESCE((SELECT MAX({c}) FROM {t}), 0) + 1, false)",
                    c = quoted(&column),
                    t = quoted(&table)
                );
                sqlx::query(AssertSqlSafe(sql)).bind(quoted(&table)).bind(column).execute(&mut *tx.tx).await?;
            }
        }
        tx.commit().await?;
        Ok(CopiedTables { tables: report, rows: copied })
    }
}

/// Writes one batch of rows into `table` with one parameterised `INSERT`.
async fn insert(tx: &mut crate::Tx, table: &str, columns: &[(String, Kind)], rows: &[AnyRow]) -> Result<()> {
    let names = columns.iter().map(|c| quoted(&c.0)).collect::<Vec<_>>().join(", ");
    let overriding = if tx.backend == Backend::Postgres { " OVERRIDING SYSTEM VALUE" } else { "" };
    let mut sql = format!("INSERT INTO {} ({names}){overriding} VALUES ", quoted(table));
    let mut n = 0;
    for (i, _) in rows.iter().enumerate() {
        sql.push_str(if i == 0 { "(" } else { ", (" });
        for j in 0..columns.len() {
            n += 1;
            sql.push_str(&if j == 0 { format!("${n}") } else { format!(", ${n}") });
        }
        sql.push(')');
    }
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for row in rows {
        for (j, (name, kind)) in columns.iter().enumerate() {
            let bad = |e: sqlx::Error| corrupt(format!("{table}.{name}: {e}"));
            query = match kind {
                Kind::Int => query.bind(row.try_get::<Option<i64>, _>(j).map_err(bad)?),
                Kind::Text => query.bind(row.try_get::<Option<String>, _>(j).map_err(bad)?),
                Kind::Bytes => query.bind(row.try_get::<Option<Vec<u8>>, _>(j).map_err(bad)?),
            };
        }
    }
    query.execute(&mut *tx.tx).await?;
    Ok(())
}
