//! The web, attacked through the real router on the demo: a planted session id is never adopted
//! and a signed-out session is dead; every page answers with the security headers; file routes
//! refuse path traversal; an oversized upload gets 413 and writes nothing; and a ministry user
//! reads no other ministry's draft lines through any API read route of the OpenAPI document or any
//! page, download or export. Each on SQLite and on PostgreSQL.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::*;

fn get(cookie: &str, uri: &str) -> Request<Body> {
    Request::builder().uri(uri).header(header::COOKIE, cookie).body(Body::empty()).unwrap()
}

async fn sessions_cannot_be_planted_or_outlive_sign_out(db: Db) {
    let app = demo_app_on(db).await;
    // An attacker plants a session id in the victim's browser before the victim signs in.
    let planted = "haibun_session=attacker-chosen-session-id";
    let req = Request::builder()
        .method("POST")
        .uri("/login")
        .header(header::COOKIE, planted)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("name=co-yamada&password={}", haibun_service::demo::demo_password("co-yamada"))))
        .unwrap();
    let (s, _, h) = app.call(req).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let set = h.get(header::SET_COOKIE).unwrap().to_str().unwrap().to_string();
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax"), "{set}");
    let fresh = set.split(';').next().unwrap().to_string();
    assert_ne!(fresh, planted, "a new id is issued at sign-in");
    assert_eq!(app.call(get(planted, "/")).await.0, StatusCode::SEE_OTHER, "the planted id signs nobody in");
    let (s, home, _) = app.call(get(&fresh, "/")).await;
    assert_eq!(s, StatusCode::OK);
    // Signed out, the id is dead on the server, not only in the browser.
    let csrf = home.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let out = Request::builder()
        .method("POST")
        .uri("/logout")
        .header(header::COOKIE, &fresh)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("csrf={csrf}")))
        .unwrap();
    assert_eq!(app.call(out).await.0, StatusCode::SEE_OTHER);
    let (s, _, h) = app.call(get(&fresh, "/years/2023/compile")).await;
    assert_eq!((s, h.get(header::LOCATION).map(|l| l.to_str().unwrap())), (StatusCode::SEE_OTHER, Some("/login")));
}

/// Pages HQ opens on the demo.
const PAGES: [&str; 16] = [
    "/",
    "/years/2023/compile",
    "/years/2023/charts",
    "/years/2023/check",
    "/years/2023/overlaps",
    "/years/2023/fund",
    "/years/2023/measures",
    "/years/2023/evidence",
    "/years/2023/policy",
    "/years/2023/import",
    "/years/2023/packages/MEXT",
    "/followup/1",
    "/audit",
    "/login",
    "/years/2023/book?format=html",
    "/years/2023/evidence/report?format=html",
];

async fn every_page_carries_the_security_headers_and_files_refuse_traversal(db: Db) {
    let app = demo_app_on(db).await;
    let hq = Browser::demo(&app, "hq-kobayashi").await;
    for page in PAGES {
        let (s, h, _) = hq.get_raw(page).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        let csp = h.get(header::CONTENT_SECURITY_POLICY).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
        assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"), "{page}: {csp}");
        assert_eq!(h.get(header::X_FRAME_OPTIONS).unwrap(), "DENY", "{page}");
        assert_eq!(h.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(), "nosniff", "{page}");
    }
    for uri in [
        "/static/../Cargo.toml",
        "/static/%2e%2e/%2e%2e/Cargo.toml",
        "/static/..%2f..%2fCargo.toml",
        "/years/2023/fund/rounds/1/attachments/..%2f..%2fCargo.toml",
        "/years/2023/fund/rounds/1/attachments/1%2f..%2f..",
        "/years/2023/template.xlsx/../../../etc/passwd",
    ] {
        let (s, _, body) = hq.get_raw(uri).await;
        assert!(s.is_client_error(), "{uri}: {s}");
        let text = String::from_utf8_lossy(&body);
        assert!(!text.contains("[workspace]") && !text.contains("root:"), "{uri} leaked a file");
    }
}

