//! Every action tried as every role (and as another ministry's user): a forbidden pair returns the
//! forbidden error (exit 4 from the CLI), writes nothing and appends no audit event.

mod common;

use common::*;
use haibun_domain::line::Field;
use haibun_domain::workflow::{Action, Role};
use haibun_domain::{Unit, Yen};
use haibun_service::{
    CalendarRow, HearingInput, ImportRequest, InstructionInput, KpiInput, LinePatch, MeasureInput, ProposalInput,
    Service, ServiceError,
};
use haibun_testkit::{fy2023, lines_for, workbook};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Import,
    UpdateLine,
    Submit,
    ScheduleHearing,
    RecordHearing,
    Instruct,
    Answer,
    Report,
    Consent,
    Exclude,
    CompileSnapshot,
    SubmitSnapshot,
    Negotiate,
    Settle,
    SetCalendar,
    AddUser,
    ReadLines,
    ReadHistory,
    ReadAudit,
    ImportPrior,
    ReadBook,
    SetFundPool,
    OpenFundRound,
    ProposeFund,
    ScoreFund,
    DecideFund,
    EmergencyFund,
    ReviewFund,
    AttachFund,
    ReadFundAttachment,
    RecordFundOutcome,
    CheckFund,
    ConfirmOverlap,
    DecideSuggestion,
    DefineMeasure,
    LinkLineToMeasure,
    OpenFollowup,
    ReportActual,
    EvaluateMeasure,
    RecordLineAction,
    OpenYear,
    RespondToFollowup,
    DraftPolicy,
    ImportRs,
    ImportEvidence,
    ViewEvidence,
    CiteEvidence,
    Backup,
    PublishOpenData,
}

const OPS: [Op; 49] = [
    Op::Import,
    Op::UpdateLine,
    Op::Submit,
    Op::ScheduleHearing,
    Op::RecordHearing,
    Op::Instruct,
    Op::Answer,
    Op::Report,
    Op::Consent,
    Op::Exclude,
    Op::CompileSnapshot,
    Op::SubmitSnapshot,
    Op::Negotiate,
    Op::Settle,
    Op::SetCalendar,
    Op::AddUser,
    Op::ReadLines,
    Op::ReadHistory,
    Op::ReadAudit,
    Op::ImportPrior,
    Op::ReadBook,
    Op::SetFundPool,
    Op::OpenFundRound,
    Op::ProposeFund,
    Op::ScoreFund,
    Op::DecideFund,
    Op::EmergencyFund,
    Op::ReviewFund,
    Op::AttachFund,
    Op::ReadFundAttachment,
    Op::RecordFundOutcome,
    Op::CheckFund,
    Op::ConfirmOverlap,
    Op::DecideSuggestion,
    Op::DefineMeasure,
    Op::LinkLineToMeasure,
    Op::OpenFollowup,
    Op::ReportActual,
    Op::EvaluateMeasure,
    Op::RecordLineAction,
    Op::OpenYear,
    Op::RespondToFollowup,
    Op::DraftPolicy,
    Op::ImportRs,
    Op::ImportEvidence,
    Op::ViewEvidence,
    Op::CiteEvidence,
    Op::Backup,
    Op::PublishOpenData,
];

/// The users tried: MEXT's own staff, another ministry's staff, and every other role.
const ACTORS: [&str; 8] = ["mext", "mhlw", "co", "hq", "mof", "amed", "viewer", "system"];

