//! Stored policies: the TOML text of each fiscal year's policy.

use crate::{Result, Store, Tx};

impl Tx {
    /// Stores a year's policy unless one is stored; returns whether it was stored now.
    pub async fn put_policy_if_absent(
        &mut self,
        fiscal_year: i64,
        source_file: &str,
        toml: &str,
        now: &str,
    ) -> Result<bool> {
        let exists = sqlx::query("SELECT 1 FROM policies WHERE fiscal_year = $1")
            .bind(fiscal_year)
            .fetch_optional(&mut *self.tx)
            .await?;
        if exists.is_some() {
            return Ok(false);
        }
        sqlx::query("INSERT INTO policies (fiscal_year, source_file, toml, stored_at) VALUES ($1, $2, $3, $4)")
            .bind(fiscal_year)
            .bind(source_file)
            .bind(toml)
            .bind(now)
            .execute(&mut *self.tx)
            .await?;
        Ok(true)
    }
}

impl Store {
    /// The stored policy text of a year, with the file it came from.
    pub async fn policy_toml(&self, fiscal_year: i64) -> Result<Option<(String, String)>> {
        let row: Option<(String, String)> =
            sqlx::query_as("SELECT source_file, toml FROM policies WHERE fiscal_year = $1")
                .bind(fiscal_year)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row)
    }

    /// The data version: the audit chain's head. Every write of every process appends an audit
    /// event in the same transaction, so a result computed at one version is current exactly
    /// while the version stands; caches are keyed by it. Not initialised: no version.
    pub async fn data_version(&self) -> Result<i64> {
        match sqlx::query_as::<_, (i64,)>("SELECT seq FROM audit_head WHERE id = 1").fetch_optional(&self.pool).await {
            Ok(Some((v,))) => Ok(v),
            Ok(None) | Err(sqlx::Error::Database(_)) => Err(crate::StoreError::NotInitialised),
            Err(e) => Err(e.into()),
        }
    }
}
