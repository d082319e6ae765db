//! PDCA (§6) pages: the year's measures as a matrix by integrated project coloured by their
//! evaluation, with the follow-up rounds; a measure with its KPIs' trends (target against
//! actual) and logic model drawn as SVG, and the lines serving it with their money; a follow-up
//! round with the forms to report, evaluate, record actions and close it.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use haibun_domain::pdca::{Evaluation, KpiKind};
use haibun_domain::workflow::{Role, YearAction};
use haibun_domain::{FiscalYear, Yen};
use haibun_service::{FollowupRoundRow, FollowupView, KpiView, MeasureView, ServiceError};

use super::*;
use crate::AppState;
use crate::error::page_error;
use crate::session::Viewer;

/// A measure in the matrix: its code, name and evaluation (the latest round's).
struct Cell {
    code: String,
    name: String,
    evaluation: Option<Evaluation>,
}

#[derive(Template)]
#[template(path = "measures.html")]
struct MeasuresPage {
    c: Chrome,
    fy: FiscalYear,
    /// (project or area code, its label, its measures).
    matrix: Vec<(String, String, Vec<Cell>)>,
    rounds: Vec<(FollowupRoundRow, bool)>,
    /// Project and area codes a measure may belong to.
    projects: Vec<(String, String)>,
    can_define: bool,
    can_open_round: bool,
    can_open_year: bool,
}

pub(super) async fn measures(State(st): State<AppState>, v: Viewer, Path(fy): Path<i64>) -> Response {
    let fy = match fy_of(fy, v.lang) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let result = async {
        let policy = st.svc.policy(fy).await?;
        let rounds = st.svc.followup_rounds(Some(fy)).await?;
        // The latest round's evaluations colour the matrix.
        let measures = match rounds.last() {
            Some(r) => st.svc.followup(&v.actor, r.id).await?.measures,
            None => st.svc.measures(&v.actor, fy).await?,
        };
        Ok::<_, ServiceError>((policy, rounds, measures))
    };
    let (policy, rounds, measures) = match result.await {
        Ok(r) => r,
        Err(e) => return page_error(e, v.lang),
    };
    let mut projects: Vec<(String, String)> = policy
        .codes(haibun_domain::policy::Kind::Project)
        .into_iter()
        .map(|p| (p.to_string(), policy.label_ja(haibun_domain::policy::Kind::Project, p).to_string()))
        .collect();
    projects.extend(policy.areas.iter().map(|a| (a.code.clone(), a.name_ja.clone())));
    let matrix = projects
        .iter()
        .filter_map(|(code, label)| {
            let cells: Vec<Cell> = measures
                .iter()
                .filter(|m| m.measure.project == *code)
                .map(|m| Cell {
                    code: m.measure.code.clone(),
                    name: m.measure.name.clone(),
                    evaluation: m.evaluation.as_ref().and_then(|e| Evaluation::parse(&e.evaluation)),
                })
                .collect();
            (!cells.is_empty()).then(|| (code.clone(), label.clone(), cells))
        })
        .collect();
    let today = haibun_service::today();
    let rounds = rounds
        .into_iter()
        .map(|r| {
            let late = r.status == "open" && today.as_str() > r.report_due.as_str();
            (r, late)
        })
        .collect();
    render(&MeasuresPage {
        c: Chrome::of(&v, format!("/years/{}/measures", fy.year())),
        fy,
        matrix,
        rounds,
        projects,
        can_define: may(&v, YearAction::DefineMeasures),
        can_open_round: may(&v, YearAction::OpenFollowup),
        can_open_year: may(&v, YearAction::OpenYear),
    })
}

/// A KPI's trend: target and actual by year as SVG points.
pub(crate) struct Trend {
    /// Width and height of the drawing.
    pub height: i64,
    /// Year labels: (x, year).
    pub years: Vec<(i64, i64)>,
    /// Target points: (x, y, value).
    pub target: Vec<(i64, i64, String)>,
    /// Actual points: (x, y, value).
    pub actual: Vec<(i64, i64, String)>,
    /// The value range shown: (low, high) labels.
    pub range: (String, String),
}

impl Trend {
    /// The SVG `points` of a series.
    pub fn points(series: &[(i64, i64, String)]) -> String {
        series.iter().map(|(x, y, _)| format!("{x},{y}")).collect::<Vec<_>>().join(" ")
    }
}

const TREND_W: i64 = 480;
const TREND_H: i64 = 150;

