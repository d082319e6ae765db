//! The HTML pages. Each handler calls service use cases and renders one auto-escaping template.

mod audit;
mod compile;
mod evidence;
mod fund;
mod fund_forms;
pub mod help;
mod home;
mod import;
mod opendata;
mod package;
pub(crate) mod pdca;
mod pdca_forms;
pub(crate) mod review;
mod signin;

use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use haibun_domain::compile::Amounts;
use haibun_domain::policy::Kind;
use haibun_domain::{FiscalYear, Policy};
use haibun_service::ServiceError;
use serde::Deserialize;

use crate::AppState;
use crate::error::page_error;
use crate::format::ShowUnit;
use crate::session::{Lang, Viewer};

/// The page routes.
/// The pages; `upload_limit` bounds the body of a file upload (other forms keep axum's 2 MB default).
pub fn routes(upload_limit: usize) -> axum::Router<AppState> {
    let upload = || axum::extract::DefaultBodyLimit::max(upload_limit);
    axum::Router::new()
        .route("/", get(home::home))
        .route("/login", get(signin::login_form).post(signin::login))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/logout", post(signin::logout))
        .route("/prefs", get(signin::prefs))
        .route("/static/tokens.css", get(|| css(include_str!("../../static/tokens.css"))))
        .route("/static/app.css", get(|| css(include_str!("../../static/app.css"))))
        .route("/static/book.css", get(|| css(haibun_sheets::book::BOOK_CSS)))
        .route("/years/{fy}/packages/{ministry}", get(package::package))
        .route("/years/{fy}/packages/{ministry}/action", post(package::package_action))
        .route("/years/{fy}/packages/{ministry}/hearing", post(package::hearing))
        .route("/years/{fy}/packages/{ministry}/instruct", post(package::instruct))
        .route("/instructions/{id}/answer", post(package::answer))
        .route("/years/{fy}/compile", get(compile::compilation))
        .route("/years/{fy}/book", get(compile::book))
        .route("/years/{fy}/fund", get(fund::fund))
        .route("/years/{fy}/fund/rounds/{id}", get(fund::round))
        .route("/years/{fy}/fund/pool", post(fund_forms::pool))
        .route("/years/{fy}/fund/rounds", post(fund_forms::open_round))
        .route("/years/{fy}/fund/emergency", post(fund_forms::emergency))
        .route("/years/{fy}/fund/rounds/{id}/decide", post(fund_forms::decide))
        .route("/years/{fy}/fund/rounds/{id}/review", post(fund_forms::review))
        .route("/years/{fy}/fund/rounds/{id}/check", post(fund_forms::check))
        .route("/years/{fy}/fund/rounds/{id}/proposals", post(fund_forms::propose))
        .route(
            "/years/{fy}/fund/rounds/{id}/proposals/{proposal}/attachments",
            post(fund_forms::attach)
                .layer(axum::extract::DefaultBodyLimit::max(haibun_service::MAX_ATTACHMENT + 65_536)),
        )
        .route("/years/{fy}/fund/rounds/{id}/proposals/{proposal}/score", post(fund_forms::score))
        .route("/years/{fy}/fund/rounds/{id}/allocations/{allocation}/outcome", post(fund_forms::outcome))
        .route("/years/{fy}/fund/rounds/{id}/attachments/{attachment}", get(fund_forms::attachment))
        .route("/years/{fy}/fund/rounds/{id}/execution-plan", get(fund_forms::execution_plan))
        .route("/years/{fy}/measures", get(pdca::measures).post(pdca_forms::add_measure))
        .route("/years/{fy}/measures/{code}", get(pdca::measure))
        .route("/years/{fy}/measures/{code}/kpis", post(pdca_forms::add_kpi))
        .route("/years/{fy}/measures/{code}/lines", post(pdca_forms::link_line))
        .route("/years/{fy}/followup", post(pdca_forms::open_round))
        .route("/years/{fy}/open-next", post(pdca_forms::open_next))
        .route("/followup/{id}", get(pdca::followup))
        .route("/followup/{id}/report", post(pdca_forms::report))
        .route("/followup/{id}/evaluate", post(pdca_forms::evaluate))
        .route("/followup/{id}/action", post(pdca_forms::action))
        .route("/followup/{id}/close", post(pdca_forms::close))
        .route("/years/{fy}/packages/{ministry}/lines/{line_id}/respond", post(pdca_forms::respond))
        .route("/years/{fy}/evidence", get(evidence::page).post(evidence::upload).layer(upload()))
        .route("/years/{fy}/evidence/report", get(evidence::report))
        .route("/years/{fy}/policy", get(evidence::policy_page))
        .route("/years/{fy}/policy/cite", post(evidence::cite))
        .route("/help", get(help::index))
        .route("/help/{name}", get(help::page))
        .route("/help/screenshots/{file}", get(help::screenshot))
        .route("/years/{fy}/opendata", get(opendata::page).post(opendata::download))
        .route("/years/{fy}/check", get(review::check))
        .route("/years/{fy}/overlaps", get(review::overlaps))
        .route("/years/{fy}/overlaps/decide", post(review::decide_overlap))
        .route("/years/{fy}/snapshot", post(compile::snapshot))
        .route("/years/{fy}/import", get(import::import_form).post(import::import).layer(upload()))
        .route("/years/{fy}/template.xlsx", get(import::template))
        .route("/audit", get(audit::audit))
        .route("/admin", get(crate::admin::page))
        .route("/admin/users", post(crate::admin::add_user))
        .route("/admin/calendar", post(crate::admin::set_calendar))
        .route("/years/{fy}/charts", get(crate::charts::page))
        .route("/years/{fy}/compile/lines", get(crate::drill::page))
        .route("/years/{fy}/packages/{ministry}/lines", post(crate::lines::create))
        .route("/years/{fy}/packages/{ministry}/lines/new", get(crate::lines::new_form))
        .route("/years/{fy}/packages/{ministry}/lines/{line_id}", get(crate::lines::show).post(crate::lines::update))
        .route("/years/{fy}/packages/{ministry}/lines/{line_id}/suggestions", post(crate::lines::suggestion))
}

