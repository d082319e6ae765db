//! `haibun-fuzz`: runs mutated files through every reader of uploaded files for a given time, on
//! stable Rust. It starts from the hostile corpus (`tests/corpus/`) and good seeds, mutates
//! (bytes, special tokens, splices, and the XML inside workbooks), and keeps an input when it
//! leads a reader to an outcome not seen before (a new problem code or column, a new kind of
//! success), so the pool grows towards the readers' corners. A panic is a crash: the input is
//! saved with its message and the run fails; an input read for longer than `--hang-secs` is a
//! hang: saved, and the process exits 3.
//!
//! ```text
//! haibun-fuzz --seconds 3600 --seed 1 --out target/fuzz
//! ```

mod mutate;
mod targets;

use std::collections::{BTreeMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::Parser;
use haibun_domain::rng::Rng;
use targets::{Context, Target};

/// haibun-fuzz: 取り込み処理のファジング / fuzzes every reader of uploaded files.
#[derive(Debug, Parser)]
#[command(name = "haibun-fuzz", version)]
struct Args {
    /// 実行する秒数 / how long to run, in seconds
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// 乱数の種（省略時は時刻）/ the random seed (default: from the clock)
    #[arg(long)]
    seed: Option<u64>,
    /// 攻撃用ファイル集 / the hostile corpus
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/corpus"))]
    corpus: PathBuf,
    /// クラッシュした入力の保存先 / where crashing and hanging inputs are saved
    #[arg(long, default_value = "target/fuzz")]
    out: PathBuf,
    /// 1 入力にかけてよい秒数（超えればハング）/ seconds one input may take before it is a hang
    #[arg(long, default_value_t = 10)]
    hang_secs: u64,
}

/// The most inputs kept per target, and the largest kept.
const MAX_POOL: usize = 4000;
const MAX_KEPT_BYTES: usize = 4 << 20;

static PANIC_MESSAGE: Mutex<Option<String>> = Mutex::new(None);

fn main() {
    let args = Args::parse();
    let seed = args.seed.unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64)
    });
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        eprintln!("{}: {e}", args.out.display());
        std::process::exit(2);
    }
    // A panic is recorded for the report instead of printed with a backtrace on every crash.
    std::panic::set_hook(Box::new(|info| {
        let msg = format!("{info}");
        *PANIC_MESSAGE.lock().unwrap_or_else(|e| e.into_inner()) = Some(msg);
    }));
    let summary = run(&args, seed);
    println!("{}", serde_json::to_string(&summary).expect("the summary serialises"));
    if summary["crashes"].as_u64() != Some(0) {
        std::process::exit(1);
    }
}

/// The input being read now, for the watchdog to save if it hangs.
#[derive(Default)]
struct Current {
    target: String,
    input: Vec<u8>,
}

