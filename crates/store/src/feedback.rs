//! What users did with the classifier's suggestions.

use crate::{Result, Store, Tx};

/// An accepted or rejected suggestion.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct FeedbackRow {
    /// Its number.
    pub id: i64,
    /// The year.
    pub fiscal_year: i64,
    /// The line's ministry.
    pub ministry: String,
    /// The line.
    pub line_id: String,
    /// project, disease_areas, purposes or priority_item.
    pub kind: String,
    /// The code (or shares, `CODE:percent;…`) suggested.
    pub code: String,
    /// 1 accepted, 0 rejected.
    pub accepted: i64,
    /// Why.
    pub reason: String,
    /// The rules' version that suggested it.
    pub rules: String,
    /// Who.
    pub decided_by: String,
    /// When.
    pub decided_at: String,
}

impl Store {
    /// The classified lines of this and earlier years as (name and summary, project): what the
    /// classifier learns from.
    pub async fn classified_examples(&self, up_to_fiscal_year: i64) -> Result<Vec<(String, String)>> {
        let rows: Vec<(String, String, String)> = sqlx::query_as("SELECT name, summary, project FROM request_lines WHERE fiscal_year <= $1 AND project IS NOT NULL ORDER BY fiscal_year, ministry, line_id")
            .bind(up_to_fiscal_year)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(|(n, s, p)| (format!("{n} {s}"), p)).collect())
    }

    /// The feedback of a year, optionally on one line.
    pub async fn feedback(&self, fiscal_year: i64, line: Option<(&str, &str)>) -> Result<Vec<FeedbackRow>> {
        let (m, l) = line.map_or((None, None), |(m, l)| (Some(m.to_string()), Some(l.to_string())));
        Ok(sqlx::query_as("SELECT id, fiscal_year, ministry, line_id, kind, code, accepted, reason, rules, decided_by, decided_at FROM classification_feedback WHERE fiscal_year <= $1 AND (CAST($2 AS TEXT) IS NULL OR (ministry = $2 AND line_id = $3 AND fiscal_year = $1)) ORDER BY id")
            .bind(fiscal_year)
            .bind(m)
            .bind(l)
            .fetch_all(&self.pool)
            .await?)
    }
}

impl Tx {
    /// Records a decision on a suggestion; returns its number.
    pub async fn insert_feedback(&mut self, f: &FeedbackRow) -> Result<i64> {
        let (id,): (i64,) = sqlx::query_as("INSERT INTO classification_feedback (fiscal_year, ministry, line_id, kind, code, accepted, reason, rules, decided_by, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id")
            .bind(f.fiscal_year)
            .bind(f.ministry.clone())
            .bind(f.line_id.clone())
            .bind(f.kind.clone())
            .bind(f.code.clone())
            .bind(f.accepted)
            .bind(f.reason.clone())
            .bind(f.rules.clone())
            .bind(f.decided_by.clone())
            .bind(f.decided_at.clone())
            .fetch_one(&mut *self.tx)
            .await?;
        Ok(id)
    }
}
