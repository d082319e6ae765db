//! `haibun fund …`: the adjustment fund. `fund solve` runs the optimiser alone, without a database.

use haibun_domain::optimise::{Instance, OptimiseError, Options, solve};
use haibun_domain::problem::{Location, Problem, ProblemCode};
use haibun_service::{Actor, PlanChange, ProposalInput, Service, ServiceError};

use haibun_sheets::book::{BookStyle, write_html, write_xlsx};

use crate::cli::{Format, FundCommand};
use crate::commands::lines::read_input;
use crate::output::{CliError, invalid};

/// `haibun fund solve`: the optimiser alone, without a database.
pub fn solve_instance(command: FundCommand, limits: &haibun_sheets::Limits) -> Result<(), CliError> {
    match command {
        FundCommand::Solve { instance, format, time_limit_ms, no_analysis } => {
            let file = instance.display().to_string();
            let bytes = read_input(&instance, limits)?;
            let located = |field: String, code: ProblemCode, ja: String, en: String| {
                CliError::from(ServiceError::Invalid(vec![Problem::new(
                    code,
                    Location { file: Some(file.clone()), field: Some(field), ..Location::default() },
                    ja,
                    en,
                )]))
            };
            let inst: Instance = serde_json::from_slice(&bytes).map_err(|e| {
                located(
                    format!("line {} column {}", e.line(), e.column()),
                    ProblemCode::MalformedJson,
                    format!("問題ファイルを読めません: {e}"),
                    format!("the instance is not valid: {e}"),
                )
            })?;
            let opts =
                Options { time_limit: time_limit_ms.map(std::time::Duration::from_millis), analyse: !no_analysis };
            let plan = solve(&inst, opts).map_err(|e| match e {
                OptimiseError::Invalid { field, ja, en } => located(field, ProblemCode::InvalidArgument, ja, en),
                OptimiseError::Infeasible { constraint, ja, en } => {
                    located(constraint, ProblemCode::Infeasible, ja, en)
                }
                OptimiseError::Solver(m) => CliError::from(ServiceError::Internal(anyhow::anyhow!(m))),
            })?;
            match format {
                Format::Json | Format::Csv => {
                    println!("{}", serde_json::to_string_pretty(&plan).expect("plan serialises"))
                }
                Format::Text => {
                    println!(
                        "目的関数値/objective {:.6}  {}  配分額/allocated {} / 財源/pool {}",
                        plan.objective,
                        if plan.proven_optimal {
                            "最適性証明済/proven optimal".to_string()
                        } else {
                            format!("ギャップ/gap {:.2e}", plan.gap)
                        },
                        plan.allocated,
                        inst.pool
                    );
                    for (id, yen) in plan.allocations.iter().filter(|(_, y)| **y > 0) {
                        println!("  {id}\t{yen}");
                    }
                    for c in plan.constraints.iter().filter(|c| c.binding) {
                        println!(
                            "  拘束/binding: {} ({}) {} / {}  限界価値/marginal {:.3e}",
                            c.name, c.kind, c.used, c.amount, c.marginal_value
                        );
                    }
                }
            }
            Ok(())
        }
        _ => unreachable!("the other fund commands need the database"),
    }
}

fn yen(field: &str, text: &str) -> Result<i64, CliError> {
    Ok(crate::commands::yen_arg(field, text)?.get())
}

