//! The policy check on the web, on the demo: the year's findings, a ministry's own findings on
//! its package and line pages before it submits, and the overlap candidates confirmed by the
//! Cabinet Office through the form (CSRF-checked, audited, refused to others).

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::*;
use haibun_service::Actor;

async fn page(app: &App, cookie: &str, uri: &str) -> (StatusCode, String) {
    let req = Request::builder().uri(uri).header(header::COOKIE, cookie).body(Body::empty()).unwrap();
    let (s, b, _) = app.call(req).await;
    (s, b)
}

async fn signed_in(app: &App, name: &str) -> String {
    app.sign_in(name, &haibun_service::demo::demo_password(name)).await.1.unwrap()
}

#[tokio::test]
async fn findings_show_on_the_year_package_and_line_pages_and_overlaps_are_confirmed() {
    let app = demo_app().await;
    let co = signed_in(&app, "co-yamada").await;
    let (status, html) = page(&app, &co, "/years/2023/check").await;
    assert_eq!(status, StatusCode::OK);
    for code in ["PROJECT_CLASSIFICATION", "PROJECT_MISMATCH", "OVERLAP_CANDIDATE", "REGEN_STRONG_PROMOTION"] {
        assert!(html.contains(&format!("data-code=\"{code}\"")), "{code} on the year page");
    }
    assert!(html.contains("id=\"regen-push\""));

    // CAO sees its own findings on its package and on the line, and nothing of other ministries.
    let cao = signed_in(&app, "cao-ito").await;
    let (_, html) = page(&app, &cao, "/years/2023/packages/CAO").await;
    assert!(html.contains("data-code=\"PROJECT_CLASSIFICATION\"") && html.contains("data-severity=\"error\""));
    assert!(!html.contains("MEXT/MEXT-901"));
    let (_, html) = page(&app, &cao, "/years/2023/packages/CAO/lines/CAO-901").await;
    assert_eq!(html.matches("class=\"finding\"").count(), 1, "the line's own finding only");
    let (_, html) = page(&app, &cao, "/years/2023/packages/CAO/lines/CAO-001").await;
    assert!(html.contains("id=\"no-findings\""), "a clean line");
    let (_, html) = page(&app, &cao, "/years/2023/check").await;
    assert!(!html.contains("MHLW/") && !html.contains("data-code=\"REGEN_STRONG_PROMOTION\""), "a ministry's own view");

    // The overlap pair: the Cabinet Office confirms it through the form.
    let (_, html) = page(&app, &co, "/years/2023/overlaps").await;
    assert!(html.contains("data-a=\"MEXT/MEXT-901\" data-b=\"MHLW/MHLW-902\""), "{html}");
    let csrf = html.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let post = |cookie: &str, body: String| {
        Request::builder()
            .method("POST")
            .uri("/years/2023/overlaps/decide")
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap()
    };
    let form = |csrf: &str| {
        format!(
            "csrf={csrf}&a=MEXT%2FMEXT-901&b=MHLW%2FMHLW-902&decision=coordinate&note=%E5%AE%9F%E6%96%BD%E4%BD%93%E5%88%B6%E3%82%92%E4%B8%80%E6%9C%AC%E5%8C%96"
        )
    };
    assert_eq!(app.call(post(&co, form("wrong"))).await.0, StatusCode::FORBIDDEN, "CSRF");
    let mext = signed_in(&app, "mext-tanaka").await;
    let (_, mext_page) = page(&app, &mext, "/years/2023/overlaps").await;
    assert!(mext_page.contains("（他府省の事業）"), "another ministry's line is not named to a ministry");
    assert!(!mext_page.contains("MHLW-902"), "nor its id");
    let mext_actor = app.svc.actor(Some("mext-tanaka")).await.unwrap();
    let seen = app.svc.review(&mext_actor, fy(), None).await.unwrap().overlaps;
    assert!(
        !seen.is_empty() && seen.iter().all(|o| o.requests.0.is_none() != o.requests.1.is_none()),
        "only its own amount"
    );
    assert!(seen.iter().all(|o| o.pair.a.1 == "—" || o.pair.b.1 == "—"));
    assert!(!mext_page.contains("/overlaps/decide"), "no decision form for a ministry");
    let mext_csrf = mext_page.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    assert_eq!(
        app.call(post(&mext, form(&mext_csrf))).await.0,
        StatusCode::FORBIDDEN,
        "only the Cabinet Office decides"
    );
    assert!(app.call(post(&co, form(&csrf))).await.0.is_redirection());
    let (_, html) = page(&app, &co, "/years/2023/overlaps").await;
    assert!(html.contains("調整が必要と確認") && html.contains("実施体制を一本化"));
    let (_, html) = page(&app, &co, "/years/2023/check").await;
    assert!(!html.contains("data-code=\"OVERLAP_CANDIDATE\""), "a confirmed pair is no longer a finding");
    let events = app.svc.audit_events(&Actor::system(), None).await.unwrap();
    assert!(events.iter().any(|e| e.event.action == "overlap.decide" && e.event.actor == "co-yamada"));

    // Classification suggestions on the line page: CAO rejects one with its reason, accepts another.
    let (_, html) = page(&app, &cao, "/years/2023/packages/CAO/lines/CAO-910").await;
    assert!(html.contains("data-kind=\"project\" data-code=\"REGEN\"") && html.contains("「ベクター」"), "{html}");
    let cao_csrf = html.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let suggest = |body: String| {
        Request::builder()
            .method("POST")
            .uri("/years/2023/packages/CAO/lines/CAO-910/suggestions")
            .header(header::COOKIE, cao.clone())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap()
    };
    let reject = format!("csrf={cao_csrf}&kind=priority_item&code=REGEN-03&decision=reject&reason=");
    assert_eq!(app.call(suggest(reject)).await.0, StatusCode::UNPROCESSABLE_ENTITY, "a rejection needs its reason");
    let reject = format!(
        "csrf={cao_csrf}&kind=priority_item&code=REGEN-03&decision=reject&reason=iPS%E3%81%AF%E4%BD%BF%E3%82%8F%E3%81%AA%E3%81%84"
    );
    assert!(app.call(suggest(reject)).await.0.is_redirection());
    let accept = format!("csrf={cao_csrf}&kind=project&code=REGEN&decision=accept&reason=");
    assert!(app.call(suggest(accept)).await.0.is_redirection());
    let (_, html) = page(&app, &cao, "/years/2023/packages/CAO/lines/CAO-910").await;
    assert!(!html.contains("data-code=\"REGEN-03\""), "a rejected suggestion is not offered again");
    assert!(!html.contains("data-kind=\"project\" data-code=\"REGEN\""), "an applied suggestion is not offered again");
    assert!(html.contains("class=\"muted decided\""));
    let line = app
        .svc
        .lines(&Actor::system(), fy(), Some("CAO"))
        .await
        .unwrap()
        .into_iter()
        .find(|l| l.line_id.as_str() == "CAO-910")
        .unwrap();
    assert_eq!(line.project.as_deref(), Some("REGEN"), "the accepted project is applied");
    let events = app.svc.audit_events(&Actor::system(), None).await.unwrap();
    assert!(events.iter().any(|e| e.event.action == "suggestion.reject" && e.event.actor == "cao-ito"));
    assert!(events.iter().any(|e| e.event.action == "suggestion.accept"));
}

