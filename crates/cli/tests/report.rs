//! The budget book: `haibun prior import` and `haibun report` through the real binary, at every
//! stage, in every format; and the workbook's figures as LibreOffice computes them.

mod common;

use std::collections::HashMap;
use std::path::Path;

use calamine::{Data, Reader};
use common::*;
use haibun_domain::policy::{Kind, Policy};
use haibun_domain::workflow::Action;
use haibun_domain::{RequestLine, Unit, Yen};
use haibun_service::HearingInput;
use haibun_testkit::{fy2023, lines_for, workbook};
use serde_json::Value;

/// MEXT (20 lines, prior budget held: 14 continuing and 2 ended lines) and MHLW (12 lines, no
/// prior budget held: its lines' declared prior year is used).
fn with_prior(db: Db) -> (TestDb, Vec<RequestLine>, Vec<RequestLine>) {
    let t = initialised(db);
    let policy = fy2023();
    let mext = import_generated(&t, "MEXT", 11, 20);
    import_generated(&t, "MHLW", 12, 12);
    let mut prior: Vec<RequestLine> = mext
        .iter()
        .take(14)
        .enumerate()
        .map(|(i, l)| RequestLine {
            request: Yen(l.request.get() / 2 + i as i64 * 1_001_000),
            priority_frame: None,
            ..l.clone()
        })
        .collect();
    for (i, l) in mext.iter().take(2).enumerate() {
        prior.push(RequestLine {
            line_id: haibun_domain::LineId::parse(&format!("MEXT-OLD{i}")).unwrap(),
            name: format!("終了した事業{i}"),
            request: Yen(7_777_000 + i as i64 * 1_000),
            priority_frame: None,
            ..l.clone()
        });
    }
    let path = file(&t, "mext-fy2022.xlsx", &workbook(&policy, "MEXT", Unit::ThousandYen, &prior));
    let out = ok(&t, &["prior", "import", &path, "--fy", "2023", "--ministry", "MEXT"]);
    assert!(out.contains("16"), "{out}");
    (t, mext, prior)
}

/// The rows of a sheet as cached values: numbers as f64, text as strings.
fn sheet(xlsx: &Path, name: &str) -> Vec<Vec<Data>> {
    let mut wb = calamine::open_workbook_auto(xlsx).expect("open book");
    let range = wb.worksheet_range(name).expect("sheet");
    range.rows().map(|r| r.to_vec()).collect()
}

fn num(d: &Data) -> f64 {
    match d {
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        other => panic!("not a number: {other:?}"),
    }
}

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

/// A breakdown of the compile JSON as key → (prior, request, settled).
fn breakdown(c: &Value, key: &str, fields: &[&str]) -> HashMap<String, Vec<i64>> {
    c[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let k = fields.iter().map(|f| r[*f].as_str().unwrap()).collect::<Vec<_>>().join("|");
            let v = ["prior_year", "request", "settled"].iter().filter_map(|a| r[*a].as_i64()).collect();
            (k, v)
        })
        .collect()
}

fn code_of(policy: &Policy, kind: Kind, label: &str) -> String {
    match label {
        "統合プロジェクト外" => "NONE".into(),
        "未設定" => "UNASSIGNED".into(),
        l => policy.entries(kind).into_iter().find(|e| e.label_ja == l).map(|e| e.code.to_string()).unwrap_or(l.into()),
    }
}

