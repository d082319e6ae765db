//! The adjustment fund's forms: the pool, a new round, an emergency allocation and its review;
//! a proposal with its attachments, the scoring sheet, HQ's decision with reasoned changes; each
//! funded line's outcome and the round's ex-post check; and the downloads (attachments, the
//! execution plan). Every post carries the CSRF token; every decision is the service's.

use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use haibun_domain::{FiscalYear, Unit, Yen};
use haibun_service::{PlanChange, ProposalInput, RoundDetail, ServiceError};

use crate::AppState;
use crate::error::page_error;
use crate::session::Viewer;

use super::{field, fields, fy_of, guarded};

/// A refusal of a form field, located, in both languages.
fn invalid(field: &str, ja: impl Into<String>, en: impl Into<String>) -> ServiceError {
    ServiceError::invalid(haibun_domain::ProblemCode::InvalidArgument, field, ja, en)
}

/// An amount typed in yen (full-width digits, separators and a trailing 円 are fine).
fn amount(field: &str, raw: &str) -> Result<i64, ServiceError> {
    haibun_domain::money::parse_amount(raw, Unit::Yen).map(Yen::get).map_err(|e| {
        let (ja, en) = e.message();
        invalid(
            field,
            format!("{field}: 金額を円で入力してください（{ja}）"),
            format!("{field}: give an amount in yen ({en})"),
        )
    })
}

/// The round named in the address, refused unless it belongs to the year in the address.
async fn round_of(st: &AppState, v: &Viewer, fy: FiscalYear, id: i64) -> Result<RoundDetail, Response> {
    match st.svc.fund_round(&v.actor, id).await {
        Ok(d) if d.round.fiscal_year == fy.year() => Ok(d),
        Ok(_) => Err(page_error(
            ServiceError::not_found(format!("調整費の回 {id} はありません"), format!("no round {id}")),
            v.lang,
        )),
        Err(e) => Err(page_error(e, v.lang)),
    }
}

/// The refusal of a proposal, allocation or attachment the address puts in a round it is not in.
fn not_in_round(lang: crate::session::Lang, ja: String, en: String) -> Response {
    page_error(ServiceError::not_found(ja, en), lang)
}

/// The round of the address, refused unless `has` holds of it (the proposal, allocation or
/// attachment named in the address belongs to it).
async fn round_with(
    st: &AppState,
    v: &Viewer,
    fy: FiscalYear,
    id: i64,
    has: impl Fn(&RoundDetail) -> bool,
    (ja, en): (String, String),
) -> Result<RoundDetail, Response> {
    let d = round_of(st, v, fy, id).await?;
    if has(&d) { Ok(d) } else { Err(not_in_round(v.lang, ja, en)) }
}

fn back_to_round(fy: FiscalYear, id: i64) -> Response {
    Redirect::to(&format!("/years/{}/fund/rounds/{id}", fy.year())).into_response()
}

fn back_to_fund(fy: FiscalYear) -> Response {
    Redirect::to(&format!("/years/{}/fund", fy.year())).into_response()
}

/// The CSRF check and the year of an urlencoded post.
fn checked(v: &Viewer, f: &[(String, String)], fy: i64) -> Result<FiscalYear, Response> {
    guarded(v, field(f, "csrf"), fy)
}

/// HQ sets the year's pool.
pub(super) async fn pool(State(st): State<AppState>, v: Viewer, Path(fy): Path<i64>, body: Bytes) -> Response {
    let f = fields(&body);
    let fy = match checked(&v, &f, fy) {
        Ok(fy) => fy,
        Err(r) => return r,
    };
    let result = match amount("amount", field(&f, "amount")) {
        Ok(a) => st.svc.set_fund_pool(&v.actor, fy, Yen(a)).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => back_to_fund(fy),
        Err(e) => page_error(e, v.lang),
    }
}

/// The Cabinet Office or HQ opens a regular round.
pub(super) async fn open_round(State(st): State<AppState>, v: Viewer, Path(fy): Path<i64>, body: Bytes) -> Response {
    let f = fields(&body);
    let fy = match checked(&v, &f, fy) {
        Ok(fy) => fy,
        Err(r) => return r,
    };
    match st.svc.open_fund_round(&v.actor, fy, field(&f, "type"), field(&f, "title")).await {
        Ok(id) => back_to_round(fy, id),
        Err(e) => page_error(e, v.lang),
    }
}

/// HQ allocates at once in an emergency; the line is `MINISTRY/LINE`.
pub(super) async fn emergency(State(st): State<AppState>, v: Viewer, Path(fy): Path<i64>, body: Bytes) -> Response {
    let f = fields(&body);
    let fy = match checked(&v, &f, fy) {
        Ok(fy) => fy,
        Err(r) => return r,
    };
    let result = async {
        let (ministry, line) = target(field(&f, "line"))?;
        let a = amount("amount", field(&f, "amount"))?;
        st.svc.emergency_fund(&v.actor, fy, field(&f, "reason"), ministry, line, a).await
    };
    match result.await {
        Ok(id) => back_to_round(fy, id),
        Err(e) => page_error(e, v.lang),
    }
}

