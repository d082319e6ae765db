//! The adjustment fund's optimiser against HiGHS (scipy.optimize.milp) on 200+ seeded instances
//! and edge cases, and `haibun fund solve` through the real binary.

use std::process::Command;

use haibun_domain::optimise::{
    Constraint, ConstraintKind, Instance, OptimiseError, Options, Proposal, generate, solve,
};

fn python() -> Option<String> {
    let python = std::env::var("HAIBUN_BENCH_PYTHON").unwrap_or_else(|_| "python3".into());
    let ok = Command::new(&python).args(["-c", "import scipy.optimize"]).output().is_ok_and(|o| o.status.success());
    if ok {
        return Some(python);
    }
    assert!(
        std::env::var_os("HAIBUN_REQUIRE_BENCH_PYTHON").is_none(),
        "HAIBUN_REQUIRE_BENCH_PYTHON is set but {python} lacks scipy"
    );
    eprintln!("SKIPPED: {python} has no scipy (HiGHS); scripts/test.sh makes a virtual environment with it");
    None
}

fn p(id: &str, min: i64, max: i64, v: f64) -> Proposal {
    Proposal { id: id.into(), min, max, value_per_yen: v }
}

fn edge_cases() -> Vec<(&'static str, Instance)> {
    let four = || vec![p("A", 400, 900, 2.0), p("B", 300, 300, 3.0), p("C", 250, 700, 1.0), p("D", 500, 800, 2.0)];
    vec![
        ("pool smaller than every minimum", Instance { pool: 200, proposals: four(), constraints: vec![] }),
        ("everything fits", Instance { pool: 10_000, proposals: four(), constraints: vec![] }),
        (
            "ties",
            Instance {
                pool: 1_000,
                proposals: vec![p("A", 300, 600, 1.0), p("B", 300, 600, 1.0), p("C", 300, 600, 1.0)],
                constraints: vec![],
            },
        ),
        (
            "a floor that cannot be met",
            Instance {
                pool: 1_000,
                proposals: four(),
                constraints: vec![Constraint {
                    name: Some("REGEN at least".into()),
                    kind: ConstraintKind::Floor,
                    members: vec!["B".into()],
                    amount: 301,
                }],
            },
        ),
        (
            "a cap of nothing",
            Instance {
                pool: 2_000,
                proposals: four(),
                constraints: vec![Constraint {
                    name: None,
                    kind: ConstraintKind::Cap,
                    members: vec!["A".into(), "D".into()],
                    amount: 0,
                }],
            },
        ),
        ("no proposals", Instance { pool: 2_000, proposals: vec![], constraints: vec![] }),
        (
            "a floor forcing a worse proposal in",
            Instance {
                pool: 1_000,
                proposals: four(),
                constraints: vec![Constraint {
                    name: None,
                    kind: ConstraintKind::Floor,
                    members: vec!["C".into()],
                    amount: 600,
                }],
            },
        ),
    ]
}

