//! The open-data page (オープンデータ): what the settled budget is published as, under which
//! licence, and (for HQ) the package to download. Making it is recorded in the audit trail, so
//! the download is a form post.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use haibun_domain::FiscalYear;
use haibun_domain::workflow::YearAction;

use super::*;
use crate::AppState;
use crate::error::page_error;
use crate::session::Viewer;

#[derive(Template)]
#[template(path = "opendata.html")]
struct OpenDataPage {
    c: Chrome,
    fy: FiscalYear,
    /// The latest compilation snapshot's number and status, if there is one.
    snapshot: Option<(i64, String)>,
    settled: bool,
    licence: haibun_service::Licence,
    can_publish: bool,
}

pub(super) async fn page(State(st): State<AppState>, v: Viewer, Path(fy): Path<i64>) -> Response {
    let fy = match fy_of(fy, v.lang) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let snapshot = match st.svc.snapshots(fy).await {
        Ok(s) => s.last().map(|s| (s.id, s.status.clone())),
        Err(e) => return page_error(e, v.lang),
    };
    let settled = snapshot.as_ref().is_some_and(|s| s.1 == "settled");
    render(&OpenDataPage {
        c: Chrome::of(&v, format!("/years/{}/opendata", fy.year())),
        fy,
        snapshot,
        settled,
        licence: st.svc.licence().clone(),
        can_publish: may(&v, YearAction::PublishOpenData),
    })
}

/// Makes the package and sends it as one zip archive.
pub(super) async fn download(
    State(st): State<AppState>,
    v: Viewer,
    Path(fy): Path<i64>,
    Form(f): Form<CsrfForm>,
) -> Response {
    let fy = match guarded(&v, &f.csrf, fy) {
        Ok(f) => f,
        Err(r) => return r,
    };
    match st.svc.open_data(&v.actor, fy, |_| Ok::<(), haibun_service::ServiceError>(())).await {
        Ok((data, ())) => attachment("application/zip", &format!("haibun-FY{}-opendata.zip", fy.year()), data.zip()),
        Err(e) => page_error(e, v.lang),
    }
}