/// Draws a KPI's targets and actuals (the round's, or none). Values are exact decimals; the
/// drawing only needs their position, so it reads them as floating point.
fn trend(k: &KpiView) -> Trend {
    let num = |s: &str| s.parse::<f64>().ok();
    let mut years: Vec<i64> = k.targets.iter().map(|t| t.target_year).collect();
    years.extend(k.actuals.iter().map(|a| a.actual.actual_year));
    years.sort_unstable();
    years.dedup();
    let mut values: Vec<f64> = k.targets.iter().filter_map(|t| num(&t.value)).collect();
    values.extend(k.actuals.iter().filter_map(|a| num(&a.actual.value)));
    values.extend(k.kpi.baseline.as_deref().and_then(num));
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min).min(0.0);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max).max(lo + 1.0);
    let (left, right, top, bottom) = (60, 20, 10, 30);
    let x = |year: i64| {
        let i = years.iter().position(|y| *y == year).unwrap_or(0) as i64;
        let n = (years.len() as i64 - 1).max(1);
        left + i * (TREND_W - left - right) / n
    };
    let y = |v: f64| top + ((hi - v) / (hi - lo) * (TREND_H - top - bottom) as f64).round() as i64;
    Trend {
        height: TREND_H,
        years: years.iter().map(|yr| (x(*yr), *yr)).collect(),
        target: k.targets.iter().filter_map(|t| Some((x(t.target_year), y(num(&t.value)?), t.value.clone()))).collect(),
        actual: k
            .actuals
            .iter()
            .filter_map(|a| Some((x(a.actual.actual_year), y(num(&a.actual.value)?), a.actual.value.clone())))
            .collect(),
        range: (format!("{lo}"), format!("{hi}")),
    }
}

/// The logic model as boxes in columns (activity → output → outcome) with arrows.
pub(crate) struct Model {
    pub width: i64,
    pub height: i64,
    /// (x, y, code, indicator).
    pub boxes: Vec<(i64, i64, String, String)>,
    /// (x1, y1, x2, y2).
    pub arrows: Vec<(i64, i64, i64, i64)>,
    /// Column headings: (x, label ja, label en).
    pub columns: Vec<(i64, &'static str, &'static str)>,
}

const BOX_W: i64 = 170;
const BOX_H: i64 = 44;

fn model(m: &MeasureView) -> Model {
    let rank = |k: &str| KpiKind::parse(k).and_then(|k| KpiKind::ALL.iter().position(|x| *x == k)).unwrap_or(0);
    let mut ranks: Vec<usize> = m.kpis.iter().map(|k| rank(&k.kpi.kind)).collect();
    ranks.sort_unstable();
    ranks.dedup();
    let col = |r: usize| ranks.iter().position(|x| *x == r).unwrap_or(0) as i64;
    let mut rows = vec![0i64; ranks.len()];
    let mut at = std::collections::BTreeMap::new();
    let mut boxes = Vec::new();
    for k in &m.kpis {
        let c = col(rank(&k.kpi.kind));
        let (x, y) = (10 + c * (BOX_W + 50), 30 + rows[c as usize] * (BOX_H + 16));
        rows[c as usize] += 1;
        at.insert(k.kpi.code.clone(), (x, y));
        let short: String = k.kpi.indicator.chars().take(14).collect();
        boxes.push((x, y, k.kpi.code.clone(), short));
    }
    let arrows = m
        .links
        .iter()
        .filter_map(|l| {
            let (a, b) = (at.get(&l.from_kpi)?, at.get(&l.to_kpi)?);
            Some((a.0 + BOX_W, a.1 + BOX_H / 2, b.0 - 4, b.1 + BOX_H / 2))
        })
        .collect();
    let columns = ranks
        .iter()
        .map(|r| {
            let k = KpiKind::ALL[*r];
            (10 + col(*r) * (BOX_W + 50), k.name_ja(), k.name())
        })
        .collect();
    Model {
        width: 10 + ranks.len().max(1) as i64 * (BOX_W + 50),
        height: 40 + rows.iter().copied().max().unwrap_or(1) * (BOX_H + 16),
        boxes,
        arrows,
        columns,
    }
}

/// A line serving a measure: (ministry, line, name, KPI, request, latest execution).
type ServingLine = (String, String, String, String, Yen, Option<(i64, Yen, String)>);

#[derive(Template)]
#[template(path = "measure.html")]
struct MeasurePage {
    c: Chrome,
    fy: FiscalYear,
    m: MeasureView,
    round: Option<FollowupRoundRow>,
    trends: Vec<(KpiView, Trend)>,
    model: Model,
    /// Lines serving it: (ministry, line, name, KPI, request, and the latest execution the RS
    /// 2-1 files report: (budget year, executed, rate)).
    lines: Vec<ServingLine>,
    /// The viewer may add KPIs (Cabinet Office, HQ).
    can_define: bool,
    /// The viewer's own lines it may link to the measure (a ministry's): (id, name).
    own_lines: Vec<(String, String)>,
    /// Ministry codes, for a KPI's reporting ministry.
    ministries: Vec<String>,
}

