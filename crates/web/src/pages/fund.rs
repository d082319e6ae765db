//! The adjustment fund (調整費): the year's pool, rounds and allocations, overdue reviews; a
//! round's proposals and the optimiser's plan with its value against the pool; HQ's decision.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use haibun_domain::optimise::Plan;
use haibun_domain::workflow::YearAction;
use haibun_domain::{FiscalYear, Yen};
use haibun_service::{FundState, ServiceError};

use super::*;
use crate::AppState;
use crate::error::page_error;
use crate::session::Viewer;

#[derive(Template)]
#[template(path = "fund.html")]
struct FundPage {
    c: Chrome,
    fy: FiscalYear,
    state: FundState,
    /// Each round with where it stands.
    rounds: Vec<(haibun_service::RoundRow, haibun_service::RoundStatus)>,
    /// The viewer may set the pool, open a round, allocate in an emergency.
    can_pool: bool,
    can_open: bool,
    can_emergency: bool,
    /// The `AMED` lines an emergency allocation may target.
    amed_lines: Vec<(String, String)>,
}

pub(super) async fn fund(State(st): State<AppState>, v: Viewer, Path(fy): Path<i64>) -> Response {
    let fy = match fy_of(fy, v.lang) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let state = match st.svc.fund_state(&v.actor, fy, &haibun_service::today()).await {
        Ok(s) => s,
        Err(e) => return page_error(e, v.lang),
    };
    let can_emergency = may(&v, YearAction::EmergencyFund);
    let amed_lines = if can_emergency {
        match st.svc.lines(&v.actor, fy, None).await {
            Ok(l) => amed_choices(&l),
            Err(e) => return page_error(e, v.lang),
        }
    } else {
        Vec::new()
    };
    let rounds = state.rounds.iter().cloned().zip(state.phases.iter().cloned()).collect();
    render(&FundPage {
        c: Chrome::of(&v, format!("/years/{}/fund", fy.year())),
        fy,
        rounds,
        can_pool: may(&v, YearAction::SetFundPool),
        can_open: may(&v, YearAction::OpenFundRound),
        can_emergency,
        amed_lines,
        state,
    })
}

/// One point of the value-against-pool chart, in SVG coordinates.
struct Point {
    x: i64,
    y: i64,
    percent: u32,
    objective: String,
}

/// A proposal's row: its target, amounts, texts, scores, attachments and what the plan gives it.
struct ProposalView {
    p: haibun_service::ProposalRow,
    line_name: String,
    planned: Yen,
    /// The score on each criterion, in the policy's order (None: not scored yet).
    scores: Vec<(String, Option<i64>)>,
    attachments: Vec<haibun_service::AttachmentRow>,
    /// The viewer proposed it (and so may attach to it).
    mine: bool,
}

/// A funded line of a decided round with its outcome.
struct AllocationView {
    a: haibun_service::AllocationRow,
    outcome: Option<haibun_service::OutcomeRow>,
}

/// What the viewer may do on the round's page (the service decides again on every post).
struct Can {
    propose: bool,
    score: bool,
    decide: bool,
    review: bool,
    outcome: bool,
    check: bool,
}

#[derive(Template)]
#[template(path = "fund_round.html")]
struct RoundPage {
    c: Chrome,
    fy: FiscalYear,
    d: haibun_service::RoundDetail,
    overdue_check: bool,
    proposals: Vec<ProposalView>,
    allocations: Vec<AllocationView>,
    plan: Option<Plan>,
    plan_error: Option<String>,
    points: Vec<Point>,
    polyline: String,
    digest: String,
    can: Can,
    /// The `AMED` lines a proposal may target: (MINISTRY/LINE, label).
    amed_lines: Vec<(String, String)>,
    /// The policy's priority items: (id, text).
    items: Vec<(String, String)>,
}

/// The chart's points: the plan's objective at 80–120 % of the pool, scaled into 600 × 200.
fn chart(plan: &Plan) -> (Vec<Point>, String) {
    let mut raw: Vec<(u32, f64)> = plan.pool_sweep.iter().filter_map(|s| s.objective.map(|o| (s.percent, o))).collect();
    raw.push((100, plan.objective));
    raw.sort_by_key(|r| r.0);
    let top = raw.iter().map(|r| r.1).fold(0.0_f64, f64::max).max(f64::MIN_POSITIVE);
    let points: Vec<Point> = raw
        .iter()
        .map(|(percent, o)| Point {
            x: 40 + (i64::from(*percent) - 80) * 560 / 40,
            y: 210 - (o / top * 190.0) as i64,
            percent: *percent,
            objective: format!("{o:.1}"),
        })
        .collect();
    let polyline = points.iter().map(|p| format!("{},{}", p.x, p.y)).collect::<Vec<_>>().join(" ");
    (points, polyline)
}

