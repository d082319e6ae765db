//! The benchmark's four engines agree: haibun in memory, haibun end to end (the real binary on a
//! database), DuckDB and pandas give identical cross-tabs, cell by cell (not timed).

use std::process::Command;

#[test]
fn haibun_duckdb_and_pandas_give_identical_cross_tabs() {
    let python = std::env::var("HAIBUN_BENCH_PYTHON").unwrap_or_else(|_| "python3".into());
    let has_engines =
        Command::new(&python).args(["-c", "import duckdb, pandas"]).output().is_ok_and(|o| o.status.success());
    if !has_engines {
        assert!(
            std::env::var_os("HAIBUN_REQUIRE_BENCH_PYTHON").is_none(),
            "HAIBUN_REQUIRE_BENCH_PYTHON is set but {python} lacks duckdb or pandas"
        );
        eprintln!(
            "SKIPPED: {python} has no duckdb and pandas; scripts/test.sh makes a virtual environment with them (HAIBUN_BENCH_PYTHON)"
        );
        return;
    }
    let out = Command::new(env!("CARGO_BIN_EXE_haibun-bench"))
        .args(["--check", "--sizes", "2500,1", "--repeat", "1", "--seed", "7", "--python", &python, "--haibun"])
        .arg(env!("CARGO_BIN_EXE_haibun"))
        .output()
        .expect("run haibun-bench");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(stdout.matches("all four identical").count(), 2, "{stdout}");
}
