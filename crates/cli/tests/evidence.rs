//! Evidence to priorities (§4) through the real binary on both databases: HQ imports the
//! evidence tables (the demo's illustrative set), the Cabinet Office reads the ranked candidates
//! with their evidence as text, JSON, a workbook and a page; malformed tables and a mapping whose
//! shares do not sum to 100 are refused with where, and write nothing; a draft policy of the next
//! year cites candidates, and a decided one cannot.

mod common;

use common::*;
use serde_json::Value;

fn import_args<'a>(fy: &'a str, table: &'a str, path: &'a str) -> Vec<&'a str> {
    vec![
        "--as",
        "hq",
        "evidence",
        "import",
        "--fy",
        fy,
        "--table",
        table,
        "--file",
        path,
        "--source",
        "例示 / illustrative",
        "--as-of",
        "2023-03-31",
        "--licence",
        "test only",
    ]
}

fn import_all(t: &TestDb, fy: &str) {
    for (table, name, text) in haibun_service::DEMO_EVIDENCE {
        let path = file(t, name, text.as_bytes());
        ok(t, &import_args(fy, table.name(), &path));
    }
}

fn report(t: &TestDb, fy: &str) -> Value {
    serde_json::from_str(&ok(t, &["--as", "co", "evidence", "report", "--fy", fy, "--format", "json"])).expect("JSON")
}

fn users(t: &TestDb) {
    ok(t, &["user", "add", "mext", "--role", "ministry", "--ministry", "MEXT"]);
    ok(t, &["user", "add", "co", "--role", "cabinet-office"]);
    ok(t, &["user", "add", "hq", "--role", "hq"]);
}

fn ranked_with_evidence(db: Db) {
    let t = initialised(db);
    import_generated(&t, "MEXT", 3, 30);
    users(&t);
    import_all(&t, "2023");
    let r = report(&t, "2023");
    assert_eq!(r["missing"].as_array().unwrap().len(), 0, "{r}");
    assert_eq!(r["sets"].as_array().unwrap().len(), 5);
    assert!(r["sets"].as_array().unwrap().iter().all(|s| s["licence"] == "test only" && s["as_of"] == "2023-03-31"));
    let candidates = r["report"]["candidates"].as_array().unwrap();
    let of = |d: &str| candidates.iter().filter(|c| c["dimension"] == d).count();
    assert_eq!((of("disease_area"), of("project")), (7, 6), "every disease area and project is ranked");
    // The ranks are 1.. in order of the index, and each index is the sum of its contributions.
    for c in candidates {
        let sum: f64 = c["contributions"].as_object().unwrap().values().map(|v| v.as_f64().unwrap()).sum();
        assert!((sum - c["index"].as_f64().unwrap()).abs() < 0.2, "{c}");
        assert_eq!(c["moves"].as_array().unwrap().len(), 5, "a move per weighted indicator");
    }
    // The evidence behind a rank: overseas money converted at the entered rates and spread by the
    // mapping (Cancer: NIH 7.4 bn USD × 131.5 + UKRI 0.42 bn GBP × 162 = 1,041.14 bn yen).
    let cancer = r["report"]["areas"].as_array().unwrap().iter().find(|a| a["area"] == "CANCER").unwrap();
    assert_eq!(cancer["overseas_yen"], "1041140000000", "{cancer}");
    assert_eq!(cancer["survey_respondents"], 817);
    assert_eq!(r["report"]["window"], serde_json::json!([2017, 2022]));

    // Text, a workbook and a page.
    let text = ok(&t, &["--as", "hq", "evidence", "report", "--fy", "2023"]);
    assert!(text.contains("重点化の候補領域") && text.contains("CANCER"), "{text}");
    for (format, magic) in [("xlsx", b"PK".as_slice()), ("html", b"<!doctype html>".as_slice())] {
        let out = t.path(&format!("evidence.{format}"));
        let o = out.display().to_string();
        ok(&t, &["--as", "co", "evidence", "report", "--fy", "2023", "--format", format, "--output", &o]);
        let bytes = std::fs::read(&out).unwrap();
        assert!(bytes.starts_with(magic), "{format}");
        if format == "html" {
            let html = String::from_utf8(bytes).unwrap();
            assert!(html.contains("重点化の候補領域（順位と根拠）") && html.contains("例示 / illustrative"));
        }
    }
    // LibreOffice, the real reader, opens the workbook and computes the same totals (once: SQLite).
    match soffice() {
        Some(soffice) if db == Db::Sqlite => {
            let sheets = libreoffice_csv(soffice, &t.path("evidence.xlsx"), &t.path("lo"));
            let cands = &sheets["候補領域"];
            assert_eq!(cands.len() - 5, 13, "13 candidates between the headers and the total: {cands:?}");
            let disease = &sheets["疾患領域別"];
            let total = disease.last().unwrap();
            assert_eq!(total[0], "合計");
            let requested: i64 = r["report"]["areas"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|a| a["dimension"] == "disease_area")
                .map(|a| a["request"].as_i64().unwrap())
                .sum();
            let lo: f64 = total[1].parse().unwrap();
            assert!((lo - requested as f64 / 1e6).abs() < 1e-6, "{lo} against {requested} yen");
        }
        None if std::env::var_os("HAIBUN_REQUIRE_LIBREOFFICE").is_some() => panic!("LibreOffice is required"),
        _ => {}
    }
    let needs_output = haibun(&t, &["--as", "co", "evidence", "report", "--fy", "2023", "--format", "xlsx"]);
    assert_eq!(needs_output.status.code(), Some(2));

    // A ministry may neither read nor import the evidence.
    assert_eq!(haibun(&t, &["--as", "mext", "evidence", "report", "--fy", "2023"]).status.code(), Some(4));
    let rates = file(&t, "r2.csv", b"currency,year,yen_per_unit\nUSD,2022,130\n");
    let mut args = import_args("2023", "rates", &rates);
    args[1] = "co";
    assert_eq!(haibun(&t, &args).status.code(), Some(4), "importing is HQ's");
}

