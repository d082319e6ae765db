//! Charts drawn as SVG on the server: requests by ministry stacked by integrated project, the
//! project × disease-area matrix as a heat map, and request against prior year by project.
//! Geometry is integer arithmetic on exact yen; colours come from CSS classes on the design tokens.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use haibun_domain::compile::NONE;
use haibun_domain::policy::Kind;
use haibun_domain::{FiscalYear, Yen};

use crate::AppState;
use crate::error::page_error;
use crate::pages::{Chrome, render};
use crate::session::Viewer;

pub(crate) const WIDTH: i64 = 640;
pub(crate) const BAR: i64 = 28;
pub(crate) const LABEL: i64 = 190;

/// A rectangle to draw, with its class and a title for screen readers and tooltips.
pub struct Rect {
    pub(crate) x: i64,
    pub(crate) y: i64,
    pub(crate) w: i64,
    pub(crate) h: i64,
    pub(crate) class: String,
    pub(crate) title: String,
}

/// A text label.
pub struct Label {
    pub(crate) x: i64,
    pub(crate) y: i64,
    pub(crate) text: String,
    pub(crate) anchor: &'static str,
}

/// One chart: its size, shapes and labels.
pub struct Chart {
    pub(crate) title: String,
    pub(crate) height: i64,
    pub(crate) rects: Vec<Rect>,
    pub(crate) labels: Vec<Label>,
    pub(crate) legend: Vec<(String, String)>,
}

impl Chart {
    /// The chart's values for the table shown beside the drawing (its text alternative): one
    /// (what, value) row per shape, from the shape's title "what: value" (or "what value").
    pub fn rows(&self) -> Vec<(&str, &str)> {
        self.rects
            .iter()
            .map(|r| r.title.rsplit_once(": ").or_else(|| r.title.rsplit_once(' ')).unwrap_or((r.title.as_str(), "")))
            .collect()
    }
}

#[derive(Template)]
#[template(path = "charts.html")]
struct ChartsPage {
    c: Chrome,
    fy: FiscalYear,
    charts: Vec<Chart>,
}

/// Scales `v` of `max` to `span` pixels (0 when max is 0).
fn scale(v: Yen, max: Yen, span: i64) -> i64 {
    if max.get() <= 0 { 0 } else { (i128::from(v.get()) * i128::from(span) / i128::from(max.get())) as i64 }
}

