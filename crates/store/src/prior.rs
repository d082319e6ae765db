//! The prior fiscal year's settled budget, held by the following year for comparison.

use haibun_domain::book::PriorLine;
use haibun_domain::{FiscalYear, LineId, Shares, Yen};

use crate::{Result, Store, Tx, corrupt};

#[derive(sqlx::FromRow)]
struct PriorRow {
    ministry: String,
    line_id: String,
    name: String,
    channel: String,
    project: Option<String>,
    disease_areas: Option<String>,
    purposes: Option<String>,
    amount: i64,
}

/// Where a ministry's held prior-year budget came from.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct PriorSourceRow {
    /// The ministry.
    pub ministry: String,
    /// The file imported.
    pub source_file: String,
    /// Its SHA-256.
    pub source_sha256: String,
    /// When.
    pub imported_at: String,
    /// By whom.
    pub imported_by: String,
    /// How many lines.
    pub lines: i64,
}

impl Store {
    /// The prior year's settled budget held by `fiscal_year`, ordered by ministry and line id.
    pub async fn prior_lines(&self, fiscal_year: FiscalYear) -> Result<Vec<PriorLine>> {
        let rows: Vec<PriorRow> = sqlx::query_as(
            "SELECT ministry, line_id, name, channel, project, disease_areas, purposes, amount FROM prior_budget_lines WHERE fiscal_year = $1 ORDER BY ministry, line_id",
        )
        .bind(fiscal_year.year())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                let shares = |s: Option<String>| {
                    s.map(|s| Shares::from_code_string(&s).map_err(|e| corrupt(format!("{}: {}", r.line_id, e.en))))
                        .transpose()
                };
                Ok(PriorLine {
                    line_id: LineId::parse(&r.line_id).ok_or_else(|| corrupt(format!("line id {:?}", r.line_id)))?,
                    disease_areas: shares(r.disease_areas.clone())?,
                    purposes: shares(r.purposes.clone())?,
                    ministry: r.ministry,
                    name: r.name,
                    channel: r.channel,
                    project: r.project,
                    amount: Yen(r.amount),
                })
            })
            .collect()
    }

    /// Per ministry: the file its held prior-year budget came from.
    pub async fn prior_sources(&self, fiscal_year: FiscalYear) -> Result<Vec<PriorSourceRow>> {
        Ok(sqlx::query_as(
            "SELECT ministry, MIN(source_file) AS source_file, MIN(source_sha256) AS source_sha256, MIN(imported_at) AS imported_at, MIN(imported_by) AS imported_by, COUNT(*) AS lines FROM prior_budget_lines WHERE fiscal_year = $1 GROUP BY ministry ORDER BY ministry",
        )
        .bind(fiscal_year.year())
        .fetch_all(&self.pool)
        .await?)
    }
}

/// Who imported what, and when: recorded on every held prior line.
#[derive(Debug, Clone, Copy)]
pub struct PriorImport<'a> {
    /// The file.
    pub source_file: &'a str,
    /// Its SHA-256.
    pub source_sha256: &'a str,
    /// When.
    pub at: &'a str,
    /// Who.
    pub by: &'a str,
}

impl Tx {
    /// Replaces one ministry's held prior-year lines; returns how many were replaced.
    pub async fn replace_prior_lines(
        &mut self,
        fiscal_year: FiscalYear,
        ministry: &str,
        lines: &[PriorLine],
        import: PriorImport<'_>,
    ) -> Result<u64> {
        let removed = sqlx::query("DELETE FROM prior_budget_lines WHERE fiscal_year = $1 AND ministry = $2")
            .bind(fiscal_year.year())
            .bind(ministry.to_string())
            .execute(&mut *self.tx)
            .await?
            .rows_affected();
        for l in lines {
            sqlx::query(
                "INSERT INTO prior_budget_lines (fiscal_year, ministry, line_id, name, channel, project, disease_areas, purposes, amount, source_file, source_sha256, imported_at, imported_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            )
            .bind(fiscal_year.year())
            .bind(ministry.to_string())
            .bind(l.line_id.to_string())
            .bind(l.name.clone())
            .bind(l.channel.clone())
            .bind(l.project.clone())
            .bind(l.disease_areas.as_ref().map(Shares::to_code_string))
            .bind(l.purposes.as_ref().map(Shares::to_code_string))
            .bind(l.amount.get())
            .bind(import.source_file.to_string())
            .bind(import.source_sha256.to_string())
            .bind(import.at.to_string())
            .bind(import.by.to_string())
            .execute(&mut *self.tx)
            .await?;
        }
        Ok(removed)
    }
}
