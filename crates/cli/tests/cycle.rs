//! The coordination cycle (§2) end to end through the service layer, on SQLite and PostgreSQL.

mod common;

use common::*;
use haibun_domain::line::Field;
use haibun_domain::workflow::{Action, Role, Status};
use haibun_domain::{Unit, Yen};
use haibun_service::{HearingInput, ImportRequest, InstructionInput, LinePatch, Service, ServiceError};
use haibun_testkit::{fy2023, lines_for, workbook};
use serde_json::Value;

const USERS: &[(&str, Role, Option<&str>)] = &[
    ("co", Role::CabinetOffice, None),
    ("hq", Role::Hq, None),
    ("mof", Role::Fiscal, None),
    ("mext", Role::Ministry, Some("MEXT")),
    ("mhlw", Role::Ministry, Some("MHLW")),
    ("meti", Role::Ministry, Some("METI")),
];

async fn as_user(svc: &Service, name: &str) -> Actor {
    svc.actor(Some(name)).await.expect("user")
}

fn hearing(date: &str) -> HearingInput {
    HearingInput {
        date: date.into(), place: "内閣府".into(), attendees: "担当課".into(), minutes: "説明と質疑".into()
    }
}

fn sum(c: &Value, key: &str, field: &str) -> i64 {
    c[key].as_array().unwrap().iter().map(|r| r[field].as_i64().unwrap()).sum()
}

/// Every breakdown of a compile JSON sums to its total, for each amount field present.
fn assert_consistent(c: &Value, fields: &[&str]) {
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
        for f in fields {
            assert_eq!(sum(c, key, f), c["total"][f].as_i64().unwrap(), "{key}.{f}");
        }
    }
}

