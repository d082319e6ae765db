//! The hostile corpus (`tests/corpus/`, described in its `manifest.toml`): every file through
//! every reader that takes it, then through the real binary on both databases, where each
//! refused file must exit 2 with its code and place, write nothing, and stay within bounded
//! memory. Files too large to commit (a million rows) are generated here.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use haibun_domain::evidence::report::Table;
use haibun_sheets::Limits;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Manifest {
    file: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
struct Entry {
    name: String,
    what: String,
    readers: Vec<String>,
    expect: String,
    at: Option<String>,
    rows: Option<usize>,
    #[serde(default)]
    holds: Vec<String>,
    says: Option<String>,
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus")
}

fn manifest() -> Vec<Entry> {
    let text = std::fs::read_to_string(corpus_dir().join("manifest.toml")).expect("manifest");
    let m: Manifest = toml::from_str(&text).expect("manifest parses");
    m.file
}

/// What one reader made of the file: the lines read (their texts), or the first problem.
enum Outcome {
    Read(Vec<Vec<String>>),
    Refused(haibun_domain::problem::Problem),
}

fn read_with(reader: &str, bytes: &[u8], name: &str) -> Vec<Outcome> {
    let limits = Limits::default();
    let refused = |p: Vec<haibun_domain::problem::Problem>| Outcome::Refused(p.into_iter().next().expect("a problem"));
    match reader {
        "template" => {
            let req = haibun_service::ImportRequest {
                fiscal_year: fy(),
                ministry: "MEXT",
                file_name: name,
                bytes,
                unit: None,
            };
            vec![match haibun_service::parse_request_file(&haibun_testkit::fy2023(), "MEXT", &req, &limits) {
                Ok(p) => Outcome::Read(
                    p.lines.iter().map(|l| vec![l.line_id.as_str().to_string(), l.name.clone()]).collect(),
                ),
                Err(haibun_service::ServiceError::Invalid(p)) => refused(p),
                Err(e) => panic!("{name}: not a problem with the input: {e}"),
            }]
        }
        "rs-budget" => vec![match haibun_sheets::rs::read_rs_budget(bytes, name, &limits) {
            Ok(f) => Outcome::Read(vec![vec![]; f.rows.len()]),
            Err(p) => refused(p),
        }],
        "rs-kpis" => vec![match haibun_sheets::rs_kpi::read_rs_kpis(bytes, name, &limits) {
            Ok(f) => Outcome::Read(vec![vec![]; f.indicators.len()]),
            Err(p) => refused(p),
        }],
        "evidence" => {
            let policy = haibun_testkit::fy2023();
            Table::ALL
                .iter()
                .map(|&t| match haibun_sheets::evidence::read_evidence(t, bytes, name, &policy, &limits) {
                    Ok(_) => Outcome::Read(vec![]),
                    Err(p) => refused(p),
                })
                .collect()
        }
        "fund" => vec![match serde_json::from_slice::<haibun_domain::optimise::Instance>(bytes) {
            Ok(_) => Outcome::Read(vec![]),
            Err(e) => Outcome::Refused(haibun_domain::problem::Problem::new(
                haibun_domain::problem::ProblemCode::MalformedJson,
                haibun_domain::problem::Location::file(name),
                e.to_string(),
                e.to_string(),
            )),
        }],
        other => panic!("unknown reader {other} in the manifest"),
    }
}

#[test]
fn every_corpus_file_gets_its_behaviour_from_every_reader() {
    let entries = manifest();
    let on_disk: Vec<String> = std::fs::read_dir(corpus_dir())
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| e.file_name().into_string().unwrap())
        .filter(|n| n != "manifest.toml")
        .collect();
    for name in &on_disk {
        assert!(entries.iter().any(|e| &e.name == name), "{name} is in the corpus but not in its manifest");
    }
    assert!(entries.len() >= 30, "the corpus holds {} files", entries.len());
    for e in &entries {
        let bytes = std::fs::read(corpus_dir().join(&e.name)).expect("corpus file");
        for reader in &e.readers {
            // A reader that panicked would take the test down here, with the file named below.
            for outcome in read_with(reader, &bytes, &e.name) {
                let ctx = format!("{} ({}) by {reader}", e.name, e.what);
                match (outcome, e.expect.as_str()) {
                    (Outcome::Read(rows), "read") => {
                        assert_eq!(Some(rows.len()), e.rows, "{ctx}: lines read");
                        for h in &e.holds {
                            assert!(rows.iter().flatten().any(|t| t == h), "{ctx}: {h} read exactly, in {rows:?}");
                        }
                    }
                    (Outcome::Read(rows), code) => panic!("{ctx}: read {} rows, expected {code}", rows.len()),
                    (Outcome::Refused(p), "read") => panic!("{ctx}: refused, expected to be read: {p}"),
                    (Outcome::Refused(p), code) => {
                        assert_eq!(p.code.as_str(), code, "{ctx}: {p}");
                        if let Some(at) = &e.at {
                            assert!(p.to_string().contains(at), "{ctx}: at {at}: {p}");
                        }
                        if let Some(says) = &e.says {
                            assert!(p.message_en.contains(says), "{ctx}: says {says}: {p}");
                        }
                        for m in [&p.message_ja, &p.message_en] {
                            assert!(m.chars().count() <= 500, "{ctx}: the message stays short: {m}");
                        }
                        assert!(!p.to_string().contains("root:"), "{ctx}: no local file leaks into a message");
                    }
                }
            }
        }
    }
}

