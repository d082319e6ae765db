//! Evidence to priorities on the web, on the demo: HQ and the Cabinet Office see the ranked
//! candidates with what each indicator gave, the SVG charts, every area's indicators with their
//! inputs and the sources labelled illustrative, and download the report; a ministry may not;
//! the policy page sets the candidates beside the priority items, and a decided policy's citations
//! cannot change (nothing written).

mod common;

use axum::http::StatusCode;
use common::*;

#[tokio::test]
async fn the_evidence_page_and_report_on_the_demo() {
    let app = demo_app().await;
    for who in ["hq-kobayashi", "co-yamada"] {
        let b = Browser::demo(&app, who).await;
        let (s, html) = b.get("/years/2023/evidence").await;
        assert_eq!(s, StatusCode::OK, "{html}");
        for id in [
            "candidates-disease_area",
            "candidates-project",
            "indicators-disease_area",
            "evidence-weights",
            "evidence-sources",
        ] {
            assert!(html.contains(&format!("id=\"{id}\"")), "{id}");
        }
        assert!(html.contains("例示・架空のデータ"), "the demo's evidence is labelled illustrative");
        assert!(!html.contains("id=\"evidence-missing\""), "the demo holds every table");
        assert_eq!(html.matches("<tr data-area=").count(), 13, "7 disease areas and 6 projects ranked");
        assert!(html.matches("<svg xmlns=\"http://www.w3.org/2000/svg\"").count() >= 3, "three charts");
        assert!(html.contains("class=\"p0\"") && html.contains("<title>"), "bars with titles");
    }
    let hq = Browser::demo(&app, "hq-kobayashi").await;
    let (s, headers, bytes) = hq.get_raw("/years/2023/evidence/report?format=xlsx").await;
    assert_eq!(s, StatusCode::OK);
    assert!(headers[axum::http::header::CONTENT_DISPOSITION].to_str().unwrap().contains("evidence.xlsx"));
    assert!(bytes.starts_with(b"PK"));
    let (s, html) = hq.get("/years/2023/evidence/report?format=html").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("重点化の候補領域（順位と根拠）") && html.contains("疾患領域別の指標"));
    let (s, _) = hq.get("/years/2023/evidence/report?format=pdf").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "an unknown format is an input problem");

    // A ministry sees neither the page nor the report.
    let mhlw = Browser::demo(&app, "mhlw-sato").await;
    assert_eq!(mhlw.get("/years/2023/evidence").await.0, StatusCode::FORBIDDEN);
    assert_eq!(mhlw.get_raw("/years/2023/evidence/report?format=xlsx").await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_policy_page_sets_candidates_beside_the_priority_items() {
    let app = demo_app().await;
    let hq = Browser::demo(&app, "hq-kobayashi").await;
    let (s, html) = hq.get("/years/2023/policy").await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("id=\"item-PHARMA-01\"") && html.contains("id=\"policy-candidates\""));
    assert!(html.contains("data-area=\"CANCER\""), "the candidates are listed beside the items");
    assert!(!html.contains("class=\"inline cite-form\""), "a decided policy offers no citing");
    // Citing in the decided FY2023 policy is refused and writes nothing.
    let admin = haibun_service::Actor::system();
    let events = app.svc.audit_events(&admin, None).await.unwrap().len();
    let (s, _) = hq.post("/years/2023/policy/cite", &[("item", "PHARMA-01"), ("area", "CANCER")]).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let req = axum::http::Request::builder()
        .method("POST")
        .uri("/years/2023/policy/cite")
        .header(axum::http::header::COOKIE, &hq.cookie)
        .header(axum::http::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(axum::body::Body::from("csrf=wrong&item=PHARMA-01&area=CANCER"))
        .unwrap();
    let (s, _, _) = app.call(req).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a form without its CSRF token is refused");
    assert_eq!(app.svc.audit_events(&admin, None).await.unwrap().len(), events);
    let fy = haibun_domain::FiscalYear::try_from(2023).unwrap();
    assert!(app.svc.policy_citations(&admin, fy).await.unwrap().is_empty());
    // A ministry reads the policy but not the evidence.
    let mhlw = Browser::demo(&app, "mhlw-sato").await;
    let (s, html) = mhlw.get("/years/2023/policy").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("エビデンスは内閣府と本部が閲覧します") && !html.contains("data-area=\"CANCER\""));
}
