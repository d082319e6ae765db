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
        let c: Compilation = match q.snapshot {
            Some(id) => st.svc.snapshot_compilation(fy, Some(id)).await?.1,
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
        let csv = haibun_sheets::compilation_csv(&comp);
        return (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"compilation.csv\""),
            ],
            csv,
        )
            .into_response();
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
