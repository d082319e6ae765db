//! Emergency allocations with their follow-up review, and a decided round's execution plan.

use haibun_domain::book::PlanLine;
use haibun_domain::workflow::YearAction;
use haibun_domain::{FiscalYear, Yen};
use haibun_store::{AllocationRow, NewRound};
use serde_json::json;

use super::{bad, rules};
use crate::cycle::{check_text, event};
use crate::{Actor, Service, ServiceError, ServiceResult, now, today};

/// A decided round's execution plan (実行計画), ready to write as a workbook or a page.
pub type ExecutionPlan = crate::Printable;

/// The allocations as the lines of an execution plan or of the book's allocations table, named
/// from the stored lines (empty if a line is no longer stored).
pub(crate) fn plan_lines(lines: &[haibun_store::StoredLine], allocations: &[AllocationRow]) -> Vec<PlanLine> {
    allocations
        .iter()
        .map(|a| {
            let line = lines.iter().find(|l| l.line.ministry == a.ministry && l.line.line_id.as_str() == a.line_id);
            PlanLine {
                ministry: a.ministry.clone(),
                line_id: a.line_id.clone(),
                name: line.map(|l| l.line.name.clone()).unwrap_or_default(),
                project: line.and_then(|l| l.line.project.clone()),
                round: a.round_id,
                proposal: a.proposal_id,
                amount: Yen(a.amount),
                reason: a.reason.clone(),
            }
        })
        .collect()
}

