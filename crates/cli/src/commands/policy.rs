//! `haibun policy show`.

use haibun_domain::policy::Kind;
use haibun_service::Service;

use crate::cli::{Format, PolicyCommand};
use crate::output::CliError;

/// Runs a policy command.
pub async fn run(svc: &Service, command: PolicyCommand) -> Result<(), CliError> {
    let PolicyCommand::Show { fy, format } = command;
    let p = svc.policy(fy).await?;
    if format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&p).expect("policy serialises"));
        return Ok(());
    }
    println!("{}\n{}\n{}（{}）\n", p.name_ja, p.name_en, p.decided_by_ja, p.legal_basis_ja);
    println!("■ 統合プロジェクト / integrated projects");
    for pr in &p.projects {
        println!("  {} {:<8} {} / {}", pr.symbol, pr.code, pr.name_ja, pr.name_en);
        for item in &pr.priority_items {
            println!("      [{}] {}", item.id, item.text_ja);
        }
    }
    println!("\n■ 重点・その他の領域 / cross-cutting and other areas");
    for a in &p.areas {
        println!("  {:<13} {} / {} (§{})", a.code, a.name_ja, a.name_en, a.section);
        for item in &a.priority_items {
            println!("      [{}] {}", item.id, item.text_ja);
        }
    }
    for (title, kind) in [
        ("疾患領域 / disease areas", Kind::DiseaseArea),
        ("開発目的 / development purposes", Kind::Purpose),
        ("区分 / budget channels", Kind::Channel),
        ("府省 / ministries", Kind::Ministry),
    ] {
        println!("\n■ {title}");
        for e in p.entries(kind) {
            println!("  {:<15} {} / {}", e.code, e.label_ja, e.label_en);
        }
    }
    println!("\n■ 留意点のチェック / checks (§4)");
    for c in &p.checks {
        println!("  {:<30} [{:?}] {} / {}", c.code, c.severity, c.name_ja, c.name_en);
    }
    Ok(())
}
