//! The adjustment fund through the service layer on both databases: a regular round (proposals,
//! scores, the optimiser's plan, HQ's decision with a change) and an emergency round with its
//! review; refusals write nothing; the compile JSON shows the allocations as `adjustment`.

mod common;

use common::*;
use haibun_domain::Yen;
use haibun_domain::workflow::Role;
use haibun_service::{PlanChange, ProposalInput, ServiceError};

fn proposal(line: &str, requested: i64, min: i64) -> ProposalInput {
    ProposalInput {
        ministry: "MEXT".into(),
        line_id: line.into(),
        requested,
        min,
        rationale: "PDの進捗確認で前倒しが有効と判断".into(),
        evidence: "中間評価 A".into(),
        needs: "臨床試験の症例追加".into(),
        urgency: "高".into(),
        priority_items: vec![],
        targets: "第II相試験の症例登録を年度内に完了".into(),
    }
}

fn a_regular_and_an_emergency_round(db: Db) {
    let t = initialised(db);
    let lines = import_generated(&t, "MEXT", 21, 24);
    let amed: Vec<String> = lines.iter().filter(|l| l.channel == "AMED").map(|l| l.line_id.to_string()).collect();
    let other = lines.iter().find(|l| l.channel != "AMED").expect("a non-AMED line").line_id.to_string();
    assert!(amed.len() >= 3, "the fixture has AMED lines");
    t.with_service(async |svc| {
        let admin = Actor::system();
        for (name, role, ministry) in [
            ("hq", Role::Hq, None),
            ("co", Role::CabinetOffice, None),
            ("pd", Role::AmedPd, None),
            ("mext", Role::Ministry, Some("MEXT")),
        ] {
            svc.add_user(&admin, name, role, ministry).await.unwrap();
        }
        let (hq, co, pd, mext) = (
            svc.actor(Some("hq")).await.unwrap(),
            svc.actor(Some("co")).await.unwrap(),
            svc.actor(Some("pd")).await.unwrap(),
            svc.actor(Some("mext")).await.unwrap(),
        );
        let unchanged = async || {
            let events = svc.audit_events(&admin, None).await.unwrap().len();
            let state = svc.fund_state(&admin, fy(), "2023-01-01").await.unwrap();
            format!("{events}|{:?}|{:?}|{:?}", state.pool, state.rounds, state.allocations)
        };

        assert!(matches!(svc.set_fund_pool(&co, fy(), Yen(1)).await, Err(ServiceError::Forbidden(_))));
        svc.set_fund_pool(&hq, fy(), Yen(120_000_000)).await.unwrap();
        let round = svc.open_fund_round(&co, fy(), "president", "令和5年度 第1回（理事長裁量型）").await.unwrap();

        // Refusals, each located and writing nothing.
        let before = unchanged().await;
        let refused = |r: Result<i64, ServiceError>, field: &str| match r {
            Err(ServiceError::Invalid(p)) => assert_eq!(p[0].location.field.as_deref(), Some(field), "{p:?}"),
            other => panic!("expected a refusal on {field}, got {other:?}"),
        };
        refused(svc.propose_fund(&pd, round, &proposal(&other, 10_000_000, 5_000_000)).await, "line");
        refused(svc.propose_fund(&pd, round, &proposal(&amed[0], 10_000_000, 20_000_000)).await, "min");
        refused(svc.propose_fund(&pd, round, &proposal(&amed[0], -5, 1)).await, "requested");
        refused(svc.propose_fund(&pd, round, &proposal(&amed[0], 10, 0)).await, "min");
        refused(
            svc.propose_fund(
                &pd,
                round,
                &ProposalInput { priority_items: vec!["NOPE".into()], ..proposal(&amed[0], 10, 5) },
            )
            .await,
            "priority_items",
        );
        assert!(matches!(
            svc.propose_fund(&mext, round, &proposal(&amed[0], 10, 5)).await,
            Err(ServiceError::Forbidden(_))
        ));
        refused(
            svc.propose_fund(&pd, round, &ProposalInput { rationale: "  ".into(), ..proposal(&amed[0], 10, 5) }).await,
            "rationale",
        );
        refused(
            svc.propose_fund(&pd, round, &ProposalInput { needs: "a\u{0}b".into(), ..proposal(&amed[0], 10, 5) }).await,
            "needs",
        );
        refused(
            svc.propose_fund(&pd, round, &ProposalInput { evidence: "x".repeat(20_001), ..proposal(&amed[0], 10, 5) })
                .await,
            "evidence",
        );
        refused(
            svc.propose_fund(&pd, round, &ProposalInput { targets: String::new(), ..proposal(&amed[0], 10, 5) }).await,
            "targets",
        );
        assert_eq!(unchanged().await, before, "refused proposals wrote nothing");

        let p1 = svc.propose_fund(&pd, round, &proposal(&amed[0], 40_000_000, 20_000_000)).await.unwrap();
        let p2 = svc.propose_fund(&pd, round, &proposal(&amed[1], 50_000_000, 50_000_000)).await.unwrap();
        let p3 = svc
            .propose_fund(
                &pd,
                round,
                &ProposalInput {
                    priority_items: vec!["PHARMA-01".into()],
                    ..proposal(&amed[2], 30_000_000, 10_000_000)
                },
            )
            .await
            .unwrap();
        // Attachments: the proposer's own, of a taken type and size; anything else is refused.
        let before = unchanged().await;
        for (name, bytes) in [("a.html", &b"<p>x</p>"[..]), ("../a.pdf", b"%PDF"), ("empty.pdf", b"")] {
            assert!(matches!(svc.attach_fund(&pd, p1, name, bytes).await, Err(ServiceError::Invalid(_))), "{name}");
        }
        let huge = vec![0_u8; haibun_service::MAX_ATTACHMENT + 1];
        assert!(matches!(svc.attach_fund(&pd, p1, "big.pdf", &huge).await, Err(ServiceError::Invalid(_))));
        assert!(matches!(svc.attach_fund(&co, p1, "a.pdf", b"%PDF").await, Err(ServiceError::Forbidden(_))));
        assert!(matches!(svc.attach_fund(&pd, 9_999, "a.pdf", b"%PDF").await, Err(ServiceError::NotFound { .. })));
        assert_eq!(unchanged().await, before, "refused attachments wrote nothing");
        let att = svc.attach_fund(&pd, p1, "中間評価報告.pdf", b"%PDF-1.7 evidence").await.unwrap();
        let (meta, bytes) = svc.fund_attachment(&hq, att).await.unwrap();
        assert_eq!(bytes, b"%PDF-1.7 evidence");
        assert_eq!(
            (meta.file_name.as_str(), meta.content_type.as_str(), meta.size),
            ("中間評価報告.pdf", "application/pdf", 17)
        );
        assert_eq!(svc.fund_attachments(&hq, round).await.unwrap(), vec![meta]);
        let phase =
            |st: &haibun_service::FundState, id: i64| st.phases.iter().find(|p| p.id == id).unwrap().phase.name();
        assert_eq!(phase(&svc.fund_state(&hq, fy(), "2023-06-01").await.unwrap(), round), "open");

        let unscored = svc.decide_fund(&hq, round, &[], None).await;
        assert!(
            matches!(unscored, Err(ServiceError::Conflict(ref m)) if m.contains(&format!("#{p1}"))),
            "{unscored:?}"
        );
        let score = |s: i64| {
            vec![("PROGRESS".to_string(), s), ("NEEDS".into(), s), ("URGENCY".into(), 3), ("PRIORITY".into(), 3)]
        };
        svc.score_fund(&co, p1, &score(5)).await.unwrap();
        svc.score_fund(&hq, p2, &score(4)).await.unwrap();
        svc.score_fund(&co, p3, &score(2)).await.unwrap();
        assert!(matches!(svc.score_fund(&co, p3, &[("PROGRESS".into(), 9)]).await, Err(ServiceError::Invalid(_))));
        assert!(matches!(svc.score_fund(&co, p3, &[]).await, Err(ServiceError::Invalid(_))), "no score at all");
        assert!(matches!(svc.score_fund(&pd, p3, &score(1)).await, Err(ServiceError::Forbidden(_))));

        assert_eq!(phase(&svc.fund_state(&hq, fy(), "2023-06-01").await.unwrap(), round), "scored");

        // HQ's floor: the priority item PHARMA-01 gets at least ¥30 million, so p3 (the lowest
        // scored) is funded in full.
        assert!(matches!(
            svc.set_fund_constraint(&co, round, "floor", "priority_item", "PHARMA-01", Some(1)).await,
            Err(ServiceError::Forbidden(_))
        ));
        assert!(matches!(
            svc.set_fund_constraint(&hq, round, "floor", "priority_item", "NOPE", Some(1)).await,
            Err(ServiceError::Invalid(_))
        ));
        svc.set_fund_constraint(&hq, round, "floor", "priority_item", "PHARMA-01", Some(30_000_000)).await.unwrap();
        let (plan, _) = svc.fund_plan(&hq, round).await.unwrap();
        assert!(plan.proven_optimal);
        assert_eq!(plan.allocations[&p3.to_string()], 30_000_000);
        let floor = plan.constraints.iter().find(|c| c.kind == "floor").unwrap();
        assert!(floor.binding && floor.name.contains("PHARMA-01"), "{floor:?}");
        assert!(plan.allocated <= 120_000_000);
        assert_eq!(plan.pool_sweep.len(), 4);

        // Only HQ decides; an amount outside [min, requested] is refused; nothing is written.
        let before = unchanged().await;
        assert!(matches!(svc.decide_fund(&co, round, &[], None).await, Err(ServiceError::Forbidden(_))));
        assert!(matches!(svc.decide_fund(&mext, round, &[], None).await, Err(ServiceError::Forbidden(_))));
        let bad = PlanChange { proposal: p3, amount: 5_000_000, reason: "減額".into() };
        assert!(matches!(svc.decide_fund(&hq, round, &[bad], None).await, Err(ServiceError::Invalid(_))));
        assert_eq!(unchanged().await, before);

        let change =
            PlanChange { proposal: p3, amount: 10_000_000, reason: "本部判断により最低額で採択".into() };
        let rows = svc.decide_fund(&hq, round, &[change], None).await.unwrap();
        let regular: i64 = rows.iter().map(|r| r.amount).sum();
        assert!(regular > 0 && regular <= 120_000_000);
        let p3_row = rows.iter().find(|r| r.proposal_id == Some(p3)).unwrap();
        assert_eq!(p3_row.amount, 10_000_000);
        assert!(p3_row.reason.contains("本部判断"));
        assert!(matches!(svc.decide_fund(&hq, round, &[], None).await, Err(ServiceError::Conflict(_))), "decided once");

        // Emergency: above what remains is refused; within it, allocated at once and to be reviewed.
        let remaining = 120_000_000 - regular;
        let before = unchanged().await;
        let over = svc.emergency_fund(&hq, fy(), "新興感染症の発生", "MEXT", &amed[3], remaining + 1).await;
        assert!(
            matches!(over, Err(ServiceError::Invalid(ref p)) if p[0].location.field.as_deref() == Some("amount")),
            "{over:?}"
        );
        assert!(matches!(svc.emergency_fund(&hq, fy(), "", "MEXT", &amed[3], 1).await, Err(ServiceError::Invalid(_))));
        assert!(matches!(
            svc.emergency_fund(&hq, fy(), "理由", "MEXT", &other, 1).await,
            Err(ServiceError::Invalid(_))
        ));
        assert!(matches!(
            svc.emergency_fund(&co, fy(), "理由", "MEXT", &amed[3], 1).await,
            Err(ServiceError::Forbidden(_))
        ));
        assert_eq!(unchanged().await, before);
        let emergency =
            svc.emergency_fund(&hq, fy(), "新興感染症の発生（§3）", "MEXT", &amed[3], 5_000_000).await.unwrap();
        let state = svc.fund_state(&hq, fy(), "2999-01-01").await.unwrap();
        assert_eq!(state.allocated, Yen(regular + 5_000_000));
        assert_eq!(state.overdue_reviews, vec![emergency], "unreviewed past the deadline");
        assert!(matches!(svc.review_fund(&hq, emergency, "妥当").await, Err(ServiceError::Forbidden(_))));
        svc.review_fund(&co, emergency, "緊急性・妥当性を確認").await.unwrap();
        assert!(svc.fund_state(&hq, fy(), "2999-01-01").await.unwrap().overdue_reviews.is_empty());

        // The ex-post check: each funded line's outcome (AMED PD), then the Cabinet Office's
        // check; overdue after the year's end plus the policy's days until done.
        let st = svc.fund_state(&hq, fy(), "2024-09-28").await.unwrap();
        assert_eq!(phase(&st, round), "decided");
        assert_eq!(st.phases.iter().find(|p| p.id == round).unwrap().check_due.as_deref(), Some("2024-09-27"));
        assert_eq!(st.overdue_checks, vec![round, emergency]);
        assert!(svc.fund_state(&hq, fy(), "2024-09-27").await.unwrap().overdue_checks.is_empty(), "due that day");
        let funded: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let before = unchanged().await;
        assert!(
            matches!(svc.check_fund_round(&co, round, "確認").await, Err(ServiceError::Conflict(_))),
            "no outcomes yet"
        );
        assert!(matches!(svc.record_fund_outcome(&pd, funded[0], "great", "x").await, Err(ServiceError::Invalid(_))));
        assert!(matches!(svc.record_fund_outcome(&pd, funded[0], "met", " ").await, Err(ServiceError::Invalid(_))));
        assert!(matches!(svc.record_fund_outcome(&co, funded[0], "met", "x").await, Err(ServiceError::Forbidden(_))));
        assert!(matches!(svc.record_fund_outcome(&pd, 9_999, "met", "x").await, Err(ServiceError::NotFound { .. })));
        assert_eq!(unchanged().await, before);
        for (i, a) in funded.iter().enumerate() {
            svc.record_fund_outcome(&pd, *a, if i == 0 { "partly" } else { "met" }, "症例登録 120/150 例")
                .await
                .unwrap();
        }
        svc.record_fund_outcome(&pd, funded[0], "met", "症例登録 150/150 例（訂正）").await.unwrap();
        assert!(matches!(svc.check_fund_round(&pd, round, "確認").await, Err(ServiceError::Forbidden(_))));
        svc.check_fund_round(&co, round, "目標に照らし概ね達成").await.unwrap();
        assert!(matches!(svc.check_fund_round(&co, round, "再").await, Err(ServiceError::Conflict(_))));
        assert!(matches!(
            svc.record_fund_outcome(&pd, funded[0], "met", "後から").await,
            Err(ServiceError::Conflict(_))
        ));
        let st = svc.fund_state(&hq, fy(), "2024-09-28").await.unwrap();
        assert_eq!(phase(&st, round), "checked");
        assert_eq!(phase(&st, emergency), "reviewed");
        assert_eq!(st.overdue_checks, vec![emergency]);
        let first = st.outcomes.iter().find(|o| o.allocation_id == funded[0]).unwrap();
        assert_eq!((first.result.as_str(), first.achieved.as_str()), ("met", "症例登録 150/150 例（訂正）"));

        // The compile JSON shows the allocations beside the requests.
        let c = serde_json::to_value(svc.compile(&admin, fy()).await.unwrap()).unwrap();
        assert_eq!(c["total"]["adjustment"], regular + 5_000_000);
        let mext_row = c["by_ministry"].as_array().unwrap().iter().find(|r| r["key"] == "MEXT").unwrap();
        assert_eq!(mext_row["adjustment"], regular + 5_000_000);
        let by_project: i64 =
            c["by_project"].as_array().unwrap().iter().map(|r| r["adjustment"].as_i64().unwrap()).sum();
        assert_eq!(by_project, regular + 5_000_000);
        let by_disease: i64 =
            c["by_disease_area"].as_array().unwrap().iter().map(|r| r["adjustment"].as_i64().unwrap()).sum();
        assert_eq!(by_disease, regular + 5_000_000, "apportioned like the requests");
        // The pool cannot fall below what is allocated.
        assert!(matches!(svc.set_fund_pool(&hq, fy(), Yen(1)).await, Err(ServiceError::Conflict(_))));
        assert!(svc.verify_audit(&admin, None).await.unwrap().ok());
        let actions: Vec<String> =
            svc.audit_events(&admin, None).await.unwrap().into_iter().map(|e| e.event.action).collect();
        for a in [
            "fund.pool",
            "fund.round.open",
            "fund.propose",
            "fund.score",
            "fund.decide",
            "fund.emergency",
            "fund.review",
            "fund.attach",
            "fund.outcome",
            "fund.check",
        ] {
            assert!(actions.iter().any(|x| x == a), "{a} audited");
        }
    });
}

