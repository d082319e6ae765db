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
use haibun_domain::policy::{Kind, Policy};
use haibun_domain::rng::Rng;
use haibun_domain::{FiscalYear, LineId, RequestLine, Shares, Yen};
use serde_json::{Value, json};

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

/// Picks `k` distinct codes and whole percents summing to 100.
fn shares(rng: &mut Rng, codes: &[&str], k: usize) -> Shares {
    let mut pool: Vec<&str> = codes.to_vec();
    let mut picked = Vec::new();
    for _ in 0..k {
        picked.push(pool.remove(rng.below(pool.len() as u64) as usize).to_string());
    }
    let pct: Vec<u8> = match k {
        1 => vec![100],
        2 => {
            let a = 10 + 5 * rng.below(17) as u8;
            vec![a, 100 - a]
        }
        _ => {
            let a = 10 + rng.below(51) as u8;
            let b = 10 + rng.below(u64::from(81 - a)) as u8;
            vec![a, b, 100 - a - b]
        }
    };
    Shares::new(picked.into_iter().zip(pct).collect()).expect("valid generated shares")
}

const PHRASES: [&str; 8] = [
    "革新的な医薬品の創出に向けた基盤技術の開発",
    "疾患の早期診断を可能とする医療機器の研究",
    "再生・細胞医療の実用化を加速する研究開発",
    "ゲノム・データを活用した個別化医療の推進",
    "感染症に対するワクチン・治療薬の研究開発",
    "臨床研究の質の向上と国際共同研究の推進",
    "若手研究者の育成と研究基盤の整備",
    "産学官連携による実用化支援",
];

const PREFIXES: [&str; 20] = [
    "高精度",
    "低侵襲",
    "次世代",
    "多機能",
    "大規模",
    "長期",
    "迅速",
    "安全",
    "小型",
    "高効率",
    "新規",
    "統合",
    "自動",
    "遠隔",
    "個別化",
    "標準",
    "省力",
    "高品質",
    "国際",
    "地域",
];
const OBJECTS: [&str; 15] = [
    "細胞",
    "抗体",
    "画像",
    "遺伝子",
    "血液",
    "組織",
    "蛋白質",
    "代謝物",
    "神経",
    "免疫",
    "微生物",
    "薬剤",
    "装置",
    "試料",
    "臓器",
];
const NOUNS: [&str; 10] = ["解析", "計測", "評価", "製造", "探索", "予測", "検出", "培養", "診断", "設計"];
const TARGETS: [&str; 11] = [
    "大学・研究機関",
    "医療機関",
    "製薬企業",
    "新興企業",
    "中核病院",
    "患者団体",
    "若手研究者",
    "臨床現場",
    "産学官の共同体",
    "海外拠点",
    "自治体",
];
const METHODS: [&str; 13] = [
    "公募による課題の採択",
    "多施設共同研究",
    "企業との共同開発",
    "海外機関との共同研究",
    "設備の共用",
    "人材の育成",
    "データの収集",
    "専門家の助言",
    "非臨床評価",
    "事前相談",
    "品質評価",
    "実証試験",
    "拠点間の連携",
];
const OUTCOMES: [&str; 7] = ["実用化", "薬事承認", "社会実装", "成果の最大化", "国際競争力の強化", "普及", "効率化"];

/// A line's name and summary, from its own stream (so the amounts do not depend on the text):
/// six technical words (of 3 000), who, how and to what end. Every hundredth line copies the
/// line fifty before it with one word changed: the near-duplicates overlap detection must find.
fn text(seed: u64, i: usize) -> (String, String) {
    let of = |j: usize| {
        let mut r = Rng::new(seed ^ (j as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x5EED);
        let word = |r: &mut Rng| format!("{}{}{}", r.pick(&PREFIXES), r.pick(&OBJECTS), r.pick(&NOUNS));
        let words: Vec<String> = (0..6).map(|_| word(&mut r)).collect();
        let (t, m, o) = (*r.pick(&TARGETS), *r.pick(&METHODS), *r.pick(&OUTCOMES));
        (words, t, m, o, word(&mut r))
    };
    let planted = i >= 50 && i.is_multiple_of(100);
    let (mut w, t, m, o, spare) = of(if planted { i - 50 } else { i });
    if planted {
        w[3] = spare;
    }
    let name = format!("{}{}事業", w[0], w[1]);
    let summary =
        format!("{}、{}及び{}について{t}が{m}を行い、{}と{}を通じて{o}を目指す。", w[2], w[3], w[4], w[5], w[0]);
    (name, summary)
}

/// `n` lines of a realistic shape, seeded.
fn generate(policy: &Policy, seed: u64, n: usize) -> Vec<RequestLine> {
    let mut rng = Rng::new(seed);
    let fy = policy.fiscal_year;
    let ministries: Vec<&str> = policy.codes(Kind::Ministry).into_iter().take(5).collect();
    let projects = policy.codes(Kind::Project);
    let diseases = policy.codes(Kind::DiseaseArea);
    let purposes = policy.codes(Kind::Purpose);
    (0..n)
        .map(|i| {
            let ministry = ministries[rng.below(ministries.len() as u64) as usize];
            let channel = match rng.below(100) {
                0..70 => "AMED",
                70..85 => "INHOUSE",
                85..92 => "FUND",
                _ => "OTHER",
            };
            let project = (channel == "AMED" || rng.below(2) == 0)
                .then(|| projects[rng.below(projects.len() as u64) as usize].to_string());
            // Log-uniform from ¥10 million to ¥50 billion, in thousands of yen.
            let exp = 7.0 + (rng.below(1_000_000) as f64 / 1_000_000.0) * 3.7;
            let request = (10f64.powf(exp) as i64 / 1_000) * 1_000;
            let is_new = rng.below(5) == 0;
            let prior = if is_new { 0 } else { (request / 1_000 * (80 + rng.below(41) as i64) / 100) * 1_000 };
            let disease_areas = (rng.below(10) != 0).then(|| {
                let k = 1 + rng.below(3) as usize;
                shares(&mut rng, &diseases, k)
            });
            let purpose_shares = (rng.below(10) != 0).then(|| {
                let k = 1 + rng.below(2) as usize;
                shares(&mut rng, &purposes, k)
            });
            let _ = rng.below(PHRASES.len() as u64); // drawn as before, so the amounts stay as they were
            let (name, summary) = text(seed, i);
            RequestLine {
                fiscal_year: fy,
                ministry: ministry.to_string(),
                line_id: LineId::parse(&format!("{ministry}-{i:07}")).expect("id"),
                name,
                channel: channel.to_string(),
                project,
                prior_year: Yen(prior),
                request: Yen(request),
                priority_frame: None,
                disease_areas,
                purposes: purpose_shares,
                is_new,
                summary,
                kpi: "成果目標: 論文数・特許出願数・臨床試験の開始件数".to_string(),
                priority_items: Vec::new(),
                justification: String::new(),
                rs_id: String::new(),
            }
        })
        .collect()
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

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| s.lines().next().map(|l| l.split_whitespace().nth(1).unwrap_or("0").parse::<u64>().unwrap_or(0)))
        .unwrap_or(0);
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    format!("{cpu}, {cores} cores, {} GiB", mem / 1024 / 1024)
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
