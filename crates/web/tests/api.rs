//! The web application through its real router: authentication, authorisation by role for every
//! API route, CSRF on forms, 409 on a stale version, and the OpenAPI document against the router.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use haibun_service::{Actor, Service};
use haibun_testkit::{Db, TestDb};
use http_body_util::BodyExt;
use tower::ServiceExt;

mod common;

use common::*;

/// A request body and the roles that may make it: (method, path, body, allowed users).
fn write_routes() -> Vec<(&'static str, &'static str, &'static str, &'static [&'static str])> {
    vec![
        ("POST", "/api/v1/years/2023/packages/MEXT/submit", "", &["mext", "admin"]),
        ("POST", "/api/v1/years/2023/packages/MEXT/report", "", &["mext", "admin"]),
        ("POST", "/api/v1/years/2023/packages/MEXT/consent", "", &["co", "admin"]),
        ("POST", "/api/v1/years/2023/packages/MEXT/exclude", r#"{"reason":"x"}"#, &["co", "hq", "admin"]),
        ("POST", "/api/v1/years/2023/packages/MEXT/hearings", r#"{"date":"2022-09-01"}"#, &["co", "admin"]),
        ("POST", "/api/v1/years/2023/packages/MEXT/instructions", r#"{"text":"x"}"#, &["co", "admin"]),
        ("POST", "/api/v1/instructions/1/answers", r#"{"text":"x"}"#, &["mext", "admin"]),
        (
            "PATCH",
            "/api/v1/years/2023/lines/MEXT/MEXT-0001",
            r#"{"version":1,"fields":{"name":"x"}}"#,
            &["mext", "admin"],
        ),
        ("POST", "/api/v1/years/2023/snapshots", "", &["hq", "admin"]),
        ("POST", "/api/v1/years/2023/snapshots/1/submit", "", &["hq", "admin"]),
        (
            "POST",
            "/api/v1/years/2023/negotiations",
            r#"{"ministry":"MEXT","line_id":"MEXT-0001","amount":1}"#,
            &["mof", "co", "admin"],
        ),
        ("POST", "/api/v1/years/2023/settle", "", &["hq", "admin"]),
        ("GET", "/api/v1/audit/events", "", &["co", "hq", "mof", "amed", "viewer", "admin"]),
        (
            "POST",
            "/api/v1/years/2023/imports?ministry=MEXT&file_name=x.csv",
            "事業番号,事業名,区分,要求額,新規・継続\nN-1,x,INHOUSE,1,継続\n",
            &["mext", "admin"],
        ),
        ("GET", "/api/v1/users", "", &["co", "hq", "mof", "amed", "viewer", "admin"]),
        (
            "POST",
            "/api/v1/years/2023/lines/MEXT",
            r#"{"fields":{"line_id":"N-9","name":"x","channel":"INHOUSE","request":"1","new":"新規"}}"#,
            &["mext", "admin"],
        ),
        ("POST", "/api/v1/users", r#"{"name":"z","role":"viewer","password":"123456789012"}"#, &["admin"]),
        (
            "PUT",
            "/api/v1/years/2023/calendar",
            r#"{"submission_deadline":"2022-08-31","hearing_start":"2022-09-01","hearing_end":"2022-09-15","consent_deadline":"2022-10-31","compilation_date":"2022-11-15"}"#,
            &["co", "hq", "admin"],
        ),
        ("GET", "/api/v1/audit/verify", "", &["co", "hq", "mof", "amed", "viewer", "admin"]),
        ("GET", "/api/v1/years/2023/lines/MEXT/MEXT-0001", "", &["mext", "co", "hq", "mof", "amed", "viewer", "admin"]),
        ("GET", "/api/v1/years/2023/lines?ministry=MEXT", "", &["mext", "co", "hq", "mof", "amed", "viewer", "admin"]),
    ]
}

#[tokio::test]
async fn every_api_route_needs_credentials() {
    let app = app().await;
    for (method, path) in haibun_web::openapi_paths() {
        if path.ends_with("openapi.json") {
            continue;
        }
        let concrete = path
            .replace("{fy}", "2023")
            .replace("{ministry}", "MEXT")
            .replace("{line_id}", "MEXT-0001")
            .replace("{id}", "1")
            .replace("{action}", "submit");
        let (status, body) = app.api(&method, &concrete, None, "{}").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {concrete}: {body}");
        assert!(body.contains("E_UNAUTHENTICATED"));
        let mut req = Request::builder()
            .method(method.as_str())
            .uri(&concrete)
            .header(header::AUTHORIZATION, "Bearer hb_not-a-token");
        req = req.header(header::CONTENT_TYPE, "application/json");
        let (status, _, _) = app.call(req.body(Body::from("{}")).unwrap()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {concrete} with a bad token");
    }
}

#[tokio::test]
async fn each_role_gets_403_on_what_it_may_not_do() {
    let app = app().await;
    // MEXT's package under revision with instruction #1, so every route names something real.
    let admin = Actor::system();
    app.svc.package_action(&admin, fy(), "MEXT", haibun_domain::workflow::Action::Submit, None).await.unwrap();
    app.svc
        .record_hearing(
            &admin,
            fy(),
            "MEXT",
            haibun_service::HearingInput { date: "2022-09-01".into(), ..Default::default() },
        )
        .await
        .unwrap();
    let id = app
        .svc
        .instruct(
            &admin,
            fy(),
            "MEXT",
            haibun_service::InstructionInput { text: "見直し".into(), ..Default::default() },
        )
        .await
        .unwrap();
    assert_eq!(id, 1);
    let before = app.svc.audit_events(&Actor::system(), None).await.unwrap().len();
    let mut checked = 0;
    for (method, path, body, allowed) in write_routes() {
        for (user, _, _) in USERS {
            if allowed.contains(user) {
                continue;
            }
            let (status, text) = app.api(method, path, Some(user), body).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path} as {user}: {text}");
            let json: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(json["code"], "E_FORBIDDEN");
            assert!(
                json["message_ja"].as_str().is_some_and(|m| !m.is_empty())
                    && json["message_en"].as_str().is_some_and(|m| !m.is_empty())
            );
            checked += 1;
        }
    }
    assert!(checked > 60, "{checked} forbidden pairs");
    assert_eq!(
        app.svc.audit_events(&Actor::system(), None).await.unwrap().len(),
        before,
        "no forbidden call wrote an audit event"
    );
    // Every route in the table is one the OpenAPI document lists.
    let listed = haibun_web::openapi_paths();
    for (method, path, _, _) in write_routes() {
        let path = path.split('?').next().unwrap();
        assert!(
            listed.iter().any(|(m, p)| m == method && matches_template(p, path)),
            "{method} {path} is not in the OpenAPI document"
        );
    }
}

fn matches_template(template: &str, path: &str) -> bool {
    let (t, p): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), path.split('/').collect());
    t.len() == p.len() && t.iter().zip(&p).all(|(a, b)| a.starts_with('{') || a == b)
}

#[tokio::test]
async fn a_stale_version_gets_409_and_writes_nothing() {
    let app = app().await;
    let (s, body) = app
        .api(
            "PATCH",
            "/api/v1/years/2023/lines/MEXT/MEXT-0001",
            Some("mext"),
            r#"{"version":1,"fields":{"request":"12345000"}}"#,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let (s, body) = app
        .api(
            "PATCH",
            "/api/v1/years/2023/lines/MEXT/MEXT-0001",
            Some("mext"),
            r#"{"version":1,"fields":{"request":"999"}}"#,
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert!(body.contains("E_CONFLICT"));
    let (_, history) = app.api("GET", "/api/v1/years/2023/lines/MEXT/MEXT-0001", Some("mext"), "").await;
    let history: serde_json::Value = serde_json::from_str(&history).unwrap();
    assert_eq!(history.as_array().unwrap().len(), 2);
    assert_eq!(history[1]["line"]["request"], 12_345_000);
    let (s, body) = app
        .api(
            "PATCH",
            "/api/v1/years/2023/lines/MEXT/MEXT-0001",
            Some("mext"),
            r#"{"version":2,"fields":{"request":"-5"}}"#,
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("E_NEGATIVE_AMOUNT") && body.contains("location"), "{body}");
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused() {
    let app = app().await;
    let (status, cookie) = app.sign_in("mext", "password-of-mext").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let cookie = cookie.expect("a session cookie");
    let form = |csrf: &str| {
        Request::builder()
            .method("POST")
            .uri("/years/2023/packages/MEXT/action")
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("csrf={csrf}&action=submit")))
            .unwrap()
    };
    let (status, body, _) = app.call(form("forged")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let packages = app.svc.packages(&Actor::system(), fy()).await.unwrap();
    assert_eq!(packages[0].status, haibun_domain::workflow::Status::Drafting, "nothing changed");
    // The API with only the session cookie must send the CSRF header for a write.
    let req = Request::builder()
        .method("POST")
        .uri("/api/v1/years/2023/packages/MEXT/submit")
        .header(header::COOKIE, &cookie)
        .body(Body::empty())
        .unwrap();
    let (status, body, _) = app.call(req).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("E_CSRF"));
    // With the token from the page, the form works.
    let page = Request::builder()
        .uri("/years/2023/packages/MEXT")
        .header(header::COOKIE, &cookie)
        .body(Body::empty())
        .unwrap();
    let (_, html, headers) = app.call(page).await;
    assert!(headers.get("content-security-policy").is_some_and(|v| v.to_str().unwrap().contains("script-src 'self'")));
    assert_eq!(headers.get("x-frame-options").unwrap(), "DENY");
    let csrf = html.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let (status, _, _) = app.call(form(&csrf)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let packages = app.svc.packages(&Actor::system(), fy()).await.unwrap();
    assert_eq!(packages[0].status, haibun_domain::workflow::Status::Submitted);
}

#[tokio::test]
async fn pages_need_a_session_and_sign_in_is_rate_limited() {
    let app = app().await;
    let (status, _, headers) = app.call(Request::builder().uri("/").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers.get(header::LOCATION).unwrap(), "/login");
    let (status, cookie) = app.sign_in("co", "password-of-co").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let cookie = cookie.unwrap();
    assert!(cookie.starts_with("haibun_session="));
    let home = Request::builder().uri("/").header(header::COOKIE, &cookie).body(Body::empty()).unwrap();
    let (status, html, _) = app.call(home).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("あなたのタスク") && html.contains("MEXT"), "{html}");
    for _ in 0..5 {
        let (status, _) = app.sign_in("viewer", "wrong-password").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, _) = app.sign_in("viewer", "password-of-viewer").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "locked out after five failures, even with the right password");
    let (status, _) = app.sign_in("hq", "password-of-hq").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "other users from the same address still sign in");
    // Guessing across many names from one address is stopped too.
    for i in 0..45 {
        let (status, _) = app.sign_in(&format!("guess{i}"), "nope").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, _) = app.sign_in("hq", "password-of-hq").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "fifty failures from one address lock the address");
}

#[tokio::test]
async fn the_openapi_document_lists_every_api_route_and_each_exists() {
    let app = app().await;
    let (status, doc, _) = app.call(Request::builder().uri("/api/v1/openapi.json").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    let doc: serde_json::Value = serde_json::from_str(&doc).unwrap();
    assert_eq!(doc["openapi"].as_str().map(|v| v.starts_with("3.")), Some(true));
    let listed = haibun_web::openapi_paths();
    assert!(listed.len() >= 24, "{listed:?}");
    for (method, path) in &listed {
        if path.ends_with("openapi.json") {
            continue;
        }
        assert!(doc["paths"][path][method.to_lowercase()].is_object(), "{method} {path} in the served document");
        // A route the router lacks answers 404 or 405 with an empty body; ours answer in JSON.
        let concrete = path
            .replace("{fy}", "2023")
            .replace("{ministry}", "MEXT")
            .replace("{line_id}", "MEXT-0001")
            .replace("{id}", "1")
            .replace("{action}", "submit");
        let (status, body) = app.api(method, &concrete, Some("admin"), "{}").await;
        assert!(
            !body.is_empty() && status != StatusCode::METHOD_NOT_ALLOWED,
            "{method} {concrete} is routed: {status} {body}"
        );
    }
}

#[tokio::test]
async fn the_line_form_shows_errors_beside_fields_and_a_conflict_with_both_versions() {
    let app = app().await;
    let (_, cookie) = app.sign_in("mext", "password-of-mext").await;
    let cookie = cookie.unwrap();
    let page = |uri: &str| Request::builder().uri(uri).header(header::COOKIE, &cookie).body(Body::empty()).unwrap();
    let (status, html, _) = app.call(page("/years/2023/packages/MEXT/lines/MEXT-0001")).await;
    assert_eq!(status, StatusCode::OK);
    let csrf = html.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let post = |body: String| {
        Request::builder()
            .method("POST")
            .uri("/years/2023/packages/MEXT/lines/MEXT-0001")
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap()
    };
    let form = |version: i64, request: &str| {
        format!(
            "csrf={csrf}&version={version}&name=x&channel=AMED&project=PHARMA&prior_year=0&request={request}&priority_frame=&disease_areas=&purposes=&new=%E7%B6%99%E7%B6%9A&summary=&kpi="
        )
    };
    let (status, html, _) = app.call(post(form(1, "abc"))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"e-request\"") && html.contains("E_NOT_A_NUMBER"), "the error stands beside 要求額");
    // Someone else saves version 2 first; our save from version 1 is shown as a conflict.
    app.svc
        .update_line(
            &Actor::system(),
            fy(),
            "MEXT",
            "MEXT-0001",
            1,
            &haibun_service::LinePatch { fields: vec![(haibun_domain::line::Field::Request, "777000".into())] },
        )
        .await
        .unwrap();
    let (status, html, _) = app.call(post(form(1, "5000"))).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        html.contains("id=\"conflict\"") && html.contains("777000") && html.contains("value=\"5000\""),
        "both versions are shown"
    );
    assert!(html.contains("name=\"version\" value=\"2\""), "saving again names the stored version");
    let history = app.svc.line_history(&Actor::system(), fy(), "MEXT", "MEXT-0001").await.unwrap();
    assert_eq!(history.len(), 2, "the conflicting save wrote nothing");
}

#[tokio::test]
async fn the_charts_page_draws_svg_from_the_compilation() {
    let app = app().await;
    let (_, cookie) = app.sign_in("hq", "password-of-hq").await;
    let req = Request::builder()
        .uri("/years/2023/charts")
        .header(header::COOKIE, cookie.unwrap())
        .body(Body::empty())
        .unwrap();
    let (status, html, _) = app.call(req).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(html.matches("<svg xmlns").count(), 3, "three charts");
    assert!(html.contains("MEXT 文部科学省") && html.contains("<title>"), "labelled, with titles for each shape");
    assert!(!html.contains("style="), "no inline styles: the CSP allows none");
}

#[tokio::test]
async fn administration_adds_users_and_is_closed_to_ministry_users() {
    let app = app().await;
    let (_, mext) = app.sign_in("mext", "password-of-mext").await;
    let (status, _, _) = app
        .call(Request::builder().uri("/admin").header(header::COOKIE, mext.unwrap()).body(Body::empty()).unwrap())
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "ministry users do not see the user list");
    let (_, admin) = app.sign_in("admin", "password-of-admin").await;
    let admin = admin.unwrap();
    let (status, html, _) =
        app.call(Request::builder().uri("/admin").header(header::COOKIE, &admin).body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(&format!("haibun {}", haibun_service::ops::VERSION)),
        "the admin page shows the version and schema"
    );
    let csrf = html.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let body = format!("csrf={csrf}&name=newcomer&role=viewer&ministry=&password=a-long-password-1");
    let req = Request::builder()
        .method("POST")
        .uri("/admin/users")
        .header(header::COOKIE, &admin)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    let (status, _, _) = app.call(req).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _) = app.sign_in("newcomer", "a-long-password-1").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the new user signs in");
}