impl Service {
    /// An emergency allocation (§3: the COVID-19 case): HQ allocates at once to an `AMED` line,
    /// with a reason, within what remains of the pool; the Cabinet Office must review it within
    /// the policy's deadline. Returns the round's number.
    pub async fn emergency_fund(
        &self,
        actor: &Actor,
        fy: FiscalYear,
        reason: &str,
        ministry: &str,
        line_id: &str,
        amount: i64,
    ) -> ServiceResult<i64> {
        actor.check_year(YearAction::EmergencyFund)?;
        let policy = self.policy(fy).await?;
        let rules = rules(&policy)?;
        let reason = check_text("reason", reason, true)?;
        let reason = reason.as_str();
        if amount <= 0 {
            return Err(bad("amount", "配分額は1円以上です", "the amount must be at least 1 yen"));
        }
        let (ministry, line_id) = self.fund_target(fy, &policy, ministry, line_id).await?;
        let at = now();
        let due = crate::demo::shift(&today(), i64::from(rules.emergency_review_days))?;
        let mut tx = self.store.begin().await?;
        let (pool, allocated) = tx.lock_fund(fy.year()).await?;
        let remaining = pool.unwrap_or(0) - allocated;
        if amount > remaining {
            return Err(bad(
                "amount",
                format!("配分額（{amount}円）が財源の残り（{remaining}円）を超えます"),
                format!("the amount ({amount} yen) exceeds what remains of the pool ({remaining} yen)"),
            ));
        }
        let r = NewRound {
            fiscal_year: fy.year(),
            kind: "emergency",
            round_type: "emergency",
            title: "緊急配分 / emergency allocation",
            reason,
            by: &actor.name,
            at: &at,
        };
        let id = tx.insert_fund_round(&r, Some(&due)).await?;
        tx.decide_fund_round(id, &actor.name, &at).await?;
        let row = AllocationRow {
            id: 0,
            round_id: id,
            ministry: ministry.clone(),
            line_id: line_id.clone(),
            proposal_id: None,
            amount,
            planned: None,
            reason: reason.to_string(),
            decided_by: actor.name.clone(),
            decided_at: at.clone(),
        };
        tx.insert_fund_allocation(fy.year(), &row).await?;
        tx.append_event(&event(
            actor,
            "fund.emergency",
            format!("FY{}/fund/round/{id}", fy.year()),
            Some(fy),
            None,
            Some(json!({"emergency": true, "reason": reason, "line": format!("{ministry}/{line_id}"), "amount": amount, "review_due": due})),
        ))
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The Cabinet Office's follow-up review of an emergency allocation.
    pub async fn review_fund(&self, actor: &Actor, round_id: i64, note: &str) -> ServiceResult<()> {
        actor.check_year(YearAction::ReviewFund)?;
        let (round, fy, _) = self.fund_round_of(round_id).await?;
        let note = check_text("note", note, true)?;
        let note = note.as_str();
        let mut tx = self.store.begin().await?;
        if round.kind != "emergency" || !tx.review_fund_round(round_id, note, &actor.name, &now()).await? {
            return Err(ServiceError::Conflict(format!(
                "調整費の回 {round_id} は検証待ちの緊急配分ではありません / round {round_id} is not an emergency awaiting review"
            )));
        }
        tx.append_event(&event(
            actor,
            "fund.review",
            format!("FY{}/fund/round/{round_id}", fy.year()),
            Some(fy),
            None,
            Some(json!({"note": note})),
        ))
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A decided round's execution plan: the target lines and the amount for each, with who
    /// decided, when and why.
    pub async fn execution_plan(
        &self,
        actor: &Actor,
        round_id: i64,
        unit: haibun_domain::book::ReportUnit,
    ) -> ServiceResult<ExecutionPlan> {
        actor.check_read(None)?;
        let (round, fy, policy) = self.fund_round_of(round_id).await?;
        if round.status != "decided" {
            return Err(ServiceError::Conflict(format!(
                "調整費の回 {round_id} はまだ決定されていません / round {round_id} is not decided yet"
            )));
        }
        let lines = self.store.lines(fy, None).await?;
        let allocations: Vec<AllocationRow> =
            self.store.fund_allocations(fy.year()).await?.into_iter().filter(|a| a.round_id == round_id).collect();
        let plan_lines = plan_lines(&lines, &allocations);
        let total: i64 = allocations.iter().map(|a| a.amount).sum();
        let kind = match round.round_type.as_str() {
            "president" => "理事長裁量型 / AMED president's discretion",
            "top-down" => "トップダウン型 / top-down",
            _ => "緊急配分 / emergency",
        };
        let mut cover = vec![
            ("年度 / fiscal year".to_string(), format!("{} ({fy})", fy.era_label())),
            ("回 / round".to_string(), format!("#{} {kind}", round.id)),
            ("題名 / title".to_string(), round.title.clone()),
            (
                "決定 / decided".to_string(),
                format!(
                    "{} {}",
                    round.decided_by.clone().unwrap_or_default(),
                    round.decided_at.clone().unwrap_or_default()
                ),
            ),
            ("配分合計 / total allocated".to_string(), format!("{total} 円 / yen")),
            ("単位 / unit".to_string(), format!("{} / {}", unit.label_ja(), unit.name())),
        ];
        if round.kind == "emergency" {
            cover.push(("緊急の理由 / emergency reason".to_string(), round.reason.clone()));
            cover.push((
                "事後検証 / follow-up review".to_string(),
                match &round.reviewed_at {
                    Some(at) => format!("済 / done {at}: {}", round.review_note.clone().unwrap_or_default()),
                    None => format!("期限 / due {}", round.review_due.clone().unwrap_or_default()),
                },
            ));
        }
        if unit.rounds() {
            cover.push((
                "注 / note".to_string(),
                format!("{} / {}", haibun_domain::book::ROUNDING_NOTE_JA, haibun_domain::book::ROUNDING_NOTE_EN),
            ));
        }
        Ok(ExecutionPlan {
            title: format!("{} 調整費 実行計画 #{}", fy.era_label(), round.id),
            cover,
            tables: haibun_domain::book::execution_plan_tables(&policy, &plan_lines),
            unit,
            footer: format!("{} 調整費 #{}", fy.era_label(), round.id),
        })
    }
}
