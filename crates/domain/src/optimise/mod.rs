//! The adjustment fund's optimiser (調整費の配分案): which proposals to fund, and how much, to
//! maximise the weighted value bought with the pool.
//!
//! Each proposal receives 0 or a whole-yen amount in `[min, max]` (all-or-nothing when
//! `min = max`); the objective is Σ `value_per_yen` × amount, subject to the pool and to floors and
//! caps on groups of proposals. The model is a mixed-integer programme (a binary "funded" variable
//! and a continuous amount per proposal) solved to proven optimality by branch and bound over
//! linear relaxations (the `microlp` crate, pure Rust). Amounts are scaled for the solver and the
//! solution is brought back to whole yen exactly: values at a bound are snapped to it, the few
//! amounts strictly between bounds are rounded down, and any floor that rounding left short is
//! topped up; the result is checked against every constraint in integer arithmetic. The rounding
//! can cost at most one yen's value per rounded proposal, which `gap` reports.

mod generate;
#[cfg(test)]
mod tests;

pub use generate::generate;

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::money::Yen;

/// One proposal as the optimiser sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Proposal {
    /// Its id.
    pub id: String,
    /// The least useful amount (> 0).
    pub min: i64,
    /// The amount requested (≥ min).
    pub max: i64,
    /// Value bought per yen (the weighted score over the requested amount).
    pub value_per_yen: f64,
}

/// A floor or a cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConstraintKind {
    /// At least `amount` to the members together.
    Floor,
    /// At most `amount` to the members together.
    Cap,
}

/// A floor or cap on the total given to a group of proposals (a project, a disease area, a
/// priority item, a ministry).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Constraint {
    /// A name for messages (default: `constraints[i]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Floor or cap.
    pub kind: ConstraintKind,
    /// Proposal ids.
    pub members: Vec<String>,
    /// Yen.
    pub amount: i64,
}

/// An optimisation problem: the documented input of `haibun fund solve`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Instance {
    /// The money available, yen.
    pub pool: i64,
    /// The proposals.
    pub proposals: Vec<Proposal>,
    /// Group floors and caps.
    #[serde(default)]
    pub constraints: Vec<Constraint>,
}

/// A constraint of the plan with its slack and marginal value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConstraintReport {
    /// `pool` or the constraint's name.
    pub name: String,
    /// floor, cap or pool.
    pub kind: &'static str,
    /// Its amount.
    pub amount: i64,
    /// What the plan gives the group (or spends of the pool).
    pub used: i64,
    /// Whether it holds with equality (or within the yen lost to rounding).
    pub binding: bool,
    /// Value gained per yen by which the constraint is loosened (more pool, a higher cap, a lower
    /// floor), measured by solving again; 0 where not binding.
    pub marginal_value: f64,
}

/// The plan at another pool size.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SweepPoint {
    /// Percent of the pool.
    pub percent: u32,
    /// That pool, yen.
    pub pool: i64,
    /// The optimum there (`None`: infeasible at that pool).
    pub objective: Option<f64>,
    /// Yen allocated there.
    pub allocated: Option<i64>,
    /// Proposals funded there.
    pub funded: Option<usize>,
}

/// The optimiser's answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    /// Σ value_per_yen × amount.
    pub objective: f64,
    /// Whether branch and bound proved the optimum (false: a time limit stopped it; see `gap`).
    pub proven_optimal: bool,
    /// Relative distance to the best possible objective still unproven, including what whole-yen
    /// rounding may have cost.
    pub gap: f64,
    /// Yen per proposal id (every proposal, 0 if not funded).
    pub allocations: BTreeMap<String, i64>,
    /// Total allocated.
    pub allocated: i64,
    /// The pool and every constraint, with slack and marginal value.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub constraints: Vec<ConstraintReport>,
    /// The plan at 80 %, 90 %, 110 % and 120 % of the pool.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pool_sweep: Vec<SweepPoint>,
}

