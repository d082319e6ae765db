//! PDCA (§6) through the real binary on both databases: measures, KPIs and the logic model;
//! a line linked to what it serves; a follow-up round with actuals, achievement rates, an
//! evaluation and HQ's action; refusals (wrong role, wrong ministry, bad values, a closed round)
//! exit with their codes and write nothing; every change is in the audit trail.

mod common;

use common::*;

fn code(t: &TestDb, args: &[&str]) -> Option<i32> {
    haibun(t, args).status.code()
}

fn measures_kpis_followup_and_actions(db: Db) {
    let t = initialised(db);
    let lines = import_generated(&t, "MEXT", 5, 3);
    let line = lines[0].line_id.to_string();
    for (name, role, ministry) in [
        ("mext", "ministry", Some("文部科学省")),
        ("mhlw", "ministry", Some("厚生労働省")),
        ("co", "cabinet-office", None),
        ("hq", "hq", None),
    ] {
        let mut args = vec!["user", "add", name, "--role", role];
        if let Some(m) = ministry {
            args.extend(["--ministry", m]);
        }
        ok(&t, &args);
    }
    let fy = ["--fy", "2023"];
    let with = |base: &[&str], more: &[&str]| -> Vec<String> {
        base.iter().chain(fy.iter()).chain(more.iter()).map(|s| s.to_string()).collect()
    };
    let run = |args: Vec<String>| ok(&t, &args.iter().map(String::as_str).collect::<Vec<_>>());
    let fail = |args: Vec<String>| code(&t, &args.iter().map(String::as_str).collect::<Vec<_>>());

    // Measures and KPIs are the Cabinet Office's and HQ's to enter, not a ministry's.
    let add = ["measure", "add"];
    let m = ["--code", "m-pharma-1", "--name", "医薬品の実用化を加速する", "--project", "PHARMA"];
    assert_eq!(fail(with(&["--as", "mext", "measure", "add"], &m)), Some(4));
    run(with(&[&["--as", "co"][..], &add[..]].concat(), &m));
    assert_eq!(fail(with(&[&["--as", "co"][..], &add[..]].concat(), &m)), Some(3), "a code is used once");
    let unknown = ["--code", "M-X", "--name", "x", "--project", "NOPE"];
    assert_eq!(fail(with(&[&["--as", "co"][..], &add[..]].concat(), &unknown)), Some(2));

    let kpi = |code: &str, kind: &str, extra: &[&str]| -> Vec<String> {
        let mut a = with(
            &["--as", "co", "measure", "kpi"],
            &["--code", code, "--measure", "M-PHARMA-1", "--ministry", "MEXT", "--kind", kind, "--unit", "件"],
        );
        a.extend(["--indicator", "指標", "--direction", "上向き", "--source", "文部科学省調べ"].map(String::from));
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    run(kpi("K-ACT", "活動指標", &["--target", "2023=10"]));
    run(kpi(
        "K-OUT",
        "outcome-short",
        &["--baseline", "100", "--baseline-year", "2021", "--target", "2023=160", "--target", "2024=２００"],
    ));
    // Malformed KPIs: a value that is not a number, an unknown kind, no target, two for one year.
    assert_eq!(fail(kpi("K-BAD", "output", &["--target", "2023=多数"])), Some(2));
    assert_eq!(fail(kpi("K-BAD", "impact", &["--target", "2023=1"])), Some(2));
    assert_eq!(fail(kpi("K-BAD", "output", &[])), Some(2));
    assert_eq!(fail(kpi("K-BAD", "output", &["--target", "2023=1", "--target", "2023=2"])), Some(2));
    // The logic model runs from activity to outcome, never back.
    run(with(&["--as", "co", "measure", "link"], &["--from", "K-ACT", "--to", "K-OUT"]));
    assert_eq!(fail(with(&["--as", "co", "measure", "link"], &["--from", "K-OUT", "--to", "K-ACT"])), Some(2));

    // The ministry links its line; another ministry may not.
    let link = ["--ministry", "MEXT", "--line", line.as_str(), "--measure", "M-PHARMA-1", "--kpi", "K-OUT"];
    assert_eq!(fail(with(&["--as", "mhlw", "measure", "line"], &link)), Some(4));
    run(with(&["--as", "mext", "measure", "line"], &link));

    // A follow-up round: MEXT reports its KPI; the achievement rate is from the baseline.
    let opened = run(with(
        &["--as", "co", "followup", "open"],
        &["--title", "令和5年度フォローアップ", "--report-due", "2024-06-30", "--evaluation-due", "2024-07-31"],
    ));
    assert!(opened.contains("#1"), "{opened}");
    let report = |who: &str, value: &str| -> Vec<String> {
        [
            "--as", who, "followup", "report", "1", "--kpi", "K-OUT", "--year", "2023", "--value", value, "--source",
            "調査",
        ]
        .map(String::from)
        .to_vec()
    };
    assert_eq!(fail(report("mhlw", "130")), Some(4), "another ministry's KPI");
    assert_eq!(fail(report("co", "130")), Some(4), "the Cabinet Office does not report");
    assert_eq!(fail(report("mext", "百三十")), Some(2));
    run(report("mext", "130"));
    let show: serde_json::Value =
        serde_json::from_str(&ok(&t, &["followup", "show", "1", "--format", "json"])).expect("JSON");
    let k = &show["measures"][0]["kpis"][1];
    assert_eq!(k["kpi"]["code"], "K-OUT");
    assert_eq!(k["actuals"][0]["achievement"], "50", "(130 − 100) / (160 − 100)");
    assert_eq!(k["actuals"][0]["short"], true);
    assert_eq!(show["unreported"][0][1], "K-ACT", "{show}");
    assert_eq!(show["unevaluated"][0], "M-PHARMA-1");
    assert_eq!(show["measures"][0]["lines"][0]["line_id"], line.as_str());

    // The Cabinet Office evaluates; HQ records the action, its amount's sign following it.
    let evaluate = ["--measure", "M-PHARMA-1", "--evaluation", "遅れ", "--reason", "症例登録が遅れている"];
    assert_eq!(code(&t, &[&["--as", "hq", "followup", "evaluate", "1"][..], &evaluate[..]].concat()), Some(4));
    ok(&t, &[&["--as", "co", "followup", "evaluate", "1"][..], &evaluate[..]].concat());
    let action = |act: &str, amount: &str| -> Vec<String> {
        ["--as", "hq", "followup", "action", "1", "--ministry", "MEXT", "--line", line.as_str(), "--action", act]
            .into_iter()
            .chain(["--amount", amount, "--reason", "KPI未達のため"])
            .map(String::from)
            .collect()
    };
    let before = state(&t);
    assert_eq!(fail(action("expand", "-5")), Some(2), "an expansion does not take money away");
    assert_eq!(fail(action("stop", "0")), Some(2));
    let mut as_co = action("reduce", "-1000000");
    as_co[1] = "co".into();
    assert_eq!(fail(as_co), Some(4), "the action is HQ's");
    assert_eq!(state(&t), before, "refusals write nothing");
    run(action("reduce", "△1,000,000"));
    let show: serde_json::Value =
        serde_json::from_str(&ok(&t, &["followup", "show", "1", "--format", "json"])).expect("JSON");
    assert_eq!(show["actions"][0]["action"], "reduce");
    assert_eq!(show["actions"][0]["amount"], -1_000_000);
    assert_eq!(show["measures"][0]["evaluation"]["evaluation"], "delayed");
    assert!(show["unevaluated"].as_array().unwrap().is_empty());

    // A ministry sees its own KPIs' actuals and its own lines' actions only.
    let mhlw: serde_json::Value =
        serde_json::from_str(&ok(&t, &["--as", "mhlw", "followup", "show", "1", "--format", "json"])).expect("JSON");
    assert!(mhlw["measures"][0]["kpis"][1]["actuals"].as_array().unwrap().is_empty());
    assert!(mhlw["actions"].as_array().unwrap().is_empty());

    // A closed round takes no more reports.
    assert_eq!(code(&t, &["--as", "mext", "followup", "close", "1"]), Some(4));
    ok(&t, &["--as", "co", "followup", "close", "1"]);
    assert_eq!(fail(report("mext", "140")), Some(3));
    let text = ok(&t, &["followup", "show", "1"]);
    assert!(text.contains("達成率/achievement 50%") && text.contains("未達/short"), "{text}");

    let log = ok(&t, &["audit", "log", "--format", "json"]);
    for a in [
        "measure.add",
        "kpi.add",
        "kpi.link",
        "line.link-measure",
        "followup.open",
        "followup.report",
        "followup.evaluate",
        "followup.action",
        "followup.close",
    ] {
        assert!(log.contains(&format!("\"{a}\"")), "{a} is audited");
    }
}

on_both_databases!(measures_kpis_followup_and_actions);