#[tokio::test]
async fn the_api_imports_a_file_and_reports_every_problem() {
    let app = app().await;
    let good = "事業番号,事業名,区分,要求額,新規・継続\nN-1,（架空）API 事業,INHOUSE,\"1,000\",新規\n";
    let (s, body) =
        app.api("POST", "/api/v1/years/2023/imports?ministry=MEXT&file_name=api.csv", Some("mext"), good).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert!(body.contains("\"inserted\": 1") || body.contains("\"inserted\":1"), "{body}");
    let bad = "事業番号,事業名,区分,要求額,新規・継続\nN-2,x,XYZ,-1,継続\n";
    let (s, body) =
        app.api("POST", "/api/v1/years/2023/imports?ministry=MEXT&file_name=bad.csv", Some("mext"), bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["problems"].as_array().unwrap().len(), 2, "{body}");
    assert_eq!(json["problems"][0]["location"]["row"], 2);
    let (s, _) = app.api("GET", "/api/v1/years/2023/template?ministry=MEXT", Some("mext"), "").await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn a_compilation_cell_drills_down_to_its_lines() {
    let app = app().await;
    let (_, cookie) = app.sign_in("co", "password-of-co").await;
    let cookie = cookie.unwrap();
    let get = |uri: &str| Request::builder().uri(uri).header(header::COOKIE, &cookie).body(Body::empty()).unwrap();
    let (status, html, _) = app.call(get("/years/2023/compile")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("/years/2023/compile/lines?by=ministry&amp;key=MEXT"), "cells link to their lines");
    let (status, html, _) = app.call(get("/years/2023/compile/lines?by=ministry&key=MEXT")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(html.matches("/years/2023/packages/MEXT/lines/MEXT-").count(), 3, "all three MEXT lines");
    let lines = app.svc.lines(&Actor::system(), fy(), None).await.unwrap();
    let cancer = lines
        .iter()
        .filter(|l| l.disease_areas.as_ref().is_some_and(|s| s.pairs().iter().any(|(c, _)| c == "CANCER")))
        .count();
    let (_, html, _) = app.call(get("/years/2023/compile/lines?by=disease_area&key=CANCER")).await;
    assert_eq!(html.matches("/years/2023/packages/MEXT/lines/MEXT-").count(), cancer, "lines with a cancer share");
}

#[tokio::test]
async fn every_demo_user_signs_in_and_sees_their_tasks() {
    let db = TestDb::new(Db::Sqlite);
    let svc = Service::open(&db.url, true).await.unwrap();
    let admin = Actor::system();
    svc.init(&admin, fy()).await.unwrap();
    svc.load_demo(&admin, fy(), &haibun_service::today()).await.unwrap();
    let app = App { router: haibun_web::router(svc.clone()), _db: db, svc, tokens: Vec::new() };
    for (name, _, _) in haibun_service::demo::DEMO_USERS {
        let (status, cookie) = app.sign_in(name, &haibun_service::demo::demo_password(name)).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{name} signs in");
        let req = Request::builder().uri("/").header(header::COOKIE, cookie.unwrap()).body(Body::empty()).unwrap();
        let (status, html, _) = app.call(req).await;
        assert_eq!(status, StatusCode::OK, "{name}: {html}");
        assert!(html.contains("あなたのタスク"), "{name} sees the tasks section");
    }
    // The Cabinet Office has packages to consent; MHLW has instructions to answer.
    let (_, cookie) = app.sign_in("co-yamada", &haibun_service::demo::demo_password("co-yamada")).await;
    let (_, html, _) = app
        .call(Request::builder().uri("/").header(header::COOKIE, cookie.unwrap()).body(Body::empty()).unwrap())
        .await;
    assert!(html.contains("MIC — 対応状況を確認し了解する"), "{html}");
    let (_, cookie) = app.sign_in("mhlw-sato", &haibun_service::demo::demo_password("mhlw-sato")).await;
    let (_, html, _) = app
        .call(Request::builder().uri("/").header(header::COOKIE, cookie.unwrap()).body(Body::empty()).unwrap())
        .await;
    assert!(html.contains("未回答の指示 #3"), "{html}");
    // The demo's fund: HQ has a scored round to decide; the Cabinet Office an emergency to review;
    // the PD an outcome to record, past FY2023's ex-post deadline.
    for (name, task) in [
        ("hq-kobayashi", "配分案を確認し決定する"),
        ("co-yamada", "緊急配分を事後検証する"),
        ("amed-nakamura", "配分先の成果を記録する"),
    ] {
        let (_, cookie) = app.sign_in(name, &haibun_service::demo::demo_password(name)).await;
        let (_, html, _) = app
            .call(Request::builder().uri("/").header(header::COOKIE, cookie.unwrap()).body(Body::empty()).unwrap())
            .await;
        assert!(html.contains(task), "{name}: {task}");
    }
    let st = app.svc.fund_state(&admin, fy(), &haibun_service::today()).await.unwrap();
    let phases: Vec<&str> = st.phases.iter().map(|p| p.phase.name()).collect();
    assert_eq!(phases, ["decided", "scored", "decided"]);
    assert!(st.overdue_checks.contains(&st.rounds[0].id), "FY2023's check fell due in 2024");
    assert!(st.overdue_reviews.is_empty(), "the emergency's review is due within 30 days");
}

#[tokio::test]
async fn the_compilation_page_offers_the_budget_book_in_three_formats() {
    let app = app().await;
    let (_, cookie) = app.sign_in("hq", "password-of-hq").await;
    let cookie = cookie.unwrap();
    let get =
        |uri: &str| Request::builder().uri(uri).header(header::COOKIE, cookie.clone()).body(Body::empty()).unwrap();
    let (status, html, _) = app.call(get("/years/2023/compile")).await;
    assert_eq!(status, StatusCode::OK);
    for id in ["book-xlsx-requested", "book-csv-requested", "book-html-requested"] {
        assert!(html.contains(id), "{id} offered");
    }
    let res = app
        .router
        .clone()
        .oneshot(get("/years/2023/book?stage=requested&unit=thousand-yen&format=xlsx"))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()[header::CONTENT_DISPOSITION].to_str().unwrap().contains("haibun-FY2023-requested-book.xlsx"));
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    assert!(bytes.starts_with(b"PK\x03\x04"), "a workbook");
    let res = app.router.clone().oneshot(get("/years/2023/book?format=csv")).await.unwrap();
    assert_eq!(res.headers()[header::CONTENT_TYPE], "application/zip");
    let (status, page, headers) = app.call(get("/years/2023/book?format=html&unit=hundred-million-yen")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("総括表") && page.contains("億円") && page.contains("/static/book.css"));
    assert!(!page.contains("<style"), "no inline style: the CSP allows none");
    assert!(headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap().contains("style-src 'self'"));
    let (status, css, _) = app.call(get("/static/book.css")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(css.contains("@page"));
    let (status, _, _) = app.call(get("/years/2023/book?format=pdf")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "invalid input, as everywhere");
    let (status, _, _) = app.call(get("/years/2023/book?stage=settled")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no snapshot yet");
    // Without a session: sent to sign in, nothing served.
    let (status, _, _) = app.call(Request::builder().uri("/years/2023/book").body(Body::empty()).unwrap()).await;
    assert!(status.is_redirection() || status == StatusCode::UNAUTHORIZED, "{status}");
}

/// The framework's own refusals (a path that is not a number, a body that is not JSON, a wrong
/// method) are JSON error bodies like every other, and the document lists them for every operation.
#[tokio::test]
async fn malformed_requests_get_documented_json_errors() {
    let app = app().await;
    let token = app.token("hq").to_string();
    let send = |method: &str, uri: &str, content_type: &str, body: &'static str| {
        Request::builder()
            .method(method)
            .uri(uri)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .unwrap()
    };
    for (req, status, code) in [
        (send("GET", "/api/v1/years/abc/lines", "application/json", ""), StatusCode::BAD_REQUEST, "E_BAD_REQUEST"),
        (
            send("PUT", "/api/v1/years/2023/calendar", "text/plain", "x"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "E_NOT_JSON",
        ),
        (
            send("DELETE", "/api/v1/years/2023/lines", "application/json", ""),
            StatusCode::METHOD_NOT_ALLOWED,
            "E_METHOD_NOT_ALLOWED",
        ),
    ] {
        let (s, body, headers) = app.call(req).await;
        assert_eq!(s, status, "{body}");
        assert_eq!(headers[header::CONTENT_TYPE], "application/json", "{body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["code"], code, "{body}");
        assert!(v["message_ja"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
        assert!(v["message_en"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
        if status == StatusCode::METHOD_NOT_ALLOWED {
            assert!(headers.contains_key(header::ALLOW), "405 keeps its Allow header");
        }
    }
    // Outside the API, an unknown path is not dressed as an API error.
    let (s, _, headers) = app.call(Request::get("/no-such-page").body(Body::empty()).unwrap()).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(headers.get(header::CONTENT_TYPE).is_none_or(|t| t != "application/json"));
    let (_, doc, _) = app.call(Request::get("/api/v1/openapi.json").body(Body::empty()).unwrap()).await;
    let doc: serde_json::Value = serde_json::from_str(&doc).unwrap();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            for status in ["400", "401", "403", "404", "409", "413", "415", "422", "429"] {
                let r = &op["responses"][status];
                assert!(
                    r["content"]["application/json"]["schema"]["$ref"].is_string(),
                    "{method} {path} documents {status}"
                );
            }
        }
    }
}
