//! Crash safety: the real binary killed with SIGKILL at a random moment (seeded, so a failure
//! can be replayed) in the middle of an import of 600 lines, a compilation snapshot, a package
//! transition and an adjustment-fund decision, on SQLite and on PostgreSQL. After every kill:
//! SQLite's integrity check is `ok`, the audit chain verifies, the operation is wholly applied or
//! not at all (every line at one version; a snapshot whole or absent; a package in its old or its
//! new state; a round undecided with no allocation or decided with all of them), and running the
//! same command again succeeds (or, where the kill came after the commit, is refused as already
//! done, changing nothing).
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

/// Runs `args`, killing it after `delay` unless it finished first; whether it was killed, and how
/// long it ran.
fn run_and_kill(t: &TestDb, args: &[&str], delay: Duration) -> (bool, Duration) {
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
            return (false, start.elapsed());
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let killed = child.try_wait().unwrap().is_none();
    child.kill().ok(); // SIGKILL on Unix
    child.wait().unwrap();
    (killed, start.elapsed())
}

/// Chooses the moment of each kill: uniformly within 1.2 times the operation's duration. The
/// duration is learnt from the runs that finished (the shortest seen), since the first timing may
/// come from a busy machine and would then put every kill after the end. On the last round, if no
/// kill has landed yet, the moment is drawn from the first half of the operation, so every run of
/// the suite does kill an operation in flight.
struct Killer {
    rng: Rng,
    timed: Duration,
    rounds_left: usize,
    killed: usize,
}

impl Killer {
    fn new(seed: u64, timed: Duration) -> Killer {
        Killer { rng: Rng::new(seed), timed, rounds_left: kills(), killed: 0 }
    }