/// Why there is no plan.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OptimiseError {
    /// The instance is malformed: where, and why.
    #[error("{field}: {ja} / {en}")]
    Invalid {
        /// The field (`proposals[2].min`).
        field: String,
        /// Japanese.
        ja: String,
        /// English.
        en: String,
    },
    /// No plan satisfies every constraint; `constraint` names one that cannot be met.
    #[error("{constraint}: {ja} / {en}")]
    Infeasible {
        /// The constraint.
        constraint: String,
        /// Japanese.
        ja: String,
        /// English.
        en: String,
    },
    /// The solver failed.
    #[error("solver: {0}")]
    Solver(String),
}

fn invalid(field: impl Into<String>, ja: impl Into<String>, en: impl Into<String>) -> OptimiseError {
    OptimiseError::Invalid { field: field.into(), ja: ja.into(), en: en.into() }
}

/// The largest amount accepted anywhere (10^15 yen, far above any budget), so that sums fit
/// easily in i64 and scaled values stay precise in f64.
pub const MAX_AMOUNT: i64 = 1_000_000_000_000_000;

impl Instance {
    fn constraint_name(&self, i: usize) -> String {
        self.constraints[i].name.clone().unwrap_or_else(|| format!("constraints[{i}]"))
    }

    /// Checks the instance; returns each constraint's members as proposal indices.
    pub fn validate(&self) -> Result<Vec<Vec<usize>>, OptimiseError> {
        if !(0..=MAX_AMOUNT).contains(&self.pool) {
            return Err(invalid("pool", "財源は0以上10^15円以下です", "the pool must be between 0 and 10^15 yen"));
        }
        let mut index = HashMap::new();
        for (i, p) in self.proposals.iter().enumerate() {
            let at = |f: &str| format!("proposals[{i}].{f}");
            if p.id.trim().is_empty() {
                return Err(invalid(at("id"), "提案IDが空です", "the proposal id is empty"));
            }
            if index.insert(p.id.as_str(), i).is_some() {
                return Err(invalid(
                    at("id"),
                    format!("提案ID {} が重複しています", p.id),
                    format!("duplicate proposal id {}", p.id),
                ));
            }
            if p.min <= 0 || p.min > MAX_AMOUNT {
                return Err(invalid(
                    at("min"),
                    "最低額は1円以上10^15円以下です",
                    "min must be between 1 and 10^15 yen",
                ));
            }
            if p.max < p.min || p.max > MAX_AMOUNT {
                return Err(invalid(
                    at("max"),
                    format!("要求額（{}）が最低額（{}）を下回るか上限を超えています", p.max, p.min),
                    format!("max ({}) is below min ({}) or above 10^15", p.max, p.min),
                ));
            }
            if !p.value_per_yen.is_finite() || p.value_per_yen < 0.0 {
                return Err(invalid(
                    at("value_per_yen"),
                    "1円あたり価値は0以上の有限値です",
                    "value_per_yen must be finite and ≥ 0",
                ));
            }
        }
        let mut groups = Vec::new();
        for (c, con) in self.constraints.iter().enumerate() {
            if !(0..=MAX_AMOUNT).contains(&con.amount) {
                return Err(invalid(
                    format!("constraints[{c}].amount"),
                    "金額は0以上10^15円以下です",
                    "the amount must be between 0 and 10^15 yen",
                ));
            }
            let mut members = Vec::new();
            for (k, m) in con.members.iter().enumerate() {
                let Some(&i) = index.get(m.as_str()) else {
                    return Err(invalid(
                        format!("constraints[{c}].members[{k}]"),
                        format!("提案 {m} はありません"),
                        format!("no proposal {m}"),
                    ));
                };
                if !members.contains(&i) {
                    members.push(i);
                }
            }
            groups.push(members);
        }
        Ok(groups)
    }
}

/// Solver options.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Stop after this long with the best plan found and its gap.
    pub time_limit: Option<Duration>,
    /// Also report each constraint's marginal value and the pool sweep (more solves).
    pub analyse: bool,
}

/// One solve of the model: amounts in yen (whole), objective, proven, the solver's gap.
struct Solved {
    x: Vec<i64>,
    proven: bool,
    gap: f64,
}

