//! The JSON API under `/api/v1`: the same use cases, authorisation and error codes as the pages,
//! with its OpenAPI document generated from these handlers.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use haibun_domain::line::Field;
use haibun_domain::workflow::Action;
use haibun_domain::{FiscalYear, Yen};
use haibun_service::{HearingInput, InstructionInput, LinePatch, ServiceError};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::session::{Caller, CallerAt};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "haibun API",
        description = "医療分野の研究開発関連予算の要求・調整・取りまとめ / Japan's medical R&D budget coordination. Authenticate with `Authorization: Bearer <token>` (`haibun token create --as NAME`), or a browser session sending `X-CSRF-Token` on writes."
    ),
    components(schemas(ErrorBody))
)]
struct ApiDoc;

type ApiResult = Result<Response, ApiError>;

fn ok(v: Value) -> ApiResult {
    Ok(Json(v).into_response())
}

fn year(fy: i64) -> Result<FiscalYear, ApiError> {
    FiscalYear::try_from(fy).map_err(|e| ApiError::from(ServiceError::not_found(e.to_string(), e.to_string())))
}

/// A JSON body that may be left out entirely (an empty body means the defaults).
fn optional_body<T: serde::de::DeserializeOwned + Default>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(bytes).map_err(|e| {
        ApiError::from(ServiceError::invalid(
            haibun_domain::ProblemCode::InvalidArgument,
            "body",
            format!("JSON として読めません: {e}"),
            format!("malformed JSON: {e}"),
        ))
    })
}

fn to_json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// The API routes and the OpenAPI document built from them.
/// The API; `upload_limit` bounds the body of an import (other bodies keep axum's 2 MB default).
pub fn routes(upload_limit: usize) -> axum::Router<AppState> {
    let (router, mut api) = api_router(upload_limit).split_for_parts();
    crate::api_errors::document_errors(&mut api);
    let doc = Json(api);
    router
        .route("/api/v1/openapi.json", axum::routing::get(move || async move { doc.clone() }))
        .layer(axum::middleware::from_fn(crate::api_errors::json_errors))
}

fn api_router(upload_limit: usize) -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(me))
        .routes(routes!(status))
        .routes(routes!(lines))
        .routes(routes!(line_history, update_line))
        .routes(routes!(create_line))
        .routes(routes!(compile))
        .routes(routes!(package_action))
        .routes(routes!(hearing))
        .routes(routes!(instruct))
        .routes(routes!(answer))
        .routes(routes!(snapshot))
        .routes(routes!(submit_snapshot))
        .routes(routes!(negotiate))
        .routes(routes!(settle))
        .routes(routes!(audit_events))
        .routes(routes!(audit_verify))
        .merge(OpenApiRouter::new().routes(routes!(import)).layer(axum::extract::DefaultBodyLimit::max(upload_limit)))
        .routes(routes!(template))
        .routes(routes!(instructions))
        .routes(routes!(hearings))
        .routes(routes!(users, add_user))
        .routes(routes!(set_calendar))
}

