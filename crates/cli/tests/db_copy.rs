//! `haibun db copy`: the demo, carried to a settled year, moves from SQLite to PostgreSQL and back
//! through the real binary. Both sides compile to the same JSON at every stage (the requests as
//! they stand, the frozen compilation, the settled budget), list the same audit trail, whose chain
//! verifies to the same head, and go on working (new records take new ids). A target that holds
//! anything, an unreachable one and a user who is not the administrator are refused, and nothing
//! is written.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::*;

fn on(db: &str, dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_haibun"))
        .arg("--db")
        .arg(db)
        .args(args)
        .current_dir(dir)
        .env_remove("HAIBUN_DATABASE_URL")
        .output()
        .unwrap()
}

fn ok_on(db: &str, dir: &Path, args: &[&str]) -> String {
    let out = on(db, dir, args);
    assert!(out.status.success(), "{args:?} on {db}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Everything compared between the two sides: the compilation at every stage, the settled book
/// (as CSV), the audit trail and its head, the fund and the year's status.
fn observed(db: &str, dir: &Path) -> Vec<(String, String)> {
    let mut seen: Vec<(String, String)> = [
        vec!["compile", "--fy", "2023", "--format", "json"],
        vec!["compile", "--fy", "2023", "--snapshot-id", "1", "--format", "json"],
        vec!["audit", "log", "--format", "json"],
        vec!["audit", "anchor"],
        vec!["fund", "plan", "--round", "1", "--format", "json"],
        vec!["measure", "list", "--fy", "2023", "--format", "json"],
        vec!["status", "--fy", "2023", "--today", "2022-12-01", "--format", "json"],
    ]
    .iter()
    .map(|args| (args.join(" "), ok_on(db, dir, args)))
    .collect();
    let book = dir.join(format!("settled-{}", seen.len() + db.len()));
    let _ = std::fs::remove_dir_all(&book);
    let b = book.display().to_string();
    ok_on(db, dir, &["report", "--fy", "2023", "--stage", "settled", "--format", "csv", "-o", &b]);
    let mut files: Vec<_> = std::fs::read_dir(&book).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    for f in files {
        // All but the moment the book was made.
        let text = std::fs::read_to_string(&f).unwrap();
        let kept: Vec<&str> = text.lines().filter(|l| !l.starts_with("作成日時")).collect();
        seen.push((f.file_name().unwrap().to_string_lossy().to_string(), kept.join("\n")));
    }
    seen
}

fn same(a: &[(String, String)], b: &[(String, String)]) {
    assert_eq!(a.len(), b.len());
    for ((what, x), (_, y)) in a.iter().zip(b) {
        assert!(x == y, "{what} differs after the copy");
    }
}

#[test]
fn the_demo_moves_to_postgres_and_back_whole() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = dir.path().join("demo.db").display().to_string();
    ok_on(&sqlite, dir.path(), &["demo", "--no-serve"]);
    // The year carried to its end: the open packages set aside, HQ's compilation frozen,
    // submitted and settled; so every stage has figures.
    for m in ["CAO", "MIC", "MHLW"] {
        ok_on(&sqlite, dir.path(), &["package", "exclude", "--fy", "2023", "--ministry", m, "--reason", "移行試験"]);
    }
    for args in [
        vec!["compile", "--fy", "2023", "--snapshot"],
        vec!["submit", "--fy", "2023"],
        vec!["settle", "--fy", "2023", "--accept-requested"],
    ] {
        ok_on(&sqlite, dir.path(), &args);
    }
    let before = observed(&sqlite, dir.path());

    let pg = TestDb::new(Db::Postgres);
    let out = on(&sqlite, dir.path(), &["db", "copy", "--to", &pg.url, "--format", "json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let tables = report["tables"].as_array().unwrap();
    assert!(tables.len() >= 40, "every table: {report}");
    let rows_in = |t: &str| tables.iter().find(|x| x[0] == t).map(|x| x[1].as_u64().unwrap());
    for t in [
        "policies",
        "request_lines",
        "request_line_versions",
        "users",
        "snapshots",
        "fund_allocations",
        "audit_events",
        "evidence_sets",
        "kpis",
    ] {
        assert!(rows_in(t).is_some_and(|n| n > 0), "{t} copied: {report}");
    }
    assert_eq!(report["snapshots"], 1);
    // Progress went to stderr, table by table.
    let progress = String::from_utf8_lossy(&out.stderr);
    assert!(progress.contains("request_lines…") && progress.contains("audit_events…"), "{progress}");

    let after = observed(&pg.url, dir.path());
    same(&before, &after);
    assert!(ok_on(&pg.url, dir.path(), &["audit", "verify"]).contains("verifies"));
    assert!(ok_on(&sqlite, dir.path(), &["audit", "verify"]).contains("verifies"));

    // A target that holds anything is refused, and left as it was.
    let again = on(&sqlite, dir.path(), &["db", "copy", "--to", &pg.url]);
    assert_eq!(again.status.code(), Some(2), "{again:?}");
    let says = String::from_utf8_lossy(&again.stderr);
    assert!(says.contains("空ではありません") && says.contains("not empty") && says.contains("--to"), "{says}");
    same(&after, &observed(&pg.url, dir.path()));
    // A database that is not haibun's is refused before anything is written to it.
    let foreign = dir.path().join("foreign.db");
    let tables = |p: &Path| -> String {
        let script = format!(
            "import sqlite3; c = sqlite3.connect({:?}); print(sorted(r[0] for r in c.execute(\"SELECT name FROM sqlite_master WHERE type = 'table'\")))",
            p.display().to_string()
        );
        let out = Command::new("python3").args(["-c", &script]).output().unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let make = "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('CREATE TABLE ledger (x INTEGER)'); c.commit()";
    assert!(Command::new("python3").args(["-c", make, &foreign.display().to_string()]).status().unwrap().success());
    let into_foreign = on(&sqlite, dir.path(), &["db", "copy", "--to", &foreign.display().to_string()]);
    assert_eq!(into_foreign.status.code(), Some(2), "{into_foreign:?}");
    assert!(String::from_utf8_lossy(&into_foreign.stderr).contains("schema"), "{into_foreign:?}");
    assert_eq!(tables(&foreign).trim(), "['ledger']", "nothing created in it");
    // So is an unreachable one, and a user other than the administrator.
    let nowhere = on(&sqlite, dir.path(), &["db", "copy", "--to", "postgres://haibun@127.0.0.1:1/none"]);
    assert_eq!(nowhere.status.code(), Some(2), "{nowhere:?}");
    let fresh = TestDb::new(Db::Postgres);
    let by_hq = on(&sqlite, dir.path(), &["--as", "hq-kobayashi", "db", "copy", "--to", &fresh.url]);
    assert_eq!(by_hq.status.code(), Some(4), "{by_hq:?}");
    let not_made = dir.path().join("not-made.db");
    let by_mext =
        on(&sqlite, dir.path(), &["--as", "mext-tanaka", "db", "copy", "--to", &not_made.display().to_string()]);
    assert_eq!(by_mext.status.code(), Some(4), "{by_mext:?}");
    assert!(!not_made.exists(), "nothing written");

    // The copy goes on working: a new fund round takes the next id, and the chain still verifies.
    let new_round = ["--as", "co-yamada", "fund", "round", "--fy", "2023", "--type", "top-down", "--title", "移行後"];
    let opened = ok_on(&pg.url, dir.path(), &new_round);
    assert!(opened.contains("#4"), "the demo's three rounds, then this one: {opened}");
    assert!(ok_on(&pg.url, dir.path(), &["audit", "verify"]).contains("verifies"));

    // And back: PostgreSQL into a new SQLite file, the same again.
    let back = dir.path().join("back.db").display().to_string();
    ok_on(&pg.url, dir.path(), &["db", "copy", "--to", &back]);
    same(&observed(&pg.url, dir.path()), &observed(&back, dir.path()));
    assert!(ok_on(&back, dir.path(), &new_round).contains("#5"));
    assert_eq!(haibun_testkit::sqlite_integrity(&back), "ok");
}
