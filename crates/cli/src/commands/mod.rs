//! One function per command: parse what is left to parse, call one service function, print.

mod cycle;
mod demo;
mod evidence;
mod fund;
mod lines;
pub(crate) mod opendata;
mod pdca;
mod policy;
mod report;
mod review;
mod settlement;

use haibun_domain::Yen;
use haibun_domain::money::{Unit, parse_amount};
use haibun_service::{InstructionInput, Service};

use crate::cli::{Cli, Command};
use crate::output::{CliError, invalid};

/// The database used when `--db` is not given.
pub const DEFAULT_DB: &str = "haibun.db";

/// Parses a yen amount given on the command line (`1200000`, `1,200,000`).
pub fn yen_arg(field: &str, text: &str) -> Result<Yen, CliError> {
    parse_amount(text, Unit::Yen).map_err(|e| {
        let (ja, en) = e.message();
        invalid(field, &format!("{text}: {ja} / {en}"))
    })
}

/// Parses a signed yen amount: a leading `-`, `−`, `△` or `▲` (as budget documents write a
/// decrease) makes it negative.
pub fn signed_yen_arg(field: &str, text: &str) -> Result<Yen, CliError> {
    haibun_domain::money::parse_signed_amount(text, Unit::Yen).map_err(|e| {
        let (ja, en) = e.message();
        invalid(field, &format!("{text}: {ja} / {en}"))
    })
}

