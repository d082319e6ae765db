//! Open data: the demo, carried to a settled year, is exported with `haibun export opendata` on
//! both databases. The package validates with frictionless (the Python package) and against the
//! Fiscal Data Package profile; its tables sum to the compile JSON (the settled snapshot's prior
//! year, request and settled amounts by ministry, project, channel, disease area and purpose;
//! the adjustment fund's allocations as the current compilation has them); the Excel CSVs carry a
//! BOM, CRLF and Japanese headers over the same figures; each publication is in the audit trail
//! with its files' digests. Refused, writing nothing: a ministry user, a year not yet settled, a
//! folder that holds anything.

mod common;

use std::process::Command;

use common::*;
use sha2::{Digest, Sha256};

/// Validates the package and compares its sums with the compile JSON; prints what it checked.
const CHECK: &str = r#"
import csv, json, sys, collections, frictionless, jsonschema
pkg, profile, settled_json, current_json = sys.argv[1:5]
report = frictionless.validate(f"{pkg}/datapackage.json")
assert report.valid, report.flatten(["type", "note", "rowNumber", "fieldName"])[:20]
errors = [e.message for e in jsonschema.Draft4Validator(json.load(open(profile))).iter_errors(json.load(open(f"{pkg}/datapackage.json")))]
assert not errors, errors[:5]
settled, current = json.load(open(settled_json)), json.load(open(current_json))
assert settled["stage"] == "settled", settled["stage"]
def rows(name):
    with open(f"{pkg}/data/{name}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))
lines = rows("lines")
assert len(lines) == settled["lines"], (len(lines), settled["lines"])
MEASURES = ["prior_year", "request", "settled"]
def sums(table, key):
    out = collections.defaultdict(lambda: collections.Counter())
    for r in table:
        for m in MEASURES + ["adjustment"]:
            out[r[key]][m] += int(r[m])
    return out
checked = 0
for breakdown, table, key in [("by_ministry", lines, "ministry_code"), ("by_project", lines, "project_code"),
        ("by_channel", lines, "channel_code"), ("by_disease_area", rows("disease_areas"), "disease_area_code"),
        ("by_purpose", rows("purposes"), "purpose_code")]:
    got = sums(table, key)
    want = {r["key"]: r for r in settled[breakdown]}
    assert set(got) == set(want), (breakdown, sorted(got), sorted(want))
    for k, r in want.items():
        for m in MEASURES:
            assert got[k][m] == r[m], (breakdown, k, m, got[k][m], r[m])
            checked += 1
    # The allocations, as the current compilation (which has them) shows them.
    now = {r["key"]: r.get("adjustment", 0) for r in current[breakdown]}
    for k in got:
        assert got[k]["adjustment"] == now.get(k, 0), (breakdown, k, got[k]["adjustment"], now.get(k))
        checked += 1
for m in MEASURES:
    assert sum(int(r[m]) for r in lines) == settled["total"][m], m
adjustment = sum(int(r["adjustment"]) for r in lines)
assert adjustment == current["total"].get("adjustment", 0) and adjustment > 0, adjustment
# The Excel copies: a BOM, CRLF, Japanese headers, the same cells (text made inert only).
for res in json.load(open(f"{pkg}/datapackage.json"))["resources"]:
    raw = open(f"{pkg}/excel/{res['name']}_ja.csv", "rb").read()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b""), res["name"]
    excel = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    data = list(csv.reader(open(f"{pkg}/{res['path']}", encoding="utf-8", newline="")))
    assert excel[0] == [f["title"].split(" / ")[0] for f in res["schema"]["fields"]], excel[0]
    assert len(excel) == len(data) and all(e == d for e, d in zip(excel[1:], data[1:])), res["name"]
print(json.dumps({"lines": len(lines), "compared": checked, "adjustment": adjustment, "total_settled": settled["total"]["settled"]}))
"#;

