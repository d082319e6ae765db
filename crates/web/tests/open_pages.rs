//! The pages open to everyone and the open data: the user guide under `/help` (readable before
//! signing in, one page per role, every link and screenshot answering, raw HTML shown as text,
//! linked from every page's header), and the open-data page (HQ downloads the settled budget as a
//! zip, recorded in the audit trail; a ministry sees the page without the form and may not post;
//! nothing before the year is settled).

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::*;
use haibun_domain::workflow::Action;

const PAGES: [&str; 13] = [
    "index",
    "ministry",
    "cabinet-office",
    "hq",
    "fiscal",
    "amed-pd",
    "administrator",
    "template",
    "checks",
    "fund",
    "pdca",
    "glossary",
    "accessibility",
];

async fn anonymous(app: &App, uri: &str) -> (StatusCode, String, axum::http::HeaderMap) {
    app.call(Request::builder().uri(uri).body(Body::empty()).unwrap()).await
}

/// Every `attr="/help…"` target in a page.
fn targets<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    html.split(&format!("{attr}=\"/help")).skip(1).map(|s| s.split('"').next().unwrap()).collect()
}

#[tokio::test]
async fn the_guide_is_served_whole_to_anyone() {
    let app = app().await;
    let (s, index, _) = anonymous(&app, "/help").await;
    assert_eq!(s, StatusCode::OK, "readable before signing in");
    let mut shots = std::collections::BTreeSet::new();
    for page in PAGES {
        let uri = if page == "index" { "/help".to_string() } else { format!("/help/{page}") };
        let (s, html, _) = anonymous(&app, &uri).await;
        assert_eq!(s, StatusCode::OK, "{uri}");
        assert!(html.contains("<article class=\"guide\" lang=\"ja\">") && html.contains("<h1>"), "{uri}");
        assert!(index.contains(&format!("href=\"/help/{page}\"")), "the contents list {page}");
        // Every link inside the guide answers; every screenshot is a PNG.
        for t in targets(&html, "href") {
            let target = format!("/help{}", t.split('#').next().unwrap());
            assert_eq!(anonymous(&app, &target).await.0, StatusCode::OK, "{uri} links to {target}");
        }
        for t in targets(&html, "src") {
            let req = Request::builder().uri(format!("/help{t}")).body(Body::empty()).unwrap();
            let res = tower::ServiceExt::oneshot(app.router.clone(), req).await.unwrap();
            assert_eq!(res.status(), StatusCode::OK, "{uri} shows {t}");
            assert_eq!(res.headers()[header::CONTENT_TYPE], "image/png");
            let png = http_body_util::BodyExt::collect(res.into_body()).await.unwrap().to_bytes();
            assert!(png.starts_with(b"\x89PNG\r\n"), "{t} is a PNG");
            shots.insert(t.to_string());
        }
        if !["index", "glossary", "template", "checks", "accessibility"].contains(&page) {
            assert!(!targets(&html, "src").is_empty(), "{page} shows what the screen looks like");
        }
    }
    assert!(shots.len() >= 15, "the screenshots the browser test takes: {shots:?}");
    let glossary = anonymous(&app, "/help/glossary").await.1;
    assert!(glossary.matches("<tr>").count() > 40, "the glossary's terms");
    for missing in
        ["/help/nope", "/help/screenshots/nope.png", "/help/screenshots/..%2F..%2FCargo.toml", "/help/..%2FCargo.toml"]
    {
        assert_eq!(anonymous(&app, missing).await.0, StatusCode::NOT_FOUND, "{missing}");
    }
    // Signed in, the guide keeps the user's frame, and every page links to it.
    let hq = Browser::sign_in(&app, "hq").await;
    let (_, html) = hq.get("/help/hq").await;
    assert!(html.contains("サインアウト"));
    for page in ["/", "/years/2023/compile", "/audit", "/login"] {
        let (_, html, _) = if page == "/login" {
            anonymous(&app, page).await
        } else {
            let (s, b) = hq.get(page).await;
            (s, b, Default::default())
        };
        assert!(html.contains("href=\"/help\""), "{page} links to the guide");
    }
}

