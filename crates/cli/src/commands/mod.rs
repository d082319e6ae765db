//! One function per command: parse what is left to parse, call one service function, print.

mod demo;
mod lines;
mod policy;

use haibun_service::{Actor, Service};

use crate::cli::{Cli, Command};
use crate::output::CliError;

/// The database used when `--db` is not given.
pub const DEFAULT_DB: &str = "haibun.db";

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> Result<(), CliError> {
    let actor = Actor::system();
    let db = cli.db.clone();
    let open = |create: bool| {
        let db = db.clone().unwrap_or_else(|| DEFAULT_DB.to_string());
        async move { Service::open(&db, create).await }
    };
    match cli.command {
        Command::Init { fy } => {
            let svc = open(true).await?;
            let report = svc.init(&actor, fy).await?;
            let msg = if report.policy_stored {
                "方針を登録しました / policy stored"
            } else {
                "方針は登録済みです / policy already stored"
            };
            println!("{} ({}): {msg}", fy, db.as_deref().unwrap_or(DEFAULT_DB));
            svc.close().await;
        }
        Command::Policy { command } => policy::run(&open(false).await?, command).await?,
        Command::Template { .. } | Command::Import { .. } | Command::Compile { .. } | Command::Export { .. } => {
            lines::run(&open(false).await?, &actor, cli.command).await?
        }
        Command::Demo => demo::run(&actor, db.as_deref()).await?,
    }
    Ok(())
}