fn open_data(db: Db) {
    let t = TestDb::new(db);
    ok(&t, &["demo", "--no-serve"]);
    for m in ["CAO", "MIC", "MHLW"] {
        ok(&t, &["package", "exclude", "--fy", "2023", "--ministry", m, "--reason", "公開試験"]);
    }
    ok(&t, &["compile", "--fy", "2023", "--snapshot"]);
    let out_dir = t.path("opendata");
    let out = out_dir.display().to_string();
    let hq = ["--as", "hq-kobayashi", "export", "opendata", "--fy", "2023", "--stage", "settled", "-o"];
    fn with_out<'a>(hq: &[&'a str], o: &'a str) -> Vec<&'a str> {
        hq.iter().copied().chain([o]).collect()
    }
    let events = || state(&t).1;

    // Not settled yet: refused (conflict), nothing written.
    let before = events();
    let early = haibun(&t, &with_out(&hq, &out));
    assert_eq!(early.status.code(), Some(3), "{early:?}");
    let says = String::from_utf8_lossy(&early.stderr);
    assert!(says.contains("確定していません") && says.contains("not settled"), "{says}");
    assert!(!out_dir.exists() && events() == before);

    ok(&t, &["submit", "--fy", "2023"]);
    ok(&t, &["settle", "--fy", "2023", "--accept-requested"]);
    // A ministry may not publish; nothing is written.
    let before = events();
    let ministry = haibun(&t, &["--as", "mext-tanaka", "export", "opendata", "--fy", "2023", "-o", &out]);
    assert_eq!(ministry.status.code(), Some(4), "{ministry:?}");
    assert!(!out_dir.exists() && events() == before);

    let printed = ok(&t, &with_out(&hq, &out));
    assert!(printed.contains("datapackage.json") && printed.contains("政府標準利用規約"), "{printed}");
    // The publication is in the audit trail with the digest of what was written.
    let log: serde_json::Value = serde_json::from_str(&ok(&t, &["audit", "log", "--format", "json"])).unwrap();
    let published = log.as_array().unwrap().iter().rev().find(|e| e["action"] == "opendata.publish").expect("audited");
    let descriptor = std::fs::read(out_dir.join("datapackage.json")).unwrap();
    assert_eq!(
        published["after"]["sha256"]["datapackage.json"],
        hex::encode(Sha256::digest(&descriptor)),
        "{published}"
    );
    assert_eq!(published["actor"], "hq-kobayashi");

    // Valid, and its sums are the compilation's.
    let settled = t.path("settled.json");
    std::fs::write(&settled, ok(&t, &["compile", "--fy", "2023", "--snapshot-id", "1", "--format", "json"])).unwrap();
    let current = t.path("current.json");
    std::fs::write(&current, ok(&t, &["compile", "--fy", "2023", "--format", "json"])).unwrap();
    let profile = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/opendata/fiscal-data-package.json");
    if let Some(python) = python_with("frictionless, jsonschema") {
        let check = Command::new(&python)
            .args(["-c", CHECK, &out, profile, &settled.display().to_string(), &current.display().to_string()])
            .output()
            .unwrap();
        assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));
        eprintln!("{db:?}: {}", String::from_utf8_lossy(&check.stdout).trim());
    }

    // A folder that holds anything is refused before anything is made or audited.
    let before = events();
    let again = haibun(&t, &with_out(&hq, &out));
    assert_eq!(again.status.code(), Some(2), "{again:?}");
    assert!(String::from_utf8_lossy(&again.stderr).contains("--output"));
    assert_eq!(events(), before);
    assert_eq!(std::fs::read(out_dir.join("datapackage.json")).unwrap(), descriptor, "left as it was");

    // Nowhere to write: refused before anything is recorded; no folder is left half-made.
    let before = events();
    let nowhere = t.path("no-such-folder/opendata").display().to_string();
    let refused = haibun(&t, &with_out(&hq, &nowhere));
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    assert_eq!(events(), before);
    let stray = std::fs::read_dir(t.dir.path())
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with(".haibun-opendata"))
        .count();
    assert_eq!(stray, 0, "no staging folder left behind");

    // As one zip: the same files, the same tables.
    let zip_path = t.path("opendata.zip");
    ok(&t, &with_out(&hq, &zip_path.display().to_string()));
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&zip_path).unwrap()).unwrap();
    let mut names: Vec<String> = zip.file_names().map(|n| n.unwrap().to_string()).collect();
    names.sort();
    let mut on_disk: Vec<String> =
        walk(&out_dir).iter().map(|p| p.strip_prefix(&out_dir).unwrap().display().to_string()).collect();
    on_disk.sort();
    assert_eq!(names, on_disk);
    let mut lines = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("data/lines.csv").unwrap(), &mut lines).unwrap();
    assert_eq!(lines, std::fs::read_to_string(out_dir.join("data/lines.csv")).unwrap());
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() { out.extend(walk(&p)) } else { out.push(p) }
    }
    out
}

