//! The policy check (§4, §5): each check fires on its planted line and not on the line fixed;
//! `haibun check` on the demo finds exactly the planted issues; a package with an error cannot
//! be submitted; overlap candidates are confirmed by the Cabinet Office, audited.

mod common;

use common::*;
use haibun_domain::review::review;
use haibun_domain::{RequestLine, Shares, Yen};
use haibun_service::demo_planted::planted;
use haibun_testkit::fy2023;

/// The planted line with what it lacks put right.
fn fixed(code: &str, l: &RequestLine) -> RequestLine {
    let mut l = l.clone();
    match code {
        "PROJECT_CLASSIFICATION" => {
            l.project = Some("SEEDS".into());
            l.priority_items = vec!["SEEDS-01".into()];
        }
        "AMED_CONSOLIDATION" => l.channel = "AMED".into(),
        "DISEASE_AREA_MANAGEMENT" => {
            l.disease_areas = Some(Shares::new(vec![("AGING_DEMENTIA".into(), 60), ("LIFESTYLE".into(), 40)]).unwrap())
        }
        "DEVELOPMENT_PURPOSE" => l.purposes = Some(Shares::new(vec![("DIAGNOSIS".into(), 100)]).unwrap()),
        "NEW_LINE_KPI" => l.kpi = "令和7年度までに相談対応1,000件".into(),
        "EVIDENCE_BASED_PRIORITY" | "INCREASE_JUSTIFICATION" => {
            l.justification = "研究者等への調査（回答2,000名）で利用希望が多数".into()
        }
        "PRIORITY_FRAME_LINK" => l.priority_items = vec!["SEEDS-02".into()],
        "PRIORITY_ITEM_ALIGNMENT" => l.priority_items = vec!["DEVICE-02".into()],
        "PROJECT_MISMATCH" => {
            l.project = Some("REGEN".into());
            l.priority_items = vec!["REGEN-07".into()];
        }
        "REGEN_STRONG_PROMOTION" => l.prior_year = l.request,
        other => panic!("no fix for {other}"),
    }
    l
}

#[test]
fn each_check_fires_on_its_planted_line_and_not_once_fixed() {
    let policy = fy2023();
    let mut seen = Vec::new();
    for (code, line) in planted(policy.fiscal_year) {
        if code == "OVERLAP_CANDIDATE" {
            continue; // a pair: below, through the service
        }
        let r = review(&policy, std::slice::from_ref(&line), &[], None);
        let codes: Vec<&str> = r.findings.iter().map(|f| f.code.as_str()).collect();
        assert_eq!(codes, vec![code], "{} fires {code} only", line.line_id);
        let f = &r.findings[0];
        assert!(!f.message_ja.is_empty() && !f.message_en.is_empty());
        if code != "REGEN_STRONG_PROMOTION" {
            assert_eq!(f.line_id.as_deref(), Some(line.line_id.as_str()));
            assert!(f.field.is_some(), "{code} names its field");
        }
        let r = review(&policy, &[fixed(code, &line)], &[], None);
        assert!(r.findings.is_empty(), "{code} fixed: {:?}", r.findings);
        seen.push(code);
    }
    // The issue's list, every kind planted.
    for code in [
        "PROJECT_CLASSIFICATION",
        "DISEASE_AREA_MANAGEMENT",
        "DEVELOPMENT_PURPOSE",
        "NEW_LINE_KPI",
        "INCREASE_JUSTIFICATION",
        "PRIORITY_FRAME_LINK",
        "PROJECT_MISMATCH",
        "REGEN_STRONG_PROMOTION",
    ] {
        assert!(seen.contains(&code), "{code} is planted");
    }
}

#[test]
fn the_threshold_of_an_increase_is_policy_data() {
    let policy = fy2023();
    let (_, line) = planted(policy.fiscal_year).into_iter().find(|(c, _)| *c == "INCREASE_JUSTIFICATION").unwrap();
    // +10 % exactly is at the threshold, not above it.
    let at = RequestLine { request: Yen(110_000_000), ..line.clone() };
    assert!(review(&policy, &[at], &[], None).findings.is_empty());
    let above = RequestLine { request: Yen(110_000_001), ..line };
    assert_eq!(review(&policy, &[above], &[], None).findings.len(), 1);
}

