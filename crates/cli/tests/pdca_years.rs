//! The PDCA story across two years, through the real binary on both databases: FY2023's
//! measures and KPIs with lines linked; the year settled; a follow-up with a shortfall, an
//! evaluation and HQ's actions (reduce, end); `fy open 2024 --from 2023` carries the lines not
//! ended with their settled amounts as the prior year; the FY2024 check flags a request that
//! ignores the reduce action and a shortfall without a response, and stops flagging the
//! shortfall once the ministry responds; the year-on-year figures span both years.

mod common;

use common::*;
use serde_json::Value;

fn json(t: &TestDb, args: &[&str]) -> Value {
    serde_json::from_str(&ok(t, args)).expect("JSON")
}

fn codes_on(check: &Value, line: &str) -> Vec<String> {
    check["review"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["line_id"] == line)
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

fn two_years(db: Db) {
    let t = initialised(db);
    let lines = import_generated(&t, "MEXT", 7, 4);
    let [a, b, c] = [0, 1, 2].map(|i| lines[i].line_id.to_string());
    ok(&t, &["user", "add", "mext", "--role", "ministry", "--ministry", "MEXT"]);
    ok(&t, &["user", "add", "co", "--role", "cabinet-office"]);
    ok(&t, &["user", "add", "hq", "--role", "hq"]);

    // FY2023's measure, its KPI, and the lines serving them.
    ok(
        &t,
        &[
            "--as",
            "co",
            "measure",
            "add",
            "--fy",
            "2023",
            "--code",
            "M-1",
            "--name",
            "創薬の推進",
            "--project",
            "PHARMA",
        ],
    );
    ok(
        &t,
        &[
            "--as",
            "co",
            "measure",
            "kpi",
            "--fy",
            "2023",
            "--code",
            "K-1",
            "--measure",
            "M-1",
            "--ministry",
            "MEXT",
            "--kind",
            "output",
            "--indicator",
            "導出件数",
            "--unit",
            "件",
            "--direction",
            "higher",
            "--source",
            "AMED調べ",
            "--target",
            "2023=100",
            "--target",
            "2024=120",
        ],
    );
    ok(
        &t,
        &[
            "--as",
            "mext",
            "measure",
            "line",
            "--fy",
            "2023",
            "--ministry",
            "MEXT",
            "--line",
            &a,
            "--measure",
            "M-1",
            "--kpi",
            "K-1",
        ],
    );
    ok(
        &t,
        &["--as", "mext", "measure", "line", "--fy", "2023", "--ministry", "MEXT", "--line", &c, "--measure", "M-1"],
    );

    // The FY2023 cycle to settlement.
    settle_mext_2023(&t);
    let settled = json(&t, &["compile", "--fy", "2023", "--snapshot-id", "1", "--format", "json"]);

    // Its follow-up: K-1 falls short; the measure is delayed; A is reduced and B ended.
    ok(
        &t,
        &[
            "--as",
            "co",
            "followup",
            "open",
            "--fy",
            "2023",
            "--title",
            "令和5年度",
            "--report-due",
            "2024-06-30",
            "--evaluation-due",
            "2024-07-31",
        ],
    );
    ok(
        &t,
        &[
            "--as",
            "mext",
            "followup",
            "report",
            "1",
            "--kpi",
            "K-1",
            "--year",
            "2023",
            "--value",
            "80",
            "--source",
            "AMED調べ",
        ],
    );
    ok(
        &t,
        &[
            "--as",
            "co",
            "followup",
            "evaluate",
            "1",
            "--measure",
            "M-1",
            "--evaluation",
            "delayed",
            "--reason",
            "導出が遅れている",
        ],
    );
    ok(
        &t,
        &[
            "--as",
            "hq",
            "followup",
            "action",
            "1",
            "--ministry",
            "MEXT",
            "--line",
            &a,
            "--action",
            "reduce",
            "--amount",
            "△1,000,000",
            "--reason",
            "指標未達",
        ],
    );
    ok(
        &t,
        &[
            "--as",
            "hq",
            "followup",
            "action",
            "1",
            "--ministry",
            "MEXT",
            "--line",
            &b,
            "--action",
            "end",
            "--amount",
            "-1",
            "--reason",
            "目的を達成",
        ],
    );

    // Opening FY2024 is HQ's, from the year just before, once.
    assert_eq!(haibun(&t, &["--as", "co", "fy", "open", "2024", "--from", "2023"]).status.code(), Some(4));
    assert_eq!(haibun(&t, &["--as", "hq", "fy", "open", "2025", "--from", "2023"]).status.code(), Some(2));
    let opened = json(&t, &["--as", "hq", "fy", "open", "2024", "--from", "2023", "--format", "json"]);
    assert_eq!(haibun(&t, &["--as", "hq", "fy", "open", "2024", "--from", "2023"]).status.code(), Some(3));
    assert_eq!(opened["carried"].as_array().unwrap().len(), 3, "{opened}");
    assert_eq!(opened["ended"][0][1], b.as_str());
    assert_eq!((opened["measures"].as_u64(), opened["kpis"].as_u64()), (Some(1), Some(1)));

    // FY2024's policy is a draft for HQ to edit, then decide; the text is checked like any policy.
    assert!(ok(&t, &["policy", "show", "--fy", "2024"]).contains("案 / draft"));
    let source = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../policies/fy2023.toml")).unwrap();
    let fy24 = source.replacen("fiscal_year = 2023", "fiscal_year = 2024", 1).replacen(
        "令和5年度医療分野の研究開発関連予算等の資源配分方針",
        "令和6年度医療分野の研究開発関連予算等の資源配分方針（案）",
        1,
    );
    let good = file(&t, "fy2024.toml", fy24.as_bytes());
    let wrong_year = file(&t, "wrong.toml", source.as_bytes());
    let broken = file(&t, "broken.toml", b"fiscal_year = 2024\n[[projects]\n");
    let not_utf8 = file(&t, "sjis.toml", &[0x82, 0xa0, 0x0a]);
    let replace = |who: &str, path: &str| {
        haibun(&t, &["--as", who, "policy", "replace", "--fy", "2024", "--file", path]).status.code()
    };
    let events = ok(&t, &["audit", "log", "--format", "json"]).len();
    assert_eq!(replace("co", &good), Some(4));
    for bad in [&wrong_year, &broken, &not_utf8] {
        assert_eq!(replace("hq", bad), Some(2), "{bad}");
    }
    assert_eq!(ok(&t, &["audit", "log", "--format", "json"]).len(), events, "refusals write nothing");
    assert_eq!(replace("hq", &good), Some(0));
    assert!(ok(&t, &["policy", "show", "--fy", "2024"]).contains("令和6年度医療分野"));
    ok(&t, &["--as", "hq", "policy", "decide", "--fy", "2024"]);
    assert!(ok(&t, &["policy", "show", "--fy", "2024"]).contains("決定 / decided"));
    assert_eq!(replace("hq", &good), Some(3), "a decided policy does not change");
    assert_eq!(haibun(&t, &["--as", "hq", "policy", "decide", "--fy", "2023"]).status.code(), Some(3));

    // FY2024's lines: the settled amounts are their prior year; the year-on-year totals span both.
    let fy24 = json(&t, &["compile", "--fy", "2024", "--format", "json"]);
    let settled_without_b = settled["total"]["settled"].as_i64().unwrap() - lines[1].request.get();
    assert_eq!(fy24["total"]["prior_year"].as_i64().unwrap(), settled_without_b, "{fy24}");
    let carried_ids: Vec<String> = t.with_service(async |svc| {
        let fy24 = haibun_domain::FiscalYear::try_from(2024).unwrap();
        svc.lines(&Actor::system(), fy24, None).await.unwrap().into_iter().map(|l| l.rs_id).collect()
    });
    assert!(carried_ids.contains(&lines[0].rs_id) && !lines[0].rs_id.is_empty(), "a carried line keeps its RS id");
    // The FY2024 book compares against the settled FY2023 budget: the ended line shows as ended.
    let (held, ended) = t.with_service(async |svc| {
        let fy24 = haibun_domain::FiscalYear::try_from(2024).unwrap();
        let book = svc
            .book(&Actor::system(), fy24, haibun_domain::Stage::Requested, None, haibun_domain::book::ReportUnit::Yen)
            .await
            .unwrap();
        let text = serde_json::to_string(&book.tables).unwrap();
        (book.meta.prior_held, text.contains("終了") && text.contains(lines[1].name.as_str()))
    });
    assert_eq!(held, ["MEXT"]);
    assert!(ended, "the line ended by the follow-up is in the year-on-year comparison as ended");
    let measures = json(&t, &["measure", "list", "--fy", "2024", "--format", "json"]);
    assert_eq!(measures[0]["measure"]["code"], "M-1");
    assert_eq!(measures[0]["lines"].as_array().unwrap().len(), 2, "A and C stay linked");

    // The check: both served lines carry the shortfall; nothing flags A's unchanged request.
    let check = json(&t, &["check", "--fy", "2024", "--format", "json"]);
    assert!(codes_on(&check, &a).contains(&"KPI_SHORTFALL_RESPONSE".to_string()), "{check}");
    assert!(codes_on(&check, &c).contains(&"KPI_SHORTFALL_RESPONSE".to_string()));
    assert!(!codes_on(&check, &a).contains(&"ACTION_NOT_FOLLOWED".to_string()));

    // MEXT asks for more on A despite the reduction (raising its prior-year figure too): flagged. It answers C's shortfall: not.
    let prior = opened["carried"].as_array().unwrap().iter().find(|x| x[1] == a.as_str()).unwrap()[2].as_i64().unwrap();
    let more = (prior + 5_000_000).to_string();
    ok(
        &t,
        &[
            "--as",
            "mext",
            "line",
            "update",
            &a,
            "--fy",
            "2024",
            "--ministry",
            "MEXT",
            "--version",
            "1",
            "--request",
            &more,
            "--prior-year",
            &more,
        ],
    );
    ok(
        &t,
        &[
            "--as",
            "mext",
            "followup",
            "respond",
            "--fy",
            "2024",
            "--ministry",
            "MEXT",
            "--line",
            &c,
            "--text",
            "導出の支援体制を強化する",
        ],
    );
    assert_eq!(
        haibun(
            &t,
            &["--as", "co", "followup", "respond", "--fy", "2024", "--ministry", "MEXT", "--line", &c, "--text", "x"]
        )
        .status
        .code(),
        Some(4),
        "the response is the ministry's"
    );
    let check = json(&t, &["check", "--fy", "2024", "--format", "json"]);
    assert!(codes_on(&check, &a).contains(&"ACTION_NOT_FOLLOWED".to_string()), "{check}");
    assert!(!codes_on(&check, &c).contains(&"KPI_SHORTFALL_RESPONSE".to_string()), "answered");
    let text = ok(&t, &["check", "--fy", "2024"]);
    assert!(text.contains("縮減") && text.contains("指標未達"), "the finding names the action and its reason: {text}");
    // FY2023's own check knows nothing of a follow-up before it.
    let old = json(&t, &["check", "--fy", "2023", "--format", "json"]);
    assert!(old["review"]["findings"].as_array().unwrap().iter().all(|f| f["code"] != "ACTION_NOT_FOLLOWED"));
    let log = ok(&t, &["audit", "log", "--format", "json"]);
    for a in ["year.open", "followup.respond", "policy.replace", "policy.decide"] {
        assert!(log.contains(&format!("\"{a}\"")), "{a} is audited");
    }
}

on_both_databases!(two_years);
