//! The web application under test: a real SQLite database with MEXT's lines, a user of every
//! role (password `password-of-NAME`, an API token each) and the real router; or the demo behind
//! it ([`demo_app`]); and a signed-in [`Browser`] that gets pages and posts forms.

#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use haibun_domain::workflow::Role;
use haibun_domain::{FiscalYear, Unit};
use haibun_service::{Actor, ImportRequest, Service};
pub use haibun_testkit::Db;
use haibun_testkit::{TestDb, fy2023, lines_for, workbook};
use http_body_util::BodyExt;
use tower::ServiceExt;

pub const USERS: &[(&str, Role, Option<&str>)] = &[
    ("mext", Role::Ministry, Some("MEXT")),
    ("mhlw", Role::Ministry, Some("MHLW")),
    ("co", Role::CabinetOffice, None),
    ("hq", Role::Hq, None),
    ("mof", Role::Fiscal, None),
    ("amed", Role::AmedPd, None),
    ("viewer", Role::Viewer, None),
    ("admin", Role::Admin, None),
];

pub struct App {
    pub _db: TestDb,
    pub svc: Service,
    pub router: Router,
    pub tokens: Vec<(String, String)>,
}

pub fn fy() -> FiscalYear {
    FiscalYear::try_from(2023).unwrap()
}

pub async fn app() -> App {
    let db = TestDb::new(Db::Sqlite);
    let svc = Service::open(&db.url, true).await.unwrap();
    let admin = Actor::system();
    svc.init(&admin, fy()).await.unwrap();
    let policy = fy2023();
    let bytes = workbook(&policy, "MEXT", Unit::ThousandYen, &lines_for(&policy, "MEXT", 3, 3));
    svc.import(
        &admin,
        ImportRequest { fiscal_year: fy(), ministry: "MEXT", file_name: "m.xlsx", bytes: &bytes, unit: None },
    )
    .await
    .unwrap();
    let mut tokens = Vec::new();
    for (name, role, ministry) in USERS {
        svc.add_user(&admin, name, *role, *ministry).await.unwrap();
        svc.set_password(&admin, name, &format!("password-of-{name}")).await.unwrap();
        let actor = svc.actor(Some(name)).await.unwrap();
        tokens.push((name.to_string(), svc.create_api_token(&actor, "test").await.unwrap()));
    }
    App { router: haibun_web::router(svc.clone()), _db: db, svc, tokens }
}

impl App {
    pub fn token(&self, name: &str) -> &str {
        &self.tokens.iter().find(|(n, _)| n == name).unwrap().1
    }

    pub async fn call(&self, req: Request<Body>) -> (StatusCode, String, axum::http::HeaderMap) {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let (status, headers) = (res.status(), res.headers().clone());
        let body = res.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8_lossy(&body).into_owned(), headers)
    }

    pub async fn api(&self, method: &str, path: &str, who: Option<&str>, body: &str) -> (StatusCode, String) {
        let mut req = Request::builder().method(method).uri(path).header(header::CONTENT_TYPE, "application/json");
        if let Some(w) = who {
            req = req.header(header::AUTHORIZATION, format!("Bearer {}", self.token(w)));
        }
        let (s, b, _) = self.call(req.body(Body::from(body.to_string())).unwrap()).await;
        (s, b)
    }

    pub async fn sign_in(&self, name: &str, password: &str) -> (StatusCode, Option<String>) {
        let req = Request::builder()
            .method("POST")
            .uri("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("name={name}&password={password}")))
            .unwrap();
        let (s, _, h) = self.call(req).await;
        let cookie =
            h.get(header::SET_COOKIE).and_then(|v| v.to_str().ok()).map(|c| c.split(';').next().unwrap().to_string());
        (s, cookie)
    }
}

/// The demo loaded into a fresh SQLite database, behind the real router.
pub async fn demo_app() -> App {
    demo_app_on(Db::Sqlite).await
}

/// The demo loaded into a fresh database of either kind, behind the real router.
pub async fn demo_app_on(db: Db) -> App {
    // Making a PostgreSQL test database blocks on a runtime of its own: off this one.
    let db = tokio::task::spawn_blocking(move || TestDb::new(db)).await.unwrap();
    let svc = Service::open(&db.url, true).await.unwrap();
    svc.init(&Actor::system(), fy()).await.unwrap();
    svc.load_demo(&Actor::system(), fy(), &haibun_service::today()).await.unwrap();
    App { router: haibun_web::router(svc.clone()), _db: db, svc, tokens: Vec::new() }
}

/// A signed-in browser: its session cookie and CSRF token.
pub struct Browser<'a> {
    pub app: &'a App,
    pub cookie: String,
    pub csrf: String,
}

impl<'a> Browser<'a> {
    /// Signs in a user of [`app`] (password `password-of-NAME`).
    pub async fn sign_in(app: &'a App, name: &str) -> Browser<'a> {
        Browser::with_password(app, name, &format!("password-of-{name}")).await
    }

    /// Signs in a user of [`demo_app`].
    pub async fn demo(app: &'a App, name: &str) -> Browser<'a> {
        Browser::with_password(app, name, &haibun_service::demo::demo_password(name)).await
    }

    async fn with_password(app: &'a App, name: &str, password: &str) -> Browser<'a> {
        let (_, cookie) = app.sign_in(name, password).await;
        let mut b = Browser { app, cookie: cookie.expect("signed in"), csrf: String::new() };
        let (_, html) = b.get("/").await;
        b.csrf = html
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .map(|s| s.split('"').next().unwrap().to_string())
            .unwrap_or_default();
        b
    }

    pub async fn get(&self, uri: &str) -> (StatusCode, String) {
        let req = Request::builder().uri(uri).header(header::COOKIE, &self.cookie).body(Body::empty()).unwrap();
        let (s, body, _) = self.app.call(req).await;
        (s, body)
    }

    pub async fn get_raw(&self, uri: &str) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        use http_body_util::BodyExt;
        use tower::ServiceExt;
        let req = Request::builder().uri(uri).header(header::COOKIE, &self.cookie).body(Body::empty()).unwrap();
        let res = self.app.router.clone().oneshot(req).await.unwrap();
        let (status, headers) = (res.status(), res.headers().clone());
        (status, headers, res.into_body().collect().await.unwrap().to_bytes().to_vec())
    }

    /// Posts a form (the CSRF token first), returning the status and the redirect's target.
    pub async fn post(&self, uri: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
        let mut body = form_urlencoded::Serializer::new(String::new());
        body.append_pair("csrf", &self.csrf);
        for (k, v) in fields {
            body.append_pair(k, v);
        }
        let req = Request::builder()
            .method("POST")
            .uri(uri)
            .header(header::COOKIE, &self.cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body.finish()))
            .unwrap();
        let (s, body, h) = self.app.call(req).await;
        let location = h.get(header::LOCATION).map(|l| l.to_str().unwrap().to_string());
        (s, location.unwrap_or(body))
    }

    /// Uploads a file as multipart, with the CSRF token.
    pub async fn upload(&self, uri: &str, file_name: &str, bytes: &[u8]) -> StatusCode {
        let boundary = "haibun-test-boundary";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n",
            self.csrf
        )
        .into_bytes();
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let req = Request::builder()
            .method("POST")
            .uri(uri)
            .header(header::COOKIE, &self.cookie)
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .body(Body::from(body))
            .unwrap();
        self.app.call(req).await.0
    }
}
