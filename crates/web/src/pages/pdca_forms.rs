//! PDCA's forms: a measure, a follow-up round, the next year; a KPI's actual, a measure's
//! evaluation, a line's action, closing a round; a ministry's response on a line. Every post
//! carries the CSRF token; every decision is the service's.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{Redirect, Response};
use haibun_domain::FiscalYear;
use haibun_service::{KpiInput, MeasureInput, ServiceError};

use super::{csrf_ok, field, fields, guarded};
use crate::AppState;
use crate::error::page_error;
use crate::session::Viewer;

fn to(path: String) -> Response {
    axum::response::IntoResponse::into_response(Redirect::to(&path))
}

fn measures_of(fy: FiscalYear) -> Response {
    to(format!("/years/{}/measures", fy.year()))
}

fn round_page(id: i64) -> Response {
    to(format!("/followup/{id}"))
}

/// The Cabinet Office or HQ adds a measure.
pub(super) async fn add_measure(State(st): State<AppState>, v: Viewer, Path(fy): Path<i64>, body: Bytes) -> Response {
    let f = fields(&body);
    let fy = match guarded(&v, field(&f, "csrf"), fy) {
        Ok(fy) => fy,
        Err(r) => return r,
    };
    let m = MeasureInput {
        code: field(&f, "code").into(),
        name: field(&f, "name").into(),
        project: field(&f, "project").into(),
    };
    match st.svc.add_measure(&v.actor, fy, &m).await {
        Ok(()) => measures_of(fy),
        Err(e) => page_error(e, v.lang),
    }
}

/// The Cabinet Office opens a follow-up round.
pub(super) async fn open_round(State(st): State<AppState>, v: Viewer, Path(fy): Path<i64>, body: Bytes) -> Response {
    let f = fields(&body);
    let fy = match guarded(&v, field(&f, "csrf"), fy) {
        Ok(fy) => fy,
        Err(r) => return r,
    };
    match st
        .svc
        .open_followup(&v.actor, fy, field(&f, "title"), field(&f, "report_due"), field(&f, "evaluation_due"))
        .await
    {
        Ok(id) => round_page(id),
        Err(e) => page_error(e, v.lang),
    }
}

/// HQ opens the next year from this one.
pub(super) async fn open_next(State(st): State<AppState>, v: Viewer, Path(fy): Path<i64>, body: Bytes) -> Response {
    let f = fields(&body);
    let from = match guarded(&v, field(&f, "csrf"), fy) {
        Ok(fy) => fy,
        Err(r) => return r,
    };
    let next = match FiscalYear::try_from(from.year() + 1) {
        Ok(n) => n,
        Err(e) => return page_error(ServiceError::not_found(e.to_string(), e.to_string()), v.lang),
    };
    match st.svc.open_year(&v.actor, next, from).await {
        Ok(_) => measures_of(next),
        Err(e) => page_error(e, v.lang),
    }
}

/// A year typed in a form: digits (full-width too).
fn year_field(raw: &str) -> Result<i64, ServiceError> {
    haibun_domain::text::normalize(raw).parse::<i64>().map_err(|_| {
        ServiceError::invalid(
            haibun_domain::ProblemCode::NotANumber,
            "year",
            "年度が数ではありません",
            "the year is not a number",
        )
    })
}

