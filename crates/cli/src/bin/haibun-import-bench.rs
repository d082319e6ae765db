//! haibun-import-bench: importing a ministry's request workbook (要求テンプレート) of 10 k and 100 k
//! lines, end to end, against openpyxl's read-only parse alone of the same file (the Python a
//! budget office would otherwise script), in one run (`scripts/bench-import.sh`).
//!
//! For each size it writes the template workbook (seeded lines of a realistic shape, amounts in
//! thousands of yen), then times, best of `--repeat`:
//! - haibun: the real binary, `haibun import FILE --fy 2023 --ministry MEXT`, from process start
//!   to exit: read, check every row, store every line in one transaction (each run into a fresh
//!   database, initialised beforehand and not timed), on SQLite and, with `--pg`, PostgreSQL;
//! - openpyxl: `load_workbook(read_only=True)` and every row's values read (`bench/openpyxl_parse.py`).
//!
//! Both must see every line: haibun's report and openpyxl's row count are checked.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail};
use clap::Parser;
use serde_json::json;

#[path = "../benchgen.rs"]
mod benchgen;

#[derive(Debug, Parser)]
#[command(about = "haibun's import against openpyxl's parse, in one run")]
struct Args {
    /// Line counts to run.
    #[arg(long, value_delimiter = ',', default_value = "10000,100000")]
    sizes: Vec<usize>,
    /// The generator's seed.
    #[arg(long, default_value_t = 2023)]
    seed: u64,
    /// Timed runs per measurement (the best is reported).
    #[arg(long, default_value_t = 3)]
    repeat: usize,
    /// The Python with openpyxl.
    #[arg(long, default_value = "python3")]
    python: String,
    /// A PostgreSQL server (no database: one is created per run), e.g. postgres://postgres@127.0.0.1:5432.
    #[arg(long)]
    pg: Option<String>,
    /// The haibun binary (default: beside this one).
    #[arg(long)]
    haibun: Option<PathBuf>,
    /// Where workbooks and databases go (default: a temporary folder, removed afterwards).
    #[arg(long)]
    workdir: Option<PathBuf>,
    /// Also append the figures as JSON lines here.
    #[arg(long)]
    json: Option<PathBuf>,
}

fn run(haibun: &Path, db: &str, args: &[&str]) -> anyhow::Result<String> {
    let out = Command::new(haibun).arg("--db").arg(db).args(args).env_remove("HAIBUN_DATABASE_URL").output()?;
    if !out.status.success() {
        bail!("haibun {args:?} on {db}: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8(out.stdout)?)
}

/// A fresh, initialised database for one timed import.
fn fresh(workdir: &Path, pg: Option<&str>, haibun: &Path, name: &str) -> anyhow::Result<String> {
    let db = match pg {
        None => {
            let path = workdir.join(format!("{name}.db"));
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
            path.display().to_string()
        }
        Some(server) => {
            let admin = format!("{server}/postgres");
            let sql = format!("DROP DATABASE IF EXISTS {name}; CREATE DATABASE {name};");
            for statement in sql.split_terminator(';') {
                let out =
                    Command::new("psql").args([&admin, "-q", "-v", "ON_ERROR_STOP=1", "-c", statement]).output()?;
                if !out.status.success() {
                    bail!("psql: {}", String::from_utf8_lossy(&out.stderr));
                }
            }
            format!("{server}/{name}")
        }
    };
    run(haibun, &db, &["init", "--fy", "2023"])?;
    Ok(db)
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let haibun = match &args.haibun {
        Some(p) => p.clone(),
        None => std::env::current_exe()?.with_file_name("haibun"),
    };
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../bench/openpyxl_parse.py");
    let policy = haibun_domain::Policy::builtin(haibun_domain::FiscalYear::try_from(2023)?)
        .context("the built-in FY2023 policy")?
        .map_err(|p| anyhow::anyhow!("the built-in policy is invalid: {p:?}"))?;
    let temporary = tempfile::tempdir()?;
    let workdir = match &args.workdir {
        Some(d) => {
            std::fs::create_dir_all(d)?;
            d.clone()
        }
        None => temporary.path().to_path_buf(),
    };
    let mut databases = vec![("SQLite", None)];
    if let Some(pg) = &args.pg {
        databases.push(("PostgreSQL", Some(pg.trim_end_matches('/').to_string())));
    }
    println!("machine: {}", benchgen::machine());
    for &n in &args.sizes {
        let lines = benchgen::generate_for(&policy, args.seed, n, "MEXT");
        let bytes = haibun_sheets::write_workbook(&policy, Some("MEXT"), haibun_domain::Unit::ThousandYen, &lines)?;
        let file = workdir.as_path().join(format!("mext-{n}.xlsx"));
        std::fs::write(&file, &bytes)?;
        let file_s = file.display().to_string();
        println!("{n} lines: {} ({:.1} MiB)", file.display(), bytes.len() as f64 / 1048576.0);

        // openpyxl's read-only parse, timed inside Python.
        let out = Command::new(&args.python)
            .args([script, &file_s, haibun_sheets::SHEET_LINES, &args.repeat.to_string()])
            .output()?;
        if !out.status.success() {
            bail!("openpyxl: {}", String::from_utf8_lossy(&out.stderr));
        }
        let py: serde_json::Value = serde_json::from_slice(&out.stdout)?;
        let py_seconds = py["seconds"].as_f64().context("seconds")?;
        let py_rows = py["rows"].as_u64().context("rows")?;
        println!("  openpyxl read-only parse: {py_seconds:.3} s ({py_rows} rows with values)");

        for (label, server) in &databases {
            let mut best = f64::INFINITY;
            for r in 0..args.repeat {
                let db = fresh(workdir.as_path(), server.as_deref(), &haibun, &format!("haibun_bench_{n}_{r}"))?;
                let start = Instant::now();
                let out =
                    run(&haibun, &db, &["import", &file_s, "--fy", "2023", "--ministry", "MEXT", "--format", "json"])?;
                let seconds = start.elapsed().as_secs_f64();
                let report: serde_json::Value = serde_json::from_str(&out)?;
                if report["inserted"].as_u64() != Some(n as u64) {
                    bail!("haibun imported {} of {n} lines", report["inserted"]);
                }
                best = best.min(seconds);
            }
            let ratio = py_seconds / best;
            println!("  haibun import on {label}: {best:.3} s — {ratio:.1}× openpyxl's parse alone");
            if let Some(path) = &args.json {
                use std::io::Write;
                let row = json!({"lines": n, "database": label, "haibun_import_s": best, "openpyxl_parse_s": py_seconds, "ratio": ratio, "bytes": bytes.len(), "machine": benchgen::machine()});
                let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
                writeln!(f, "{row}")?;
            }
        }
    }
    Ok(())
}