#[test]
fn raw_html_in_the_guide_is_shown_as_text() {
    // Through the router: a page is rendered by the same function as any other Markdown.
    let md = "# T\n\n<script>alert(1)</script>\n\n[a](glossary) ![b](screenshots/x.png) [c](https://example.org) [d](JavaScript:alert(1)) ![e](data:image/png;base64,AAAA)";
    let (html, title) = haibun_web::guide_html(md);
    assert_eq!(title, "T");
    assert!(!html.contains("<script>") && html.contains("&lt;script&gt;"), "{html}");
    assert!(html.contains("href=\"/help/glossary\"") && html.contains("src=\"/help/screenshots/x.png\""), "{html}");
    assert!(html.contains("href=\"https://example.org\""), "{html}");
    assert!(
        !html.contains("alert(1)\"") && !html.contains("data:image") && html.matches("=\"#\"").count() == 2,
        "{html}"
    );
}

#[tokio::test]
async fn hq_downloads_the_settled_budget_as_open_data() {
    let app = demo_app().await;
    let hq = Browser::demo(&app, "hq-kobayashi").await;
    let mext = Browser::demo(&app, "mext-tanaka").await;
    let (s, html) = hq.get("/years/2023/opendata").await;
    assert_eq!(s, StatusCode::OK);
    let button = |html: &str| {
        html.split("id=\"opendata-download\"")
            .nth(1)
            .and_then(|f| f.split("<button").nth(1))
            .map(|b| b.split('>').next().unwrap().to_string())
    };
    assert!(button(&html).is_some_and(|b| b.contains("disabled")), "not settled: the button is off");
    assert!(html.contains("政府標準利用規約"), "the licence is named");
    let events = || async { app.svc.audit_events(&haibun_service::Actor::system(), None).await.unwrap().len() };
    let before = events().await;
    let (s, _) = hq.post("/years/2023/opendata", &[]).await;
    assert_eq!(s, StatusCode::CONFLICT, "nothing before the year is settled");
    assert_eq!(events().await, before);

    // The year carried to its end.
    let system = haibun_service::Actor::system();
    for m in ["CAO", "MIC", "MHLW"] {
        app.svc.package_action(&system, fy(), m, Action::Exclude, Some("公開試験")).await.unwrap();
    }
    app.svc.compile_snapshot(&system, fy()).await.unwrap();
    app.svc.submit_snapshot(&system, fy(), None).await.unwrap();
    app.svc.settle(&system, fy(), true).await.unwrap();

    let (_, html) = mext.get("/years/2023/opendata").await;
    assert!(!html.contains("id=\"opendata-download\""), "a ministry sees no form");
    let mut forged = Browser::demo(&app, "mext-tanaka").await;
    let mut no_token = Browser::demo(&app, "hq-kobayashi").await;
    let before = events().await;
    assert_eq!(forged.post("/years/2023/opendata", &[]).await.0, StatusCode::FORBIDDEN);
    forged.csrf = "forged".into();
    assert_eq!(forged.post("/years/2023/opendata", &[]).await.0, StatusCode::FORBIDDEN);
    no_token.csrf = "forged".into();
    assert_eq!(no_token.post("/years/2023/opendata", &[]).await.0, StatusCode::FORBIDDEN, "CSRF checked");
    assert_eq!(events().await, before, "nothing recorded for a refusal");

    let (_, html) = hq.get("/years/2023/opendata").await;
    assert!(button(&html).is_some_and(|b| !b.contains("disabled")), "settled: the button is on");
    let body = form_urlencoded::Serializer::new(String::new()).append_pair("csrf", &hq.csrf).finish();
    let req = Request::builder()
        .method("POST")
        .uri("/years/2023/opendata")
        .header(header::COOKIE, &hq.cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    let res = tower::ServiceExt::oneshot(app.router.clone(), req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CONTENT_TYPE], "application/zip");
    assert!(res.headers()[header::CONTENT_DISPOSITION].to_str().unwrap().contains("haibun-FY2023-opendata.zip"));
    let bytes = http_body_util::BodyExt::collect(res.into_body()).await.unwrap().to_bytes();
    let zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let names: Vec<String> = zip.file_names().map(|n| n.unwrap().to_string()).collect();
    for f in ["datapackage.json", "data/lines.csv", "excel/lines_ja.csv", "README.txt"] {
        assert!(names.iter().any(|n| n == f), "{f} in {names:?}");
    }
    assert_eq!(events().await, before + 1, "the publication is recorded");
}
