//! `haibun template`, `import`, `compile`, `export`.

use std::path::Path;

use haibun_domain::problem::{Location, Problem, ProblemCode};
use haibun_service::{Actor, ExportFormat, ImportRequest, Service, ServiceError};

use crate::cli::{Command, ExportCommand, Format};
use crate::output::{CliError, write_file};

pub(crate) fn read_input(path: &Path, limits: &haibun_sheets::Limits) -> Result<Vec<u8>, CliError> {
    let io = |source| CliError::Io { path: path.display().to_string(), source };
    let meta = std::fs::metadata(path).map_err(io)?;
    let file = path.display().to_string();
    if !meta.is_file() {
        return Err(ServiceError::Invalid(vec![Problem::new(
            ProblemCode::NotASpreadsheet,
            Location::file(file),
            "通常のファイルではありません",
            "not a regular file",
        )])
        .into());
    }
    // Refuse before reading, so a huge file costs nothing.
    if meta.len() > limits.file_bytes as u64 {
        let mib = limits.file_bytes >> 20;
        return Err(ServiceError::Invalid(vec![Problem::new(
            ProblemCode::FileTooLarge,
            Location::file(file),
            format!("ファイルが大きすぎます（{} バイト、上限 {mib} MiB）", meta.len()),
            format!("the file is too large ({} bytes, limit {mib} MiB)", meta.len()),
        )])
        .into());
    }
    std::fs::read(path).map_err(io)
}

fn export_format(path: &Path) -> Result<ExportFormat, CliError> {
    match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("xlsx") => Ok(ExportFormat::Xlsx),
        Some("csv") => Ok(ExportFormat::Csv),
        _ => Err(ServiceError::Invalid(vec![Problem::new(
            ProblemCode::InvalidArgument,
            Location::field("--output"),
            format!("出力ファイルの拡張子は .xlsx か .csv にしてください: {}", path.display()),
            format!("the output file must end in .xlsx or .csv: {}", path.display()),
        )])
        .into()),
    }
}

/// Runs one of the line commands.
pub async fn run(svc: &Service, actor: &Actor, command: Command) -> Result<(), CliError> {
    match command {
        Command::Template { fy, ministry, unit, output } => {
            let bytes = svc.template(fy, ministry.as_deref(), unit.into()).await?;
            write_file(&output, &bytes)?;
            println!("テンプレートを書き出しました / template written: {}", output.display());
        }
        Command::Import { file, fy, ministry, unit, format } => {
            let bytes = read_input(&file, svc.limits())?;
            let name = file.display().to_string();
            let mut progress = crate::progress::Progress::counter("事業/lines", false);
            let report = svc
                .import_with_progress(
                    actor,
                    ImportRequest {
                        fiscal_year: fy,
                        ministry: &ministry,
                        file_name: &name,
                        bytes: &bytes,
                        unit: unit.map(Into::into),
                    },
                    |p| progress.update(p.step.label(), p.done, p.total),
                )
                .await;
            progress.finish();
            let report = report?;
            if format == Format::Json {
                println!("{}", serde_json::to_string_pretty(&report).expect("report serialises"));
            } else {
                println!(
                    "取り込みました / imported: {} ({}), {} {}, 単位/unit {}\n  {} 行/rows: 新規/new {}, 更新/updated {}, 変更なし/unchanged {}",
                    report.file,
                    report.sheet.as_deref().map(|s| format!("シート/sheet {s}")).unwrap_or_else(|| "CSV".into()),
                    report.fiscal_year,
                    report.ministry,
                    report.unit.label_ja(),
                    report.rows,
                    report.inserted,
                    report.updated,
                    report.unchanged
                );
            }
        }
        Command::Export { what: Some(ExportCommand::Opendata { fy, stage: _, output }), .. } => {
            crate::commands::opendata::export(svc, actor, fy, &output).await?;
        }
        Command::Export { what: None, fy: Some(fy), ministry, unit, output: Some(output) } => {
            let format = export_format(&output)?;
            let bytes = svc.export(actor, fy, ministry.as_deref(), format, unit.into()).await?;
            write_file(&output, &bytes)?;
            println!("書き出しました / exported: {}", output.display());
        }
        _ => {
            unreachable!("dispatched elsewhere")
        }
    }
    Ok(())
}
