//! Snapshots, submission, negotiation, settlement, the audit trail and line history.

use haibun_domain::FiscalYear;
use haibun_domain::line::Field;
use haibun_service::{Actor, LinePatch, Service};

use crate::cli::{AuditCommand, Format, LineCommand};
use crate::commands::yen_arg;
use crate::output::CliError;
use crate::render;

/// `haibun compile` with `--snapshot` or `--snapshot-id`.
pub async fn compile(
    svc: &Service,
    actor: &Actor,
    fy: FiscalYear,
    format: Format,
    snapshot: bool,
    snapshot_id: Option<i64>,
) -> Result<(), CliError> {
    let c = if snapshot {
        let id = svc.compile_snapshot(actor, fy).await?;
        eprintln!("取りまとめを確定しました / compilation frozen as snapshot #{id}");
        svc.snapshot_compilation(fy, Some(id)).await?.1
    } else if snapshot_id.is_some() {
        svc.snapshot_compilation(fy, snapshot_id).await?.1
    } else {
        svc.compile(actor, fy).await?.as_ref().clone()
    };
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&c).expect("compilation serialises")),
        Format::Csv => print!("{}", haibun_sheets::compilation_csv(&c)),
        Format::Text => print!("{}", render::compilation_text(&c, &*svc.policy(fy).await?)),
    }
    Ok(())
}

/// `haibun submit`, `negotiate`, `settle`.
pub async fn submit(svc: &Service, actor: &Actor, fy: FiscalYear, snapshot_id: Option<i64>) -> Result<(), CliError> {
    let id = svc.submit_snapshot(actor, fy, snapshot_id).await?;
    println!(
        "取りまとめ #{id} を財政当局へ提出済としました / compilation #{id} marked submitted to the fiscal authority"
    );
    Ok(())
}

/// `haibun negotiate`
pub async fn negotiate(
    svc: &Service,
    actor: &Actor,
    fy: FiscalYear,
    ministry: Option<&str>,
    line: &str,
    amount: &str,
) -> Result<(), CliError> {
    let amount = yen_arg("--amount", amount)?;
    svc.negotiate(actor, fy, ministry, line, amount).await?;
    println!("査定額を記録しました / negotiated amount recorded: {line} {amount}");
    Ok(())
}

/// `haibun settle`
pub async fn settle(svc: &Service, actor: &Actor, fy: FiscalYear, accept_requested: bool) -> Result<(), CliError> {
    let id = svc.settle(actor, fy, accept_requested).await?;
    println!("{fy} の予算を確定しました（取りまとめ #{id}）/ the year is settled (compilation #{id})");
    Ok(())
}

/// `haibun audit …`: `verify` exits 1 naming the first broken event.
pub async fn audit(svc: &Service, actor: &Actor, command: AuditCommand) -> Result<(), CliError> {
    match command {
        AuditCommand::Log { fy, format } => {
            let events = svc.audit_events(actor, fy).await?;
            if format == Format::Json {
                println!("{}", serde_json::to_string_pretty(&events).expect("events serialise"));
            } else {
                for e in events {
                    println!(
                        "{:>6} {} {:<12} {:<15} {:<22} {}",
                        e.seq, e.event.at, e.event.actor, e.event.role, e.event.action, e.event.entity
                    );
                }
            }
        }
        AuditCommand::Anchor => println!("{}", svc.audit_anchor(actor).await?),
        AuditCommand::Verify { anchor } => {
            let report = svc.verify_audit(actor, anchor.as_deref()).await?;
            if let Some(b) = report.chain.broken {
                return Err(CliError::AuditBroken { seq: b.seq, reason: b.reason });
            }
            if let Some(id) = report.altered_snapshots.first() {
                return Err(CliError::AuditBroken {
                    seq: 0,
                    reason: format!(
                        "取りまとめ #{id} の凍結内容がハッシュと一致しません / compilation #{id} no longer matches its content hash"
                    ),
                });
            }
            println!(
                "監査証跡は完全です / the audit chain verifies: {} 件/events, 先頭/head {}",
                report.chain.events, report.chain.head_hash
            );
            println!(
                "（この先頭ハッシュを別に控え、次回 --anchor で指定すると書き換えを検出できます / keep this head hash (or `haibun audit anchor`'s SEQ:HASH) elsewhere and pass it as --anchor later to detect a rewritten or cut trail）"
            );
        }
    }
    Ok(())
}

/// `haibun line …`
pub async fn line(svc: &Service, actor: &Actor, command: LineCommand) -> Result<(), CliError> {
    match command {
        LineCommand::History { id, fy, ministry, format } => {
            let history = svc.line_history(actor, fy, &ministry, &id).await?;
            if format == Format::Json {
                let v: Vec<_> = history.iter().map(|h| serde_json::json!({"version": h.version, "updated_at": h.updated_at, "updated_by": h.updated_by, "line": h.line})).collect();
                println!("{}", serde_json::to_string_pretty(&v).expect("serialises"));
                return Ok(());
            }
            print!("{}", render::history_text(&history, &*svc.policy(fy).await?));
        }
        LineCommand::Update {
            id,
            fy,
            ministry,
            version,
            name,
            channel,
            project,
            prior_year,
            request,
            priority_frame,
            disease_areas,
            purposes,
            summary,
            kpi,
        } => {
            let fields = [
                (Field::Name, name),
                (Field::Channel, channel),
                (Field::Project, project),
                (Field::PriorYear, prior_year),
                (Field::Request, request),
                (Field::PriorityFrame, priority_frame),
                (Field::DiseaseAreas, disease_areas),
                (Field::Purposes, purposes),
                (Field::Summary, summary),
                (Field::Kpi, kpi),
            ];
            let patch = LinePatch { fields: fields.into_iter().filter_map(|(f, v)| v.map(|v| (f, v))).collect() };
            let v = svc.update_line(actor, fy, &ministry, &id, version, &patch).await?;
            println!("修正しました / updated: {ministry} {id} → 版/version {v}");
        }
    }
    Ok(())
}
