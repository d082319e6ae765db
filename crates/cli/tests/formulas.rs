//! Formula injection: line names a ministry could write to attack the HQ staff who open the books
//! — starting with `=`, `+`, `-`, `@`, a tab or a CR — are stored and written as text into every
//! workbook and CSV haibun produces, never as formulas. openpyxl (the cell's type) and LibreOffice
//! (what a spreadsheet program shows after recalculating) read the books back, and the export
//! imports back unchanged.

mod common;

use std::process::Command;

use common::*;

/// What a ministry writes; the intake trims a cell's surrounding white space (so a leading tab
/// or CR goes), and what is stored still starts a formula: the books must keep it text.
const WRITTEN: [&str; 6] = ["=1+1", "+SUM(1,2)", "-3+4", "@SUM(5,6)", "\t=7+8", "\r=9+1"];
const HOSTILE: [&str; 6] = ["=1+1", "+SUM(1,2)", "-3+4", "@SUM(5,6)", "=7+8", "=9+1"];

const READ: &str = r#"
import json, sys, openpyxl
hostile = set(json.loads(sys.argv[1]))
out = {}
for path in sys.argv[2:]:
    wb = openpyxl.load_workbook(path)
    found = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value in hostile:
                    found.setdefault(c.value, set()).add(c.data_type)
    out[path] = {k: sorted(v) for k, v in found.items()}
print(json.dumps(out))
"#;

#[test]
fn hostile_names_stay_text_in_every_book() {
    let t = initialised(Db::Sqlite);
    let policy = haibun_testkit::fy2023();
    let mut lines = haibun_testkit::lines_for(&policy, "MEXT", 8, HOSTILE.len());
    for (l, name) in lines.iter_mut().zip(WRITTEN) {
        l.name = name.to_string();
    }
    let bytes = haibun_testkit::workbook(&policy, "MEXT", haibun_domain::Unit::ThousandYen, &lines);
    import(&t, &file(&t, "hostile.xlsx", &bytes), "MEXT");
    let (stored, _) = state(&t);
    let names: Vec<&str> = stored.iter().map(|(l, _)| l.name.as_str()).collect();
    for h in HOSTILE {
        assert!(names.contains(&h), "stored as given, trimmed: {h:?} in {names:?}");
    }
    let path = |n: &str| t.path(n).display().to_string();
    ok(&t, &["export", "--fy", "2023", "--ministry", "MEXT", "-o", &path("lines.xlsx")]);
    ok(&t, &["export", "--fy", "2023", "--ministry", "MEXT", "-o", &path("lines.csv")]);
    ok(&t, &["report", "--fy", "2023", "-o", &path("book.xlsx")]);

    // Every CSV cell that would start a formula starts with a quote instead.
    let csv = std::fs::read_to_string(path("lines.csv")).unwrap();
    for h in HOSTILE {
        assert!(csv.contains(&format!("'{h}")), "{h:?} neutralised in the CSV");
    }
    // The exports import back unchanged: no new version of any line.
    let before = state(&t);
    import(&t, &path("lines.xlsx"), "MEXT");
    import(&t, &path("lines.csv"), "MEXT");
    assert_eq!(state(&t).0, before.0, "the exports round-trip");

    // openpyxl: each hostile name is a string cell in every workbook, never a formula.
    if let Some(python) = python_with("openpyxl") {
        let out = Command::new(python)
            .args(["-c", READ, &serde_json::to_string(&HOSTILE).unwrap(), &path("lines.xlsx"), &path("book.xlsx")])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let read: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        for file in ["lines.xlsx", "book.xlsx"] {
            let found = &read[path(file)];
            for h in HOSTILE {
                assert_eq!(found[h], serde_json::json!(["s"]), "{file}: {h:?} is a string cell: {read}");
            }
        }
    }
    // LibreOffice recalculates everything it opens: the names must still read as written.
    match soffice() {
        Some(soffice) => {
            let sheets = libreoffice_csv(soffice, &t.path("book.xlsx"), &t.path("lo"));
            let cells: Vec<&String> = sheets.values().flatten().flatten().collect();
            for h in HOSTILE {
                assert!(cells.iter().any(|c| c.as_str() == h), "LibreOffice shows {h:?} as text");
            }
        }
        None if std::env::var_os("HAIBUN_REQUIRE_LIBREOFFICE").is_some() => panic!("LibreOffice is required"),
        None => eprintln!("SKIPPED: LibreOffice is not installed"),
    }
}
