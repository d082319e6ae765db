//! Evidence to priorities (§4): the evidence page (the ranked candidates with what each
//! indicator gave, SVG charts of money shares, publication shares and the index, every area's
//! indicators with their inputs, the weights and the sources), the report as a workbook or a
//! printable page, and the policy page where a draft's priority items cite candidates.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};

use axum::response::{IntoResponse, Redirect, Response};
use haibun_domain::evidence::report::{AreaEvidence, Candidate, Dimension, Table};
use haibun_domain::workflow::YearAction;
use haibun_domain::{FiscalYear, Policy};
use haibun_service::{CitationRow, EvidenceSource, EvidenceView, ServiceError};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Deserialize;

use super::*;
use crate::AppState;
use crate::charts::{BAR, Chart, LABEL, Label, Rect, WIDTH};
use crate::error::page_error;
use crate::session::Viewer;

#[derive(Template)]
#[template(path = "evidence.html")]
struct EvidencePage {
    c: Chrome,
    fy: FiscalYear,
    view: EvidenceView,
    charts: Vec<Chart>,
    can_import: bool,
    tables: &'static [Table],
}

impl EvidencePage {
    fn candidates(&self, d: &Dimension) -> Vec<&Candidate> {
        self.view.report.candidates.iter().filter(|c| c.dimension == *d).collect()
    }

    fn areas(&self, d: &Dimension) -> Vec<&AreaEvidence> {
        self.view.report.areas.iter().filter(|a| a.money.dimension == *d).collect()
    }

    fn indicator(&self, code: &str) -> String {
        let w = self.view.report.weights.iter().find(|w| w.code == code);
        w.map_or(code.to_string(), |w| self.c.t(&w.name_ja, &w.name_en).to_string())
    }

    fn shown(&self, v: &Option<Decimal>) -> String {
        haibun_service::evidence_shown(*v)
    }

    fn shown_f(&self, v: &Option<f64>) -> String {
        haibun_service::evidence_shown_f(*v)
    }
}

fn px(v: Option<Decimal>, max: f64, span: i64) -> i64 {
    let v = v.and_then(|d| d.to_f64()).unwrap_or(0.0).max(0.0);
    if max <= 0.0 { 0 } else { (v / max * span as f64).round() as i64 }
}

/// Paired bars per disease area: two values each, as (label, first, second).
fn paired(title: String, rows: Vec<(String, Option<Decimal>, Option<Decimal>)>, keys: [(String, &str); 2]) -> Chart {
    let max =
        rows.iter().flat_map(|(_, a, b)| [*a, *b]).filter_map(|v| v.and_then(|d| d.to_f64())).fold(0.0_f64, f64::max);
    let span = WIDTH - LABEL - 60;
    let mut chart = Chart {
        title,
        height: rows.len() as i64 * (BAR + 12) + 10,
        rects: Vec::new(),
        labels: Vec::new(),
        legend: keys.iter().map(|(label, class)| (class.to_string(), label.clone())).collect(),
    };
    for (i, (label, a, b)) in rows.into_iter().enumerate() {
        let y = 5 + i as i64 * (BAR + 12);
        chart.labels.push(Label { x: LABEL - 6, y: y + BAR / 2 + 4, text: label.clone(), anchor: "end" });
        for (j, v) in [a, b].into_iter().enumerate() {
            let (yy, w) = (y + j as i64 * (BAR / 2), px(v, max, span));
            let shown = haibun_service::evidence_shown(v);
            chart.rects.push(Rect {
                x: LABEL,
                y: yy,
                w,
                h: BAR / 2 - 1,
                class: keys[j].1.into(),
                title: format!("{label} {}: {shown}", keys[j].0),
            });
            chart.labels.push(Label { x: LABEL + w + 4, y: yy + BAR / 2 - 4, text: shown, anchor: "start" });
        }
    }
    chart
}

