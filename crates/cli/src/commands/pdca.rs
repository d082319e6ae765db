//! `haibun measure …` and `haibun followup …`.

use haibun_service::{Actor, KpiInput, MeasureInput, MeasureView, Service};

use super::signed_yen_arg;
use crate::cli::{FollowupCommand, Format, FyCommand, MeasureCommand, RsCommand};
use crate::output::{CliError, invalid};

/// A target given as `YEAR=VALUE`.
fn target_arg(raw: &str) -> Result<(i64, String), CliError> {
    let (y, v) = raw
        .split_once('=')
        .ok_or_else(|| invalid("--target", &format!("{raw}: 年度=値 で指定します / give YEAR=VALUE")))?;
    let year = y
        .trim()
        .parse::<i64>()
        .map_err(|_| invalid("--target", &format!("{raw}: 年度が数ではありません / the year is not a number")))?;
    Ok((year, v.trim().to_string()))
}

fn print_measures(measures: &[MeasureView]) {
    for m in measures {
        let e = m
            .evaluation
            .as_ref()
            .map(|e| format!("\t評価/evaluation: {} — {}", e.evaluation, e.reason))
            .unwrap_or_default();
        println!("{}\t{}\t{}{e}", m.measure.code, m.measure.project, m.measure.name);
        for k in &m.kpis {
            let targets: Vec<String> = k.targets.iter().map(|t| format!("{}={}", t.target_year, t.value)).collect();
            let base = k.kpi.baseline.as_ref().map(|b| format!(" 基準/baseline {b}")).unwrap_or_default();
            println!(
                "  {}\t{}\t{}\t{} [{}, {}]{base}\t目標/targets {}",
                k.kpi.code,
                k.kpi.ministry,
                k.kpi.kind,
                k.kpi.indicator,
                k.kpi.unit,
                k.kpi.direction,
                targets.join(" ")
            );
            for a in &k.actuals {
                let rate = a.achievement.map_or("—".to_string(), |r| format!("{r}%"));
                let short = if a.short { "\t未達/short" } else { "" };
                println!(
                    "    {}\t実績/actual {}\t達成率/achievement {rate}{short}\t{}",
                    a.actual.actual_year, a.actual.value, a.actual.source
                );
            }
        }
        for l in &m.links {
            println!("  {} → {}", l.from_kpi, l.to_kpi);
        }
        for l in &m.lines {
            let kpi = if l.kpi.is_empty() { String::new() } else { format!(" ({})", l.kpi) };
            println!("  事業/line {}/{}{kpi}", l.ministry, l.line_id);
        }
    }
}

/// `haibun measure …`
pub async fn measure(svc: &Service, actor: &Actor, command: MeasureCommand) -> Result<(), CliError> {
    match command {
        MeasureCommand::Add { fy, code, name, project } => {
            svc.add_measure(actor, fy, &MeasureInput { code: code.clone(), name, project }).await?;
            println!("施策を登録しました / measure added: {code}");
        }
        MeasureCommand::Kpi {
            fy,
            code,
            measure,
            ministry,
            kind,
            indicator,
            unit,
            direction,
            source,
            baseline,
            baseline_year,
            targets,
        } => {
            let targets = targets.iter().map(|t| target_arg(t)).collect::<Result<Vec<_>, _>>()?;
            let input = KpiInput {
                code: code.clone(),
                measure,
                ministry,
                kind,
                indicator,
                unit,
                direction,
                source,
                baseline: baseline.zip(baseline_year),
                targets,
            };
            svc.add_kpi(actor, fy, &input).await?;
            println!("指標を登録しました / KPI added: {code}");
        }
        MeasureCommand::Link { fy, from, to } => {
            svc.link_kpis(actor, fy, &from, &to).await?;
            println!("ロジックモデルに追加しました / linked: {from} → {to}");
        }
        MeasureCommand::Line { fy, ministry, line, measure, kpi } => {
            svc.link_line(actor, fy, &ministry, &line, &measure, kpi.as_deref()).await?;
            println!(
                "紐付けました / linked: {ministry}/{line} → {measure}{}",
                kpi.map(|k| format!(" ({k})")).unwrap_or_default()
            );
        }
        MeasureCommand::List { fy, format } => {
            let m = svc.measures(actor, fy).await?;
            match format {
                Format::Json | Format::Csv => {
                    println!("{}", serde_json::to_string_pretty(&m).expect("measures serialise"))
                }
                Format::Text => print_measures(&m),
            }
        }
    }
    Ok(())
}

