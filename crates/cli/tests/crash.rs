//! Crash safety: the real binary killed with SIGKILL at a random moment (seeded, so a failure
//! can be replayed) in the middle of an import of 600 lines and of a compilation snapshot, on
//! SQLite and on PostgreSQL. After every kill: SQLite's integrity check is `ok`, the audit chain
//! verifies, the operation is wholly applied or not at all (every line at one version; a snapshot
//! whole or absent), and running the same command again succeeds.
//!
//! The suite kills each operation `HAIBUN_CRASH_KILLS` times (default 4); RELIABILITY.md records
//! the long run (100 kills per operation and database).

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use haibun_domain::rng::Rng;

const LINES: usize = 600;

fn kills() -> usize {
    std::env::var("HAIBUN_CRASH_KILLS").ok().and_then(|k| k.parse().ok()).unwrap_or(4)
}

/// Each stored MEXT line's version, and the snapshots' ids.
fn observe(t: &TestDb) -> (Vec<i64>, Vec<i64>) {
    t.with_service(async |svc| {
        let admin = Actor::system();
        let versions = svc.stored_lines(&admin, fy(), Some("MEXT")).await.unwrap().iter().map(|l| l.version).collect();
        let snapshots = svc.snapshots(fy()).await.unwrap().iter().map(|s| s.id).collect();
        (versions, snapshots)
    })
}

/// Runs `args`, killing it after `delay` unless it finished first; whether it was killed.
fn run_and_kill(t: &TestDb, args: &[&str], delay: Duration) -> bool {
    let mut child = Command::new(env!("CARGO_BIN_EXE_haibun"))
        .arg("--db")
        .arg(&t.url)
        .args(args)
        .current_dir(t.dir.path())
        .env_remove("HAIBUN_DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while start.elapsed() < delay {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let killed = child.try_wait().unwrap().is_none();
    child.kill().ok(); // SIGKILL on Unix
    child.wait().unwrap();
    killed
}

/// What must hold after any kill.
fn sound(t: &TestDb, db: Db) {
    if db == Db::Sqlite {
        assert_eq!(haibun_testkit::sqlite_integrity(&t.url), "ok");
    }
    assert!(ok(t, &["audit", "verify"]).contains("verifies"));
}

fn killed_mid_operation(db: Db) {
    let t = initialised(db);
    let policy = haibun_testkit::fy2023();
    let mut lines = haibun_testkit::lines_for(&policy, "MEXT", 21, LINES);
    let first =
        file(&t, "m0.xlsx", &haibun_testkit::workbook(&policy, "MEXT", haibun_domain::Unit::ThousandYen, &lines));
    // How long an import of every line takes here: the kills land anywhere within it.
    let start = Instant::now();
    import(&t, &first, "MEXT");
    let timed = start.elapsed().max(Duration::from_millis(50));
    let mut rng = Rng::new(20_261_126);

    // Imports that change every line (each request up by one thousand yen per round).
    let (mut applied, mut rolled_back, mut killed) = (0, 0, 0);
    for round in 1..=kills() {
        for l in &mut lines {
            l.request = haibun_domain::Yen(l.request.get() + 1_000);
        }
        let bytes = haibun_testkit::workbook(&policy, "MEXT", haibun_domain::Unit::ThousandYen, &lines);
        let path = file(&t, &format!("m{round}.xlsx"), &bytes);
        let args = ["import", path.as_str(), "--fy", "2023", "--ministry", "MEXT"];
        let (before, _) = observe(&t);
        let delay = Duration::from_millis(rng.below(timed.as_millis() as u64 * 6 / 5));
        killed += usize::from(run_and_kill(&t, &args, delay));
        sound(&t, db);
        let (after, _) = observe(&t);
        assert_eq!(after.len(), LINES);
        let v = before[0];
        if after.iter().all(|x| *x == v) {
            rolled_back += 1;
        } else {
            assert!(after.iter().all(|x| *x == v + 1), "round {round}: a half-applied import: {:?}", &after[..5]);
            applied += 1;
        }
        // Again, whole: it succeeds and leaves every line at one version.
        ok(&t, &args);
        let (again, _) = observe(&t);
        assert!(again.iter().all(|x| *x == v + 1), "round {round}: the rerun");
    }

    // Snapshots of the consented package.
    for args in [
        vec!["package", "submit", "--fy", "2023", "--ministry", "MEXT"],
        vec!["hearing", "record", "--fy", "2023", "--ministry", "MEXT", "--date", "2022-09-01"],
        vec!["package", "consent", "--fy", "2023", "--ministry", "MEXT"],
    ] {
        ok(&t, &args);
    }
    let start = Instant::now();
    ok(&t, &["compile", "--fy", "2023", "--snapshot"]);
    let timed = start.elapsed().max(Duration::from_millis(50));
    for round in 1..=kills() {
        let (_, before) = observe(&t);
        let delay = Duration::from_millis(rng.below(timed.as_millis() as u64 * 6 / 5));
        killed += usize::from(run_and_kill(&t, &["compile", "--fy", "2023", "--snapshot"], delay));
        sound(&t, db); // re-hashes every snapshot: a half-written one would not verify
        let (_, after) = observe(&t);
        assert!(after.len() == before.len() || after.len() == before.len() + 1, "round {round}");
        ok(&t, &["compile", "--fy", "2023", "--snapshot"]);
    }
    eprintln!(
        "{db:?}: {} runs per operation, {killed} of them killed before they finished; imports applied {applied}, rolled back {rolled_back}; nothing half-written",
        kills()
    );
    assert!(killed > 0, "the kills must land inside the operations");
}

on_both_databases!(killed_mid_operation);
