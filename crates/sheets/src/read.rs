//! Reading a filled template (.xlsx or .csv) into located raw rows.

use std::io::Cursor;

use calamine::{Data, Reader};
use haibun_domain::line::{CellValue, Field, RawCell};
use haibun_domain::problem::{Location, Problem, ProblemCode, column_letter};
use haibun_domain::text::normalize;

use crate::limits::Limits;
use crate::write::SHEET_LINES;

/// How many rows from the top are searched for the header row.
const HEADER_SEARCH_ROWS: usize = 30;

/// A file read as rows of cells, before the cells mean anything.
#[derive(Debug, Clone)]
pub struct Intake {
    /// Which sheet was read (workbooks only).
    pub sheet: Option<String>,
    /// The 単位 cell's text and where it is, if the sheet has one.
    pub unit_cell: Option<(String, Location)>,
    /// Units written in amount headers, such as `要求額（百万円）`, with where each is.
    pub header_units: Vec<(String, Location)>,
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
pub fn read_intake(bytes: &[u8], file: &str, limits: &Limits) -> Result<Intake, Vec<Problem>> {
    let at = Location::file(file);
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(problem(ProblemCode::EmptyFile, at, "ファイルが空です", "the file is empty"));
    }
    limits.check_file(bytes, file)?;
    let is_zip = bytes.starts_with(b"PK\x03\x04");
    let is_ole = bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
    if is_zip || is_ole {
        return read_workbook(bytes, file, is_zip, limits);
    }
    refuse_binary(bytes, file)?;
    read_csv(bytes, file, limits)
}

/// Refuses bytes that are not text (images, executables, NUL bytes), and text named as a workbook.
pub(crate) fn refuse_binary(bytes: &[u8], file: &str) -> Result<(), Vec<Problem>> {
    let at = Location::file(file);
    let lower = file.to_lowercase();
    // UTF-16 text is full of NUL bytes: recognise it by its mark before calling anything binary.
    let utf16 = bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]);
    let binary = !utf16 && bytes.iter().take(8192).any(|&b| b == 0)
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
    Ok(())
}

/// The most columns read; the template has 12.
pub const MAX_COLUMNS: usize = 64;

type Grid = Vec<Vec<CellValue>>;

fn unreadable(file: &str, e: impl std::fmt::Display) -> Vec<Problem> {
    problem(
        ProblemCode::UnreadableWorkbook,
        Location::file(file),
        format!("ワークブックを開けません（破損、暗号化、または未対応の形式）: {e}"),
        format!("cannot open the workbook (damaged, encrypted or unsupported): {e}"),
    )
}

/// Checks an xlsx archive before anything unpacks it: it must be a workbook, and its parts
/// must not unpack to more than [`Limits::unpacked_bytes`] (the sizes the archive declares bound
/// what the unpacker will produce: it stops with an error past an entry's declared size).
fn check_archive(bytes: &[u8], file: &str, limits: &Limits) -> Result<(), Vec<Problem>> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| unreadable(file, e))?;
    let mut total: u64 = 0;
    let mut is_xlsx = false;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|e| unreadable(file, e))?;
        is_xlsx |= entry.name().is_ok_and(|n| n == "xl/workbook.xml");
        total = total.saturating_add(entry.size());
    }
    if !is_xlsx {
        return Err(problem(
            ProblemCode::NotASpreadsheet,
            Location::file(file),
            "Excel ブック（.xlsx）ではありません（.ods などは .xlsx で保存し直してください）",
            "not an Excel workbook (.xlsx); save other formats such as .ods as .xlsx",
        ));
    }
    if total > limits.unpacked_bytes {
        return Err(limits.unpacks_too_far(file));
    }
    Ok(())
}

fn sheet_name(names: &[String], file: &str) -> Result<String, Vec<Problem>> {
    names
        .iter()
        .find(|n| n.as_str() == SHEET_LINES)
        .or_else(|| names.first())
        .cloned()
        .ok_or_else(|| unreadable(file, "no sheets"))
}

