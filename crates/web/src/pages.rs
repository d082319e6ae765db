//! The HTML pages. Each handler calls service use cases and renders one auto-escaping template.

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use haibun_domain::compile::Amounts;
use haibun_domain::policy::Kind;
use haibun_domain::workflow::{Action, Role, Status};
use haibun_domain::{Compilation, FiscalYear, Policy, Unit};
use haibun_service::{
    AnswerRow, HearingInput, ImportRequest, InstructionInput, InstructionRow, PackageStatus, ServiceError, StoredLine,
};
use serde::Deserialize;

use crate::AppState;
use crate::error::page_error;
use crate::format::ShowUnit;
use crate::session::{Lang, SESSION_COOKIE, Viewer, is_tls, preferences};

/// The page routes.
pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/", get(home))
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/prefs", get(prefs))
        .route("/static/tokens.css", get(|| css(include_str!("../static/tokens.css"))))
        .route("/static/app.css", get(|| css(include_str!("../static/app.css"))))
        .route("/years/{fy}/packages/{ministry}", get(package))
        .route("/years/{fy}/packages/{ministry}/action", post(package_action))
        .route("/years/{fy}/packages/{ministry}/hearing", post(hearing))
        .route("/years/{fy}/packages/{ministry}/instruct", post(instruct))
        .route("/instructions/{id}/answer", post(answer))
        .route("/years/{fy}/compile", get(compilation))
        .route("/years/{fy}/snapshot", post(snapshot))
        .route("/years/{fy}/import", get(import_form).post(import))
        .route("/years/{fy}/template.xlsx", get(template))
        .route("/audit", get(audit))
        .route("/admin", get(crate::admin::page))
        .route("/admin/users", post(crate::admin::add_user))
        .route("/admin/calendar", post(crate::admin::set_calendar))
        .route("/years/{fy}/charts", get(crate::charts::page))
        .route("/years/{fy}/compile/lines", get(crate::drill::page))
        .route("/years/{fy}/packages/{ministry}/lines", post(crate::lines::create))
        .route("/years/{fy}/packages/{ministry}/lines/new", get(crate::lines::new_form))
        .route("/years/{fy}/packages/{ministry}/lines/{line_id}", get(crate::lines::show).post(crate::lines::update))
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

// ---------------------------------------------------------------- sign-in

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    c: Chrome,
    error: Option<String>,
}

async fn login_form(headers: HeaderMap) -> Response {
    let (lang, unit) = preferences(&headers);
    render(&LoginPage { c: Chrome { lang, unit, user: None, here: "/login".into() }, error: None })
}

#[derive(Deserialize)]
struct LoginForm {
    name: String,
    password: String,
}