/// A ministry reports a KPI's actual.
pub(super) async fn report(State(st): State<AppState>, v: Viewer, Path(id): Path<i64>, body: Bytes) -> Response {
    let f = fields(&body);
    if let Err(r) = csrf_ok(&v, field(&f, "csrf")) {
        return r;
    }
    let result = match year_field(field(&f, "year")) {
        Ok(year) => {
            st.svc
                .report_actual(
                    &v.actor,
                    id,
                    field(&f, "kpi"),
                    year,
                    field(&f, "value"),
                    field(&f, "source"),
                    field(&f, "comment"),
                )
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => round_page(id),
        Err(e) => page_error(e, v.lang),
    }
}

/// The Cabinet Office evaluates a measure.
pub(super) async fn evaluate(State(st): State<AppState>, v: Viewer, Path(id): Path<i64>, body: Bytes) -> Response {
    let f = fields(&body);
    if let Err(r) = csrf_ok(&v, field(&f, "csrf")) {
        return r;
    }
    match st
        .svc
        .evaluate_measure(&v.actor, id, field(&f, "measure"), field(&f, "evaluation"), field(&f, "reason"))
        .await
    {
        Ok(()) => round_page(id),
        Err(e) => page_error(e, v.lang),
    }
}

/// HQ records a line's action; the amount may be written with a leading △ or - for a decrease.
pub(super) async fn action(State(st): State<AppState>, v: Viewer, Path(id): Path<i64>, body: Bytes) -> Response {
    let f = fields(&body);
    if let Err(r) = csrf_ok(&v, field(&f, "csrf")) {
        return r;
    }
    let amount =
        haibun_domain::money::parse_signed_amount(field(&f, "amount"), haibun_domain::Unit::Yen).map_err(|e| {
            let (ja, en) = e.message();
            ServiceError::invalid(haibun_domain::ProblemCode::NotANumber, "amount", ja, en)
        });
    let result = match amount {
        Ok(a) => {
            st.svc
                .record_line_action(
                    &v.actor,
                    id,
                    field(&f, "ministry"),
                    field(&f, "line"),
                    field(&f, "action"),
                    a,
                    field(&f, "reason"),
                )
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => round_page(id),
        Err(e) => page_error(e, v.lang),
    }
}

/// The Cabinet Office closes a round.
pub(super) async fn close(State(st): State<AppState>, v: Viewer, Path(id): Path<i64>, body: Bytes) -> Response {
    let f = fields(&body);
    if let Err(r) = csrf_ok(&v, field(&f, "csrf")) {
        return r;
    }
    match st.svc.close_followup(&v.actor, id).await {
        Ok(()) => round_page(id),
        Err(e) => page_error(e, v.lang),
    }
}

/// A ministry states its response on a line to last year's follow-up.
pub(super) async fn respond(
    State(st): State<AppState>,
    v: Viewer,
    Path((fy, ministry, line)): Path<(i64, String, String)>,
    body: Bytes,
) -> Response {
    let f = fields(&body);
    let fy = match guarded(&v, field(&f, "csrf"), fy) {
        Ok(fy) => fy,
        Err(r) => return r,
    };
    match st.svc.respond_to_followup(&v.actor, fy, &ministry, &line, field(&f, "response")).await {
        Ok(()) => to(format!("/years/{}/packages/{ministry}/lines/{line}#followup", fy.year())),
        Err(e) => page_error(e, v.lang),
    }
}

/// The Cabinet Office or HQ adds a KPI to a measure; targets as `YEAR=VALUE;YEAR=VALUE`.
pub(super) async fn add_kpi(
    State(st): State<AppState>,
    v: Viewer,
    Path((fy, measure)): Path<(i64, String)>,
    body: Bytes,
) -> Response {
    let f = fields(&body);
    let fy = match guarded(&v, field(&f, "csrf"), fy) {
        Ok(fy) => fy,
        Err(r) => return r,
    };
    let parsed = async {
        let mut targets = Vec::new();
        for t in field(&f, "targets").split([';', '；']).map(str::trim).filter(|t| !t.is_empty()) {
            let (y, val) = t.split_once(['=', '＝']).ok_or_else(|| {
                ServiceError::invalid(
                    haibun_domain::ProblemCode::InvalidArgument,
                    "targets",
                    format!("目標「{t}」は 年度=値 で書きます"),
                    format!("write the target \"{t}\" as YEAR=VALUE"),
                )
            })?;
            targets.push((year_field(y)?, val.trim().to_string()));
        }
        let baseline = match (field(&f, "baseline").trim(), field(&f, "baseline_year").trim()) {
            ("", "") => None,
            (b, y) => Some((b.to_string(), year_field(y)?)),
        };
        let k = KpiInput {
            code: field(&f, "code").into(),
            measure: measure.clone(),
            ministry: field(&f, "ministry").into(),
            kind: field(&f, "kind").into(),
            indicator: field(&f, "indicator").into(),
            unit: field(&f, "unit").into(),
            direction: field(&f, "direction").into(),
            source: field(&f, "source").into(),
            baseline,
            targets,
        };
        st.svc.add_kpi(&v.actor, fy, &k).await
    };
    match parsed.await {
        Ok(()) => to(format!("/years/{}/measures/{measure}", fy.year())),
        Err(e) => page_error(e, v.lang),
    }
}

/// A ministry links one of its lines to a measure (or one of its KPIs).
pub(super) async fn link_line(
    State(st): State<AppState>,
    v: Viewer,
    Path((fy, measure)): Path<(i64, String)>,
    body: Bytes,
) -> Response {
    let f = fields(&body);
    let fy = match guarded(&v, field(&f, "csrf"), fy) {
        Ok(fy) => fy,
        Err(r) => return r,
    };
    let ministry = v.actor.ministry.clone().unwrap_or_default();
    let kpi = Some(field(&f, "kpi")).filter(|k| !k.trim().is_empty());
    match st.svc.link_line(&v.actor, fy, &ministry, field(&f, "line"), &measure, kpi).await {
        Ok(()) => to(format!("/years/{}/measures/{measure}", fy.year())),
        Err(e) => page_error(e, v.lang),
    }
}