async fn an_upload_over_the_limit_gets_413_and_writes_nothing(db: Db) {
    // Under the default limit (64 MiB) a 3 MiB upload is read, and refused for what it holds.
    let app = demo_app_on(db).await;
    let mext = Browser::demo(&app, "mext-tanaka").await;
    let s = mext.upload("/years/2023/import", "big.csv", &vec![b'a'; 3 * 1024 * 1024]).await;
    assert!(s != StatusCode::PAYLOAD_TOO_LARGE && !s.is_server_error(), "{s}");
    // The deployment's limit (`--max-file-mib 1`) bounds every upload route.
    let mut app = demo_app_on(db).await;
    let limits = haibun_service::Limits { file_bytes: 1 << 20, ..Default::default() };
    app.router = haibun_web::router(app.svc.clone().with_limits(limits));
    let mext = Browser::demo(&app, "mext-tanaka").await;
    let events = app.svc.audit_events(&haibun_service::Actor::system(), None).await.unwrap().len();
    let big = vec![b'a'; 3 * 1024 * 1024];
    for uri in ["/years/2023/import", "/years/2023/evidence"] {
        let s = mext.upload(uri, "big.csv", &big).await;
        assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{uri}");
    }
    assert_eq!(app.svc.audit_events(&haibun_service::Actor::system(), None).await.unwrap().len(), events);
    // The API's raw-body import, with a token (whose creation is itself an audited event).
    let actor = app.svc.actor(Some("mext-tanaka")).await.unwrap();
    let token = app.svc.create_api_token(&actor, "test").await.unwrap();
    let events = app.svc.audit_events(&haibun_service::Actor::system(), None).await.unwrap().len();
    let req = Request::builder()
        .method("POST")
        .uri("/api/v1/years/2023/imports?ministry=MEXT")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .body(Body::from(big.clone()))
        .unwrap();
    assert_eq!(app.call(req).await.0, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(app.svc.audit_events(&haibun_service::Actor::system(), None).await.unwrap().len(), events);
}

async fn a_ministry_reads_no_other_ministrys_drafts_through_any_route(db: Db) {
    let app = demo_app_on(db).await;
    let admin = haibun_service::Actor::system();
    // MHLW's lines and their names, which MEXT's user must never see.
    // (Ids are the ministry's own; the demo's names repeat across ministries, so only names no
    // other ministry uses count.)
    let mhlw = app.svc.lines(&admin, fy(), Some("MHLW")).await.unwrap();
    let others = app.svc.lines(&admin, fy(), None).await.unwrap();
    let mut secret: Vec<String> = mhlw.iter().map(|l| l.line_id.to_string()).collect();
    secret.extend(
        mhlw.iter().filter(|l| others.iter().all(|o| o.ministry == "MHLW" || o.name != l.name)).map(|l| l.name.clone()),
    );
    assert!(secret.len() > mhlw.len(), "some MHLW names are its own");
    let line = mhlw[0].line_id.to_string();
    let mext = Browser::demo(&app, "mext-tanaka").await;
    // Every API read route of the OpenAPI document, with MHLW and its line filled in.
    let (_, doc) = mext.get("/api/v1/openapi.json").await;
    let doc: serde_json::Value = serde_json::from_str(&doc).unwrap();
    let mut uris: Vec<String> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, ops)| ops.get("get").is_some())
        .map(|(path, _)| {
            path.replace("{fy}", "2023")
                .replace("{ministry}", "MHLW")
                .replace("{line_id}", &line)
                .replace("{id}", "1")
                .replace("{snapshot_id}", "1")
                + "?ministry=MHLW"
        })
        .collect();
    uris.extend(
        [
            "/years/2023/packages/MHLW",
            "/years/2023/packages/MHLW/lines/{line}",
            "/years/2023/compile",
            "/years/2023/compile/lines?ministry=MHLW",
            "/years/2023/book?format=html",
            "/years/2023/book?format=csv",
            "/years/2023/check",
            "/years/2023/overlaps",
            "/years/2023/evidence",
            "/years/2023/measures",
            "/followup/1",
            "/audit",
        ]
        .iter()
        .map(|u| u.replace("{line}", &line)),
    );
    let mut read = 0;
    for uri in &uris {
        let (s, _, body) = mext.get_raw(uri).await;
        let text = String::from_utf8_lossy(&body);
        for name in &secret {
            assert!(!text.contains(name.as_str()), "{uri} ({s}) shows MHLW's draft line {name}");
        }
        read += 1;
    }
    assert!(read >= 20, "{read} routes tried");
    // The same routes do show them to HQ: the search looks where the lines would be.
    let hq = Browser::demo(&app, "hq-kobayashi").await;
    let (_, page) = hq.get("/years/2023/packages/MHLW").await;
    assert!(secret.iter().any(|s| page.contains(s.as_str())), "HQ sees MHLW's lines");
}

/// Each attack once per database.
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[tokio::test] async fn $name() { super::$name(super::Db::Sqlite).await } )*
        }
        mod postgres {
            $( #[tokio::test] async fn $name() { super::$name(super::Db::Postgres).await } )*
        }
    };
}

on_both_databases!(
    sessions_cannot_be_planted_or_outlive_sign_out,
    every_page_carries_the_security_headers_and_files_refuse_traversal,
    an_upload_over_the_limit_gets_413_and_writes_nothing,
    a_ministry_reads_no_other_ministrys_drafts_through_any_route,
);
