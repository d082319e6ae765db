//! Importing a filled template, and downloading the blank one.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use haibun_domain::policy::Kind;
use haibun_domain::{FiscalYear, Unit};
use haibun_service::{ImportRequest, ServiceError};
use serde::Deserialize;

use super::*;
use crate::AppState;
use crate::error::page_error;
use crate::session::Viewer;

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    c: Chrome,
    fy: FiscalYear,
    ministries: Vec<(String, String)>,
    report: Option<haibun_service::ImportReport>,
    problems: Vec<haibun_domain::Problem>,
    /// After an import: the check's findings on the ministry's lines.
    findings: Vec<super::review::FindingView>,
    /// After an import: the suggestions left to decide on the ministry's lines.
    proposals: Vec<crate::suggestions::LineRows>,
    /// After an import whose preview could not be made: why (the import itself is stored).
    preview_failed: Option<String>,
}

pub(super) async fn import_form(State(st): State<AppState>, v: Viewer, Path(fy): Path<i64>) -> Response {
    let fy = match fy_of(fy, v.lang) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let ministries = match ministry_choices(&st, &v, fy).await {
        Ok(m) => m,
        Err(e) => return page_error(e, v.lang),
    };
    render(&ImportPage {
        c: Chrome::of(&v, format!("/years/{}/import", fy.year())),
        fy,
        ministries,
        report: None,
        problems: Vec::new(),
        findings: Vec::new(),
        proposals: Vec::new(),
        preview_failed: None,
    })
}

pub(super) async fn ministry_choices(
    st: &AppState,
    v: &Viewer,
    fy: FiscalYear,
) -> Result<Vec<(String, String)>, ServiceError> {
    let policy = st.svc.policy(fy).await?;
    Ok(policy
        .entries(Kind::Ministry)
        .into_iter()
        .filter(|e| v.actor.ministry.as_deref().is_none_or(|m| m == e.code))
        .map(|e| (e.code.to_string(), e.label_ja.to_string()))
        .collect())
}

pub(super) async fn import(
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
    let ministry = field(&form, "ministry").to_string();
    let ministries = match ministry_choices(&st, &v, fy).await {
        Ok(m) => m,
        Err(e) => return page_error(e, v.lang),
    };
    let c = Chrome::of(&v, format!("/years/{}/import", fy.year()));
    match st
        .svc
        .import(
            &v.actor,
            ImportRequest { fiscal_year: fy, ministry: &ministry, file_name: &file_name, bytes: &bytes, unit: None },
        )
        .await
    {
        Ok(report) => {
            let preview = async {
                let findings = super::review::findings_for(&st, &v, fy, &report.ministry, None).await?;
                let proposals = st
                    .svc
                    .year_suggestions(&v.actor, fy, Some(&report.ministry))
                    .await?
                    .into_iter()
                    .map(|p| crate::suggestions::LineRows {
                        rows: crate::suggestions::rows(&p.suggestions),
                        ministry: p.ministry,
                        line_id: p.line_id,
                        name: p.name,
                    })
                    .collect();
                Ok::<_, ServiceError>((findings, proposals))
            };
            // The import is committed: a preview that fails is a notice on the report, not an
            // error page that would hide what was stored.
            let (findings, proposals, preview_failed) = match preview.await {
                Ok((f, p)) => (f, p, None),
                Err(e) => {
                    tracing::warn!(error = %e, "the import preview failed");
                    let crate::error::ApiError(_, body) = crate::error::ApiError::from(e);
                    let message = if v.lang == crate::session::Lang::En { body.message_en } else { body.message_ja };
                    (Vec::new(), Vec::new(), Some(message))
                }
            };
            render(&ImportPage {
                c,
                fy,
                ministries,
                report: Some(report),
                problems: Vec::new(),
                findings,
                proposals,
                preview_failed,
            })
        }
        Err(ServiceError::Invalid(problems)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            render(&ImportPage {
                c,
                fy,
                ministries,
                report: None,
                problems,
                findings: Vec::new(),
                proposals: Vec::new(),
                preview_failed: None,
            }),
        )
            .into_response(),
        Err(e) => page_error(e, v.lang),
    }
}

#[derive(Deserialize)]
pub(super) struct TemplateQuery {
    ministry: Option<String>,
}

pub(super) async fn template(
    State(st): State<AppState>,
    v: Viewer,
    Path(fy): Path<i64>,
    Query(q): Query<TemplateQuery>,
) -> Response {
    let fy = match fy_of(fy, v.lang) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let ministry = q.ministry.or_else(|| v.actor.ministry.clone());
    match st.svc.template(fy, ministry.as_deref(), Unit::ThousandYen).await {
        Ok(bytes) => attachment(XLSX, "requests.xlsx", bytes),
        Err(e) => page_error(e, v.lang),
    }
}