/// Every (method, path) the OpenAPI document lists, for tests that compare it with the router.
pub fn openapi_paths() -> Vec<(String, String)> {
    let (_, api) = api_router(0).split_for_parts();
    let doc = serde_json::to_value(&api).unwrap_or_default();
    let mut out = Vec::new();
    if let Some(paths) = doc["paths"].as_object() {
        for (path, item) in paths {
            for method in item.as_object().map(|m| m.keys().cloned().collect::<Vec<_>>()).unwrap_or_default() {
                out.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    out.push(("GET".into(), "/api/v1/openapi.json".into()));
    out
}

/// Who am I.
#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, description = "the caller"), (status = 401, body = ErrorBody)))]
async fn me(Caller(a): Caller) -> ApiResult {
    ok(json!({"name": a.name, "role": a.role.name(), "ministry": a.ministry}))
}

/// Every package's state, what it waits for and what is overdue.
#[utoipa::path(get, path = "/api/v1/years/{fy}/status", params(("fy" = i64, Path, description = "fiscal year, e.g. 2023")), responses((status = 200, description = "status"), (status = 401, body = ErrorBody)))]
async fn status(State(st): State<AppState>, Caller(a): Caller, Path(fy): Path<i64>) -> ApiResult {
    ok(to_json(&st.svc.status(&a, year(fy)?, &haibun_service::today()).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
struct MinistryQuery {
    /// ministry code or name
    ministry: Option<String>,
}

/// The current lines (a ministry user sees its own only), with versions.
#[utoipa::path(get, path = "/api/v1/years/{fy}/lines", params(("fy" = i64, Path, description = "fiscal year"), MinistryQuery), responses((status = 200, description = "lines"), (status = 403, body = ErrorBody)))]
async fn lines(
    State(st): State<AppState>,
    Caller(a): Caller,
    Path(fy): Path<i64>,
    Query(q): Query<MinistryQuery>,
) -> ApiResult {
    let lines = st.svc.stored_lines(&a, year(fy)?, q.ministry.as_deref()).await?;
    ok(Value::Array(lines.iter().map(|s| json!({"version": s.version, "updated_at": s.updated_at, "updated_by": s.updated_by, "line": s.line})).collect()))
}

/// Every version of one line.
#[utoipa::path(get, path = "/api/v1/years/{fy}/lines/{ministry}/{line_id}", params(("fy" = i64, Path), ("ministry" = String, Path), ("line_id" = String, Path)), responses((status = 200, description = "versions"), (status = 404, body = ErrorBody)))]
async fn line_history(
    State(st): State<AppState>,
    Caller(a): Caller,
    Path((fy, ministry, line_id)): Path<(i64, String, String)>,
) -> ApiResult {
    let h = st.svc.line_history(&a, year(fy)?, &ministry, &line_id).await?;
    ok(Value::Array(h.iter().map(|s| json!({"version": s.version, "updated_at": s.updated_at, "updated_by": s.updated_by, "line": s.line})).collect()))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct LineUpdate {
    /// The version the editor read; a stale one gets 409.
    version: i64,
    /// Field key → new text, as in the template (`request`, `name`, `disease_areas`, …; amounts in yen).
    #[schema(value_type = Object)]
    fields: std::collections::BTreeMap<String, String>,
}

/// Edits one line, naming the version read (409 if someone changed it since).
#[utoipa::path(patch, path = "/api/v1/years/{fy}/lines/{ministry}/{line_id}", params(("fy" = i64, Path), ("ministry" = String, Path), ("line_id" = String, Path)), request_body = LineUpdate, responses((status = 200, description = "the new version"), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_line(
    State(st): State<AppState>,
    Caller(a): Caller,
    Path((fy, ministry, line_id)): Path<(i64, String, String)>,
    Json(body): Json<LineUpdate>,
) -> ApiResult {
    let patch = fields_patch(body.fields)?;
    let v = st.svc.update_line(&a, year(fy)?, &ministry, &line_id, body.version, &patch).await?;
    ok(json!({"version": v}))
}

#[derive(Deserialize, utoipa::IntoParams)]
struct CompileQuery {
    /// a compilation snapshot's number; the current requests if omitted
    snapshot: Option<i64>,
}

/// The compile JSON: requested now, or a snapshot (compiled or settled).
#[utoipa::path(get, path = "/api/v1/years/{fy}/compile", params(("fy" = i64, Path), CompileQuery), responses((status = 200, description = "the compilation")))]
async fn compile(
    State(st): State<AppState>,
    CallerAt(a, version): CallerAt,
    Path(fy): Path<i64>,
    Query(q): Query<CompileQuery>,
) -> ApiResult {
    let fy = year(fy)?;
    match q.snapshot {
        Some(id) => ok(to_json(&st.svc.snapshot_compilation(fy, Some(id)).await?.1)),
        // The current compilation is kept as JSON per data version: sent as it is.
        None => {
            let json = st.svc.compile_json_at(&a, fy, version).await?;
            Ok(([(axum::http::header::CONTENT_TYPE, "application/json")], json.as_ref().clone()).into_response())
        }
    }
}

#[derive(Deserialize, utoipa::ToSchema, Default)]
struct Reason {
    /// Required for `exclude`.
    reason: Option<String>,
}

/// Submits, reports, consents to or excludes a package.
#[utoipa::path(post, path = "/api/v1/years/{fy}/packages/{ministry}/{action}", params(("fy" = i64, Path), ("ministry" = String, Path), ("action" = String, Path, description = "submit | report | consent | exclude")), request_body(content = Reason, description = "a reason, for exclude"), responses((status = 200, description = "the new state"), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn package_action(
    State(st): State<AppState>,
    Caller(a): Caller,
    Path((fy, ministry, action)): Path<(i64, String, String)>,
    body: axum::body::Bytes,
) -> ApiResult {
    let action = match action.as_str() {
        "submit" => Action::Submit,
        "report" => Action::Report,
        "consent" => Action::Consent,
        "exclude" => Action::Exclude,
        other => {
            return Err(
                ServiceError::not_found(format!("操作 {other} はありません"), format!("no action {other}")).into()
            );
        }
    };
    let reason = optional_body::<Reason>(&body)?.reason;
    let s = st.svc.package_action(&a, year(fy)?, &ministry, action, reason.as_deref()).await?;
    ok(json!({"status": s.name()}))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct HearingBody {
    date: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    attendees: String,
    #[serde(default)]
    minutes: String,
}

/// Records a hearing as held.
#[utoipa::path(post, path = "/api/v1/years/{fy}/packages/{ministry}/hearings", params(("fy" = i64, Path), ("ministry" = String, Path)), request_body = HearingBody, responses((status = 201, description = "recorded")))]
async fn hearing(
    State(st): State<AppState>,
    Caller(a): Caller,
    Path((fy, ministry)): Path<(i64, String)>,
    Json(b): Json<HearingBody>,
) -> ApiResult {
    let id = st
        .svc
        .record_hearing(
            &a,
            year(fy)?,
            &ministry,
            HearingInput { date: b.date, place: b.place, attendees: b.attendees, minutes: b.minutes },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id}))).into_response())
}

#[derive(Deserialize, utoipa::ToSchema)]
struct InstructionBody {
    line_id: Option<String>,
    text: String,
    /// yen
    target_amount: Option<i64>,
    due: Option<String>,
}

/// Instructs a revision.
#[utoipa::path(post, path = "/api/v1/years/{fy}/packages/{ministry}/instructions", params(("fy" = i64, Path), ("ministry" = String, Path)), request_body = InstructionBody, responses((status = 201, description = "issued")))]
async fn instruct(
    State(st): State<AppState>,
    Caller(a): Caller,
    Path((fy, ministry)): Path<(i64, String)>,
    Json(b): Json<InstructionBody>,
) -> ApiResult {
    let input =
        InstructionInput { line_id: b.line_id, text: b.text, target_amount: b.target_amount.map(Yen), due: b.due };
    let id = st.svc.instruct(&a, year(fy)?, &ministry, input).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id}))).into_response())
}

