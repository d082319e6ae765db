//! The optimiser on small instances worked out by hand, and its refusals.

use super::*;

fn p(id: &str, min: i64, max: i64, v: f64) -> Proposal {
    Proposal { id: id.into(), min, max, value_per_yen: v }
}

#[test]
fn the_optimum_beats_funding_the_best_value_per_yen_first() {
    let inst = Instance {
        pool: 1_000,
        proposals: vec![p("A", 100, 600, 3.0), p("B", 500, 500, 2.0), p("C", 50, 400, 1.0)],
        constraints: vec![],
    };
    let plan = solve(&inst, Options { analyse: true, ..Options::default() }).unwrap();
    assert!(plan.proven_optimal);
    // Greedy would fund A fully (600) and C with the rest (400): 2,200. Cutting A to 500 lets
    // the all-or-nothing B in whole: 1,500 + 1,000 = 2,500.
    assert_eq!(plan.allocations, BTreeMap::from([("A".into(), 500), ("B".into(), 500), ("C".into(), 0)]));
    assert!((plan.objective - 2_500.0).abs() < 1e-6);
    let pool = &plan.constraints[0];
    assert!(pool.binding);
    assert!(pool.marginal_value > 0.0);
    assert_eq!(plan.pool_sweep.len(), 4);
}

#[test]
fn an_unmeetable_floor_is_named() {
    let inst = Instance {
        pool: 1_000,
        proposals: vec![p("A", 100, 300, 1.0), p("B", 100, 300, 1.0)],
        constraints: vec![Constraint {
            name: Some("REGEN 30%".into()),
            kind: ConstraintKind::Floor,
            members: vec!["A".into()],
            amount: 400,
        }],
    };
    match solve(&inst, Options::default()) {
        Err(OptimiseError::Infeasible { constraint, .. }) => assert_eq!(constraint, "REGEN 30%"),
        other => panic!("expected infeasible, got {other:?}"),
    }
}

#[test]
fn malformed_instances_are_refused_with_the_field() {
    let bad = |inst: Instance, field: &str| match inst.validate() {
        Err(OptimiseError::Invalid { field: f, .. }) => assert_eq!(f, field),
        other => panic!("expected invalid {field}, got {other:?}"),
    };
    bad(Instance { pool: 1, proposals: vec![p("A", 0, 1, 1.0)], constraints: vec![] }, "proposals[0].min");
    bad(Instance { pool: 1, proposals: vec![p("A", 5, 1, 1.0)], constraints: vec![] }, "proposals[0].max");
    bad(Instance { pool: -1, proposals: vec![], constraints: vec![] }, "pool");
    bad(
        Instance { pool: 1, proposals: vec![p("A", 1, 1, f64::NAN)], constraints: vec![] },
        "proposals[0].value_per_yen",
    );
    bad(
        Instance {
            pool: 1,
            proposals: vec![p("A", 1, 1, 1.0)],
            constraints: vec![Constraint {
                name: None,
                kind: ConstraintKind::Cap,
                members: vec!["Z".into()],
                amount: 1,
            }],
        },
        "constraints[0].members[0]",
    );
}