/// Runs the real binary, measuring the largest resident size it reached (Linux `ru_maxrss`,
/// read by Python's `resource` since Rust's standard library does not expose it).
fn measured(t: &TestDb, args: &[&str], env: &[(&str, &str)]) -> (i32, String, u64) {
    let out = Command::new("python3")
        .args([
            "-c",
            "import resource,subprocess,sys\nr=subprocess.run(sys.argv[1:]).returncode\n\
             print('maxrss_kib', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\nsys.exit(r)",
            env!("CARGO_BIN_EXE_haibun"),
            "--db",
            &t.url,
        ])
        .args(args)
        .envs(env.iter().copied())
        .env_remove("HAIBUN_DATABASE_URL")
        .current_dir(t.dir.path())
        .output()
        .expect("run python3 and haibun");
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let rss = stderr
        .lines()
        .find_map(|l| l.strip_prefix("maxrss_kib "))
        .and_then(|v| v.trim().parse().ok())
        .expect("the peak size is printed");
    (out.status.code().unwrap_or(-1), stderr, rss)
}

/// The most memory any import of a corpus file may take: generous for a 64 MiB file, and far
/// below what any of the bombs would need if it were unpacked (300 MiB to gigabytes).
const MAX_RSS_KIB: u64 = 400 * 1024;

fn the_binary_refuses_each_writes_nothing_and_stays_bounded(db: Db) {
    let t = initialised(db);
    let mut before = state(&t);
    let mut report = Vec::new();
    for e in manifest() {
        let path = corpus_dir().join(&e.name).display().to_string();
        for reader in &e.readers {
            let args: Vec<&str> = match reader.as_str() {
                "template" => vec!["import", &path, "--fy", "2023", "--ministry", "MEXT"],
                "rs-budget" => vec!["rs", "import-budget", &path],
                "fund" => vec!["fund", "solve", &path],
                "evidence" => vec![
                    "evidence",
                    "import",
                    "--fy",
                    "2023",
                    "--table",
                    "funding",
                    "--file",
                    &path,
                    "--source",
                    "test",
                    "--as-of",
                    "2023-04-01",
                    "--licence",
                    "CC BY 4.0",
                ],
                _ => continue,
            };
            let (code, stderr, rss) = measured(&t, &args, &[]);
            let ctx = format!("{} by {reader}", e.name);
            assert!(rss < MAX_RSS_KIB, "{ctx}: peak {rss} KiB");
            report.push(format!("{ctx}: exit {code}, peak {} MiB", rss / 1024));
            if e.expect == "read" {
                assert_eq!(code, 0, "{ctx}: {stderr}");
                before = state(&t);
                continue;
            }
            assert_eq!(code, 2, "{ctx}: {stderr}");
            assert!(stderr.contains(&format!("[{}]", e.expect)), "{ctx}: {stderr}");
            if let Some(at) = &e.at {
                assert!(stderr.contains(at), "{ctx}: at {at}: {stderr}");
            }
            if let Some(says) = &e.says {
                assert!(stderr.contains(says.as_str()), "{ctx}: says {says}: {stderr}");
            }
            assert!(!stderr.contains("root:") && !stderr.contains("panicked"), "{ctx}: {stderr}");
            assert_eq!(state(&t), before, "{ctx}: nothing written, no audit event");
        }
    }
    eprintln!("{}", report.join("\n"));
}

/// 1,048,576 rows, the most a sheet holds, as CSV (36 MB) and as an xlsx of that many filled
/// rows (stored unpacked, 42 MB): refused at the row limit without reading the rest.
fn a_million_rows(db: Db) {
    let t = initialised(db);
    let before = state(&t);
    const HEADER: &str =
        "事業番号,事業名,区分,統合プロジェクト,前年度予算額,要求額,うち重要政策推進枠,疾患領域,開発目的,新規・継続";
    let mut csv = String::from(HEADER);
    for i in 1..1_048_576 {
        csv.push_str(&format!("\r\nM-{i},（架空）事業,AMED,PHARMA,1,1,,,,継続"));
    }
    let csv_path = file(&t, "million.csv", csv.as_bytes());
    drop(csv);
    let mut sheet = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>",
    );
    sheet.push_str("<row r=\"1\">");
    for (c, h) in HEADER.split(',').enumerate() {
        sheet.push_str(&format!("<c r=\"{}1\" t=\"inlineStr\"><is><t>{h}</t></is></c>", (b'A' + c as u8) as char));
    }
    sheet.push_str("</row>");
    for r in 2..=1_048_576 {
        sheet.push_str(&format!("<row r=\"{r}\"><c r=\"E{r}\"><v>{r}</v></c></row>"));
    }
    sheet.push_str("</sheetData></worksheet>");
    let xlsx_path = file(&t, "million.xlsx", &minimal_xlsx(&sheet));
    for path in [&csv_path, &xlsx_path] {
        let (code, stderr, rss) = measured(&t, &["import", path, "--fy", "2023", "--ministry", "MEXT"], &[]);
        assert_eq!(code, 2, "{path}: {stderr}");
        assert!(stderr.contains("[E_TOO_MANY_ROWS]"), "{path}: {stderr}");
        assert!(rss < MAX_RSS_KIB, "{path}: peak {rss} KiB");
        eprintln!("{path}: refused, peak {} MiB", rss / 1024);
    }
    assert_eq!(state(&t), before);
}

