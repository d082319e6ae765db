//! Copies of an SQLite database: a consistent one taken while the server runs, and the checks a
//! copy must pass before it is restored.

use crate::{Backend, Result, Store, StoreError};

impl Store {
    /// Writes a consistent copy of this SQLite database to `target`, a new file (`VACUUM INTO`
    /// reads in one transaction, so writers may go on meanwhile).
    pub async fn backup_sqlite(&self, target: &str) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Corrupt("backup_sqlite on PostgreSQL".into()));
        }
        sqlx::query("VACUUM INTO $1").bind(target.to_string()).execute(&self.pool).await?;
        Ok(())
    }

    /// SQLite's own check of the file: `ok`, or what is wrong.
    pub async fn integrity_check(&self) -> Result<String> {
        let rows: Vec<(String,)> = sqlx::query_as("PRAGMA integrity_check").fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(|r| r.0).collect::<Vec<_>>().join("; "))
    }

    /// Whether the audit trail's append-only guard (the triggers of migration 0015) is in place.
    pub async fn audit_guarded(&self) -> Result<bool> {
        let sql = match self.backend {
            Backend::Sqlite => {
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name IN ('audit_events_no_update', 'audit_events_no_delete')"
            }
            Backend::Postgres => {
                "SELECT COUNT(*) FROM pg_trigger WHERE tgname IN ('audit_events_append_only', 'audit_events_no_truncate')"
            }
        };
        let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&self.pool).await?;
        Ok(n == 2)
    }
}
