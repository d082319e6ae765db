//! The adjustment fund's pages and forms through the real router, as each role signs in: the
//! pool, a round, a proposal with an attachment, the scoring sheet, HQ's decision with a reasoned
//! change, the execution plan, outcomes and the ex-post check; an emergency and its review. Each
//! refusal is located and writes nothing.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::*;

fn as_refs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// What a refused form must leave untouched.
async fn observable(app: &App) -> String {
    let admin = haibun_service::Actor::system();
    let st = app.svc.fund_state(&admin, fy(), "2023-01-01").await.unwrap();
    let events = app.svc.audit_events(&admin, None).await.unwrap().len();
    let rounds: Vec<_> = st.rounds.iter().map(|r| app.svc.fund_round(&admin, r.id)).collect();
    let mut details = Vec::new();
    for r in rounds {
        let d = r.await.unwrap();
        details.push(format!("{:?}{:?}{:?}{:?}", d.proposals, d.scores, d.attachments, d.outcomes));
    }
    format!("{events}|{:?}|{:?}|{:?}|{details:?}", st.pool, st.rounds, st.allocations)
}

#[tokio::test]
async fn a_regular_round_and_an_emergency_walked_through_the_forms() {
    let app = app().await;
    let hq_actor = app.svc.actor(Some("hq")).await.unwrap();
    let lines = app.svc.lines(&hq_actor, fy(), Some("MEXT")).await.unwrap();
    let amed = lines.iter().find(|l| l.channel == "AMED").unwrap().line_id.to_string();
    let other = lines.iter().find(|l| l.channel != "AMED").unwrap().line_id.to_string();
    let (hq, co, pd) =
        (Browser::sign_in(&app, "hq").await, Browser::sign_in(&app, "co").await, Browser::sign_in(&app, "amed").await);

    // HQ sets the pool; a malformed amount is refused, located, writing nothing.
    let (_, html) = hq.get("/years/2023/fund").await;
    assert!(html.contains("fund-set-pool") && html.contains("fund-emergency"));
    let before = observable(&app).await;
    assert_eq!(hq.post("/years/2023/fund/pool", &[("amount", "1,0")]).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(co.post("/years/2023/fund/pool", &[("amount", "1")]).await.0, StatusCode::FORBIDDEN);
    assert_eq!(observable(&app).await, before);
    assert!(hq.post("/years/2023/fund/pool", &[("amount", "１００,０００,０００円")]).await.0.is_redirection());
    assert_eq!(
        app.svc.fund_state(&hq_actor, fy(), "2023-01-01").await.unwrap().pool,
        Some(haibun_domain::Yen(100_000_000))
    );

    // The Cabinet Office opens a round; the PD proposes on its page.
    let (status, round_page) = co.post("/years/2023/fund/rounds", &[("type", "top-down"), ("title", "第2回")]).await;
    assert!(status.is_redirection(), "{status} {round_page}");
    let round: i64 = round_page.rsplit('/').next().unwrap().parse().unwrap();
    let (_, html) = pd.get(&round_page).await;
    assert!(html.contains("proposal-form") && html.contains(&format!("MEXT/{amed}")));
    assert!(!html.contains(&format!("value=\"MEXT/{other}\"")), "only AMED lines are offered");
    let proposal = |line: String| {
        vec![
            ("line", line),
            ("requested", "30,000,000".to_string()),
            ("min", "10,000,000".to_string()),
            ("rationale", "中間評価で前倒しが有効".to_string()),
            ("targets", "症例登録 150 例".to_string()),
            ("priority_item", "PHARMA-01".to_string()),
            ("priority_item", "REGEN-01".to_string()),
        ]
    };
    let before = observable(&app).await;
    let refused = pd.post(&format!("{round_page}/proposals"), &as_refs(&proposal(format!("MEXT/{other}")))).await;
    assert_eq!(refused.0, StatusCode::UNPROCESSABLE_ENTITY, "a non-AMED line");
    assert!(refused.1.contains("AMED"), "{}", refused.1);
    let mut no_targets = proposal(format!("MEXT/{amed}"));
    no_targets.retain(|(k, _)| *k != "targets");
    assert_eq!(
        pd.post(&format!("{round_page}/proposals"), &as_refs(&no_targets)).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        hq.post(&format!("{round_page}/proposals"), &as_refs(&proposal(format!("MEXT/{amed}")))).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(observable(&app).await, before);
    assert!(
        pd.post(&format!("{round_page}/proposals"), &as_refs(&proposal(format!("MEXT/{amed}"))))
            .await
            .0
            .is_redirection()
    );
    let d = app.svc.fund_round(&hq_actor, round).await.unwrap();
    let p = d.proposals[0].clone();
    assert_eq!((p.requested, p.min_amount, p.priority_items.as_str()), (30_000_000, 10_000_000, "PHARMA-01;REGEN-01"));

    // The PD attaches evidence; a script, an empty file or another user's upload is refused.
    let attach = format!("{round_page}/proposals/{}/attachments", p.id);
    let before = observable(&app).await;
    assert_eq!(pd.upload(&attach, "x.html", b"<script>alert(1)</script>").await, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(pd.upload(&attach, "empty.pdf", b"").await, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(co.upload(&attach, "a.pdf", b"%PDF").await, StatusCode::FORBIDDEN);
    assert_eq!(observable(&app).await, before);
    assert!(pd.upload(&attach, "中間評価.pdf", b"%PDF-1.7 report").await.is_redirection());
    let att = app.svc.fund_round(&hq_actor, round).await.unwrap().attachments[0].clone();
    let (status, headers, bytes) = hq.get_raw(&format!("{round_page}/attachments/{}", att.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, b"%PDF-1.7 report");
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    let disposition = headers[header::CONTENT_DISPOSITION].to_str().unwrap();
    assert!(disposition.starts_with("attachment;") && disposition.contains("UTF-8''%E4%B8%AD"), "{disposition}");

    // The Cabinet Office fills in the scoring sheet.
    let (_, html) = co.get(&round_page).await;
    assert!(html.contains("scoring-sheet") && html.contains("data-phase=\"open\""));
    let score = format!("{round_page}/proposals/{}/score", p.id);
    assert_eq!(co.post(&score, &[("score_PROGRESS", "five")]).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(co.post(&score, &[("score_PROGRESS", "9")]).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    let all = [("score_PROGRESS", "5"), ("score_NEEDS", "4"), ("score_URGENCY", "3"), ("score_PRIORITY", "4")];
    assert!(co.post(&score, &all).await.0.is_redirection());
    let (_, html) = hq.get(&round_page).await;
    assert!(html.contains("data-phase=\"scored\"") && html.contains("decision-form"));

    // HQ decides with a change: without a reason it is refused; with one it is recorded.
    let digest = html.split("name=\"digest\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let amount = format!("amount_{}", p.id);
    let reason = format!("reason_{}", p.id);
    let before = observable(&app).await;
    let r = hq.post(&format!("{round_page}/decide"), &[("digest", &digest), (&amount, "20,000,000")]).await;
    assert_eq!(r.0, StatusCode::UNPROCESSABLE_ENTITY, "a change needs its reason");
    let r = hq
        .post(&format!("{round_page}/decide"), &[("digest", &digest), (&amount, "5,000,000"), (&reason, "減額")])
        .await;
    assert_eq!(r.0, StatusCode::UNPROCESSABLE_ENTITY, "below the least useful amount");
    assert_eq!(co.post(&format!("{round_page}/decide"), &[("digest", &digest)]).await.0, StatusCode::FORBIDDEN);
    assert_eq!(observable(&app).await, before);
    let r = hq
        .post(
            &format!("{round_page}/decide"),
            &[("digest", &digest), (&amount, "20,000,000"), (&reason, "他の回との均衡")],
        )
        .await;
    assert!(r.0.is_redirection(), "{r:?}");
    let d = app.svc.fund_round(&hq_actor, round).await.unwrap();
    assert_eq!(
        (d.allocations[0].amount, d.allocations[0].planned, d.allocations[0].reason.as_str()),
        (20_000_000, Some(30_000_000), "他の回との均衡")
    );

    // The compilation page shows the allocation beside the requests.
    let (_, html) = hq.get("/years/2023/compile").await;
    assert!(html.contains("id=\"total-adjustment\""), "the adjustment column");

    // The execution plan downloads as a workbook.
    let (status, headers, bytes) = hq.get_raw(&format!("{round_page}/execution-plan?format=xlsx")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CONTENT_DISPOSITION].to_str().unwrap().contains(".xlsx"));
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    use calamine::Reader;
    let rows: Vec<Vec<calamine::Data>> = wb.worksheet_range("実行計画").unwrap().rows().map(|r| r.to_vec()).collect();
    assert!(rows.iter().any(|r| r.get(1) == Some(&calamine::Data::String(amed.clone()))));
    let (status, _, html) = hq.get_raw(&format!("{round_page}/execution-plan?format=html")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(String::from_utf8(html).unwrap().contains("実行計画"));

    // The PD records the outcome; the Cabinet Office completes the ex-post check.
    let allocation = d.allocations[0].id;
    let outcome = format!("{round_page}/allocations/{allocation}/outcome");
    assert_eq!(
        co.post(&format!("{round_page}/check"), &[("note", "確認")]).await.0,
        StatusCode::CONFLICT,
        "no outcome yet"
    );
    assert_eq!(
        pd.post(&outcome, &[("result", "excellent"), ("achieved", "x")]).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert!(pd.post(&outcome, &[("result", "partly"), ("achieved", "症例登録 120 例")]).await.0.is_redirection());
    assert_eq!(pd.post(&format!("{round_page}/check"), &[("note", "確認")]).await.0, StatusCode::FORBIDDEN);
    assert!(co.post(&format!("{round_page}/check"), &[("note", "一部達成、次年度に継続")]).await.0.is_redirection());
    let (_, html) = hq.get(&round_page).await;
    assert!(
        html.contains("data-phase=\"checked\"")
            && html.contains("症例登録 120 例")
            && html.contains("一部達成、次年度に継続")
    );

    // An emergency: HQ allocates at once from the fund page; the Cabinet Office reviews it.
    let before = observable(&app).await;
    let over = hq
        .post(
            "/years/2023/fund/emergency",
            &[("line", &format!("MEXT/{amed}")), ("amount", "80,000,001"), ("reason", "新興感染症")],
        )
        .await;
    assert_eq!(over.0, StatusCode::UNPROCESSABLE_ENTITY, "above what remains");
    assert_eq!(observable(&app).await, before);
    let (status, emergency_page) = hq
        .post(
            "/years/2023/fund/emergency",
            &[("line", &format!("MEXT/{amed}")), ("amount", "5,000,000"), ("reason", "新興感染症")],
        )
        .await;
    assert!(status.is_redirection());
    let (_, html) = co.get(&emergency_page).await;
    assert!(html.contains("fund-review") && html.contains("新興感染症"));
    assert!(co.post(&format!("{emergency_page}/review"), &[("note", "妥当")]).await.0.is_redirection());
    let (_, html) = hq.get("/years/2023/fund").await;
    assert!(html.contains("data-phase=\"reviewed\"") && html.contains("data-phase=\"checked\""));
    // FY2023's checks fell due in 2024: the unchecked emergency round shows as overdue.
    assert!(html.contains("OVERDUE") || html.contains("期限超過"));
}
#[tokio::test]
async fn the_fund_pages_show_the_plan_and_hq_decides_it() {
    let app = app().await;
    let (hq, co, amed) = (
        app.svc.actor(Some("hq")).await.unwrap(),
        app.svc.actor(Some("co")).await.unwrap(),
        app.svc.actor(Some("amed")).await.unwrap(),
    );
    let line = app.svc.lines(&hq, fy(), Some("MEXT")).await.unwrap().into_iter().find(|l| l.channel == "AMED").unwrap();
    app.svc.set_fund_pool(&hq, fy(), haibun_domain::Yen(50_000_000)).await.unwrap();
    let round = app.svc.open_fund_round(&co, fy(), "president", "第1回").await.unwrap();
    let input = haibun_service::ProposalInput {
        ministry: "MEXT".into(),
        line_id: line.line_id.to_string(),
        requested: 30_000_000,
        min: 10_000_000,
        rationale: "<script>alert(1)</script>".into(),
        targets: "年度内に完了".into(),
        ..Default::default()
    };
    let p = app.svc.propose_fund(&amed, round, &input).await.unwrap();
    app.svc.score_fund(&co, p, &[("PROGRESS".into(), 5)]).await.unwrap();

    let (_, cookie) = app.sign_in("hq", "password-of-hq").await;
    let cookie = cookie.unwrap();
    let get =
        |uri: String| Request::builder().uri(uri).header(header::COOKIE, cookie.clone()).body(Body::empty()).unwrap();
    let (status, html, _) = app.call(get("/years/2023/fund".into())).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("fund-pool") && html.contains("第1回"));
    let (status, html, _) = app.call(get(format!("/years/2023/fund/rounds/{round}"))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<polyline") && html.contains("fund-decide") && html.contains("最適性証明済"));
    assert!(!html.contains("style="), "no inline styles: the CSP allows none");
    let csrf = html.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let post = |body: String| {
        Request::builder()
            .method("POST")
            .uri(format!("/years/2023/fund/rounds/{round}/decide"))
            .header(header::COOKIE, cookie.clone())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap()
    };
    let (status, _, _) = app.call(post("csrf=wrong&digest=x".into())).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a form without the right CSRF token is refused");
    assert_eq!(app.svc.fund_state(&hq, fy(), "2023-01-01").await.unwrap().allocations.len(), 0);
    let digest = html.split("name=\"digest\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let (status, _, _) = app.call(post(format!("csrf={csrf}&digest=stale"))).await;
    assert_eq!(status, StatusCode::CONFLICT, "a plan other than the one shown is not decided");
    let (status, _, _) = app.call(post(format!("csrf={csrf}&digest={digest}"))).await;
    assert!(status.is_redirection(), "{status}");
    let state = app.svc.fund_state(&hq, fy(), "2023-01-01").await.unwrap();
    assert_eq!(state.allocated, haibun_domain::Yen(30_000_000));

    // A ministry user may not see the fund; a Cabinet Office user sees it but may not decide.
    let (_, mext) = app.sign_in("mext", "password-of-mext").await;
    let req =
        Request::builder().uri("/years/2023/fund").header(header::COOKIE, mext.unwrap()).body(Body::empty()).unwrap();
    assert_eq!(app.call(req).await.0, StatusCode::FORBIDDEN);
}