/// A power of ten that brings the largest amount to about 10^4 for the solver.
fn scale_of(inst: &Instance) -> f64 {
    let largest = inst
        .proposals
        .iter()
        .map(|p| p.max)
        .chain([inst.pool])
        .chain(inst.constraints.iter().map(|c| c.amount))
        .max()
        .unwrap_or(1)
        .max(1);
    let digits = (largest as f64).log10().floor() as i32;
    10f64.powi((digits - 4).max(0))
}

/// Solves the model at `pool`. An infeasible model is diagnosed (which constraint cannot be met,
/// by solving without each in turn) only when `diagnose`; those solves never diagnose again.
fn solve_model(
    inst: &Instance,
    groups: &[Vec<usize>],
    pool: i64,
    opts: Options,
    diagnose: bool,
) -> Result<Solved, OptimiseError> {
    use microlp::{ComparisonOp, OptimizationDirection, Problem};
    let s = scale_of(inst);
    let n = inst.proposals.len();
    let mut pb = Problem::new(OptimizationDirection::Maximize);
    let mut xs = Vec::with_capacity(n);
    let mut ys = Vec::with_capacity(n);
    for p in &inst.proposals {
        let (lo, hi) = (p.min as f64 / s, p.max as f64 / s);
        // The objective is in value per scaled unit, so its coefficients stay near the values per yen.
        let y = pb.add_binary_var(if p.min == p.max { p.value_per_yen * hi } else { 0.0 });
        if p.min == p.max {
            // All or nothing: the amount is max × y.
            xs.push(None);
        } else {
            let x = pb.add_var(p.value_per_yen, (0.0, hi));
            pb.add_constraint([(x, 1.0), (y, -hi)], ComparisonOp::Le, 0.0);
            pb.add_constraint([(x, 1.0), (y, -lo)], ComparisonOp::Ge, 0.0);
            xs.push(Some(x));
        }
        ys.push(y);
    }
    let amount_expr = |members: &mut dyn Iterator<Item = usize>| -> Vec<(microlp::Variable, f64)> {
        members
            .map(|i| match xs[i] {
                Some(x) => (x, 1.0),
                None => (ys[i], inst.proposals[i].max as f64 / s),
            })
            .collect()
    };
    pb.add_constraint(amount_expr(&mut (0..n)), ComparisonOp::Le, pool as f64 / s);
    for (c, members) in groups.iter().enumerate() {
        let con = &inst.constraints[c];
        let op = match con.kind {
            ConstraintKind::Floor => ComparisonOp::Ge,
            ConstraintKind::Cap => ComparisonOp::Le,
        };
        pb.add_constraint(amount_expr(&mut members.iter().copied()), op, con.amount as f64 / s);
    }
    let mut options = microlp::SolveOptions::default();
    options.time_limit = opts.time_limit;
    let outcome = match pb.solve_with(options) {
        Ok(o) => o,
        Err(microlp::Error::Infeasible) if diagnose => return Err(infeasible(inst, groups, pool)),
        Err(microlp::Error::Infeasible) => return Err(not_together()),
        Err(e) => return Err(OptimiseError::Solver(e.to_string())),
    };
    let proven = outcome.is_optimal();
    let Some(sol) = outcome.solution() else {
        return Err(OptimiseError::Solver("no plan found within the time limit".into()));
    };
    let gap = if proven { 0.0 } else { sol.gap().unwrap_or(f64::INFINITY) };
    let x: Vec<i64> = (0..n)
        .map(|i| {
            let p = &inst.proposals[i];
            let funded = sol.var_value(ys[i]) > 0.5;
            match (funded, xs[i]) {
                (false, _) => 0,
                (true, None) => p.max,
                (true, Some(x)) => {
                    let yen = sol.var_value(x) * s;
                    // Snap to a bound within the solver's tolerance; otherwise round down.
                    // Within a yen only, so snapping never spends money the pool or a cap lacks.
                    let tol = 1.0;
                    if (yen - p.max as f64).abs() <= tol {
                        p.max
                    } else if (yen - p.min as f64).abs() <= tol {
                        p.min
                    } else {
                        (yen.floor() as i64).clamp(p.min, p.max)
                    }
                }
            }
        })
        .collect();
    Ok(Solved { x, proven, gap })
}

