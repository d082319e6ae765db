//! The adjustment fund (調整費, §3): the pool, regular rounds (AMED PDs' proposals, scoring, the
//! optimiser's plan, HQ's decision) and emergency allocations with their follow-up review.

use haibun_domain::optimise::{Instance, OptimiseError, Options, Plan, Proposal, solve};
use haibun_domain::policy::{FundRules, Kind, Policy};
use haibun_domain::problem::{Location, Problem, ProblemCode};
use haibun_domain::workflow::YearAction;
use haibun_domain::{FiscalYear, LineId, Yen};
use haibun_store::{AllocationRow, NewRound, ProposalRow, RoundRow};
use serde_json::json;

use crate::cycle::{check_text, event};
use crate::{Actor, Service, ServiceError, ServiceResult, now, today};

/// What an AMED PD proposes.
#[derive(Debug, Clone, Default)]
pub struct ProposalInput {
    /// The target line's ministry (code or name).
    pub ministry: String,
    /// The target line (an `AMED` line).
    pub line_id: String,
    /// Yen requested.
    pub requested: i64,
    /// The least useful amount (= requested for all-or-nothing).
    pub min: i64,
    /// Why.
    pub rationale: String,
    /// Progress evidence.
    pub evidence: String,
    /// Research needs.
    pub needs: String,
    /// Urgency.
    pub urgency: String,
    /// Priority item ids served.
    pub priority_items: Vec<String>,
}

/// A change HQ makes to the plan when deciding, with its reason.
#[derive(Debug, Clone)]
pub struct PlanChange {
    /// The proposal.
    pub proposal: i64,
    /// Yen (0: not funded).
    pub amount: i64,
    /// Why.
    pub reason: String,
}

/// The fund of a year: pool, what is allocated, rounds and allocations, overdue reviews.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FundState {
    /// The pool, if set.
    pub pool: Option<Yen>,
    /// Allocated so far.
    pub allocated: Yen,
    /// What remains.
    pub remaining: Yen,
    /// The rounds.
    pub rounds: Vec<RoundRow>,
    /// The allocations.
    pub allocations: Vec<AllocationRow>,
    /// Emergency rounds whose review is past due.
    pub overdue_reviews: Vec<i64>,
}

fn bad(field: &str, ja: impl Into<String>, en: impl Into<String>) -> ServiceError {
    ServiceError::Invalid(vec![Problem::new(ProblemCode::InvalidArgument, Location::field(field), ja, en)])
}

fn rules(policy: &Policy) -> ServiceResult<&FundRules> {
    policy.adjustment_fund.as_ref().ok_or_else(|| {
        ServiceError::not_found(
            "この年度の方針には調整費の定めがありません",
            "this year's policy sets no adjustment-fund rules",
        )
    })
}

