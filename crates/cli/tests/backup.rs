//! Backup and restore through the real binary: a consistent copy of the SQLite database taken
//! while `haibun serve` runs and another process writes; restored into a fresh database it
//! compiles to the same JSON at every stage and its audit chain verifies; a damaged, tampered,
//! foreign or missing copy and an existing target are refused and nothing is written; only the
//! administrator backs up; PostgreSQL is told to use pg_dump.

mod common;

use std::process::Command;

use common::*;

fn on(db: &str, t: &TestDb, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_haibun"))
        .arg("--db")
        .arg(db)
        .args(args)
        .current_dir(t.dir.path())
        .env_remove("HAIBUN_DATABASE_URL")
        .output()
        .unwrap()
}

fn stages(db: &str, t: &TestDb) -> Vec<String> {
    [
        vec!["compile", "--fy", "2023", "--format", "json"],
        vec!["compile", "--fy", "2023", "--snapshot-id", "1", "--format", "json"],
        vec!["audit", "log", "--format", "json"],
    ]
    .iter()
    .map(|args| {
        let out = on(db, t, args);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    })
    .collect()
}

#[test]
fn a_copy_taken_while_serving_restores_to_the_same_figures() {
    let t = initialised(Db::Sqlite);
    import_generated(&t, "MEXT", 1, 6);
    ok(&t, &["user", "add", "mhlw", "--role", "ministry", "--ministry", "MHLW"]);
    settle_mext_2023(&t);
    let _server = serve(&t.url);
    let before = stages(&t.url, &t);

    let copy = t.path("copy.db").display().to_string();
    let out = ok(&t, &["backup", "-o", &copy]);
    assert!(out.contains("integrity ok") && out.contains("verified"), "{out}");
    // Never over an existing file, and only the administrator.
    assert_eq!(haibun(&t, &["backup", "-o", &copy]).status.code(), Some(2));
    let other = t.path("other.db").display().to_string();
    assert_eq!(haibun(&t, &["--as", "mhlw", "backup", "-o", &other]).status.code(), Some(4));
    assert!(!std::path::Path::new(&other).exists());

    let restored = t.path("restored.db").display().to_string();
    let out = on(&restored, &t, &["restore", &copy]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(stages(&restored, &t), before, "the same figures at every stage, the same audit trail");
    assert!(String::from_utf8(on(&restored, &t, &["audit", "verify"]).stdout).unwrap().contains("verifies"));
    // Restoring over an existing database is refused.
    let out = on(&restored, &t, &["restore", &copy]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_copy_taken_during_writes_is_whole() {
    let t = initialised(Db::Sqlite);
    import_generated(&t, "MEXT", 1, 3);
    let _server = serve(&t.url);
    // Another process imports ministry after ministry while copies are taken.
    let policy = haibun_testkit::fy2023();
    let files: Vec<(String, &str)> = ["MHLW", "METI", "MIC", "CAO"]
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let lines = haibun_testkit::lines_for(&policy, m, i as u64 + 10, 40);
            let bytes = haibun_testkit::workbook(&policy, m, haibun_domain::Unit::ThousandYen, &lines);
            (file(&t, &format!("{m}.xlsx"), &bytes), *m)
        })
        .collect();
    let url = t.url.clone();
    let writer = std::thread::spawn(move || {
        for (path, m) in files {
            let out = Command::new(env!("CARGO_BIN_EXE_haibun"))
                .args(["--db", &url, "import", &path, "--fy", "2023", "--ministry", m])
                .output()
                .unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        }
    });
    let mut copies = Vec::new();
    for i in 0..4 {
        let copy = t.path(&format!("copy{i}.db")).display().to_string();
        ok(&t, &["backup", "-o", &copy]);
        copies.push(copy);
    }
    writer.join().unwrap();
    for (i, copy) in copies.iter().enumerate() {
        let restored = t.path(&format!("restored{i}.db")).display().to_string();
        let out = on(&restored, &t, &["restore", copy]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        // Each copy holds whole imports only: 3 MEXT lines and 40 for each ministry imported.
        let c: serde_json::Value =
            serde_json::from_slice(&on(&restored, &t, &["compile", "--fy", "2023", "--format", "json"]).stdout)
                .unwrap();
        let lines = c["lines"].as_i64().unwrap();
        assert_eq!((lines - 3) % 40, 0, "copy {i} holds {lines} lines: an import half-copied");
    }
}

#[test]
fn damaged_tampered_foreign_and_missing_copies_are_refused() {
    let t = initialised(Db::Sqlite);
    import_generated(&t, "MEXT", 1, 3);
    let copy = t.path("copy.db").display().to_string();
    ok(&t, &["backup", "-o", &copy]);
    let restore = |from: &str, name: &str| {
        let target = t.path(name).display().to_string();
        let out = on(&target, &t, &["restore", from]);
        (out.status.code(), String::from_utf8_lossy(&out.stderr).to_string(), std::path::Path::new(&target).exists())
    };
    // A tampered copy: its trigger dropped and an event changed, as an attacker could.
    let tampered = t.path("tampered.db").display().to_string();
    std::fs::copy(&copy, &tampered).unwrap();
    haibun_testkit::run_sql(&tampered, "DROP TRIGGER audit_events_no_update").unwrap();
    haibun_testkit::run_sql(&tampered, "UPDATE audit_events SET actor = 'intruder' WHERE seq = 2").unwrap();
    let (code, err, written) = restore(&tampered, "r1.db");
    assert_eq!((code, written), (Some(2), false), "{err}");
    assert!(err.contains("audit chain is broken at event 2"), "{err}");
    // A copy whose guard alone was removed restores unguarded: refused too.
    let unguarded = t.path("unguarded.db").display().to_string();
    std::fs::copy(&copy, &unguarded).unwrap();
    haibun_testkit::run_sql(&unguarded, "DROP TRIGGER audit_events_no_delete").unwrap();
    let (code, err, written) = restore(&unguarded, "r0.db");
    assert_eq!((code, written), (Some(2), false), "{err}");
    assert!(err.contains("guard"), "{err}");
    // No temporary file is left beside a refused target.
    let left: Vec<_> = std::fs::read_dir(t.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("haibun-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    // A damaged copy (bytes overwritten in the middle), a file that is not a database, a
    // database that is not haibun's, and no file at all.
    let damaged = t.path("damaged.db").display().to_string();
    let mut bytes = std::fs::read(&copy).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid..mid + 4096].fill(0xA5);
    std::fs::write(&damaged, bytes).unwrap();
    let text = file(&t, "notes.txt", b"not a database at all");
    let foreign = t.path("foreign.db").display().to_string();
    std::fs::write(&foreign, b"").unwrap();
    haibun_testkit::run_sql(&foreign, "CREATE TABLE x (a INTEGER)").unwrap();
    for (from, name) in
        [(damaged.as_str(), "r2.db"), (text.as_str(), "r3.db"), (foreign.as_str(), "r4.db"), ("missing.db", "r5.db")]
    {
        let (code, err, written) = restore(from, name);
        assert_eq!(code, Some(2), "{from}: {err}");
        assert!(!written, "{from}: nothing may be written ({err})");
    }
    // PostgreSQL is told how.
    let out = on("postgres://nobody@127.0.0.1:1/x", &t, &["restore", &copy]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("pg_restore"));
}

#[test]
fn postgres_is_backed_up_with_pg_dump() {
    let t = initialised(Db::Postgres);
    let out = haibun(&t, &["backup", "-o", "copy.db"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("pg_dump"));
}
