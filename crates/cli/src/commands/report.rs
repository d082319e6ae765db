//! `haibun report` and `haibun prior`.

use std::path::Path;

use haibun_domain::FiscalYear;
use haibun_domain::problem::{Location, Problem, ProblemCode};
use haibun_service::{Actor, ImportRequest, Service, ServiceError};
use haibun_sheets::book::{BookStyle, book_csv_files, book_csv_zip, write_book_html, write_book_xlsx};

use crate::cli::{BookFormatArg, Format, PriorCommand, ReportUnitArg, StageArg};
use crate::commands::lines::read_input;
use crate::output::{CliError, write_file};

fn extension(path: &Path) -> Option<String> {
    path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase)
}

/// The format asked for, or the one the output's name implies; a name that contradicts the
/// format asked for is refused rather than written under a misleading extension.
fn book_format(format: Option<BookFormatArg>, output: &Path) -> Result<BookFormatArg, CliError> {
    let implied = match extension(output).as_deref() {
        Some("xlsx") => Some(BookFormatArg::Xlsx),
        Some("html" | "htm") => Some(BookFormatArg::Html),
        Some("zip") | None => Some(BookFormatArg::Csv),
        Some(_) => None,
    };
    match (format, implied) {
        (Some(f), Some(i)) if f == i => Ok(f),
        (None, Some(i)) => Ok(i),
        _ => Err(ServiceError::Invalid(vec![Problem::new(
            ProblemCode::InvalidArgument,
            Location::field("--output"),
            format!(
                "出力先の拡張子が形式と合いません: {}（xlsx は .xlsx、html は .html、csv は .zip か拡張子のないフォルダ）",
                output.display()
            ),
            format!(
                "the output's extension does not match the format: {} (xlsx: .xlsx, html: .html, csv: .zip or a folder without an extension)",
                output.display()
            ),
        )])
        .into()),
    }
}

/// `haibun report`
#[allow(clippy::too_many_arguments)]
pub async fn report(
    svc: &Service,
    actor: &Actor,
    fy: FiscalYear,
    stage: StageArg,
    snapshot_id: Option<i64>,
    unit: ReportUnitArg,
    format: Option<BookFormatArg>,
    output: &Path,
) -> Result<(), CliError> {
    let format = book_format(format, output)?;
    let book = svc.book(actor, fy, stage.into(), snapshot_id, unit.into()).await?;
    let io = |source| CliError::Io { path: output.display().to_string(), source };
    match format {
        BookFormatArg::Xlsx => {
            let bytes = write_book_xlsx(&book).map_err(|e| CliError::Service(ServiceError::Internal(e.into())))?;
            write_file(output, &bytes)?;
        }
        BookFormatArg::Html => write_file(
            output,
            write_book_html(&book, BookStyle::Inline { tokens_css: haibun_web::TOKENS_CSS }).as_bytes(),
        )?,
        BookFormatArg::Csv if extension(output).is_some() => write_file(output, &book_csv_zip(&book))?,
        BookFormatArg::Csv => {
            std::fs::create_dir_all(output).map_err(io)?;
            for (name, bytes) in book_csv_files(&book) {
                write_file(&output.join(name), &bytes)?;
            }
        }
    }
    let snapshot = book.meta.snapshot.as_ref().map(|s| format!(" #{}", s.id)).unwrap_or_default();
    println!(
        "取りまとめ資料を書き出しました / budget book written: {} ({} {}{snapshot}, {} 表/tables, {} 事業/lines, 単位/unit {})",
        output.display(),
        fy,
        book.meta.stage_name(),
        book.tables.len(),
        book.compilation.lines,
        book.meta.unit.label_ja()
    );
    Ok(())
}

/// `haibun prior …`
pub async fn prior(svc: &Service, actor: &Actor, command: PriorCommand) -> Result<(), CliError> {
    match command {
        PriorCommand::Import { file, fy, ministry, unit } => {
            let bytes = read_input(&file, svc.limits())?;
            let name = file.display().to_string();
            let req = ImportRequest {
                fiscal_year: fy,
                ministry: &ministry,
                file_name: &name,
                bytes: &bytes,
                unit: unit.map(Into::into),
            };
            let r = svc.import_prior(actor, req).await?;
            println!(
                "前年度予算を取り込みました / prior-year budget held: {} {} ({}): {} 事業/lines, 合計/total {}, 置換/replaced {}",
                r.fiscal_year, r.ministry, r.file, r.lines, r.total, r.replaced
            );
        }
        PriorCommand::List { fy, format } => {
            let rows = svc.prior_sources(fy).await?;
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&rows).expect("rows serialise")),
                _ => {
                    if rows.is_empty() {
                        println!(
                            "{fy}: 前年度予算は取り込まれていません（各事業の前年度予算額欄で比較します）/ no prior-year budget held (each line's declared prior-year column is used)"
                        );
                    }
                    for r in rows {
                        println!(
                            "{}\t{} 事業/lines\t{}\t{}\t{}",
                            r.ministry, r.lines, r.source_file, r.imported_at, r.imported_by
                        );
                    }
                }
            }
        }
    }
    Ok(())
}
