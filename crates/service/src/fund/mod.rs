//! The adjustment fund (調整費, §3): the pool, regular rounds (AMED PDs' proposals, scoring, the
//! optimiser's plan, HQ's decision) and emergency allocations with their follow-up review.

mod decision;
mod detail;
mod emergency;
mod followup;

pub use decision::plan_digest;
pub use detail::RoundDetail;
pub use emergency::ExecutionPlan;
pub(crate) use emergency::plan_lines;
pub use followup::MAX_ATTACHMENT;

use haibun_domain::fund::{RoundFacts, RoundPhase, expost_due};
use haibun_domain::policy::{FundRules, Kind, Policy};
use haibun_domain::problem::{Location, Problem, ProblemCode};
use haibun_domain::workflow::YearAction;
use haibun_domain::{FiscalYear, LineId, Yen};
use haibun_store::{AllocationRow, NewRound, OutcomeRow, ProposalRow, RoundRow};
use serde_json::json;

use crate::cycle::{check_text, event};
use crate::{Actor, Service, ServiceError, ServiceResult, now};

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
    /// What the money is to achieve (checked after the year).
    pub targets: String,
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
    /// Where each round stands, in the order of `rounds`.
    pub phases: Vec<RoundStatus>,
    /// Decided rounds whose ex-post check is past due.
    pub overdue_checks: Vec<i64>,
    /// What the funded lines achieved, as recorded.
    pub outcomes: Vec<OutcomeRow>,
}

/// Where a round stands and when its ex-post check is due.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RoundStatus {
    /// The round.
    pub id: i64,
    /// Its phase.
    pub phase: RoundPhase,
    /// The ex-post check's deadline (decided rounds).
    pub check_due: Option<String>,
}

fn bad(field: &str, ja: impl Into<String>, en: impl Into<String>) -> ServiceError {
    ServiceError::Invalid(vec![Problem::new(ProblemCode::InvalidArgument, Location::field(field), ja, en)])
}

/// Refuses, inside the transaction about to write, a round that is no longer open (a decision
/// may have closed it since it was first read).
async fn still_open(tx: &mut haibun_store::Tx, round: i64) -> ServiceResult<()> {
    if tx.lock_fund_round(round).await?.as_deref() == Some("open") {
        Ok(())
    } else {
        Err(ServiceError::Conflict(format!("調整費の回 {round} は決定済みです / round {round} is decided")))
    }
}

/// Whether there are proposals and each is scored on every criterion.
fn all_scored(rules: &FundRules, proposals: &[ProposalRow], scores: &[(i64, String, i64)]) -> bool {
    !proposals.is_empty()
        && proposals.iter().all(|p| rules.criteria.iter().all(|c| scores.iter().any(|s| s.0 == p.id && s.1 == c.code)))
}

fn rules(policy: &Policy) -> ServiceResult<&FundRules> {
    policy.adjustment_fund.as_ref().ok_or_else(|| {
        ServiceError::not_found(
            "この年度の方針には調整費の定めがありません",
            "this year's policy sets no adjustment-fund rules",
        )
    })
}

impl Service {
    async fn fund_round_of(&self, id: i64) -> ServiceResult<(RoundRow, FiscalYear, std::sync::Arc<Policy>)> {
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
        rules(&*self.policy(fy).await?)?;
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
        rules(&*self.policy(fy).await?)?;
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
        let targets = check_text("targets", &p.targets, true)?;
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
            targets,
            proposed_by: actor.name.clone(),
            proposed_at: at.clone(),
        };
        let mut tx = self.store.begin().await?;
        still_open(&mut tx, round_id).await?;
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
        if scores.is_empty() {
            return Err(bad("score", "点数が一つもありません", "no score given"));
        }
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
        still_open(&mut tx, p.round_id).await?;
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

    /// Whether a round has proposals and each is scored on every criterion of the policy.
    async fn fully_scored(&self, round_id: i64, fy: FiscalYear) -> ServiceResult<bool> {
        let policy = self.policy(fy).await?;
        let Some(rules) = policy.adjustment_fund.as_ref() else { return Ok(false) };
        let proposals = self.store.fund_proposals(round_id).await?;
        let scores = self.store.fund_scores(round_id).await?;
        Ok(all_scored(rules, &proposals, &scores))
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
        let due = self.policy(fy).await?.adjustment_fund.as_ref().map(|r| expost_due(fy, r.expost_check_days));
        let mut phases = Vec::with_capacity(rounds.len());
        for r in &rounds {
            let fully_scored =
                if r.kind == "regular" && r.status == "open" { self.fully_scored(r.id, fy).await? } else { false };
            let phase = RoundPhase::of(RoundFacts {
                emergency: r.kind == "emergency",
                decided: r.status == "decided",
                fully_scored,
                reviewed: r.reviewed_at.is_some(),
                checked: r.checked_at.is_some(),
            });
            let check_due = (r.status == "decided").then(|| due.clone()).flatten();
            phases.push(RoundStatus { id: r.id, phase, check_due });
        }
        let overdue_checks = phases
            .iter()
            .filter(|p| p.phase != RoundPhase::Checked && p.check_due.as_deref().is_some_and(|d| d < today))
            .map(|p| p.id)
            .collect();
        let outcomes = self.store.fund_outcomes(fy.year()).await?;
        Ok(FundState {
            phases,
            overdue_checks,
            outcomes,
            pool: pool.map(Yen),
            allocated: Yen(allocated),
            remaining: Yen(pool.unwrap_or(0) - allocated),
            rounds,
            allocations,
            overdue_reviews,
        })
    }
}
