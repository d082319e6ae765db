//! PDCA's Check (§6): follow-up rounds of a year's measures — the Cabinet Office opens and
//! closes them, each ministry reports its KPIs' actuals, the Cabinet Office evaluates each
//! measure, HQ records the action for each line — and the round as each actor sees it.

use haibun_domain::pdca::{Evaluation, LineAction};
use haibun_domain::workflow::{Role, YearAction};
use haibun_domain::{FiscalYear, LineId, Yen};
use haibun_store::{ActualRow, EvaluationRow, FollowupRoundRow, LineActionRow, Tx};
use serde_json::json;

use crate::cycle::{check_date, check_text, event, invalid_arg};
use crate::pdca::{MeasureView, code_arg, not_found, value_arg, year_arg};
use crate::{Actor, Service, ServiceError, ServiceResult, now};

/// A follow-up round as an actor sees it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FollowupView {
    /// The round.
    pub round: FollowupRoundRow,
    /// Every measure of the year, with the round's actuals and evaluations.
    pub measures: Vec<MeasureView>,
    /// HQ's actions for lines.
    pub actions: Vec<LineActionRow>,
    /// KPIs with no actual reported in the round yet: (ministry, KPI).
    pub unreported: Vec<(String, String)>,
    /// Measures not yet evaluated.
    pub unevaluated: Vec<String>,
}

impl Service {
    /// A follow-up round, or not found.
    async fn round_row(&self, round: i64) -> ServiceResult<FollowupRoundRow> {
        self.store
            .followup_round(round)
            .await?
            .ok_or_else(|| not_found("フォローアップ", "follow-up round", &round.to_string()))
    }

    /// Opens a follow-up round of a year's measures (Cabinet Office). Returns its number.
    pub async fn open_followup(
        &self,
        actor: &Actor,
        fy: FiscalYear,
        title: &str,
        report_due: &str,
        evaluation_due: &str,
    ) -> ServiceResult<i64> {
        actor.check_year(YearAction::OpenFollowup)?;
        self.policy(fy).await?;
        let title = check_text("--title", title, true)?;
        let report_due = check_date("--report-due", report_due)?;
        let evaluation_due = check_date("--evaluation-due", evaluation_due)?;
        if evaluation_due < report_due {
            return Err(invalid_arg(
                "--evaluation-due",
                "評価の期限は報告の期限より後にしてください".into(),
                "the evaluation is due after the reports".into(),
            ));
        }
        let mut row = FollowupRoundRow {
            id: 0,
            fiscal_year: fy.year(),
            title,
            report_due,
            evaluation_due,
            status: "open".into(),
            opened_by: actor.name.clone(),
            opened_at: now(),
        };
        let mut tx = self.store.begin().await?;
        row.id = tx.insert_followup_round(&row).await?;
        tx.append_event(&event(
            actor,
            "followup.open",
            format!("followup/{}", row.id),
            Some(fy),
            None,
            Some(json!(row)),
        ))
        .await?;
        tx.commit().await?;
        Ok(row.id)
    }

