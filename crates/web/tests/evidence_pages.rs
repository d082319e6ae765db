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

/// Uploads an evidence table through the page's form (multipart, with the CSRF token).
async fn upload(b: &Browser<'_>, fy: i64, table: &str, as_of: &str, bytes: &[u8]) -> (StatusCode, String) {
    let boundary = "evidence-boundary";
    let mut body = String::new();
    for (k, v) in [
        ("csrf", b.csrf.as_str()),
        ("table", table),
        ("source", "例示 / illustrative"),
        ("as_of", as_of),
        ("licence", "test only"),
    ] {
        body.push_str(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"));
    }
    body.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{table}.csv\"\r\nContent-Type: text/csv\r\n\r\n"
    ));
    let mut bytes_body = body.into_bytes();
    bytes_body.extend_from_slice(bytes);
    bytes_body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let req = axum::http::Request::builder()
        .method("POST")
        .uri(format!("/years/{fy}/evidence"))
        .header(axum::http::header::COOKIE, &b.cookie)
        .header(axum::http::header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .body(axum::body::Body::from(bytes_body))
        .unwrap();
    let (s, body, h) = b.app.call(req).await;
    (s, h.get(axum::http::header::LOCATION).map_or(body, |l| l.to_str().unwrap().to_string()))
}

#[tokio::test]
async fn hq_imports_evidence_and_a_draft_policy_cites_it_through_the_pages() {
    use haibun_domain::workflow::Action;
    let app = app().await;
    let admin = haibun_service::Actor::system();
    app.svc.package_action(&admin, fy(), "MEXT", Action::Submit, None).await.unwrap();
    let hearing = haibun_service::HearingInput { date: "2022-09-01".into(), ..Default::default() };
    app.svc.record_hearing(&admin, fy(), "MEXT", hearing).await.unwrap();
    app.svc.package_action(&admin, fy(), "MEXT", Action::Consent, None).await.unwrap();
    app.svc.compile_snapshot(&admin, fy()).await.unwrap();
    app.svc.submit_snapshot(&admin, fy(), None).await.unwrap();
    app.svc.settle(&admin, fy(), true).await.unwrap();
    let fy24 = haibun_domain::FiscalYear::try_from(2024).unwrap();
    app.svc.open_year(&admin, fy24, fy()).await.unwrap();

    let hq = Browser::sign_in(&app, "hq").await;
    let (_, html) = hq.get("/years/2024/evidence").await;
    assert!(html.contains("id=\"evidence-import\"") && html.contains("id=\"evidence-missing\""), "{html}");
    // A bad table is refused with where, and nothing is written.
    let (s, html) =
        upload(&hq, 2024, "mapping", "2023-03-31", b"source,category,target,share\nfunding,Cancer,CANCER,60\n").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("60%") && html.contains("mapping.csv"), "{html}");
    let rates = haibun_service::DEMO_EVIDENCE[0].2.as_bytes();
    let (s, _) = upload(&hq, 2024, "rates", "31 March", rates).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "the as-of date must be a date");
    assert!(app.svc.evidence_report(&admin, fy24).await.unwrap().sets.is_empty());
    // A ministry may not upload; HQ's tables go in.
    let mext = Browser::sign_in(&app, "mext").await;
    assert_eq!(upload(&mext, 2024, "rates", "2023-03-31", rates).await.0, StatusCode::FORBIDDEN);
    let forged = Browser { app: &app, cookie: hq.cookie.clone(), csrf: "wrong".into() };
    let (s, _) = upload(&forged, 2024, "rates", "2023-03-31", rates).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "no upload without the session's CSRF token");
    assert!(app.svc.evidence_report(&admin, fy24).await.unwrap().sets.is_empty());
    for (table, _, text) in haibun_service::DEMO_EVIDENCE {
        let (s, to) = upload(&hq, 2024, table.name(), "2023-03-31", text.as_bytes()).await;
        assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/years/2024/evidence#evidence-sources"), "{table}");
    }
    let (_, html) = hq.get("/years/2024/evidence").await;
    assert!(!html.contains("id=\"evidence-missing\"") && html.matches("<tr data-area=").count() == 13);

    // The draft policy: the candidates beside the items, and a form on each item.
    let (_, html) = hq.get("/years/2024/policy").await;
    assert!(html.contains("id=\"policy-status\">案") && html.contains("class=\"inline cite-form\""), "{html}");
    let (s, to) = hq.post("/years/2024/policy/cite", &[("item", "PHARMA-01"), ("area", "INFECTIOUS")]).await;
    assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/years/2024/policy#item-PHARMA-01"));
    let (_, html) = hq.get("/years/2024/policy").await;
    assert!(html.contains("class=\"badge cite\" data-area=\"INFECTIOUS\""), "{html}");
    let cites = app.svc.policy_citations(&admin, fy24).await.unwrap();
    assert_eq!(cites.len(), 1);
    let basis: serde_json::Value = serde_json::from_str(&cites[0].basis).unwrap();
    assert_eq!(basis["candidate"]["area"], "INFECTIOUS", "the evidence as it stood is stored with the citation");
    assert!(basis["evidence"]["funding_gap_pt"].is_string() && basis["sources"].as_array().unwrap().len() == 5);
    // The Cabinet Office reads the citations but may not cite.
    let co = Browser::sign_in(&app, "co").await;
    let (_, html) = co.get("/years/2024/policy").await;
    assert!(html.contains("data-area=\"INFECTIOUS\"") && !html.contains("class=\"inline cite-form\""));
    assert_eq!(
        co.post("/years/2024/policy/cite", &[("item", "PHARMA-01"), ("area", "CANCER")]).await.0,
        StatusCode::FORBIDDEN
    );
    // Withdrawn.
    let (s, _) =
        hq.post("/years/2024/policy/cite", &[("item", "PHARMA-01"), ("area", "INFECTIOUS"), ("undo", "1")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(app.svc.policy_citations(&admin, fy24).await.unwrap().is_empty());
}
