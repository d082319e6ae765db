//! Test helpers: a fresh database per test on SQLite or PostgreSQL, and fixture files.
//!
//! PostgreSQL tests need `HAIBUN_TEST_PG_URL` (a server URL without a database, such as
//! `postgres://postgres@127.0.0.1:54329`); `scripts/test.sh` starts a throwaway cluster and sets it.

use std::sync::atomic::{AtomicU32, Ordering};

use haibun_domain::{FiscalYear, Policy, RequestLine, Unit};

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    /// A SQLite file in a temporary folder.
    Sqlite,
    /// A new database on the test PostgreSQL server.
    Postgres,
}

/// A database of one test's own. The SQLite folder is removed when it is dropped; PostgreSQL
/// test databases go with the throwaway cluster.
#[derive(Debug)]
pub struct TestDb {
    /// Which database.
    pub db: Db,
    /// What to pass as `--db`.
    pub url: String,
    /// The temporary folder (also a place for the test's files).
    pub dir: tempfile::TempDir,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// Runs a future to completion on a private runtime (tests themselves stay synchronous).
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("test runtime").block_on(f)
}

/// Runs one SQL statement on any database URL (for instance as another PostgreSQL role).
pub fn run_sql(url: &str, sql: &str) -> Result<u64, String> {
    block_on(haibun_store::test_support::execute(url, sql)).map_err(|e| e.to_string())
}

/// SQLite's `PRAGMA integrity_check` of a database file: `ok`, or what is wrong.
pub fn sqlite_integrity(path: &str) -> String {
    block_on(async {
        let store = haibun_store::Store::open(path, haibun_store::OpenMode::Existing).await.expect("open");
        let r = store.integrity_check().await.expect("integrity_check");
        store.close().await;
        r
    })
}

impl TestDb {
    /// A new, empty database (no schema yet).
    pub fn new(db: Db) -> TestDb {
        let dir = tempfile::tempdir().expect("temporary folder");
        let url = match db {
            Db::Sqlite => dir.path().join("haibun.db").display().to_string(),
            Db::Postgres => {
                let server = std::env::var("HAIBUN_TEST_PG_URL").expect(
                    "HAIBUN_TEST_PG_URL is not set: run the tests with scripts/test.sh, which starts a throwaway PostgreSQL cluster",
                );
                let name =
                    format!("haibun_t{}_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed), nanos());
                block_on(haibun_store::test_support::create_postgres_database(&server, &name))
                    .expect("create a test database")
            }
        };
        TestDb { db, url, dir }
    }

    /// Runs raw SQL on this database, as an attacker with database access could; returns the rows changed.
    pub fn tamper(&self, sql: &str) -> u64 {
        block_on(haibun_store::test_support::execute(&self.url, sql)).expect("tamper SQL")
    }

    /// Removes the database's own guard on the audit trail (its append-only triggers), as an
    /// attacker holding the file or the owner's password could, before tampering with events.
    pub fn drop_audit_guard(&self) {
        match self.db {
            Db::Sqlite => {
                self.tamper("DROP TRIGGER audit_events_no_update");
                self.tamper("DROP TRIGGER audit_events_no_delete");
            }
            Db::Postgres => {
                self.tamper("DROP TRIGGER audit_events_append_only ON audit_events");
                self.tamper("DROP TRIGGER audit_events_no_truncate ON audit_events");
            }
        }
    }

    /// A path inside the test's folder.
    pub fn path(&self, name: &str) -> std::path::PathBuf {
        self.dir.path().join(name)
    }

    /// Runs `f` with the service opened on this database, on one runtime, and closes it after.
    pub fn with_service<T>(&self, f: impl AsyncFnOnce(&haibun_service::Service) -> T) -> T {
        block_on(async {
            let svc = haibun_service::Service::open(&self.url, true).await.expect("open the test database");
            let out = f(&svc).await;
            svc.close().await;
            out
        })
    }
}

fn nanos() -> u32 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0)
}

/// The built-in FY2023 policy.
pub fn fy2023() -> Policy {
    Policy::builtin(FiscalYear::try_from(2023).expect("year")).expect("built in").expect("valid")
}

/// `count` generated lines of one ministry (seeded, deterministic), with their ids renumbered.
pub fn lines_for(policy: &Policy, ministry: &str, seed: u64, count: usize) -> Vec<RequestLine> {
    let mut lines = haibun_service::demo::generate(policy, seed, count);
    for (i, l) in lines.iter_mut().enumerate() {
        l.ministry = ministry.to_string();
        l.line_id = haibun_domain::LineId::parse(&format!("{ministry}-{:04}", i + 1)).expect("id");
    }
    lines
}

/// The request workbook holding `lines`.
pub fn workbook(policy: &Policy, ministry: &str, unit: Unit, lines: &[RequestLine]) -> Vec<u8> {
    haibun_sheets::write_workbook(policy, Some(ministry), unit, lines).expect("write workbook")
}

/// The lines as a Shift_JIS (CP932) CSV, as Japanese Excel saves "CSV (コンマ区切り)".
pub fn shift_jis_csv(policy: &Policy, ministry: &str, unit: Unit, lines: &[RequestLine]) -> Vec<u8> {
    let utf8 = haibun_sheets::write_csv(policy, Some(ministry), unit, lines);
    let text = std::str::from_utf8(&utf8[3..]).expect("UTF-8 after the BOM");
    let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(text);
    assert!(!unmappable, "fixture text must be representable in Shift_JIS");
    bytes.into_owned()
}

/// Removes the saved results of every formula in an xlsx (as tools that do not calculate write
/// them), to test that such cells are never read as blanks.
pub fn strip_formula_results(xlsx: &[u8]) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut src = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).expect("an xlsx");
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..src.len() {
        let mut entry = src.by_index(i).expect("entry");
        let name = entry.name().expect("entry name").to_string();
        let mut body = Vec::new();
        entry.read_to_end(&mut body).expect("read entry");
        if name.starts_with("xl/worksheets/") {
            let text = String::from_utf8(body).expect("UTF-8 XML");
            let mut stripped = String::new();
            let mut rest = text.as_str();
            while let Some(i) = rest.find("</f><v>") {
                stripped.push_str(&rest[..i + 4]);
                let after = &rest[i + 4..];
                rest = &after[after.find("</v>").expect("closing v") + 4..];
            }
            stripped.push_str(rest);
            body = stripped.into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default()).expect("start entry");
        out.write_all(&body).expect("write entry");
    }
    out.finish().expect("finish zip").into_inner()
}