/// GET the charts page.
pub async fn page(State(st): State<AppState>, v: Viewer, Path(fy): Path<i64>) -> Response {
    let Ok(fy) = FiscalYear::try_from(fy) else { return StatusCode::NOT_FOUND.into_response() };
    let (comp, policy) = match async {
        Ok::<_, haibun_service::ServiceError>((st.svc.compile(&v.actor, fy).await?, st.svc.policy(fy).await?))
    }
    .await
    {
        Ok(r) => r,
        Err(e) => return page_error(e, v.lang),
    };
    let c = Chrome::of(&v, format!("/years/{}/charts", fy.year()));
    let mut projects: Vec<String> = policy.codes(Kind::Project).into_iter().map(str::to_string).collect();
    projects.push(NONE.into());
    let project_class = |p: &str| format!("p{}", projects.iter().position(|x| x == p).unwrap_or(6));
    let project_label = |p: &str| {
        if p == NONE {
            "（統合プロジェクト外）".to_string()
        } else {
            policy.label_ja(Kind::Project, p).to_string()
        }
    };
    let unit = c.unit_label();

    // 1. Requests by ministry, stacked by integrated project.
    let ministries: Vec<&str> = comp.by_ministry.iter().map(|r| r.key.as_str()).collect();
    let max = comp.by_ministry.iter().map(|r| r.amounts.request).max().unwrap_or_default();
    let mut stacked = Chart {
        title: c
            .t("府省別の要求額（統合プロジェクト別の積み上げ）", "Requests by ministry, stacked by integrated project")
            .into(),
        height: 0,
        rects: Vec::new(),
        labels: Vec::new(),
        legend: Vec::new(),
    };
    for (i, m) in ministries.iter().enumerate() {
        let y = 10 + i as i64 * (BAR + 10);
        stacked.labels.push(Label {
            x: LABEL - 8,
            y: y + BAR / 2 + 5,
            text: format!("{m} {}", policy.label_ja(Kind::Ministry, m)),
            anchor: "end",
        });
        let mut x = LABEL;
        for row in comp.by_ministry_project.iter().filter(|r| r.ministry == *m) {
            let w = scale(row.amounts.request, max, WIDTH - LABEL - 70);
            stacked.rects.push(Rect {
                x,
                y,
                w,
                h: BAR,
                class: project_class(&row.project),
                title: format!("{m} · {}: {} {unit}", project_label(&row.project), c.yen(row.amounts.request)),
            });
            x += w;
        }
        let total = comp.by_ministry.iter().find(|r| r.key == *m).map(|r| r.amounts.request).unwrap_or_default();
        stacked.labels.push(Label { x: x + 6, y: y + BAR / 2 + 5, text: c.yen(total), anchor: "start" });
    }
    stacked.height = 20 + ministries.len() as i64 * (BAR + 10);
    stacked.legend = projects.iter().map(|p| (project_class(p), project_label(p))).collect();

    // 2. Project × disease area, as a heat map of requests.
    let areas: Vec<String> = policy
        .codes(Kind::DiseaseArea)
        .into_iter()
        .map(str::to_string)
        .chain(std::iter::once("UNASSIGNED".to_string()))
        .collect();
    let cell_w = (WIDTH - LABEL) / areas.len() as i64;
    let hmax = comp.by_project_disease_area.iter().map(|r| r.amounts.request).max().unwrap_or_default();
    let mut heat = Chart {
        title: c.t("統合プロジェクト × 疾患領域（要求額）", "Integrated project × disease area (requests)").into(),
        height: 0,
        rects: Vec::new(),
        labels: Vec::new(),
        legend: Vec::new(),
    };
    for (j, a) in areas.iter().enumerate() {
        let name =
            if a == "UNASSIGNED" { "未設定".to_string() } else { policy.label_ja(Kind::DiseaseArea, a).to_string() };
        // Alternate rows for the column names, so long ones do not run into each other.
        heat.labels.push(Label {
            x: LABEL + j as i64 * cell_w + cell_w / 2,
            y: if j % 2 == 0 { 14 } else { 30 },
            text: name,
            anchor: "middle",
        });
    }
    for (i, p) in projects.iter().enumerate() {
        let y = 40 + i as i64 * BAR;
        heat.labels.push(Label { x: LABEL - 8, y: y + BAR / 2 + 5, text: project_label(p), anchor: "end" });
        for (j, a) in areas.iter().enumerate() {
            let v = comp
                .by_project_disease_area
                .iter()
                .find(|r| &r.project == p && &r.disease_area == a)
                .map(|r| r.amounts.request)
                .unwrap_or_default();
            let level = if v.get() == 0 { 0 } else { 1 + scale(v, hmax, 3).min(3) };
            heat.rects.push(Rect {
                x: LABEL + j as i64 * cell_w,
                y,
                w: cell_w - 2,
                h: BAR - 2,
                class: format!("h{level}"),
                title: format!("{} × {a}: {} {unit}", project_label(p), c.yen(v)),
            });
        }
    }
    heat.height = 50 + projects.len() as i64 * BAR;
    heat.legend =
        (0..5).map(|l| (format!("h{l}"), ["0", "〜25%", "〜50%", "〜75%", "〜100%"][l].to_string())).collect();

    // 3. Request against prior year, by project.
    let pmax = comp.by_project.iter().map(|r| r.amounts.request.max(r.amounts.prior_year)).max().unwrap_or_default();
    let mut versus = Chart {
        title: c.t("統合プロジェクト別 前年度と要求額", "Prior year and request by integrated project").into(),
        height: 0,
        rects: Vec::new(),
        labels: Vec::new(),
        legend: Vec::new(),
    };
    let ordered = projects.iter().filter_map(|p| comp.by_project.iter().find(|r| &r.key == p));
    for (i, r) in ordered.enumerate() {
        let y = 10 + i as i64 * (BAR + 14);
        versus.labels.push(Label { x: LABEL - 8, y: y + BAR / 2 + 5, text: project_label(&r.key), anchor: "end" });
        let wp = scale(r.amounts.prior_year, pmax, WIDTH - LABEL - 70);
        let wr = scale(r.amounts.request, pmax, WIDTH - LABEL - 70);
        versus.rects.push(Rect {
            x: LABEL,
            y,
            w: wp,
            h: BAR / 2 - 1,
            class: "prior".into(),
            title: format!(
                "{}: {} {} {unit}",
                project_label(&r.key),
                c.t("前年度", "prior year"),
                c.yen(r.amounts.prior_year)
            ),
        });
        versus.rects.push(Rect {
            x: LABEL,
            y: y + BAR / 2,
            w: wr,
            h: BAR / 2 - 1,
            class: "request".into(),
            title: format!(
                "{}: {} {} {unit}",
                project_label(&r.key),
                c.t("要求額", "request"),
                c.yen(r.amounts.request)
            ),
        });
        versus.labels.push(Label {
            x: LABEL + wr.max(wp) + 6,
            y: y + BAR / 2 + 5,
            text: c.yen(r.amounts.request),
            anchor: "start",
        });
    }
    versus.height = 20 + comp.by_project.len() as i64 * (BAR + 14);
    versus.legend =
        vec![("prior".into(), c.t("前年度", "Prior year").into()), ("request".into(), c.t("要求額", "Request").into())];

    render(&ChartsPage { c, fy, charts: vec![stacked, heat, versus] })
}
