//! haibun-bench: the compilation at 10 k, 100 k and 1 M lines, against DuckDB and pandas, seeded.
//!
//! For each size it generates lines of a realistic shape (5 ministries, 6 projects, 7 disease areas
//! with 1–3 shares, 4 purposes with 1–2 shares, text summaries), then times:
//! - haibun in memory: `compile_columns` over the lines in columns (best of `--repeat`);
//! - haibun end to end: the real binary, `haibun compile --format json`, on a SQLite database
//!   holding the lines (process start to JSON, best of `--repeat`);
//! - DuckDB and pandas: `bench/crosstabs.py`, the same cross-tabs with share-weighted group-bys
//!   (load and query timed apart).
//!
//! All four results must be identical, cell by cell; a difference stops the run with exit 1.
//! `--check` runs the same comparison without printing timings (used by the tests).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use clap::Parser;
use haibun_domain::compile::{Columns, Compilation, Stage, compile_columns};
use haibun_domain::policy::Policy;
use haibun_domain::{FiscalYear, RequestLine};
use serde_json::{Value, json};

#[path = "../benchgen.rs"]
mod benchgen;
use benchgen::{generate, machine};

#[derive(Debug, Parser)]
#[command(about = "haibun's compilation against DuckDB and pandas, in one run")]
struct Args {
    /// Line counts to run.
    #[arg(long, value_delimiter = ',', default_value = "10000,100000,1000000")]
    sizes: Vec<usize>,
    /// The generator's seed.
    #[arg(long, default_value_t = 2023)]
    seed: u64,
    /// Timed runs per measurement (the best is reported).
    #[arg(long, default_value_t = 3)]
    repeat: usize,
    /// The Python with duckdb and pandas.
    #[arg(long, default_value = "python3")]
    python: String,
    /// The haibun binary (default: beside this one).
    #[arg(long)]
    haibun: Option<PathBuf>,
    /// Where data and databases go (default: a temporary folder, removed afterwards).
    #[arg(long)]
    workdir: Option<PathBuf>,
    /// Also write the figures as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Only check that all four agree; print no timings.
    #[arg(long)]
    check: bool,
    /// Benchmark the adjustment fund's optimiser against HiGHS instead (sizes are proposals;
    /// default 100,1000,10000, with 10 group constraints).
    #[arg(long)]
    optimiser: bool,
    /// Benchmark the policy check's classification and overlap detection instead (lines per
    /// second; overlap detection against the all-pairs baseline at sizes up to 10 000, with recall).
    #[arg(long)]
    review: bool,
}

/// Writes the three CSV files `bench/crosstabs.py` reads.
fn write_csv(dir: &Path, lines: &[RequestLine]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut l = std::io::BufWriter::new(std::fs::File::create(dir.join("lines.csv"))?);
    let mut d = std::io::BufWriter::new(std::fs::File::create(dir.join("disease_shares.csv"))?);
    let mut p = std::io::BufWriter::new(std::fs::File::create(dir.join("purpose_shares.csv"))?);
    writeln!(l, "line,ministry,project,channel,prior_year,request")?;
    writeln!(d, "line,seq,code,pct")?;
    writeln!(p, "line,seq,code,pct")?;
    for (i, x) in lines.iter().enumerate() {
        writeln!(
            l,
            "{i},{},{},{},{},{}",
            x.ministry,
            x.project.as_deref().unwrap_or(""),
            x.channel,
            x.prior_year.get(),
            x.request.get()
        )?;
        for (out, s) in [(&mut d, &x.disease_areas), (&mut p, &x.purposes)] {
            for (seq, (code, pct)) in s.iter().flat_map(|s| s.pairs()).enumerate() {
                writeln!(out, "{i},{seq},{code},{pct}")?;
            }
        }
    }
    l.flush()?;
    d.flush()?;
    p.flush()
}

type Canon = BTreeMap<String, BTreeMap<String, (i64, i64)>>;

/// The cross-tabs the Python script computes, from a compilation's JSON, in its canonical form.
fn canonical(c: &Value) -> Canon {
    let mut out = Canon::new();
    let pair = |v: &Value| (v["prior_year"].as_i64().expect("prior"), v["request"].as_i64().expect("request"));
    out.insert("total".into(), BTreeMap::from([(String::new(), pair(&c["total"]))]));
    for (name, keys) in [
        ("by_ministry", &["key"][..]),
        ("by_project", &["key"]),
        ("by_channel", &["key"]),
        ("by_disease_area", &["key"]),
        ("by_purpose", &["key"]),
        ("by_ministry_project", &["ministry", "project"]),
        ("by_project_disease_area", &["project", "disease_area"]),
    ] {
        let rows = c[name].as_array().expect("breakdown").iter().map(|r| {
            let k = keys.iter().map(|k| r[*k].as_str().expect("key")).collect::<Vec<_>>().join("|");
            (k, pair(r))
        });
        out.insert(name.into(), rows.collect());
    }
    out
}

