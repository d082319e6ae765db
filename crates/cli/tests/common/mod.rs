//! Shared helpers for the CLI tests: the real binary on a test database.

#![allow(dead_code, reason = "each test file uses a different subset")]

use std::path::Path;
use std::process::{Command, Output};

use haibun_domain::{FiscalYear, RequestLine};
pub use haibun_service::Actor;
pub use haibun_testkit::{Db, TestDb};

/// Runs the real `haibun` binary with `--db` pointing at the test database.
pub fn haibun(db: &TestDb, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_haibun"))
        .arg("--db")
        .arg(&db.url)
        .args(args)
        .current_dir(db.dir.path())
        .env_remove("HAIBUN_DATABASE_URL")
        .output()
        .expect("run haibun")
}

/// Runs it and insists on success; returns stdout.
pub fn ok(db: &TestDb, args: &[&str]) -> String {
    let out = haibun(db, args);
    assert!(
        out.status.success(),
        "haibun {args:?} failed ({:?}):\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 stdout")
}

/// A test database with the schema and the FY2023 policy.
pub fn initialised(db: Db) -> TestDb {
    let t = TestDb::new(db);
    ok(&t, &["init", "--fy", "2023"]);
    t
}

/// Writes `bytes` into the test folder and returns the path as text.
pub fn file(db: &TestDb, name: &str, bytes: &[u8]) -> String {
    let p = db.path(name);
    std::fs::write(&p, bytes).expect("write fixture");
    p.display().to_string()
}

/// Generates `count` lines of a ministry (seeded), imports them as a workbook in 千円, and returns them.
pub fn import_generated(db: &TestDb, ministry: &str, seed: u64, count: usize) -> Vec<RequestLine> {
    let policy = haibun_testkit::fy2023();
    let lines = haibun_testkit::lines_for(&policy, ministry, seed, count);
    let bytes = haibun_testkit::workbook(&policy, ministry, haibun_domain::Unit::ThousandYen, &lines);
    import(db, &file(db, &format!("{ministry}-{seed}.xlsx"), &bytes), ministry);
    lines
}

/// Imports a file for a ministry and insists on success.
pub fn import(db: &TestDb, path: &str, ministry: &str) -> String {
    ok(db, &["import", path, "--fy", "2023", "--ministry", ministry])
}

/// Carries FY2023 to settlement with MEXT's package alone: submitted, heard, consented, frozen,
/// submitted to the fiscal authority and settled as requested.
pub fn settle_mext_2023(db: &TestDb) {
    for args in [
        vec!["package", "submit", "--fy", "2023", "--ministry", "MEXT"],
        vec!["hearing", "record", "--fy", "2023", "--ministry", "MEXT", "--date", "2022-09-01"],
        vec!["package", "consent", "--fy", "2023", "--ministry", "MEXT"],
        vec!["compile", "--fy", "2023", "--snapshot"],
        vec!["submit", "--fy", "2023"],
        vec!["settle", "--fy", "2023", "--accept-requested"],
    ] {
        ok(db, &args);
    }
}

pub fn fy() -> FiscalYear {
    FiscalYear::try_from(2023).expect("year")
}

/// Everything a user could observe of the database: current lines with versions, all
/// versions, and the number of audit events.
pub fn state(db: &TestDb) -> (Vec<(RequestLine, i64)>, usize) {
    db.with_service(async |svc| {
        let lines = svc.lines(&Actor::system(), fy(), None).await.expect("lines");
        let events = svc.audit_events(&Actor::system(), None).await.expect("events").len();
        let mut with_versions = Vec::new();
        for l in lines {
            let h = svc.line_history(&Actor::system(), fy(), &l.ministry, l.line_id.as_str()).await.expect("history");
            with_versions.push((l, h.len() as i64));
        }
        (with_versions, events)
    })
}

/// The compile JSON.
pub fn compile_json(db: &TestDb) -> serde_json::Value {
    serde_json::from_str(&ok(db, &["compile", "--fy", "2023", "--format", "json"])).expect("compile JSON")
}

pub fn exists(p: &str) -> bool {
    Path::new(p).exists()
}

/// Declares each named test function `fn(Db)` once per database.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $name() { super::$name($crate::common::Db::Sqlite) } )*
        }
        mod postgres {
            $( #[test] fn $name() { super::$name($crate::common::Db::Postgres) } )*
        }
    };
}

