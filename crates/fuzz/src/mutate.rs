//! Mutations of an input: byte-level edits, tokens that readers treat specially, splices from
//! other inputs, and, inside a workbook, edits to its XML parts with the archive rebuilt, so the
//! mutations reach the sheet parser instead of stopping at the archive's checksums.

use std::io::{Read, Write};

use haibun_domain::rng::Rng;

/// Texts that mean something to a CSV, XML, number or Japanese-text reader.
const TOKENS: &[&str] = &[
    ",",
    "\"",
    "\"\"",
    "\r\n",
    "\n",
    "\r",
    "\t",
    ";",
    ":",
    "=",
    "+",
    "-",
    "@",
    "'",
    "\0",
    "\u{feff}",
    "&amp;",
    "&lt;",
    "&#0;",
    "&#x110000;",
    "&lol;",
    "<",
    ">",
    "</",
    "<![CDATA[",
    "]]>",
    "<!DOCTYPE x [<!ENTITY a \"b\">]>",
    "<row r=\"0\">",
    "<row r=\"4294967296\">",
    "<c r=\"XFE1\">",
    "<c r=\"A0\">",
    "t=\"s\"",
    "t=\"e\"",
    "t=\"b\"",
    "t=\"d\"",
    "<v>1E+308</v>",
    "<v>NaN</v>",
    "<f>1/0</f>",
    "s=\"99999\"",
    "0",
    "-0",
    "1e308",
    "-1",
    "99999999999999999999",
    "9223372036854775807",
    "-9223372036854775808",
    "0.0005",
    "1,000",
    "1.000,5",
    "１２３",
    "△100",
    "▲5",
    "−3",
    "（",
    "）",
    "千円",
    "百万円",
    "円",
    "がん:60;難病:40",
    "がん:100.5",
    ":",
    "AMED",
    "AMED対象経費",
    "PHARMA",
    "継続",
    "新規",
    "MEXT",
    "文部科学省",
    "①",
    "㈱",
    "髙",
    "ﾊﾝｶｸ",
    "\u{200b}",
    "\u{202e}",
    "\u{fffd}",
    "\u{1f600}",
    "事業番号",
    "要求額",
    "単位",
    "府省",
    "USD",
    "JPN",
    "WORLD",
    "2023",
    "令和5年度",
    "R5",
    "1.短期",
    "定量的",
    "上向き",
    "3.実績値",
    "null",
    "[]",
    "{}",
    "true",
    "1e999",
    "\\u0000",
];

/// Applies one to eight random mutations to `input`; `others` are splice donors.
pub fn mutate(rng: &mut Rng, input: &[u8], others: &[Vec<u8>]) -> Vec<u8> {
    if input.starts_with(b"PK\x03\x04")
        && rng.below(4) != 0
        && let Some(m) = mutate_zip(rng, input, others)
    {
        return m;
    }
    let mut data = input.to_vec();
    for _ in 0..=rng.below(8) {
        mutate_bytes(rng, &mut data, others);
    }
    data
}

fn mutate_bytes(rng: &mut Rng, data: &mut Vec<u8>, others: &[Vec<u8>]) {
    let len = data.len();
    let at = |rng: &mut Rng| if len == 0 { 0 } else { rng.below(len as u64 + 1) as usize };
    match rng.below(10) {
        0 if len > 0 => {
            let i = rng.below(len as u64) as usize;
            data[i] ^= 1 << rng.below(8);
        }
        1 if len > 0 => {
            let i = rng.below(len as u64) as usize;
            data[i] = rng.next_u64() as u8;
        }
        2 => {
            let i = at(rng);
            let n = 1 + rng.below(16) as usize;
            let bytes: Vec<u8> = (0..n).map(|_| rng.next_u64() as u8).collect();
            data.splice(i..i, bytes);
        }
        3 if len > 0 => {
            let i = rng.below(len as u64) as usize;
            let n = 1 + rng.below(((len - i) as u64).min(256)) as usize;
            data.drain(i..i + n);
        }
        4 if len > 0 => {
            // Repeat a chunk (lines, cells), up to a few hundred times.
            let i = rng.below(len as u64) as usize;
            let n = 1 + rng.below(((len - i) as u64).min(512)) as usize;
            let chunk = data[i..i + n].to_vec();
            let most = if rng.below(8) == 0 { 300 } else { 4 };
            let times = 1 + rng.below(most) as usize;
            let at = i + n;
            data.splice(at..at, chunk.repeat(times));
        }
        5 if !others.is_empty() => {
            let donor = rng.pick(others);
            if !donor.is_empty() {
                let i = rng.below(donor.len() as u64) as usize;
                let n = 1 + rng.below(((donor.len() - i) as u64).min(1024)) as usize;
                let to = at(rng);
                data.splice(to..to, donor[i..i + n].iter().copied());
            }
        }
        6 if len > 0 => {
            // Truncate.
            data.truncate(rng.below(len as u64) as usize);
        }
        _ => {
            let token = rng.pick(TOKENS).as_bytes();
            let i = at(rng);
            if rng.below(2) == 0 && i < len {
                // Overwrite what is there, so a value is replaced rather than grown.
                let end = (i + token.len()).min(len);
                data.splice(i..end, token.iter().copied());
            } else {
                data.splice(i..i, token.iter().copied());
            }
        }
    }
}

