//! `haibun policy show`.

use haibun_domain::policy::Kind;
use haibun_service::{Actor, Service};

use crate::cli::{Format, PolicyCommand};
use crate::output::CliError;

/// Runs a policy command.
pub async fn run(svc: &Service, actor: &Actor, command: PolicyCommand) -> Result<(), CliError> {
    let (fy, format) = match command {
        PolicyCommand::Show { fy, format } => (fy, format),
        PolicyCommand::Replace { fy, file } => {
            let bytes = super::lines::read_input(&file, svc.limits())?;
            let name = file.file_name().map_or_else(|| "policy.toml".into(), |n| n.to_string_lossy().to_string());
            svc.replace_policy_draft(actor, fy, &name, &bytes).await?;
            println!("案の方針を差し替えました / the draft policy is replaced: {fy}");
            return Ok(());
        }
        PolicyCommand::Cite { fy, item, area } => {
            let c = svc.cite_evidence(actor, fy, &item, &area).await?;
            println!(
                "{} が {}（{}位）のエビデンスを引用しました / {} now cites the evidence for {} (rank {})",
                c.item_id, c.area, c.cited_rank, c.item_id, c.area, c.cited_rank
            );
            return Ok(());
        }
        PolicyCommand::Uncite { fy, item, area } => {
            svc.uncite_evidence(actor, fy, &item, &area).await?;
            println!("引用を取り下げました / citation withdrawn: {item} {area}");
            return Ok(());
        }
        PolicyCommand::Decide { fy } => {
            svc.decide_policy(actor, fy).await?;
            println!("方針を決定しました / the policy is decided: {fy}");
            return Ok(());
        }
    };
    let p = svc.policy(fy).await?;
    let (status, based_on) = svc.policy_status(fy).await?;
    // The evidence each priority item cites (shown to those who may see the evidence).
    let cites = svc.policy_citations(actor, fy).await.unwrap_or_default();
    let cited = |id: &str| -> String {
        let mine: Vec<String> = cites
            .iter()
            .filter(|c| c.item_id == id)
            .map(|c| format!("{}（{}位/rank）", c.area, c.cited_rank))
            .collect();
        if mine.is_empty() { String::new() } else { format!("\n        引用/cites: {}", mine.join(", ")) }
    };
    if format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&p).expect("policy serialises"));
        return Ok(());
    }
    println!("{}\n{}\n{}（{}）", p.name_ja, p.name_en, p.decided_by_ja, p.legal_basis_ja);
    let from = based_on.map(|y| format!("（FY{y} から複写 / copied from FY{y}）")).unwrap_or_default();
    println!("状態 / status: {}{from}\n", if status == "draft" { "案 / draft" } else { "決定 / decided" });
    println!("■ 統合プロジェクト / integrated projects");
    for pr in &p.projects {
        println!("  {} {:<8} {} / {}", pr.symbol, pr.code, pr.name_ja, pr.name_en);
        for item in &pr.priority_items {
            println!("      [{}] {}{}", item.id, item.text_ja, cited(&item.id));
        }
    }
    println!("\n■ 重点・その他の領域 / cross-cutting and other areas");
    for a in &p.areas {
        println!("  {:<13} {} / {} (§{})", a.code, a.name_ja, a.name_en, a.section);
        for item in &a.priority_items {
            println!("      [{}] {}{}", item.id, item.text_ja, cited(&item.id));
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
    if let Some(e) = &p.evidence {
        println!("\n■ エビデンスの指標と重み / evidence indicators and weights (§{})", e.section);
        for w in &e.indicators {
            println!("  {:<20} {:>3}  {} / {}", w.code, w.weight, w.name_ja, w.name_en);
        }
    }
    println!("\n■ 留意点のチェック / checks (§4)");
    for c in &p.checks {
        println!("  {:<30} [{:?}] {} / {}", c.code, c.severity, c.name_ja, c.name_en);
    }
    Ok(())
}
