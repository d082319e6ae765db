//! A regular round's plan (the optimiser over the scored proposals, under HQ's floors and caps)
//! and HQ's decision.

use haibun_domain::FiscalYear;
use haibun_domain::optimise::{Instance, OptimiseError, Options, Plan, Proposal, solve};
use haibun_domain::policy::{FundRules, Kind};
use haibun_domain::problem::{Location, Problem, ProblemCode};
use haibun_domain::workflow::YearAction;
use haibun_store::{AllocationRow, ProposalRow};
use serde_json::json;

use super::{PlanChange, bad, rules};
use crate::cycle::{check_text, event};
use crate::{Actor, Service, ServiceError, ServiceResult, now};

/// A short fingerprint of a plan's allocations, shown with the plan and checked when it is decided.
pub fn plan_digest(plan: &Plan) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(serde_json::to_vec(&plan.allocations).expect("allocations serialise")))[..16].to_string()
}

/// A proposal's weighted score, 0–100: Σ weight × score / (Σ weight × score_max) × 100.
fn weighted(rules: &FundRules, scores: &[(String, i64)]) -> f64 {
    let total: u32 = rules.criteria.iter().map(|c| c.weight).sum();
    let got: f64 = rules
        .criteria
        .iter()
        .map(|c| f64::from(c.weight) * scores.iter().find(|(k, _)| *k == c.code).map_or(0.0, |(_, s)| *s as f64))
        .sum();
    got / (f64::from(total) * f64::from(rules.score_max)) * 100.0
}

impl Service {
    /// The optimiser's plan for an open round: the proposals, valued by their weighted scores,
    /// within what remains of the pool. Proven optimal, with binding constraints, marginal values
    /// and the pool sweep.
    pub async fn fund_plan(&self, actor: &Actor, round_id: i64) -> ServiceResult<(Plan, Vec<ProposalRow>)> {
        self.round_plan(actor, round_id, true).await
    }

    /// The plan, with the marginal values and the pool sweep only if `analyse` (a decision needs
    /// only the allocations).
    async fn round_plan(&self, actor: &Actor, round_id: i64, analyse: bool) -> ServiceResult<(Plan, Vec<ProposalRow>)> {
        actor.check_read(None)?;
        let (round, fy, policy) = self.fund_round_of(round_id).await?;
        let rules = rules(&policy)?;
        let proposals = self.store.fund_proposals(round.id).await?;
        let scores = self.store.fund_scores(round.id).await?;
        let pool = self.store.fund_pool(fy.year()).await?.ok_or_else(|| {
            ServiceError::Conflict("調整費の財源が設定されていません / the fund's pool is not set".into())
        })?;
        let allocated: i64 = self.store.fund_allocations(fy.year()).await?.iter().map(|a| a.amount).sum();
        let inst = Instance {
            pool: pool - allocated,
            proposals: proposals
                .iter()
                .map(|p| {
                    let mine: Vec<(String, i64)> =
                        scores.iter().filter(|s| s.0 == p.id).map(|s| (s.1.clone(), s.2)).collect();
                    Proposal {
                        id: p.id.to_string(),
                        min: p.min_amount,
                        max: p.requested,
                        value_per_yen: weighted(rules, &mine) / p.requested as f64,
                    }
                })
                .collect(),
            constraints: vec![],
        };
        let inst = Instance { constraints: self.plan_constraints(fy, round.id, &proposals).await?, ..inst };
        // A time limit, so a hard instance answers with its best plan and gap rather than hanging.
        let opts = Options { analyse, time_limit: Some(std::time::Duration::from_secs(20)) };
        // The solver is CPU-bound (seconds at tens of thousands of proposals): it runs on a
        // blocking thread so that the server keeps answering other requests meanwhile.
        let solved = tokio::task::spawn_blocking(move || solve(&inst, opts))
            .await
            .map_err(|e| ServiceError::Internal(anyhow::anyhow!("the optimiser's thread failed: {e}")))?;
        let plan = solved.map_err(|e| match e {
            OptimiseError::Invalid { field, ja, en } => bad(&field, ja, en),
            OptimiseError::Infeasible { constraint, ja, en } => {
                ServiceError::Invalid(vec![Problem::new(ProblemCode::Infeasible, Location::field(constraint), ja, en)])
            }
            OptimiseError::Solver(m) => ServiceError::Internal(anyhow::anyhow!(m)),
        })?;
        Ok((plan, proposals))
    }