/// Ready when the database answers and its schema is current: 200, else 503; JSON either way.
async fn readyz(axum::extract::State(st): axum::extract::State<AppState>) -> Response {
    let r = st.svc.readiness().await;
    let status = if r.ready { axum::http::StatusCode::OK } else { axum::http::StatusCode::SERVICE_UNAVAILABLE };
    (status, axum::Json(r)).into_response()
}

async fn css(body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], body)
        .into_response()
}

/// What every page's frame needs: the language, the unit, who is signed in, and the CSRF token.
#[derive(Debug, Clone)]
pub struct Chrome {
    /// Language.
    pub lang: Lang,
    /// Unit for amounts.
    pub unit: ShowUnit,
    /// Signed-in user's name, role and CSRF token.
    pub user: Option<(String, String, String)>,
    /// The current path, to come back to after changing a preference.
    pub here: String,
}

impl Chrome {
    /// The frame for a signed-in viewer on the page at `here`.
    pub fn of(v: &Viewer, here: impl Into<String>) -> Chrome {
        let role = format!(
            "{}{}",
            v.actor.role.name_ja(),
            v.actor.ministry.as_deref().map(|m| format!("・{m}")).unwrap_or_default()
        );
        Chrome {
            lang: v.lang,
            unit: v.unit,
            user: Some((v.actor.name.clone(), role, v.csrf.clone())),
            here: here.into(),
        }
    }

    /// Japanese or English, as the reader chose.
    pub fn t<'a>(&self, ja: &'a str, en: &'a str) -> &'a str {
        if self.lang == Lang::En { en } else { ja }
    }

    /// An amount in the reader's unit.
    pub fn yen<Y: std::borrow::Borrow<haibun_domain::Yen>>(&self, y: Y) -> String {
        self.unit.show(*y.borrow())
    }

    /// The unit's label.
    pub fn unit_label(&self) -> &'static str {
        self.unit.label()
    }

    /// The CSRF token for forms.
    pub fn csrf(&self) -> &str {
        self.user.as_ref().map_or("", |u| u.2.as_str())
    }

    /// A compilation's stage or a snapshot's status in words, its code beside them in Japanese
    /// (`取りまとめ済（compiled）`).
    pub fn stage(&self, code: &str) -> String {
        let (ja, en) = match code {
            "requested" => ("要求（現在）", "requested"),
            "compiled" => ("取りまとめ済", "compiled"),
            "submitted" => ("財政当局へ提出済", "submitted"),
            "settled" => ("確定", "settled"),
            other => (other, other),
        };
        if self.lang == Lang::En || ja == code { en.to_string() } else { format!("{ja}（{code}）") }
    }

    /// A PDCA code (a KPI's kind, an evaluation, a line action) in words, its code beside them
    /// in Japanese (`順調（on-track）`); an unknown code as it is.
    pub fn pdca(&self, code: &str) -> String {
        use haibun_domain::pdca::{Evaluation, KpiKind, LineAction};
        let ja = Evaluation::parse(code)
            .map(Evaluation::name_ja)
            .or_else(|| LineAction::parse(code).map(LineAction::name_ja))
            .or_else(|| KpiKind::parse(code).map(KpiKind::name_ja));
        match ja {
            Some(ja) if self.lang != Lang::En => format!("{ja}（{code}）"),
            _ => code.to_string(),
        }
    }

    /// A fiscal year as 令和5年度 (FY2023).
    pub fn year(&self, fy: &FiscalYear) -> String {
        format!("{}（FY{}）", fy.era_label(), fy.year())
    }
}

/// The error page.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    /// Status and code.
    pub title: String,
    /// What went wrong.
    pub message: String,
    /// Input problems, if any.
    pub problems: Vec<haibun_domain::Problem>,
}

