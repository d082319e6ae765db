//! Seeded instances for tests and benchmarks.

use super::{Constraint, ConstraintKind, Instance, Proposal};

/// A seeded instance of a realistic shape, for tests and benchmarks: `n` proposals requesting
/// ¥10 million to ¥1 billion (a fifth all-or-nothing, the others useful from 30–100 % of the
/// request), values per yen from scores of 1–100, a pool of 20–80 % of all requests, and
/// `constraints` group floors and caps (projects as a partition, disease areas as overlapping
/// groups) at levels that usually, not always, can be met.
pub fn generate(seed: u64, n: usize, constraints: usize) -> Instance {
    let mut rng = crate::rng::Rng::new(seed);
    let proposals: Vec<Proposal> = (0..n)
        .map(|i| {
            let exp = 7.0 + rng.below(1_000_000) as f64 / 1_000_000.0 * 2.0;
            let max = ((10f64.powf(exp) as i64) / 1_000).max(1) * 1_000;
            let min = if rng.below(5) == 0 { max } else { (max / 100 * rng.between(30, 100)).max(1_000).min(max) };
            let score = rng.between(1, 100) as f64;
            Proposal { id: format!("P{:05}", i + 1), min, max, value_per_yen: score / max as f64 * 1e6 }
        })
        .collect();
    let total: i64 = proposals.iter().map(|p| p.max).sum();
    let pool = total / 100 * rng.between(20, 80);
    let cs = (0..constraints)
        .map(|c| {
            // Even constraints: a project (every sixth proposal from an offset); odd: a disease
            // area (a random seventh of the proposals).
            let members: Vec<String> = proposals
                .iter()
                .enumerate()
                .filter(|(i, _)| if c % 2 == 0 { i % 6 == (c / 2) % 6 } else { rng.below(7) == 0 })
                .map(|(_, p)| p.id.clone())
                .collect();
            let reach: i64 = proposals.iter().filter(|p| members.contains(&p.id)).map(|p| p.max).sum();
            let floor = rng.below(3) == 0;
            let amount = if floor { reach / 100 * rng.between(5, 40) } else { reach / 100 * rng.between(20, 90) };
            Constraint {
                name: Some(format!("{}{c}", if floor { "floor" } else { "cap" })),
                kind: if floor { ConstraintKind::Floor } else { ConstraintKind::Cap },
                members,
                amount: amount.min(pool),
            }
        })
        .collect();
    Instance { pool, proposals, constraints: cs }
}