fn the_whole_cycle_for_three_ministries(db: Db) {
    let t = initialised(db);
    let policy = fy2023();
    let lines: Vec<_> =
        [("MEXT", 1), ("MHLW", 2), ("METI", 3)].iter().map(|(m, seed)| (*m, lines_for(&policy, m, *seed, 6))).collect();
    t.with_service(async |svc| {
        let admin = Actor::system();
        for (name, role, ministry) in USERS {
            svc.add_user(&admin, name, *role, *ministry).await.unwrap();
        }
        let (co, hq, mof) = (as_user(svc, "co").await, as_user(svc, "hq").await, as_user(svc, "mof").await);
        for (m, ls) in &lines {
            let staff = as_user(svc, &m.to_lowercase()).await;
            let bytes = workbook(&policy, m, Unit::ThousandYen, ls);
            svc.import(
                &staff,
                ImportRequest { fiscal_year: fy(), ministry: m, file_name: "r.xlsx", bytes: &bytes, unit: None },
            )
            .await
            .unwrap();
        }
        let requested = serde_json::to_value(svc.compile(&admin, fy()).await.unwrap()).unwrap();
        assert_eq!(requested["stage"], "requested");
        assert_eq!(requested["lines"], 18);
        let total: i64 = lines.iter().flat_map(|(_, l)| l).map(|l| l.request.get()).sum();
        assert_eq!(requested["total"]["request"], total);
        assert_consistent(&requested, &["prior_year", "request"]);

        // §2(2): a hearing can be scheduled before it is held; recording it marks that one held.
        let scheduled = svc.schedule_hearing(&co, fy(), "MEXT", "2022-08-30", "内閣府 第1会議室").await.unwrap();
        // §2(1)(2): every ministry submits and is heard.
        for (m, _) in &lines {
            let staff = as_user(svc, &m.to_lowercase()).await;
            assert_eq!(svc.package_action(&staff, fy(), m, Action::Submit, None).await.unwrap(), Status::Submitted);
            svc.record_hearing(&co, fy(), m, hearing("2022-09-01")).await.unwrap();
        }
        let heard = svc.hearings(&co, fy()).await.unwrap();
        assert_eq!(heard.len(), 3, "the scheduled hearing became the held one");
        assert!(heard.iter().any(|h| h.id == scheduled && h.held == 1 && h.minutes == "説明と質疑"));
        // MEXT: consent straight after the hearing.
        assert_eq!(svc.package_action(&co, fy(), "MEXT", Action::Consent, None).await.unwrap(), Status::Consented);

        // MHLW: a line instruction with a target amount; the ministry revises the line, answers, reports.
        let mhlw = as_user(svc, "mhlw").await;
        let line = lines[1].1[0].line_id.to_string();
        let i1 = svc
            .instruct(
                &co,
                fy(),
                "MHLW",
                InstructionInput {
                    line_id: Some(line.clone()),
                    text: "前年度並みに".into(),
                    target_amount: Some(Yen(1_000_000)),
                    due: Some("2022-09-15".into()),
                },
            )
            .await
            .unwrap();
        let err = svc.package_action(&mhlw, fy(), "MHLW", Action::Report, None).await.unwrap_err();
        assert!(
            matches!(err, ServiceError::Conflict(ref m) if m.contains(&i1.to_string())),
            "reporting with an open instruction: {err}"
        );
        let v = svc
            .update_line(
                &mhlw,
                fy(),
                "MHLW",
                &line,
                1,
                &LinePatch {
                    fields: vec![(Field::Request, "1,000,000".into()), (Field::PriorityFrame, String::new())],
                },
            )
            .await
            .unwrap();
        assert_eq!(v, 2);
        svc.answer(&mhlw, i1, "目標額に修正しました").await.unwrap();
        assert_eq!(
            svc.package_action(&mhlw, fy(), "MHLW", Action::Report, None).await.unwrap(),
            Status::RevisionReported
        );
        // A second round: instructed again after the report.
        let i2 = svc
            .instruct(
                &co,
                fy(),
                "MHLW",
                InstructionInput { text: "成果目標を具体化すること".into(), ..Default::default() },
            )
            .await
            .unwrap();
        svc.answer(&mhlw, i2, "具体化しました").await.unwrap();
        svc.package_action(&mhlw, fy(), "MHLW", Action::Report, None).await.unwrap();
        let threads = svc.instruction_threads(&co, fy(), Some("MHLW")).await.unwrap();
        assert_eq!(threads.iter().map(|(i, a)| (i.round, a.len())).collect::<Vec<_>>(), [(1, 1), (2, 1)]);
        assert_eq!(threads[0].1[0].line_version, Some(2), "the answer records the revised version");

        // Before every package is consented or excluded, no snapshot.
        let err = svc.compile_snapshot(&hq, fy()).await.unwrap_err();
        assert!(matches!(err, ServiceError::Conflict(ref m) if m.contains("MHLW") && m.contains("METI")), "{err}");
        svc.package_action(&co, fy(), "MHLW", Action::Consent, None).await.unwrap();

        // METI: a package instruction, answered and reported, then consent.
        let meti = as_user(svc, "meti").await;
        let i3 = svc
            .instruct(&co, fy(), "METI", InstructionInput { text: "AMED への集約を検討".into(), ..Default::default() })
            .await
            .unwrap();
        svc.answer(&meti, i3, "検討しました").await.unwrap();
        svc.package_action(&meti, fy(), "METI", Action::Report, None).await.unwrap();
        svc.package_action(&co, fy(), "METI", Action::Consent, None).await.unwrap();
        // CAO has no medical R&D lines this year: excluded with a reason.
        assert_eq!(
            svc.package_action(&co, fy(), "CAO", Action::Exclude, Some("該当事業なし")).await.unwrap(),
            Status::Excluded
        );

        // §2(4): HQ freezes the compilation.
        let id = svc.compile_snapshot(&hq, fy()).await.unwrap();
        let (snap, compiled) = svc.snapshot_compilation(fy(), Some(id)).await.unwrap();
        let compiled = serde_json::to_value(compiled).unwrap();
        assert_eq!(compiled["stage"], "compiled");
        let revised = total - lines[1].1[0].request.get() + 1_000_000;
        assert_eq!(compiled["total"]["request"], revised);
        assert_consistent(&compiled, &["prior_year", "request"]);
        assert_eq!(snap.content_hash.len(), 64);
        assert!(snap.exclusions.contains("該当事業なし"));
        // A ministry cannot change a consented line, so the frozen figures cannot drift.
        let err = svc
            .update_line(&mhlw, fy(), "MHLW", &line, 2, &LinePatch { fields: vec![(Field::Request, "5".into())] })
            .await
            .unwrap_err();
        assert!(matches!(err, ServiceError::Conflict(_)), "{err}");

        // §2(5): submitted, negotiated, settled.
        assert!(
            matches!(
                svc.negotiate(&mof, fy(), Some("MEXT"), "MEXT-0001", Yen(1)).await.unwrap_err(),
                ServiceError::Conflict(_)
            ),
            "not yet submitted"
        );
        svc.submit_snapshot(&hq, fy(), Some(id)).await.unwrap();
        let frozen = svc.snapshot_compilation(fy(), Some(id)).await.unwrap().1;
        assert_eq!(serde_json::to_value(&frozen).unwrap()["total"]["request"], revised);
        let mut settled_total = 0;
        for (m, ls) in &lines {
            for l in ls {
                let request = if l.line_id.as_str() == line { 1_000_000 } else { l.request.get() };
                let amount = request / 10 * 9;
                settled_total += amount;
                svc.negotiate(&mof, fy(), Some(m), l.line_id.as_str(), Yen(amount)).await.unwrap();
            }
        }
        svc.settle(&hq, fy(), false).await.unwrap();
        let settled = serde_json::to_value(svc.snapshot_compilation(fy(), Some(id)).await.unwrap().1).unwrap();
        assert_eq!(settled["stage"], "settled");
        assert_eq!(settled["total"]["settled"], settled_total);
        assert_eq!(settled["total"]["request"], revised);
        assert_consistent(&settled, &["prior_year", "request", "settled"]);
        for key in ["by_ministry", "by_project", "by_disease_area", "by_project_disease_area"] {
            assert!(
                settled[key].as_array().unwrap().iter().all(|r| r.get("settled").is_some()),
                "{key}: settled in every row"
            );
        }
        assert!(
            svc.verify_audit(&Actor::system(), None).await.unwrap().ok(),
            "the audit chain and the snapshot verify"
        );
        assert!(
            matches!(svc.compile_snapshot(&hq, fy()).await.unwrap_err(), ServiceError::Conflict(_)),
            "no new compilation once settled"
        );
        let actions: Vec<String> =
            svc.audit_events(&admin, Some(fy())).await.unwrap().into_iter().map(|e| e.event.action).collect();
        for a in [
            "lines.import",
            "package.submit",
            "hearing.record",
            "instruction.issue",
            "line.update",
            "instruction.answer",
            "package.report",
            "package.consent",
            "package.exclude",
            "compilation.snapshot",
            "compilation.submit",
            "line.negotiate",
            "year.settle",
        ] {
            assert!(actions.iter().any(|x| x == a), "audit has {a}");
        }
    });
}

