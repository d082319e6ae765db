//! `haibun evidence import|report`.

use haibun_service::{Actor, EvidenceSource, Service, ServiceError};
use haibun_sheets::book::{BookStyle, write_html, write_xlsx};

use crate::cli::{EvidenceCommand, EvidenceFormat, Format};
use crate::output::{CliError, invalid};

/// Runs an evidence command.
pub async fn run(svc: &Service, actor: &Actor, command: EvidenceCommand) -> Result<(), CliError> {
    match command {
        EvidenceCommand::Import { fy, table: t, file, source, as_of, licence, format } => {
            let bytes = super::lines::read_input(&file, svc.limits())?;
            let name = file.file_name().map_or_else(|| "evidence".into(), |n| n.to_string_lossy().to_string());
            let src = EvidenceSource { source, as_of, licence };
            let r = svc.import_evidence(actor, fy, t, &src, &name, &bytes).await?;
            match format {
                Format::Json | Format::Csv => {
                    println!("{}", serde_json::to_string_pretty(&r).expect("the report serialises"))
                }
                Format::Text => {
                    println!(
                        "{}を取り込みました / {} imported: {} 行/rows ({name}){}",
                        t.name_ja(),
                        t.name(),
                        r.rows,
                        r.replaced
                            .map(|p| format!("、{} 行を置き換え / replacing {} rows", p.row_count, p.row_count))
                            .unwrap_or_default()
                    );
                }
            }
        }
        EvidenceCommand::Report { fy, format, output } => {
            let view = svc.evidence_report(actor, fy).await?;
            let bytes = match format {
                EvidenceFormat::Json => {
                    serde_json::to_string_pretty(&view).expect("the report serialises").into_bytes()
                }
                EvidenceFormat::Xlsx => write_xlsx(view.printable().document())
                    .map_err(|e| CliError::Service(ServiceError::Internal(e.into())))?,
                EvidenceFormat::Html => {
                    write_html(view.printable().document(), BookStyle::Inline { tokens_css: haibun_web::TOKENS_CSS })
                        .into_bytes()
                }
                EvidenceFormat::Text => text(&view).into_bytes(),
            };
            match output {
                Some(path) => {
                    crate::output::write_file(&path, &bytes)?;
                    println!("書き出しました / written: {}", path.display());
                }
                None if matches!(format, EvidenceFormat::Xlsx | EvidenceFormat::Html) => {
                    return Err(invalid(
                        "--output",
                        "xlsx と html には --output が必要です / xlsx and html need --output",
                    ));
                }
                None => print!("{}", String::from_utf8_lossy(&bytes)),
            }
        }
    }
    Ok(())
}

/// The report as text: the sources, then the ranked candidates with what each indicator gave.
fn text(view: &haibun_service::EvidenceView) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let r = &view.report;
    let _ = writeln!(s, "■ 出典 / sources");
    for set in &view.sets {
        let _ = writeln!(
            s,
            "  {:<13} {}（{}、{}）{} 行/rows",
            set.table_name, set.source, set.as_of, set.licence, set.row_count
        );
    }
    if !view.missing.is_empty() {
        let _ = writeln!(s, "  未取込 / not imported: {}", view.missing.join(", "));
    }
    for (t, c) in &r.unmapped {
        let _ = writeln!(s, "  対応表にない分類（除外）/ unmapped, left out: {t}: {c}");
    }
    let _ = writeln!(s, "\n■ 重点化の候補領域 / candidate priority areas");
    for c in &r.candidates {
        let parts: Vec<String> = c.contributions.iter().map(|(k, v)| format!("{k} {v:.1}")).collect();
        let moved: Vec<String> = c
            .rank_moves()
            .iter()
            .map(|m| format!("{} ±{}: {}/{}", m.indicator, r.sensitivity_points, m.up, m.down))
            .collect();
        let _ = writeln!(
            s,
            "  {:>2}. [{}] {} {}  指数/index {:.1}  ({}){}",
            c.rank,
            c.dimension.name_ja(),
            c.area,
            c.name_ja,
            c.index,
            parts.join(", "),
            if moved.is_empty() {
                String::new()
            } else {
                format!("  順位の変化/rank moves: {}", moved.join(", "))
            }
        );
    }
    s
}
