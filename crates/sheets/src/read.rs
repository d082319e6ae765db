//! Reading a filled template (.xlsx, .xls, .ods or .csv) into located raw rows.

use std::io::Cursor;

use calamine::{Data, Reader, open_workbook_auto_from_rs};
use haibun_domain::line::{CellValue, Field, RawCell};
use haibun_domain::problem::{Location, Problem, ProblemCode, column_letter};
use haibun_domain::text::normalize;

use crate::write::SHEET_LINES;

/// The largest file read: 64 MiB, far above any real request workbook.
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;
/// The most data rows read from one file.
pub const MAX_ROWS: usize = 100_000;
/// How many rows from the top are searched for the header row.
const HEADER_SEARCH_ROWS: usize = 30;

/// A file read as rows of cells, before the cells mean anything.
#[derive(Debug, Clone)]
pub struct Intake {
    /// Which sheet was read (workbooks only).
    pub sheet: Option<String>,
    /// The 単位 cell's text and where it is, if the sheet has one.
    pub unit_cell: Option<(String, Location)>,
    /// The 府省 cell's text and where it is, if the sheet has one.
    pub ministry_cell: Option<(String, Location)>,
    /// The data rows below the header, blank rows left out.
    pub rows: Vec<IntakeRow>,
}

/// One data row.
#[derive(Debug, Clone)]
pub struct IntakeRow {
    /// File, sheet and row.
    pub location: Location,
    /// The cells of the known columns.
    pub cells: Vec<RawCell>,
}

fn problem(code: ProblemCode, location: Location, ja: impl Into<String>, en: impl Into<String>) -> Vec<Problem> {
    vec![Problem::new(code, location, ja, en)]
}

/// Reads a file's bytes. `file` names it in messages; its extension is only a hint, since
/// the content decides: a ZIP or OLE signature is a workbook, anything else must be CSV text.
pub fn read_intake(bytes: &[u8], file: &str) -> Result<Intake, Vec<Problem>> {
    let at = Location::file(file);
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(problem(ProblemCode::EmptyFile, at, "ファイルが空です", "the file is empty"));
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(problem(
            ProblemCode::FileTooLarge,
            at,
            format!("ファイルが大きすぎます（上限 {} MiB）", MAX_FILE_BYTES >> 20),
            format!("the file is too large (limit {} MiB)", MAX_FILE_BYTES >> 20),
        ));
    }
    let is_zip = bytes.starts_with(b"PK\x03\x04");
    let is_ole = bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
    if is_zip || is_ole {
        return read_workbook(bytes, file);
    }
    let lower = file.to_lowercase();
    let binary = bytes.iter().take(8192).any(|&b| b == 0)
        || [b"%PDF".as_slice(), b"\x89PNG", b"GIF8", b"\xFF\xD8\xFF"].iter().any(|sig| bytes.starts_with(sig));
    if binary {
        return Err(problem(
            ProblemCode::NotASpreadsheet,
            at,
            "ワークブックでも CSV テキストでもありません",
            "neither a workbook nor CSV text",
        ));
    }
    if [".xlsx", ".xlsm", ".xls", ".ods", ".xlsb"].iter().any(|e| lower.ends_with(e)) {
        return Err(problem(
            ProblemCode::NotASpreadsheet,
            at,
            "拡張子はワークブックですが、中身がワークブックではありません",
            "the name says workbook but the content is not one",
        ));
    }
    read_csv(bytes, file)
}

fn grid_from_workbook(bytes: &[u8], file: &str) -> Result<(String, Vec<Vec<CellValue>>), Vec<Problem>> {
    let unreadable = |e: String| {
        problem(
            ProblemCode::UnreadableWorkbook,
            Location::file(file),
            format!("ワークブックを開けません（破損、暗号化、または未対応の形式）: {e}"),
            format!("cannot open the workbook (damaged, encrypted or unsupported): {e}"),
        )
    };
    let mut wb = open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| unreadable(e.to_string()))?;
    let names = wb.sheet_names();
    let name = names
        .iter()
        .find(|n| n.as_str() == SHEET_LINES)
        .or_else(|| names.first())
        .cloned()
        .ok_or_else(|| unreadable("no sheets".into()))?;
    let range = wb.worksheet_range(&name).map_err(|e| unreadable(e.to_string()))?;
    let (r0, c0) = range.start().unwrap_or((0, 0));
    if range.height() > MAX_ROWS + HEADER_SEARCH_ROWS {
        return Err(problem(
            ProblemCode::TooManyRows,
            Location { sheet: Some(name), ..Location::file(file) },
            format!("行が多すぎます（上限 {MAX_ROWS} 行）"),
            format!("too many rows (limit {MAX_ROWS})"),
        ));
    }
    let width = c0 as usize + range.width();
    let mut grid = vec![Vec::new(); r0 as usize];
    for row in range.rows() {
        let mut cells = vec![CellValue::Empty; c0 as usize];
        cells.extend(row.iter().map(cell_value));
        cells.resize(width, CellValue::Empty);
        grid.push(cells);
    }
    Ok((name, grid))
}