/// A target line chosen as `MINISTRY/LINE`.
fn target(raw: &str) -> Result<(&str, &str), ServiceError> {
    raw.split_once('/').ok_or_else(|| invalid("line", "対象事業を選んでください", "choose the target line"))
}

/// The Cabinet Office reviews an emergency allocation.
pub(super) async fn review(
    State(st): State<AppState>,
    v: Viewer,
    Path((fy, id)): Path<(i64, i64)>,
    body: Bytes,
) -> Response {
    let f = fields(&body);
    let fy = match checked(&v, &f, fy) {
        Ok(fy) => fy,
        Err(r) => return r,
    };
    if let Err(r) = round_of(&st, &v, fy, id).await {
        return r;
    }
    match st.svc.review_fund(&v.actor, id, field(&f, "note")).await {
        Ok(()) => back_to_round(fy, id),
        Err(e) => page_error(e, v.lang),
    }
}

/// An AMED PD's proposal to an open round; priority items are repeated `priority_item` fields.
pub(super) async fn propose(
    State(st): State<AppState>,
    v: Viewer,
    Path((fy, id)): Path<(i64, i64)>,
    body: Bytes,
) -> Response {
    let f = fields(&body);
    let fy = match checked(&v, &f, fy) {
        Ok(fy) => fy,
        Err(r) => return r,
    };
    if let Err(r) = round_of(&st, &v, fy, id).await {
        return r;
    }
    let result = async {
        let (ministry, line) = target(field(&f, "line"))?;
        let requested = amount("requested", field(&f, "requested"))?;
        let min = match field(&f, "min").trim() {
            "" => requested,
            m => amount("min", m)?,
        };
        let input = ProposalInput {
            ministry: ministry.to_string(),
            line_id: line.to_string(),
            requested,
            min,
            rationale: field(&f, "rationale").to_string(),
            evidence: field(&f, "evidence").to_string(),
            needs: field(&f, "needs").to_string(),
            urgency: field(&f, "urgency").to_string(),
            priority_items: f.iter().filter(|(k, _)| k == "priority_item").map(|(_, v)| v.clone()).collect(),
            targets: field(&f, "targets").to_string(),
        };
        st.svc.propose_fund(&v.actor, id, &input).await
    };
    match result.await {
        Ok(_) => back_to_round(fy, id),
        Err(e) => page_error(e, v.lang),
    }
}

/// A proposer attaches a file (multipart: `csrf`, then `file`).
pub(super) async fn attach(
    State(st): State<AppState>,
    v: Viewer,
    Path((fy, id, proposal)): Path<(i64, i64, i64)>,
    multipart: Multipart,
) -> Response {
    let (_, file_name, bytes) = match super::multipart_form(&v, multipart).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let fy = match fy_of(fy, v.lang) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let named = (format!("提案 {proposal} はこの回にありません"), format!("proposal {proposal} is not in this round"));
    if let Err(r) = round_with(&st, &v, fy, id, |d| d.proposals.iter().any(|p| p.id == proposal), named).await {
        return r;
    }
    match st.svc.attach_fund(&v.actor, proposal, &file_name, &bytes).await {
        Ok(_) => back_to_round(fy, id),
        Err(e) => page_error(e, v.lang),
    }
}

/// One row of the scoring sheet: the proposal's score on each criterion (`score_CODE`).
pub(super) async fn score(
    State(st): State<AppState>,
    v: Viewer,
    Path((fy, id, proposal)): Path<(i64, i64, i64)>,
    body: Bytes,
) -> Response {
    let f = fields(&body);
    let fy = match checked(&v, &f, fy) {
        Ok(fy) => fy,
        Err(r) => return r,
    };
    let detail = match round_of(&st, &v, fy, id).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let mut scores = Vec::new();
    for c in &detail.criteria {
        let raw = field(&f, &format!("score_{}", c.code)).trim();
        if raw.is_empty() {
            continue;
        }
        match raw.parse::<i64>() {
            Ok(s) => scores.push((c.code.clone(), s)),
            Err(_) => {
                return page_error(
                    invalid(
                        &c.code,
                        format!("{} の点数は0〜{}の整数です", c.name_ja, detail.score_max),
                        format!("{}'s score is a whole number from 0 to {}", c.name_en, detail.score_max),
                    ),
                    v.lang,
                );
            }
        }
    }
    if !detail.proposals.iter().any(|p| p.id == proposal) {
        return not_in_round(
            v.lang,
            format!("提案 {proposal} はこの回にありません"),
            format!("proposal {proposal} is not in this round"),
        );
    }
    match st.svc.score_fund(&v.actor, proposal, &scores).await {
        Ok(()) => back_to_round(fy, id),
        Err(e) => page_error(e, v.lang),
    }
}