fn the_book_of_every_stage_in_every_format(db: Db) {
    let (t, mext, prior) = with_prior(db);
    let policy = fy2023();
    let requested = compile_json(&t);

    // Requested stage, in yen: the workbook's cached figures are haibun's compile JSON.
    let xlsx = t.path("requested.xlsx");
    ok(&t, &["report", "--fy", "2023", "--unit", "yen", "-o", xlsx.to_str().unwrap()]);
    let names: Vec<String> = calamine::open_workbook_auto(&xlsx).unwrap().sheet_names();
    assert_eq!(
        names,
        [
            "表紙",
            "総括表",
            "府省別",
            "統合プロジェクト別",
            "府省×統合プロジェクト",
            "疾患領域別",
            "開発目的別",
            "区分別",
            "事業一覧",
            "前年度比較"
        ]
    );
    let by_m = sheet(&xlsx, "府省別");
    assert_eq!(text(&by_m[2][0]), "府省");
    let data = &by_m[4..by_m.len() - 1];
    let total = by_m.last().unwrap();
    assert_eq!(text(&total[0]), "合計");
    let json_m = breakdown(&requested, "by_ministry", &["key"]);
    let held_mext: i64 = prior.iter().map(|l| l.request.get()).sum();
    let declared_mhlw: i64 = json_m["MHLW"][0];
    for row in data {
        let code = code_of(&policy, Kind::Ministry, &text(&row[0]));
        assert_eq!(num(&row[2]) as i64, json_m[&code][1], "{code} request");
        let expected_prior = if code == "MEXT" { held_mext } else { declared_mhlw };
        assert_eq!(num(&row[1]) as i64, expected_prior, "{code} prior year");
        assert_eq!(num(&row[3]) as i64, json_m[&code][1] - expected_prior, "{code} change");
    }
    assert_eq!(num(&total[2]) as i64, requested["total"]["request"].as_i64().unwrap());
    assert_eq!(num(&total[1]) as i64, held_mext + declared_mhlw);

    // 事業一覧: continuing lines matched by id, new lines, and the two ended lines.
    let lines = sheet(&xlsx, "事業一覧");
    let status: HashMap<String, String> =
        lines[4..lines.len() - 1].iter().map(|r| (text(&r[1]), text(&r[5]))).collect();
    assert_eq!(status["MEXT-OLD0"], "終了");
    assert_eq!(status[mext[0].line_id.as_str()], "継続");
    assert_eq!(status[mext[19].line_id.as_str()], "新規", "not in the held prior budget");
    assert_eq!(status.len(), 20 + 12 + 2);
    let cmp = sheet(&xlsx, "前年度比較");
    let ended: Vec<&Vec<Data>> = cmp.iter().filter(|r| text(&r[1]) == "終了").collect();
    assert_eq!(ended.len(), 1);
    assert_eq!(num(&ended[0][2]) as i64, 2);
    assert_eq!(num(&ended[0][3]) as i64, 7_777_000 + 7_778_000);

    // Drive the year to settlement, then write the compiled and settled books.
    t.with_service(async |svc| {
        let admin = Actor::system();
        for m in ["MEXT", "MHLW"] {
            svc.package_action(&admin, fy(), m, Action::Submit, None).await.unwrap();
            svc.record_hearing(&admin, fy(), m, HearingInput { date: "2022-09-01".into(), ..Default::default() })
                .await
                .unwrap();
            svc.package_action(&admin, fy(), m, Action::Consent, None).await.unwrap();
        }
    });
    ok(&t, &["compile", "--fy", "2023", "--snapshot"]);
    ok(&t, &["submit", "--fy", "2023"]);
    let first = mext[0].line_id.to_string();
    ok(&t, &["negotiate", "--fy", "2023", "--line", &first, "--amount", "1000"]);
    ok(&t, &["settle", "--fy", "2023", "--accept-requested"]);
    let settled: Value =
        serde_json::from_str(&ok(&t, &["compile", "--fy", "2023", "--snapshot-id", "1", "--format", "json"])).unwrap();
    let settled_total = settled["total"]["settled"].as_i64().unwrap();
    assert_eq!(settled_total, settled["total"]["request"].as_i64().unwrap() - mext[0].request.get() + 1000);

    for (stage, unit) in
        [("compiled", "thousand-yen"), ("settled", "hundred-million-yen"), ("requested", "million-yen")]
    {
        let x = t.path(&format!("{stage}.xlsx"));
        let out = ok(&t, &["report", "--fy", "2023", "--stage", stage, "--unit", unit, "-o", x.to_str().unwrap()]);
        assert!(out.contains(stage), "{out}");
        let cover = sheet(&x, "表紙");
        let cover_text: String = cover.iter().flatten().map(text).collect::<Vec<_>>().join("\n");
        assert!(cover_text.contains("計数は四捨五入のため合計と一致しない場合がある"), "rounding note");
        if stage != "requested" {
            assert!(cover_text.contains(settled["fiscal_year"].to_string().as_str()) || cover_text.contains("FY2023"));
            assert!(cover_text.contains("#1"), "snapshot id on the cover");
        }
        let summary = sheet(&x, "総括表");
        let total = summary.last().unwrap();
        let col = summary[2].iter().position(|h| text(h) == "合計").unwrap();
        let per_unit = match unit {
            "thousand-yen" => 1e3,
            "million-yen" => 1e6,
            _ => 1e8,
        };
        let expected = if stage == "settled" { settled_total } else { settled["total"]["request"].as_i64().unwrap() };
        assert!((num(&total[col]) - expected as f64 / per_unit).abs() < 1e-6, "{stage}: {:?}", total[col]);
        // A4 landscape with the header rows repeated and a footer: in the sheet's XML.
        let zipped = std::fs::read(&x).unwrap();
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zipped)).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut archive.by_name("xl/worksheets/sheet2.xml").unwrap(), &mut xml).unwrap();
        assert!(xml.contains("paperSize=\"9\"") && xml.contains("orientation=\"landscape\""), "A4 landscape");
        assert!(xml.contains("<oddFooter>") && xml.contains("&amp;P"), "footer with the page number");
        assert!(xml.contains("<pane ") && xml.contains("state=\"frozen\""), "frozen header rows");
        assert!(xml.contains("<f>SUM("), "totals are SUM formulas");
    }

    // CSV (zip and folder) and HTML.
    let zip_path = t.path("settled.zip");
    ok(&t, &["report", "--fy", "2023", "--stage", "settled", "-o", zip_path.to_str().unwrap()]);
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip_path).unwrap()).unwrap();
    assert_eq!(archive.len(), 10);
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut archive.by_name("02_府省別.csv").unwrap(), &mut bytes).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 with BOM");
    let csv_text = String::from_utf8(bytes).unwrap();
    assert!(csv_text.contains("政府予算案額"));
    let folder = t.path("csv");
    ok(&t, &["report", "--fy", "2023", "--format", "csv", "-o", folder.to_str().unwrap()]);
    assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 10);
    let html = t.path("book.html");
    ok(&t, &["report", "--fy", "2023", "--stage", "compiled", "-o", html.to_str().unwrap()]);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("@page") && page.contains("A4 landscape") && page.contains("総括表"));
    assert!(page.contains("--color-primitive-blue-50"), "built on the design tokens");

    // Refusals: a format that contradicts the extension; settled before settlement is covered by
    // the service; an unknown snapshot.
    let bad = haibun(&t, &["report", "--fy", "2023", "--format", "html", "-o", "x.xlsx"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--output"), "{}", String::from_utf8_lossy(&bad.stderr));
    let bad = haibun(&t, &["report", "--fy", "2023", "--stage", "compiled", "--snapshot-id", "99", "-o", "x.xlsx"]);
    assert_eq!(bad.status.code(), Some(5));
    assert!(!t.path("x.xlsx").exists(), "nothing written on error");
}

fn a_ministry_book_covers_only_its_own_lines_and_prior_budget(db: Db) {
    let (t, mext, prior) = with_prior(db);
    t.with_service(async |svc| {
        let admin = Actor::system();
        svc.add_user(&admin, "mhlw-staff", haibun_domain::workflow::Role::Ministry, Some("MHLW")).await.unwrap();
        let mhlw = svc.actor(Some("mhlw-staff")).await.unwrap();
        let book = svc
            .book(&mhlw, fy(), haibun_domain::Stage::Requested, None, haibun_domain::book::ReportUnit::Yen)
            .await
            .unwrap();
        assert_eq!(book.compilation.lines, 12);
        assert!(book.meta.prior_held.is_empty(), "MEXT's prior budget is not MHLW's");
        let lines = book.tables.iter().find(|t| t.name == "lines").unwrap();
        assert_eq!(lines.rows.len(), 12, "no MEXT lines, not even ended ones");
        let all = svc
            .book(&admin, fy(), haibun_domain::Stage::Requested, None, haibun_domain::book::ReportUnit::Yen)
            .await
            .unwrap();
        assert_eq!(all.tables.iter().find(|t| t.name == "lines").unwrap().rows.len(), mext.len() + 12 + 2);
        assert_eq!(prior.len(), 16);
    });
}

/// A prior-year file with a problem is refused with its location, and nothing is held.
fn a_bad_prior_year_file_is_refused_and_nothing_is_held(db: Db) {
    let t = initialised(db);
    let policy = fy2023();
    let mut lines = lines_for(&policy, "MEXT", 5, 3);
    lines[1].channel = "NOPE".into();
    // The workbook writes codes as labels; an unknown channel is written as given.
    let wb = workbook(&policy, "MEXT", Unit::ThousandYen, &lines);
    let path = file(&t, "bad.xlsx", &wb);
    let out = haibun(&t, &["prior", "import", &path, "--fy", "2023", "--ministry", "MEXT"]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.xlsx") && err.contains("区分"), "{err}");
    assert!(ok(&t, &["prior", "list", "--fy", "2023"]).contains("取り込まれていません"));
    let empty = file(&t, "empty.csv", b"");
    assert_eq!(haibun(&t, &["prior", "import", &empty, "--fy", "2023", "--ministry", "MEXT"]).status.code(), Some(2));
    // Only coordinators and HQ hold the prior budget.
    ok(&t, &["user", "add", "mext-staff", "--role", "ministry", "--ministry", "MEXT"]);
    let good = file(&t, "good.xlsx", &workbook(&policy, "MEXT", Unit::ThousandYen, &lines_for(&policy, "MEXT", 5, 3)));
    let out = haibun(&t, &["--as", "mext-staff", "prior", "import", &good, "--fy", "2023", "--ministry", "MEXT"]);
    assert_eq!(out.status.code(), Some(4));
    assert!(ok(&t, &["prior", "list", "--fy", "2023"]).contains("取り込まれていません"));
}

/// The demo, through the real binary: the book of its requests, then, once HQ has compiled and the
/// year is settled, of the compiled and settled stages.
#[test]
fn the_demo_book_at_every_stage() {
    let t = TestDb::new(Db::Sqlite);
    ok(&t, &["demo", "--no-serve"]);
    assert!(
        ok(&t, &["prior", "list", "--fy", "2023"]).contains("demo-2022-settled-MEXT.xlsx"),
        "the demo holds FY2022"
    );
    let out = t.path("demo-requested.xlsx");
    ok(&t, &["report", "--fy", "2023", "-o", out.to_str().unwrap()]);
    let lines = sheet(&out, "事業一覧");
    let ended = lines.iter().filter(|r| text(&r[5]) == "終了").count();
    assert!(ended >= 2, "the demo's ended lines appear ({ended})");
    // Finish the cycle as the administrator: what is not consented yet is excluded, with a reason.
    let status = ok(&t, &["status", "--fy", "2023"]);
    for line in status.lines().filter(|l| l.starts_with("  ") && !l.contains("consented")) {
        let ministry = line.split_whitespace().next().unwrap();
        ok(
            &t,
            &["package", "exclude", "--fy", "2023", "--ministry", ministry, "--reason", "デモ: 期限内に了解に至らず"],
        );
    }
    ok(&t, &["compile", "--fy", "2023", "--snapshot"]);
    ok(&t, &["submit", "--fy", "2023"]);
    ok(&t, &["settle", "--fy", "2023", "--accept-requested"]);
    for stage in ["requested", "compiled", "settled"] {
        for ext in ["xlsx", "zip", "html"] {
            let out = t.path(&format!("demo-{stage}.{ext}"));
            let printed = ok(&t, &["report", "--fy", "2023", "--stage", stage, "-o", out.to_str().unwrap()]);
            assert!(printed.contains(stage), "{printed}");
            assert!(std::fs::metadata(&out).unwrap().len() > 1000, "{stage}.{ext} written");
        }
    }
    let settled = sheet(&t.path("demo-settled.xlsx"), "府省別");
    assert!(settled[2].iter().any(|h| text(h) == "政府予算案額"), "the settled book shows the settled amounts");
}

on_both_databases!(
    the_book_of_every_stage_in_every_format,
    a_ministry_book_covers_only_its_own_lines_and_prior_budget,
    a_bad_prior_year_file_is_refused_and_nothing_is_held,
);

// ---------------------------------------------------------------------------------------------
// LibreOffice: the real reader.

fn lo_num(s: &str) -> f64 {
    s.parse().unwrap_or_else(|_| panic!("LibreOffice wrote a non-number: {s:?}"))
}

/// Checks a list table (key column, then 前年度, 要求額, 増減, 前年度比) against a breakdown.
fn check_list(policy: &Policy, kind: Kind, rows: &[Vec<String>], expected: &HashMap<String, Vec<i64>>, total: &Value) {
    let data = &rows[4..rows.len() - 1];
    assert_eq!(data.len(), expected.len(), "one row per key");
    for r in data {
        let code = code_of(policy, kind, &r[0]);
        let e = &expected[&code];
        assert_eq!(lo_num(&r[2]) as i64, e[1], "{code} request, as LibreOffice computes it");
        let (prior, req) = (lo_num(&r[1]), lo_num(&r[2]));
        assert_eq!(lo_num(&r[3]), req - prior, "{code} change");
        if prior != 0.0 {
            assert!((lo_num(&r[4]) - req / prior * 100.0).abs() < 1e-9, "{code} ratio");
        } else {
            assert_eq!(r[4], "", "no ratio without a prior year");
        }
    }
    let t = rows.last().unwrap();
    assert_eq!(t[0], "合計");
    assert_eq!(lo_num(&t[2]) as i64, total["request"].as_i64().unwrap(), "total (a SUM formula)");
    assert_eq!(lo_num(&t[1]) as i64, total["prior_year"].as_i64().unwrap(), "prior total (a SUM formula)");
}

/// Checks a matrix table (key column, one column per sub-key, then 合計) against a pair breakdown.
fn check_matrix(
    policy: &Policy,
    (row_kind, col_kind): (Kind, Kind),
    rows: &[Vec<String>],
    pairs: &HashMap<String, Vec<i64>>,
    row_first: bool,
) {
    let header = &rows[3];
    let total_col = rows[2].iter().position(|h| h == "合計").unwrap();
    for r in &rows[4..rows.len() - 1] {
        let row_code = code_of(policy, row_kind, &r[0]);
        let mut sum = 0i64;
        for c in 1..total_col {
            let col_code = &header[c];
            let key = if row_first { format!("{row_code}|{col_code}") } else { format!("{col_code}|{row_code}") };
            let v = lo_num(&r[c]) as i64;
            assert_eq!(v, pairs.get(&key).map_or(0, |e| e[1]), "{key}");
            sum += v;
        }
        assert_eq!(lo_num(&r[total_col]) as i64, sum, "{row_code}: row total (a SUM formula)");
    }
    let _ = col_kind;
}

#[test]
fn libreoffice_computes_the_same_figures_as_haibun() {
    let Some(soffice) = soffice() else {
        assert!(
            std::env::var_os("HAIBUN_REQUIRE_LIBREOFFICE").is_none(),
            "HAIBUN_REQUIRE_LIBREOFFICE is set but LibreOffice is not installed"
        );
        eprintln!(
            "SKIPPED: LibreOffice (soffice) is not installed; `apt-get install -y libreoffice-calc` and rerun to check the workbook in a real reader"
        );
        return;
    };
    let (t, _, _) = with_prior(Db::Sqlite);
    let policy = fy2023();
    let c = compile_json(&t);
    let xlsx = t.path("book.xlsx");
    ok(&t, &["report", "--fy", "2023", "--unit", "yen", "-o", xlsx.to_str().unwrap()]);

    // First prove that LibreOffice recalculates: a formula whose cached result is wrong on purpose.
    let probe = t.path("probe.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    wb.add_worksheet()
        .set_name("probe")
        .unwrap()
        .write_formula(0, 0, rust_xlsxwriter::Formula::new("=1+1").set_result("5"))
        .unwrap();
    wb.save(&probe).unwrap();
    let probe_csv = libreoffice_csv(soffice, &probe, &t.path("probe-out"));
    assert_eq!(probe_csv["probe"][0][0], "2", "LibreOffice must recalculate, not show cached results");

    let sheets = libreoffice_csv(soffice, &xlsx, &t.path("lo"));
    assert_eq!(sheets.len(), 10, "every sheet converted: {:?}", sheets.keys());
    let total = &c["total"];
    // Prior years per breakdown are checked by the list tables' totals and the change column;
    // the request figures against the compile JSON key by key.
    let mut held = c.clone();
    held["total"]["prior_year"] = Value::from(lo_num(&sheets["府省別"].last().unwrap()[1]) as i64);
    check_list(&policy, Kind::Ministry, &sheets["府省別"], &breakdown(&c, "by_ministry", &["key"]), &held["total"]);
    check_list(
        &policy,
        Kind::Project,
        &sheets["統合プロジェクト別"],
        &breakdown(&c, "by_project", &["key"]),
        &held["total"],
    );
    check_list(&policy, Kind::Channel, &sheets["区分別"], &breakdown(&c, "by_channel", &["key"]), &held["total"]);
    check_list(&policy, Kind::Purpose, &sheets["開発目的別"], &breakdown(&c, "by_purpose", &["key"]), &held["total"]);
    check_matrix(
        &policy,
        (Kind::Ministry, Kind::Project),
        &sheets["府省×統合プロジェクト"],
        &breakdown(&c, "by_ministry_project", &["ministry", "project"]),
        true,
    );
    check_matrix(
        &policy,
        (Kind::Ministry, Kind::Channel),
        &sheets["総括表"],
        &breakdown(&c, "by_ministry_channel", &["ministry", "channel"]),
        true,
    );
    check_matrix(
        &policy,
        (Kind::DiseaseArea, Kind::Project),
        &sheets["疾患領域別"],
        &breakdown(&c, "by_project_disease_area", &["project", "disease_area"]),
        false,
    );
    // 疾患領域別's 合計 column is the by-disease-area breakdown.
    let by_d = breakdown(&c, "by_disease_area", &["key"]);
    let d = &sheets["疾患領域別"];
    let total_col = d[2].iter().position(|h| h == "合計").unwrap();
    for r in &d[4..d.len() - 1] {
        assert_eq!(lo_num(&r[total_col]) as i64, by_d[&code_of(&policy, Kind::DiseaseArea, &r[0])][1]);
    }
    // Every table's grand total of this year's amounts is the compilation's.
    for (name, rows) in &sheets {
        if name == "表紙" {
            continue;
        }
        let col = rows[2].iter().rposition(|h| h == "合計" || h == "要求額").unwrap();
        assert_eq!(lo_num(&rows.last().unwrap()[col]) as i64, total["request"].as_i64().unwrap(), "{name}");
    }
    // The line list: each line's request.
    let lines = &sheets["事業一覧"];
    let requests: HashMap<String, i64> = t.with_service(async |svc| {
        svc.lines(&Actor::system(), fy(), None)
            .await
            .unwrap()
            .into_iter()
            .map(|l| (l.line_id.to_string(), l.request.get()))
            .collect()
    });
    for r in &lines[4..lines.len() - 1] {
        assert_eq!(lo_num(&r[7]) as i64, requests.get(&r[1]).copied().unwrap_or(0), "line {}", r[1]);
    }
}
