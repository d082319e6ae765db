//! The RS system's budget and execution file (2-1), built here in the published layout (44
//! columns, UTF-8 with a BOM, CRLF, one summary row and detail rows per line and year, mixed
//! full- and half-width brackets in the headers, quoted commas, amounts such as `136095000.0`),
//! imported through the real binary on both databases and matched to lines by 予算事業ID. The
//! review year (事業年度) is not the budget year (予算年度). Malformed files are refused with
//! located errors and write nothing.

mod common;

use common::*;

const HEADER: [&str; 44] = [
    "シート種別",
    "事業年度",
    "予算事業ID",
    "事業名",
    "府省庁の建制順",
    "政策所管府省庁",
    "府省庁",
    "局・庁",
    "部",
    "課",
    "室",
    "班",
    "係",
    "予算年度",
    "当初予算（合計）",
    "補正予算（合計）",
    "前年度からの繰越し（合計）",
    "予備費等（合計）",
    "計（歳出予算現額合計）",
    "執行額（合計）",
    "執行率",
    "翌年度への繰越し(合計）",
    "翌年度要求額（合計）",
    "主な増減理由",
    "その他特記事項",
    "会計区分",
    "会計",
    "勘定",
    "当初予算",
    "第1次補正予算",
    "第2次補正予算",
    "第3次補正予算",
    "第4次補正予算",
    "第5次補正予算",
    "前年度から繰越し",
    "予備費等1",
    "予備費等2",
    "予備費等3",
    "予備費等4",
    "歳出予算現額",
    "執行額",
    "翌年度要求額",
    "要望額",
    "備考",
];

