//! Backup and restore of an SQLite database (on PostgreSQL, `pg_dump` and `pg_restore` do it):
//! a consistent copy taken while the server runs, checked (SQLite's integrity check and the
//! audit chain) before it is reported good; and a restore into a fresh database that refuses a
//! damaged or tampered copy.

use haibun_domain::workflow::YearAction;
use haibun_store::{Backend, OpenMode, Store};

use crate::cycle::invalid_arg;
use crate::{Actor, Service, ServiceError, ServiceResult};

/// What a backup or restore produced.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CopyReport {
    /// The file written.
    pub file: String,
    /// Audit events in it, all verified.
    pub events: i64,
    /// The audit chain's head in it, `SEQ:HASH`.
    pub anchor: String,
}

const PG_DUMP: &str = "PostgreSQL では pg_dump -Fc -f haibun.dump DBURL で取り、pg_restore -d 新しいDB haibun.dump で戻します / on PostgreSQL, back up with `pg_dump -Fc -f haibun.dump DBURL` and restore with `pg_restore -d NEWDB haibun.dump`";

fn must_be_new(field: &str, path: &str) -> ServiceResult<()> {
    if std::path::Path::new(path).exists() {
        return Err(invalid_arg(
            field,
            format!("{path} は既にあります（上書きしません）"),
            format!("{path} exists already (never overwritten)"),
        ));
    }
    Ok(())
}

/// Checks a copy: SQLite's integrity check and the audit chain.
async fn checked(store: &Store, file: &str) -> ServiceResult<CopyReport> {
    let integrity = store.integrity_check().await?;
    if integrity != "ok" {
        return Err(invalid_arg(
            "file",
            format!("{file} は壊れています（integrity_check: {integrity}）"),
            format!("{file} is damaged (integrity_check: {integrity})"),
        ));
    }
    let chain = store.verify_chain(None).await?;
    if let Some(b) = chain.broken {
        return Err(invalid_arg(
            "file",
            format!("{file} の監査証跡が事象 {} で壊れています: {}", b.seq, b.reason),
            format!("{file}'s audit chain is broken at event {}: {}", b.seq, b.reason),
        ));
    }
    Ok(CopyReport {
        file: file.to_string(),
        events: chain.events,
        anchor: format!("{}:{}", chain.events, chain.head_hash),
    })
}

impl Service {
    /// Writes a consistent copy of the SQLite database to `target`, a new file, while others
    /// may go on writing (administrator); the copy is checked before it is reported.
    pub async fn backup(&self, actor: &Actor, target: &str) -> ServiceResult<CopyReport> {
        actor.check_year(YearAction::Backup)?;
        self.store.ensure_initialised().await?;
        if self.store.backend() == Backend::Postgres {
            return Err(invalid_arg("--db", PG_DUMP.split(" / ").next().unwrap_or(PG_DUMP).into(), PG_DUMP.into()));
        }
        must_be_new("--output", target)?;
        self.store.backup_sqlite(target).await?;
        let copy = Store::open(target, OpenMode::ReadOnly).await?;
        let report = checked(&copy, target).await;
        copy.close().await;
        report
    }

    /// Restores a backup into `target`, a database that does not exist yet: the backup must pass
    /// SQLite's integrity check and verify its audit chain, or nothing is written. The restored
    /// database's schema is brought up to this version's.
    pub async fn restore(backup: &str, target: &str) -> ServiceResult<CopyReport> {
        if target.starts_with("postgres://") || target.starts_with("postgresql://") {
            return Err(invalid_arg("--db", PG_DUMP.split(" / ").next().unwrap_or(PG_DUMP).into(), PG_DUMP.into()));
        }
        must_be_new("--db", target)?;
        let source = Store::open(backup, OpenMode::ReadOnly).await.map_err(|e| match e {
            haibun_store::StoreError::Missing(p) => {
                invalid_arg("file", format!("{p} がありません"), format!("{p} does not exist"))
            }
            e => ServiceError::from(e),
        })?;
        let result = async {
            source.ensure_initialised().await.map_err(|_| {
                invalid_arg(
                    "file",
                    format!("{backup} は haibun のデータベースではありません"),
                    format!("{backup} is not a haibun database"),
                )
            })?;
            checked(&source, backup).await?;
            source.backup_sqlite(target).await?;
            Ok::<_, ServiceError>(())
        }
        .await;
        source.close().await;
        result?;
        let restored = Store::open(target, OpenMode::Existing).await?;
        restored.migrate().await?;
        let report = checked(&restored, target).await;
        restored.close().await;
        report
    }
}