/// The Python script's result in the same form.
fn canonical_python(r: &Value) -> Canon {
    let mut out = Canon::new();
    let pair = |v: &Value| (v[0].as_i64().expect("prior"), v[1].as_i64().expect("request"));
    out.insert("total".into(), BTreeMap::from([(String::new(), pair(&r["total"]))]));
    for (name, rows) in r.as_object().expect("result") {
        if name == "total" {
            continue;
        }
        out.insert(name.clone(), rows.as_object().expect("rows").iter().map(|(k, v)| (k.clone(), pair(v))).collect());
    }
    out
}

fn first_difference(a: &Canon, b: &Canon) -> Option<String> {
    for (name, rows) in a {
        let Some(other) = b.get(name) else { return Some(format!("{name} missing")) };
        for (k, v) in rows {
            if other.get(k) != Some(v) {
                return Some(format!("{name}[{k}]: {v:?} vs {:?}", other.get(k)));
            }
        }
        if rows.len() != other.len() {
            return Some(format!("{name}: {} vs {} rows", rows.len(), other.len()));
        }
    }
    (a.len() != b.len()).then(|| format!("{} vs {} breakdowns", a.len(), b.len()))
}

fn best<T>(repeat: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::INFINITY;
    let mut last = None;
    for _ in 0..repeat.max(1) {
        let t = Instant::now();
        let v = f();
        best = best.min(t.elapsed().as_secs_f64());
        last = Some(v);
    }
    (best, last.expect("ran once"))
}

/// A SQLite database holding the lines, through the store's own writes, in one transaction.
async fn database(path: &Path, lines: &[RequestLine]) -> anyhow::Result<()> {
    let _ = std::fs::remove_file(path);
    let db = path.display().to_string();
    let svc = haibun_service::Service::open(&db, true).await?;
    svc.init(&haibun_service::Actor::system(), lines[0].fiscal_year).await?;
    svc.close().await;
    let store = haibun_store::Store::open(&db, haibun_store::OpenMode::Existing).await?;
    let mut tx = store.begin().await?;
    for l in lines {
        tx.save_line(l, None, "bench", "2023-01-01T00:00:00Z").await?;
    }
    tx.commit().await?;
    store.close().await;
    Ok(())
}