/// Names a constraint that cannot be met: a floor larger than what its members could receive,
/// or, failing that, the first constraint whose removal makes the rest feasible.
fn infeasible(inst: &Instance, groups: &[Vec<usize>], pool: i64) -> OptimiseError {
    for (c, members) in groups.iter().enumerate() {
        let con = &inst.constraints[c];
        if con.kind != ConstraintKind::Floor {
            continue;
        }
        let reach = members.iter().map(|&i| i128::from(inst.proposals[i].max)).sum::<i128>().min(i128::from(pool));
        if i128::from(con.amount) > reach {
            let name = inst.constraint_name(c);
            return OptimiseError::Infeasible {
                ja: format!("下限 {}円 に対し、対象の提案に配分できるのは最大 {}円 です", con.amount, reach),
                en: format!(
                    "the floor of {} yen cannot be met: its proposals can receive at most {} yen",
                    con.amount, reach
                ),
                constraint: name,
            };
        }
    }
    for c in 0..inst.constraints.len() {
        let mut relaxed = inst.clone();
        relaxed.constraints.remove(c);
        let mut g = groups.to_vec();
        g.remove(c);
        if solve_model(&relaxed, &g, pool, Options::default(), false).is_ok() {
            let name = inst.constraint_name(c);
            return OptimiseError::Infeasible {
                ja: "この制約は他の制約・財源と両立しません".into(),
                en: "this constraint cannot be met together with the others and the pool".into(),
                constraint: name,
            };
        }
    }
    not_together()
}

fn not_together() -> OptimiseError {
    OptimiseError::Infeasible {
        constraint: "constraints".into(),
        ja: "制約の組合せを満たす配分がありません".into(),
        en: "no allocation meets the constraints together".into(),
    }
}

fn sum_of(x: &[i64], members: &[usize]) -> i64 {
    members.iter().map(|&i| x[i]).sum()
}

/// Tops up floors that rounding left short (from proposals strictly inside their range, within
/// the pool and caps), then checks every constraint exactly.
fn repair(inst: &Instance, groups: &[Vec<usize>], pool: i64, x: &mut [i64]) -> Result<(), OptimiseError> {
    for (c, members) in groups.iter().enumerate() {
        let con = &inst.constraints[c];
        if con.kind != ConstraintKind::Floor {
            continue;
        }
        let mut short = con.amount - sum_of(x, members);
        for &i in members {
            if short <= 0 {
                break;
            }
            let p = &inst.proposals[i];
            if x[i] == 0 || x[i] >= p.max {
                continue;
            }
            let pool_room = pool - x.iter().sum::<i64>();
            let cap_room = groups
                .iter()
                .enumerate()
                .filter(|(k, g)| inst.constraints[*k].kind == ConstraintKind::Cap && g.contains(&i))
                .map(|(k, g)| inst.constraints[k].amount - sum_of(x, g))
                .min()
                .unwrap_or(i64::MAX);
            let add = short.min(p.max - x[i]).min(pool_room).min(cap_room).max(0);
            x[i] += add;
            short -= add;
        }
    }
    if x.iter().sum::<i64>() > pool {
        return Err(OptimiseError::Solver("the rounded plan exceeds the pool".into()));
    }
    for (c, members) in groups.iter().enumerate() {
        let con = &inst.constraints[c];
        let used = sum_of(x, members);
        let ok = match con.kind {
            ConstraintKind::Floor => used >= con.amount,
            ConstraintKind::Cap => used <= con.amount,
        };
        if !ok {
            return Err(OptimiseError::Solver(format!("the rounded plan misses {}", inst.constraint_name(c))));
        }
    }
    Ok(())
}

fn objective(inst: &Instance, x: &[i64]) -> f64 {
    inst.proposals.iter().zip(x).map(|(p, &a)| p.value_per_yen * a as f64).sum()
}

