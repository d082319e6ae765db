//! The compilation at any stage, and freezing HQ's snapshot.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use haibun_domain::compile::Amounts;
use haibun_domain::policy::Kind;
use haibun_domain::workflow::Role;
use haibun_domain::{Compilation, FiscalYear};
use haibun_service::ServiceError;
use serde::Deserialize;

use super::*;
use crate::AppState;
use crate::error::page_error;
use crate::session::Viewer;

#[derive(Template)]
#[template(path = "compile.html")]
struct CompilePage {
    c: Chrome,
    fy: FiscalYear,
    stage: String,
    snapshot: Option<i64>,
    snapshots: Vec<haibun_service::SnapshotRow>,
    lines: usize,
    total: Amounts,
    tables: Vec<(String, &'static str, Vec<Labelled>)>,
    can_snapshot: bool,
    /// The stages whose book can be downloaded from this view.
    book_stages: Vec<&'static str>,
}

#[derive(Deserialize)]
pub(super) struct CompileQuery {
    snapshot: Option<i64>,
    format: Option<String>,
}

pub(super) async fn compilation(
    State(st): State<AppState>,
    v: Viewer,
    Path(fy): Path<i64>,
    Query(q): Query<CompileQuery>,
) -> Response {
    let fy = match fy_of(fy, v.lang) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let result = async {
        let c: std::sync::Arc<Compilation> = match q.snapshot {
            Some(id) => std::sync::Arc::new(st.svc.snapshot_compilation(fy, Some(id)).await?.1),
            None => st.svc.compile(&v.actor, fy).await?,
        };
        Ok::<_, ServiceError>((c, st.svc.policy(fy).await?, st.svc.snapshots(fy).await?))
    }
    .await;
    let (comp, policy, snapshots) = match result {
        Ok(r) => r,
        Err(e) => return page_error(e, v.lang),
    };
    if q.format.as_deref() == Some("csv") {
        return attachment("text/csv; charset=utf-8", "compilation.csv", haibun_sheets::compilation_csv(&comp));
    }
    let c = Chrome::of(&v, format!("/years/{}/compile", fy.year()));
    let tables = vec![
        (c.t("府省別", "By ministry").to_string(), "ministry", labelled(&policy, Kind::Ministry, &comp.by_ministry)),
        (
            c.t("統合プロジェクト別", "By integrated project").to_string(),
            "project",
            labelled(&policy, Kind::Project, &comp.by_project),
        ),
        (c.t("区分別", "By budget channel").to_string(), "channel", labelled(&policy, Kind::Channel, &comp.by_channel)),
        (
            c.t("疾患領域別（割合で按分）", "By disease area (apportioned)").to_string(),
            "disease_area",
            labelled(&policy, Kind::DiseaseArea, &comp.by_disease_area),
        ),
        (
            c.t("開発目的別（割合で按分）", "By development purpose (apportioned)").to_string(),
            "purpose",
            labelled(&policy, Kind::Purpose, &comp.by_purpose),
        ),
    ];
    let stage = serde_json::to_value(comp.stage).ok().and_then(|s| s.as_str().map(str::to_string)).unwrap_or_default();
    let can_snapshot = matches!(v.actor.role, Role::Hq | Role::Admin) && q.snapshot.is_none();
    let book_stages = match (q.snapshot, comp.stage) {
        (None, _) => vec!["requested"],
        (Some(_), haibun_domain::Stage::Settled) => vec!["settled", "compiled"],
        (Some(_), _) => vec!["compiled"],
    };
    render(&CompilePage {
        c,
        fy,
        stage,
        snapshot: q.snapshot,
        snapshots,
        lines: comp.lines,
        total: comp.total,
        tables,
        can_snapshot,
        book_stages,
    })
}

pub(super) async fn snapshot(
    State(st): State<AppState>,
    v: Viewer,
    Path(fy): Path<i64>,
    Form(f): Form<CsrfForm>,
) -> Response {
    let fy = match guarded(&v, &f.csrf, fy) {
        Ok(f) => f,
        Err(r) => return r,
    };
    match st.svc.compile_snapshot(&v.actor, fy).await {
        Ok(id) => Redirect::to(&format!("/years/{}/compile?snapshot={id}", fy.year())).into_response(),
        Err(e) => page_error(e, v.lang),
    }
}

#[derive(Deserialize)]
pub(super) struct BookQuery {
    stage: Option<String>,
    snapshot: Option<i64>,
    unit: Option<String>,
    format: Option<String>,
}

/// The budget book of a stage as a download: `format` xlsx, csv (a zip of one CSV per table) or
/// html (one printable page).
pub(super) async fn book(
    State(st): State<AppState>,
    v: Viewer,
    Path(fy): Path<i64>,
    Query(q): Query<BookQuery>,
) -> Response {
    let fy = match fy_of(fy, v.lang) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let bad = |ja: &str, en: &str| {
        page_error(ServiceError::invalid(haibun_domain::ProblemCode::InvalidArgument, "query", ja, en), v.lang)
    };
    let stage = match q.stage.as_deref().unwrap_or("requested") {
        "requested" => haibun_domain::Stage::Requested,
        "compiled" => haibun_domain::Stage::Compiled,
        "settled" => haibun_domain::Stage::Settled,
        _ => {
            return bad(
                "段階は requested・compiled・settled のいずれかです",
                "stage must be requested, compiled or settled",
            );
        }
    };
    let unit = match q.unit.as_deref().unwrap_or("million-yen").parse::<haibun_domain::book::ReportUnit>() {
        Ok(u) => u,
        Err(e) => return bad(&e, &e),
    };
    let book = match st.svc.book(&v.actor, fy, stage, q.snapshot, unit).await {
        Ok(b) => b,
        Err(e) => return page_error(e, v.lang),
    };
    let name = format!("haibun-FY{}-{}-book", fy.year(), book.meta.stage_name());
    let (content_type, ext, bytes) = match q.format.as_deref().unwrap_or("xlsx") {
        "xlsx" => match haibun_sheets::book::write_book_xlsx(&book) {
            Ok(b) => (XLSX, "xlsx", b),
            Err(e) => return page_error(ServiceError::Internal(e.into()), v.lang),
        },
        "csv" => ("application/zip", "zip", haibun_sheets::book::book_csv_zip(&book)),
        "html" => {
            let style = haibun_sheets::book::BookStyle::Linked(&["/static/tokens.css", "/static/book.css"]);
            let html = haibun_sheets::book::write_book_html(&book, style);
            return ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response();
        }
        _ => return bad("形式は xlsx・csv・html のいずれかです", "format must be xlsx, csv or html"),
    };
    attachment(content_type, &format!("{name}.{ext}"), bytes)
}