async fn login(State(st): State<AppState>, headers: HeaderMap, req: axum::extract::Request) -> Response {
    let address = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map_or_else(|| "unknown".to_string(), |c| c.0.ip().to_string());
    let (lang, unit) = preferences(&headers);
    let Ok(Form(form)) = Form::<LoginForm>::from_request(req, &st).await else {
        return (StatusCode::BAD_REQUEST, "bad form").into_response();
    };
    match st.svc.sign_in(form.name.trim(), &form.password, &address).await {
        Ok(signed) => {
            let secure = if is_tls(&headers) { "; Secure" } else { "" };
            let cookie =
                format!("{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age=28800{secure}", signed.token);
            ([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response()
        }
        Err(e @ (ServiceError::Unauthenticated(_) | ServiceError::RateLimited(_))) => {
            let status = crate::error::status_of(&e);
            let msg = e.to_string();
            let c = Chrome { lang, unit, user: None, here: "/login".into() };
            let (ja, en) = msg.split_once(" / ").unwrap_or((&msg, &msg));
            let error = Some(c.t(ja, en).to_string());
            (status, render(&LoginPage { c, error })).into_response()
        }
        Err(e) => page_error(e, lang),
    }
}

use axum::extract::FromRequest;

#[derive(Deserialize)]
struct CsrfForm {
    csrf: String,
}

async fn logout(State(st): State<AppState>, v: Viewer, Form(f): Form<CsrfForm>) -> Response {
    if let Err(r) = csrf_ok(&v, &f.csrf) {
        return r;
    }
    let session = haibun_service::Session { actor: v.actor.clone(), csrf: v.csrf.clone() };
    if let Err(e) = st.svc.sign_out(&session, &v.token).await {
        return page_error(e, v.lang);
    }
    (
        [(header::SET_COOKIE, format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"))],
        Redirect::to("/login"),
    )
        .into_response()
}

#[derive(Deserialize)]
struct Prefs {
    lang: Option<String>,
    unit: Option<String>,
    back: Option<String>,
}

async fn prefs(Query(p): Query<Prefs>) -> Response {
    let mut cookies = Vec::new();
    if let Some(l) = p.lang.filter(|l| l == "ja" || l == "en") {
        cookies.push((header::SET_COOKIE, format!("haibun_lang={l}; Path=/; SameSite=Lax; Max-Age=31536000")));
    }
    if let Some(u) = p.unit.filter(|u| ShowUnit::parse(u).is_some()) {
        cookies.push((header::SET_COOKIE, format!("haibun_unit={u}; Path=/; SameSite=Lax; Max-Age=31536000")));
    }
    // Only a local path may be the way back, never another site.
    let back = p.back.filter(|b| b.starts_with('/') && !b.starts_with("//")).unwrap_or_else(|| "/".into());
    let mut res = Redirect::to(&back).into_response();
    for (k, v) in cookies {
        if let Ok(v) = v.parse() {
            res.headers_mut().append(k, v);
        }
    }
    res
}

// ---------------------------------------------------------------- home: my tasks and the year

/// The year shown when none is named: the newest built-in policy's.
fn current_year() -> FiscalYear {
    FiscalYear::try_from(haibun_domain::policy::BUILTIN.last().map_or(2023, |b| b.0)).expect("built-in year")
}

struct Task {
    text: String,
    link: String,
    due: Option<String>,
    overdue: bool,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    c: Chrome,
    fy: FiscalYear,
    tasks: Vec<Task>,
    packages: Vec<PackageStatus>,
    calendar: Option<haibun_service::CalendarRow>,
    snapshot: Option<haibun_service::SnapshotRow>,
    by_ministry: Vec<(String, String, Amounts)>,
    by_project: Vec<(String, String, Amounts)>,
    total: Amounts,
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

async fn home(State(st): State<AppState>, v: Viewer) -> Response {
    let fy = current_year();
    let c = Chrome::of(&v, "/");
    let result = async {
        let status = st.svc.status(&v.actor, fy, &haibun_service::today()).await?;
        let policy = st.svc.policy(fy).await?;
        let compiled = st.svc.compile(&v.actor, fy).await?;
        let threads = st.svc.instruction_threads(&v.actor, fy, None).await?;
        Ok::<_, ServiceError>((status, policy, compiled, threads))
    }
    .await;
    let (status, policy, compiled, threads) = match result {
        Ok(r) => r,
        Err(e) => return page_error(e, v.lang),
    };
    let tasks = tasks_for(&v, &c, fy, &status.packages, &threads, status.snapshot.as_ref());
    render(&HomePage {
        by_ministry: labelled(&policy, Kind::Ministry, &compiled.by_ministry),
        by_project: labelled(&policy, Kind::Project, &compiled.by_project),
        total: compiled.total,
        c,
        fy,
        tasks,
        packages: status.packages,
        calendar: status.calendar,
        snapshot: status.snapshot,
    })
}

fn tasks_for(
    v: &Viewer,
    c: &Chrome,
    fy: FiscalYear,
    packages: &[PackageStatus],
    threads: &[(InstructionRow, Vec<AnswerRow>)],
    snapshot: Option<&haibun_service::SnapshotRow>,
) -> Vec<Task> {
    let link = |m: &str| format!("/years/{}/packages/{m}", fy.year());
    let mut tasks = Vec::new();
    match v.actor.role {
        Role::Ministry => {
            for p in packages {
                let text = match p.status {
                    Status::Drafting => c.t(
                        "要求を登録し、内閣府へ提出する",
                        "Enter the requests and submit them to the Cabinet Office",
                    ),
                    Status::RevisionInstructed => {
                        c.t("見直し指示に回答し、対応状況を報告する", "Answer the instructions and report back")
                    }
                    _ => continue,
                };
                tasks.push(Task {
                    text: format!("{} — {}", p.ministry, text),
                    link: link(&p.ministry),
                    due: p.due.clone(),
                    overdue: p.overdue,
                });
            }
            for (i, answers) in threads.iter().filter(|(_, a)| a.is_empty()) {
                let _ = answers;
                tasks.push(Task {
                    text: format!("{} #{}: {}", c.t("未回答の指示", "Instruction to answer"), i.id, i.text),
                    link: link(&i.ministry),
                    due: i.due.clone(),
                    overdue: false,
                });
            }
        }
        Role::CabinetOffice | Role::Admin => {
            for p in packages {
                let text = match p.status {
                    Status::Submitted => c.t("ヒアリングを行い記録する", "Hold and record the hearing"),
                    Status::HearingHeld => c.t("見直しを指示するか了解する", "Instruct a revision or consent"),
                    Status::RevisionReported => c.t("対応状況を確認し了解する", "Review the report and consent"),
                    _ => continue,
                };
                tasks.push(Task {
                    text: format!("{} — {}", p.ministry, text),
                    link: link(&p.ministry),
                    due: p.due.clone(),
                    overdue: p.overdue,
                });
            }
        }
        Role::Hq => {
            let waiting = packages.iter().filter(|p| !p.status.is_final()).count();
            let text = if snapshot.is_some() {
                c.t("取りまとめの提出・確定", "Submit or settle the compilation").to_string()
            } else if waiting == 0 {
                c.t(
                    "全府省の了解が揃いました。取りまとめを確定できます",
                    "Every package is consented: the compilation can be frozen",
                )
                .to_string()
            } else {
                format!(
                    "{} {waiting}",
                    c.t("取りまとめ待ち: 未了解の府省", "Before compiling: packages not yet consented:")
                )
            };
            tasks.push(Task { text, link: format!("/years/{}/compile", fy.year()), due: None, overdue: false });
        }
        Role::Fiscal => {
            if snapshot.is_some_and(|s| s.status == "submitted") {
                tasks.push(Task {
                    text: c
                        .t(
                            "提出された取りまとめの査定額を記録する",
                            "Record negotiated amounts for the submitted compilation",
                        )
                        .into(),
                    link: format!("/years/{}/compile", fy.year()),
                    due: None,
                    overdue: false,
                });
            }
        }
        Role::AmedPd | Role::Viewer => {}
    }
    tasks
}

// ---------------------------------------------------------------- package

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
struct SortQuery {
    sort: Option<String>,
    q: Option<String>,
}

async fn package(
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
        Ok::<_, ServiceError>((policy, lines, packages, threads, hearings))
    }
    .await;
    let (policy, lines, packages, threads, hearings) = match result {
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
    })
}

#[derive(Deserialize)]
struct ActionForm {
    csrf: String,
    action: String,
    reason: Option<String>,
}

fn back_to(fy: FiscalYear, ministry: &str) -> Response {
    Redirect::to(&format!("/years/{}/packages/{ministry}", fy.year())).into_response()
}

async fn package_action(
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
struct HearingForm {
    csrf: String,
    date: String,
    place: String,
    attendees: String,
    minutes: String,
}

async fn hearing(
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
struct InstructForm {
    csrf: String,
    line: String,
    text: String,
    target_amount: String,
    due: String,
}

async fn instruct(
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
                    ServiceError::Invalid(vec![haibun_domain::Problem::new(
                        haibun_domain::ProblemCode::NotANumber,
                        haibun_domain::Location::field("target_amount"),
                        "目標額が数値ではありません",
                        "the target amount is not a number",
                    )]),
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
struct AnswerForm {
    csrf: String,
    text: String,
    back: String,
}

async fn answer(State(st): State<AppState>, v: Viewer, Path(id): Path<i64>, Form(f): Form<AnswerForm>) -> Response {
    if let Err(r) = csrf_ok(&v, &f.csrf) {
        return r;
    }
    match st.svc.answer(&v.actor, id, &f.text).await {
        Ok(_) => Redirect::to(if f.back.starts_with("/years/") { &f.back } else { "/" }).into_response(),
        Err(e) => page_error(e, v.lang),
    }
}

// ---------------------------------------------------------------- compilation

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
struct CompileQuery {
    snapshot: Option<i64>,
    format: Option<String>,
}

async fn compilation(
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

async fn snapshot(State(st): State<AppState>, v: Viewer, Path(fy): Path<i64>, Form(f): Form<CsrfForm>) -> Response {
    let fy = match guarded(&v, &f.csrf, fy) {
        Ok(f) => f,
        Err(r) => return r,
    };
    match st.svc.compile_snapshot(&v.actor, fy).await {
        Ok(id) => Redirect::to(&format!("/years/{}/compile?snapshot={id}", fy.year())).into_response(),
        Err(e) => page_error(e, v.lang),
    }
}

// ---------------------------------------------------------------- import

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    c: Chrome,
    fy: FiscalYear,
    ministries: Vec<(String, String)>,
    report: Option<haibun_service::ImportReport>,
    problems: Vec<haibun_domain::Problem>,
}

async fn import_form(State(st): State<AppState>, v: Viewer, Path(fy): Path<i64>) -> Response {
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
    })
}

async fn ministry_choices(st: &AppState, v: &Viewer, fy: FiscalYear) -> Result<Vec<(String, String)>, ServiceError> {
    let policy = st.svc.policy(fy).await?;
    Ok(policy
        .entries(Kind::Ministry)
        .into_iter()
        .filter(|e| v.actor.ministry.as_deref().is_none_or(|m| m == e.code))
        .map(|e| (e.code.to_string(), e.label_ja.to_string()))
        .collect())
}

async fn import(State(st): State<AppState>, v: Viewer, Path(fy): Path<i64>, mut multipart: Multipart) -> Response {
    let fy = match fy_of(fy, v.lang) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let (mut csrf, mut ministry, mut file_name, mut bytes) =
        (String::new(), String::new(), String::from("upload"), Vec::new());
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_string();
                if name == "file" {
                    file_name = field.file_name().unwrap_or("upload").to_string();
                    match field.bytes().await {
                        Ok(b) => bytes = b.to_vec(),
                        Err(_) => return (StatusCode::PAYLOAD_TOO_LARGE, "upload failed").into_response(),
                    }
                } else {
                    let text = field.text().await.unwrap_or_default();
                    match name.as_str() {
                        "csrf" => csrf = text,
                        "ministry" => ministry = text,
                        _ => {}
                    }
                }
            }
            Ok(None) => break,
            Err(_) => return (StatusCode::BAD_REQUEST, "malformed upload").into_response(),
        }
    }
    if let Err(r) = csrf_ok(&v, &csrf) {
        return r;
    }
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
        Ok(report) => render(&ImportPage { c, fy, ministries, report: Some(report), problems: Vec::new() }),
        Err(ServiceError::Invalid(problems)) => {
            (StatusCode::UNPROCESSABLE_ENTITY, render(&ImportPage { c, fy, ministries, report: None, problems }))
                .into_response()
        }
        Err(e) => page_error(e, v.lang),
    }
}

#[derive(Deserialize)]
struct TemplateQuery {
    ministry: Option<String>,
}

async fn template(
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
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"requests.xlsx\""),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => page_error(e, v.lang),
    }
}

// ---------------------------------------------------------------- audit

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    c: Chrome,
    events: Vec<haibun_service::AuditEvent>,
    report: haibun_service::AuditReport,
    filter: String,
}

#[derive(Deserialize)]
struct AuditQuery {
    action: Option<String>,
}

async fn audit(State(st): State<AppState>, v: Viewer, Query(q): Query<AuditQuery>) -> Response {
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
