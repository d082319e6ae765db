//! A ministry's package: its lines, instructions, hearings and the actions on it.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use haibun_domain::compile::Amounts;
use haibun_domain::policy::Kind;
use haibun_domain::workflow::{Action, Role, Status};
use haibun_domain::{FiscalYear, Unit};
use haibun_service::{
    AnswerRow, HearingInput, InstructionInput, InstructionRow, PackageStatus, ServiceError, StoredLine,
};
use serde::Deserialize;

use super::*;
use crate::AppState;
use crate::error::page_error;
use crate::session::Viewer;

#[derive(Template)]
#[template(path = "package.html")]
struct PackagePage {
    c: Chrome,
    fy: FiscalYear,
    ministry: String,
    ministry_name: String,
    status: Option<PackageStatus>,
    lines: Vec<LineRow>,
    total: Amounts,
    threads: Vec<(InstructionRow, Vec<AnswerRow>)>,
    hearings: Vec<haibun_service::HearingRow>,
    can: Can,
    /// The policy check's findings on the ministry's lines.
    findings: Vec<super::review::FindingView>,
}

struct LineRow {
    id: String,
    name: String,
    channel: String,
    project: String,
    prior_year: haibun_domain::Yen,
    request: haibun_domain::Yen,
    version: i64,
}

/// Which forms to show (the service still decides; this only spares people buttons that would be refused).
struct Can {
    submit: bool,
    report: bool,
    consent: bool,
    hear: bool,
    instruct: bool,
    answer: bool,
    import: bool,
}

#[derive(Deserialize)]
pub(super) struct SortQuery {
    sort: Option<String>,
    q: Option<String>,
}

pub(super) async fn package(
    State(st): State<AppState>,
    v: Viewer,
    Path((fy, ministry)): Path<(i64, String)>,
    Query(sq): Query<SortQuery>,
) -> Response {
    let fy = match fy_of(fy, v.lang) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let result = async {
        let policy = st.svc.policy(fy).await?;
        let lines = st.svc.stored_lines(&v.actor, fy, Some(&ministry)).await?;
        let packages = st.svc.status(&v.actor, fy, &haibun_service::today()).await?.packages;
        let threads = st.svc.instruction_threads(&v.actor, fy, Some(&ministry)).await?;
        let hearings = st.svc.hearings(&v.actor, fy).await?;
        let findings = super::review::findings_for(&st, &v, fy, &ministry, None).await?;
        Ok::<_, ServiceError>((policy, lines, packages, threads, hearings, findings))
    }
    .await;
    let (policy, lines, packages, threads, hearings, findings) = match result {
        Ok(r) => r,
        Err(e) => return page_error(e, v.lang),
    };
    let code = policy.resolve(Kind::Ministry, &ministry).unwrap_or(ministry.clone());
    let status = packages.into_iter().find(|p| p.ministry == code);
    let filter = sq.q.as_deref().map(haibun_domain::text::fold).filter(|q| !q.is_empty());
    let mut rows: Vec<LineRow> = lines
        .iter()
        .filter(|s| {
            filter
                .as_deref()
                .is_none_or(|q| haibun_domain::text::fold(&format!("{} {}", s.line.line_id, s.line.name)).contains(q))
        })
        .map(|s: &StoredLine| LineRow {
            id: s.line.line_id.to_string(),
            name: s.line.name.clone(),
            channel: policy.label_ja(Kind::Channel, &s.line.channel).to_string(),
            project: s
                .line
                .project
                .as_deref()
                .map(|p| policy.label_ja(Kind::Project, p).to_string())
                .unwrap_or_default(),
            prior_year: s.line.prior_year,
            request: s.line.request,
            version: s.version,
        })
        .collect();
    match sq.sort.as_deref() {
        Some("request") => rows.sort_by_key(|r| std::cmp::Reverse(r.request)),
        Some("name") => rows.sort_by(|a, b| a.name.cmp(&b.name)),
        _ => {}
    }
    let total = rows.iter().fold(Amounts::default(), |mut t, r| {
        t.prior_year += r.prior_year;
        t.request += r.request;
        t
    });
    let s = status.as_ref().map_or(Status::Drafting, |p| p.status);
    let role = v.actor.role;
    let own = v.actor.ministry.as_deref() == Some(code.as_str()) || role == Role::Admin;
    let allowed =
        |a: Action| a.roles().contains(&role) && a.from_states().contains(&s) && (role != Role::Ministry || own);
    let can = Can {
        submit: allowed(Action::Submit),
        report: allowed(Action::Report),
        consent: allowed(Action::Consent),
        hear: allowed(Action::RecordHearing),
        instruct: allowed(Action::Instruct),
        answer: allowed(Action::Answer),
        import: allowed(Action::EditLines),
    };
    let hearings = hearings.into_iter().filter(|h| h.ministry == code).collect();
    let ministry_name = policy.label_ja(Kind::Ministry, &code).to_string();
    render(&PackagePage {
        c: Chrome::of(&v, format!("/years/{}/packages/{code}", fy.year())),
        fy,
        ministry: code,
        ministry_name,
        status,
        lines: rows,
        total,
        threads,
        hearings,
        can,
        findings,
    })
}