/// Each candidate's index as a bar stacked by what each indicator gave.
fn index_chart(view: &EvidenceView, title: String, dimension: Dimension) -> Chart {
    let codes: Vec<&str> = view.report.weights.iter().map(|w| w.code.as_str()).collect();
    let cands: Vec<&Candidate> = view.report.candidates.iter().filter(|c| c.dimension == dimension).collect();
    let span = WIDTH - LABEL - 60;
    let mut chart = Chart {
        title,
        height: cands.len() as i64 * (BAR + 6) + 10,
        rects: Vec::new(),
        labels: Vec::new(),
        legend: view.report.weights.iter().enumerate().map(|(i, w)| (format!("p{i}"), w.name_ja.clone())).collect(),
    };
    for (i, c) in cands.iter().enumerate() {
        let y = 5 + i as i64 * (BAR + 6);
        chart.labels.push(Label {
            x: LABEL - 6,
            y: y + BAR / 2 + 4,
            text: format!("{}. {}", c.rank, c.name_ja),
            anchor: "end",
        });
        let mut x = LABEL;
        for (k, code) in codes.iter().enumerate() {
            let v = c.contributions.get(*code).copied().unwrap_or(0.0);
            let w = (v / 100.0 * span as f64).round() as i64;
            if w > 0 {
                chart.rects.push(Rect {
                    x,
                    y,
                    w,
                    h: BAR,
                    class: format!("p{k}"),
                    title: format!("{} {code} {v:.1}", c.name_ja),
                });
            }
            x += w;
        }
        chart.labels.push(Label { x: x + 4, y: y + BAR / 2 + 4, text: format!("{:.1}", c.index), anchor: "start" });
    }
    chart
}

fn charts(view: &EvidenceView, c: &Chrome) -> Vec<Chart> {
    let disease: Vec<&AreaEvidence> =
        view.report.areas.iter().filter(|a| a.money.dimension == Dimension::DiseaseArea).collect();
    let money = disease.iter().map(|a| (a.money.name_ja.clone(), a.japan_share_pct, a.overseas_share_pct)).collect();
    let papers = disease
        .iter()
        .map(|a| {
            let first = a.publications.first().and_then(|p| p.japan_share_pct);
            let last = a.publications.last().and_then(|p| p.japan_share_pct);
            (a.money.name_ja.clone(), first, last)
        })
        .collect();
    let (from, to) =
        view.report.window.map_or(("—".to_string(), "—".to_string()), |(a, b)| (a.to_string(), b.to_string()));
    vec![
        index_chart(
            view,
            c.t("優先度指数と指標の寄与（疾患領域）", "Priority index and what each indicator gave (disease areas)")
                .into(),
            Dimension::DiseaseArea,
        ),
        paired(
            c.t(
                "研究費の割合：日本（今年度要求）と海外（%）",
                "Share of money: Japan (this year's requests) and overseas (%)",
            )
            .into(),
            money,
            [(c.t("日本", "Japan").into(), "p0"), (c.t("海外", "overseas").into(), "p1")],
        ),
        paired(
            c.t("日本の論文シェアの推移（%）", "Japan's share of the world's papers (%)").into(),
            papers,
            [(from, "p2"), (to, "p3")],
        ),
    ]
}

async fn view_of(st: &AppState, v: &Viewer, fy: i64) -> Result<(FiscalYear, EvidenceView), Response> {
    let fy = fy_of(fy, v.lang)?;
    st.svc.evidence_report(&v.actor, fy).await.map(|view| (fy, view)).map_err(|e| page_error(e, v.lang))
}

/// GET the evidence page.
pub(super) async fn page(State(st): State<AppState>, v: Viewer, Path(fy): Path<i64>) -> Response {
    let (fy, view) = match view_of(&st, &v, fy).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let c = Chrome::of(&v, format!("/years/{}/evidence", fy.year()));
    let charts = charts(&view, &c);
    let can_import = may(&v, YearAction::ImportEvidence);
    render(&EvidencePage { c, fy, view, charts, can_import, tables: Table::ALL })
}

/// `?format=xlsx|html`.
#[derive(Deserialize)]
pub(super) struct FormatQuery {
    format: Option<String>,
}

/// GET the report as a workbook or a printable page.
pub(super) async fn report(
    State(st): State<AppState>,
    v: Viewer,
    Path(fy): Path<i64>,
    Query(q): Query<FormatQuery>,
) -> Response {
    let (fy, view) = match view_of(&st, &v, fy).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    super::printable_response(
        &view.printable(),
        q.format.as_deref(),
        &format!("haibun-FY{}-evidence", fy.year()),
        v.lang,
    )
}