/// The specification, written out independently of the code: who may do what to MEXT's package.
fn allowed(op: Op, who: &str) -> bool {
    let any = |names: &[&str]| names.contains(&who);
    match op {
        Op::Import | Op::UpdateLine | Op::Submit | Op::Answer | Op::Report | Op::DecideSuggestion => {
            any(&["mext", "system"])
        }
        Op::ScheduleHearing | Op::RecordHearing | Op::Instruct | Op::Consent => any(&["co", "system"]),
        Op::Exclude => any(&["co", "hq", "system"]),
        Op::CompileSnapshot | Op::SubmitSnapshot | Op::Settle => any(&["hq", "system"]),
        Op::Negotiate => any(&["mof", "co", "system"]),
        Op::SetCalendar => any(&["co", "hq", "system"]),
        Op::AddUser | Op::Backup => any(&["system"]),
        Op::ReadLines | Op::ReadHistory => who != "mhlw",
        Op::ReadAudit => !any(&["mext", "mhlw"]),
        Op::ImportPrior | Op::ImportRs => any(&["co", "hq", "system"]),
        // Everyone may read the book of the requests; a ministry's covers only its own lines.
        Op::ReadBook => true,
        Op::SetFundPool | Op::DecideFund | Op::EmergencyFund => any(&["hq", "system"]),
        Op::OpenFundRound | Op::ScoreFund => any(&["co", "hq", "system"]),
        Op::ProposeFund => any(&["amed", "system"]),
        Op::ReviewFund | Op::CheckFund | Op::ConfirmOverlap => any(&["co", "system"]),
        Op::AttachFund | Op::RecordFundOutcome => any(&["amed", "system"]),
        // The fund is HQ's and the Cabinet Office's business, not a ministry's.
        Op::ReadFundAttachment => !any(&["mext", "mhlw"]),
        Op::DefineMeasure => any(&["co", "hq", "system"]),
        // A ministry links its own lines and reports its own KPIs.
        Op::LinkLineToMeasure | Op::ReportActual | Op::RespondToFollowup => any(&["mext", "system"]),
        Op::OpenFollowup | Op::EvaluateMeasure => any(&["co", "system"]),
        Op::RecordLineAction | Op::OpenYear | Op::DraftPolicy => any(&["hq", "system"]),
        // Evidence is HQ's to gather and the Cabinet Office's and HQ's to read; citing it in a
        // draft policy is HQ's.
        Op::ImportEvidence | Op::CiteEvidence => any(&["hq", "system"]),
        Op::ViewEvidence => any(&["co", "hq", "system"]),
        // Publishing the settled budget as open data is HQ's.
        Op::PublishOpenData => any(&["hq", "system"]),
    }
}