on_both_databases!(open_data);

/// The deployment's licence, from the environment or haibun.toml, is the one published; a
/// licence given by halves is refused before anything is made.
#[test]
fn a_configured_licence_is_the_one_published() {
    let t = initialised(Db::Sqlite);
    import_generated(&t, "MEXT", 7, 3);
    settle_mext_2023(&t);
    let run = |envs: &[(&str, &str)], out: &str| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_haibun"));
        c.arg("--db").arg(&t.url).args(["export", "opendata", "--fy", "2023", "-o", out]).current_dir(t.dir.path());
        for (k, v) in envs {
            c.env(k, v);
        }
        c.env_remove("HAIBUN_DATABASE_URL").output().unwrap()
    };
    let half = run(&[("HAIBUN_OPENDATA_LICENCE", "CC-BY-4.0")], "half");
    assert_eq!(half.status.code(), Some(2), "{half:?}");
    let says = String::from_utf8_lossy(&half.stderr);
    assert!(says.contains("together") && says.contains("HAIBUN_OPENDATA_LICENCE"), "{says}");
    assert!(!t.path("half").exists());
    // A licence address that is not a web address (it becomes a link on the open-data page).
    let script = run(
        &[
            ("HAIBUN_OPENDATA_LICENCE", "X"),
            ("HAIBUN_OPENDATA_LICENCE_TITLE", "X"),
            ("HAIBUN_OPENDATA_LICENCE_URL", "javascript:alert(1)"),
        ],
        "script",
    );
    assert_eq!(script.status.code(), Some(2), "{script:?}");
    assert!(String::from_utf8_lossy(&script.stderr).contains("https://"), "{script:?}");
    assert!(!t.path("script").exists());

    let cc = [
        ("HAIBUN_OPENDATA_LICENCE", "CC-BY-4.0"),
        ("HAIBUN_OPENDATA_LICENCE_TITLE", "Creative Commons Attribution 4.0"),
        ("HAIBUN_OPENDATA_LICENCE_URL", "https://creativecommons.org/licenses/by/4.0/"),
    ];
    let out = run(&cc, "cc");
    assert!(out.status.success(), "{out:?}");
    let d: serde_json::Value = serde_json::from_slice(&std::fs::read(t.path("cc/datapackage.json")).unwrap()).unwrap();
    assert_eq!(d["licenses"][0]["name"], "CC-BY-4.0");
    assert_eq!(d["licenses"][0]["path"], "https://creativecommons.org/licenses/by/4.0/");
    let readme = std::fs::read_to_string(t.path("cc/README.txt")).unwrap();
    assert!(readme.contains("Creative Commons Attribution 4.0") && readme.contains("出典："), "{readme}");

    // From haibun.toml, shown by config show with where it came from.
    std::fs::write(t.path("haibun.toml"), "opendata_publisher = \"内閣府 健康・医療戦略推進事務局\"\n").unwrap();
    let shown = ok(&t, &["config", "show"]);
    assert!(shown.contains("opendata_publisher") && shown.contains("内閣府 健康・医療戦略推進事務局"), "{shown}");
    ok(&t, &["export", "opendata", "--fy", "2023", "-o", "toml.zip"]);
    assert!(t.path("toml.zip").exists());
    // The licence's three parts in the file, one overridden from the environment: a mismatch, refused.
    std::fs::write(
        t.path("haibun.toml"),
        "opendata_licence = \"A\"\nopendata_licence_title = \"B\"\nopendata_licence_url = \"https://example.org/a\"\n",
    )
    .unwrap();
    let mixed = run(&[("HAIBUN_OPENDATA_LICENCE", "CC-BY-4.0")], "mixed");
    assert_eq!(mixed.status.code(), Some(2), "{mixed:?}");
    assert!(!t.path("mixed").exists());
}
