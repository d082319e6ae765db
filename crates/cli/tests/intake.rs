//! Import, compilation and export through the real binary, on SQLite and PostgreSQL.

mod common;

use common::*;
use haibun_domain::{Unit, Yen};
use haibun_testkit::{fy2023, lines_for, shift_jis_csv, workbook};
use serde_json::Value;

fn sum(rows: &Value, field: &str) -> i64 {
    rows.as_array().expect("array").iter().map(|r| r[field].as_i64().expect("integer yen")).sum()
}

fn generated_workbook_is_imported_and_compiled_exactly(db: Db) {
    let t = initialised(db);
    let policy = fy2023();
    let mext = lines_for(&policy, "MEXT", 7, 40);
    let mhlw = lines_for(&policy, "MHLW", 8, 25);
    import(&t, &file(&t, "mext.xlsx", &workbook(&policy, "MEXT", Unit::ThousandYen, &mext)), "MEXT");
    import(&t, &file(&t, "mhlw.xlsx", &workbook(&policy, "MHLW", Unit::MillionYen, &mhlw)), "厚生労働省");

    let (stored, _) = state(&t);
    let mut expected: Vec<_> = mext.iter().chain(&mhlw).cloned().collect();
    expected.sort_by(|a, b| (&a.ministry, &a.line_id).cmp(&(&b.ministry, &b.line_id)));
    assert_eq!(stored.iter().map(|(l, _)| l.clone()).collect::<Vec<_>>(), expected);

    let c = compile_json(&t);
    assert_eq!(c["fiscal_year"], 2023);
    assert_eq!(c["stage"], "requested");
    assert_eq!(c["lines"], 65);
    let total_request: i64 = expected.iter().map(|l| l.request.get()).sum();
    let total_prior: i64 = expected.iter().map(|l| l.prior_year.get()).sum();
    assert_eq!(c["total"]["request"], total_request);
    assert_eq!(c["total"]["prior_year"], total_prior);
    for key in [
        "by_ministry",
        "by_project",
        "by_channel",
        "by_disease_area",
        "by_purpose",
        "by_ministry_project",
        "by_ministry_channel",
        "by_project_disease_area",
    ] {
        assert_eq!(sum(&c[key], "request"), total_request, "{key} request");
        assert_eq!(sum(&c[key], "prior_year"), total_prior, "{key} prior_year");
    }
    let keys: Vec<&str> = c.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "fiscal_year",
            "stage",
            "lines",
            "total",
            "by_ministry",
            "by_project",
            "by_channel",
            "by_disease_area",
            "by_purpose",
            "by_ministry_project",
            "by_ministry_channel",
            "by_project_disease_area"
        ]
    );
    let ministries: Vec<&str> =
        c["by_ministry"].as_array().unwrap().iter().map(|r| r["key"].as_str().unwrap()).collect();
    assert_eq!(ministries, ["MEXT", "MHLW"]);
    let projects: Vec<&str> = c["by_project"].as_array().unwrap().iter().map(|r| r["key"].as_str().unwrap()).collect();
    let mut sorted = projects.clone();
    sorted.sort();
    assert_eq!(projects, sorted, "arrays are sorted by key");
}

fn shift_jis_csv_with_full_width_figures_is_imported(db: Db) {
    let t = initialised(db);
    let policy = fy2023();
    let lines = lines_for(&policy, "METI", 11, 12);
    import(&t, &file(&t, "meti.csv", &shift_jis_csv(&policy, "METI", Unit::ThousandYen, &lines)), "METI");
    assert_eq!(state(&t).0.into_iter().map(|(l, _)| l).collect::<Vec<_>>(), lines);

    // What a person types in Japanese Excel: full-width digits and commas, labels, no unit row.
    let text = "事業番号,事業名,区分,統合プロジェクト,前年度予算額,要求額,うち重要政策推進枠,疾患領域,開発目的,新規・継続\r\n\
                Ｍ－１,（架空）全角テスト事業,AMED対象経費,医薬品,\"１，０００\",\"１，２００．５\",２００,がん：６０；難病：４０,治療,継続\r\n";
    let (sjis, _, bad) = encoding_rs::SHIFT_JIS.encode(text);
    assert!(!bad);
    let out = import(&t, &file(&t, "zenkaku.csv", &sjis), "METI");
    assert!(out.contains("新規/new 1"), "{out}");
    let (stored, _) = state(&t);
    let line = stored
        .iter()
        .map(|(l, _)| l)
        .find(|l| l.line_id.as_str() == "M-1")
        .expect("stored under its NFKC-normalised id");
    assert_eq!(line.prior_year, Yen(1_000_000));
    assert_eq!(line.request, Yen(1_200_500));
    assert_eq!(line.priority_frame, Some(Yen(200_000)));
    assert_eq!(line.disease_areas.as_ref().unwrap().to_code_string(), "CANCER:60;INTRACTABLE:40");
    assert_eq!(line.project.as_deref(), Some("PHARMA"));
}