async fn run(op: Op, svc: &Service, actor: &Actor, instruction: i64, bytes: &[u8]) -> Result<(), ServiceError> {
    let line = "MEXT-0001";
    match op {
        Op::Import => svc
            .import(
                actor,
                ImportRequest { fiscal_year: fy(), ministry: "MEXT", file_name: "x.xlsx", bytes, unit: None },
            )
            .await
            .map(drop),
        Op::UpdateLine => svc
            .update_line(actor, fy(), "MEXT", line, 1, &LinePatch { fields: vec![(Field::Name, "改名".into())] })
            .await
            .map(drop),
        Op::Submit => svc.package_action(actor, fy(), "MEXT", Action::Submit, None).await.map(drop),
        Op::ScheduleHearing => svc.schedule_hearing(actor, fy(), "MEXT", "2022-09-01", "内閣府").await.map(drop),
        Op::RecordHearing => svc
            .record_hearing(actor, fy(), "MEXT", HearingInput { date: "2022-09-01".into(), ..Default::default() })
            .await
            .map(drop),
        Op::Instruct => svc
            .instruct(actor, fy(), "MEXT", InstructionInput { text: "再検討".into(), ..Default::default() })
            .await
            .map(drop),
        Op::Answer => svc.answer(actor, instruction, "対応しました").await.map(drop),
        Op::Report => svc.package_action(actor, fy(), "MEXT", Action::Report, None).await.map(drop),
        Op::Consent => svc.package_action(actor, fy(), "MEXT", Action::Consent, None).await.map(drop),
        Op::Exclude => svc.package_action(actor, fy(), "MEXT", Action::Exclude, Some("理由")).await.map(drop),
        Op::CompileSnapshot => svc.compile_snapshot(actor, fy()).await.map(drop),
        Op::SubmitSnapshot => svc.submit_snapshot(actor, fy(), None).await.map(drop),
        Op::Negotiate => svc.negotiate(actor, fy(), Some("MEXT"), line, Yen(1)).await,
        Op::Settle => svc.settle(actor, fy(), false).await.map(drop),
        Op::SetCalendar => {
            let d = |s: &str| s.to_string();
            let c = CalendarRow {
                fiscal_year: 2023,
                submission_deadline: d("2022-08-31"),
                hearing_start: d("2022-09-01"),
                hearing_end: d("2022-09-15"),
                consent_deadline: d("2022-10-31"),
                compilation_date: d("2022-11-15"),
            };
            svc.set_calendar(actor, c).await
        }
        Op::AddUser => svc.add_user(actor, "newcomer", Role::Viewer, None).await,
        Op::ReadLines => svc.lines(actor, fy(), Some("MEXT")).await.map(drop),
        Op::ReadHistory => svc.line_history(actor, fy(), "MEXT", line).await.map(drop),
        Op::ReadAudit => svc.audit_events(actor, None).await.map(drop),
        Op::ImportPrior => svc
            .import_prior(
                actor,
                ImportRequest { fiscal_year: fy(), ministry: "MEXT", file_name: "prior.xlsx", bytes, unit: None },
            )
            .await
            .map(drop),
        Op::ReadBook => svc
            .book(actor, fy(), haibun_domain::Stage::Requested, None, haibun_domain::book::ReportUnit::Yen)
            .await
            .map(drop),
        // The fund's actions on a year without a pool or rounds: the role is checked first, so a
        // forbidden actor is refused whatever the state; an allowed one meets the state instead.
        Op::SetFundPool => svc.set_fund_pool(actor, fy(), Yen(0)).await,
        Op::OpenFundRound => svc.open_fund_round(actor, fy(), "nonsense", "").await.map(drop),
        Op::ProposeFund => svc.propose_fund(actor, 999, &ProposalInput::default()).await.map(drop),
        Op::ScoreFund => svc.score_fund(actor, 999, &[]).await,
        Op::DecideFund => svc.decide_fund(actor, 999, &[], None).await.map(drop),
        Op::EmergencyFund => svc.emergency_fund(actor, fy(), "", "MEXT", line, 0).await.map(drop),
        Op::ReviewFund => svc.review_fund(actor, 999, "").await,
        Op::AttachFund => svc.attach_fund(actor, 999, "a.pdf", b"%PDF").await.map(drop),
        Op::ReadFundAttachment => svc.fund_attachment(actor, 999).await.map(drop),
        Op::RecordFundOutcome => svc.record_fund_outcome(actor, 999, "met", "x").await,
        Op::CheckFund => svc.check_fund_round(actor, 999, "x").await,
        Op::DecideSuggestion => svc.decide_suggestion(actor, fy(), "MEXT", line, "project", "PHARMA", false, "x").await,
        Op::DefineMeasure => {
            let m = MeasureInput { code: "M-NEW".into(), name: "新施策".into(), project: "PHARMA".into() };
            svc.add_measure(actor, fy(), &m).await
        }
        Op::LinkLineToMeasure => svc.link_line(actor, fy(), "MEXT", line, "M-1", None).await,
        Op::OpenFollowup => svc.open_followup(actor, fy(), "x", "2024-06-30", "2024-07-31").await.map(drop),
        Op::ReportActual => svc.report_actual(actor, 1, "K-1", 2023, "5", "調査", "").await,
        Op::EvaluateMeasure => svc.evaluate_measure(actor, 1, "M-1", "on-track", "x").await,
        Op::RecordLineAction => svc.record_line_action(actor, 1, "MEXT", line, "continue", Yen(0), "x").await,
        Op::OpenYear => {
            let next = haibun_domain::FiscalYear::try_from(2024).unwrap();
            svc.open_year(actor, next, fy()).await.map(drop)
        }
        Op::RespondToFollowup => svc.respond_to_followup(actor, fy(), "MEXT", line, "対応する").await,
        Op::DraftPolicy => svc.decide_policy(actor, fy()).await,
        Op::ImportRs => svc.import_rs_budget(actor, "2-1.csv", b"").await.map(drop),
        Op::ImportEvidence => {
            let source =
                haibun_service::EvidenceSource { source: "x".into(), as_of: "2023-03-31".into(), licence: "x".into() };
            let rates = b"currency,year,yen_per_unit\nUSD,2022,130\n";
            let table = haibun_domain::evidence::report::Table::Rates;
            svc.import_evidence(actor, fy(), table, &source, "r.csv", rates).await.map(drop)
        }
        Op::ViewEvidence => svc.evidence_report(actor, fy()).await.map(drop),
        // Before the year is settled: an allowed publication is refused as not yet, never as forbidden.
        Op::PublishOpenData => svc.open_data(actor, fy(), |_| Ok::<(), ServiceError>(())).await.map(drop),
        // Into a folder that does not exist: an allowed backup fails there, never as forbidden.
        Op::Backup => svc.backup(actor, "/nonexistent-haibun-folder/copy.db").await.map(drop),
        Op::CiteEvidence => svc.uncite_evidence(actor, fy(), "PHARMA-01", "CANCER").await.map(drop),
        Op::ConfirmOverlap => {
            svc.decide_overlap(actor, fy(), ("MEXT", line), ("MHLW", "MHLW-0001"), "distinct", "x").await
        }
    }
}