/// HQ uploads an evidence table (multipart: csrf, table, source, as_of, licence, file); the
/// service reads it whole or refuses it, located, writing nothing.
pub(super) async fn upload(
    State(st): State<AppState>,
    v: Viewer,
    Path(fy): Path<i64>,
    multipart: Multipart,
) -> Response {
    let fy = match fy_of(fy, v.lang) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let (form, file_name, bytes) = match multipart_form(&v, multipart).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let file_name = if file_name.is_empty() { "upload".to_string() } else { file_name };
    let Some(table) = Table::parse(field(&form, "table")) else {
        let (ja, en) = (
            format!("表は {} のいずれかです", Table::choices()),
            format!("the table must be one of {}", Table::choices()),
        );
        return page_error(ServiceError::invalid(haibun_domain::ProblemCode::InvalidArgument, "table", ja, en), v.lang);
    };
    let source = EvidenceSource {
        source: field(&form, "source").into(),
        as_of: field(&form, "as_of").into(),
        licence: field(&form, "licence").into(),
    };
    match st.svc.import_evidence(&v.actor, fy, table, &source, &file_name, &bytes).await {
        Ok(_) => Redirect::to(&format!("/years/{}/evidence#evidence-sources", fy.year())).into_response(),
        Err(e) => page_error(e, v.lang),
    }
}

/// A priority item with what it cites.
struct Item {
    owner: String,
    id: String,
    text: String,
    cites: Vec<CitationRow>,
}

#[derive(Template)]
#[template(path = "policy.html")]
struct PolicyPage {
    c: Chrome,
    fy: FiscalYear,
    policy: std::sync::Arc<Policy>,
    draft: bool,
    based_on: Option<i64>,
    items: Vec<Item>,
    /// The candidates beside the items (empty when the year has no evidence view for the viewer).
    candidates: Vec<Candidate>,
    /// Why there are no candidates, if there are none.
    no_candidates: Option<String>,
    can_cite: bool,
}

/// GET a year's policy: its priority items with their citations, the candidates beside them,
/// and (for HQ, while the policy is a draft) the forms to cite and withdraw.
pub(super) async fn policy_page(State(st): State<AppState>, v: Viewer, Path(fy): Path<i64>) -> Response {
    let fy = match fy_of(fy, v.lang) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let result = async {
        let policy = st.svc.policy(fy).await?;
        let (status, based_on) = st.svc.policy_status(fy).await?;
        Ok::<_, ServiceError>((policy, status, based_on))
    };
    let (policy, status, based_on) = match result.await {
        Ok(r) => r,
        Err(e) => return page_error(e, v.lang),
    };
    let (cites, candidates, no_candidates) = if may(&v, YearAction::ViewEvidence) {
        let cites = st.svc.policy_citations(&v.actor, fy).await.unwrap_or_default();
        match st.svc.evidence_report(&v.actor, fy).await {
            Ok(view) => (cites, view.report.candidates, None),
            Err(e) => (cites, Vec::new(), Some(e.to_string())),
        }
    } else {
        (
            Vec::new(),
            Vec::new(),
            Some("エビデンスは内閣府と本部が閲覧します / evidence is for the Cabinet Office and HQ".into()),
        )
    };
    let items = policy
        .priority_items()
        .into_iter()
        .map(|(owner, item)| Item {
            owner: owner.to_string(),
            id: item.id.clone(),
            text: item.text_ja.clone(),
            cites: cites.iter().filter(|c| c.item_id == item.id).cloned().collect(),
        })
        .collect();
    let draft = status == "draft";
    let c = Chrome::of(&v, format!("/years/{}/policy", fy.year()));
    let can_cite = draft && may(&v, YearAction::DraftPolicy);
    render(&PolicyPage { c, fy, policy, draft, based_on, items, candidates, no_candidates, can_cite })
}

/// HQ makes a draft's priority item cite a candidate, or withdraws a citation (`undo=1`).
pub(super) async fn cite(State(st): State<AppState>, v: Viewer, Path(fy): Path<i64>, body: Bytes) -> Response {
    let f = fields(&body);
    let fy = match guarded(&v, field(&f, "csrf"), fy) {
        Ok(fy) => fy,
        Err(r) => return r,
    };
    let (item, area) = (field(&f, "item"), field(&f, "area"));
    let done = if field(&f, "undo") == "1" {
        st.svc.uncite_evidence(&v.actor, fy, item, area).await
    } else {
        st.svc.cite_evidence(&v.actor, fy, item, area).await.map(|c| c.item_id)
    };
    match done {
        // Back to the item as the policy writes its id (never the id as typed), encoded.
        Ok(id) => {
            let anchor: String = form_urlencoded::byte_serialize(id.as_bytes()).collect();
            Redirect::to(&format!("/years/{}/policy#item-{anchor}", fy.year())).into_response()
        }
        Err(e) => page_error(e, v.lang),
    }
}