fn bad_tables_write_nothing(db: Db) {
    let t = initialised(db);
    users(&t);
    import_all(&t, "2023");
    let before = report(&t, "2023");
    let events = ok(&t, &["audit", "log", "--format", "json"]).len();
    let cases: [(&str, &str, &[u8], &str); 7] = [
        (
            "mapping",
            "m.csv",
            "source,category,target,share\nfunding,Cancer,CANCER,60\nfunding,Cancer,INTRACTABLE,30\n".as_bytes(),
            "90%",
        ),
        ("funding", "f.csv", b"funder,category,year,amount,currency\nNIH,Cancer,2022,-1,USD\n", "E_NOT_A_NUMBER"),
        ("funding", "f2.csv", b"funder,category,year\nNIH,Cancer,2022\n", "E_MISSING_COLUMN"),
        ("survey", "s.csv", "area,question,score,respondents\n宇宙,Q,3,10\n".as_bytes(), "E_UNKNOWN_CODE"),
        ("rates", "r.csv", b"", "E_EMPTY_FILE"),
        ("publications", "p.csv", b"\xff\xfef\x00i\x00", "E_BAD_ENCODING"),
        ("rates", "r.xlsx", b"PK\x03\x04broken", "E_UNREADABLE_WORKBOOK"),
    ];
    for (table, name, bytes, needle) in cases {
        let path = file(&t, name, bytes);
        let out = haibun(&t, &import_args("2023", table, &path));
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        assert!(err.contains(needle), "{name}: {err}");
    }
    // Located: the row and the column of a bad cell.
    let path =
        file(&t, "f3.csv", b"funder,category,year,amount,currency\nNIH,Cancer,2022,1,USD\nNIH,Cancer,20x2,1,USD\n");
    let err = String::from_utf8_lossy(&haibun(&t, &import_args("2023", "funding", &path)).stderr).to_string();
    assert!(err.contains("f3.csv 3行/row 3 C列/column C 項目/field「year」"), "{err}");
    // A decimal comma, an underscore and two names of Japan for one field and year are refused too.
    for (table, name, text, needle) in [
        ("rates", "r3.csv", "currency,year,yen_per_unit\nUSD,2022,\"131,5\"\n", "131,5"),
        ("rates", "r4.csv", "currency,year,yen_per_unit\nUSD,2022,1_31\n", "1_31"),
        (
            "publications",
            "p2.csv",
            "field,country,year,count\nOncology,JPN,2022,5\nＯｎｃｏｌｏｇｙ,日本,2022,5\n",
            "3行/row 3",
        ),
    ] {
        let path = file(&t, name, text.as_bytes());
        let out = haibun(&t, &import_args("2023", table, &path));
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        assert!(err.contains(needle), "{name}: {err}");
    }
    // A bad as-of date or an empty source is refused before the file is read.
    let good = file(&t, "ok.csv", b"currency,year,yen_per_unit\nUSD,2022,130\n");
    let mut args = import_args("2023", "rates", &good);
    args[13] = "31/03/2023";
    assert_eq!(haibun(&t, &args).status.code(), Some(2));
    let mut args = import_args("2023", "rates", &good);
    args[11] = " ";
    assert_eq!(haibun(&t, &args).status.code(), Some(2));
    assert_eq!(report(&t, "2023"), before, "nothing was written");
    assert_eq!(ok(&t, &["audit", "log", "--format", "json"]).len(), events);
    // A good table replaces the year's one, and says so.
    let out = ok(&t, &import_args("2023", "rates", &good));
    assert!(out.contains("2 行を置き換え"), "{out}");
    // Without the 2022 GBP rate the report cannot convert UKRI's money and says which rate.
    let out = haibun(&t, &["--as", "co", "evidence", "report", "--fy", "2023", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("GBP"));
}

fn a_draft_policy_cites_candidates(db: Db) {
    let t = initialised(db);
    import_generated(&t, "MEXT", 5, 12);
    users(&t);
    settle_mext_2023(&t);
    ok(&t, &["--as", "hq", "fy", "open", "2024", "--from", "2023"]);
    import_all(&t, "2024");
    let r = report(&t, "2024");
    let first = r["report"]["candidates"][0].clone();
    assert_eq!(first["rank"], 1);
    let area = first["area"].as_str().unwrap();
    let cite = |who: &str, fy: &str, item: &str, area: &str| {
        haibun(&t, &["--as", who, "policy", "cite", "--fy", fy, "--item", item, "--area", area]).status.code()
    };
    assert_eq!(cite("hq", "2024", "PHARMA-01", area), Some(0));
    assert_eq!(cite("hq", "2024", "PHARMA-01", "がん"), Some(0), "by name as well as code");
    assert_eq!(cite("co", "2024", "PHARMA-02", area), Some(4), "citing is HQ's");
    assert_eq!(cite("hq", "2023", "PHARMA-01", area), Some(3), "FY2023's policy is decided");
    assert_eq!(cite("hq", "2024", "NO-SUCH", area), Some(2));
    assert_eq!(cite("hq", "2024", "PHARMA-01", "宇宙"), Some(2));
    let shown = ok(&t, &["--as", "hq", "policy", "show", "--fy", "2024"]);
    let cites = shown.lines().find(|l| l.contains("引用/cites:")).unwrap_or_default();
    assert!(cites.contains(&format!("{area}（1位/rank）")), "the rank-1 candidate, cited first: {shown}");
    assert!(cites.contains("CANCER"), "and がん, cited by name: {shown}");
    // Withdrawn once; a second withdrawal has nothing to withdraw.
    let uncite = |area: &str| {
        haibun(&t, &["--as", "hq", "policy", "uncite", "--fy", "2024", "--item", "PHARMA-01", "--area", area])
            .status
            .code()
    };
    assert_eq!(uncite("CANCER"), Some(0));
    assert_eq!(uncite("CANCER"), Some(2));
    // A replaced draft without the item drops its citations, and the audit says which.
    assert_eq!(cite("hq", "2024", "PHARMA-01", "INFECTIOUS"), Some(0));
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../policies/fy2023.toml")).unwrap();
    let renamed = text.replace("fiscal_year = 2023", "fiscal_year = 2024").replace("\"PHARMA-01\"", "\"PHARMA-91\"");
    let path = file(&t, "fy2024.toml", renamed.as_bytes());
    ok(&t, &["--as", "hq", "policy", "replace", "--fy", "2024", "--file", &path]);
    let shown = ok(&t, &["--as", "hq", "policy", "show", "--fy", "2024"]);
    assert!(!shown.contains("引用/cites:"), "{shown}");
    assert!(ok(&t, &["audit", "log", "--format", "json"]).contains("PHARMA-01 → INFECTIOUS"));
    assert_eq!(cite("hq", "2024", "PHARMA-91", "INFECTIOUS"), Some(0));
    // Stored with the policy: once decided, the citations stand and cannot change.
    ok(&t, &["--as", "hq", "policy", "decide", "--fy", "2024"]);
    assert_eq!(cite("hq", "2024", "PHARMA-91", "CANCER"), Some(3));
    let out =
        haibun(&t, &["--as", "hq", "policy", "uncite", "--fy", "2024", "--item", "PHARMA-91", "--area", "INFECTIOUS"]);
    assert_eq!(out.status.code(), Some(3), "a decided policy's citations stand");
    let log = ok(&t, &["audit", "log", "--format", "json"]);
    assert!(log.contains("policy.cite") && log.contains("policy.uncite") && log.contains("evidence.import"));
}

on_both_databases!(ranked_with_evidence, bad_tables_write_nothing, a_draft_policy_cites_candidates);