    /// Runs `args` and kills it at the chosen moment; whether it was killed before it finished.
    fn run(&mut self, t: &TestDb, args: &[&str]) -> bool {
        self.rounds_left = self.rounds_left.saturating_sub(1);
        let span = if self.rounds_left == 0 && self.killed == 0 { self.timed / 2 } else { self.timed * 6 / 5 };
        let delay = Duration::from_millis(self.rng.below(span.as_millis() as u64 + 1));
        let (killed, ran) = run_and_kill(t, args, delay);
        if killed {
            self.killed += 1;
        } else {
            self.timed = self.timed.min(ran);
        }
        killed
    }
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
    import(&t, &first, "MEXT");
    // How long an import changing every line takes here: the kills land anywhere within it
    // (and some after its commit, before the process ends).
    for l in &mut lines {
        l.request = haibun_domain::Yen(l.request.get() + 1_000);
    }
    let warm = file(&t, "w.xlsx", &haibun_testkit::workbook(&policy, "MEXT", haibun_domain::Unit::ThousandYen, &lines));
    let start = Instant::now();
    import(&t, &warm, "MEXT");
    let mut killer = Killer::new(20_261_126, start.elapsed().max(Duration::from_millis(50)));

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
        killed += usize::from(killer.run(&t, &args));
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
    let mut killer = Killer::new(20_261_129, start.elapsed().max(Duration::from_millis(50)));
    for round in 1..=kills() {
        let (_, before) = observe(&t);
        killed += usize::from(killer.run(&t, &["compile", "--fy", "2023", "--snapshot"]));
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

/// Each package's status and version.
fn packages(t: &TestDb) -> Vec<(String, String, i64)> {
    t.with_service(async |svc| {
        let p = svc.packages(&Actor::system(), fy()).await.unwrap();
        p.iter().map(|p| (p.ministry.clone(), format!("{:?}", p.status), p.version)).collect()
    })
}

/// A fresh database whose ministries each hold 120 lines, and those ministries.
fn with_packages(db: Db) -> (TestDb, Vec<String>) {
    let t = initialised(db);
    let policy = haibun_testkit::fy2023();
    let ministries: Vec<String> = policy.ministries.iter().map(|m| m.code.clone()).collect();
    for (i, m) in ministries.iter().enumerate() {
        let lines = haibun_testkit::lines_for(&policy, m, i as u64, 120);
        let bytes = haibun_testkit::workbook(&policy, m, haibun_domain::Unit::ThousandYen, &lines);
        import(&t, &file(&t, &format!("{m}.xlsx"), &bytes), m);
    }
    (t, ministries)
}

fn args_of(a: &[String]) -> Vec<&str> {
    a.iter().map(String::as_str).collect()
}

/// A package's transitions, in order, each killed at a random moment: the submission, the
/// hearing, the consent. Each kill takes the next transition of the next ministry; when every one
/// is used, a fresh database continues.
fn killed_mid_package_transition(db: Db) {
    let transitions = |m: &str| -> [Vec<String>; 3] {
        [
            vec!["package", "submit", "--fy", "2023", "--ministry", m],
            vec!["hearing", "record", "--fy", "2023", "--ministry", m, "--date", "2022-09-01"],
            vec!["package", "consent", "--fy", "2023", "--ministry", m],
        ]
        .map(|a| a.iter().map(|s| s.to_string()).collect())
    };
    let state_of = |t: &TestDb, m: &str| packages(t).into_iter().find(|p| p.0 == m).expect("the package");
    // The first ministry's transitions, whole: how long each takes and the status it leads to.
    let (mut t, ministries) = with_packages(db);
    let (mut expected, mut timed) = (Vec::new(), Duration::ZERO);
    for args in transitions(&ministries[0]) {
        let start = Instant::now();
        ok(&t, &args_of(&args));
        timed = timed.max(start.elapsed());
        expected.push(state_of(&t, &ministries[0]).1);
    }
    let mut queue: std::collections::VecDeque<(String, usize)> =
        ministries[1..].iter().flat_map(|m| (0..3).map(move |s| (m.clone(), s))).collect();
    let mut killer = Killer::new(20_261_127, timed);
    let (mut applied, mut rolled_back, mut killed, mut databases) = (0, 0, 0, 1);
    for round in 1..=kills() {
        if queue.is_empty() {
            (t, _) = with_packages(db);
            databases += 1;
            queue = ministries.iter().flat_map(|m| (0..3).map(move |s| (m.clone(), s))).collect();
        }
        let (m, step) = queue.pop_front().expect("a transition");
        let args = transitions(&m)[step].clone();
        let before = state_of(&t, &m);
        killed += usize::from(killer.run(&t, &args_of(&args)));
        sound(&t, db);
        let after = state_of(&t, &m);
        if after == before {
            rolled_back += 1;
            ok(&t, &args_of(&args));
        } else {
            applied += 1;
            assert_eq!(after.1, expected[step], "round {round}: {m} {args:?} applied whole");
            let again = haibun(&t, &args_of(&args));
            assert!(matches!(again.status.code(), Some(0 | 3)), "round {round}: the rerun: {again:?}");
        }
        assert_eq!(state_of(&t, &m).1, expected[step], "round {round}: {m} after {args:?}");
        sound(&t, db);
    }
    eprintln!(
        "{db:?}: {} package transitions on {databases} databases, {killed} killed before they finished; applied {applied}, rolled back {rolled_back}; nothing half-written",
        kills()
    );
    assert!(killed > 0, "the kills must land inside the transitions");
}

/// The fund's rounds: each status and its allocations.
fn rounds(t: &TestDb) -> Vec<(i64, String, usize)> {
    t.with_service(async |svc| {
        let f = svc.fund_state(&Actor::system(), fy(), "2023-06-01").await.unwrap();
        f.rounds
            .iter()
            .map(|r| (r.id, r.status.clone(), f.allocations.iter().filter(|a| a.round_id == r.id).count()))
            .collect()
    })
}

/// HQ's decision on a round of two scored proposals, killed at a random moment; each kill on a
/// new round.
fn killed_mid_fund_decision(db: Db) {
    let t = initialised(db);
    let lines = import_generated(&t, "MEXT", 21, 60);
    let amed: Vec<String> = lines.iter().filter(|l| l.channel == "AMED").map(|l| l.line_id.to_string()).collect();
    assert!(amed.len() >= 2);
    for (name, role) in [("hq", "hq"), ("co", "cabinet-office"), ("pd", "amed-pd")] {
        ok(&t, &["user", "add", name, "--role", role]);
    }
    ok(&t, &["--as", "hq", "fund", "pool", "--fy", "2023", "--amount", "900,000,000,000"]);
    let mut proposal = 0;
    let mut open_round = |n: usize| -> String {
        let title = format!("第{n}回");
        ok(&t, &["--as", "co", "fund", "round", "--fy", "2023", "--type", "top-down", "--title", &title]);
        let round = n.to_string();
        for line in &amed[..2] {
            proposal += 1;
            ok(
                &t,
                &[
                    "--as",
                    "pd",
                    "fund",
                    "propose",
                    "--round",
                    &round,
                    "--ministry",
                    "MEXT",
                    "--line",
                    line,
                    "--requested",
                    "30,000,000",
                    "--min",
                    "10,000,000",
                    "--rationale",
                    "進捗良好",
                    "--targets",
                    "試験完了",
                ],
            );
            let p = proposal.to_string();
            ok(&t, &["--as", "co", "fund", "score", "--proposal", &p, "--score", "PROGRESS=4", "--score", "NEEDS=3"]);
        }
        round
    };
    let round = open_round(1);
    let start = Instant::now();
    ok(&t, &["--as", "hq", "fund", "decide", "--round", &round]);
    let mut killer = Killer::new(20_261_128, start.elapsed());
    let decided = rounds(&t)[0].clone();
    assert_eq!(decided.2, 2, "both proposals allocated: {decided:?}");
    let (mut applied, mut rolled_back, mut killed) = (0, 0, 0);
    for n in 2..=kills() + 1 {
        let round = open_round(n);
        let args = ["--as", "hq", "fund", "decide", "--round", round.as_str()];
        let before = rounds(&t);
        killed += usize::from(killer.run(&t, &args));
        sound(&t, db);
        let after = rounds(&t);
        let this = after.last().expect("the round").clone();
        assert_eq!(after[..after.len() - 1], before[..before.len() - 1], "round {n}: earlier rounds untouched");
        if this == *before.last().unwrap() {
            rolled_back += 1;
            assert_eq!(this.2, 0, "round {n}: undecided, no allocation");
            ok(&t, &args);
        } else {
            applied += 1;
            assert_eq!((this.1.as_str(), this.2), (decided.1.as_str(), 2), "round {n}: decided whole");
            let again = haibun(&t, &args);
            assert_eq!(again.status.code(), Some(3), "round {n}: already decided: {again:?}");
        }
        assert_eq!(rounds(&t).last().map(|r| (r.1.clone(), r.2)), Some((decided.1.clone(), 2)), "round {n}");
    }
    eprintln!(
        "{db:?}: {} fund decisions, {killed} killed before they finished; applied {applied}, rolled back {rolled_back}; nothing half-written",
        kills()
    );
    assert!(killed > 0, "the kills must land inside the decisions");
}

on_both_databases!(killed_mid_operation, killed_mid_package_transition, killed_mid_fund_decision);