/// Solves at a pool, brings the plan to whole yen, returns it with its objective.
fn plan_at(
    inst: &Instance,
    groups: &[Vec<usize>],
    pool: i64,
    opts: Options,
    diagnose: bool,
) -> Result<(Solved, f64), OptimiseError> {
    let mut solved = solve_model(inst, groups, pool, opts, diagnose)?;
    repair(inst, groups, pool, &mut solved.x)?;
    let obj = objective(inst, &solved.x);
    Ok((solved, obj))
}

/// Finds the plan of greatest value: proven optimal unless a time limit stopped the search.
pub fn solve(inst: &Instance, opts: Options) -> Result<Plan, OptimiseError> {
    let groups = inst.validate()?;
    let (solved, obj) = plan_at(inst, &groups, inst.pool, opts, true)?;
    // What rounding to whole yen may have cost: at most one yen's value per proposal strictly
    // inside its range.
    let rounded: f64 = inst
        .proposals
        .iter()
        .zip(&solved.x)
        .filter(|(p, a)| **a > p.min && **a < p.max)
        .map(|(p, _)| p.value_per_yen)
        .sum();
    let gap = solved.gap + if obj > 0.0 { rounded / obj } else { 0.0 };
    let x = solved.x;
    let allocated: i64 = x.iter().sum();
    let mut constraints = Vec::new();
    let mut pool_sweep = Vec::new();
    if opts.analyse {
        // Binding within the yen rounding can move (one per proposal inside its range).
        let slack = inst.proposals.iter().zip(&x).filter(|(p, a)| **a > 0 && **a < p.max).count() as i64 + 1;
        let bump = |amount: i64| (amount / 1000).max(1);
        let pool_binding = inst.pool - allocated <= slack;
        let marginal = |loosened: &Instance, delta: i64| -> f64 {
            match plan_at(loosened, &groups, loosened.pool, Options { analyse: false, ..opts }, false) {
                Ok((_, o)) => ((o - obj) / delta as f64).max(0.0),
                Err(_) => 0.0,
            }
        };
        let pool_marginal = if pool_binding {
            let d = bump(inst.pool);
            marginal(&Instance { pool: inst.pool + d, ..inst.clone() }, d)
        } else {
            0.0
        };
        constraints.push(ConstraintReport {
            name: "pool".into(),
            kind: "pool",
            amount: inst.pool,
            used: allocated,
            binding: pool_binding,
            marginal_value: pool_marginal,
        });
        for (c, members) in groups.iter().enumerate() {
            let con = &inst.constraints[c];
            let used = sum_of(&x, members);
            let binding = (used - con.amount).abs() <= slack;
            let marginal_value = if binding {
                let d = bump(con.amount.max(1));
                let mut loosened = inst.clone();
                loosened.constraints[c].amount = match con.kind {
                    ConstraintKind::Cap => con.amount + d,
                    ConstraintKind::Floor => (con.amount - d).max(0),
                };
                marginal(&loosened, d)
            } else {
                0.0
            };
            constraints.push(ConstraintReport {
                name: inst.constraint_name(c),
                kind: match con.kind {
                    ConstraintKind::Floor => "floor",
                    ConstraintKind::Cap => "cap",
                },
                amount: con.amount,
                used,
                binding,
                marginal_value,
            });
        }
        for percent in [80u32, 90, 110, 120] {
            let pool = (i128::from(inst.pool) * i128::from(percent) / 100) as i64;
            let at = plan_at(inst, &groups, pool, Options { analyse: false, ..opts }, false).ok();
            pool_sweep.push(SweepPoint {
                percent,
                pool,
                objective: at.as_ref().map(|(_, o)| *o),
                allocated: at.as_ref().map(|(s, _)| s.x.iter().sum()),
                funded: at.as_ref().map(|(s, _)| s.x.iter().filter(|a| **a > 0).count()),
            });
        }
    }
    Ok(Plan {
        objective: obj,
        proven_optimal: solved.proven,
        gap,
        allocations: inst.proposals.iter().zip(&x).map(|(p, a)| (p.id.clone(), *a)).collect(),
        allocated,
        constraints,
        pool_sweep,
    })
}

/// Yen of a plan, as [`Yen`].
pub fn allocation(plan: &Plan, id: &str) -> Yen {
    Yen(plan.allocations.get(id).copied().unwrap_or(0))
}
