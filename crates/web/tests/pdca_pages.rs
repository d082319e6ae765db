//! PDCA on the web, on the demo: the measures matrix coloured by evaluation, a measure's KPI
//! trends and logic model, the follow-up round with its overdue reports; MHLW reports through the
//! form, the Cabinet Office evaluates, HQ records an action; refusals (another ministry's KPI, a
//! wrong role, a bad amount) write nothing; everything is audited.

mod common;

use axum::http::StatusCode;
use common::*;

async fn observable(app: &App) -> String {
    let admin = haibun_service::Actor::system();
    let f = app.svc.followup(&admin, 1).await.unwrap();
    let events = app.svc.audit_events(&admin, None).await.unwrap().len();
    format!("{events}|{:?}|{:?}", f.measures, f.actions)
}

#[tokio::test]
async fn measures_and_a_follow_up_round_through_the_pages() {
    let app = demo_app().await;
    let co = Browser::demo(&app, "co-yamada").await;
    let (s, html) = co.get("/years/2023/measures").await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("id=\"measure-matrix\""));
    assert!(html.contains("class=\"measure-cell eval-on-track\" data-measure=\"M-REGEN-01\""), "{html}");
    assert!(html.contains("class=\"measure-cell eval-none\" data-measure=\"M-PHARMA-01\""));
    assert!(html.contains("期限超過"), "MHLW's reports are overdue");
    assert!(html.contains("id=\"followup-open\"") && !html.contains("id=\"fy-open-next\""), "opening a year is HQ's");

    // A measure: each KPI's trend (target against actual) and the logic model as SVG.
    let (s, html) = co.get("/years/2023/measures/M-REGEN-01").await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("data-kpi=\"K-RG-OC\"") && html.contains("class=\"kpi-actual\""));
    assert!(html.contains("<title>実績 24.8</title>") && html.contains("104%"), "{html}");
    assert!(html.contains("id=\"logic-model\"") && html.contains("class=\"model-arrow\""));
    assert!(html.contains("/lines/"), "the lines serving it, with their money");
    // Execution beside the budget, where the demo's RS 2-1 file reports it (last year's).
    let mut with_execution = 0;
    for m in ["M-PHARMA-01", "M-REGEN-01", "M-GENOME-01"] {
        let (_, html) = co.get(&format!("/years/2023/measures/{m}")).await;
        assert!(html.contains("執行額（RS 2-1、直近）"));
        with_execution += html.matches("（2022）</td>").count();
    }
    assert!(with_execution >= 1, "some linked line shows its execution");
    let (s, _) = co.get("/years/2023/measures/M-NOPE").await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // The round: MHLW's KPIs are unreported and overdue.
    let (s, html) = co.get("/followup/1").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("id=\"reports-overdue\"") && html.contains("MHLW K-PH-OUT"), "{html}");

    // MHLW reports its KPI; it may not report MEXT's, nor may the Cabinet Office report at all.
    let mhlw = Browser::demo(&app, "mhlw-sato").await;
    let (_, html) = mhlw.get("/followup/1").await;
    assert!(html.contains("action=\"/followup/1/report\""), "MHLW sees its report forms");
    // The task lists: MHLW's overdue reports, the Cabinet Office's evaluations.
    let (_, home) = mhlw.get("/").await;
    assert!(home.contains("MHLW K-PH-OUT の実績を報告する"), "{home}");
    let (_, home) = co.get("/").await;
    assert!(home.contains("M-PHARMA-01 を評価する"), "{home}");
    let report = |kpi: &'static str, value: &'static str| {
        vec![("kpi", kpi), ("year", "２０２２"), ("value", value), ("source", "厚労省調べ"), ("comment", "")]
    };
    let before = observable(&app).await;
    assert_eq!(mhlw.post("/followup/1/report", &report("K-PH-ACT", "40")).await.0, StatusCode::FORBIDDEN);
    assert_eq!(co.post("/followup/1/report", &report("K-PH-OUT", "15")).await.0, StatusCode::FORBIDDEN);
    assert_eq!(mhlw.post("/followup/1/report", &report("K-PH-OUT", "十五")).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(observable(&app).await, before, "refusals write nothing");
    let (s, to) = mhlw.post("/followup/1/report", &report("K-PH-OUT", "15")).await;
    assert!(s.is_redirection(), "{s} {to}");
    let (_, html) = co.get("/followup/1").await;
    assert!(html.contains("2022: 15（83.3%）"), "(15 − 10) / (16 − 10), rounded: {html}");

    // The Cabinet Office evaluates; HQ records an action with a △ amount.
    let evaluate = [("measure", "M-PHARMA-01"), ("evaluation", "delayed"), ("reason", "導出が遅れている")];
    assert!(co.post("/followup/1/evaluate", &evaluate).await.0.is_redirection());
    let hq = Browser::demo(&app, "hq-kobayashi").await;
    let (_, html) = hq.get("/followup/1").await;
    let line = html.split("data-line=\"MHLW/").nth(1).unwrap().split('"').next().unwrap().to_string();
    let action = |amount: &'static str| {
        vec![
            ("ministry", "MHLW"),
            ("line", line.as_str()),
            ("action", "reduce"),
            ("amount", amount),
            ("reason", "遅れ"),
        ]
    };
    assert_eq!(hq.post("/followup/1/action", &action("5,000")).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(co.post("/followup/1/action", &action("△5,000")).await.0, StatusCode::FORBIDDEN);
    assert!(hq.post("/followup/1/action", &action("△5,000,000")).await.0.is_redirection());
    let (_, html) = co.get("/years/2023/measures").await;
    assert!(html.contains("class=\"measure-cell eval-delayed\" data-measure=\"M-PHARMA-01\""));
    // The round's page says the evaluation and the action in words, the code beside them.
    let (_, html) = hq.get("/followup/1").await;
    assert!(html.contains("遅れ（delayed）") && html.contains("縮減（reduce）"), "{html}");
    let f = app.svc.followup(&haibun_service::Actor::system(), 1).await.unwrap();
    assert!(f.actions.iter().any(|a| a.line_id == line && a.amount == -5_000_000));
    let events = app.svc.audit_events(&haibun_service::Actor::system(), None).await.unwrap();
    for a in ["followup.report", "followup.evaluate", "followup.action"] {
        assert!(events.iter().any(|e| e.event.action == a), "{a}");
    }
    // KPIs are added through the measure page; a ministry links its own line there.
    let kpi = |targets: &'static str| {
        vec![
            ("code", "K-GN-OC"),
            ("ministry", "MHLW"),
            ("kind", "outcome-long"),
            ("indicator", "ゲノム医療の実施件数"),
            ("unit", "件"),
            ("direction", "higher"),
            ("source", "厚労省調べ"),
            ("baseline", ""),
            ("baseline_year", ""),
            ("targets", targets),
        ]
    };
    let (_, html) = co.get("/years/2023/measures/M-GENOME-01").await;
    assert!(html.contains("id=\"kpi-add\""), "the Cabinet Office may add KPIs");
    assert_eq!(
        co.post("/years/2023/measures/M-GENOME-01/kpis", &kpi("2023:10")).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(mhlw.post("/years/2023/measures/M-GENOME-01/kpis", &kpi("2023=10")).await.0, StatusCode::FORBIDDEN);
    assert!(co.post("/years/2023/measures/M-GENOME-01/kpis", &kpi("2023=10；2025=30")).await.0.is_redirection());
    let (_, html) = co.get("/years/2023/measures/M-GENOME-01").await;
    assert!(html.contains("data-kpi=\"K-GN-OC\"") && html.contains("<title>目標 30</title>"), "{html}");
    let cao = Browser::demo(&app, "cao-ito").await;
    let (_, html) = cao.get("/years/2023/measures/M-GENOME-01").await;
    assert!(html.contains("id=\"measure-link-line\"") && !html.contains("id=\"kpi-add\""));
    let cao_line = html.split("<option value=\"CAO-").nth(1).unwrap().split('"').next().unwrap().to_string();
    let (s, _) = cao
        .post("/years/2023/measures/M-GENOME-01/lines", &[("line", &format!("CAO-{cao_line}")), ("kpi", "K-GN-OC")])
        .await;
    assert!(s.is_redirection(), "{s}");
    let (_, html) = co.get("/years/2023/measures/M-GENOME-01").await;
    assert!(html.contains(&format!("CAO/CAO-{cao_line}")), "the linked line is listed");

    // A forged form (no CSRF token) is refused.
    let forged = Browser { app: &app, cookie: co.cookie.clone(), csrf: "forged".into() };
    assert_eq!(forged.post("/followup/1/close", &[]).await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_carried_action_is_answered_on_the_line_page_of_the_next_year() {
    use haibun_domain::workflow::Action;
    use haibun_service::{HearingInput, KpiInput, MeasureInput};
    let app = app().await;
    let admin = haibun_service::Actor::system();
    let svc = &app.svc;
    let line = svc.lines(&admin, fy(), Some("MEXT")).await.unwrap()[0].line_id.to_string();
    let m = MeasureInput { code: "M-1".into(), name: "施策".into(), project: "PHARMA".into() };
    svc.add_measure(&admin, fy(), &m).await.unwrap();
    let k = KpiInput {
        code: "K-1".into(),
        measure: "M-1".into(),
        ministry: "MEXT".into(),
        kind: "output".into(),
        indicator: "件数".into(),
        unit: "件".into(),
        direction: "higher".into(),
        source: "調査".into(),
        baseline: None,
        targets: vec![(2023, "10".into())],
    };
    svc.add_kpi(&admin, fy(), &k).await.unwrap();
    svc.link_line(&admin, fy(), "MEXT", &line, "M-1", Some("K-1")).await.unwrap();
    svc.package_action(&admin, fy(), "MEXT", Action::Submit, None).await.unwrap();
    svc.record_hearing(&admin, fy(), "MEXT", HearingInput { date: "2022-09-01".into(), ..Default::default() })
        .await
        .unwrap();
    svc.package_action(&admin, fy(), "MEXT", Action::Consent, None).await.unwrap();
    svc.compile_snapshot(&admin, fy()).await.unwrap();
    svc.submit_snapshot(&admin, fy(), None).await.unwrap();
    svc.settle(&admin, fy(), true).await.unwrap();
    let round = svc.open_followup(&admin, fy(), "FU", "2024-06-30", "2024-07-31").await.unwrap();
    svc.report_actual(&admin, round, "K-1", 2023, "7", "調査", "").await.unwrap();
    svc.record_line_action(&admin, round, "MEXT", &line, "reduce", haibun_domain::Yen(-1_000), "未達").await.unwrap();

    // HQ opens FY2024 through the form on the measures page.
    let hq = Browser::sign_in(&app, "hq").await;
    let (_, html) = hq.get("/years/2023/measures").await;
    assert!(html.contains("id=\"fy-open-next\""));
    let (s, to) = hq.post("/years/2023/open-next", &[]).await;
    assert!(s.is_redirection() && to == "/years/2024/measures", "{s} {to}");

    // MEXT sees the action and the shortfall on the FY2024 line, and answers.
    let mext = Browser::sign_in(&app, "mext").await;
    let page = format!("/years/2024/packages/MEXT/lines/{line}");
    let (s, html) = mext.get(&page).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("id=\"carried-action\"") && html.contains("縮減") && html.contains("未達"), "{html}");
    assert!(html.contains("<code>K-1</code>") && html.contains("id=\"respond\""));
    let (s, _) = mext.post(&format!("{page}/respond"), &[("response", "体制を見直して目標の達成を図る")]).await;
    assert!(s.is_redirection());
    let (_, html) = mext.get(&page).await;
    assert!(html.contains("id=\"carried-response\"") && html.contains("体制を見直して"));
    // Another ministry may not answer for it.
    let mhlw = Browser::sign_in(&app, "mhlw").await;
    assert_eq!(mhlw.post(&format!("{page}/respond"), &[("response", "x")]).await.0, StatusCode::FORBIDDEN);
}
