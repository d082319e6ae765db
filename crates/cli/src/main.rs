//! `haibun`: the command-line tool and the server of haibun (配分).

mod cli;
mod commands;
mod config;
mod output;
mod progress;
mod render;

use std::process::ExitCode;

/// mimalloc: an import or a busy server allocates many small strings, where glibc's allocator
/// spent a third of the time (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{CommandFactory, FromArgMatches};

fn main() -> ExitCode {
    let matches = cli::Cli::command().get_matches();
    let mut cli = match cli::Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    match config::apply(&mut cli, &matches) {
        Ok(settings) => cli.settings = settings,
        Err(e) => {
            output::report_error(&e);
            return ExitCode::from(e.exit_code());
        }
    }
    // A server logs each request (info); a command only what went wrong. HAIBUN_LOG overrides.
    let serving = matches!(cli.command, cli::Command::Serve { .. } | cli::Command::Demo { no_serve: false, .. });
    let filter = tracing_subscriber::EnvFilter::try_from_env("HAIBUN_LOG")
        .unwrap_or_else(|_| if serving { "info,sqlx=warn".into() } else { "warn".into() });
    // Colours only on a terminal: a log file or journald gets plain text.
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let log = tracing_subscriber::fmt().with_env_filter(filter).with_ansi(colour).with_writer(std::io::stderr);
    match cli.log_format {
        cli::LogFormat::Json => log.json().with_current_span(true).with_span_list(false).init(),
        cli::LogFormat::Text => log.init(),
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("エラー/error: 実行環境を起動できません / cannot start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            output::report_error(&e);
            ExitCode::from(e.exit_code())
        }
    }
}
