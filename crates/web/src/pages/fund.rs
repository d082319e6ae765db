//! The adjustment fund (調整費): the year's pool, rounds and allocations, overdue reviews; a
//! round's proposals and the optimiser's plan with its value against the pool; HQ's decision.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use haibun_domain::optimise::Plan;
use haibun_domain::workflow::{Role, YearAction};
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
}

pub(super) async fn fund(State(st): State<AppState>, v: Viewer, Path(fy): Path<i64>) -> Response {
    let fy = match fy_of(fy, v.lang) {
        Ok(f) => f,
        Err(r) => return r,
    };
    match st.svc.fund_state(&v.actor, fy, &haibun_service::today()).await {
        Ok(state) => render(&FundPage { c: Chrome::of(&v, format!("/years/{}/fund", fy.year())), fy, state }),
        Err(e) => page_error(e, v.lang),
    }
}

/// One point of the value-against-pool chart, in SVG coordinates.
struct Point {
    x: i64,
    y: i64,
    percent: u32,
    objective: String,
}

/// A proposal's row: its target, amounts and what the plan gives it.
struct ProposalView {
    id: i64,
    line: String,
    requested: Yen,
    min: Yen,
    planned: Yen,
    proposed_by: String,
}

#[derive(Template)]
#[template(path = "fund_round.html")]
struct RoundPage {
    c: Chrome,
    fy: FiscalYear,
    round: haibun_service::RoundRow,
    proposals: Vec<ProposalView>,
    plan: Option<Plan>,
    plan_error: Option<String>,
    points: Vec<Point>,
    polyline: String,
    can_decide: bool,
    digest: String,
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

pub(super) async fn round(State(st): State<AppState>, v: Viewer, Path((fy, id)): Path<(i64, i64)>) -> Response {
    let fy = match fy_of(fy, v.lang) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let state = match st.svc.fund_state(&v.actor, fy, &haibun_service::today()).await {
        Ok(s) => s,
        Err(e) => return page_error(e, v.lang),
    };
    let Some(round) = state.rounds.iter().find(|r| r.id == id).cloned() else {
        return page_error(
            ServiceError::not_found(format!("調整費の回 {id} はありません"), format!("no round {id}")),
            v.lang,
        );
    };
    let (plan, plan_error, proposals) = if round.kind == "regular" && round.status == "open" {
        match st.svc.fund_plan(&v.actor, id).await {
            Ok((plan, proposals)) => (Some(plan), None, proposals),
            Err(e) => (None, Some(e.to_string()), Vec::new()),
        }
    } else {
        (None, None, Vec::new())
    };
    let proposals = proposals
        .into_iter()
        .map(|p| ProposalView {
            id: p.id,
            line: format!("{}/{}", p.ministry, p.line_id),
            requested: Yen(p.requested),
            min: Yen(p.min_amount),
            planned: Yen(plan.as_ref().and_then(|pl| pl.allocations.get(&p.id.to_string()).copied()).unwrap_or(0)),
            proposed_by: p.proposed_by,
        })
        .collect();
    let (points, polyline) = plan.as_ref().map(chart).unwrap_or_default();
    let can_decide =
        YearAction::DecideFund.roles().contains(&v.actor.role) && plan.is_some() && v.actor.role != Role::Viewer;
    let digest = plan.as_ref().map(haibun_service::plan_digest).unwrap_or_default();
    render(&RoundPage {
        c: Chrome::of(&v, format!("/years/{}/fund/rounds/{id}", fy.year())),
        fy,
        round,
        proposals,
        plan,
        plan_error,
        points,
        polyline,
        can_decide,
        digest,
    })
}

#[derive(serde::Deserialize)]
pub(super) struct DecideForm {
    csrf: String,
    /// The digest of the plan shown.
    digest: String,
}

/// HQ adopts the plan as it stands (changes with reasons are made with `haibun fund decide`).
pub(super) async fn decide(
    State(st): State<AppState>,
    v: Viewer,
    Path((fy, id)): Path<(i64, i64)>,
    Form(f): Form<DecideForm>,
) -> Response {
    let fy = match guarded(&v, &f.csrf, fy) {
        Ok(f) => f,
        Err(r) => return r,
    };
    // The round must belong to the year in the address.
    match st.svc.fund_state(&v.actor, fy, &haibun_service::today()).await {
        Ok(state) if state.rounds.iter().any(|r| r.id == id) => {}
        Ok(_) => {
            return page_error(
                ServiceError::not_found(format!("調整費の回 {id} はありません"), format!("no round {id}")),
                v.lang,
            );
        }
        Err(e) => return page_error(e, v.lang),
    }
    match st.svc.decide_fund(&v.actor, id, &[], Some(&f.digest)).await {
        Ok(_) => Redirect::to(&format!("/years/{}/fund", fy.year())).into_response(),
        Err(e) => page_error(e, v.lang),
    }
}
