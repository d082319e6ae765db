//! The machine's review on the web: the year's findings and money by priority item, the overlap
//! candidates with the Cabinet Office's decision form, and the findings shown on package and
//! line pages (a ministry sees its own before it submits).

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use haibun_domain::FiscalYear;
use haibun_domain::policy::Severity;
use haibun_domain::review::{Finding, ItemMoney};
use haibun_domain::workflow::YearAction;
use haibun_service::{OverlapView, ServiceError};

use super::*;
use crate::AppState;
use crate::error::page_error;
use crate::session::Viewer;

/// A finding as a row: its severity's class and names, where it is, what it says.
pub struct FindingView {
    /// `error`, `warning` or `info` (the CSS class and the data attribute).
    pub severity: &'static str,
    /// 誤り / 注意 / 参考.
    pub severity_ja: &'static str,
    /// The check's code.
    pub code: String,
    /// MINISTRY/LINE, or empty for the year.
    pub at: String,
    /// The line's page, if the finding is about a line.
    pub link: Option<String>,
    /// The field's key.
    pub field: String,
    /// The message, Japanese.
    pub message_ja: String,
    /// The message, English.
    pub message_en: String,
    /// The phrases behind it.
    pub phrases: String,
}

impl FindingView {
    fn of(fy: FiscalYear, f: &Finding) -> FindingView {
        let (severity, severity_ja) = (f.severity.name(), f.severity.name_ja());
        let (at, link) = match (&f.ministry, &f.line_id) {
            (Some(m), Some(l)) => (format!("{m}/{l}"), Some(format!("/years/{}/packages/{m}/lines/{l}", fy.year()))),
            _ => (String::new(), None),
        };
        FindingView {
            severity,
            severity_ja,
            code: f.code.clone(),
            at,
            link,
            field: f.field.clone().unwrap_or_default(),
            message_ja: f.message_ja.clone(),
            message_en: f.message_en.clone(),
            phrases: if f.phrases.is_empty() { String::new() } else { format!("「{}」", f.phrases.join("」「")) },
        }
    }
}

/// The findings on `ministry`'s lines (or one `line` of it), as rows.
pub(crate) async fn findings_for(
    st: &AppState,
    v: &Viewer,
    fy: FiscalYear,
    ministry: &str,
    line: Option<&str>,
) -> Result<Vec<FindingView>, ServiceError> {
    let r = st.svc.review(&v.actor, fy, Some(ministry)).await?;
    Ok(r.review
        .findings
        .iter()
        .filter(|f| line.is_none_or(|l| f.line_id.as_deref() == Some(l)))
        .map(|f| FindingView::of(fy, f))
        .collect())
}

#[derive(Template)]
#[template(path = "check.html")]
struct CheckPage {
    c: Chrome,
    fy: FiscalYear,
    findings: Vec<FindingView>,
    counts: (usize, usize, usize),
    items: Vec<ItemMoney>,
    regen: (haibun_domain::Yen, haibun_domain::Yen),
    evaluated: Vec<String>,
    not_evaluated: Vec<(String, String)>,
    overlaps: usize,
}

/// The year's review.
pub(super) async fn check(State(st): State<AppState>, v: Viewer, Path(fy): Path<i64>) -> Response {
    let fy = match fy_of(fy, v.lang) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let r = match st.svc.review(&v.actor, fy, None).await {
        Ok(r) => r,
        Err(e) => return page_error(e, v.lang),
    };
    let count = |s: Severity| r.review.findings.iter().filter(|f| f.severity == s).count();
    render(&CheckPage {
        c: Chrome::of(&v, format!("/years/{}/check", fy.year())),
        fy,
        counts: (count(Severity::Error), count(Severity::Warning), count(Severity::Info)),
        findings: r.review.findings.iter().map(|f| FindingView::of(fy, f)).collect(),
        items: r.review.items.iter().filter(|i| i.lines > 0).cloned().collect(),
        regen: r.review.regen,
        evaluated: r.review.evaluated.clone(),
        not_evaluated: r.review.not_evaluated.clone(),
        overlaps: r.overlaps.len(),
    })
}

#[derive(Template)]
#[template(path = "overlaps.html")]
struct OverlapsPage {
    c: Chrome,
    fy: FiscalYear,
    overlaps: Vec<OverlapView>,
    can_decide: bool,
}

/// The overlap candidates, with the Cabinet Office's decision form.
pub(super) async fn overlaps(State(st): State<AppState>, v: Viewer, Path(fy): Path<i64>) -> Response {
    let fy = match fy_of(fy, v.lang) {
        Ok(f) => f,
        Err(r) => return r,
    };
    match st.svc.review(&v.actor, fy, None).await {
        Ok(r) => render(&OverlapsPage {
            c: Chrome::of(&v, format!("/years/{}/overlaps", fy.year())),
            fy,
            overlaps: r.overlaps,
            can_decide: YearAction::ConfirmOverlap.roles().contains(&v.actor.role),
        }),
        Err(e) => page_error(e, v.lang),
    }
}

/// The Cabinet Office confirms a candidate: `a` and `b` as MINISTRY/LINE, the decision, a note.
pub(super) async fn decide_overlap(
    State(st): State<AppState>,
    v: Viewer,
    Path(fy): Path<i64>,
    body: Bytes,
) -> Response {
    let f: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let get = |k: &str| f.iter().find(|(n, _)| n == k).map_or("", |(_, v)| v.as_str());
    let fy = match guarded(&v, get("csrf"), fy) {
        Ok(fy) => fy,
        Err(r) => return r,
    };
    let (Some(a), Some(b)) = (get("a").split_once('/'), get("b").split_once('/')) else {
        return page_error(ServiceError::not_found("候補の指定が不正です", "the pair is malformed"), v.lang);
    };
    match st.svc.decide_overlap(&v.actor, fy, a, b, get("decision"), get("note")).await {
        Ok(()) => Redirect::to(&format!("/years/{}/overlaps", fy.year())).into_response(),
        Err(e) => page_error(e, v.lang),
    }
}