pub(super) async fn measure(State(st): State<AppState>, v: Viewer, Path((fy, code)): Path<(i64, String)>) -> Response {
    let fy = match fy_of(fy, v.lang) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let result = async {
        let round = st.svc.followup_rounds(Some(fy)).await?.pop();
        let measures = match &round {
            Some(r) => st.svc.followup(&v.actor, r.id).await?.measures,
            None => st.svc.measures(&v.actor, fy).await?,
        };
        let m = measures.into_iter().find(|m| m.measure.code == code).ok_or_else(|| {
            ServiceError::not_found(format!("施策 {code} はありません"), format!("no measure {code}"))
        })?;
        let all = st.svc.lines(&v.actor, fy, None).await?;
        let policy = st.svc.policy(fy).await?;
        Ok::<_, ServiceError>((round, m, all, policy))
    };
    let (round, m, all, policy) = match result.await {
        Ok(r) => r,
        Err(e) => return page_error(e, v.lang),
    };
    let mut lines = Vec::new();
    for l in &m.lines {
        let Some(line) = all.iter().find(|x| x.ministry == l.ministry && x.line_id.as_str() == l.line_id) else {
            continue;
        };
        let executed = match st.svc.line_rs_budget(&v.actor, fy, &l.ministry, &l.line_id).await {
            Ok(rows) => rows
                .into_iter()
                .rev()
                .find_map(|r| r.executed.map(|e| (r.budget_year, Yen(e), r.execution_rate.unwrap_or_default()))),
            Err(e) => return page_error(e, v.lang),
        };
        lines.push((l.ministry.clone(), l.line_id.clone(), line.name.clone(), l.kpi.clone(), line.request, executed));
    }
    let trends = m.kpis.iter().map(|k| (k.clone(), trend(k))).collect();
    let own_lines = match (v.actor.role, &v.actor.ministry) {
        (Role::Ministry, Some(own)) => {
            all.iter().filter(|l| l.ministry == *own).map(|l| (l.line_id.to_string(), l.name.clone())).collect()
        }
        _ => Vec::new(),
    };
    render(&MeasurePage {
        c: Chrome::of(&v, format!("/years/{}/measures/{}", fy.year(), m.measure.code)),
        fy,
        model: model(&m),
        trends,
        lines,
        round,
        m,
        can_define: may(&v, YearAction::DefineMeasures),
        own_lines,
        ministries: policy.codes(haibun_domain::policy::Kind::Ministry).into_iter().map(str::to_string).collect(),
    })
}

#[derive(Template)]
#[template(path = "followup.html")]
struct FollowupPage {
    c: Chrome,
    fy: FiscalYear,
    f: FollowupView,
    reports_late: bool,
    evaluations_late: bool,
    /// The viewer's ministry (reports its KPIs), or every ministry for the administrator.
    reporter: Option<String>,
    can_evaluate: bool,
    can_act: bool,
}

pub(super) async fn followup(State(st): State<AppState>, v: Viewer, Path(id): Path<i64>) -> Response {
    let f = match st.svc.followup(&v.actor, id).await {
        Ok(f) => f,
        Err(e) => return page_error(e, v.lang),
    };
    let Ok(fy) = FiscalYear::try_from(f.round.fiscal_year) else {
        return page_error(ServiceError::not_found("年度が不正です", "bad year"), v.lang);
    };
    let today = haibun_service::today();
    let open = f.round.status == "open";
    render(&FollowupPage {
        c: Chrome::of(&v, format!("/followup/{id}")),
        fy,
        reports_late: open && !f.unreported.is_empty() && today.as_str() > f.round.report_due.as_str(),
        evaluations_late: open && !f.unevaluated.is_empty() && today.as_str() > f.round.evaluation_due.as_str(),
        reporter: match v.actor.role {
            Role::Ministry => v.actor.ministry.clone(),
            Role::Admin => Some("*".into()),
            _ => None,
        },
        can_evaluate: open && may(&v, YearAction::EvaluateMeasure),
        can_act: open && may(&v, YearAction::RecordLineAction),
        f,
    })
}

/// The CSS class of an evaluation.
pub(crate) fn eval_class(e: &Option<Evaluation>) -> &'static str {
    match e {
        Some(Evaluation::Achieved) => "eval-achieved",
        Some(Evaluation::OnTrack) => "eval-on-track",
        Some(Evaluation::Delayed) => "eval-delayed",
        Some(Evaluation::CannotEvaluate) => "eval-cannot",
        None => "eval-none",
    }
}
