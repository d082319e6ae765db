//! The Cabinet Office's decisions on overlap candidates.

use crate::{Result, Store, Tx};

/// A decision on a pair of lines.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct OverlapDecisionRow {
    /// The year.
    pub fiscal_year: i64,
    /// The first line's ministry (the smaller pair first).
    pub a_ministry: String,
    /// The first line.
    pub a_line: String,
    /// The second line's ministry.
    pub b_ministry: String,
    /// The second line.
    pub b_line: String,
    /// distinct or coordinate.
    pub decision: String,
    /// Why.
    pub note: String,
    /// Who decided.
    pub decided_by: String,
    /// When.
    pub decided_at: String,
}

impl Store {
    /// The year's decisions.
    pub async fn overlap_decisions(&self, fiscal_year: i64) -> Result<Vec<OverlapDecisionRow>> {
        Ok(sqlx::query_as("SELECT fiscal_year, a_ministry, a_line, b_ministry, b_line, decision, note, decided_by, decided_at FROM overlap_decisions WHERE fiscal_year = $1 ORDER BY a_ministry, a_line, b_ministry, b_line")
            .bind(fiscal_year)
            .fetch_all(&self.pool)
            .await?)
    }
}

impl Tx {
    /// Records (or replaces) a decision; returns the one it replaced.
    pub async fn set_overlap_decision(&mut self, d: &OverlapDecisionRow) -> Result<Option<OverlapDecisionRow>> {
        let before: Option<OverlapDecisionRow> = sqlx::query_as("SELECT fiscal_year, a_ministry, a_line, b_ministry, b_line, decision, note, decided_by, decided_at FROM overlap_decisions WHERE fiscal_year = $1 AND a_ministry = $2 AND a_line = $3 AND b_ministry = $4 AND b_line = $5")
            .bind(d.fiscal_year)
            .bind(d.a_ministry.clone())
            .bind(d.a_line.clone())
            .bind(d.b_ministry.clone())
            .bind(d.b_line.clone())
            .fetch_optional(&mut *self.tx)
            .await?;
        sqlx::query("DELETE FROM overlap_decisions WHERE fiscal_year = $1 AND a_ministry = $2 AND a_line = $3 AND b_ministry = $4 AND b_line = $5")
            .bind(d.fiscal_year)
            .bind(d.a_ministry.clone())
            .bind(d.a_line.clone())
            .bind(d.b_ministry.clone())
            .bind(d.b_line.clone())
            .execute(&mut *self.tx)
            .await?;
        sqlx::query("INSERT INTO overlap_decisions (fiscal_year, a_ministry, a_line, b_ministry, b_line, decision, note, decided_by, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
            .bind(d.fiscal_year)
            .bind(d.a_ministry.clone())
            .bind(d.a_line.clone())
            .bind(d.b_ministry.clone())
            .bind(d.b_line.clone())
            .bind(d.decision.clone())
            .bind(d.note.clone())
            .bind(d.decided_by.clone())
            .bind(d.decided_at.clone())
            .execute(&mut *self.tx)
            .await?;
        Ok(before)
    }
}