/// The fund commands that work on the database.
pub async fn run(svc: &Service, actor: &Actor, command: FundCommand) -> Result<(), CliError> {
    match command {
        FundCommand::Solve { .. } => unreachable!("runs without a database"),
        FundCommand::Pool { fy, amount } => {
            svc.set_fund_pool(actor, fy, haibun_domain::Yen(yen("--amount", &amount)?)).await?;
            println!("{fy}: 調整費の財源を設定しました / pool set: {amount}");
        }
        FundCommand::Round { fy, round_type, title } => {
            let id = svc.open_fund_round(actor, fy, &round_type, &title).await?;
            println!("調整費の回 #{id} を開きました / round #{id} opened");
        }
        FundCommand::Propose {
            round,
            ministry,
            line,
            requested,
            min,
            rationale,
            evidence,
            needs,
            urgency,
            priority_items,
            targets,
        } => {
            let requested = yen("--requested", &requested)?;
            let min = match min {
                Some(m) => yen("--min", &m)?,
                None => requested,
            };
            let input = ProposalInput {
                ministry,
                line_id: line,
                requested,
                min,
                rationale,
                evidence,
                needs,
                urgency,
                priority_items,
                targets,
            };
            let id = svc.propose_fund(actor, round, &input).await?;
            println!("提案 #{id} を登録しました / proposal #{id} recorded");
        }
        FundCommand::Attach { proposal, file } => {
            let bytes = read_attachment(&file)?;
            let name = file.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            let id = svc.attach_fund(actor, proposal, name, &bytes).await?;
            println!("提案 #{proposal} に添付しました（#{id}）/ attached to proposal #{proposal} as #{id}");
        }
        FundCommand::Outcome { allocation, result, achieved } => {
            svc.record_fund_outcome(actor, allocation, &result, &achieved).await?;
            println!("配分 #{allocation} の成果を記録しました / outcome of allocation #{allocation} recorded");
        }
        FundCommand::Check { round, note } => {
            svc.check_fund_round(actor, round, &note).await?;
            println!("回 #{round} の事後評価を完了しました / round #{round}'s ex-post check done");
        }
        FundCommand::Score { proposal, scores } => {
            let mut parsed = Vec::new();
            for s in &scores {
                let (code, score) = s
                    .split_once('=')
                    .and_then(|(c, v)| v.trim().parse::<i64>().ok().map(|v| (c.trim().to_string(), v)))
                    .ok_or_else(|| invalid("--score", &format!("CODE=点数 の形で / as CODE=score: {s}")))?;
                parsed.push((code, score));
            }
            svc.score_fund(actor, proposal, &parsed).await?;
            println!("提案 #{proposal} を評価しました / proposal #{proposal} scored");
        }
        FundCommand::Plan { round, format } => {
            let (plan, proposals) = svc.fund_plan(actor, round).await?;
            match format {
                Format::Json | Format::Csv => {
                    println!("{}", serde_json::to_string_pretty(&plan).expect("plan serialises"))
                }
                Format::Text => {
                    println!(
                        "回 #{round}: 目的関数値/objective {:.3}  {}  配分/allocated {}",
                        plan.objective,
                        if plan.proven_optimal {
                            "最適性証明済/proven optimal"
                        } else {
                            "時間制限/time limit"
                        },
                        plan.allocated
                    );
                    for p in &proposals {
                        let a = plan.allocations.get(&p.id.to_string()).copied().unwrap_or(0);
                        println!(
                            "  #{}\t{}/{}\t要求/requested {}\t最低/min {}\t配分/plan {a}",
                            p.id, p.ministry, p.line_id, p.requested, p.min_amount
                        );
                    }
                    for s in &plan.pool_sweep {
                        println!("  財源/pool {}% ({}): 目的関数値/objective {:?}", s.percent, s.pool, s.objective);
                    }
                }
            }
        }
        FundCommand::Constrain { round, kind, dimension, code, amount } => {
            let amount = amount.map(|a| yen("--amount", &a)).transpose()?;
            svc.set_fund_constraint(actor, round, &kind, &dimension, &code, amount).await?;
            println!("回 #{round}: {kind} {dimension}:{code} = {amount:?}");
        }
        FundCommand::Decide { round, changes } => {
            let mut parsed = Vec::new();
            for c in &changes {
                let bad = || invalid("--change", &format!("提案=金額:理由 の形で / as PROPOSAL=AMOUNT:REASON: {c}"));
                let (p, rest) = c.split_once('=').ok_or_else(bad)?;
                let (amount, reason) = rest.split_once(':').ok_or_else(bad)?;
                parsed.push(PlanChange {
                    proposal: p.trim().parse().map_err(|_| bad())?,
                    amount: yen("--change", amount.trim())?,
                    reason: reason.trim().to_string(),
                });
            }
            let rows = svc.decide_fund(actor, round, &parsed, None).await?;
            let total: i64 = rows.iter().map(|r| r.amount).sum();
            println!(
                "回 #{round} を決定しました / round #{round} decided: {} 件/allocations, 合計/total {total}",
                rows.len()
            );
        }
        FundCommand::ExecutionPlan { round, unit, output } => {
            let ext = output.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
            if !matches!(ext.as_deref(), Some("xlsx" | "html")) {
                return Err(invalid(
                    "--output",
                    &format!("拡張子は .xlsx か .html / the output must end in .xlsx or .html: {}", output.display()),
                ));
            }
            let plan = svc.execution_plan(actor, round, unit.into()).await?;
            let doc = plan.document();
            let bytes = if ext.as_deref() == Some("xlsx") {
                write_xlsx(doc).map_err(|e| CliError::Service(ServiceError::Internal(e.into())))?
            } else {
                write_html(doc, BookStyle::Inline { tokens_css: haibun_web::TOKENS_CSS }).into_bytes()
            };
            crate::output::write_file(&output, &bytes)?;
            println!("実行計画を書き出しました / execution plan written: {}", output.display());
        }
        FundCommand::Emergency { fy, ministry, line, amount, reason } => {
            let id = svc.emergency_fund(actor, fy, &reason, &ministry, &line, yen("--amount", &amount)?).await?;
            println!(
                "緊急配分 #{id} を行いました（内閣府の事後検証が必要）/ emergency allocation #{id} made (the Cabinet Office must review it)"
            );
        }
        FundCommand::Review { round, note } => {
            svc.review_fund(actor, round, &note).await?;
            println!("緊急配分 #{round} を検証しました / emergency allocation #{round} reviewed");
        }
        FundCommand::Status { fy, format } => {
            let st = svc.fund_state(actor, fy, &haibun_service::today()).await?;
            match format {
                Format::Json | Format::Csv => {
                    println!("{}", serde_json::to_string_pretty(&st).expect("state serialises"))
                }
                Format::Text => {
                    println!(
                        "{fy}: 財源/pool {} 配分済/allocated {} 残/remaining {}",
                        st.pool.map(|p| p.to_string()).unwrap_or_else(|| "未設定/not set".into()),
                        st.allocated,
                        st.remaining
                    );
                    for (r, p) in st.rounds.iter().zip(&st.phases) {
                        let mut overdue = String::new();
                        if st.overdue_reviews.contains(&r.id) {
                            overdue.push_str("  ⚠ 事後検証期限超過/REVIEW OVERDUE");
                        }
                        if st.overdue_checks.contains(&r.id) {
                            overdue.push_str("  ⚠ 事後評価期限超過/EX-POST CHECK OVERDUE");
                        }
                        println!(
                            "  #{}\t{}\t{}\t{}（{}）\t{}{overdue}",
                            r.id,
                            r.kind,
                            r.round_type,
                            p.phase.name_ja(),
                            p.phase.name(),
                            r.title
                        );
                    }
                    for a in &st.allocations {
                        println!(
                            "  配分/allocation #{}: 回/round #{} {}/{} {} — {}",
                            a.id, a.round_id, a.ministry, a.line_id, a.amount, a.reason
                        );
                    }
                }
            }
        }
    }
    Ok(())
}

/// Reads an attachment, refusing before reading anything over the limit.
fn read_attachment(file: &std::path::Path) -> Result<Vec<u8>, CliError> {
    let meta = std::fs::metadata(file)
        .map_err(|e| invalid("FILE", &format!("読めません / cannot read {}: {e}", file.display())))?;
    if !meta.is_file() || meta.len() > haibun_service::MAX_ATTACHMENT as u64 {
        return Err(invalid(
            "FILE",
            &format!(
                "{} MiB 以下のファイルを指定してください / give a file of at most {} MiB: {}",
                haibun_service::MAX_ATTACHMENT >> 20,
                haibun_service::MAX_ATTACHMENT >> 20,
                file.display()
            ),
        ));
    }
    std::fs::read(file).map_err(|e| invalid("FILE", &format!("読めません / cannot read {}: {e}", file.display())))
}
