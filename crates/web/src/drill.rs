//! Drilling down from a compilation cell to the lines behind it.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use haibun_domain::compile::{NONE, UNASSIGNED};
use haibun_domain::{FiscalYear, RequestLine, Shares, Yen};
use serde::Deserialize;

use crate::AppState;
use crate::error::page_error;
use crate::pages::{Chrome, render};
use crate::session::Viewer;

/// Which breakdown, which key, at which stage.
#[derive(Deserialize)]
pub struct DrillQuery {
    by: String,
    key: String,
    snapshot: Option<i64>,
}

/// One line behind the cell, with its share of the cell where the breakdown is by shares.
pub struct DrillRow {
    ministry: String,
    id: String,
    name: String,
    request: Yen,
    share: Option<u8>,
}

#[derive(Template)]
#[template(path = "drill.html")]
struct DrillPage {
    c: Chrome,
    fy: FiscalYear,
    by: String,
    key: String,
    snapshot: Option<i64>,
    rows: Vec<DrillRow>,
}

fn share_of(shares: Option<&Shares>, key: &str) -> Option<Option<u8>> {
    match shares {
        None => (key == UNASSIGNED).then_some(None),
        Some(s) => s.pairs().iter().find(|(c, _)| c == key).map(|(_, p)| Some(*p)),
    }
}

fn matches(line: &RequestLine, by: &str, key: &str) -> Option<Option<u8>> {
    match by {
        "ministry" => (line.ministry == key).then_some(None),
        "project" => (line.project.as_deref().unwrap_or(NONE) == key).then_some(None),
        "channel" => (line.channel == key).then_some(None),
        "disease_area" => share_of(line.disease_areas.as_ref(), key),
        "purpose" => share_of(line.purposes.as_ref(), key),
        _ => None,
    }
}

/// GET the lines behind one cell of the compilation.
pub async fn page(State(st): State<AppState>, v: Viewer, Path(fy): Path<i64>, Query(q): Query<DrillQuery>) -> Response {
    let Ok(fy) = FiscalYear::try_from(fy) else { return StatusCode::NOT_FOUND.into_response() };
    let lines = match st.svc.compilation_lines(&v.actor, fy, q.snapshot).await {
        Ok(l) => l,
        Err(e) => return page_error(e, v.lang),
    };
    let rows = lines
        .iter()
        .filter_map(|l| {
            matches(l, &q.by, &q.key).map(|share| DrillRow {
                ministry: l.ministry.clone(),
                id: l.line_id.to_string(),
                name: l.name.clone(),
                request: l.request,
                share,
            })
        })
        .collect();
    let c = Chrome::of(&v, format!("/years/{}/compile", fy.year()));
    render(&DrillPage { c, fy, by: q.by, key: q.key, snapshot: q.snapshot, rows })
}