/// HQ decides: `amount_ID` per proposal (prefilled with the plan) and `reason_ID` for each one
/// changed; the plan's digest must match the plan shown.
pub(super) async fn decide(
    State(st): State<AppState>,
    v: Viewer,
    Path((fy, id)): Path<(i64, i64)>,
    body: Bytes,
) -> Response {
    let f = fields(&body);
    let fy = match checked(&v, &f, fy) {
        Ok(fy) => fy,
        Err(r) => return r,
    };
    if let Err(r) = round_of(&st, &v, fy, id).await {
        return r;
    }
    let result = async {
        let (plan, proposals) = st.svc.fund_plan(&v.actor, id).await?;
        let mut changes = Vec::new();
        for p in &proposals {
            let planned = plan.allocations.get(&p.id.to_string()).copied().unwrap_or(0);
            let raw = field(&f, &format!("amount_{}", p.id));
            let decided = if raw.trim().is_empty() { planned } else { amount(&format!("amount_{}", p.id), raw)? };
            if decided != planned {
                changes.push(PlanChange {
                    proposal: p.id,
                    amount: decided,
                    reason: field(&f, &format!("reason_{}", p.id)).to_string(),
                });
            }
        }
        st.svc.decide_fund(&v.actor, id, &changes, Some(field(&f, "digest"))).await
    };
    match result.await {
        Ok(_) => back_to_round(fy, id),
        Err(e) => page_error(e, v.lang),
    }
}

/// An AMED PD records what a funded line of this round achieved.
pub(super) async fn outcome(
    State(st): State<AppState>,
    v: Viewer,
    Path((fy, id, allocation)): Path<(i64, i64, i64)>,
    body: Bytes,
) -> Response {
    let f = fields(&body);
    let fy = match checked(&v, &f, fy) {
        Ok(fy) => fy,
        Err(r) => return r,
    };
    let named =
        (format!("配分 {allocation} はこの回にありません"), format!("allocation {allocation} is not in this round"));
    if let Err(r) = round_with(&st, &v, fy, id, |d| d.allocations.iter().any(|a| a.id == allocation), named).await {
        return r;
    }
    match st.svc.record_fund_outcome(&v.actor, allocation, field(&f, "result"), field(&f, "achieved")).await {
        Ok(()) => back_to_round(fy, id),
        Err(e) => page_error(e, v.lang),
    }
}

/// The Cabinet Office completes the round's ex-post check.
pub(super) async fn check(
    State(st): State<AppState>,
    v: Viewer,
    Path((fy, id)): Path<(i64, i64)>,
    body: Bytes,
) -> Response {
    let f = fields(&body);
    let fy = match checked(&v, &f, fy) {
        Ok(fy) => fy,
        Err(r) => return r,
    };
    if let Err(r) = round_of(&st, &v, fy, id).await {
        return r;
    }
    match st.svc.check_fund_round(&v.actor, id, field(&f, "note")).await {
        Ok(()) => back_to_round(fy, id),
        Err(e) => page_error(e, v.lang),
    }
}

/// An attachment, always as a download (never rendered in the page's origin).
pub(super) async fn attachment(
    State(st): State<AppState>,
    v: Viewer,
    Path((fy, id, attachment)): Path<(i64, i64, i64)>,
) -> Response {
    let fy = match fy_of(fy, v.lang) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let named = (format!("添付ファイル {attachment} はありません"), format!("no attachment {attachment}"));
    if let Err(r) = round_with(&st, &v, fy, id, |d| d.attachments.iter().any(|a| a.id == attachment), named).await {
        return r;
    }
    match st.svc.fund_attachment(&v.actor, attachment).await {
        Ok((meta, bytes)) => (
            [
                (header::CONTENT_TYPE, meta.content_type.clone()),
                (header::CONTENT_DISPOSITION, disposition(&meta.file_name)),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => page_error(e, v.lang),
    }
}

/// `attachment` with the name both as ASCII (others replaced) and as RFC 5987 UTF-8.
fn disposition(name: &str) -> String {
    let ascii: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || ".-_".contains(c) { c } else { '_' }).collect();
    let encoded: String = form_urlencoded::byte_serialize(name.as_bytes()).collect::<String>().replace('+', "%20");
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// `?format=xlsx|html&unit=…` of the execution plan.
#[derive(serde::Deserialize)]
pub(super) struct PlanQuery {
    format: Option<String>,
    unit: Option<String>,
}

/// A decided round's execution plan (実行計画), as a workbook or a printable page.
pub(super) async fn execution_plan(
    State(st): State<AppState>,
    v: Viewer,
    Path((fy, id)): Path<(i64, i64)>,
    Query(q): Query<PlanQuery>,
) -> Response {
    let fy = match fy_of(fy, v.lang) {
        Ok(f) => f,
        Err(r) => return r,
    };
    if let Err(r) = round_of(&st, &v, fy, id).await {
        return r;
    }
    let unit = match q.unit.as_deref().unwrap_or("thousand-yen").parse::<haibun_domain::book::ReportUnit>() {
        Ok(u) => u,
        Err(e) => return page_error(invalid("unit", e.clone(), e), v.lang),
    };
    let plan = match st.svc.execution_plan(&v.actor, id, unit).await {
        Ok(p) => p,
        Err(e) => return page_error(e, v.lang),
    };
    let stem = format!("haibun-FY{}-fund-round-{id}-plan", fy.year());
    super::printable_response(&plan, q.format.as_deref(), &stem, v.lang)
}