/// Renders a template, or a plain 500 if it cannot be.
pub fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

fn fy_of(raw: i64, lang: Lang) -> Result<FiscalYear, Response> {
    FiscalYear::try_from(raw).map_err(|e| page_error(ServiceError::not_found(e.to_string(), e.to_string()), lang))
}

/// Whether the viewer's role may take a year-wide action (to offer its form; the service decides).
fn may(v: &Viewer, action: haibun_domain::workflow::YearAction) -> bool {
    action.roles().contains(&v.actor.role)
}

/// The fields of an urlencoded form body, repeated names kept in order.
fn fields(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}

/// The first value of a field, or empty.
fn field<'a>(f: &'a [(String, String)], name: &str) -> &'a str {
    f.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
}

/// The CSRF check and the fiscal year of a form post, in that order.
fn guarded(v: &Viewer, csrf: &str, fy: i64) -> Result<FiscalYear, Response> {
    csrf_ok(v, csrf)?;
    fy_of(fy, v.lang)
}

fn csrf_ok(v: &Viewer, sent: &str) -> Result<(), Response> {
    if sent == v.csrf {
        Ok(())
    } else {
        Err(page_error(
            ServiceError::Forbidden("CSRF トークンが一致しません / the CSRF token does not match".into()),
            v.lang,
        ))
    }
}

/// The year shown when none is named: the newest built-in policy's.
fn current_year() -> FiscalYear {
    FiscalYear::try_from(haibun_domain::policy::BUILTIN.last().map_or(2023, |b| b.0)).expect("built-in year")
}

/// A cross-tab row: code, label, amounts.
type Labelled = (String, String, Amounts);

fn labelled(policy: &Policy, kind: Kind, rows: &[haibun_domain::compile::KeyRow]) -> Vec<Labelled> {
    let label = |k: &str| match k {
        "NONE" => "（統合プロジェクト外）".to_string(),
        "UNASSIGNED" => "（未設定）".to_string(),
        k => policy.label_ja(kind, k).to_string(),
    };
    rows.iter().map(|r| (r.key.clone(), label(&r.key), r.amounts)).collect()
}

/// A multipart form read whole and its CSRF token checked: its text fields in order, and its
/// `file` part (name and bytes; empty when none was sent). A part over the route's body limit, a
/// malformed body or a wrong token is the response to send instead.
async fn multipart_form(
    v: &Viewer,
    mut multipart: axum::extract::Multipart,
) -> Result<(Vec<(String, String)>, String, Vec<u8>), Response> {
    let mut form = Vec::new();
    let (mut file_name, mut bytes) = (String::new(), Vec::new());
    loop {
        match multipart.next_field().await {
            Ok(Some(part)) => {
                let name = part.name().unwrap_or_default().to_string();
                if name == "file" {
                    file_name = part.file_name().unwrap_or_default().to_string();
                    match part.bytes().await {
                        Ok(b) => bytes = b.to_vec(),
                        Err(e) => return Err((e.status(), e.body_text()).into_response()),
                    }
                } else {
                    form.push((name, part.text().await.unwrap_or_default()));
                }
            }
            Ok(None) => {
                csrf_ok(v, field(&form, "csrf"))?;
                return Ok((form, file_name, bytes));
            }
            // Over the body limit is 413, refused as the stream passes the limit; malformed is 400.
            Err(e) => return Err((e.status(), e.body_text()).into_response()),
        }
    }
}

/// The MIME type of a workbook.
pub(crate) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Bytes as a download named `file_name`.
pub(crate) fn attachment(content_type: &str, file_name: &str, bytes: impl Into<axum::body::Body>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file_name}\"")),
        ],
        bytes.into(),
    )
        .into_response()
}

/// A document of tables as a download: `xlsx` (the default) as an attachment named `file_stem`,
/// or `html` as a printable page on the linked style sheets.
fn printable_response(doc: &haibun_service::Printable, format: Option<&str>, file_stem: &str, lang: Lang) -> Response {
    match format.unwrap_or("xlsx") {
        "xlsx" => match haibun_sheets::book::write_xlsx(doc.document()) {
            Ok(bytes) => attachment(XLSX, &format!("{file_stem}.xlsx"), bytes),
            Err(e) => page_error(ServiceError::Internal(e.into()), lang),
        },
        "html" => {
            let style = haibun_sheets::book::BookStyle::Linked(&["/static/tokens.css", "/static/book.css"]);
            (
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                haibun_sheets::book::write_html(doc.document(), style),
            )
                .into_response()
        }
        _ => page_error(
            ServiceError::invalid(
                haibun_domain::ProblemCode::InvalidArgument,
                "format",
                "形式は xlsx か html です",
                "format must be xlsx or html",
            ),
            lang,
        ),
    }
}

/// A form that carries only its CSRF token.
#[derive(Deserialize)]
struct CsrfForm {
    csrf: String,
}