/// What a forbidden call must leave untouched, read as the administrator.
async fn observable(svc: &Service) -> String {
    let admin = Actor::system();
    let lines = svc.stored_lines(&admin, fy(), None).await.unwrap();
    let packages = svc.packages(&admin, fy()).await.unwrap();
    let events = svc.audit_events(&admin, None).await.unwrap().len();
    let threads = svc.instruction_threads(&admin, fy(), None).await.unwrap();
    let users = svc.users(&admin).await.unwrap().len();
    let snapshots = svc.snapshots(fy()).await.unwrap();
    let prior = svc.prior_sources(fy()).await.unwrap();
    let fund = svc.fund_state(&admin, fy(), "2022-09-01").await.unwrap();
    let fund = format!("{:?}|{:?}|{:?}", fund.pool, fund.rounds, fund.allocations);
    let status = svc.status(&admin, fy(), "2022-09-01").await.unwrap();
    let pdca = format!("{:?}|{:?}", svc.measures(&admin, fy()).await.unwrap(), svc.followup(&admin, 1).await.unwrap());
    let evidence = format!(
        "{:?}|{:?}",
        svc.evidence_report(&admin, fy()).await.unwrap().sets,
        svc.policy_citations(&admin, fy()).await.unwrap()
    );
    format!(
        "{lines:?}|{packages:?}|{events}|{threads:?}|{users}|{snapshots:?}|{prior:?}|{fund}|{:?}|{pdca}|{evidence}",
        status.calendar
    )
}

