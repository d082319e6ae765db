//! The web application under test: a real SQLite database with MEXT's lines, a user of every
//! role (password `password-of-NAME`, an API token each) and the real router.

#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use haibun_domain::workflow::Role;
use haibun_domain::{FiscalYear, Unit};
use haibun_service::{Actor, ImportRequest, Service};
use haibun_testkit::{Db, TestDb, fy2023, lines_for, workbook};
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