fn a_stale_update_is_refused_and_concurrent_updates_have_one_winner(db: Db) {
    let t = initialised(db);
    let policy = fy2023();
    let ls = lines_for(&policy, "MEXT", 5, 3);
    let path = file(&t, "m.xlsx", &workbook(&policy, "MEXT", Unit::ThousandYen, &ls));
    import(&t, &path, "MEXT");
    let id = ls[0].line_id.to_string();
    // Two writers read version 1 and write at once, each its own amount.
    let outcomes = t.with_service(async |svc| {
        let admin = Actor::system();
        let a = LinePatch { fields: vec![(Field::Request, "111111".into()), (Field::PriorityFrame, String::new())] };
        let b = LinePatch { fields: vec![(Field::Request, "222222".into()), (Field::PriorityFrame, String::new())] };
        let (ra, rb) = tokio::join!(
            svc.update_line(&admin, fy(), "MEXT", &id, 1, &a),
            svc.update_line(&admin, fy(), "MEXT", &id, 1, &b)
        );
        vec![(111_111, ra), (222_222, rb)]
    });
    let winners: Vec<_> = outcomes.iter().filter(|(_, r)| r.is_ok()).collect();
    assert_eq!(winners.len(), 1, "exactly one wins: {outcomes:?}");
    let loser = outcomes.iter().find(|(_, r)| r.is_err()).unwrap();
    assert!(matches!(loser.1, Err(ServiceError::Conflict(_))), "the other gets the conflict: {:?}", loser.1);
    let winner_amount = winners[0].0;
    let (stored, _) = state(&t);
    let line = stored.iter().find(|(l, _)| l.line_id.as_str() == id).unwrap();
    assert_eq!(line.0.request, Yen(winner_amount), "the stored line is exactly the winner's write");
    let history = t.with_service(async |svc| svc.line_history(&Actor::system(), fy(), "MEXT", &id).await.unwrap());
    assert_eq!(
        history.iter().map(|h| (h.version, h.line.request)).collect::<Vec<_>>(),
        [(1, ls[0].request), (2, Yen(winner_amount))],
        "no lost or merged version"
    );

    // The CLI refuses a stale version with exit 3 and changes nothing.
    let before = state(&t);
    let out =
        haibun(&t, &["line", "update", &id, "--fy", "2023", "--ministry", "MEXT", "--version", "1", "--request", "5"]);
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(state(&t), before);
    let text = ok(&t, &["line", "history", &id, "--fy", "2023", "--ministry", "MEXT"]);
    assert!(
        text.contains("版/version 2") && text.contains(&format!("要求額: {} → {winner_amount}", ls[0].request.get())),
        "{text}"
    );
}

