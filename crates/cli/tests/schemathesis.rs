//! The API fuzzed from its own OpenAPI document: schemathesis (PyPI) against the real binary
//! serving the demo, signed in with HQ's token, for over 1,000 generated requests. No response
//! may be a 5xx, and every response must match the document (status code, content type,
//! headers, body schema).

mod common;

use std::process::Command;

use common::*;

/// schemathesis from the environment `scripts/python-env.sh` makes, if there is one.
fn schemathesis() -> Option<std::path::PathBuf> {
    let python = std::env::var("HAIBUN_BENCH_PYTHON").unwrap_or_else(|_| "python3".into());
    let st = std::path::Path::new(&python).with_file_name("schemathesis");
    if st.exists() {
        return Some(st);
    }
    assert!(
        std::env::var_os("HAIBUN_REQUIRE_BENCH_PYTHON").is_none(),
        "HAIBUN_REQUIRE_BENCH_PYTHON is set but {} is missing",
        st.display()
    );
    eprintln!("SKIPPED: no schemathesis beside {python}; scripts/test.sh makes a virtual environment with it");
    None
}

/// The checks run on every response: all of schemathesis's conformance checks and its
/// server-error check. (Its heuristic checks of stateful behaviour are left out: they guess at
/// resource life cycles the document does not state.)
const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,\
                      response_headers_conformance,response_schema_conformance";

fn schemathesis_finds_no_5xx_and_no_response_off_the_document(db: Db) {
    let Some(st) = schemathesis() else { return };
    let t = TestDb::new(db);
    ok(&t, &["demo", "--no-serve"]);
    let token = ok(&t, &["--as", "hq-kobayashi", "token", "create"]).trim().to_string();
    assert!(token.starts_with("hb_"), "{token}");
    let server = serve(&t.url);
    let report = t.path("st-report");
    let out = Command::new(&st)
        .arg("run")
        .arg(format!("http://127.0.0.1:{}/api/v1/openapi.json", server.1))
        .args(["-H", &format!("Authorization: Bearer {token}")])
        .args(["--checks", CHECKS, "--max-examples", "60", "--seed", "20231", "--workers", "2"])
        .args(["--phases", "examples,coverage,fuzzing", "--no-color", "--report", "json", "--report-dir"])
        .arg(&report)
        .env("SCHEMATHESIS_HOOKS", "")
        .current_dir(t.dir.path())
        .output()
        .expect("run schemathesis");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json = std::fs::read_dir(&report).unwrap().next().expect("a JSON report").unwrap().path();
    let summary: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap();
    let cases = &summary["test_cases"];
    eprintln!("{db:?}: schemathesis {cases}");
    assert_eq!(out.status.code(), Some(0), "schemathesis found failures:\n{stdout}");
    assert!(cases["generated"].as_u64().unwrap() >= 1000, "at least 1,000 requests: {cases}");
    assert_eq!(cases["with_failures"], 0, "{stdout}");
    assert_eq!(cases["errored"], 0, "{stdout}");
    assert!(summary["operations"]["tested"].as_u64().unwrap() >= 24, "every operation: {}", summary["operations"]);
    // The server lived through it and its audit chain still verifies.
    drop(server);
    ok(&t, &["audit", "verify"]);
}

on_both_databases!(schemathesis_finds_no_5xx_and_no_response_off_the_document);
