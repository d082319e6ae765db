//! haibun's storage: one API over SQLite (the default, one file) and PostgreSQL (many users).
//!
//! Queries are written once with `$n` placeholders and run through sqlx's `Any` driver on both
//! databases; only the DDL differs, kept side by side in `migrations/sqlite` and `migrations/postgres`.

mod audit;
mod auth;
mod backup;
mod copy;
mod cycle;
mod evidence;
mod feedback;
mod fund;
mod fund_followup;
mod lines;
mod lines_batch;
mod next_year;
mod overlaps;
mod pdca;
mod policies;
mod prior;
mod rs;
mod snapshots;
pub mod test_support;

use std::path::Path;
use std::str::FromStr;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor, Row};

pub use audit::{AuditEvent, ChainBreak, ChainReport, GENESIS_HASH, NewEvent};
pub use auth::SessionRow;
pub use copy::{CopiedTables, CopyProgress};
pub use cycle::{AnswerRow, CalendarRow, HearingRow, InstructionRow, PackageRow, UserRow};
pub use evidence::{CitationRow, EvidenceSetRow};
pub use feedback::FeedbackRow;
pub use fund::{AllocationRow, NewRound, ProposalRow, RoundConstraintRow, RoundRow};
pub use fund_followup::{AttachmentRow, OutcomeRow};
pub use lines::{LineChange, StoredLine};
pub use next_year::ResponseRow;
pub use overlaps::OverlapDecisionRow;
pub use pdca::{
    ActualRow, EvaluationRow, FollowupRoundRow, KpiLinkRow, KpiRow, KpiTargetRow, LineActionRow, LineMeasureRow,
    MeasureRow,
};
pub use prior::{PriorImport, PriorSourceRow};
pub use rs::RsBudgetRecord;
pub use snapshots::{SnapshotLine, SnapshotRow};

/// Which database a store is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// What can go wrong in storage.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The SQLite file does not exist (and was not to be created).
    #[error(
        "データベースがありません: {0}（先に `haibun init` を実行してください）/ no database at {0} (run `haibun init` first)"
    )]
    Missing(String),
    /// The database has no haibun schema yet.
    #[error(
        "データベースが初期化されていません（`haibun init` を実行してください）/ the database is not initialised (run `haibun init`)"
    )]
    NotInitialised,
    /// A write named a version that is no longer current.
    #[error("他の更新と競合しました: {0} / conflicting update: {0}")]
    Conflict(String),
    /// Stored data that does not read back as a domain value.
    #[error("保存データが不正です: {0} / stored data is invalid: {0}")]
    Corrupt(String),
    /// A copy's target already holds data (the tables named).
    #[error(
        "コピー先のデータベースは空ではありません（{0}）。新しい空のデータベースを指定してください / the target database is not empty ({0}); give a new, empty one"
    )]
    NotEmpty(String),
    /// Two databases whose schemas differ.
    #[error(
        "コピー元とコピー先のスキーマが一致しません（{0}）。両方を同じ版の haibun で `haibun init` してください / the source's and the target's schemas differ ({0}); bring both up to date with this version's `haibun init`"
    )]
    Schema(String),
    /// The database driver failed.
    #[error(transparent)]
    Database(sqlx::Error),
    /// A migration failed.
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The database file could not be locked for a migration.
    #[error("データベースファイルを開けません / cannot open the database file: {0}")]
    File(#[from] std::io::Error),
}

impl From<sqlx::Error> for StoreError {
    /// A unique-key violation means another writer created the same record first: a conflict for
    /// the caller to report (exit 3, HTTP 409), not an internal error.
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(format!(
                "同じ記録が同時に作成されました / the same record was created concurrently ({})",
                db.message()
            )),
            _ => StoreError::Database(e),
        }
    }
}

/// Shorthand for store results.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A handle on the database, cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// The SQLite file, to serialise migrations between processes.
    file: Option<std::path::PathBuf>,
}

/// How to open a database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// Create the SQLite file if it is missing (for `init` and `demo`).
    Create,
    /// The database must exist already.
    Existing,
    /// An existing SQLite file, opened read-only (a backup being restored).
    ReadOnly,
}

/// Turns what a user gives as `--db` (a path, a `sqlite:` URL or a `postgres://` URL) into a URL.
pub fn database_url(db: &str, mode: OpenMode) -> Result<(String, Backend)> {
    if db.starts_with("postgres://") || db.starts_with("postgresql://") {
        return Ok((db.to_string(), Backend::Postgres));
    }
    let path = db.strip_prefix("sqlite://").or_else(|| db.strip_prefix("sqlite:")).unwrap_or(db);
    if mode != OpenMode::Create && !Path::new(path).exists() {
        return Err(StoreError::Missing(path.to_string()));
    }
    let encoded: String = path
        .chars()
        .map(|c| match c {
            '%' => "%25".to_string(),
            '?' => "%3F".to_string(),
            '#' => "%23".to_string(),
            c => c.to_string(),
        })
        .collect();
    let m = match mode {
        OpenMode::Create => "rwc",
        OpenMode::Existing => "rw",
        OpenMode::ReadOnly => "ro",
    };
    Ok((format!("sqlite://{encoded}?mode={m}"), Backend::Sqlite))
}

