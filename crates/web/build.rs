//! Embeds the user guide (`docs/guide/*.md` and its `screenshots/*.png`) in the binary, so that
//! `/help` serves it with no files beside the binary. Writes `guide.rs` into OUT_DIR: the pages
//! and the screenshots, each by name, sorted.

use std::fmt::Write as _;
use std::path::Path;

fn files(dir: &Path, ext: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == ext) && p.is_file())
                .map(|p| {
                    let name = p.file_stem().unwrap_or_default().to_string_lossy().to_string();
                    (name, p.canonicalize().unwrap_or(p).display().to_string())
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn main() {
    let guide = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/guide");
    let shots = guide.join("screenshots");
    println!("cargo:rerun-if-changed={}", guide.display());
    println!("cargo:rerun-if-changed={}", shots.display());
    let mut code = String::from("/// The guide's pages: (name, Markdown).\npub const PAGES: &[(&str, &str)] = &[\n");
    for (name, path) in files(&guide, "md") {
        println!("cargo:rerun-if-changed={path}");
        let _ = writeln!(code, "    ({name:?}, include_str!({path:?})),");
    }
    code.push_str("];\n/// The guide's screenshots: (file stem, PNG).\npub const SCREENSHOTS: &[(&str, &[u8])] = &[\n");
    for (name, path) in files(&shots, "png") {
        println!("cargo:rerun-if-changed={path}");
        let _ = writeln!(code, "    ({name:?}, include_bytes!({path:?})),");
    }
    code.push_str("];\n");
    let out = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("guide.rs");
    std::fs::write(out, code).expect("write guide.rs");
}