fn every_action_as_every_role(db: Db) {
    let t = initialised(db);
    let policy = fy2023();
    let bytes = workbook(&policy, "MEXT", Unit::ThousandYen, &lines_for(&policy, "MEXT", 9, 4));
    let forbidden_cli = t.with_service(async |svc| {
        let admin = Actor::system();
        let users = [
            ("mext", Role::Ministry, Some("MEXT")),
            ("mhlw", Role::Ministry, Some("MHLW")),
            ("co", Role::CabinetOffice, None),
            ("hq", Role::Hq, None),
            ("mof", Role::Fiscal, None),
            ("amed", Role::AmedPd, None),
            ("viewer", Role::Viewer, None),
        ];
        for (name, role, ministry) in users {
            svc.add_user(&admin, name, role, ministry).await.unwrap();
        }
        // MEXT's package under revision, with an open instruction: most actions are possible now.
        svc.import(
            &admin,
            ImportRequest { fiscal_year: fy(), ministry: "MEXT", file_name: "x.xlsx", bytes: &bytes, unit: None },
        )
        .await
        .unwrap();
        svc.package_action(&admin, fy(), "MEXT", Action::Submit, None).await.unwrap();
        svc.record_hearing(&admin, fy(), "MEXT", HearingInput { date: "2022-09-01".into(), ..Default::default() })
            .await
            .unwrap();
        let instruction = svc
            .instruct(&admin, fy(), "MEXT", InstructionInput { text: "見直し".into(), ..Default::default() })
            .await
            .unwrap();
        // A measure with a MEXT KPI and an open follow-up round (#1), for the PDCA actions.
        let m = MeasureInput { code: "M-1".into(), name: "施策".into(), project: "PHARMA".into() };
        svc.add_measure(&admin, fy(), &m).await.unwrap();
        let k = KpiInput {
            code: "K-1".into(),
            measure: "M-1".into(),
            ministry: "MEXT".into(),
            kind: "output".into(),
            indicator: "件数".into(),
            unit: "件".into(),
            direction: "higher".into(),
            source: "調査".into(),
            baseline: None,
            targets: vec![(2023, "10".into())],
        };
        svc.add_kpi(&admin, fy(), &k).await.unwrap();
        assert_eq!(svc.open_followup(&admin, fy(), "FU", "2024-06-30", "2024-07-31").await.unwrap(), 1);

        let mut forbidden_pairs = 0;
        for op in OPS {
            for who in ACTORS {
                if allowed(op, who) {
                    continue;
                }
                let actor = if who == "system" { Actor::system() } else { svc.actor(Some(who)).await.unwrap() };
                let before = observable(svc).await;
                let result = run(op, svc, &actor, instruction, &bytes).await;
                assert!(
                    matches!(result, Err(ServiceError::Forbidden(_))),
                    "{op:?} as {who} must be forbidden, got {result:?}"
                );
                assert_eq!(observable(svc).await, before, "{op:?} as {who} wrote something");
                forbidden_pairs += 1;
            }
        }
        assert!(forbidden_pairs > 80, "the table covers the forbidden pairs ({forbidden_pairs})");
        // Allowed pairs are never refused as forbidden (they may still meet a state conflict).
        for op in OPS {
            for who in ACTORS.into_iter().filter(|w| allowed(op, w)) {
                let actor = if who == "system" { Actor::system() } else { svc.actor(Some(who)).await.unwrap() };
                let result = run(op, svc, &actor, instruction, &bytes).await;
                assert!(
                    !matches!(result, Err(ServiceError::Forbidden(_))),
                    "{op:?} as {who} must be allowed, got {result:?}"
                );
            }
        }
        instruction
    });
    // The same refusals through the real binary: exit 4, nothing written.
    let before = state(&t);
    for args in [
        vec!["--as", "mhlw", "package", "submit", "--fy", "2023", "--ministry", "MEXT"],
        vec!["--as", "viewer", "instruct", "--fy", "2023", "--ministry", "MEXT", "--text", "x"],
        vec!["--as", "mext", "package", "consent", "--fy", "2023", "--ministry", "MEXT"],
        vec!["--as", "amed", "settle", "--fy", "2023"],
        vec!["--as", "mof", "user", "add", "intruder", "--role", "admin"],
        vec!["--as", "mhlw", "line", "history", "MEXT-0001", "--fy", "2023", "--ministry", "MEXT"],
        vec!["--as", "mext", "audit", "log"],
    ] {
        let out = haibun(&t, &args);
        assert_eq!(out.status.code(), Some(4), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stderr).contains("E_FORBIDDEN"));
    }
    let answer = forbidden_cli.to_string();
    let out = haibun(&t, &["--as", "mhlw", "answer", &answer, "--text", "x"]);
    assert_eq!(out.status.code(), Some(4));
    assert_eq!(state(&t), before);
    let out = haibun(&t, &["--as", "nobody", "compile", "--fy", "2023"]);
    assert_eq!(out.status.code(), Some(5), "an unknown user is not found");
}

fn a_ministry_user_reads_only_its_own_ministry(db: Db) {
    let t = initialised(db);
    import_generated(&t, "MEXT", 1, 3);
    import_generated(&t, "MHLW", 2, 4);
    ok(&t, &["user", "add", "mext", "--role", "ministry", "--ministry", "文部科学省"]);
    let c: serde_json::Value =
        serde_json::from_str(&ok(&t, &["--as", "mext", "compile", "--fy", "2023", "--format", "json"])).unwrap();
    assert_eq!(c["lines"], 3, "only MEXT's lines");
    let out = haibun(&t, &["--as", "mext", "export", "--fy", "2023", "--ministry", "MHLW", "-o", "x.csv"]);
    assert_eq!(out.status.code(), Some(4));
    let path = t.path("own.csv").display().to_string();
    ok(&t, &["--as", "mext", "export", "--fy", "2023", "-o", &path]);
    assert!(
        std::fs::read_to_string(&path).unwrap().contains("MEXT-0001")
            && !std::fs::read_to_string(&path).unwrap().contains("MHLW-")
    );
}

on_both_databases!(every_action_as_every_role, a_ministry_user_reads_only_its_own_ministry);