#[tokio::test]
async fn the_import_page_shows_the_check_and_suggests_projects_for_unclassified_lines() {
    let app = demo_app().await;
    let cao = signed_in(&app, "cao-ito").await;
    let (_, html) = page(&app, &cao, "/years/2023/import").await;
    let csrf = html.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let csv = "事業番号,事業名,区分,統合プロジェクト,要求額,新規・継続,事業概要,成果目標\r\n\
               CAO-950,ｉＰＳ細胞由来心筋細胞の移植研究,AMED,,300000,新規,心不全患者を対象に細胞シートを移植する再生医療の臨床研究,3年で10例\r\n";
    let boundary = "b0undary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"ministry\"\r\n\r\nCAO\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cao.csv\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n"
    );
    let req = Request::builder()
        .method("POST")
        .uri("/years/2023/import")
        .header(header::COOKIE, &cao)
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .body(Body::from(body))
        .unwrap();
    let (status, html, _) = app.call(req).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("id=\"import-check\"") && html.contains("data-code=\"PROJECT_CLASSIFICATION\""), "{html}");
    assert!(
        html.contains("data-line=\"CAO/CAO-950\"") && html.contains("data-kind=\"project\" data-code=\"REGEN\""),
        "{html}"
    );
    // Each suggestion can be decided from the preview itself, disease areas included.
    assert!(html.contains("action=\"/years/2023/packages/CAO/lines/CAO-950/suggestions\""), "{html}");
    assert!(html.contains("data-kind=\"disease_areas\""), "{html}");
}