/// The Python that can import `modules` (scripts/test.sh makes a virtual environment with every
/// module the tests use and names it in HAIBUN_BENCH_PYTHON), or None when this machine has none
/// and the suite does not require it (HAIBUN_REQUIRE_BENCH_PYTHON).
pub fn python_with(modules: &str) -> Option<String> {
    let python = std::env::var("HAIBUN_BENCH_PYTHON").unwrap_or_else(|_| "python3".into());
    let has =
        Command::new(&python).args(["-c", &format!("import {modules}")]).output().is_ok_and(|o| o.status.success());
    if !has {
        assert!(
            std::env::var_os("HAIBUN_REQUIRE_BENCH_PYTHON").is_none(),
            "HAIBUN_REQUIRE_BENCH_PYTHON is set but {python} cannot import {modules}"
        );
        eprintln!("SKIPPED: {python} cannot import {modules}; scripts/test.sh makes a virtual environment with it");
        return None;
    }
    Some(python)
}

/// LibreOffice's `soffice`, if installed.
pub fn soffice() -> Option<&'static str> {
    ["soffice", "libreoffice"]
        .into_iter()
        .find(|c| std::process::Command::new(c).arg("--version").output().is_ok_and(|o| o.status.success()))
}

/// Converts every sheet of `xlsx` to UTF-8 CSV with LibreOffice, recalculating every formula on
/// load (a fresh profile sets OOXMLRecalcMode to "always"), raw values rather than as shown.
/// Returns sheet name → rows.
pub fn libreoffice_csv(soffice: &str, xlsx: &Path, out: &Path) -> std::collections::HashMap<String, Vec<Vec<String>>> {
    let profile = out.join("lo-profile");
    let user = profile.join("user");
    std::fs::create_dir_all(&user).unwrap();
    std::fs::write(
        user.join("registrymodifications.xcu"),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"#,
    )
    .unwrap();
    let csv_dir = out.join("lo-csv");
    std::fs::create_dir_all(&csv_dir).unwrap();
    let status = std::process::Command::new(soffice)
        .arg(format!("-env:UserInstallation=file://{}", profile.display()))
        .args(["--headless", "--norestore", "--convert-to"])
        // 44 = comma, 34 = ", 76 = UTF-8, from line 1, raw values (not as shown), every sheet (-1).
        .arg("csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1")
        .arg("--outdir")
        .arg(&csv_dir)
        .arg(xlsx)
        .output()
        .expect("run soffice");
    assert!(status.status.success(), "soffice failed: {}", String::from_utf8_lossy(&status.stderr));
    let stem = xlsx.file_stem().unwrap().to_str().unwrap();
    let mut sheets = std::collections::HashMap::new();
    for entry in std::fs::read_dir(&csv_dir).unwrap() {
        let p = entry.unwrap().path();
        let name = p.file_stem().unwrap().to_str().unwrap().to_string();
        let Some(sheet) = name.strip_prefix(&format!("{stem}-")) else { continue };
        let rows = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_path(&p)
            .unwrap()
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect();
        sheets.insert(sheet.to_string(), rows);
    }
    sheets
}

/// A running `haibun serve`, stopped when dropped.
pub struct Server(pub std::process::Child, pub u16);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Sends one raw HTTP/1.1 request (which must say `Connection: close`) and reads the whole
/// answer: (status, head, body).
pub fn send(port: u16, request: &str) -> (u16, String, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.write_all(request.as_bytes()).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let text = String::from_utf8_lossy(&out).to_string();
    let status = text.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    (status, head.to_string(), body.to_string())
}

/// Serves `db` on a free loopback port; returns once the port answers.
pub fn serve(db: &str) -> Server {
    serve_with(db, &[])
}

/// Serves `db` with more options (`--trusted-proxy …`) on a free loopback port.
pub fn serve_with(db: &str, options: &[&str]) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new(env!("CARGO_BIN_EXE_haibun"))
        .args(["--db", db, "serve", "--addr", &format!("127.0.0.1:{port}")])
        .args(options)
        .env_remove("HAIBUN_DATABASE_URL")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut server = Server(child, port);
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return server;
        }
        if let Some(status) = server.0.try_wait().unwrap() {
            panic!("haibun serve exited ({status}) before answering on port {port}");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("haibun serve did not answer on port {port} within 10 s");
}