fn run(args: &Args, seed: u64) -> serde_json::Value {
    let ctx = Context::new();
    let targets = Target::all();
    let hostile = read_corpus(&args.corpus);
    let mut pools: Vec<Vec<Vec<u8>>> = targets
        .iter()
        .map(|&t| {
            let mut pool = ctx.seeds(t);
            pool.extend(hostile.iter().cloned());
            pool
        })
        .collect();
    let mut rng = Rng::new(seed);
    let mut seen: HashSet<(usize, String)> = HashSet::new();
    let mut per_target: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let (mut execs, mut crashes) = (0u64, 0u64);
    let start = Instant::now();
    let deadline = start + Duration::from_secs(args.seconds);

    let current = Arc::new(Mutex::new(Current::default()));
    let busy_since = Arc::new(AtomicU64::new(0));
    watchdog(args, start, Arc::clone(&current), Arc::clone(&busy_since));

    // Each target's good seeds once, unmutated, so every reader starts from what it accepts.
    for (t, &target) in targets.iter().enumerate() {
        for seed_input in ctx.seeds(target) {
            execs += 1;
            let entry = per_target.entry(target.name()).or_default();
            entry.0 += 1;
            match std::panic::catch_unwind(AssertUnwindSafe(|| ctx.run(target, &seed_input))) {
                Ok(signature) => entry.1 += u64::from(seen.insert((t, signature))),
                Err(_) => {
                    crashes += 1;
                    let msg = PANIC_MESSAGE.lock().unwrap_or_else(|e| e.into_inner()).take().unwrap_or_default();
                    save(&args.out, &format!("crash-seed-{crashes}-{}", target.name()), &seed_input, &msg);
                }
            }
        }
    }
    let mut next_report = start + Duration::from_secs(30);
    while Instant::now() < deadline {
        let t = rng.below(targets.len() as u64) as usize;
        // Now and then, an input of another reader's pool.
        let from = if rng.below(10) == 0 { rng.below(pools.len() as u64) as usize } else { t };
        let base = rng.pick(&pools[from]);
        let input = mutate::mutate(&mut rng, base, &pools[t]);
        {
            let mut c = current.lock().unwrap_or_else(|e| e.into_inner());
            c.target = targets[t].name();
            c.input.clone_from(&input);
        }
        busy_since.store(start.elapsed().as_millis() as u64 + 1, Ordering::SeqCst);
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| ctx.run(targets[t], &input)));
        busy_since.store(0, Ordering::SeqCst);
        execs += 1;
        let entry = per_target.entry(targets[t].name()).or_default();
        entry.0 += 1;
        match outcome {
            Ok(signature) => {
                if seen.insert((t, signature)) {
                    entry.1 += 1;
                    if pools[t].len() < MAX_POOL && input.len() <= MAX_KEPT_BYTES {
                        pools[t].push(input);
                    }
                }
            }
            Err(_) => {
                crashes += 1;
                let msg = PANIC_MESSAGE.lock().unwrap_or_else(|e| e.into_inner()).take().unwrap_or_default();
                let name = format!("crash-{crashes}-{}", targets[t].name());
                save(&args.out, &name, &input, &msg);
                eprintln!("クラッシュ / crash: {name}: {msg}");
            }
        }
        if Instant::now() >= next_report {
            next_report += Duration::from_secs(30);
            eprintln!(
                "{} s: {execs} 回/execs, {crashes} クラッシュ/crashes, {} 結果/outcomes",
                start.elapsed().as_secs(),
                seen.len()
            );
        }
    }
    let secs = start.elapsed().as_secs_f64();
    serde_json::json!({
        "seed": seed,
        "seconds": secs.round(),
        "execs": execs,
        "execs_per_second": (execs as f64 / secs).round(),
        "crashes": crashes,
        "hangs": 0,
        "outcomes": seen.len(),
        "pool": pools.iter().map(Vec::len).sum::<usize>(),
        "corpus_files": hostile.len(),
        "peak_rss_mib": peak_rss_mib(),
        "per_target": per_target
            .iter()
            .map(|(k, (e, o))| (k.clone(), serde_json::json!({"execs": e, "outcomes": o})))
            .collect::<serde_json::Map<_, _>>(),
    })
}

/// Every file of the corpus folder (not its seeds or manifest).
fn read_corpus(dir: &Path) -> Vec<Vec<u8>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_file()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_none_or(|e| e != "toml"));
    files.sort();
    if files.is_empty() {
        eprintln!("注意: 攻撃用ファイル集が空です / warning: no corpus files in {}", dir.display());
    }
    files.iter().filter_map(|p| std::fs::read(p).ok()).collect()
}

/// Saves an input and what happened to it.
fn save(out: &Path, name: &str, input: &[u8], what: &str) {
    let _ = std::fs::write(out.join(format!("{name}.bin")), input);
    let _ = std::fs::write(out.join(format!("{name}.txt")), what);
}

/// Ends the process (exit 3) when one input has been read for longer than `--hang-secs`,
/// saving it first.
fn watchdog(args: &Args, start: Instant, current: Arc<Mutex<Current>>, busy_since: Arc<AtomicU64>) {
    let (limit, out) = (args.hang_secs * 1000, args.out.clone());
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(Duration::from_millis(500));
            let since = busy_since.load(Ordering::SeqCst);
            if since != 0 && (start.elapsed().as_millis() as u64).saturating_sub(since - 1) > limit {
                let c = current.lock().unwrap_or_else(|e| e.into_inner());
                save(&out, &format!("hang-{}", c.target), &c.input, "read for longer than the hang limit");
                eprintln!("ハング / hang: {} (saved in {})", c.target, out.display());
                println!("{}", serde_json::json!({"hangs": 1, "target": c.target}));
                std::process::exit(3);
            }
        }
    });
}

/// The process's peak resident size (Linux), in MiB.
fn peak_rss_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib: u64 =
        status.lines().find_map(|l| l.strip_prefix("VmHWM:"))?.trim().trim_end_matches(" kB").trim().parse().ok()?;
    Some(kib / 1024)
}
