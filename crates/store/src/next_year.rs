//! Opening a year from the one before: the draft policy (stored, replaced, decided), the copy of
//! the measures and KPIs, and each carried line's response to last year's follow-up.

use crate::pdca::KPI_COLUMNS;
use crate::{Result, Store, Tx};

/// A ministry's response, in this year's request, to last year's follow-up of a line.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct ResponseRow {
    /// This year.
    pub fiscal_year: i64,
    /// 府省.
    pub ministry: String,
    /// 事業番号.
    pub line_id: String,
    /// 対応方針.
    pub response: String,
    /// Who wrote it.
    pub responded_by: String,
    /// When.
    pub responded_at: String,
}

impl Store {
    /// A year's responses to last year's follow-up.
    pub async fn pdca_responses(&self, fiscal_year: i64) -> Result<Vec<ResponseRow>> {
        Ok(sqlx::query_as("SELECT fiscal_year, ministry, line_id, response, responded_by, responded_at FROM pdca_responses WHERE fiscal_year = $1 ORDER BY ministry, line_id")
            .bind(fiscal_year)
            .fetch_all(&self.pool)
            .await?)
    }

    /// A year's policy status (`draft` or `decided`) and the year it was copied from.
    pub async fn policy_status(&self, fiscal_year: i64) -> Result<Option<(String, Option<i64>)>> {
        Ok(sqlx::query_as("SELECT status, based_on FROM policies WHERE fiscal_year = $1")
            .bind(fiscal_year)
            .fetch_optional(&self.pool)
            .await?)
    }
}

impl Tx {
    /// Records (or replaces) a response; returns the one replaced.
    pub async fn set_pdca_response(&mut self, r: &ResponseRow) -> Result<Option<ResponseRow>> {
        let before: Option<ResponseRow> = sqlx::query_as("SELECT fiscal_year, ministry, line_id, response, responded_by, responded_at FROM pdca_responses WHERE fiscal_year = $1 AND ministry = $2 AND line_id = $3")
            .bind(r.fiscal_year)
            .bind(r.ministry.clone())
            .bind(r.line_id.clone())
            .fetch_optional(&mut *self.tx)
            .await?;
        sqlx::query("DELETE FROM pdca_responses WHERE fiscal_year = $1 AND ministry = $2 AND line_id = $3")
            .bind(r.fiscal_year)
            .bind(r.ministry.clone())
            .bind(r.line_id.clone())
            .execute(&mut *self.tx)
            .await?;
        sqlx::query("INSERT INTO pdca_responses (fiscal_year, ministry, line_id, response, responded_by, responded_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(r.fiscal_year)
            .bind(r.ministry.clone())
            .bind(r.line_id.clone())
            .bind(r.response.clone())
            .bind(r.responded_by.clone())
            .bind(r.responded_at.clone())
            .execute(&mut *self.tx)
            .await?;
        Ok(before)
    }

    /// Stores a new year's policy as a draft copied from `based_on`; false if the year has one.
    pub async fn put_policy_draft(
        &mut self,
        fiscal_year: i64,
        source_file: &str,
        toml: &str,
        based_on: i64,
        now: &str,
    ) -> Result<bool> {
        let exists = sqlx::query("SELECT 1 FROM policies WHERE fiscal_year = $1")
            .bind(fiscal_year)
            .fetch_optional(&mut *self.tx)
            .await?;
        if exists.is_some() {
            return Ok(false);
        }
        sqlx::query("INSERT INTO policies (fiscal_year, source_file, toml, stored_at, status, based_on) VALUES ($1, $2, $3, $4, 'draft', $5)")
            .bind(fiscal_year)
            .bind(source_file)
            .bind(toml)
            .bind(now)
            .bind(based_on)
            .execute(&mut *self.tx)
            .await?;
        Ok(true)
    }

    /// A year's policy text, read inside this transaction (locked on PostgreSQL).
    pub async fn policy_text(&mut self, fiscal_year: i64) -> Result<Option<String>> {
        let lock = if self.backend == crate::Backend::Postgres { " FOR UPDATE" } else { "" };
        let sql = format!("SELECT toml FROM policies WHERE fiscal_year = $1{lock}");
        let row: Option<(String,)> =
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(fiscal_year).fetch_optional(&mut *self.tx).await?;
        Ok(row.map(|r| r.0))
    }

    /// Replaces a draft policy's text; false if the year's policy is not a draft.
    pub async fn replace_policy_draft(
        &mut self,
        fiscal_year: i64,
        source_file: &str,
        toml: &str,
        now: &str,
    ) -> Result<bool> {
        let done = sqlx::query("UPDATE policies SET source_file = $2, toml = $3, stored_at = $4 WHERE fiscal_year = $1 AND status = 'draft'")
            .bind(fiscal_year)
            .bind(source_file)
            .bind(toml)
            .bind(now)
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Decides a draft policy; false if it was not a draft.
    pub async fn decide_policy(&mut self, fiscal_year: i64) -> Result<bool> {
        let done = sqlx::query("UPDATE policies SET status = 'decided' WHERE fiscal_year = $1 AND status = 'draft'")
            .bind(fiscal_year)
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Copies a year's measures, KPIs, targets and logic model into the next year, and the
    /// links of the lines that exist in the next year. Returns the measures and KPIs copied.
    pub async fn copy_measures(&mut self, from: i64, to: i64, by: &str, at: &str) -> Result<(u64, u64)> {
        let measures = sqlx::query("INSERT INTO measures (fiscal_year, code, name, project, created_by, created_at) SELECT $2, code, name, project, $3, $4 FROM measures WHERE fiscal_year = $1")
            .bind(from)
            .bind(to)
            .bind(by.to_string())
            .bind(at.to_string())
            .execute(&mut *self.tx)
            .await?
            .rows_affected();
        let sql = format!(
            "INSERT INTO kpis ({KPI_COLUMNS}) SELECT $2, code, measure, ministry, kind, indicator, unit, direction, source, baseline, baseline_year FROM kpis WHERE fiscal_year = $1"
        );
        let kpis =
            sqlx::query(sqlx::AssertSqlSafe(sql)).bind(from).bind(to).execute(&mut *self.tx).await?.rows_affected();
        for sql in [
            "INSERT INTO kpi_targets (fiscal_year, kpi, target_year, value) SELECT $2, kpi, target_year, value FROM kpi_targets WHERE fiscal_year = $1",
            "INSERT INTO kpi_links (fiscal_year, from_kpi, to_kpi) SELECT $2, from_kpi, to_kpi FROM kpi_links WHERE fiscal_year = $1",
        ] {
            sqlx::query(sql).bind(from).bind(to).execute(&mut *self.tx).await?;
        }
        sqlx::query("INSERT INTO line_measures (fiscal_year, ministry, line_id, measure, kpi, linked_by, linked_at) SELECT $2, m.ministry, m.line_id, m.measure, m.kpi, $3, $4 FROM line_measures m WHERE m.fiscal_year = $1 AND EXISTS (SELECT 1 FROM request_lines r WHERE r.fiscal_year = $2 AND r.ministry = m.ministry AND r.line_id = m.line_id)")
            .bind(from)
            .bind(to)
            .bind(by.to_string())
            .bind(at.to_string())
            .execute(&mut *self.tx)
            .await?;
        Ok((measures, kpis))
    }
}
