//! The suite's short fuzz run: the real binary for 20 seconds over every reader, from a fixed
//! seed. No input may crash or hang a reader; every target is reached. (The long run, an hour,
//! is a separate command recorded in RELIABILITY.md.)

use std::process::Command;

#[test]
fn a_short_run_over_every_reader_finds_no_crash() {
    let out_dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_haibun-fuzz"))
        .args(["--seconds", "20", "--seed", "20231"])
        .arg("--out")
        .arg(out_dir.path())
        .output()
        .expect("run haibun-fuzz");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    let summary: serde_json::Value = serde_json::from_str(stdout.trim()).expect("a JSON summary");
    eprintln!("{summary}");
    assert_eq!(summary["crashes"], 0);
    assert_eq!(summary["hangs"], 0);
    assert!(summary["corpus_files"].as_u64().unwrap() >= 30, "the hostile corpus is the start: {summary}");
    let per = summary["per_target"].as_object().unwrap();
    assert_eq!(per.len(), 10, "every reader was fuzzed: {summary}");
    for (target, s) in per {
        assert!(s["execs"].as_u64().unwrap() > 0, "{target}: {s}");
        assert!(s["outcomes"].as_u64().unwrap() >= 2, "{target} reached more than one outcome: {s}");
    }
    assert_eq!(std::fs::read_dir(out_dir.path()).unwrap().count(), 0, "no crash or hang was saved");
}
