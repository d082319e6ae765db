//! Budgets and execution as RS 2-1 files report them, one row per (予算事業ID, 予算年度).

use crate::{Result, Store, Tx};

/// A line's budget and execution in one budget year, in yen.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct RsBudgetRecord {
    /// 予算事業ID.
    pub rs_id: String,
    /// 予算年度.
    pub budget_year: i64,
    /// 事業年度 of the file it came from (the review year).
    pub review_year: i64,
    /// 事業名.
    pub name: String,
    /// 府省庁.
    pub ministry: String,
    /// 当初予算（合計）.
    pub initial: i64,
    /// 補正予算（合計）.
    pub supplementary: i64,
    /// 前年度からの繰越し（合計）.
    pub carried_in: i64,
    /// 予備費等（合計）.
    pub reserve: i64,
    /// 計（歳出予算現額合計）.
    pub current_total: i64,
    /// 執行額（合計）.
    pub executed: Option<i64>,
    /// 執行率 as written.
    pub execution_rate: Option<String>,
    /// 翌年度への繰越し（合計）.
    pub carried_out: i64,
    /// 翌年度要求額（合計）.
    pub next_request: i64,
    /// 主な増減理由.
    pub change_reason: String,
    /// The file.
    pub source_file: String,
    /// Who imported it.
    pub imported_by: String,
    /// When.
    pub imported_at: String,
}

const COLUMNS: &str = "rs_id, budget_year, review_year, name, ministry, initial, supplementary, carried_in, reserve, current_total, executed, execution_rate, carried_out, next_request, change_reason, source_file, imported_by, imported_at";

impl Store {
    /// Every stored RS budget row, by id and year.
    pub async fn rs_budgets(&self) -> Result<Vec<RsBudgetRecord>> {
        let sql = format!("SELECT {COLUMNS} FROM rs_budgets ORDER BY rs_id, budget_year");
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(&self.pool).await?)
    }

    /// The RS ids lines carry, in any year.
    pub async fn line_rs_ids(&self) -> Result<Vec<String>> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT DISTINCT rs_id FROM request_lines WHERE rs_id <> '' ORDER BY rs_id")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }
}

impl Tx {
    /// Stores a row unless one from a later review year is stored for the same id and budget
    /// year (a later review has the later figures: execution is filled in after the year ends).
    /// Returns the review year of the row kept instead, if one was.
    pub async fn put_rs_budget(&mut self, r: &RsBudgetRecord) -> Result<Option<i64>> {
        let existing: Option<(i64,)> =
            sqlx::query_as("SELECT review_year FROM rs_budgets WHERE rs_id = $1 AND budget_year = $2")
                .bind(r.rs_id.clone())
                .bind(r.budget_year)
                .fetch_optional(&mut *self.tx)
                .await?;
        if let Some((newer,)) = existing.filter(|e| e.0 > r.review_year) {
            return Ok(Some(newer));
        }
        sqlx::query("DELETE FROM rs_budgets WHERE rs_id = $1 AND budget_year = $2")
            .bind(r.rs_id.clone())
            .bind(r.budget_year)
            .execute(&mut *self.tx)
            .await?;
        let sql = format!(
            "INSERT INTO rs_budgets ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(r.rs_id.clone())
            .bind(r.budget_year)
            .bind(r.review_year)
            .bind(r.name.clone())
            .bind(r.ministry.clone())
            .bind(r.initial)
            .bind(r.supplementary)
            .bind(r.carried_in)
            .bind(r.reserve)
            .bind(r.current_total)
            .bind(r.executed)
            .bind(r.execution_rate.clone())
            .bind(r.carried_out)
            .bind(r.next_request)
            .bind(r.change_reason.clone())
            .bind(r.source_file.clone())
            .bind(r.imported_by.clone())
            .bind(r.imported_at.clone())
            .execute(&mut *self.tx)
            .await?;
        Ok(None)
    }
}