/// Reads an xlsx sheet cell by cell, never allocating for cells that are not there, and refusing
/// cells beyond the row and column limits. A formula whose result was not saved is an error cell,
/// never a silent blank.
fn grid_from_xlsx(bytes: &[u8], file: &str, limits: &Limits) -> Result<(String, Grid), Vec<Problem>> {
    check_archive(bytes, file, limits)?;
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| unreadable(file, e))?;
    let name = sheet_name(&wb.sheet_names(), file)?;
    let at = Location { sheet: Some(name.clone()), ..Location::file(file) };
    let mut reader = wb.worksheet_cells_reader(&name).map_err(|e| unreadable(file, e))?;
    let mut grid: Grid = Vec::new();
    // Every shared-string cell is its own copy of the string: a small sheet of many cells naming
    // one long string would multiply it. The text held is bounded like the unpacked size.
    let mut text_bytes: u64 = 0;
    while let Some(cell) = reader.next_cell_with_formula().map_err(|e| unreadable(file, e))? {
        let (r, c) = (cell.pos.0 as usize, cell.pos.1 as usize);
        let value = match (cell_value(&cell.value.into()), cell.formula) {
            (v, Some(f)) if v.text().is_none() && !f.is_empty() => {
                CellValue::Error(format!("={f}（数式の結果が保存されていません / formula without a saved result)"))
            }
            (v, _) => v,
        };
        let Some(text) = value.text() else { continue };
        if r >= limits.rows + HEADER_SEARCH_ROWS {
            return Err(limits.too_many_rows(at));
        }
        limits.check_cell(&text, || Location {
            row: Some(r as u32 + 1),
            column: Some(column_letter(c)),
            ..at.clone()
        })?;
        text_bytes += text.len() as u64;
        if text_bytes > limits.unpacked_bytes {
            return Err(limits.unpacks_too_far(file));
        }
        if c >= MAX_COLUMNS {
            return Err(problem(
                ProblemCode::UnknownColumn,
                Location { row: Some(r as u32 + 1), column: Some(column_letter(c)), ..at },
                format!("{MAX_COLUMNS} 列目より右に値があります"),
                format!("a value stands right of column {MAX_COLUMNS}"),
            ));
        }
        if grid.len() <= r {
            grid.resize(r + 1, Vec::new());
        }
        if grid[r].len() <= c {
            grid[r].resize(c + 1, CellValue::Empty);
        }
        grid[r][c] = value;
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

/// An encrypted xlsx is an OLE container holding an `EncryptedPackage` stream (its directory
/// names the stream in UTF-16LE).
fn is_encrypted_ooxml(bytes: &[u8]) -> bool {
    let name: Vec<u8> = "EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes).collect();
    bytes.windows(name.len()).any(|w| w == name.as_slice())
}

/// A sheet's name and its rows of text.
pub(crate) type SheetRows = (String, Vec<Vec<String>>);

/// Reads a workbook's sheet into cells; a reader library must never take the process down, so a
/// panic on a malformed file is an unreadable file.
fn grid(bytes: &[u8], file: &str, zip: bool, limits: &Limits) -> Result<(String, Grid), Vec<Problem>> {
    if !zip && is_encrypted_ooxml(bytes) {
        return Err(problem(
            ProblemCode::UnreadableWorkbook,
            Location::file(file),
            "パスワードで保護されたブックは読めません。保護を解除して保存し直してください",
            "a password-protected workbook cannot be read; remove the password and save it again",
        ));
    }
    if !zip {
        // The reader of the old binary format expands every sheet of the file into memory before
        // any limit could apply (a few bytes can claim 65,536 × 256 cells per sheet): refused.
        return Err(problem(
            ProblemCode::NotASpreadsheet,
            Location::file(file),
            "旧形式の Excel ブック（.xls）は読めません。.xlsx で保存し直してください",
            "the old binary Excel format (.xls) is not read; save the workbook as .xlsx",
        ));
    }
    let read = std::panic::catch_unwind(|| grid_from_xlsx(bytes, file, limits));
    read.unwrap_or_else(|_| Err(unreadable(file, "internal reader failure")))
}

/// A workbook's sheet (the 要求一覧 sheet if it has one, else the first) as rows of trimmed text,
/// or `None` when the bytes are not a workbook (no ZIP or OLE signature) and should be read as
/// text. A cell holding an error (`#N/A`, a formula without a saved result) is refused, located.
pub(crate) fn workbook_rows(bytes: &[u8], file: &str, limits: &Limits) -> Option<Result<SheetRows, Vec<Problem>>> {
    let is_zip = bytes.starts_with(b"PK\x03\x04");
    if !is_zip && !bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return None;
    }
    Some(grid(bytes, file, is_zip, limits).and_then(|(sheet, grid)| {
        let mut problems = Vec::new();
        for (r, row) in grid.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                if let CellValue::Error(e) = cell {
                    problems.push(Problem::new(
                        ProblemCode::NotANumber,
                        Location {
                            sheet: Some(sheet.clone()),
                            row: Some(r as u32 + 1),
                            column: Some(column_letter(c)),
                            ..Location::file(file)
                        },
                        format!("セルがエラー値です: {e}"),
                        format!("the cell holds an error: {e}"),
                    ));
                }
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let rows = grid.into_iter().map(|r| r.iter().map(|c| c.text().unwrap_or_default()).collect()).collect();
        Ok((sheet, rows))
    }))
}