/// What a checked copy (backup or restore) says.
fn copied(what: &str, r: &haibun_service::CopyReport) {
    println!(
        "{what}: {} — 整合性・監査証跡 {} 件・取りまとめを検証済み / integrity ok, {} audit events and the snapshots verified; 先頭/anchor {}",
        r.file, r.events, r.events, r.anchor
    );
}

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> Result<(), CliError> {
    if let Command::Fund { command: command @ crate::cli::FundCommand::Solve { .. } } = cli.command {
        return fund::solve_instance(command, &cli.limits.limits());
    }
    if let Command::Config { command: crate::cli::ConfigCommand::Show } = cli.command {
        println!("設定 / settings（優先順: フラグ > 環境変数 > 設定ファイル > 既定値 / flag > env > file > default）");
        for s in &cli.settings {
            println!("  {:<17} = {:<40} ({})", s.key, s.value, s.source);
        }
        return Ok(());
    }
    if let Command::Demo { addr, no_serve } = cli.command {
        let svc_of = |svc: Service| svc.with_limits(cli.limits.limits()).with_licence(cli.opendata.licence());
        return demo::run(cli.db.as_deref(), addr, no_serve, svc_of).await;
    }
    let db = cli.db.clone().unwrap_or_else(|| DEFAULT_DB.to_string());
    if let Command::Restore { file } = &cli.command {
        let r = Service::restore(&file.display().to_string(), &db).await?;
        copied("復元しました / restored", &r);
        return Ok(());
    }
    if let Command::Init { fy } = cli.command {
        let svc = Service::open(&db, true).await?;
        let actor = svc.actor(None).await?;
        let report = svc.init(&actor, fy).await?;
        let msg = if report.policy_stored {
            "方針を登録しました / policy stored"
        } else {
            "方針は登録済みです / policy already stored"
        };
        println!("{fy} ({db}): {msg}");
        svc.close().await;
        return Ok(());
    }
    let svc = Service::open(&db, false).await?.with_limits(cli.limits.limits()).with_licence(cli.opendata.licence());
    let actor = svc.actor(cli.as_user.as_deref()).await?;
    let result = match cli.command {
        Command::Policy { command } => policy::run(&svc, &actor, command).await,
        Command::Compile { fy, format, snapshot, snapshot_id } => {
            settlement::compile(&svc, &actor, fy, format, snapshot, snapshot_id).await
        }
        c @ (Command::Template { .. } | Command::Import { .. } | Command::Export { .. }) => {
            lines::run(&svc, &actor, c).await
        }
        Command::Report { fy, stage, snapshot_id, unit, format, output } => {
            report::report(&svc, &actor, fy, stage, snapshot_id, unit, format, &output).await
        }
        Command::Prior { command } => report::prior(&svc, &actor, command).await,
        Command::Fund { command } => fund::run(&svc, &actor, command).await,
        Command::Check { fy, ministry, format } => review::check(&svc, &actor, fy, ministry.as_deref(), format).await,
        Command::Overlap { command } => review::overlap(&svc, &actor, command).await,
        Command::Measure { command } => pdca::measure(&svc, &actor, command).await,
        Command::Followup { command } => pdca::followup(&svc, &actor, command).await,
        Command::Fy { command } => pdca::fy(&svc, &actor, command).await,
        Command::Rs { command } => pdca::rs(&svc, &actor, command).await,
        Command::Evidence { command } => evidence::run(&svc, &actor, command).await,
        Command::Backup { output } => {
            let r = svc.backup(&actor, &output.display().to_string()).await?;
            copied("バックアップを取りました / backed up", &r);
            Ok(())
        }
        Command::Db { command: crate::cli::DbCommand::Copy { to, format } } => {
            copy_database(&svc, &actor, &db, &to, format).await
        }
        Command::Classify { command } => review::classify(&svc, &actor, command).await,
        Command::User { command } => cycle::user(&svc, &actor, command).await,
        Command::Package { command } => cycle::package(&svc, &actor, command).await,
        Command::Hearing { command } => cycle::hearing(&svc, &actor, command).await,
        Command::Instruct { fy, ministry, line, text, target_amount, due } => {
            let input =
                InstructionInput { line_id: line, text, target_amount: cycle::target(target_amount.as_deref())?, due };
            cycle::instruct(&svc, &actor, fy, &ministry, input).await
        }
        Command::Answer { instruction_id, text } => {
            let id = svc.answer(&actor, instruction_id, &text).await?;
            println!("回答しました / answered: instruction #{instruction_id} (answer #{id})");
            Ok(())
        }
        Command::Instructions { fy, ministry, format } => {
            cycle::instructions(&svc, &actor, fy, ministry.as_deref(), format).await
        }
        Command::Submit { fy, snapshot_id } => settlement::submit(&svc, &actor, fy, snapshot_id).await,
        Command::Negotiate { fy, ministry, line, amount } => {
            settlement::negotiate(&svc, &actor, fy, ministry.as_deref(), &line, &amount).await
        }
        Command::Settle { fy, accept_requested } => settlement::settle(&svc, &actor, fy, accept_requested).await,
        Command::Audit { command } => settlement::audit(&svc, &actor, command).await,
        Command::Line { command } => settlement::line(&svc, &actor, command).await,
        Command::Status { fy, today, format } => cycle::status(&svc, &actor, fy, today, format).await,
        Command::Calendar { command } => cycle::calendar(&svc, &actor, command).await,
        Command::Serve { addr } => {
            println!("haibun を提供します / serving haibun: http://{addr}/");
            haibun_web::serve(svc.clone(), addr, cli.trusted_proxies.clone())
                .await
                .map_err(|source| CliError::Io { path: addr.to_string(), source })
        }
        Command::Token { command: crate::cli::TokenCommand::Create { label } } => {
            let token = svc.create_api_token(&actor, &label).await?;
            println!("{token}");
            eprintln!("この API トークンは二度と表示されません / this API token is not shown again");
            Ok(())
        }
        Command::Init { .. } | Command::Demo { .. } | Command::Restore { .. } | Command::Config { .. } => {
            unreachable!("handled above")
        }
    };
    svc.close().await;
    result
}

/// `haibun db copy --to …`: everything into an empty database, with progress on stderr.
async fn copy_database(
    svc: &Service,
    actor: &haibun_service::Actor,
    from: &str,
    to: &str,
    format: crate::cli::Format,
) -> Result<(), CliError> {
    eprintln!("コピーしています / copying {} → {}", haibun_service::masked_url(from), haibun_service::masked_url(to));
    let mut progress = crate::progress::Progress::counter("行/rows", true);
    let result = svc.copy_database(actor, to, |p| progress.update(&p.table, p.copied, p.total)).await;
    progress.finish();
    let r = result?;
    if format == crate::cli::Format::Json {
        println!("{}", serde_json::to_string_pretty(&r).expect("serialises"));
        return Ok(());
    }
    println!("コピーしました / copied: {} 表/tables, {} 行/rows → {}", r.tables.len(), r.rows, r.target);
    println!(
        "検証済み / verified: 監査証跡 {} 件（先頭 {}）、取りまとめ {} 件の内容ハッシュ / {} audit events (head {}), {} snapshots' content hashes",
        r.events, r.anchor, r.snapshots, r.events, r.anchor, r.snapshots
    );
    Ok(())
}