/// The `AMED` lines among `lines` as (MINISTRY/LINE, label), the choices of a target line.
fn amed_choices(lines: &[haibun_domain::RequestLine]) -> Vec<(String, String)> {
    lines
        .iter()
        .filter(|l| l.channel == "AMED")
        .map(|l| (format!("{}/{}", l.ministry, l.line_id), format!("{} {} {}", l.ministry, l.line_id, l.name)))
        .collect()
}

pub(super) async fn round(State(st): State<AppState>, v: Viewer, Path((fy, id)): Path<(i64, i64)>) -> Response {
    let fy = match fy_of(fy, v.lang) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let d = match st.svc.fund_round(&v.actor, id).await {
        Ok(d) if d.round.fiscal_year == fy.year() => d,
        Ok(_) => {
            return page_error(
                ServiceError::not_found(format!("調整費の回 {id} はありません"), format!("no round {id}")),
                v.lang,
            );
        }
        Err(e) => return page_error(e, v.lang),
    };
    let open = d.round.kind == "regular" && d.round.status == "open";
    let (plan, plan_error) = if open && !d.proposals.is_empty() {
        match st.svc.fund_plan(&v.actor, id).await {
            Ok((plan, _)) => (Some(plan), None),
            Err(e) => (None, Some(e.to_string())),
        }
    } else {
        (None, None)
    };
    let (lines, policy) = match (st.svc.lines(&v.actor, fy, None).await, st.svc.policy(fy).await) {
        (Ok(l), Ok(p)) => (l, p),
        (Err(e), _) | (_, Err(e)) => return page_error(e, v.lang),
    };
    let proposals = d
        .proposals
        .iter()
        .map(|p| ProposalView {
            line_name: lines
                .iter()
                .find(|l| l.ministry == p.ministry && l.line_id.as_str() == p.line_id)
                .map(|l| l.name.clone())
                .unwrap_or_default(),
            planned: Yen(plan.as_ref().and_then(|pl| pl.allocations.get(&p.id.to_string()).copied()).unwrap_or(0)),
            scores: d
                .criteria
                .iter()
                .map(|c| (c.code.clone(), d.scores.iter().find(|s| s.0 == p.id && s.1 == c.code).map(|s| s.2)))
                .collect(),
            attachments: d.attachments.iter().filter(|a| a.proposal_id == p.id).cloned().collect(),
            mine: p.proposed_by == v.actor.name,
            p: p.clone(),
        })
        .collect();
    let allocations = d
        .allocations
        .iter()
        .map(|a| AllocationView { a: a.clone(), outcome: d.outcomes.iter().find(|o| o.allocation_id == a.id).cloned() })
        .collect();
    let (points, polyline) = plan.as_ref().map(chart).unwrap_or_default();
    let digest = plan.as_ref().map(haibun_service::plan_digest).unwrap_or_default();
    let decided = d.round.status == "decided";
    let unchecked = decided && d.round.checked_at.is_none();
    let can = Can {
        propose: open && may(&v, YearAction::ProposeFund),
        score: open && may(&v, YearAction::ScoreFund),
        decide: open && plan.is_some() && may(&v, YearAction::DecideFund),
        review: d.round.kind == "emergency" && d.round.reviewed_at.is_none() && may(&v, YearAction::ReviewFund),
        outcome: unchecked && may(&v, YearAction::RecordFundOutcome),
        check: unchecked && may(&v, YearAction::CheckFund),
    };
    let today = haibun_service::today();
    let overdue_check = unchecked && d.check_due.as_deref().is_some_and(|due| due < today.as_str());
    let amed_lines = amed_choices(&lines);
    let items = policy
        .projects
        .iter()
        .flat_map(|p| &p.priority_items)
        .chain(policy.areas.iter().flat_map(|a| &a.priority_items))
        .map(|i| (i.id.clone(), if v.lang == crate::session::Lang::En { i.text_en.clone() } else { i.text_ja.clone() }))
        .collect();
    render(&RoundPage {
        c: Chrome::of(&v, format!("/years/{}/fund/rounds/{id}", fy.year())),
        fy,
        d,
        overdue_check,
        proposals,
        allocations,
        plan,
        plan_error,
        points,
        polyline,
        digest,
        can,
        amed_lines,
        items,
    })
}