    /// HQ sets (or with `amount` None removes) a floor or cap on an open round's plan: on the
    /// proposals whose target line is in an integrated project (`project`), has a share in a
    /// disease area (`disease_area`), belongs to a ministry (`ministry`), or that serve a priority
    /// item (`priority_item`).
    pub async fn set_fund_constraint(
        &self,
        actor: &Actor,
        round_id: i64,
        kind: &str,
        dimension: &str,
        code: &str,
        amount: Option<i64>,
    ) -> ServiceResult<()> {
        actor.check_year(YearAction::DecideFund)?;
        let (round, fy, policy) = self.fund_round_of(round_id).await?;
        if round.kind != "regular" || round.status != "open" {
            return Err(ServiceError::Conflict(format!(
                "調整費の回 {round_id} は決定済みです / round {round_id} is decided"
            )));
        }
        if !matches!(kind, "floor" | "cap") {
            return Err(bad("kind", "floor（下限）か cap（上限）です", "the kind is floor or cap"));
        }
        let known = match dimension {
            "project" => policy.resolve(Kind::Project, code),
            "disease_area" => policy.resolve(Kind::DiseaseArea, code),
            "ministry" => policy.resolve(Kind::Ministry, code),
            "priority_item" => policy
                .projects
                .iter()
                .flat_map(|p| &p.priority_items)
                .chain(policy.areas.iter().flat_map(|a| &a.priority_items))
                .find(|i| i.id == code)
                .map(|i| i.id.clone()),
            _ => {
                return Err(bad(
                    "dimension",
                    "対象は project・disease_area・priority_item・ministry です",
                    "the dimension is project, disease_area, priority_item or ministry",
                ));
            }
        };
        let Some(code) = known else {
            return Err(bad("code", format!("{dimension} に {code} はありません"), format!("no {dimension} {code}")));
        };
        if amount.is_some_and(|a| !(0..=haibun_domain::optimise::MAX_AMOUNT).contains(&a)) {
            return Err(bad("amount", "金額は0円以上です", "the amount must be 0 yen or more"));
        }
        let row = haibun_store::RoundConstraintRow {
            round_id,
            kind: kind.into(),
            dimension: dimension.into(),
            code: code.clone(),
            amount: amount.unwrap_or(0),
        };
        let mut tx = self.store.begin().await?;
        super::still_open(&mut tx, round_id).await?;
        tx.set_fund_round_constraint(&row, amount, &actor.name, &now()).await?;
        tx.append_event(&event(
            actor,
            "fund.constraint",
            format!("FY{}/fund/round/{round_id}", fy.year()),
            Some(fy),
            None,
            Some(json!({"kind": kind, "dimension": dimension, "code": code, "amount": amount})),
        ))
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// HQ's floors and caps as the optimiser's group constraints over the round's proposals.
    async fn plan_constraints(
        &self,
        fy: FiscalYear,
        round_id: i64,
        proposals: &[ProposalRow],
    ) -> ServiceResult<Vec<haibun_domain::optimise::Constraint>> {
        let set = self.store.fund_round_constraints(round_id).await?;
        if set.is_empty() {
            return Ok(Vec::new());
        }
        let lines = self.store.lines(fy, None).await?;
        let line_of = |p: &ProposalRow| {
            lines
                .iter()
                .find(|l| l.line.ministry == p.ministry && l.line.line_id.as_str() == p.line_id)
                .map(|l| &l.line)
        };
        Ok(set
            .iter()
            .map(|c| {
                let members = proposals
                    .iter()
                    .filter(|p| match c.dimension.as_str() {
                        "project" => line_of(p).is_some_and(|l| l.project.as_deref() == Some(c.code.as_str())),
                        "disease_area" => line_of(p).is_some_and(|l| {
                            l.disease_areas.as_ref().is_some_and(|d| d.pairs().iter().any(|(k, _)| *k == c.code))
                        }),
                        "ministry" => p.ministry == c.code,
                        _ => p.priority_items.split(';').any(|i| i == c.code),
                    })
                    .map(|p| p.id.to_string())
                    .collect();
                haibun_domain::optimise::Constraint {
                    name: Some(format!("{} {}:{}", c.kind, c.dimension, c.code)),
                    kind: if c.kind == "floor" {
                        haibun_domain::optimise::ConstraintKind::Floor
                    } else {
                        haibun_domain::optimise::ConstraintKind::Cap
                    },
                    members,
                    amount: c.amount,
                }
            })
            .collect())
    }

    /// HQ decides an open round: the plan as it is, or with changes (each with a reason); the
    /// allocations (追加配分) are recorded and the round is closed. The total can never exceed
    /// what remains of the pool.
    ///
    /// `expected`, if given, is the [`plan_digest`] of the plan the decision maker saw; if the plan
    /// has changed since (new proposals, scores or constraints), nothing is decided.
    pub async fn decide_fund(
        &self,
        actor: &Actor,
        round_id: i64,
        changes: &[PlanChange],
        expected: Option<&str>,
    ) -> ServiceResult<Vec<AllocationRow>> {
        actor.check_year(YearAction::DecideFund)?;
        let (round, fy, _) = self.fund_round_of(round_id).await?;
        if round.kind != "regular" || round.status != "open" {
            return Err(ServiceError::Conflict(format!(
                "調整費の回 {round_id} は決定できる状態ではありません / round {round_id} cannot be decided now"
            )));
        }
        let (plan, proposals) = self.round_plan(actor, round_id, false).await?;
        if expected.is_some_and(|e| e != plan_digest(&plan)) {
            return Err(ServiceError::Conflict(
                "配分案が表示後に変わりました。もう一度確認してください / the plan changed since it was shown; review it again".into(),
            ));
        }
        let scored: Vec<i64> = self.store.fund_scores(round_id).await?.into_iter().map(|s| s.0).collect();
        let unscored: Vec<String> =
            proposals.iter().filter(|p| !scored.contains(&p.id)).map(|p| format!("#{}", p.id)).collect();
        if !unscored.is_empty() {
            let list = unscored.join(", ");
            return Err(ServiceError::Conflict(format!(
                "未評価の提案があります: {list} / proposals not scored yet: {list}"
            )));
        }
        let mut amounts: Vec<(ProposalRow, i64, Option<i64>, String)> = proposals
            .into_iter()
            .map(|p| {
                let planned = plan.allocations.get(&p.id.to_string()).copied().unwrap_or(0);
                (p, planned, None, "最適化案どおり / as planned".to_string())
            })
            .collect();
        for c in changes {
            let Some(entry) = amounts.iter_mut().find(|(p, ..)| p.id == c.proposal) else {
                return Err(bad(
                    "proposal",
                    format!("提案 {} はこの回にありません", c.proposal),
                    format!("proposal {} is not in this round", c.proposal),
                ));
            };
            let p = &entry.0;
            if c.amount != 0 && !(p.min_amount..=p.requested).contains(&c.amount) {
                return Err(bad(
                    "amount",
                    format!("提案 {} の配分額は0か {}〜{}円 です", p.id, p.min_amount, p.requested),
                    format!("proposal {}'s amount must be 0 or between {} and {} yen", p.id, p.min_amount, p.requested),
                ));
            }
            let reason = check_text("reason", &c.reason, true)?;
            entry.2 = Some(entry.2.unwrap_or(entry.1));
            entry.1 = c.amount;
            entry.3 = reason;
        }
        let at = now();
        let mut tx = self.store.begin().await?;
        let (pool, allocated) = tx.lock_fund(fy.year()).await?;
        let total = amounts.iter().map(|a| i128::from(a.1)).sum::<i128>();
        let remaining = pool.unwrap_or(0) - allocated;
        if total > i128::from(remaining) {
            return Err(bad(
                "amount",
                format!("配分額の合計（{total}円）が財源の残り（{remaining}円）を超えます"),
                format!("the allocations ({total} yen) exceed what remains of the pool ({remaining} yen)"),
            ));
        }
        if !tx.decide_fund_round(round_id, &actor.name, &at).await? {
            return Err(ServiceError::Conflict(format!(
                "調整費の回 {round_id} は既に決定されました / round {round_id} was decided meanwhile"
            )));
        }
        let mut rows = Vec::new();
        for (p, amount, planned, reason) in amounts.into_iter().filter(|a| a.1 > 0) {
            let mut row = AllocationRow {
                id: 0,
                round_id,
                ministry: p.ministry,
                line_id: p.line_id,
                proposal_id: Some(p.id),
                amount,
                planned,
                reason,
                decided_by: actor.name.clone(),
                decided_at: at.clone(),
            };
            row.id = tx.insert_fund_allocation(fy.year(), &row).await?;
            rows.push(row);
        }
        let changed: Vec<_> =
            changes.iter().map(|c| json!({"proposal": c.proposal, "amount": c.amount, "reason": c.reason})).collect();
        tx.append_event(&event(
            actor,
            "fund.decide",
            format!("FY{}/fund/round/{round_id}", fy.year()),
            Some(fy),
            Some(json!({"status": "open", "plan_objective": plan.objective, "proven_optimal": plan.proven_optimal})),
            Some(json!({"status": "decided", "allocated": total as i64, "changes": changed, "allocations": rows.iter().map(|r| json!({"line": format!("{}/{}", r.ministry, r.line_id), "amount": r.amount})).collect::<Vec<_>>()})),
        ))
        .await?;
        tx.commit().await?;
        Ok(rows)
    }
}
