//! `haibun check` and `haibun overlap`.

use haibun_domain::FiscalYear;
use haibun_domain::policy::Severity;
use haibun_service::{Actor, Service};

use crate::cli::{ClassifyCommand, Format, OverlapCommand};
use crate::output::CliError;

/// `haibun check`: the review's findings, the priority items' money and the REGEN push.
pub async fn check(
    svc: &Service,
    actor: &Actor,
    fy: FiscalYear,
    ministry: Option<&str>,
    format: Format,
) -> Result<(), CliError> {
    let r = svc.review(actor, fy, ministry).await?;
    let errors = r.review.findings.iter().filter(|f| f.severity == Severity::Error).count();
    match format {
        Format::Json | Format::Csv => println!("{}", serde_json::to_string_pretty(&r).expect("the review serialises")),
        Format::Text => {
            for f in &r.review.findings {
                let at = match (&f.ministry, &f.line_id) {
                    (Some(m), Some(l)) => format!("{m}/{l}"),
                    _ => "年度全体/year".into(),
                };
                let field = f.field.as_deref().map(|x| format!(" [{x}]")).unwrap_or_default();
                let phrases =
                    if f.phrases.is_empty() { String::new() } else { format!(" 「{}」", f.phrases.join("」「")) };
                println!(
                    "{}\t{}\t{at}{field}\t{} / {}{phrases}",
                    f.severity.name(),
                    f.code,
                    f.message_ja,
                    f.message_en
                );
            }
            let count = |s: Severity| r.review.findings.iter().filter(|f| f.severity == s).count();
            println!(
                "指摘 / findings: error {} · warning {} · info {}",
                count(Severity::Error),
                count(Severity::Warning),
                count(Severity::Info)
            );
            println!("点検した項目 / checks evaluated: {}", r.review.evaluated.join(", "));
            for (code, why) in &r.review.not_evaluated {
                println!("点検しない項目 / not evaluated: {code} — {why}");
            }
            println!("重点項目別（紐付けた事業）/ money by priority item (linked lines): 前年度/prior → 要求/request");
            for i in r.review.items.iter().filter(|i| i.lines > 0) {
                println!("  {}\t{} 事業/lines\t{} → {}\t{}", i.item, i.lines, i.prior_year, i.request, i.text_ja);
            }
            println!(
                "再生・細胞医療・遺伝子治療（§5 強力な推進）/ REGEN push: 前年度/prior {} → 要求/request {}",
                r.review.regen.0, r.review.regen.1
            );
        }
    }
    if errors > 0 { Err(CliError::Findings(errors)) } else { Ok(()) }
}

fn pair(raw: &str) -> Result<(&str, &str), CliError> {
    raw.split_once('/')
        .ok_or_else(|| crate::output::invalid("--a/--b", &format!("府省/事業番号 の形で / as MINISTRY/LINE: {raw}")))
}

/// `haibun overlap …`
pub async fn overlap(svc: &Service, actor: &Actor, command: OverlapCommand) -> Result<(), CliError> {
    match command {
        OverlapCommand::List { fy, format } => {
            let r = svc.review(actor, fy, None).await?;
            match format {
                Format::Json | Format::Csv => {
                    println!("{}", serde_json::to_string_pretty(&r.overlaps).expect("overlaps serialise"))
                }
                Format::Text => {
                    for o in &r.overlaps {
                        let state = o.decision.as_ref().map_or("未確認/unconfirmed".to_string(), |d| {
                            format!("{} ({} {})", d.decision, d.decided_by, d.note)
                        });
                        println!(
                            "{}%\t{}/{} {} ({})\t{}/{} {} ({})\t{state}\t「{}」",
                            o.pair.similarity_percent,
                            o.pair.a.0,
                            o.pair.a.1,
                            o.names.0,
                            o.requests.0.map_or("—".to_string(), |r| r.to_string()),
                            o.pair.b.0,
                            o.pair.b.1,
                            o.names.1,
                            o.requests.1.map_or("—".to_string(), |r| r.to_string()),
                            o.pair.shared.join("」「")
                        );
                    }
                    println!("候補 / candidates: {}", r.overlaps.len());
                }
            }
        }
        OverlapCommand::Decide { fy, a, b, decision, note } => {
            svc.decide_overlap(actor, fy, pair(&a)?, pair(&b)?, &decision, &note).await?;
            println!("{a} と {b} を {decision} と確認しました / {a} and {b} confirmed as {decision}");
        }
    }
    Ok(())
}

fn phrases(p: &[String]) -> String {
    if p.is_empty() { String::new() } else { format!("「{}」", p.join("」「")) }
}

/// `haibun classify …`
pub async fn classify(svc: &Service, actor: &Actor, command: ClassifyCommand) -> Result<(), CliError> {
    match command {
        ClassifyCommand::Year { fy, rules, format } => {
            let y = svc.classify_year(actor, fy, rules.as_deref()).await?;
            match format {
                Format::Json | Format::Csv => println!("{}", serde_json::to_string_pretty(&y).expect("serialises")),
                Format::Text => {
                    for l in &y.lines {
                        println!(
                            "{}/{}\t{}\t→ {} ({:.2}) {}",
                            l.ministry,
                            l.line_id,
                            l.own.as_deref().unwrap_or("-"),
                            l.suggested.as_deref().unwrap_or("-"),
                            l.confidence,
                            phrases(&l.phrases)
                        );
                    }
                    println!("規則/rules {}: 分類の一致/agreement {}/{}", y.rules, y.agreement.0, y.agreement.1);
                    for (code, amount) in &y.by_suggested_project {
                        println!("  {code}\t{amount}");
                    }
                }
            }
        }
        ClassifyCommand::Line { fy, ministry, line, accept, reject, reason, format } => {
            if let Some(choice) = accept.as_deref().or(reject.as_deref()) {
                let (kind, code) = choice.split_once('=').ok_or_else(|| {
                    crate::output::invalid("--accept/--reject", &format!("種類=コード の形で / as KIND=CODE: {choice}"))
                })?;
                svc.decide_suggestion(actor, fy, &ministry, &line, kind, code, accept.is_some(), &reason).await?;
                println!(
                    "{ministry}/{line}: {kind}={code} を{} / {}",
                    if accept.is_some() { "採用しました" } else { "不採用としました" },
                    if accept.is_some() { "accepted" } else { "rejected" }
                );
                return Ok(());
            }
            let s = svc.line_suggestions(actor, fy, &ministry, &line).await?;
            match format {
                Format::Json | Format::Csv => println!("{}", serde_json::to_string_pretty(&s).expect("serialises")),
                Format::Text => {
                    println!("規則/rules {}", s.suggestions.rules);
                    for (kind, list) in [
                        ("project", &s.suggestions.project),
                        ("disease_areas", &s.suggestions.disease_areas),
                        ("purposes", &s.suggestions.purposes),
                        ("priority_item", &s.suggestions.priority_items),
                    ] {
                        for x in list {
                            let share = x.share.map(|p| format!(" {p}%")).unwrap_or_default();
                            println!("  {kind}\t{}{share}\t{:.2}\t{}", x.code, x.confidence, phrases(&x.phrases));
                        }
                    }
                    for d in &s.decided {
                        println!(
                            "  済/decided: {}={} {} ({} {}) {}",
                            d.kind,
                            d.code,
                            if d.accepted == 1 { "採用/accepted" } else { "不採用/rejected" },
                            d.decided_by,
                            d.decided_at,
                            d.reason
                        );
                    }
                }
            }
        }
    }
    Ok(())
}
