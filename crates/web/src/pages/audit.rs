//! The audit trail and the chain's verification.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use haibun_service::ServiceError;
use serde::Deserialize;

use super::*;
use crate::AppState;
use crate::error::page_error;
use crate::session::Viewer;

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    c: Chrome,
    events: Vec<haibun_service::AuditEvent>,
    report: haibun_service::AuditReport,
    filter: String,
}

#[derive(Deserialize)]
pub(super) struct AuditQuery {
    action: Option<String>,
}

pub(super) async fn audit(State(st): State<AppState>, v: Viewer, Query(q): Query<AuditQuery>) -> Response {
    let result = async {
        Ok::<_, ServiceError>((st.svc.audit_events(&v.actor, None).await?, st.svc.verify_audit(&v.actor, None).await?))
    }
    .await;
    let (mut events, report) = match result {
        Ok(r) => r,
        Err(e) => return page_error(e, v.lang),
    };
    let filter = q.action.unwrap_or_default();
    events.retain(|e| filter.is_empty() || e.event.action.starts_with(&filter));
    events.reverse();
    events.truncate(500);
    render(&AuditPage { c: Chrome::of(&v, "/audit"), events, report, filter })
}