on_both_databases!(a_regular_and_an_emergency_round);

/// The same through the real binary, with its refusals' exit codes.
#[test]
fn the_fund_commands_through_the_binary() {
    let t = initialised(Db::Sqlite);
    let lines = import_generated(&t, "MEXT", 21, 24);
    let amed: Vec<String> = lines.iter().filter(|l| l.channel == "AMED").map(|l| l.line_id.to_string()).collect();
    for (name, role) in [("hq", "hq"), ("co", "cabinet-office"), ("pd", "amed-pd")] {
        ok(&t, &["user", "add", name, "--role", role]);
    }
    ok(&t, &["--as", "hq", "fund", "pool", "--fy", "2023", "--amount", "80,000,000"]);
    assert!(
        ok(&t, &["--as", "co", "fund", "round", "--fy", "2023", "--type", "top-down", "--title", "第1回"])
            .contains("#1")
    );
    let propose = |line: &str, req: &str, min: &str| {
        haibun(
            &t,
            &[
                "--as",
                "pd",
                "fund",
                "propose",
                "--round",
                "1",
                "--ministry",
                "MEXT",
                "--line",
                line,
                "--requested",
                req,
                "--min",
                min,
                "--rationale",
                "進捗良好",
                "--targets",
                "年度内に試験完了",
            ],
        )
    };
    assert!(propose(&amed[0], "50,000,000", "20,000,000").status.success());
    assert!(propose(&amed[1], "40,000,000", "40,000,000").status.success());
    let evidence = t.path("進捗.pdf");
    std::fs::write(&evidence, b"%PDF-1.7").unwrap();
    assert!(ok(&t, &["--as", "pd", "fund", "attach", "--proposal", "1", evidence.to_str().unwrap()]).contains("#1"));
    let script = t.path("run.exe");
    std::fs::write(&script, b"MZ").unwrap();
    assert_eq!(
        haibun(&t, &["--as", "pd", "fund", "attach", "--proposal", "1", script.to_str().unwrap()]).status.code(),
        Some(2)
    );
    let refused = propose(&amed[1], "10", "20");
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("min"));
    assert_eq!(propose(&amed[1], "-10", "5").status.code(), Some(2), "a negative amount");
    ok(&t, &["--as", "co", "fund", "score", "--proposal", "1", "--score", "PROGRESS=5", "--score", "NEEDS=4"]);
    ok(&t, &["--as", "co", "fund", "score", "--proposal", "2", "--score", "PROGRESS=2", "--score", "NEEDS=2"]);
    let plan: serde_json::Value =
        serde_json::from_str(&ok(&t, &["--as", "hq", "fund", "plan", "--round", "1", "--format", "json"])).unwrap();
    assert_eq!(plan["proven_optimal"], true);
    let forbidden = haibun(&t, &["--as", "co", "fund", "decide", "--round", "1"]);
    assert_eq!(forbidden.status.code(), Some(4), "only HQ decides");
    ok(&t, &["--as", "hq", "fund", "decide", "--round", "1", "--change", "2=0:本部判断で見送り"]);
    ok(
        &t,
        &[
            "--as",
            "hq",
            "fund",
            "emergency",
            "--fy",
            "2023",
            "--ministry",
            "MEXT",
            "--line",
            &amed[2],
            "--amount",
            "1,000,000",
            "--reason",
            "緊急の感染症対応",
        ],
    );
    let over = haibun(
        &t,
        &[
            "--as",
            "hq",
            "fund",
            "emergency",
            "--fy",
            "2023",
            "--ministry",
            "MEXT",
            "--line",
            &amed[2],
            "--amount",
            "1,000,000,000",
            "--reason",
            "x",
        ],
    );
    assert_eq!(over.status.code(), Some(2), "above the remaining pool");
    let status: serde_json::Value =
        serde_json::from_str(&ok(&t, &["fund", "status", "--fy", "2023", "--format", "json"])).unwrap();
    // Proposal 1 as planned, proposal 2 dropped by HQ, plus the emergency allocation.
    let expected = plan["allocations"]["1"].as_i64().unwrap() + 1_000_000;
    assert_eq!(status["allocated"], expected);
    let c = compile_json(&t);
    assert_eq!(c["total"]["adjustment"], expected);
    // The execution plan of the decided round, as a workbook and a page.
    let xlsx = t.path("plan.xlsx");
    ok(&t, &["fund", "execution-plan", "--round", "1", "--unit", "yen", "-o", xlsx.to_str().unwrap()]);
    let mut wb = calamine::open_workbook_auto(&xlsx).unwrap();
    use calamine::Reader;
    let rows: Vec<Vec<calamine::Data>> = wb.worksheet_range("実行計画").unwrap().rows().map(|r| r.to_vec()).collect();
    let total = rows.last().unwrap();
    assert_eq!(total[5], calamine::Data::Float((expected - 1_000_000) as f64), "the round's total, emergency apart");
    assert!(rows.iter().any(|r| r[1] == calamine::Data::String(amed[0].clone())));
    // The budget book carries the year's allocations, the emergency one marked.
    let book = t.path("book.xlsx");
    ok(&t, &["report", "--fy", "2023", "--unit", "yen", "-o", book.to_str().unwrap()]);
    let mut wb = calamine::open_workbook_auto(&book).unwrap();
    let rows: Vec<Vec<calamine::Data>> = wb.worksheet_range("調整費配分").unwrap().rows().map(|r| r.to_vec()).collect();
    let text = |r: &[calamine::Data], i: usize| r[i].to_string();
    let emergency_row = rows.iter().find(|r| r.len() > 6 && text(r, 1) == "緊急").expect("the emergency row");
    assert_eq!((text(emergency_row, 0), text(emergency_row, 3)), ("#2".to_string(), amed[2].clone()));
    assert_eq!(emergency_row[6], calamine::Data::Float(1_000_000.0));
    assert_eq!(rows.last().unwrap()[6], calamine::Data::Float(expected as f64), "the total is every allocation");
    let html = t.path("plan.html");
    ok(&t, &["fund", "execution-plan", "--round", "2", "-o", html.to_str().unwrap()]);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("緊急の理由") && page.contains("緊急の感染症対応"));
    let open = haibun(&t, &["fund", "round", "--fy", "2023", "--type", "president", "--title", "第2回"]);
    assert!(open.status.success());
    let undecided = haibun(&t, &["fund", "execution-plan", "--round", "3", "-o", "x.xlsx"]);
    assert_eq!(undecided.status.code(), Some(3), "not decided yet");
    // The ex-post check of round 1: its one allocation's outcome, then the Cabinet Office's check.
    let early = haibun(&t, &["--as", "co", "fund", "check", "--round", "1", "--note", "確認"]);
    assert_eq!(early.status.code(), Some(3), "no outcome recorded yet");
    let allocation =
        status["allocations"].as_array().unwrap().iter().find(|a| a["round_id"] == 1).unwrap()["id"].to_string();
    ok(
        &t,
        &["--as", "pd", "fund", "outcome", "--allocation", &allocation, "--result", "met", "--achieved", "試験完了"],
    );
    ok(&t, &["--as", "co", "fund", "check", "--round", "1", "--note", "目標達成を確認"]);
    let text = ok(&t, &["fund", "status", "--fy", "2023"]);
    assert!(text.contains("事後評価済（checked）"), "{text}");
    assert!(text.contains("EX-POST CHECK OVERDUE"), "round 2 is unchecked past FY2023's deadline: {text}");
}
