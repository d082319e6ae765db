//! `haibun fund …`: the adjustment fund. `fund solve` runs the optimiser alone, without a database.

use haibun_domain::optimise::{Instance, OptimiseError, Options, solve};
use haibun_domain::problem::{Location, Problem, ProblemCode};
use haibun_service::ServiceError;

use crate::cli::{Format, FundCommand};
use crate::commands::lines::read_input;
use crate::output::CliError;

/// Runs a fund command.
pub fn run(command: FundCommand) -> Result<(), CliError> {
    match command {
        FundCommand::Solve { instance, format, time_limit_ms, no_analysis } => {
            let file = instance.display().to_string();
            let bytes = read_input(&instance)?;
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
    }
}