/// The schema version this build expects: its newest migration (the same number on both databases).
pub const SCHEMA_VERSION: i64 = 15;

impl Store {
    /// Opens a database named as the user gives it (path or URL).
    pub async fn open(db: &str, mode: OpenMode) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let (url, backend) = database_url(db, mode)?;
        // The same path `database_url` opens (it takes the rest of the name as the path).
        let file = (backend == Backend::Sqlite).then(|| {
            std::path::PathBuf::from(db.strip_prefix("sqlite://").or_else(|| db.strip_prefix("sqlite:")).unwrap_or(db))
        });
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 4 } else { 8 })
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite && mode != OpenMode::ReadOnly {
                        // WAL lets readers work during a write; FULL sync makes a committed import
                        // survive a power cut; the busy timeout makes concurrent writers wait, not fail.
                        conn.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        Ok(Store { pool, backend, file })
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Creates or updates the schema. Running it again is harmless; processes that start
    /// together on one PostgreSQL take turns (sqlx holds an advisory lock while it migrates).
    pub async fn migrate(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => {
                // sqlx cannot lock an SQLite database while it migrates: processes initialising
                // one file at once take turns through an exclusive lock on the file (flock, which
                // does not touch SQLite's own byte-range locks), so each migration runs once.
                let lock = match &self.file {
                    Some(path) => {
                        let f = std::fs::File::open(path)?;
                        let f = tokio::task::spawn_blocking(move || f.lock().map(|()| f))
                            .await
                            .map_err(|e| std::io::Error::other(e.to_string()))??;
                        Some(f)
                    }
                    None => None,
                };
                sqlx::migrate!("./migrations/sqlite").run(&self.pool).await?;
                drop(lock);
            }
            Backend::Postgres => sqlx::migrate!("./migrations/postgres").run(&self.pool).await?,
        }
        Ok(())
    }

    /// The newest schema version applied to this database (`None` before `haibun init`), read
    /// from the migrations table; an error when the database cannot be reached.
    pub async fn applied_schema_version(&self) -> Result<Option<i64>> {
        let row = sqlx::query("SELECT MAX(version) FROM _sqlx_migrations WHERE success = TRUE")
            .fetch_optional(&self.pool)
            .await;
        match row {
            Ok(Some(r)) => Ok(r.try_get::<Option<i64>, _>(0).unwrap_or(None)),
            Ok(None) => Ok(None),
            // No migrations table: a database never initialised. Any other database error (a
            // locked file, no permission) is an error, not "run init".
            Err(sqlx::Error::Database(e))
                if e.message().contains("no such table") || e.code().as_deref() == Some("42P01") =>
            {
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Fails with [`StoreError::NotInitialised`] unless the schema exists.
    pub async fn ensure_initialised(&self) -> Result<()> {
        let probe = sqlx::query("SELECT 1 FROM audit_head WHERE id = 1").fetch_optional(&self.pool).await;
        match probe {
            Ok(Some(_)) => Ok(()),
            Ok(None) | Err(sqlx::Error::Database(_)) => Err(StoreError::NotInitialised),
            Err(e) => Err(e.into()),
        }
    }

    /// Starts a transaction: everything a use case writes goes through one.
    ///
    /// On SQLite it is `BEGIN IMMEDIATE`: it takes the write lock at once, so concurrent writers
    /// queue (up to the busy timeout) instead of failing when a read turns into a write; each then
    /// sees the other's committed version and a stale write becomes a clean conflict. PostgreSQL's
    /// row locks and the version checks in the `UPDATE`s give the same outcome.
    pub async fn begin(&self) -> Result<Tx> {
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(Tx { tx, backend: self.backend })
    }

    /// Closes every connection (checkpointing the SQLite WAL).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// A transaction. Dropped without [`Tx::commit`], it rolls back and nothing is written.
#[derive(Debug)]
pub struct Tx {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    backend: Backend,
}

impl Tx {
    /// ` FOR UPDATE` on PostgreSQL, so a row read to decide a write stays as read until commit;
    /// nothing on SQLite, whose write transactions are already exclusive (`BEGIN IMMEDIATE`).
    pub(crate) fn for_update(&self) -> &'static str {
        match self.backend {
            Backend::Postgres => " FOR UPDATE",
            Backend::Sqlite => "",
        }
    }

    /// Makes every write of this transaction durable at once.
    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }
}

/// Builds a [`StoreError::Corrupt`] from anything displayable.
fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

#[cfg(test)]
mod schema_version_tests {
    #[test]
    fn the_schema_version_is_the_newest_migration_on_both_databases() {
        for m in [sqlx::migrate!("./migrations/sqlite"), sqlx::migrate!("./migrations/postgres")] {
            assert_eq!(m.iter().map(|m| m.version).max(), Some(super::SCHEMA_VERSION));
        }
    }
}