/// The optimiser against HiGHS (scipy.optimize.milp), on the same seeded instances, in one run.
fn optimiser(args: &Args) -> anyhow::Result<()> {
    use haibun_domain::optimise::{Options, generate, solve};
    let sizes = if args.sizes == [10_000, 100_000, 1_000_000] { vec![100, 1_000, 10_000] } else { args.sizes.clone() };
    let tmp = tempfile::tempdir()?;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/milp.py");
    println!(
        "haibun-bench --optimiser: seed {}, 10 group constraints, best of {} runs; machine: {}",
        args.seed,
        args.repeat,
        machine()
    );
    let mut report = Vec::new();
    for &n in &sizes {
        let inst = generate(args.seed, n, 10);
        let (ours_s, plan) = best(args.repeat, || solve(&inst, Options::default()));
        let plan = plan.map_err(|e| anyhow::anyhow!("{n} proposals: {e}"))?;
        let file = tmp.path().join(format!("fund-{n}.json"));
        std::fs::write(&file, serde_json::to_vec(&[&inst])?)?;
        let py =
            Command::new(&args.python).arg(&script).arg(&file).args(["--repeat", &args.repeat.to_string()]).output()?;
        anyhow::ensure!(py.status.success(), "{} failed: {}", script.display(), String::from_utf8_lossy(&py.stderr));
        let highs: Value = serde_json::from_slice(&py.stdout)?;
        let h = &highs[0];
        let theirs = h["objective"].as_f64().unwrap_or(f64::NAN);
        let highs_s = h["time_s"].as_f64().unwrap_or(f64::NAN);
        let same = (plan.objective - theirs).abs() <= 1e-6 * theirs.abs().max(1.0);
        anyhow::ensure!(same, "{n} proposals: haibun {} vs HiGHS {theirs}", plan.objective);
        let funded = plan.allocations.values().filter(|a| **a > 0).count();
        println!(
            "{n:>6} proposals: haibun {ours_s:.4} s (proven optimal: {}, {funded} funded)   HiGHS {highs_s:.4} s   haibun/HiGHS = {:.3}   objective {:.6} (same to 1e-6)",
            plan.proven_optimal,
            ours_s / highs_s,
            plan.objective
        );
        report.push(json!({"proposals": n, "constraints": 10, "seed": args.seed, "haibun_s": ours_s, "highs_s": highs_s,
            "proven_optimal": plan.proven_optimal, "objective": plan.objective, "highs_objective": theirs, "scipy": h["scipy"]}));
    }
    if let Some(p) = &args.json {
        std::fs::write(p, serde_json::to_string_pretty(&json!({"machine": machine(), "optimiser": report}))?)?;
    }
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if args.optimiser {
        return optimiser(&args);
    }
    if args.review {
        return review(&args);
    }
    let haibun = match &args.haibun {
        Some(p) => p.clone(),
        None => std::env::current_exe()?.with_file_name("haibun"),
    };
    anyhow::ensure!(
        haibun.exists(),
        "{} not found: build it first (cargo build --release -p haibun)",
        haibun.display()
    );
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/crosstabs.py");
    let tmp = tempfile::tempdir()?;
    let work = args.workdir.clone().unwrap_or_else(|| tmp.path().to_path_buf());
    let policy = Policy::builtin(FiscalYear::try_from(2023)?)
        .expect("built in")
        .map_err(|p| anyhow::anyhow!("the built-in policy is invalid: {p:?}"))?;
    let rt = tokio::runtime::Runtime::new()?;
    let fy = policy.fiscal_year;
    let mut report = Vec::new();
    if !args.check {
        println!("haibun-bench: seed {}, best of {} runs; machine: {}", args.seed, args.repeat, machine());
    }
    for &n in &args.sizes {
        let dir = work.join(format!("n{n}"));
        let lines = generate(&policy, args.seed, n);
        write_csv(&dir, &lines)?;

        // haibun in memory: the lines already in columns, as DuckDB's are already in a table.
        let mut cols = Columns::with_capacity(lines.len(), false);
        let (columns_s, ()) = best(1, || {
            for l in &lines {
                cols.push_line(l, None);
            }
        });
        let (memory_s, comp): (f64, Compilation) =
            best(args.repeat, || compile_columns(fy, Stage::Requested, std::hint::black_box(&cols)));
        let ours = canonical(&serde_json::to_value(&comp)?);

        // haibun end to end: the real binary on a database holding the lines.
        let db = dir.join("bench.db");
        let t = Instant::now();
        rt.block_on(database(&db, &lines))?;
        let store_s = t.elapsed().as_secs_f64();
        let (e2e_s, out) = best(args.repeat, || {
            Command::new(&haibun).arg("--db").arg(&db).args(["compile", "--fy", "2023", "--format", "json"]).output()
        });
        let out = out?;
        anyhow::ensure!(out.status.success(), "haibun compile failed: {}", String::from_utf8_lossy(&out.stderr));
        let e2e = canonical(&serde_json::from_slice(&out.stdout)?);

        // DuckDB and pandas, from the same data.
        let py =
            Command::new(&args.python).arg(&script).arg(&dir).args(["--repeat", &args.repeat.to_string()]).output()?;
        anyhow::ensure!(py.status.success(), "{} failed: {}", script.display(), String::from_utf8_lossy(&py.stderr));
        let py: Value = serde_json::from_slice(&py.stdout)?;

        let mut all_same = true;
        for (what, other) in [
            ("haibun end to end", e2e),
            ("DuckDB", canonical_python(&py["duckdb"]["result"])),
            ("pandas", canonical_python(&py["pandas"]["result"])),
        ] {
            if let Some(d) = first_difference(&ours, &other) {
                eprintln!("{n} lines: haibun in memory and {what} differ: {d}");
                all_same = false;
            }
        }
        anyhow::ensure!(all_same, "the four results differ at {n} lines");
        let (dq, dl) =
            (py["duckdb"]["query_s"].as_f64().unwrap_or(0.0), py["duckdb"]["load_s"].as_f64().unwrap_or(0.0));
        let (pq, pl) =
            (py["pandas"]["query_s"].as_f64().unwrap_or(0.0), py["pandas"]["load_s"].as_f64().unwrap_or(0.0));
        let total = comp.total;
        if args.check {
            println!(
                "{n} lines: all four identical (total prior {} request {})",
                total.prior_year.get(),
                total.request.get()
            );
        } else {
            println!("\n{n} lines (total request ¥{}): all four identical", total.request.get());
            println!(
                "  haibun in memory (compile_columns)   {:>10.4} s   (lines → columns {:.4} s)",
                memory_s, columns_s
            );
            println!("  DuckDB query (preloaded table)       {:>10.4} s   haibun/DuckDB = {:.3}", dq, memory_s / dq);
            println!("  pandas query (preloaded frame)       {:>10.4} s   pandas/haibun = {:.1}×", pq, pq / memory_s);
            println!(
                "  haibun end to end (compile --json)   {:>10.4} s   (database written in {:.1} s)",
                e2e_s, store_s
            );
            println!(
                "  DuckDB load + query                  {:>10.4} s   haibun/DuckDB = {:.3}",
                dl + dq,
                e2e_s / (dl + dq)
            );
            println!(
                "  pandas load + query                  {:>10.4} s   pandas/haibun = {:.1}×",
                pl + pq,
                (pl + pq) / e2e_s
            );
        }
        report.push(json!({
            "lines": n, "seed": args.seed, "repeat": args.repeat,
            "haibun_memory_s": memory_s, "haibun_columns_build_s": columns_s, "haibun_e2e_s": e2e_s, "haibun_db_write_s": store_s,
            "duckdb": {"version": py["duckdb"]["version"], "load_s": dl, "query_s": dq},
            "pandas": {"version": py["pandas"]["version"], "load_s": pl, "query_s": pq},
            "ratios": {
                "memory_over_duckdb_query": memory_s / dq,
                "e2e_over_duckdb_load_query": e2e_s / (dl + dq),
                "pandas_query_over_memory": pq / memory_s,
                "pandas_load_query_over_e2e": (pl + pq) / e2e_s,
            },
        }));
        if args.workdir.is_none() {
            std::fs::remove_dir_all(&dir)?;
        }
    }
    if let Some(p) = &args.json {
        std::fs::write(p, serde_json::to_string_pretty(&json!({"machine": machine(), "runs": report}))?)?;
    }
    Ok(())
}