#[test]
fn the_demo_check_finds_the_planted_issues_and_nothing_else() {
    let t = TestDb::new(Db::Sqlite);
    ok(&t, &["demo", "--no-serve"]);
    let out = haibun(&t, &["check", "--fy", "2023", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "an error finding exits 1");
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut found: Vec<(String, String)> = r["review"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["code"].as_str().unwrap().to_string(), f["line_id"].as_str().unwrap_or("year").to_string()))
        .collect();
    found.sort();
    let mut expected: Vec<(String, String)> = planted(fy())
        .into_iter()
        .map(|(c, l)| {
            (c.to_string(), if c == "REGEN_STRONG_PROMOTION" { "year".to_string() } else { l.line_id.to_string() })
        })
        .collect();
    expected.sort();
    assert_eq!(found, expected, "exactly the planted issues; the generated lines are clean");
    // The text report names each finding's line and field, and what was not evaluated.
    let text = String::from_utf8(haibun(&t, &["check", "--fy", "2023"]).stdout).unwrap();
    assert!(text.contains("error\tPROJECT_CLASSIFICATION\tCAO/CAO-901 [project]"), "{text}");
    assert!(text.contains("not evaluated: DIGITAL_AI_USE"));
    // A ministry sees its own findings only, before it submits; CAO's error blocks submission.
    let mine = String::from_utf8(haibun(&t, &["--as", "cao-ito", "check", "--fy", "2023"]).stdout).unwrap();
    assert!(mine.contains("CAO/CAO-901") && !mine.contains("MEXT/") && !mine.contains("年度全体"), "{mine}");
    let refused = haibun(&t, &["--as", "cao-ito", "package", "submit", "--fy", "2023", "--ministry", "CAO"]);
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("E_PROJECT_REQUIRED") && stderr.contains("CAO/CAO-901 project"), "{stderr}");
    ok(
        &t,
        &[
            "--as",
            "cao-ito",
            "line",
            "update",
            "CAO-901",
            "--fy",
            "2023",
            "--ministry",
            "CAO",
            "--version",
            "1",
            "--project",
            "SEEDS",
        ],
    );
    ok(&t, &["--as", "cao-ito", "package", "submit", "--fy", "2023", "--ministry", "CAO"]);

    // The overlap pair: listed for the Cabinet Office, confirmed, then no longer a finding.
    let list = ok(&t, &["overlap", "list", "--fy", "2023"]);
    assert!(list.contains("MEXT/MEXT-901") && list.contains("MHLW/MHLW-902") && list.contains("未確認"), "{list}");
    let forbidden = haibun(
        &t,
        &[
            "--as",
            "mext-tanaka",
            "overlap",
            "decide",
            "--fy",
            "2023",
            "--a",
            "MEXT/MEXT-901",
            "--b",
            "MHLW/MHLW-902",
            "--decision",
            "distinct",
            "--note",
            "x",
        ],
    );
    assert_eq!(forbidden.status.code(), Some(4));
    let not_a_pair = haibun(
        &t,
        &[
            "--as",
            "co-yamada",
            "overlap",
            "decide",
            "--fy",
            "2023",
            "--a",
            "MEXT/MEXT-001",
            "--b",
            "MHLW/MHLW-902",
            "--decision",
            "distinct",
            "--note",
            "x",
        ],
    );
    assert_eq!(not_a_pair.status.code(), Some(5), "not a candidate");
    let bad = haibun(
        &t,
        &[
            "--as",
            "co-yamada",
            "overlap",
            "decide",
            "--fy",
            "2023",
            "--a",
            "MEXT/MEXT-901",
            "--b",
            "MHLW/MHLW-902",
            "--decision",
            "maybe",
            "--note",
            "x",
        ],
    );
    assert_eq!(bad.status.code(), Some(2));
    ok(
        &t,
        &[
            "--as",
            "co-yamada",
            "overlap",
            "decide",
            "--fy",
            "2023",
            "--b",
            "MEXT/MEXT-901",
            "--a",
            "MHLW/MHLW-902",
            "--decision",
            "coordinate",
            "--note",
            "両省で実施体制を一本化する",
        ],
    );
    let after: serde_json::Value =
        serde_json::from_slice(&haibun(&t, &["check", "--fy", "2023", "--format", "json"]).stdout).unwrap();
    assert!(after["review"]["findings"].as_array().unwrap().iter().all(|f| f["code"] != "OVERLAP_CANDIDATE"));
    assert_eq!(after["overlaps"][0]["decision"]["decision"], "coordinate");
    // A decision on a suggestion is an edit: refused on MEXT's consented package, writing nothing.
    let events = ok(&t, &["audit", "log", "--format", "json"]).len();
    let refused = haibun(
        &t,
        &[
            "--as",
            "mext-tanaka",
            "classify",
            "line",
            "--fy",
            "2023",
            "--ministry",
            "MEXT",
            "--line",
            "MEXT-901",
            "--reject",
            "project=SEEDS",
            "--reason",
            "x",
        ],
    );
    assert_eq!(refused.status.code(), Some(3), "{}", String::from_utf8_lossy(&refused.stderr));
    assert_eq!(ok(&t, &["audit", "log", "--format", "json"]).len(), events);
    let audit = ok(&t, &["audit", "log", "--format", "json"]);
    assert!(audit.contains("overlap.decide") && audit.contains("両省で実施体制を一本化する"));
}