fn a_tampered_audit_event_is_found_by_verify(db: Db) {
    let t = initialised(db);
    import_generated(&t, "MEXT", 1, 3);
    import_generated(&t, "MHLW", 2, 3);
    assert!(ok(&t, &["audit", "verify"]).contains("verifies"));
    let log: Value = serde_json::from_str(&ok(&t, &["audit", "log", "--format", "json"])).unwrap();
    assert_eq!(log.as_array().unwrap().len(), 3, "policy, two imports");
    // The database itself refuses to change or delete an event...
    let mut attempts =
        vec!["UPDATE audit_events SET actor = 'x' WHERE seq = 2", "DELETE FROM audit_events WHERE seq = 3"];
    if db == Db::Postgres {
        attempts.push("TRUNCATE audit_events");
    }
    for sql in attempts {
        let refused = haibun_testkit::run_sql(&t.url, sql).unwrap_err();
        assert!(refused.contains("append-only"), "{sql}: {refused}");
    }
    assert!(ok(&t, &["audit", "verify"]).contains("verifies"));
    // ...until an attacker holding the database drops its guard; the chain still catches them.
    t.drop_audit_guard();
    let changed = t.tamper("UPDATE audit_events SET after_json = REPLACE(after_json, 'MEXT', 'MXXT') WHERE seq = 2");
    assert_eq!(changed, 1);
    let out = haibun(&t, &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("event 2") && err.contains("E_AUDIT_BROKEN"), "{err}");
    // Deleting the newest event is found too.
    t.tamper("UPDATE audit_events SET after_json = REPLACE(after_json, 'MXXT', 'MEXT') WHERE seq = 2");
    assert!(ok(&t, &["audit", "verify"]).contains("verifies"));
    // Note the head, as an operator would, before an attacker deletes the newest event and
    // winds the head back: the chain alone then looks whole, the noted head does not.
    let verified = ok(&t, &["audit", "verify"]);
    let head = verified
        .split("head ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .expect("head hash printed")
        .to_string();
    t.tamper("DELETE FROM audit_events WHERE seq = 3");
    let out = haibun(&t, &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("event 3"));
    t.tamper("UPDATE audit_head SET seq = 2, hash = (SELECT hash FROM audit_events WHERE seq = 2) WHERE id = 1");
    assert!(ok(&t, &["audit", "verify"]).contains("verifies"), "a consistent rewrite is invisible without an anchor");
    let out = haibun(&t, &["audit", "verify", "--anchor", &head]);
    assert_eq!(out.status.code(), Some(1), "but the noted head is gone");
    assert!(String::from_utf8_lossy(&out.stderr).contains("rewritten"));
}

fn reordered_inserted_and_cut_events_are_found(db: Db) {
    let t = initialised(db);
    for (i, m) in ["MEXT", "MHLW", "METI", "MIC"].iter().enumerate() {
        import_generated(&t, m, i as u64 + 1, 2);
    }
    let anchor = ok(&t, &["audit", "anchor"]).trim().to_string();
    assert!(anchor.starts_with("5:") && anchor.len() == 66, "{anchor}");
    // An anchor is SEQ:HASH or a hash: anything else is a usage error, not a verdict.
    let genesis = format!("0:{}", haibun_service::GENESIS_HASH);
    assert!(ok(&t, &["audit", "verify", "--anchor", &genesis]).contains("verifies"), "the empty chain's anchor holds");
    let bare = anchor.split_once(':').unwrap().1.to_string();
    for bad in ["5:", "x:00", &format!("x:{bare}"), "not-a-hash"] {
        assert_eq!(haibun(&t, &["audit", "verify", "--anchor", bad]).status.code(), Some(2), "{bad}");
    }
    assert!(ok(&t, &["audit", "verify", "--anchor", &anchor]).contains("verifies"));
    // The budget book's cover carries the anchor of the moment it was made.
    let book = t.path("book.html").display().to_string();
    ok(&t, &["report", "--fy", "2023", "-o", &book]);
    assert!(std::fs::read_to_string(&book).unwrap().contains(&anchor), "the cover prints {anchor}");
    let verify = |args: &[&str]| {
        let out = haibun(&t, &[&["audit", "verify"], args].concat());
        (out.status.code(), String::from_utf8_lossy(&out.stderr).to_string())
    };
    t.drop_audit_guard();
    // Two events swapped (each keeps its sequence number): found at the first, named.
    // (Through a copy: SQLite's UPDATE would read the rows it has already changed.)
    let swap = || {
        t.tamper("CREATE TABLE swap AS SELECT seq, after_json FROM audit_events WHERE seq IN (3, 4)");
        let n = t.tamper("UPDATE audit_events SET after_json = (SELECT s.after_json FROM swap s WHERE s.seq = 7 - audit_events.seq) WHERE seq IN (3, 4)");
        t.tamper("DROP TABLE swap");
        n
    };
    assert_eq!(swap(), 2);
    let (code, err) = verify(&[]);
    assert_eq!(code, Some(1));
    assert!(err.contains("event 3") && err.contains("altered"), "{err}");
    assert_eq!(swap(), 2, "swapped back");
    assert_eq!(verify(&[]).0, Some(0));
    // An event slipped in between 2 and 3 (the later ones renumbered): the link breaks there.
    t.tamper("UPDATE audit_events SET seq = seq + 100 WHERE seq >= 3");
    t.tamper("UPDATE audit_events SET seq = seq - 99 WHERE seq >= 103");
    t.tamper("INSERT INTO audit_events (seq, at, actor, role, action, entity, fiscal_year, before_json, after_json, prev_hash, hash) SELECT 3, at, 'intruder', role, action, entity, fiscal_year, before_json, after_json, hash, hash FROM audit_events WHERE seq = 2");
    t.tamper("UPDATE audit_head SET seq = 6 WHERE id = 1");
    let (code, err) = verify(&[]);
    assert_eq!(code, Some(1));
    assert!(err.contains("event 3"), "{err}");
    // The head wound back over events still there: caught without any anchor.
    t.tamper("UPDATE audit_head SET seq = 4, hash = (SELECT hash FROM audit_events WHERE seq = 4) WHERE id = 1");
    let (code, err) = verify(&[]);
    assert_eq!(code, Some(1));
    assert!(err.contains("after the recorded head 4"), "{err}");
    // The tail cut and the head wound back: whole on its own, caught against the anchor.
    t.tamper("DELETE FROM audit_events WHERE seq >= 3");
    t.tamper("UPDATE audit_head SET seq = 2, hash = (SELECT hash FROM audit_events WHERE seq = 2) WHERE id = 1");
    assert_eq!(verify(&[]).0, Some(0), "a consistent cut is invisible without an anchor");
    let (code, err) = verify(&["--anchor", &anchor]);
    assert_eq!(code, Some(1));
    assert!(err.contains("the anchored event 5 is gone") && err.contains("event 3"), "{err}");
}

fn an_altered_snapshot_is_found_by_verify(db: Db) {
    let t = initialised(db);
    import_generated(&t, "MEXT", 1, 3);
    for args in [
        vec!["package", "submit", "--fy", "2023", "--ministry", "MEXT"],
        vec!["hearing", "record", "--fy", "2023", "--ministry", "MEXT", "--date", "2022-09-01"],
        vec!["package", "consent", "--fy", "2023", "--ministry", "MEXT"],
        vec!["compile", "--fy", "2023", "--snapshot"],
    ] {
        ok(&t, &args);
    }
    assert!(ok(&t, &["audit", "verify"]).contains("verifies"));
    assert_eq!(t.tamper("UPDATE snapshot_lines SET request = request + 1 WHERE line_id = 'MEXT-0001'"), 1);
    let out = haibun(&t, &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("compilation #1"));
}

/// The application role of `scripts/postgres-app-role.sql` runs haibun but cannot change or delete
/// the audit trail, even once the owner's trigger is gone.
#[test]
fn the_postgres_application_role_cannot_change_the_audit_trail() {
    let t = initialised(Db::Postgres);
    import_generated(&t, "MEXT", 1, 2);
    let db_name = t.url.rsplit('/').next().unwrap().to_string();
    let role = format!("{db_name}_app");
    let script =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/postgres-app-role.sql")).unwrap();
    let sql: String = script.lines().filter(|l| !l.trim_start().starts_with("--")).collect::<Vec<_>>().join("\n");
    for stmt in sql.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        t.tamper(&stmt.replace("haibun_app", &role));
    }
    let as_app = t.url.replacen("postgres@", &format!("{role}@"), 1);
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_haibun"))
            .arg("--db")
            .arg(&as_app)
            .args(args)
            .env_remove("HAIBUN_DATABASE_URL")
            .output()
            .unwrap()
    };
    // The role does haibun's work: it imports (writing lines and the audit trail) and verifies.
    let policy = haibun_testkit::fy2023();
    let lines = haibun_testkit::lines_for(&policy, "MHLW", 2, 2);
    let path =
        file(&t, "mhlw.xlsx", &haibun_testkit::workbook(&policy, "MHLW", haibun_domain::Unit::ThousandYen, &lines));
    let out = run(&["import", &path, "--fy", "2023", "--ministry", "MHLW"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(run(&["audit", "verify"]).status.success());
    // It may not change, delete or empty the trail, even with the owner's trigger dropped.
    t.drop_audit_guard();
    for sql in [
        "UPDATE audit_events SET actor = 'x' WHERE seq = 1",
        "DELETE FROM audit_events WHERE seq = 3",
        "TRUNCATE audit_events",
    ] {
        let refused = haibun_testkit::run_sql(&as_app, sql).unwrap_err();
        assert!(refused.contains("permission denied"), "{sql}: {refused}");
    }
    assert!(ok(&t, &["audit", "verify"]).contains("verifies"));
}

on_both_databases!(
    an_altered_snapshot_is_found_by_verify,
    the_whole_cycle_for_three_ministries,
    a_stale_update_is_refused_and_concurrent_updates_have_one_winner,
    a_tampered_audit_event_is_found_by_verify,
    reordered_inserted_and_cut_events_are_found,
);