fn reimport_replaces_a_line_as_a_new_version(db: Db) {
    let t = initialised(db);
    let policy = fy2023();
    let mut lines = lines_for(&policy, "MEXT", 3, 10);
    let path = file(&t, "v1.xlsx", &workbook(&policy, "MEXT", Unit::ThousandYen, &lines));
    import(&t, &path, "MEXT");
    let events_before = state(&t).1;
    lines[4].request = Yen(lines[4].request.get() + 5_000_000);
    lines[4].name.push_str("（修正）");
    let out = import(&t, &file(&t, "v2.xlsx", &workbook(&policy, "MEXT", Unit::ThousandYen, &lines)), "MEXT");
    assert!(out.contains("更新/updated 1") && out.contains("変更なし/unchanged 9"), "{out}");
    let (stored, events) = state(&t);
    assert_eq!(stored.len(), 10, "nothing duplicated");
    assert_eq!(events, events_before + 1, "one audit event per import");
    for (line, versions) in &stored {
        let expected = if line.line_id == lines[4].line_id { 2 } else { 1 };
        assert_eq!(*versions, expected, "{}", line.line_id);
    }
    assert_eq!(stored.iter().map(|(l, _)| l.clone()).collect::<Vec<_>>(), lines);
    let history = t
        .with_service(async |svc| svc.line_history(&Actor::system(), fy(), "MEXT", lines[4].line_id.as_str()).await)
        .unwrap();
    assert_eq!(history.iter().map(|h| h.version).collect::<Vec<_>>(), [1, 2]);
    assert_ne!(history[0].line.request, history[1].line.request, "the old version is kept as it was");
}

fn export_then_import_changes_nothing(db: Db) {
    let t = initialised(db);
    let policy = fy2023();
    let lines = lines_for(&policy, "MHLW", 21, 30);
    import(&t, &file(&t, "in.xlsx", &workbook(&policy, "MHLW", Unit::ThousandYen, &lines)), "MHLW");
    for ext in ["xlsx", "csv"] {
        let first = t.path(&format!("first.{ext}")).display().to_string();
        ok(&t, &["export", "--fy", "2023", "--ministry", "MHLW", "-o", &first]);
        let before = state(&t);
        let out = import(&t, &first, "MHLW");
        assert!(out.contains("変更なし/unchanged 30"), "{out}");
        let after = state(&t);
        assert_eq!(before.0, after.0, "no line or version changed");
        let second = t.path(&format!("second.{ext}")).display().to_string();
        ok(&t, &["export", "--fy", "2023", "--ministry", "MHLW", "-o", &second]);
        let read = |p: &str| {
            let intake = haibun_sheets::read_intake(&std::fs::read(p).unwrap(), "x", &Default::default()).unwrap();
            let rows: Vec<Vec<_>> =
                intake.rows.iter().map(|r| r.cells.iter().map(|c| (c.field, c.value.clone())).collect()).collect();
            (intake.unit_cell.map(|u| u.0), intake.ministry_cell.map(|m| m.0), rows)
        };
        assert_eq!(read(&first), read(&second), "{ext}: export → import → export gives identical data");
        if ext == "csv" {
            assert_eq!(std::fs::read(&first).unwrap(), std::fs::read(&second).unwrap());
        }
    }
}

fn init_twice_is_harmless_and_policy_show_prints_the_policy(db: Db) {
    let t = initialised(db);
    let out = ok(&t, &["init", "--fy", "2023"]);
    assert!(out.contains("already stored"), "{out}");
    let p: Value = serde_json::from_str(&ok(&t, &["policy", "show", "--fy", "2023", "--format", "json"])).unwrap();
    let codes: Vec<&str> = p["projects"].as_array().unwrap().iter().map(|p| p["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["PHARMA", "DEVICE", "REGEN", "GENOME", "DISEASE", "SEEDS"]);
    let text = ok(&t, &["policy", "show", "--fy", "2023"]);
    assert!(text.contains("再生・細胞医療・遺伝子治療") && text.contains("AGING_DEMENTIA"), "{text}");
}

fn the_template_is_a_workbook_the_intake_reads(db: Db) {
    let t = initialised(db);
    let path = t.path("template.xlsx").display().to_string();
    ok(&t, &["template", "--fy", "2023", "--ministry", "MEXT", "-o", &path]);
    let bytes = std::fs::read(&path).unwrap();
    let problems = haibun_sheets::read_intake(&bytes, "template.xlsx", &Default::default()).map(|i| i.rows.len());
    assert_eq!(problems.unwrap(), 0, "a blank template has a header and no rows");
    // Importing the blank template is refused: there is nothing to import.
    let out = haibun(&t, &["import", &path, "--fy", "2023", "--ministry", "MEXT"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("E_NO_DATA"));
}

fn csv_export_neutralises_formulas_and_reads_them_back_as_text(db: Db) {
    let t = initialised(db);
    let policy = fy2023();
    let mut lines = lines_for(&policy, "MEXT", 4, 2);
    lines[0].summary = "=HYPERLINK(\"http://example.invalid\",\"click\")".into();
    lines[1].name = "-5% 削減案".into();
    import(&t, &file(&t, "in.xlsx", &workbook(&policy, "MEXT", Unit::ThousandYen, &lines)), "MEXT");
    let path = t.path("out.csv").display().to_string();
    ok(&t, &["export", "--fy", "2023", "-o", &path]);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("'=HYPERLINK") && text.contains("'-5% 削減案"), "{text}");
    assert!(!text.contains(",=HYPERLINK"), "no cell starts with a formula");
    let out = import(&t, &path, "MEXT");
    assert!(out.contains("変更なし/unchanged 2"), "{out}");
    assert_eq!(state(&t).0.into_iter().map(|(l, _)| l).collect::<Vec<_>>(), lines);
}

on_both_databases!(
    csv_export_neutralises_formulas_and_reads_them_back_as_text,
    generated_workbook_is_imported_and_compiled_exactly,
    shift_jis_csv_with_full_width_figures_is_imported,
    reimport_replaces_a_line_as_a_new_version,
    export_then_import_changes_nothing,
    init_twice_is_harmless_and_policy_show_prints_the_policy,
    the_template_is_a_workbook_the_intake_reads,
);
