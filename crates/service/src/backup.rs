//! Backup and restore of an SQLite database (on PostgreSQL, `pg_dump` and `pg_restore` do it):
//! a consistent copy taken while the server runs, and a restore into a fresh database. Either
//! is written to a temporary file beside the target, checked there — SQLite's integrity check,
//! the audit chain, every snapshot's content hash, the audit trail's append-only guard — synced,
//! and only then linked to the target name (never over an existing file). On any failure the
//! temporary file is removed and nothing is left behind.

use std::path::{Path, PathBuf};

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

fn use_pg_dump() -> ServiceError {
    invalid_arg(
        "--db",
        "PostgreSQL では pg_dump -Fc -f haibun.dump DBURL で取り、pg_restore -d 新しいDB haibun.dump で戻します".into(),
        "on PostgreSQL, back up with `pg_dump -Fc -f haibun.dump DBURL` and restore with `pg_restore -d NEWDB haibun.dump`"
            .into(),
    )
}

/// A plain SQLite file path as the user gave it (`sqlite:` prefixes and URI forms are refused,
/// so that the name checked is the name written).
fn plain_path(field: &str, given: &str) -> ServiceResult<PathBuf> {
    if given.starts_with("postgres://") || given.starts_with("postgresql://") {
        return Err(use_pg_dump());
    }
    if given.starts_with("sqlite:") || given.starts_with("file:") || given.contains('?') || given.is_empty() {
        return Err(invalid_arg(
            field,
            format!("ファイルのパスで指定してください（URI は不可）: {given}"),
            format!("give a plain file path, not a URI: {given}"),
        ));
    }
    Ok(PathBuf::from(given))
}

fn must_be_new(field: &str, path: &Path) -> ServiceResult<()> {
    if path.exists() {
        return Err(invalid_arg(
            field,
            format!("{} は既にあります（上書きしません）", path.display()),
            format!("{} exists already (never overwritten)", path.display()),
        ));
    }
    Ok(())
}

/// A temporary name beside `target`, in the same folder (so that linking it is atomic).
fn temporary(target: &Path) -> PathBuf {
    let name = target.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    target.with_file_name(format!(".{name}.haibun-{}-{}.tmp", std::process::id(), crate::now().replace(':', "")))
}

fn io(path: &Path, e: std::io::Error) -> ServiceError {
    ServiceError::Internal(anyhow::anyhow!("{}: {e}", path.display()))
}

/// Checks a copy in place: SQLite's integrity, the schema brought up to date, the append-only
/// guard present, the audit chain and every snapshot's content hash.
async fn checked(path: &Path, shown: &str) -> ServiceResult<CopyReport> {
    let svc = Service::open(&path.display().to_string(), false).await?;
    let result = async {
        let integrity = svc.store.integrity_check().await?;
        if integrity != "ok" {
            return Err(invalid_arg(
                "file",
                format!("{shown} は壊れています（integrity_check: {integrity}）"),
                format!("{shown} is damaged (integrity_check: {integrity})"),
            ));
        }
        svc.store.migrate().await?;
        let report = svc.verify_audit(&Actor::system(), None).await?;
        if let Some(b) = report.chain.broken {
            return Err(invalid_arg(
                "file",
                format!("{shown} の監査証跡が事象 {} で壊れています: {}", b.seq, b.reason),
                format!("{shown}'s audit chain is broken at event {}: {}", b.seq, b.reason),
            ));
        }
        if let Some(id) = report.altered_snapshots.first() {
            return Err(invalid_arg(
                "file",
                format!("{shown} の取りまとめ #{id} が凍結内容と一致しません"),
                format!("{shown}'s compilation #{id} no longer matches its content hash"),
            ));
        }
        if !svc.store.audit_guarded().await? {
            return Err(invalid_arg(
                "file",
                format!("{shown} は監査証跡の保護（トリガー）が外されています"),
                format!("{shown} has had its audit trail's guard (triggers) removed"),
            ));
        }
        Ok(CopyReport { file: shown.to_string(), events: report.chain.events, anchor: report.chain.anchor() })
    }
    .await;
    svc.close().await;
    result
}

/// Checks the temporary copy, syncs it and links it to `target`; removes it on any failure.
async fn finish(tmp: &Path, target: &Path, shown: &str) -> ServiceResult<CopyReport> {
    let result = async {
        let mut report = checked(tmp, shown).await?;
        report.file = target.display().to_string();
        std::fs::File::open(tmp).and_then(|f| f.sync_all()).map_err(|e| io(tmp, e))?;
        // A hard link never replaces an existing file: a target made meanwhile is kept.
        std::fs::hard_link(tmp, target).map_err(|e| io(target, e))?;
        if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::File::open(dir).and_then(|d| d.sync_all()).map_err(|e| io(dir, e))?;
        }
        Ok(report)
    }
    .await;
    let _ = std::fs::remove_file(tmp);
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", tmp.display()));
    }
    result
}

impl Service {
    /// Writes a consistent copy of the SQLite database to `target`, a new file, while others
    /// may go on writing (administrator); the copy is checked before it is reported.
    pub async fn backup(&self, actor: &Actor, target: &str) -> ServiceResult<CopyReport> {
        actor.check_year(YearAction::Backup)?;
        self.store.ensure_initialised().await?;
        if self.store.backend() == Backend::Postgres {
            return Err(use_pg_dump());
        }
        let target = plain_path("--output", target)?;
        must_be_new("--output", &target)?;
        let tmp = temporary(&target);
        if let Err(e) = self.store.backup_sqlite(&tmp.display().to_string()).await {
            let _ = std::fs::remove_file(&tmp);
            return Err(e.into());
        }
        let shown = target.display().to_string();
        finish(&tmp, &target, &shown).await
    }

    /// Restores a backup into `target`, a database that does not exist yet: the copy must pass
    /// every check (see the module), or nothing is written. Its schema is brought up to this
    /// version's.
    pub async fn restore(backup: &str, target: &str) -> ServiceResult<CopyReport> {
        let target = plain_path("--db", target)?;
        let backup = plain_path("file", backup)?;
        must_be_new("--db", &target)?;
        let source = Store::open(&backup.display().to_string(), OpenMode::ReadOnly).await.map_err(|e| match e {
            haibun_store::StoreError::Missing(p) => {
                invalid_arg("file", format!("{p} がありません"), format!("{p} does not exist"))
            }
            e => ServiceError::from(e),
        })?;
        let shown = backup.display().to_string();
        let tmp = temporary(&target);
        let copied = async {
            source.ensure_initialised().await.map_err(|_| {
                invalid_arg(
                    "file",
                    format!("{shown} は haibun のデータベースではありません"),
                    format!("{shown} is not a haibun database"),
                )
            })?;
            source.backup_sqlite(&tmp.display().to_string()).await.map_err(|e| {
                invalid_arg(
                    "file",
                    format!("{shown} をデータベースとして読めません: {e}"),
                    format!("{shown} cannot be read as a database: {e}"),
                )
            })?;
            Ok::<_, ServiceError>(())
        }
        .await;
        source.close().await;
        if let Err(e) = copied {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        finish(&tmp, &target, &shown).await
    }
}