fn cell_value(d: &Data) -> CellValue {
    match d {
        Data::Empty => CellValue::Empty,
        Data::String(s) => CellValue::Text(s.clone()),
        Data::Int(i) => CellValue::Number(i.to_string()),
        // Rust prints the shortest decimal that reads back to the same double, never an exponent,
        // so 1234.567 stays "1234.567" and parses to exact yen without float arithmetic.
        Data::Float(f) if f.is_finite() => CellValue::Number(format!("{f}")),
        Data::Float(f) => CellValue::Error(format!("{f}")),
        Data::Bool(b) => CellValue::Bool(*b),
        Data::DateTime(dt) => CellValue::Date(dt.to_string()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => CellValue::Date(s.clone()),
        Data::Error(e) => CellValue::Error(e.to_string()),
    }
}

fn read_workbook(bytes: &[u8], file: &str) -> Result<Intake, Vec<Problem>> {
    let (sheet, grid) = grid_from_workbook(bytes, file)?;
    intake_from_grid(grid, file, Some(sheet))
}

fn decode_text(bytes: &[u8], file: &str) -> Result<String, Vec<Problem>> {
    let bad = |ja: &str, en: &str| problem(ProblemCode::BadEncoding, Location::file(file), ja, en);
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(bad(
            "UTF-16 のテキストは読めません。「CSV UTF-8」で保存してください",
            "UTF-16 text is not read; save as \"CSV UTF-8\"",
        ));
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(body) {
        Ok(s) => s.to_string(),
        Err(_) if body.len() == bytes.len() => encoding_rs::SHIFT_JIS
            .decode_without_bom_handling_and_without_replacement(body)
            .map(|c| c.into_owned())
            .ok_or_else(|| {
                bad("文字コードが UTF-8 でも Shift_JIS でもありません", "the text is neither UTF-8 nor Shift_JIS")
            })?,
        Err(e) => {
            return Err(bad(
                &format!("UTF-8 の BOM がありますが、{} バイト目以降が UTF-8 ではありません", e.valid_up_to() + 4),
                &format!("the file starts with a UTF-8 BOM but is not UTF-8 after byte {}", e.valid_up_to() + 4),
            ));
        }
    };
    if text.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')) {
        return Err(problem(
            ProblemCode::NotASpreadsheet,
            Location::file(file),
            "CSV テキストでもワークブックでもありません（制御文字を含みます）",
            "neither CSV text nor a workbook (contains control characters)",
        ));
    }
    Ok(text)
}

fn read_csv(bytes: &[u8], file: &str) -> Result<Intake, Vec<Problem>> {
    let text = decode_text(bytes, file)?;
    let delimiter =
        if text.lines().next().is_some_and(|l| l.contains('\t') && !l.contains(',')) { b'\t' } else { b',' };
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    let mut grid = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let row = e.position().map(|p| p.line() as u32);
            problem(
                ProblemCode::MalformedCsv,
                Location { row, ..Location::file(file) },
                format!("CSV として読めません: {e}"),
                format!("malformed CSV: {e}"),
            )
        })?;
        if grid.len() > MAX_ROWS + HEADER_SEARCH_ROWS {
            return Err(problem(
                ProblemCode::TooManyRows,
                Location::file(file),
                format!("行が多すぎます（上限 {MAX_ROWS} 行）"),
                format!("too many rows (limit {MAX_ROWS})"),
            ));
        }
        grid.push(
            record
                .iter()
                .map(|s| if s.is_empty() { CellValue::Empty } else { CellValue::Text(s.to_string()) })
                .collect(),
        );
    }
    intake_from_grid(grid, file, None)
}

/// A label cell such as `単位` or `単位：千円`: the value is after the colon or in the next non-empty cell.
fn labelled(grid: &[Vec<CellValue>], upto: usize, label: &str, loc: &Location) -> Option<(String, Location)> {
    for (r, row) in grid.iter().enumerate().take(upto) {
        for (c, cell) in row.iter().enumerate() {
            let Some(t) = cell.text() else { continue };
            let n = normalize(&t);
            let Some(rest) = n.strip_prefix(label) else {
                continue;
            };
            let at = |col: usize| Location {
                row: Some(r as u32 + 1),
                column: Some(column_letter(col)),
                field: Some(label.to_string()),
                ..loc.clone()
            };
            let rest = rest.trim_start_matches([':', '：', ' ']).trim();
            if !rest.is_empty() {
                return Some((rest.to_string(), at(c)));
            }
            if let Some((c2, v)) = row.iter().enumerate().skip(c + 1).find_map(|(i, v)| v.text().map(|t| (i, t))) {
                return Some((v, at(c2)));
            }
        }
    }
    None
}