/// `haibun followup …`
pub async fn followup(svc: &Service, actor: &Actor, command: FollowupCommand) -> Result<(), CliError> {
    match command {
        FollowupCommand::Open { fy, title, report_due, evaluation_due } => {
            let id = svc.open_followup(actor, fy, &title, &report_due, &evaluation_due).await?;
            println!("フォローアップを始めました / follow-up round opened: #{id}");
        }
        FollowupCommand::Report { round, kpi, year, value, source, comment } => {
            svc.report_actual(actor, round, &kpi, year, &value, &source, &comment).await?;
            println!("報告しました / reported: #{round} {kpi} {year} = {value}");
        }
        FollowupCommand::Evaluate { round, measure, evaluation, reason } => {
            svc.evaluate_measure(actor, round, &measure, &evaluation, &reason).await?;
            println!("評価しました / evaluated: #{round} {measure} {evaluation}");
        }
        FollowupCommand::Action { round, ministry, line, action, amount, reason } => {
            let amount = signed_yen_arg("--amount", &amount)?;
            svc.record_line_action(actor, round, &ministry, &line, &action, amount, &reason).await?;
            println!("対応を記録しました / action recorded: #{round} {ministry}/{line} {action} {amount}");
        }
        FollowupCommand::Respond { fy, ministry, line, text } => {
            svc.respond_to_followup(actor, fy, &ministry, &line, &text).await?;
            println!("対応方針を記しました / response stated: {ministry}/{line}");
        }
        FollowupCommand::Close { round } => {
            svc.close_followup(actor, round).await?;
            println!("締め切りました / closed: #{round}");
        }
        FollowupCommand::Show { round, format } => {
            let v = svc.followup(actor, round).await?;
            match format {
                Format::Json | Format::Csv => {
                    println!("{}", serde_json::to_string_pretty(&v).expect("a round serialises"))
                }
                Format::Text => {
                    println!(
                        "#{} FY{} {}（{}）報告期限/reports due {}・評価期限/evaluations due {}",
                        v.round.id,
                        v.round.fiscal_year,
                        v.round.title,
                        v.round.status,
                        v.round.report_due,
                        v.round.evaluation_due
                    );
                    print_measures(&v.measures);
                    for a in &v.actions {
                        println!("対応/action {}/{}\t{}\t{}\t{}", a.ministry, a.line_id, a.action, a.amount, a.reason);
                    }
                    for (m, k) in &v.unreported {
                        println!("未報告/not reported: {m} {k}");
                    }
                    for m in &v.unevaluated {
                        println!("未評価/not evaluated: {m}");
                    }
                }
            }
        }
    }
    Ok(())
}

/// `haibun fy …`
pub async fn fy(svc: &Service, actor: &Actor, command: FyCommand) -> Result<(), CliError> {
    match command {
        FyCommand::Open { fy, from, format } => {
            let r = svc.open_year(actor, fy, from).await?;
            match format {
                Format::Json | Format::Csv => {
                    println!("{}", serde_json::to_string_pretty(&r).expect("the report serialises"))
                }
                Format::Text => {
                    println!(
                        "{fy} を {from} から始めました（方針は案）/ {fy} opened from {from} (its policy is a draft): {} 事業/lines, {} 施策/measures, {} 指標/KPIs",
                        r.carried.len(),
                        r.measures,
                        r.kpis
                    );
                    for (m, l) in &r.ended {
                        println!("廃止のため引き継がない / ended, not carried: {m}/{l}");
                    }
                }
            }
        }
    }
    Ok(())
}

/// `haibun rs …`
pub async fn rs(svc: &Service, actor: &Actor, command: RsCommand) -> Result<(), CliError> {
    let (file, format) = match command {
        RsCommand::ImportBudget { file, format } => (file, format),
        RsCommand::ImportKpis { file, fy, round, format } => {
            let bytes = super::lines::read_input(&file, svc.limits())?;
            let r = svc.import_rs_kpis(actor, fy, round, &file.display().to_string(), &bytes).await?;
            match format {
                Format::Json | Format::Csv => {
                    println!("{}", serde_json::to_string_pretty(&r).expect("the report serialises"))
                }
                Format::Text => println!(
                    "RS 3-1 を取り込みました / RS 3-1 imported: {} — 指標/indicators {}（新規/new {}・更新/changed {}・変更なし/unchanged {}）, 実績/actuals {}（変更なし/unchanged {}）, 定性的（取り込まず）/qualitative, not taken {}",
                    r.file,
                    r.indicators,
                    r.inserted,
                    r.replaced,
                    r.unchanged,
                    r.actuals_stored,
                    r.actuals_unchanged,
                    r.qualitative
                ),
            }
            return Ok(());
        }
        RsCommand::ExportKpis { round, output } => {
            let bytes = svc.export_rs_kpis(actor, round).await?;
            crate::output::write_file(&output, &bytes)?;
            println!("3-1 の形式で書き出しました / written in the 3-1 layout: {}", output.display());
            return Ok(());
        }
    };
    let bytes = super::lines::read_input(&file, svc.limits())?;
    let name = file.display().to_string();
    let r = svc.import_rs_budget(actor, &name, &bytes).await?;
    match format {
        Format::Json | Format::Csv => println!("{}", serde_json::to_string_pretty(&r).expect("the report serialises")),
        Format::Text => {
            println!(
                "RS 2-1 を取り込みました / RS 2-1 imported: {} — 合計行/summary rows {}, 登録/stored {}, 内訳行（加算せず）/detail rows not added {}",
                r.file, r.rows, r.stored, r.detail_rows
            );
            for (id, year, newer) in &r.kept_newer {
                println!("  より新しい事業年度 {newer} の値を保持 / kept the later review year {newer}: {id} {year}");
            }
            if !r.unmatched.is_empty() {
                println!("  事業に紐付かない予算事業ID / ids no line carries: {}", r.unmatched.join(", "));
            }
        }
    }
    Ok(())
}
