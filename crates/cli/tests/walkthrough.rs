//! The README's walk through the cycle, run on the demo data with the real binary.

mod common;

use common::*;
use serde_json::Value;

#[test]
fn the_readme_walkthrough_carries_the_demo_to_settlement() {
    let t = TestDb::new(Db::Sqlite);
    let out = ok(&t, &["demo", "--no-serve"]);
    assert!(out.contains("163 事業/lines"), "{out}");
    let status = ok(&t, &["status", "--fy", "2023"]);
    assert_eq!(status.matches("OVERDUE").count(), 1, "one overdue package: {status}");
    assert!(
        status.contains("CAO") && status.contains("consented") && status.contains("revision-instructed"),
        "{status}"
    );
    let instructions: Value =
        serde_json::from_str(&ok(&t, &["--as", "mhlw-sato", "instructions", "--fy", "2023", "--format", "json"]))
            .unwrap();
    let ids: Vec<i64> =
        instructions.as_array().unwrap().iter().map(|i| i["instruction"]["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [3, 4], "the ids the README names");
    let today = haibun_service::today();
    assert_eq!(haibun(&t, &["--as", "cao-ito", "check", "--fy", "2023"]).status.code(), Some(1), "CAO's error");
    for args in [
        vec![
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
        vec!["--as", "cao-ito", "package", "submit", "--fy", "2023", "--ministry", "CAO"],
        vec![
            "--as",
            "co-yamada",
            "hearing",
            "record",
            "--fy",
            "2023",
            "--ministry",
            "CAO",
            "--date",
            &today,
            "--place",
            "内閣府",
        ],
        vec!["--as", "co-yamada", "package", "consent", "--fy", "2023", "--ministry", "CAO"],
        vec!["--as", "co-yamada", "package", "consent", "--fy", "2023", "--ministry", "MIC"],
        vec![
            "--as",
            "mhlw-sato",
            "line",
            "update",
            "MHLW-002",
            "--fy",
            "2023",
            "--ministry",
            "MHLW",
            "--version",
            "1",
            "--request",
            "1000000000",
        ],
        vec!["--as", "mhlw-sato", "line", "history", "MHLW-002", "--fy", "2023", "--ministry", "MHLW"],
        vec!["--as", "mhlw-sato", "answer", "3", "--text", "統合プロジェクトの分類を見直しました"],
        vec!["--as", "mhlw-sato", "answer", "4", "--text", "要求額を修正しました"],
        vec!["--as", "mhlw-sato", "package", "report", "--fy", "2023", "--ministry", "MHLW"],
        vec!["--as", "co-yamada", "package", "consent", "--fy", "2023", "--ministry", "MHLW"],
        vec!["--as", "hq-kobayashi", "compile", "--fy", "2023", "--snapshot"],
        vec!["--as", "hq-kobayashi", "submit", "--fy", "2023"],
        vec![
            "--as",
            "mof-watanabe",
            "negotiate",
            "--fy",
            "2023",
            "--ministry",
            "MEXT",
            "--line",
            "MEXT-001",
            "--amount",
            "90000000",
        ],
    ] {
        ok(&t, &args);
    }
    // Settling with lines not yet negotiated is refused and says how many.
    let out = haibun(&t, &["--as", "hq-kobayashi", "settle", "--fy", "2023"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("162 lines have no negotiated amount"));
    ok(&t, &["--as", "hq-kobayashi", "settle", "--fy", "2023", "--accept-requested"]);
    let c: Value =
        serde_json::from_str(&ok(&t, &["compile", "--fy", "2023", "--snapshot-id", "1", "--format", "json"])).unwrap();
    assert_eq!(c["stage"], "settled");
    assert_eq!(c["lines"], 163);
    let mext = c["by_ministry"].as_array().unwrap().iter().find(|r| r["key"] == "MEXT").unwrap();
    assert_ne!(mext["settled"], mext["request"], "MEXT-001 was negotiated down");
    assert!(ok(&t, &["audit", "verify"]).contains("verifies"));
    let status = ok(&t, &["status", "--fy", "2023"]);
    assert!(!status.contains("OVERDUE") && status.contains("settled"), "{status}");

    // FY2024 opened, its evidence imported, and its draft policy citing a candidate.
    ok(&t, &["--as", "hq-kobayashi", "fy", "open", "2024", "--from", "2023"]);
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../service/demo-evidence");
    for table in ["rates", "funding", "mapping", "publications", "survey"] {
        let path = format!("{dir}/{table}.csv");
        ok(
            &t,
            &[
                "--as",
                "hq-kobayashi",
                "evidence",
                "import",
                "--fy",
                "2024",
                "--table",
                table,
                "--file",
                &path,
                "--source",
                "例示・架空 / illustrative",
                "--as-of",
                "2023-03-31",
                "--licence",
                "demo only",
            ],
        );
    }
    let report = ok(&t, &["--as", "hq-kobayashi", "evidence", "report", "--fy", "2024"]);
    assert!(report.contains("重点化の候補領域") && report.contains("INFECTIOUS"), "{report}");
    ok(&t, &["--as", "hq-kobayashi", "policy", "cite", "--fy", "2024", "--item", "PHARMA-01", "--area", "感染症"]);
    let shown = ok(&t, &["--as", "hq-kobayashi", "policy", "show", "--fy", "2024"]);
    assert!(shown.contains("引用/cites: INFECTIOUS"), "{shown}");
    assert!(ok(&t, &["audit", "verify"]).contains("verifies"));
}