    /// Closes a follow-up round: no report or evaluation is taken after (Cabinet Office).
    pub async fn close_followup(&self, actor: &Actor, round: i64) -> ServiceResult<()> {
        actor.check_year(YearAction::OpenFollowup)?;
        let mut tx = self.store.begin().await?;
        let r = open_round(&mut tx, round).await?;
        tx.close_followup_round(round).await?;
        tx.append_event(&event(
            actor,
            "followup.close",
            format!("followup/{round}"),
            FiscalYear::try_from(r.fiscal_year).ok(),
            Some(json!({"status": "open"})),
            Some(json!({"status": "closed"})),
        ))
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Reports a KPI's actual value for a year in an open round: the KPI's ministry.
    #[allow(clippy::too_many_arguments)]
    pub async fn report_actual(
        &self,
        actor: &Actor,
        round: i64,
        kpi: &str,
        year: i64,
        value: &str,
        source: &str,
        comment: &str,
    ) -> ServiceResult<()> {
        // Only a ministry reports (its own KPIs, checked below once the KPI is known).
        if !matches!(actor.role, Role::Ministry | Role::Admin) {
            return Err(ServiceError::Forbidden(format!(
                "役割 {} は実績を報告できません（府省が報告します）/ role {} may not report actuals (ministries do)",
                actor.role, actor.role
            )));
        }
        let kpi = code_arg("--kpi", kpi)?;
        let r = self.round_row(round).await?;
        let k = self
            .store
            .kpis(r.fiscal_year)
            .await?
            .into_iter()
            .find(|k| k.code == kpi)
            .ok_or_else(|| not_found("指標", "KPI", &kpi))?;
        // Only the KPI's ministry reports it (and the administrator).
        if !(actor.role == Role::Admin
            || (actor.role == Role::Ministry && actor.ministry.as_deref() == Some(&k.ministry)))
        {
            return Err(ServiceError::Forbidden(format!(
                "指標 {kpi} の実績は {} が報告します / KPI {kpi} is reported by {}",
                k.ministry, k.ministry
            )));
        }
        let row = ActualRow {
            round_id: round,
            kpi: kpi.clone(),
            actual_year: year_arg("--year", year)?,
            value: value_arg("--value", value)?,
            source: check_text("--source", source, true)?,
            comment: check_text("--comment", comment, false)?,
            reported_by: actor.name.clone(),
            reported_at: now(),
        };
        let mut tx = self.store.begin().await?;
        open_round(&mut tx, round).await?;
        let before = tx.set_kpi_actual(&row).await?;
        tx.append_event(&event(
            actor,
            "followup.report",
            format!("followup/{round}/{kpi}/{year}"),
            FiscalYear::try_from(r.fiscal_year).ok(),
            before.map(|b| json!(b)),
            Some(json!(row)),
        ))
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Evaluates a measure in an open round, with a reason (Cabinet Office).
    pub async fn evaluate_measure(
        &self,
        actor: &Actor,
        round: i64,
        measure: &str,
        evaluation: &str,
        reason: &str,
    ) -> ServiceResult<()> {
        actor.check_year(YearAction::EvaluateMeasure)?;
        let measure = code_arg("--measure", measure)?;
        let evaluation = Evaluation::parse(evaluation).ok_or_else(|| {
            invalid_arg(
                "--evaluation",
                format!("評価は {} のいずれかです", Evaluation::choices()),
                format!("the evaluation is one of {}", Evaluation::choices()),
            )
        })?;
        let reason = check_text("--reason", reason, true)?;
        let r = self.round_row(round).await?;
        if !self.store.measures(r.fiscal_year).await?.iter().any(|m| m.code == measure) {
            return Err(not_found("施策", "measure", &measure));
        }
        let row = EvaluationRow {
            round_id: round,
            measure: measure.clone(),
            evaluation: evaluation.name().into(),
            reason,
            evaluated_by: actor.name.clone(),
            evaluated_at: now(),
        };
        let mut tx = self.store.begin().await?;
        open_round(&mut tx, round).await?;
        let before = tx.set_measure_evaluation(&row).await?;
        tx.append_event(&event(
            actor,
            "followup.evaluate",
            format!("followup/{round}/{measure}"),
            FiscalYear::try_from(r.fiscal_year).ok(),
            before.map(|b| json!(b)),
            Some(json!(row)),
        ))
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records HQ's action for a line of the round's year, with the amount to reflect (反映額)
    /// and a reason: an expansion adds (≥ 0), a reduction or an end takes away (≤ 0).
    #[allow(clippy::too_many_arguments)]
    pub async fn record_line_action(
        &self,
        actor: &Actor,
        round: i64,
        ministry: &str,
        line_id: &str,
        action: &str,
        amount: Yen,
        reason: &str,
    ) -> ServiceResult<()> {
        actor.check_year(YearAction::RecordLineAction)?;
        let action = LineAction::parse(action).ok_or_else(|| {
            invalid_arg(
                "--action",
                format!("対応は {} のいずれかです", LineAction::choices()),
                format!("the action is one of {}", LineAction::choices()),
            )
        })?;
        let sign_ok = match action {
            LineAction::Expand => amount.get() >= 0,
            LineAction::Reduce | LineAction::End => amount.get() <= 0,
            LineAction::Continue | LineAction::Review => true,
        };
        if !sign_ok {
            return Err(invalid_arg(
                "--amount",
                format!(
                    "{}の反映額は{}です",
                    action.name_ja(),
                    if action == LineAction::Expand { "0 以上" } else { "0 以下" }
                ),
                format!(
                    "the amount of {action} is {}",
                    if action == LineAction::Expand { "0 or more" } else { "0 or less" }
                ),
            ));
        }
        let reason = check_text("--reason", reason, true)?;
        let r = self.round_row(round).await?;
        let fy = FiscalYear::try_from(r.fiscal_year).map_err(|e| ServiceError::Internal(anyhow::anyhow!("{e}")))?;
        let policy = self.policy(fy).await?;
        let ministry = Self::ministry_code(&policy, ministry)?;
        let id = LineId::parse(line_id).ok_or_else(|| not_found("事業", "line", line_id))?;
        let row = LineActionRow {
            round_id: round,
            fiscal_year: fy.year(),
            ministry: ministry.clone(),
            line_id: id.to_string(),
            action: action.name().into(),
            amount: amount.get(),
            reason,
            decided_by: actor.name.clone(),
            decided_at: now(),
        };
        let mut tx = self.store.begin().await?;
        open_round(&mut tx, round).await?;
        if tx.line(fy, &ministry, &id).await?.is_none() {
            return Err(not_found(&format!("{ministry} の事業"), &format!("{ministry} line"), line_id));
        }
        let before = tx.set_line_action(&row).await?;
        tx.append_event(&event(
            actor,
            "followup.action",
            format!("FY{}/{ministry}/{id}", fy.year()),
            Some(fy),
            before.map(|b| json!(b)),
            Some(json!(row)),
        ))
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The follow-up rounds of a year (every year's when `None`).
    pub async fn followup_rounds(&self, fy: Option<FiscalYear>) -> ServiceResult<Vec<FollowupRoundRow>> {
        Ok(self.store.followup_rounds(fy.map(FiscalYear::year)).await?)
    }

    /// A follow-up round: every measure with the actuals and evaluations, the actions, and
    /// what is still to be reported or evaluated. A ministry sees its own KPIs' actuals and its
    /// own lines' actions.
    pub async fn followup(&self, actor: &Actor, round: i64) -> ServiceResult<FollowupView> {
        let r = self.round_row(round).await?;
        let measures = self.measure_views(actor, r.fiscal_year, Some(round)).await?;
        let mut actions = self.store.line_actions(r.fiscal_year).await?;
        actions.retain(|a| a.round_id == round && actor.read_scope().is_none_or(|m| m == a.ministry));
        // A KPI with no actual at all in the round is still to be reported.
        let unreported = measures
            .iter()
            .flat_map(|m| &m.kpis)
            .filter(|k| k.actuals.is_empty() && actor.read_scope().is_none_or(|s| s == k.kpi.ministry))
            .map(|k| (k.kpi.ministry.clone(), k.kpi.code.clone()))
            .collect();
        let unevaluated = measures.iter().filter(|m| m.evaluation.is_none()).map(|m| m.measure.code.clone()).collect();
        Ok(FollowupView { round: r, measures, actions, unreported, unevaluated })
    }
}

/// The round, read in `tx` (locked on PostgreSQL); a closed or unknown round is refused.
pub(crate) async fn open_round(tx: &mut Tx, round: i64) -> ServiceResult<FollowupRoundRow> {
    let r = tx
        .lock_followup_round(round)
        .await?
        .ok_or_else(|| not_found("フォローアップ", "follow-up round", &round.to_string()))?;
    if r.status != "open" {
        return Err(ServiceError::Conflict(format!(
            "フォローアップ {round} は締め切られています / follow-up round {round} is closed"
        )));
    }
    Ok(r)
}