fn intake_from_grid(grid: Vec<Vec<CellValue>>, file: &str, sheet: Option<String>) -> Result<Intake, Vec<Problem>> {
    let base = Location { sheet: sheet.clone(), ..Location::file(file) };
    let header_idx = grid.iter().take(HEADER_SEARCH_ROWS).position(|row| {
        let fields: Vec<Field> = row.iter().filter_map(|c| c.text()).filter_map(|t| Field::from_header(&t)).collect();
        fields.contains(&Field::LineId) || fields.len() >= 3
    });
    let Some(h) = header_idx else {
        let known: Vec<&str> = Field::ALL.iter().map(|f| f.header_ja()).collect();
        return Err(problem(
            ProblemCode::NoHeaderRow,
            base,
            format!(
                "見出し行が見つかりません（上から{HEADER_SEARCH_ROWS}行以内に「{}」などの見出しが必要です）",
                known.join("」「")
            ),
            format!(
                "no header row found (within the first {HEADER_SEARCH_ROWS} rows, headers such as line_id, name, channel, request)"
            ),
        ));
    };
    let header_loc = |c: usize, field: String| Location {
        row: Some(h as u32 + 1),
        column: Some(column_letter(c)),
        field: Some(field),
        ..base.clone()
    };
    let mut problems = Vec::new();
    let mut columns: Vec<(usize, Field)> = Vec::new();
    for (c, cell) in grid[h].iter().enumerate() {
        let Some(t) = cell.text() else { continue };
        match Field::from_header(&t) {
            Some(f) if columns.iter().any(|(_, g)| *g == f) => {
                problems.push(Problem::new(
                    ProblemCode::DuplicateColumn,
                    header_loc(c, t.clone()),
                    format!("列「{t}」が二つあります"),
                    format!("column \"{t}\" appears twice"),
                ));
            }
            Some(f) => columns.push((c, f)),
            None => problems.push(Problem::new(
                ProblemCode::UnknownColumn,
                header_loc(c, t.clone()),
                format!("不明な列「{t}」です（読み飛ばさずに止めています。不要なら列を削除してください）"),
                format!("unknown column \"{t}\" (not skipped silently: delete it if it is not needed)"),
            )),
        }
    }
    for f in Field::ALL.into_iter().filter(|f| f.required()) {
        if !columns.iter().any(|(_, g)| *g == f) {
            problems.push(Problem::new(
                ProblemCode::MissingColumn,
                Location { row: Some(h as u32 + 1), field: Some(f.header_ja().to_string()), ..base.clone() },
                format!("必須の列「{}」がありません", f.header_ja()),
                format!("required column \"{}\" ({}) is missing", f.header_ja(), f.key()),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut rows = Vec::new();
    for (r, row) in grid.iter().enumerate().skip(h + 1) {
        let location = Location { row: Some(r as u32 + 1), ..base.clone() };
        // Anything written outside the known columns would be lost: refuse it.
        for (c, cell) in row.iter().enumerate() {
            if let Some(t) = cell.text()
                && !columns.iter().any(|(k, _)| *k == c)
            {
                problems.push(Problem::new(
                    ProblemCode::UnknownColumn,
                    Location { column: Some(column_letter(c)), ..location.clone() },
                    format!("見出しのない列に値「{t}」があります"),
                    format!("a value \"{t}\" stands in a column without a header"),
                ));
            }
        }
        let cells: Vec<RawCell> = columns
            .iter()
            .map(|&(c, field)| RawCell {
                field,
                value: row.get(c).cloned().unwrap_or(CellValue::Empty),
                location: Location {
                    column: Some(column_letter(c)),
                    field: Some(grid[h][c].text().unwrap_or_default()),
                    ..location.clone()
                },
            })
            .collect();
        if cells.iter().all(|c| c.value.text().is_none()) {
            continue;
        }
        rows.push(IntakeRow { location, cells });
    }
    if rows.len() > MAX_ROWS {
        problems.push(Problem::new(
            ProblemCode::TooManyRows,
            base.clone(),
            format!("行が多すぎます（上限 {MAX_ROWS} 行）"),
            format!("too many rows (limit {MAX_ROWS})"),
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let unit_cell = labelled(&grid, h, "単位", &base);
    let ministry_cell = labelled(&grid, h, "府省", &base);
    Ok(Intake { sheet, unit_cell, ministry_cell, rows })
}