fn read_workbook(bytes: &[u8], file: &str, zip: bool, limits: &Limits) -> Result<Intake, Vec<Problem>> {
    let (sheet, grid) = grid(bytes, file, zip, limits)?;
    intake_from_grid(grid, file, Some(sheet), limits)
}

pub(crate) fn decode_text(bytes: &[u8], file: &str) -> Result<String, Vec<Problem>> {
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
        // Valid multi-byte UTF-8 before the first bad byte means a damaged UTF-8 file, not Shift_JIS:
        // decoding it as Shift_JIS would silently garble the Japanese text.
        Err(e) if !body[..e.valid_up_to()].is_ascii() => {
            return Err(bad(
                &format!(
                    "UTF-8 のテキストですが、{} バイト目以降が UTF-8 ではありません（ファイルが壊れています）",
                    e.valid_up_to() + 1
                ),
                &format!("UTF-8 text that is not UTF-8 after byte {} (the file is damaged)", e.valid_up_to() + 1),
            ));
        }
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

/// Undoes the `'` that our CSV export puts before text starting with `=`, `+`, `-`, `@`, tab or
/// CR (so that a spreadsheet program shows it as text instead of running it as a formula).
pub fn unescape_csv_cell(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(crate::write::FORMULA_STARTS) => rest,
        _ => s,
    }
}

fn read_csv(bytes: &[u8], file: &str, limits: &Limits) -> Result<Intake, Vec<Problem>> {
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
        if grid.len() > limits.rows + HEADER_SEARCH_ROWS {
            return Err(limits.too_many_rows(Location::file(file)));
        }
        limits.check_csv_record(&record, grid.len(), file)?;
        if let Some(c) = record.iter().enumerate().skip(MAX_COLUMNS).find(|(_, v)| !v.trim().is_empty()).map(|(c, _)| c)
        {
            return Err(problem(
                ProblemCode::UnknownColumn,
                Location { row: Some(grid.len() as u32 + 1), column: Some(column_letter(c)), ..Location::file(file) },
                format!("{MAX_COLUMNS} 列目より右に値があります"),
                format!("a value stands right of column {MAX_COLUMNS}"),
            ));
        }
        grid.push(
            record
                .iter()
                .map(
                    |s| if s.is_empty() { CellValue::Empty } else { CellValue::Text(unescape_csv_cell(s).to_string()) },
                )
                .collect(),
        );
    }
    intake_from_grid(grid, file, None, limits)
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

fn intake_from_grid(
    grid: Vec<Vec<CellValue>>,
    file: &str,
    sheet: Option<String>,
    limits: &Limits,
) -> Result<Intake, Vec<Problem>> {
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
        return Err(haibun_domain::problem::cap(problems));
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
    if rows.len() > limits.rows {
        problems.extend(limits.too_many_rows(base.clone()));
    }
    if !problems.is_empty() {
        return Err(haibun_domain::problem::cap(problems));
    }
    let unit_cell = labelled(&grid, h, "単位", &base);
    // A unit in an amount header is a claim about the amounts below it: keep it, to be checked.
    let header_units = columns
        .iter()
        .filter(|(_, f)| f.is_amount())
        .filter_map(|&(c, _)| {
            let t = normalize(&grid[h][c].text()?);
            let note = t.split_once(['(', '（'])?.1.trim_end_matches([')', '）']).trim().to_string();
            note.contains('円').then(|| (note, header_loc(c, t.clone())))
        })
        .collect();
    let ministry_cell = labelled(&grid, h, "府省", &base);
    Ok(Intake { sheet, unit_cell, header_units, ministry_cell, rows })
}