/// A workbook of one sheet (要求一覧), its parts stored unpacked.
fn minimal_xlsx(sheet: &str) -> Vec<u8> {
    use std::io::Write;
    const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    const PKG: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
    let parts = [
        (
            "[Content_Types].xml",
                "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
                 <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
                 <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
                 <Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>\
                 <Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/></Types>".to_string(),
        ),
        (
            "_rels/.rels",
            format!(
                "<Relationships xmlns=\"{PKG}\"><Relationship Id=\"rId1\" Type=\"{REL}/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"
            ),
        ),
        (
            "xl/workbook.xml",
            format!(
                "<workbook xmlns=\"{MAIN}\" xmlns:r=\"{REL}\"><sheets><sheet name=\"要求一覧\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"
            ),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            format!(
                "<Relationships xmlns=\"{PKG}\"><Relationship Id=\"rId1\" Type=\"{REL}/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>"
            ),
        ),
        ("xl/worksheets/sheet1.xml", sheet.to_string()),
    ];
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored).large_file(true);
    for (name, body) in parts {
        out.start_file(name, stored).unwrap();
        out.write_all(body.as_bytes()).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// Each limit is a flag and an environment variable, and the binary keeps to what it is given.
fn limits_are_configurable(db: Db) {
    let t = initialised(db);
    let good = corpus_dir().join("crlf-mixed.csv").display().to_string();
    let import = ["import", good.as_str(), "--fy", "2023", "--ministry", "MEXT"];
    let before = state(&t);
    let refused = |args: &[&str], env: &[(&str, &str)], code: &str, says: &str| {
        let (exit, stderr, _) = measured(&t, args, env);
        assert_eq!(exit, 2, "{args:?} {env:?}: {stderr}");
        assert!(stderr.contains(code) && stderr.contains(says), "{args:?} {env:?}: {code}, {says}: {stderr}");
        assert_eq!(state(&t), before);
    };
    refused(&[&import[..], &["--max-rows", "1"]].concat(), &[], "[E_TOO_MANY_ROWS]", "limit 1)");
    refused(&import, &[("HAIBUN_MAX_ROWS", "1")], "[E_TOO_MANY_ROWS]", "limit 1)");
    refused(&import, &[("HAIBUN_MAX_CELL_CHARS", "5")], "[E_BAD_TEXT]", "limit 5)");
    let big = file(&t, "big.csv", &[&std::fs::read(&good).unwrap()[..], &vec![b' '; 1 << 20]].concat());
    refused(
        &["import", &big, "--fy", "2023", "--ministry", "MEXT", "--max-file-mib", "1"],
        &[],
        "[E_FILE_TOO_LARGE]",
        "limit 1 MiB",
    );
    let bomb = corpus_dir().join("formulas-cached.xlsx").display().to_string();
    let padded = haibun_testkit::workbook(
        &haibun_testkit::fy2023(),
        "MEXT",
        haibun_domain::money::Unit::Yen,
        &haibun_testkit::lines_for(&haibun_testkit::fy2023(), "MEXT", 7, 5000),
    );
    let padded = file(&t, "padded.xlsx", &padded);
    refused(
        &["import", &padded, "--fy", "2023", "--ministry", "MEXT"],
        &[("HAIBUN_MAX_UNPACKED_MIB", "1")],
        "[E_FILE_TOO_LARGE]",
        "more than 1 MiB",
    );
    let (exit, stderr, _) =
        measured(&t, &["import", &bomb, "--fy", "2023", "--ministry", "MEXT", "--max-rows", "0"], &[]);
    assert_eq!(exit, 2, "a limit of 0 is a usage error: {stderr}");
    assert_eq!(state(&t), before);
    // Within the limits, the same file imports.
    let (exit, stderr, _) = measured(&t, &import, &[("HAIBUN_MAX_ROWS", "2"), ("HAIBUN_MAX_CELL_CHARS", "40")]);
    assert_eq!(exit, 0, "{stderr}");
}

on_both_databases!(the_binary_refuses_each_writes_nothing_and_stays_bounded, a_million_rows, limits_are_configurable);
