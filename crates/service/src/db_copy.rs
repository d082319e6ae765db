//! Moving a whole database: `haibun db copy --to postgres://…` copies everything in the current
//! database into a new, empty one, then proves the copy: the target's audit chain must verify and
//! end at the same event and hash as the source's, every snapshot's content hash must hold, and
//! the audit trail's append-only guard must be in place.

use haibun_domain::workflow::YearAction;
use haibun_store::{CopyProgress, OpenMode, Store, StoreError};

use crate::cycle::invalid_arg;
use crate::{Actor, Service, ServiceError, ServiceResult};

/// What a copy wrote and how it was proved.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DbCopyReport {
    /// The target, its password masked.
    pub target: String,
    /// Each table and the rows copied into it, in the order copied.
    pub tables: Vec<(String, u64)>,
    /// Rows copied in all.
    pub rows: u64,
    /// Audit events on both sides, all verified.
    pub events: i64,
    /// The audit chain's head, `SEQ:HASH`, the same on both sides.
    pub anchor: String,
    /// Compilation snapshots re-hashed on the target.
    pub snapshots: usize,
}

/// A database URL fit to show: the password, if any, replaced by `****` (a password may itself
/// hold `@`: the host follows the last one).
pub fn masked(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://")
        && let Some((credentials, host)) = rest.rsplit_once('@')
        && let Some((user, _)) = credentials.split_once(':')
    {
        return format!("{scheme}://{user}:****@{host}");
    }
    url.to_string()
}

fn refused(e: StoreError, shown: &str) -> ServiceError {
    match e {
        e @ (StoreError::NotEmpty(_) | StoreError::Schema(_)) => {
            let msg = e.to_string();
            let (ja, en) = msg.split_once(" / ").unwrap_or((&msg, &msg));
            invalid_arg("--to", format!("{shown}: {ja}"), format!("{shown}: {en}"))
        }
        e => e.into(),
    }
}

impl Service {
    /// Copies this whole database into `target` (a `postgres://` URL or a new SQLite file), which
    /// must be empty; its schema is created first. `progress` hears after every batch of rows.
    /// Administrators only, since the copy holds every ministry's data.
    pub async fn copy_database(
        &self,
        actor: &Actor,
        target: &str,
        progress: impl FnMut(&CopyProgress),
    ) -> ServiceResult<DbCopyReport> {
        actor.check_year(YearAction::Backup)?;
        self.store.ensure_initialised().await?;
        let shown = masked(target);
        if target.trim().is_empty() {
            return Err(invalid_arg("--to", "コピー先を指定してください".into(), "give the target database".into()));
        }
        let before = self.verify_audit(actor, None).await?;
        if let Some(b) = &before.chain.broken {
            return Err(invalid_arg(
                "--db",
                format!("コピー元の監査証跡が事象 {} で壊れています（コピーしません）: {}", b.seq, b.reason),
                format!("the source's audit chain is broken at event {} (nothing copied): {}", b.seq, b.reason),
            ));
        }
        // A new SQLite file made here is removed again if the copy fails.
        let new_file = (!target.starts_with("postgres://") && !target.starts_with("postgresql://"))
            .then(|| {
                std::path::PathBuf::from(
                    target.strip_prefix("sqlite://").or_else(|| target.strip_prefix("sqlite:")).unwrap_or(target),
                )
            })
            .filter(|p| !p.exists());
        let store = Store::open(target, OpenMode::Create).await.map_err(|e| {
            invalid_arg(
                "--to",
                format!("コピー先 {shown} に接続できません: {e}"),
                format!("cannot reach the target {shown}: {e}"),
            )
        })?;
        let result = async {
            // Refused before anything is written to it (the schema is created only in an
            // empty database, or brought up to date in none).
            store.check_copy_target().await.map_err(|e| refused(e, &shown))?;
            store.migrate().await?;
            let copied = self.store.copy_into(&store, progress).await.map_err(|e| refused(e, &shown))?;
            // The proof, read back from the target as any later process would.
            let there = Service { store: store.clone(), memo: Default::default(), limits: self.limits, licence: self.licence.clone() };
            // The target's chain must pass through the source's head as read before the copy
            // (others may have written since: the copy then holds their events too).
            let ours = before.chain.anchor();
            let after = there.verify_audit(actor, Some(&ours)).await?;
            let theirs = after.chain.anchor();
            let proved = after.chain.broken.is_none()
                && after.altered_snapshots.is_empty()
                && after.chain.events >= before.chain.events
                && store.audit_guarded().await?;
            if !proved {
                return Err(ServiceError::Internal(anyhow::anyhow!(
                    "コピー先 {shown} のデータは検証に失敗しました（コピー元 {ours}、コピー先 {theirs}、不一致の取りまとめ {:?}）。このコピーは使わず、コピー先のデータベースを作り直してください / the copy in {shown} failed verification (source {ours}, target {theirs}, altered snapshots {:?}); do not use it: drop and recreate the target database",
                    after.altered_snapshots,
                    after.altered_snapshots
                )));
            }
            let snapshots = there.snapshot_count().await?;
            Ok(DbCopyReport {
                target: shown.clone(),
                tables: copied.tables,
                rows: copied.rows,
                events: after.chain.events,
                anchor: theirs,
                snapshots,
            })
        }
        .await;
        store.close().await;
        if result.is_err()
            && let Some(file) = new_file
        {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
            }
        }
        result
    }

    /// Compilation snapshots of every year.
    async fn snapshot_count(&self) -> ServiceResult<usize> {
        let mut n = 0;
        for fy in self.store.snapshot_years().await? {
            n += self.store.snapshots(fy).await?.len();
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::masked;

    #[test]
    fn a_password_is_never_shown() {
        assert_eq!(
            masked("postgres://haibun:s3cret@db.example:5432/haibun"),
            "postgres://haibun:****@db.example:5432/haibun"
        );
        assert_eq!(masked("postgres://haibun@db/haibun"), "postgres://haibun@db/haibun");
        assert_eq!(masked("/var/lib/haibun/haibun.db"), "/var/lib/haibun/haibun.db");
        assert_eq!(masked("postgres://u:p@ss@h/d"), "postgres://u:****@h/d");
    }
}