/// A decided round's execution plan (実行計画), ready to write as a workbook or a page.
#[derive(Debug, Clone)]
pub struct ExecutionPlan {
    /// The title.
    pub title: String,
    /// The cover's lines.
    pub cover: Vec<(String, String)>,
    /// The funded lines, and the amounts by project.
    pub tables: Vec<haibun_domain::book::Table>,
    /// The unit.
    pub unit: haibun_domain::book::ReportUnit,
    /// The footer.
    pub footer: String,
}

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
    async fn fund_round_of(&self, id: i64) -> ServiceResult<(RoundRow, FiscalYear, Policy)> {
        self.store.ensure_initialised().await?;
        let round = self.store.fund_round(id).await?.ok_or_else(|| {
            ServiceError::not_found(format!("調整費の回 {id} はありません"), format!("no adjustment-fund round {id}"))
        })?;
        let fy = FiscalYear::try_from(round.fiscal_year).map_err(|e| ServiceError::Internal(anyhow::anyhow!(e)))?;
        let policy = self.policy(fy).await?;
        Ok((round, fy, policy))
    }

    /// The target line of a proposal or an emergency allocation: it must exist and be an `AMED` line.
    async fn fund_target(
        &self,
        fy: FiscalYear,
        policy: &Policy,
        ministry: &str,
        line_id: &str,
    ) -> ServiceResult<(String, String)> {
        let ministry = Self::ministry_code(policy, ministry)?;
        let id = LineId::parse(line_id).ok_or_else(|| bad("line", "事業番号が不正です", "the line id is malformed"))?;
        let line = self.store.lines(fy, Some(&ministry)).await?.into_iter().find(|l| l.line.line_id == id).ok_or_else(
            || bad("line", format!("{ministry} の事業 {id} はありません"), format!("{ministry} has no line {id}")),
        )?;
        if line.line.channel != "AMED" {
            return Err(bad(
                "line",
                format!(
                    "調整費はAMED対象経費の事業にのみ配分できます（{id} の区分: {}）",
                    policy.label_ja(Kind::Channel, &line.line.channel)
                ),
                format!("the adjustment fund goes only to AMED lines ({id} is {})", line.line.channel),
            ));
        }
        Ok((ministry, id.to_string()))
    }

    /// Sets the year's pool (HQ). It cannot fall below what is already allocated.
    pub async fn set_fund_pool(&self, actor: &Actor, fy: FiscalYear, pool: Yen) -> ServiceResult<()> {
        actor.check_year(YearAction::SetFundPool)?;
        rules(&self.policy(fy).await?)?;
        if pool.get() < 0 || pool.get() > haibun_domain::optimise::MAX_AMOUNT {
            return Err(bad("pool", "財源は0以上です", "the pool must be 0 or more"));
        }
        let mut tx = self.store.begin().await?;
        let (_, allocated) = tx.lock_fund(fy.year()).await?;
        if pool.get() < allocated {
            return Err(ServiceError::Conflict(format!(
                "既に {allocated}円 を配分済みです。財源をそれ未満にはできません / {allocated} yen is already allocated; the pool cannot be less"
            )));
        }
        let before = tx.set_fund_pool(fy.year(), pool.get(), &actor.name, &now()).await?;
        tx.append_event(&event(
            actor,
            "fund.pool",
            format!("FY{}/fund", fy.year()),
            Some(fy),
            before.map(|b| json!({"pool": b})),
            Some(json!({"pool": pool})),
        ))
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Opens a regular round: `president` (理事長裁量型) or `top-down` (トップダウン型).
    pub async fn open_fund_round(
        &self,
        actor: &Actor,
        fy: FiscalYear,
        round_type: &str,
        title: &str,
    ) -> ServiceResult<i64> {
        actor.check_year(YearAction::OpenFundRound)?;
        rules(&self.policy(fy).await?)?;
        if !matches!(round_type, "president" | "top-down") {
            return Err(bad(
                "type",
                "種類は president（理事長裁量型）か top-down（トップダウン型）です",
                "the type is president or top-down",
            ));
        }
        let title = check_text("title", title, true)?;
        let title = title.as_str();
        let at = now();
        let mut tx = self.store.begin().await?;
        let r = NewRound {
            fiscal_year: fy.year(),
            kind: "regular",
            round_type,
            title,
            reason: "",
            by: &actor.name,
            at: &at,
        };
        let id = tx.insert_fund_round(&r, None).await?;
        tx.append_event(&event(
            actor,
            "fund.round.open",
            format!("FY{}/fund/round/{id}", fy.year()),
            Some(fy),
            None,
            Some(json!({"type": round_type, "title": title})),
        ))
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// An AMED PD's proposal to an open regular round. Refused, writing nothing, if the target is
    /// not an `AMED` line, the amounts are not 0 < min ≤ requested, or a priority item is unknown.
    pub async fn propose_fund(&self, actor: &Actor, round_id: i64, p: &ProposalInput) -> ServiceResult<i64> {
        actor.check_year(YearAction::ProposeFund)?;
        let (round, fy, policy) = self.fund_round_of(round_id).await?;
        if round.kind != "regular" || round.status != "open" {
            return Err(ServiceError::Conflict(format!(
                "調整費の回 {round_id} は提案を受け付けていません / round {round_id} takes no proposals"
            )));
        }
        if p.requested <= 0 || p.requested > haibun_domain::optimise::MAX_AMOUNT {
            return Err(bad("requested", "要求額は1円以上です", "the requested amount must be at least 1 yen"));
        }
        if p.min <= 0 || p.min > p.requested {
            return Err(bad(
                "min",
                format!("最低額（{}）は1円以上で要求額（{}）以下です", p.min, p.requested),
                format!("min ({}) must be between 1 yen and the requested amount ({})", p.min, p.requested),
            ));
        }
        let rationale = check_text("rationale", &p.rationale, true)?;
        let evidence = check_text("evidence", &p.evidence, false)?;
        let needs = check_text("needs", &p.needs, false)?;
        let urgency = check_text("urgency", &p.urgency, false)?;
        let items: Vec<&str> = policy
            .projects
            .iter()
            .flat_map(|pr| &pr.priority_items)
            .chain(policy.areas.iter().flat_map(|a| &a.priority_items))
            .map(|i| i.id.as_str())
            .collect();
        if let Some(unknown) = p.priority_items.iter().find(|i| !items.contains(&i.as_str())) {
            return Err(bad(
                "priority_items",
                format!("重点項目 {unknown} は方針にありません"),
                format!("no priority item {unknown} in the policy"),
            ));
        }
        let (ministry, line_id) = self.fund_target(fy, &policy, &p.ministry, &p.line_id).await?;
        let at = now();
        let row = ProposalRow {
            id: 0,
            round_id,
            ministry,
            line_id,
            requested: p.requested,
            min_amount: p.min,
            rationale,
            evidence,
            needs,
            urgency,
            priority_items: p.priority_items.join(";"),
            proposed_by: actor.name.clone(),
            proposed_at: at.clone(),
        };
        let mut tx = self.store.begin().await?;
        let id = tx.insert_fund_proposal(&row).await?;
        tx.append_event(&event(
            actor,
            "fund.propose",
            format!("FY{}/fund/round/{round_id}/proposal/{id}", fy.year()),
            Some(fy),
            None,
            Some(json!({"line": format!("{}/{}", row.ministry, row.line_id), "requested": row.requested, "min": row.min_amount})),
        ))
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Scores a proposal on the policy's criteria (0..=score_max each).
    pub async fn score_fund(&self, actor: &Actor, proposal: i64, scores: &[(String, i64)]) -> ServiceResult<()> {
        actor.check_year(YearAction::ScoreFund)?;
        self.store.ensure_initialised().await?;
        let p = self.store.fund_proposal(proposal).await?.ok_or_else(|| {
            ServiceError::not_found(format!("提案 {proposal} はありません"), format!("no proposal {proposal}"))
        })?;
        let (round, fy, policy) = self.fund_round_of(p.round_id).await?;
        if round.status != "open" {
            return Err(ServiceError::Conflict(format!(
                "調整費の回 {} は決定済みです / round {} is decided",
                round.id, round.id
            )));
        }
        let rules = rules(&policy)?;
        for (c, s) in scores {
            if !rules.criteria.iter().any(|k| k.code == *c) {
                return Err(bad(
                    "criterion",
                    format!("評価項目 {c} は方針にありません"),
                    format!("no criterion {c} in the policy"),
                ));
            }
            if !(0..=i64::from(rules.score_max)).contains(s) {
                return Err(bad(
                    c,
                    format!("点数は0〜{}です", rules.score_max),
                    format!("scores run from 0 to {}", rules.score_max),
                ));
            }
        }
        let at = now();
        let mut tx = self.store.begin().await?;
        for (c, s) in scores {
            tx.set_fund_score(proposal, c, *s, &actor.name, &at).await?;
        }
        tx.append_event(&event(
            actor,
            "fund.score",
            format!("FY{}/fund/proposal/{proposal}", fy.year()),
            Some(fy),
            None,
            Some(json!({"scores": scores})),
        ))
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The optimiser's plan for an open round: the proposals, valued by their weighted scores,
    /// within what remains of the pool. Proven optimal, with binding constraints, marginal values
    /// and the pool sweep.
    pub async fn fund_plan(&self, actor: &Actor, round_id: i64) -> ServiceResult<(Plan, Vec<ProposalRow>)> {
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
        let opts = Options { analyse: true, time_limit: Some(std::time::Duration::from_secs(20)) };
        let plan = solve(&inst, opts).map_err(|e| match e {
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
        let (plan, proposals) = self.fund_plan(actor, round_id).await?;
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
        let plan_lines: Vec<haibun_domain::book::PlanLine> = allocations
            .iter()
            .map(|a| {
                let line = lines.iter().find(|l| l.line.ministry == a.ministry && l.line.line_id.as_str() == a.line_id);
                haibun_domain::book::PlanLine {
                    ministry: a.ministry.clone(),
                    line_id: a.line_id.clone(),
                    name: line.map(|l| l.line.name.clone()).unwrap_or_default(),
                    project: line.and_then(|l| l.line.project.clone()),
                    proposal: a.proposal_id,
                    amount: Yen(a.amount),
                    reason: a.reason.clone(),
                }
            })
            .collect();
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

    /// The fund of a year as of `today`.
    pub async fn fund_state(&self, actor: &Actor, fy: FiscalYear, today: &str) -> ServiceResult<FundState> {
        actor.check_read(None)?;
        self.policy(fy).await?;
        let pool = self.store.fund_pool(fy.year()).await?;
        let rounds = self.store.fund_rounds(fy.year()).await?;
        let allocations = self.store.fund_allocations(fy.year()).await?;
        let allocated: i64 = allocations.iter().map(|a| a.amount).sum();
        let overdue_reviews = rounds
            .iter()
            .filter(|r| {
                r.kind == "emergency" && r.reviewed_at.is_none() && r.review_due.as_deref().is_some_and(|d| d < today)
            })
            .map(|r| r.id)
            .collect();
        Ok(FundState {
            pool: pool.map(Yen),
            allocated: Yen(allocated),
            remaining: Yen(pool.unwrap_or(0) - allocated),
            rounds,
            allocations,
            overdue_reviews,
        })
    }
}