#[derive(Deserialize)]
pub(super) struct ActionForm {
    csrf: String,
    action: String,
    reason: Option<String>,
}

fn back_to(fy: FiscalYear, ministry: &str) -> Response {
    Redirect::to(&format!("/years/{}/packages/{ministry}", fy.year())).into_response()
}

pub(super) async fn package_action(
    State(st): State<AppState>,
    v: Viewer,
    Path((fy, ministry)): Path<(i64, String)>,
    Form(f): Form<ActionForm>,
) -> Response {
    let fy = match guarded(&v, &f.csrf, fy) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let action = match f.action.as_str() {
        "submit" => Action::Submit,
        "report" => Action::Report,
        "consent" => Action::Consent,
        "exclude" => Action::Exclude,
        _ => return page_error(ServiceError::not_found("不明な操作です", "unknown action"), v.lang),
    };
    match st.svc.package_action(&v.actor, fy, &ministry, action, f.reason.as_deref()).await {
        Ok(_) => back_to(fy, &ministry),
        Err(e) => page_error(e, v.lang),
    }
}

#[derive(Deserialize)]
pub(super) struct HearingForm {
    csrf: String,
    date: String,
    place: String,
    attendees: String,
    minutes: String,
}

pub(super) async fn hearing(
    State(st): State<AppState>,
    v: Viewer,
    Path((fy, ministry)): Path<(i64, String)>,
    Form(f): Form<HearingForm>,
) -> Response {
    let fy = match guarded(&v, &f.csrf, fy) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let input = HearingInput { date: f.date, place: f.place, attendees: f.attendees, minutes: f.minutes };
    match st.svc.record_hearing(&v.actor, fy, &ministry, input).await {
        Ok(_) => back_to(fy, &ministry),
        Err(e) => page_error(e, v.lang),
    }
}

#[derive(Deserialize)]
pub(super) struct InstructForm {
    csrf: String,
    line: String,
    text: String,
    target_amount: String,
    due: String,
}

pub(super) async fn instruct(
    State(st): State<AppState>,
    v: Viewer,
    Path((fy, ministry)): Path<(i64, String)>,
    Form(f): Form<InstructForm>,
) -> Response {
    let fy = match guarded(&v, &f.csrf, fy) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let target = if f.target_amount.trim().is_empty() {
        None
    } else {
        match haibun_domain::money::parse_amount(&f.target_amount, Unit::Yen) {
            Ok(y) => Some(y),
            Err(_) => {
                return page_error(
                    ServiceError::invalid(
                        haibun_domain::ProblemCode::NotANumber,
                        "target_amount",
                        "目標額が数値ではありません",
                        "the target amount is not a number",
                    ),
                    v.lang,
                );
            }
        }
    };
    let non_empty = |s: String| (!s.trim().is_empty()).then_some(s);
    let input =
        InstructionInput { line_id: non_empty(f.line), text: f.text, target_amount: target, due: non_empty(f.due) };
    match st.svc.instruct(&v.actor, fy, &ministry, input).await {
        Ok(_) => back_to(fy, &ministry),
        Err(e) => page_error(e, v.lang),
    }
}

#[derive(Deserialize)]
pub(super) struct AnswerForm {
    csrf: String,
    text: String,
    back: String,
}

pub(super) async fn answer(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<AnswerForm>,
) -> Response {
    if let Err(r) = csrf_ok(&v, &f.csrf) {
        return r;
    }
    match st.svc.answer(&v.actor, id, &f.text).await {
        Ok(_) => Redirect::to(if f.back.starts_with("/years/") { &f.back } else { "/" }).into_response(),
        Err(e) => page_error(e, v.lang),
    }
}