/// Unpacks a workbook, mutates one of its XML parts (the sheets and shared strings most often),
/// and packs it again, deflated or stored.
fn mutate_zip(rng: &mut Rng, input: &[u8], others: &[Vec<u8>]) -> Option<Vec<u8>> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(input)).ok()?;
    let mut parts = Vec::new();
    let mut total = 0usize;
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).ok()?;
        let mut body = Vec::new();
        // Seeds are small: an archive with a part larger than this (the bombs, the 10 MB cell)
        // gets byte mutations instead of being unpacked on every try.
        if f.size() > 1 << 20 {
            return None;
        }
        f.by_ref().take(1 << 20).read_to_end(&mut body).ok()?;
        total += body.len();
        parts.push((f.name().ok()?.to_string(), body));
    }
    if parts.is_empty() || total > 4 << 20 {
        return None;
    }
    let weighted: Vec<usize> = (0..parts.len())
        .flat_map(|i| {
            let n = &parts[i].0;
            let w = if n.contains("worksheets/") || n.contains("sharedStrings") { 6 } else { 1 };
            std::iter::repeat_n(i, w)
        })
        .collect();
    let target = *rng.pick(&weighted);
    for _ in 0..=rng.below(6) {
        mutate_bytes(rng, &mut parts[target].1, others);
    }
    if rng.below(10) == 0 {
        // Drop or duplicate a part.
        let i = rng.below(parts.len() as u64) as usize;
        if rng.below(2) == 0 {
            parts.remove(i);
        } else {
            let p = parts[i].clone();
            parts.push(p);
        }
    }
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let method = if rng.below(2) == 0 { zip::CompressionMethod::Deflated } else { zip::CompressionMethod::Stored };
    let opts = zip::write::SimpleFileOptions::default().compression_method(method);
    for (name, body) in &parts {
        // A duplicated name is refused by the writer; such an archive is made by byte edits instead.
        if out.start_file(name.as_str(), opts).is_err() {
            continue;
        }
        out.write_all(body).ok()?;
    }
    Some(out.finish().ok()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutations_are_seeded_and_change_the_input() {
        let input = b"a,b,c\r\n1,2,3\r\n".to_vec();
        let run = |seed| {
            let mut rng = Rng::new(seed);
            (0..50).map(|_| mutate(&mut rng, &input, std::slice::from_ref(&input))).collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7), "the same seed, the same mutations");
        assert!(run(7).iter().filter(|m| **m != input).count() > 40, "nearly every mutation changes something");
    }

    #[test]
    fn a_workbook_stays_a_readable_archive_after_a_part_is_mutated() {
        let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        out.start_file("xl/worksheets/sheet1.xml", zip::write::SimpleFileOptions::default()).unwrap();
        out.write_all(b"<worksheet><sheetData><row r=\"1\"/></sheetData></worksheet>").unwrap();
        let input = out.finish().unwrap().into_inner();
        let mut changed = 0;
        for seed in 0..40 {
            let mut rng = Rng::new(seed);
            let m = mutate_zip(&mut rng, &input, &[]).expect("a zip in, a zip out");
            let mut zip = zip::ZipArchive::new(std::io::Cursor::new(m)).expect("still an archive");
            if let Ok(mut sheet) = zip.by_name("xl/worksheets/sheet1.xml") {
                let mut body = Vec::new();
                sheet.read_to_end(&mut body).unwrap();
                changed += usize::from(!body.starts_with(b"<worksheet><sheetData><row r=\"1\"/>"));
            }
        }
        assert!(changed > 10, "the sheet inside was mutated ({changed} of 40)");
    }
}