/// Classification and overlap detection over generated years.
fn review(args: &Args) -> anyhow::Result<()> {
    use haibun_domain::classify::{Classifier, RuleSet};
    use haibun_domain::review::overlap::{all_pairs, candidates};
    let policy = Policy::builtin(FiscalYear::try_from(2023)?)
        .expect("built in")
        .map_err(|p| anyhow::anyhow!("the built-in policy is invalid: {p:?}"))?;
    let min = 0.60;
    println!("haibun-bench --review: seed {}, best of {} runs; machine: {}", args.seed, args.repeat, machine());
    println!("lines\tclassify s\tlines/s\tLSH s\tlines/s\tpairs\tall-pairs s\tpairs\trecall\tspeed-up");
    let mut report = Vec::new();
    for &n in &args.sizes {
        let lines = generate(&policy, args.seed, n);
        let texts: Vec<String> = lines.iter().map(|l| format!("{} {}", l.name, l.summary)).collect();
        let examples: Vec<(String, String)> = lines
            .iter()
            .take(5_000)
            .filter_map(|l| l.project.clone().map(|p| (format!("{} {}", l.name, l.summary), p)))
            .collect();
        let classifier = Classifier::new(&policy, RuleSet::builtin(None).map_err(anyhow::Error::msg)?, &examples);
        let (classify_s, suggested) = best(args.repeat, || {
            lines.iter().filter(|l| !classifier.suggest(&l.name, &l.summary).project.is_empty()).count()
        });
        let (lsh_s, found) = best(args.repeat, || candidates(&texts, 3, min));
        let baseline = (n <= 10_000).then(|| best(1, || all_pairs(&texts, 3, min)));
        let (all_s, recall) = match &baseline {
            Some((s, truth)) => {
                let hit = truth.iter().filter(|t| found.iter().any(|f| f.a == t.a && f.b == t.b)).count();
                (Some(*s), Some(if truth.is_empty() { 1.0 } else { hit as f64 / truth.len() as f64 }))
            }
            None => (None, None),
        };
        println!(
            "{n}\t{classify_s:.3}\t{:.0}\t{lsh_s:.3}\t{:.0}\t{}\t{}\t{}\t{}\t{}",
            n as f64 / classify_s,
            n as f64 / lsh_s,
            found.len(),
            all_s.map_or("-".into(), |s| format!("{s:.3}")),
            baseline.as_ref().map_or("-".into(), |b| b.1.len().to_string()),
            recall.map_or("-".into(), |r| format!("{r:.4}")),
            all_s.map_or("-".into(), |s| format!("{:.1}x", s / lsh_s)),
        );
        report.push(json!({"lines": n, "classify_s": classify_s, "suggested": suggested, "lsh_s": lsh_s, "lsh_pairs": found.len(),
            "all_pairs_s": all_s, "all_pairs": baseline.as_ref().map(|b| b.1.len()), "recall": recall, "min_similarity": min}));
    }
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_string_pretty(&report)?)?;
    }
    Ok(())
}