#[derive(Deserialize, utoipa::ToSchema)]
struct AnswerBody {
    text: String,
}

/// Answers an instruction.
#[utoipa::path(post, path = "/api/v1/instructions/{id}/answers", params(("id" = i64, Path)), request_body = AnswerBody, responses((status = 201, description = "answered")))]
async fn answer(
    State(st): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<i64>,
    Json(b): Json<AnswerBody>,
) -> ApiResult {
    let answer = st.svc.answer(&a, id, &b.text).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": answer}))).into_response())
}

/// Freezes HQ's compilation as a numbered snapshot.
#[utoipa::path(post, path = "/api/v1/years/{fy}/snapshots", params(("fy" = i64, Path)), responses((status = 201, description = "frozen"), (status = 409, body = ErrorBody)))]
async fn snapshot(State(st): State<AppState>, Caller(a): Caller, Path(fy): Path<i64>) -> ApiResult {
    let id = st.svc.compile_snapshot(&a, year(fy)?).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id}))).into_response())
}

/// Marks a snapshot submitted to the fiscal authority.
#[utoipa::path(post, path = "/api/v1/years/{fy}/snapshots/{id}/submit", params(("fy" = i64, Path), ("id" = i64, Path)), responses((status = 200, description = "submitted")))]
async fn submit_snapshot(State(st): State<AppState>, Caller(a): Caller, Path((fy, id)): Path<(i64, i64)>) -> ApiResult {
    let id = st.svc.submit_snapshot(&a, year(fy)?, Some(id)).await?;
    ok(json!({"id": id, "status": "submitted"}))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct NegotiationBody {
    ministry: Option<String>,
    line_id: String,
    /// yen
    amount: i64,
}

/// Records a negotiated amount (査定額).
#[utoipa::path(post, path = "/api/v1/years/{fy}/negotiations", params(("fy" = i64, Path)), request_body = NegotiationBody, responses((status = 200, description = "recorded")))]
async fn negotiate(
    State(st): State<AppState>,
    Caller(a): Caller,
    Path(fy): Path<i64>,
    Json(b): Json<NegotiationBody>,
) -> ApiResult {
    if b.amount < 0 {
        return Err(ServiceError::invalid(
            haibun_domain::ProblemCode::NegativeAmount,
            "amount",
            "金額が負です",
            "negative amount",
        )
        .into());
    }
    st.svc.negotiate(&a, year(fy)?, b.ministry.as_deref(), &b.line_id, Yen(b.amount)).await?;
    ok(json!({"ok": true}))
}

#[derive(Deserialize, utoipa::ToSchema, Default)]
struct SettleBody {
    #[serde(default)]
    accept_requested: bool,
}

/// Settles the year.
#[utoipa::path(post, path = "/api/v1/years/{fy}/settle", params(("fy" = i64, Path)), request_body(content = SettleBody), responses((status = 200, description = "settled")))]
async fn settle(
    State(st): State<AppState>,
    Caller(a): Caller,
    Path(fy): Path<i64>,
    body: axum::body::Bytes,
) -> ApiResult {
    let b = optional_body::<SettleBody>(&body)?;
    let id = st.svc.settle(&a, year(fy)?, b.accept_requested).await?;
    ok(json!({"snapshot": id, "status": "settled"}))
}

/// The audit events.
#[utoipa::path(get, path = "/api/v1/audit/events", responses((status = 200, description = "events"), (status = 403, body = ErrorBody)))]
async fn audit_events(State(st): State<AppState>, Caller(a): Caller) -> ApiResult {
    ok(to_json(&st.svc.audit_events(&a, None).await?))
}

/// Verifies the audit chain and the snapshots.
#[utoipa::path(get, path = "/api/v1/audit/verify", responses((status = 200, description = "the report")))]
async fn audit_verify(State(st): State<AppState>, Caller(a): Caller) -> ApiResult {
    ok(to_json(&st.svc.verify_audit(&a, None).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
struct ImportQuery {
    /// ministry code or name
    ministry: String,
    /// the file's name, for messages (its content decides the format)
    file_name: Option<String>,
    /// `yen`, `thousand-yen` or `million-yen`; an error if the sheet's 単位 differs
    unit: Option<String>,
}

/// Imports a filled template (.xlsx or .csv) sent as the raw request body: every problem or nothing stored.
#[utoipa::path(post, path = "/api/v1/years/{fy}/imports", params(("fy" = i64, Path), ImportQuery), request_body(content = Vec<u8>, content_type = "application/octet-stream"), responses((status = 200, description = "the import report"), (status = 422, body = ErrorBody)))]
async fn import(
    State(st): State<AppState>,
    Caller(a): Caller,
    Path(fy): Path<i64>,
    Query(q): Query<ImportQuery>,
    body: axum::body::Bytes,
) -> ApiResult {
    let unit = match q.unit.as_deref() {
        None => None,
        Some(u) => Some(u.parse::<haibun_domain::Unit>().map_err(|e| {
            ApiError::from(ServiceError::invalid(
                haibun_domain::ProblemCode::InvalidArgument,
                "unit",
                e.to_string(),
                e.to_string(),
            ))
        })?),
    };
    let name = q.file_name.unwrap_or_else(|| "upload".into());
    let report = st
        .svc
        .import(
            &a,
            haibun_service::ImportRequest {
                fiscal_year: year(fy)?,
                ministry: &q.ministry,
                file_name: &name,
                bytes: &body,
                unit,
            },
        )
        .await?;
    ok(to_json(&report))
}

#[derive(Deserialize, utoipa::IntoParams)]
struct TemplateQuery {
    /// ministry code or name, written in the 府省 cell
    ministry: Option<String>,
}

/// The blank request template (.xlsx).
#[utoipa::path(get, path = "/api/v1/years/{fy}/template", params(("fy" = i64, Path), TemplateQuery), responses((status = 200, description = "the workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
async fn template(
    State(st): State<AppState>,
    Caller(a): Caller,
    Path(fy): Path<i64>,
    Query(q): Query<TemplateQuery>,
) -> ApiResult {
    let ministry = q.ministry.or(a.ministry);
    let bytes = st.svc.template(year(fy)?, ministry.as_deref(), haibun_domain::Unit::ThousandYen).await?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")],
        bytes,
    )
        .into_response())
}

/// The instructions with their answers (a ministry user sees its own).
#[utoipa::path(get, path = "/api/v1/years/{fy}/instructions", params(("fy" = i64, Path), MinistryQuery), responses((status = 200, description = "instruction threads")))]
async fn instructions(
    State(st): State<AppState>,
    Caller(a): Caller,
    Path(fy): Path<i64>,
    Query(q): Query<MinistryQuery>,
) -> ApiResult {
    let threads = st.svc.instruction_threads(&a, year(fy)?, q.ministry.as_deref()).await?;
    ok(Value::Array(threads.iter().map(|(i, ans)| json!({"instruction": i, "answers": ans})).collect()))
}

/// The hearings (a ministry user sees its own).
#[utoipa::path(get, path = "/api/v1/years/{fy}/hearings", params(("fy" = i64, Path)), responses((status = 200, description = "hearings")))]
async fn hearings(State(st): State<AppState>, Caller(a): Caller, Path(fy): Path<i64>) -> ApiResult {
    ok(to_json(&st.svc.hearings(&a, year(fy)?).await?))
}

/// Every user (not for ministry users).
#[utoipa::path(get, path = "/api/v1/users", responses((status = 200, description = "users"), (status = 403, body = ErrorBody)))]
async fn users(State(st): State<AppState>, Caller(a): Caller) -> ApiResult {
    let users = st.svc.users(&a).await?;
    ok(Value::Array(
        users
            .iter()
            .map(|u| json!({"name": u.name, "role": u.role, "ministry": u.ministry, "created_at": u.created_at}))
            .collect(),
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct NewUserBody {
    name: String,
    /// ministry, cabinet-office, hq, fiscal, amed-pd, viewer or admin
    role: String,
    ministry: Option<String>,
    /// at least 12 characters
    password: String,
}

/// Adds a user with a password (administrators only).
#[utoipa::path(post, path = "/api/v1/users", request_body = NewUserBody, responses((status = 201, description = "added"), (status = 403, body = ErrorBody)))]
async fn add_user(State(st): State<AppState>, Caller(a): Caller, Json(b): Json<NewUserBody>) -> ApiResult {
    let role: haibun_domain::workflow::Role = b.role.parse().map_err(|e: haibun_domain::workflow::RoleError| {
        ApiError::from(ServiceError::invalid(
            haibun_domain::ProblemCode::InvalidArgument,
            "role",
            e.to_string(),
            e.to_string(),
        ))
    })?;
    st.svc.add_user(&a, &b.name, role, b.ministry.as_deref()).await?;
    st.svc.set_password(&a, b.name.trim(), &b.password).await?;
    Ok((StatusCode::CREATED, Json(json!({"name": b.name.trim()}))).into_response())
}

#[derive(Deserialize, utoipa::ToSchema)]
struct CalendarBody {
    submission_deadline: String,
    hearing_start: String,
    hearing_end: String,
    consent_deadline: String,
    compilation_date: String,
}

/// Sets the year's calendar.
#[utoipa::path(put, path = "/api/v1/years/{fy}/calendar", params(("fy" = i64, Path)), request_body = CalendarBody, responses((status = 200, description = "set"), (status = 403, body = ErrorBody)))]
async fn set_calendar(
    State(st): State<AppState>,
    Caller(a): Caller,
    Path(fy): Path<i64>,
    Json(b): Json<CalendarBody>,
) -> ApiResult {
    let row = haibun_service::CalendarRow {
        fiscal_year: year(fy)?.year(),
        submission_deadline: b.submission_deadline,
        hearing_start: b.hearing_start,
        hearing_end: b.hearing_end,
        consent_deadline: b.consent_deadline,
        compilation_date: b.compilation_date,
    };
    st.svc.set_calendar(&a, row).await?;
    ok(json!({"ok": true}))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct NewLine {
    /// Field key → text, as in the template (`line_id`, `name`, `channel`, `request`, `new`, …; amounts in yen).
    #[schema(value_type = Object)]
    fields: std::collections::BTreeMap<String, String>,
}

/// Adds a line, checked exactly as an imported row.
#[utoipa::path(post, path = "/api/v1/years/{fy}/lines/{ministry}", params(("fy" = i64, Path), ("ministry" = String, Path)), request_body = NewLine, responses((status = 201, description = "created"), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_line(
    State(st): State<AppState>,
    Caller(a): Caller,
    Path((fy, ministry)): Path<(i64, String)>,
    Json(body): Json<NewLine>,
) -> ApiResult {
    let patch = fields_patch(body.fields)?;
    let id = st.svc.create_line(&a, year(fy)?, &ministry, &patch).await?;
    Ok((StatusCode::CREATED, Json(json!({"line_id": id, "version": 1}))).into_response())
}

/// Template field keys to a patch; an unknown key is an input problem of its own.
fn fields_patch(fields: std::collections::BTreeMap<String, String>) -> Result<LinePatch, ApiError> {
    let mut out = Vec::new();
    for (k, v) in fields {
        let f = Field::ALL.into_iter().find(|f| f.key() == k).ok_or_else(|| {
            ApiError::from(ServiceError::invalid(
                haibun_domain::ProblemCode::UnknownColumn,
                &k,
                format!("不明な項目 {k}"),
                format!("unknown field {k}"),
            ))
        })?;
        out.push((f, v));
    }
    Ok(LinePatch { fields: out })
}