/// One row: the named cells set, the rest empty.
fn row(cells: &[(&str, &str)]) -> String {
    HEADER
        .iter()
        .map(|h| {
            let v = cells.iter().find(|(k, _)| k == h).map_or("", |(_, v)| *v);
            if v.contains(',') || v.contains('"') { format!("\"{}\"", v.replace('"', "\"\"")) } else { v.to_string() }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// A 2-1 file: UTF-8 with a BOM, CRLF.
fn file_of(rows: &[String]) -> Vec<u8> {
    let mut text = String::from("\u{feff}");
    text.push_str(&HEADER.join(","));
    for r in rows {
        text.push_str("\r\n");
        text.push_str(r);
    }
    text.push_str("\r\n");
    text.into_bytes()
}

/// A summary row of `id` for `budget_year` in the sheet of review year `review_year`, and its
/// detail row by account repeating the money.
fn summary(review: &str, id: &str, budget_year: &str, initial: &str, executed: &str, rate: &str) -> Vec<String> {
    let common = [
        ("シート種別", "事業"),
        ("事業年度", review),
        ("予算事業ID", id),
        ("事業名", "創薬支援事業"),
        ("府省庁", "文部科学省"),
    ];
    let mut total: Vec<(&str, &str)> = common.to_vec();
    total.extend([
        ("予算年度", budget_year),
        ("当初予算（合計）", initial),
        ("補正予算（合計）", "50000000"),
        ("前年度からの繰越し（合計）", "0"),
        ("予備費等（合計）", "0"),
        ("計（歳出予算現額合計）", "1050000000"),
        ("執行額（合計）", executed),
        ("執行率", rate),
        ("翌年度への繰越し(合計）", "-20000000"),
        ("翌年度要求額（合計）", "1100000000.0"),
        ("主な増減理由", "症例の追加, 解析体制の強化"),
    ]);
    let mut detail: Vec<(&str, &str)> = common.to_vec();
    detail.extend([("予算年度", budget_year), ("会計区分", "一般会計"), ("会計", "一般会計"), ("当初予算", initial)]);
    vec![row(&total), row(&detail)]
}

fn rs_budget_of(t: &TestDb, line: &str) -> Vec<haibun_service::RsBudgetRecord> {
    t.with_service(async |svc| svc.line_rs_budget(&Actor::system(), fy(), "MEXT", line).await.unwrap())
}

fn budgets_and_execution_matched_by_rs_id(db: Db) {
    let t = initialised(db);
    let lines = import_generated(&t, "MEXT", 9, 3);
    let (line, id) = (lines[0].line_id.to_string(), lines[0].rs_id.clone());
    assert!(!id.is_empty(), "generated lines carry an RS id");
    ok(&t, &["user", "add", "mext", "--role", "ministry", "--ministry", "MEXT"]);

    // The FY2024 review sheet: FY2023's execution, FY2024's initial budget, and an id no line has.
    let mut rows = summary("2024", &id, "2023", "1000000000", "888300000", "0.84600");
    rows.extend(summary("2024", &id, "2024", "1100000000", "", ""));
    rows.extend(summary("2024", "7777777", "2024", "5", "", ""));
    let sheet = file(&t, "2-1_RS_2024.csv", &file_of(&rows));
    assert_eq!(haibun(&t, &["--as", "mext", "rs", "import-budget", &sheet]).status.code(), Some(4));
    let report: serde_json::Value =
        serde_json::from_str(&ok(&t, &["rs", "import-budget", &sheet, "--format", "json"])).unwrap();
    assert_eq!(
        (report["rows"].as_u64(), report["stored"].as_u64(), report["detail_rows"].as_u64()),
        (Some(3), Some(3), Some(3))
    );
    assert_eq!(report["unmatched"][0], "7777777");
    let got = rs_budget_of(&t, &line);
    assert_eq!(got.iter().map(|r| (r.budget_year, r.review_year)).collect::<Vec<_>>(), [(2023, 2024), (2024, 2024)]);
    assert_eq!(got[0].initial, 1_000_000_000, "the summary row only: detail rows are never added");
    assert_eq!((got[0].executed, got[0].execution_rate.as_deref()), (Some(888_300_000), Some("0.84600")));
    assert_eq!((got[0].carried_out, got[0].next_request), (-20_000_000, 1_100_000_000));
    assert_eq!(got[0].change_reason, "症例の追加, 解析体制の強化");
    assert_eq!(got[1].executed, None, "a year not closed has no execution yet");

    // An older review (FY2023's sheet) does not overwrite the later figures for 2023.
    let older = file(&t, "2-1_RS_2023.csv", &file_of(&summary("2023", &id, "2023", "999", "", "")));
    let report: serde_json::Value =
        serde_json::from_str(&ok(&t, &["rs", "import-budget", &older, "--format", "json"])).unwrap();
    assert_eq!(report["stored"], 0);
    assert_eq!(report["kept_newer"][0][2], 2024);
    assert_eq!(rs_budget_of(&t, &line)[0].initial, 1_000_000_000);

    // Malformed files: located errors, exit 2, nothing written.
    let before = (ok(&t, &["audit", "log", "--format", "json"]).len(), rs_budget_of(&t, &line));
    let mut no_rate: Vec<&str> = HEADER.to_vec();
    no_rate.retain(|h| *h != "執行率");
    let missing = file(&t, "missing.csv", format!("{}\r\n", no_rate.join(",")).as_bytes());
    let fraction = file(&t, "fraction.csv", &file_of(&summary("2024", &id, "2025", "12.5", "", "")));
    let mut twice = summary("2024", &id, "2025", "1", "", "");
    twice.extend(summary("2024", &id, "2025", "2", "", ""));
    let twice = file(&t, "twice.csv", &file_of(&twice));
    let bad_year = file(&t, "year.csv", &file_of(&summary("2024", &id, "令和7", "1", "", "")));
    let empty = file(&t, "empty.csv", b"");
    let binary = file(&t, "binary.csv", &[0x00, 0x01, 0xff, 0xfe, 0x00]);
    let utf16 = file(&t, "utf16.csv", &[0xff, 0xfe, b'a', 0x00]);
    let huge = t.path("huge.csv");
    std::fs::File::create(&huge).unwrap().set_len(65 << 20).unwrap();
    let huge = huge.display().to_string();
    let folder = t.path("a-folder");
    std::fs::create_dir(&folder).unwrap();
    let folder = folder.display().to_string();
    for (path, code, needle) in [
        (&missing, "E_MISSING_COLUMN", "執行率"),
        (&fraction, "E_NOT_A_NUMBER", "当初予算"),
        (&twice, "E_DUPLICATE_LINE_ID", "row 4"),
        (&bad_year, "E_INVALID_ARGUMENT", "予算年度"),
        (&empty, "E_EMPTY_FILE", ""),
        (&binary, "E_", ""),
        (&utf16, "E_BAD_ENCODING", "UTF-16"),
        (&huge, "E_FILE_TOO_LARGE", "64 MiB"),
        (&folder, "E_NOT_A_SPREADSHEET", ""),
    ] {
        let out = haibun(&t, &["rs", "import-budget", path]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{path}: {err}");
        assert!(err.contains(code) && err.contains(needle), "{path}: {err}");
    }
    assert_eq!((ok(&t, &["audit", "log", "--format", "json"]).len(), rs_budget_of(&t, &line)), before);

    // A 2-1 file saved as Shift_JIS (as Japanese Excel saves CSV) reads the same.
    let text = String::from_utf8(file_of(&summary("2025", &id, "2025", "7000", "", ""))).unwrap();
    let (sjis, _, unmappable) = encoding_rs::SHIFT_JIS.encode(text.trim_start_matches('\u{feff}'));
    assert!(!unmappable);
    let sjis = file(&t, "sjis.csv", &sjis);
    ok(&t, &["rs", "import-budget", &sjis]);
    assert!(rs_budget_of(&t, &line).iter().any(|r| r.budget_year == 2025 && r.initial == 7000));
}

/// A 3-1 file: the indicator columns, then one column per year; four rows per indicator.
/// (予算事業ID, 番号, 種別, アウトカムの期間, 成果目標の種類, 改善の向き, targets, actuals).
type Indicator<'a> =
    (&'a str, &'a str, &'a str, &'a str, &'a str, &'a str, &'a [(&'a str, &'a str)], &'a [(&'a str, &'a str)]);

fn kpi_file(indicators: &[Indicator<'_>]) -> Vec<u8> {
    let years = ["2021", "2022", "2023", "2024"];
    let head = [
        "予算事業ID",
        "事業名",
        "アクティビティ・アウトプット・アウトカムの番号",
        "種別（アクティビティ・アウトプット・アウトカム）",
        "アウトカムの期間",
        "成果目標の種類",
        "アクティビティ／活動目標／成果目標",
        "活動指標／成果指標",
        "単位",
        "改善の上向き／下向き",
        "成果実績及び目標値の根拠として用いた統計・データ名（出典）",
        "目標年度／目標値／実績値／達成率",
    ];
    let mut text = format!("\u{feff}{},{}\r\n", head.join(","), years.join(","));
    for (id, number, kind, term, quant, direction, targets, actuals) in indicators {
        for (label, series) in
            [("1.目標年度", None), ("2.目標値", Some(targets)), ("3.実績値", Some(actuals)), ("4.達成率", None)]
        {
            let cells: Vec<String> = years
                .iter()
                .map(|y| match series {
                    None => {
                        if label.starts_with('1') && targets.iter().any(|(t, _)| t == y) {
                            "1".into()
                        } else {
                            String::new()
                        }
                    }
                    Some(s) => s.iter().find(|(t, _)| t == y).map_or(String::new(), |(_, v)| v.to_string()),
                })
                .collect();
            text.push_str(&format!(
                "{id},創薬支援事業,{number},{kind},{term},{quant},目標,指標{number}{kind},件,{direction},文科省調べ,{label},{}\r\n",
                cells.join(",")
            ));
        }
    }
    text.into_bytes()
}

fn kpis_import_and_export_unchanged(db: Db) {
    let t = initialised(db);
    let lines = import_generated(&t, "MEXT", 9, 3);
    let (line, id) = (lines[0].line_id.to_string(), lines[0].rs_id.clone());
    ok(&t, &["measure", "add", "--fy", "2023", "--code", "M-1", "--name", "創薬", "--project", "PHARMA"]);
    ok(
        &t,
        &[
            "followup",
            "open",
            "--fy",
            "2023",
            "--title",
            "FU",
            "--report-due",
            "2024-06-30",
            "--evaluation-due",
            "2024-07-31",
        ],
    );
    let good = kpi_file(&[
        (&id, "1", "アクティビティ", "", "定量的", "上向き", &[("2023", "10"), ("2024", "12")], &[("2023", "9")]),
        (&id, "1", "アウトカム", "1.短期", "定量的", "下向き", &[("2023", "5.0")], &[("2023", "4.5")]),
        (&id, "2", "アウトカム", "長期", "定性的", "上向き", &[], &[]),
    ]);
    let good = file(&t, "3-1.csv", &good);
    let import = |path: &str, round: Option<&str>| {
        let mut args = vec!["rs", "import-kpis", path, "--fy", "2023", "--format", "json"];
        if let Some(r) = round {
            args.extend(["--round", r]);
        }
        haibun(&t, &args)
    };
    // The line serves no measure yet: refused, located, nothing written.
    let out = import(&good, Some("1"));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("施策"), "{}", String::from_utf8_lossy(&out.stderr));
    ok(&t, &["measure", "line", "--fy", "2023", "--ministry", "MEXT", "--line", &line, "--measure", "M-1"]);
    assert_eq!(import(&good, None).status.code(), Some(2), "actual values need a round");

    let out = import(&good, Some("1"));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (r["inserted"].as_u64(), r["actuals_stored"].as_u64(), r["qualitative"].as_u64()),
        (Some(2), Some(2), Some(1))
    );
    let show: serde_json::Value =
        serde_json::from_str(&ok(&t, &["followup", "show", "1", "--format", "json"])).unwrap();
    let kpis = show["measures"][0]["kpis"].as_array().unwrap();
    let code = |c: &str| kpis.iter().find(|k| k["kpi"]["code"] == c).unwrap_or_else(|| panic!("{c}: {show}"));
    let activity = code(&format!("RS-{id}-A1"));
    assert_eq!(activity["actuals"][0]["achievement"], "90");
    let outcome = code(&format!("RS-{id}-S1"));
    assert_eq!(outcome["kpi"]["direction"], "lower");
    assert_eq!(outcome["actuals"][0]["achievement"], "111.1", "5.0 / 4.5, lower is better");

    // Exported in the 3-1 layout, it imports back unchanged, and exports the same again.
    let a = t.path("a.csv").display().to_string();
    ok(&t, &["rs", "export-kpis", "--round", "1", "-o", &a]);
    let exported = std::fs::read_to_string(&a).unwrap();
    assert!(exported.starts_with('\u{feff}') && exported.contains("\r\n"), "BOM and CRLF");
    assert!(exported.contains("4.達成率") && (exported.contains(",90,") || exported.contains(",90\r\n")), "{exported}");
    let out = import(&a, Some("1"));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (r["inserted"].as_u64(), r["replaced"].as_u64(), r["unchanged"].as_u64(), r["actuals_stored"].as_u64()),
        (Some(0), Some(0), Some(2), Some(0)),
        "{r}"
    );
    let b = t.path("b.csv").display().to_string();
    ok(&t, &["rs", "export-kpis", "--round", "1", "-o", &b]);
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());

    // Malformed files: located, exit 2, nothing written.
    let events = ok(&t, &["audit", "log", "--format", "json"]).len();
    let bad_value =
        file(&t, "v.csv", &kpi_file(&[(&id, "3", "アウトプット", "", "定量的", "上向き", &[("2023", "多数")], &[])]));
    let bad_kind =
        file(&t, "k.csv", &kpi_file(&[(&id, "3", "インパクト", "", "定量的", "上向き", &[("2023", "1")], &[])]));
    let unknown = file(
        &t,
        "u.csv",
        &kpi_file(&[("0000001", "3", "アウトプット", "", "定量的", "上向き", &[("2023", "1")], &[])]),
    );
    let headless = file(&t, "h.csv", "予算事業ID,事業名\r\n".as_bytes());
    for (path, needle) in
        [(&bad_value, "E_NOT_A_NUMBER"), (&bad_kind, "種別"), (&unknown, "0000001"), (&headless, "E_MISSING_COLUMN")]
    {
        let out = import(path, Some("1"));
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{path}: {err}");
        assert!(err.contains(needle), "{path}: {err}");
    }
    assert_eq!(ok(&t, &["audit", "log", "--format", "json"]).len(), events);
}

on_both_databases!(budgets_and_execution_matched_by_rs_id, kpis_import_and_export_unchanged);
