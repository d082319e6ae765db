//! The limits every reader of uploaded files enforces, so that no file, however made, can make
//! haibun read without end: the file's size, what a workbook may unpack to, the rows, and one
//! cell's length. The defaults suit the largest real request workbooks many times over; a
//! deployment can change them (`haibun --max-file-mib …`, or `HAIBUN_MAX_*` in the environment).

use haibun_domain::problem::{Location, Problem, ProblemCode};

/// The limits on one input file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest file read, in bytes (default 64 MiB).
    pub file_bytes: usize,
    /// The most a workbook may unpack to, in bytes (default 256 MiB), so that a small "zip
    /// bomb" cannot exhaust memory.
    pub unpacked_bytes: u64,
    /// The most data rows read from one file (default 100,000).
    pub rows: usize,
    /// The longest cell, in characters (default 32,767: the most Excel itself holds in a cell).
    pub cell_chars: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { file_bytes: 64 << 20, unpacked_bytes: 256 << 20, rows: 100_000, cell_chars: 32_767 }
    }
}

impl Limits {
    /// Refuses a file larger than [`Limits::file_bytes`].
    pub fn check_file(&self, bytes: &[u8], file: &str) -> Result<(), Vec<Problem>> {
        if bytes.len() <= self.file_bytes {
            return Ok(());
        }
        Err(vec![Problem::new(
            ProblemCode::FileTooLarge,
            Location::file(file),
            format!("ファイルが大きすぎます（{} バイト、上限 {}）", bytes.len(), size(self.file_bytes as u64)),
            format!("the file is too large ({} bytes, limit {})", bytes.len(), size(self.file_bytes as u64)),
        )])
    }

    /// The problem of a file with more than [`Limits::rows`] rows.
    pub fn too_many_rows(&self, at: Location) -> Vec<Problem> {
        vec![Problem::new(
            ProblemCode::TooManyRows,
            at,
            format!("行が多すぎます（上限 {} 行）", self.rows),
            format!("too many rows (limit {})", self.rows),
        )]
    }

    /// Refuses a cell longer than [`Limits::cell_chars`].
    pub fn check_cell(&self, text: &str, at: impl FnOnce() -> Location) -> Result<(), Vec<Problem>> {
        // Bytes bound characters from above: most cells never need counting.
        if text.len() <= self.cell_chars || text.chars().count() <= self.cell_chars {
            return Ok(());
        }
        Err(vec![Problem::new(
            ProblemCode::BadText,
            at(),
            format!("セルが長すぎます（{} 字、上限 {} 字）", text.chars().count(), self.cell_chars),
            format!("the cell is too long ({} characters, limit {})", text.chars().count(), self.cell_chars),
        )])
    }

    /// Refuses a CSV record (row `row`, counted from 0) holding a cell longer than [`Limits::cell_chars`].
    pub(crate) fn check_csv_record(
        &self,
        record: &csv::StringRecord,
        row: usize,
        file: &str,
    ) -> Result<(), Vec<Problem>> {
        for (c, v) in record.iter().enumerate() {
            self.check_cell(v, || Location {
                row: Some(row as u32 + 1),
                column: Some(haibun_domain::problem::column_letter(c)),
                ..Location::file(file)
            })?;
        }
        Ok(())
    }

    /// The problem of a workbook that unpacks to more than [`Limits::unpacked_bytes`].
    pub(crate) fn unpacks_too_far(&self, file: &str) -> Vec<Problem> {
        let limit = size(self.unpacked_bytes);
        vec![Problem::new(
            ProblemCode::FileTooLarge,
            Location::file(file),
            format!("展開後の大きさが上限（{limit}）を超えます"),
            format!("the workbook unpacks to more than {limit}"),
        )]
    }
}

/// A size for people: whole MiB where it is one, else bytes.
fn size(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{bytes} B")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_limit_refuses_just_past_itself() {
        let l = Limits { file_bytes: 4, unpacked_bytes: 3 << 20, rows: 2, cell_chars: 3 };
        assert!(l.check_file(b"1234", "f").is_ok());
        let p = l.check_file(b"12345", "f").unwrap_err();
        assert_eq!(p[0].code, ProblemCode::FileTooLarge);
        assert!(p[0].message_en.contains("5 bytes, limit 4 B"), "{}", p[0].message_en);
        assert!(l.check_cell("あいう", || Location::file("f")).is_ok());
        let p = l.check_cell("あいうえ", || Location::file("f")).unwrap_err();
        assert_eq!(p[0].code, ProblemCode::BadText);
        assert!(p[0].message_ja.contains("4 字、上限 3 字"), "{}", p[0].message_ja);
        assert!(l.unpacks_too_far("f")[0].message_en.ends_with("more than 3 MiB"));
        assert!(l.too_many_rows(Location::file("f"))[0].message_en.contains("limit 2"));
    }
}
