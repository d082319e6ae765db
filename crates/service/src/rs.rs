//! The RS system's (行政事業レビュー) files: budgets and execution (2-1) imported and matched to
//! lines by 予算事業ID, so execution (執行額, 執行率) shows beside the budget.

use haibun_domain::workflow::YearAction;
use haibun_sheets::rs::read_rs_budget;
use haibun_store::RsBudgetRecord;
use serde_json::json;

use crate::cycle::event;
use crate::{Actor, Service, ServiceError, ServiceResult, now};

/// What importing a 2-1 file did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RsBudgetReport {
    /// The file.
    pub file: String,
    /// Summary rows read.
    pub rows: usize,
    /// Rows stored (new, or replacing one from the same or an earlier review year).
    pub stored: usize,
    /// Rows not stored because a later review year's figures are held: (id, budget year, the
    /// review year kept).
    pub kept_newer: Vec<(String, i64, i64)>,
    /// Detail rows by account, not added.
    pub detail_rows: usize,
    /// 予算事業IDs of the file that no line carries (stored, shown on no line yet).
    pub unmatched: Vec<String>,
}

impl Service {
    /// Imports an RS 2-1 file (Cabinet Office, HQ): every summary row, or nothing if any row
    /// is wrong (each problem located by row and column).
    pub async fn import_rs_budget(
        &self,
        actor: &Actor,
        file_name: &str,
        bytes: &[u8],
    ) -> ServiceResult<RsBudgetReport> {
        actor.check_year(YearAction::ImportRs)?;
        self.store.ensure_initialised().await?;
        let parsed = read_rs_budget(bytes, file_name, &self.limits).map_err(ServiceError::Invalid)?;
        let known = self.store.line_rs_ids().await?;
        let at = now();
        let mut report = RsBudgetReport {
            file: file_name.to_string(),
            rows: parsed.rows.len(),
            stored: 0,
            kept_newer: Vec::new(),
            detail_rows: parsed.detail_rows,
            unmatched: Vec::new(),
        };
        let mut tx = self.store.begin().await?;
        for r in &parsed.rows {
            let record = RsBudgetRecord {
                rs_id: r.rs_id.clone(),
                budget_year: r.budget_year,
                review_year: r.review_year,
                name: r.name.clone(),
                ministry: r.ministry.clone(),
                initial: r.initial.get(),
                supplementary: r.supplementary.get(),
                carried_in: r.carried_in.get(),
                reserve: r.reserve.get(),
                current_total: r.current_total.get(),
                executed: r.executed.map(haibun_domain::Yen::get),
                execution_rate: r.execution_rate.clone(),
                carried_out: r.carried_out.get(),
                next_request: r.next_request.get(),
                change_reason: r.change_reason.clone(),
                source_file: file_name.to_string(),
                imported_by: actor.name.clone(),
                imported_at: at.clone(),
            };
            match tx.put_rs_budget(&record).await? {
                Some(newer) => report.kept_newer.push((r.rs_id.clone(), r.budget_year, newer)),
                None => report.stored += 1,
            }
            if !known.contains(&r.rs_id) && !report.unmatched.contains(&r.rs_id) {
                report.unmatched.push(r.rs_id.clone());
            }
        }
        tx.append_event(&event(
            actor,
            "rs.import-budget",
            format!("rs/{file_name}"),
            None,
            None,
            Some(json!({"rows": report.rows, "stored": report.stored, "kept_newer": report.kept_newer, "detail_rows": report.detail_rows, "unmatched": report.unmatched.len()})),
        ))
        .await?;
        tx.commit().await?;
        Ok(report)
    }

    /// The RS budget and execution of a line, by budget year, through its 予算事業ID (empty
    /// when it has none or nothing was imported). Read as the line is: a ministry, its own.
    pub async fn line_rs_budget(
        &self,
        actor: &Actor,
        fy: haibun_domain::FiscalYear,
        ministry: &str,
        line_id: &str,
    ) -> ServiceResult<Vec<RsBudgetRecord>> {
        let Some(line) =
            self.lines(actor, fy, Some(ministry)).await?.into_iter().find(|l| l.line_id.as_str() == line_id)
        else {
            return Ok(Vec::new());
        };
        if line.rs_id.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self.store.rs_budgets().await?.into_iter().filter(|r| r.rs_id == line.rs_id).collect())
    }
}