#[test]
fn the_optimiser_finds_the_same_optimum_as_highs_on_200_instances() {
    let Some(python) = python() else { return };
    let mut cases: Vec<(String, Instance)> =
        edge_cases().into_iter().map(|(name, inst)| (name.to_string(), inst)).collect();
    for seed in 0..240u64 {
        let n = 2 + (seed as usize * 7) % 45;
        let constraints = (seed as usize) % 11;
        cases.push((format!("seed {seed}, {n} proposals, {constraints} constraints"), generate(seed, n, constraints)));
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("instances.json");
    let instances: Vec<&Instance> = cases.iter().map(|(_, i)| i).collect();
    std::fs::write(&file, serde_json::to_vec(&instances).unwrap()).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../bench/milp.py");
    let out = Command::new(&python).arg(script).arg(&file).output().expect("run milp.py");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let highs: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(highs.len(), cases.len());
    let (mut optimal, mut infeasible) = (0, 0);
    for ((name, inst), h) in cases.iter().zip(&highs) {
        let ours = solve(inst, Options::default());
        match h["status"].as_str().unwrap() {
            "optimal" => {
                let theirs = h["objective"].as_f64().unwrap();
                let plan = ours.unwrap_or_else(|e| panic!("{name}: HiGHS found {theirs}, haibun: {e}"));
                assert!(plan.proven_optimal, "{name}");
                let tol = 1e-6 * theirs.abs().max(1.0);
                assert!((plan.objective - theirs).abs() <= tol, "{name}: haibun {} vs HiGHS {theirs}", plan.objective);
                // The plan is whole yen and meets every constraint exactly.
                let total: i64 = plan.allocations.values().sum();
                assert!(total <= inst.pool, "{name}: over the pool");
                for pr in &inst.proposals {
                    let a = plan.allocations[&pr.id];
                    assert!(a == 0 || (pr.min..=pr.max).contains(&a), "{name}: {} gets {a}", pr.id);
                }
                for c in &inst.constraints {
                    let used: i64 = c.members.iter().map(|m| plan.allocations[m]).sum();
                    match c.kind {
                        ConstraintKind::Floor => assert!(used >= c.amount, "{name}: floor"),
                        ConstraintKind::Cap => assert!(used <= c.amount, "{name}: cap"),
                    }
                }
                optimal += 1;
            }
            "infeasible" => {
                assert!(
                    matches!(ours, Err(OptimiseError::Infeasible { .. })),
                    "{name}: HiGHS says infeasible, haibun {ours:?}"
                );
                infeasible += 1;
            }
            other => panic!("{name}: HiGHS ended with {other}: {}", h["highs_message"]),
        }
    }
    assert!(optimal >= 200, "{optimal} optimal instances compared");
    assert!(infeasible >= 1, "the unmeetable floor is among them");
    // The edge cases' plans, by hand.
    let plan = |i: usize| solve(&cases[i].1, Options::default()).unwrap();
    assert_eq!(plan(0).allocated, 0, "nothing fits");
    assert_eq!(plan(1).allocated, 900 + 300 + 700 + 800, "everything fits");
    assert_eq!(plan(2).allocated, 1_000);
    match solve(&cases[3].1, Options::default()) {
        Err(OptimiseError::Infeasible { constraint, .. }) => assert_eq!(constraint, "REGEN at least"),
        other => panic!("{other:?}"),
    }
    assert_eq!(plan(4).allocations["A"] + plan(4).allocations["D"], 0);
    assert!(plan(6).allocations["C"] >= 600);
}

#[test]
fn fund_solve_through_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str, body: &str, extra: &[&str]| {
        let path = dir.path().join(name);
        std::fs::write(&path, body).unwrap();
        Command::new(env!("CARGO_BIN_EXE_haibun")).args(["fund", "solve"]).arg(&path).args(extra).output().unwrap()
    };
    let ok = run(
        "ok.json",
        r#"{"pool": 1000, "proposals": [{"id": "P1", "min": 100, "max": 600, "value_per_yen": 3},
            {"id": "P2", "min": 500, "max": 500, "value_per_yen": 2}, {"id": "P3", "min": 50, "max": 400, "value_per_yen": 1}],
            "constraints": [{"kind": "cap", "members": ["P1"], "amount": 400}]}"#,
        &[],
    );
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    let plan: serde_json::Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!(plan["proven_optimal"], true);
    // The cap holds P1 to 400; P2 is all or nothing (500); P3 takes the last 100.
    assert_eq!(plan["allocations"]["P1"], 400);
    assert_eq!(plan["allocations"]["P2"], 500);
    assert_eq!(plan["allocations"]["P3"], 100);
    assert!((plan["objective"].as_f64().unwrap() - 2300.0).abs() < 1e-6);
    let cap = plan["constraints"].as_array().unwrap().iter().find(|c| c["kind"] == "cap").unwrap();
    assert_eq!(cap["binding"], true);
    assert!(cap["marginal_value"].as_f64().unwrap() > 0.0, "one more yen of cap buys value");
    assert_eq!(plan["pool_sweep"].as_array().unwrap().len(), 4);

    let infeasible = run(
        "floor.json",
        r#"{"pool": 100, "proposals": [{"id": "P1", "min": 10, "max": 50, "value_per_yen": 1}],
            "constraints": [{"name": "REGEN 30%", "kind": "floor", "members": ["P1"], "amount": 60}]}"#,
        &[],
    );
    assert_eq!(infeasible.status.code(), Some(2));
    let err = String::from_utf8_lossy(&infeasible.stderr);
    assert!(err.contains("E_INFEASIBLE") && err.contains("REGEN 30%"), "{err}");

    for (name, body, expect) in [
        ("empty.json", "", "E_MALFORMED_JSON"),
        ("garbage.json", "{\"pool\": 1, \"proposals\": [", "E_MALFORMED_JSON"),
        ("unknown.json", r#"{"pool": 1, "proposals": [], "surprise": 1}"#, "E_MALFORMED_JSON"),
        (
            "negative.json",
            r#"{"pool": 1, "proposals": [{"id": "P1", "min": -5, "max": 5, "value_per_yen": 1}]}"#,
            "proposals[0].min",
        ),
        (
            "min-above.json",
            r#"{"pool": 1, "proposals": [{"id": "P1", "min": 9, "max": 5, "value_per_yen": 1}]}"#,
            "proposals[0].max",
        ),
        ("float.json", r#"{"pool": 1.5, "proposals": []}"#, "E_MALFORMED_JSON"),
    ] {
        let out = run(name, body, &[]);
        assert_eq!(out.status.code(), Some(2), "{name}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expect) && err.contains(name), "{name}: {err}");
    }
}
