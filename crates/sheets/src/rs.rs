//! The RS system's (行政事業レビュー) budget summary file, 2-1 (予算・執行_サマリ): UTF-8 with a
//! BOM, CRLF, 44 columns, more than one row per (予算事業ID, 予算年度): one summary row (会計区分
//! empty) and detail rows by account that repeat the same money. Only summary rows are taken;
//! the detail rows are counted, never added. Columns are matched by name (full- or half-width
//! brackets alike), not by position. 事業年度 is the review year, not the budget year: the
//! budget year is always 予算年度.

use haibun_domain::Yen;
use haibun_domain::problem::{Location, Problem, ProblemCode, column_letter};

use crate::limits::Limits;
use crate::read::decode_text;

/// One summary row: a line's budget and execution in one budget year, in yen.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RsBudgetRow {
    /// 予算事業ID.
    pub rs_id: String,
    /// 事業年度: the review year of the sheet.
    pub review_year: i64,
    /// 予算年度: the budget year the money is for.
    pub budget_year: i64,
    /// 事業名.
    pub name: String,
    /// 府省庁.
    pub ministry: String,
    /// 当初予算（合計）.
    pub initial: Yen,
    /// 補正予算（合計）.
    pub supplementary: Yen,
    /// 前年度からの繰越し（合計）.
    pub carried_in: Yen,
    /// 予備費等（合計）.
    pub reserve: Yen,
    /// 計（歳出予算現額合計）.
    pub current_total: Yen,
    /// 執行額（合計）, if any was spent (empty in a year not yet closed).
    pub executed: Option<Yen>,
    /// 執行率 as written (a ratio such as `0.84606`), if any.
    pub execution_rate: Option<String>,
    /// 翌年度への繰越し（合計）(newer files write it negative).
    pub carried_out: Yen,
    /// 翌年度要求額（合計）.
    pub next_request: Yen,
    /// 主な増減理由.
    pub change_reason: String,
    /// The row in the file (1-based, the header being row 1).
    pub row: u32,
}

/// What a 2-1 file held.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RsBudgetFile {
    /// The summary rows.
    pub rows: Vec<RsBudgetRow>,
    /// Detail rows by account, not added (their money repeats the summary's).
    pub detail_rows: usize,
}

const REQUIRED: [&str; 16] = [
    "予算事業ID",
    "事業年度",
    "事業名",
    "府省庁",
    "予算年度",
    "当初予算（合計）",
    "補正予算（合計）",
    "前年度からの繰越し（合計）",
    "予備費等（合計）",
    "計（歳出予算現額合計）",
    "執行額（合計）",
    "執行率",
    "翌年度への繰越し（合計）",
    "翌年度要求額（合計）",
    "主な増減理由",
    "会計区分",
];

/// A header as compared: NFKC (so （） and () are alike), without spaces.
pub(crate) fn key(h: &str) -> String {
    haibun_domain::text::normalize(h).chars().filter(|c| !c.is_whitespace()).collect()
}

/// An amount in yen as RS files write it: digits with an optional sign, `136095000.0`, or
/// `4.80327E+11`; it must be a whole number of yen. Empty is `None`.
fn amount(raw: &str) -> Result<Option<i64>, ()> {
    let t = raw.trim().replace(',', "");
    if t.is_empty() {
        return Ok(None);
    }
    let (neg, body) = match t.strip_prefix('-') {
        Some(b) => (true, b.to_string()),
        None => (false, t.clone()),
    };
    let (mantissa, exp) = match body.split_once(['e', 'E']) {
        Some((m, e)) => (m.to_string(), e.trim_start_matches('+').parse::<i32>().map_err(|_| ())?),
        None => (body, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((&mantissa, ""));
    if int.is_empty() && frac.is_empty() || !int.chars().chain(frac.chars()).all(|c| c.is_ascii_digit()) {
        return Err(());
    }
    // Shift the decimal point by the exponent; what is left after it must be zeros.
    let digits = format!("{int}{frac}");
    let point = int.len() as i32 + exp;
    if point < 0 || exp.abs() > 30 {
        return if digits.chars().all(|c| c == '0') { Ok(Some(0)) } else { Err(()) };
    }
    let point = point as usize;
    let (whole, rest) = if point >= digits.len() {
        (format!("{digits}{}", "0".repeat(point - digits.len())), String::new())
    } else {
        (digits[..point].to_string(), digits[point..].to_string())
    };
    if !rest.chars().all(|c| c == '0') {
        return Err(());
    }
    let v: i64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| ())? };
    Ok(Some(if neg { -v } else { v }))
}

/// Reads an RS 2-1 file. Any problem (a missing column, an amount that is not whole yen, a year
/// that is not a year, two summary rows for one line and year) is reported with its row and
/// column, and nothing is returned.
pub fn read_rs_budget(bytes: &[u8], file: &str, limits: &Limits) -> Result<RsBudgetFile, Vec<Problem>> {
    let table = read_table(bytes, file, "RS 2-1", &REQUIRED, limits)?;
    let at = |row: Option<u32>, column: Option<usize>, field: Option<&str>| table.at(file, row, column, field);
    let col: Vec<Option<usize>> = REQUIRED.iter().map(|r| table.keys.iter().position(|k| *k == key(r))).collect();
    let mut problems = Vec::new();
    let idx = |name: &str| col[REQUIRED.iter().position(|r| *r == name).expect("a required column")].expect("checked");
    let mut rows: Vec<RsBudgetRow> = Vec::new();
    // (id, budget year) → the row it was first seen on.
    let mut first_seen: std::collections::HashMap<(String, i64), u32> = std::collections::HashMap::new();
    let mut detail_rows = 0;
    for (row, record) in &table.rows {
        let row = *row;
        let get = |name: &str| record.get(idx(name)).unwrap_or("").trim().to_string();
        if !get("会計区分").is_empty() {
            detail_rows += 1;
            continue;
        }
        let mut money = |name: &str, required: bool| -> Option<i64> {
            match amount(&get(name)) {
                Ok(Some(v)) => Some(v),
                Ok(None) if !required => None,
                Ok(None) => Some(0),
                Err(()) => {
                    problems.push(Problem::new(
                        ProblemCode::NotANumber,
                        at(Some(row), Some(idx(name)), Some(name)),
                        format!("「{}」は円単位の整数ではありません", get(name)),
                        format!("\"{}\" is not a whole number of yen", get(name)),
                    ));
                    None
                }
            }
        };
        let initial = money("当初予算（合計）", true);
        let supplementary = money("補正予算（合計）", true);
        let carried_in = money("前年度からの繰越し（合計）", true);
        let reserve = money("予備費等（合計）", true);
        let current_total = money("計（歳出予算現額合計）", true);
        let executed = money("執行額（合計）", false);
        let carried_out = money("翌年度への繰越し（合計）", true);
        let next_request = money("翌年度要求額（合計）", true);
        let mut year = |name: &str| match get(name).parse::<i64>() {
            Ok(y) if (1990..=2100).contains(&y) => Some(y),
            _ => {
                problems.push(Problem::new(
                    ProblemCode::InvalidArgument,
                    at(Some(row), Some(idx(name)), Some(name)),
                    format!("「{}」は年度（西暦 4 桁）ではありません", get(name)),
                    format!("\"{}\" is not a fiscal year (four digits)", get(name)),
                ));
                None
            }
        };
        let (review_year, budget_year) = (year("事業年度"), year("予算年度"));
        let rate = get("執行率");
        if !rate.is_empty() && rate.parse::<f64>().map_or(true, |r| !r.is_finite() || r < 0.0) {
            problems.push(Problem::new(
                ProblemCode::NotANumber,
                at(Some(row), Some(idx("執行率")), Some("執行率")),
                format!("執行率「{rate}」が数ではありません"),
                format!("the execution rate \"{rate}\" is not a number"),
            ));
        }
        let rs_id = haibun_domain::text::normalize(&get("予算事業ID"));
        if !rs_id_ok(&rs_id) {
            problems.push(Problem::new(
                ProblemCode::InvalidArgument,
                at(Some(row), Some(idx("予算事業ID")), Some("予算事業ID")),
                format!("予算事業ID「{rs_id}」が不正です"),
                format!("the RS id \"{rs_id}\" is malformed"),
            ));
        }
        let (
            Some(initial),
            Some(supplementary),
            Some(carried_in),
            Some(reserve),
            Some(current_total),
            Some(carried_out),
            Some(next_request),
            Some(review_year),
            Some(budget_year),
        ) = (
            initial,
            supplementary,
            carried_in,
            reserve,
            current_total,
            carried_out,
            next_request,
            review_year,
            budget_year,
        )
        else {
            continue;
        };
        if let Some(first) = first_seen.get(&(rs_id.clone(), budget_year)) {
            problems.push(Problem::new(
                ProblemCode::DuplicateLineId,
                at(Some(row), Some(idx("予算年度")), Some("予算年度")),
                format!("{rs_id} の {budget_year} 年度の合計行が 2 つあります（{first} 行目にも）"),
                format!("two summary rows for {rs_id} in {budget_year} (also row {first})"),
            ));
            continue;
        }
        first_seen.insert((rs_id.clone(), budget_year), row);
        rows.push(RsBudgetRow {
            rs_id,
            review_year,
            budget_year,
            name: get("事業名"),
            ministry: get("府省庁"),
            initial: Yen(initial),
            supplementary: Yen(supplementary),
            carried_in: Yen(carried_in),
            reserve: Yen(reserve),
            current_total: Yen(current_total),
            executed: executed.map(Yen),
            execution_rate: (!rate.is_empty()).then_some(rate),
            carried_out: Yen(carried_out),
            next_request: Yen(next_request),
            change_reason: get("主な増減理由"),
            row,
        });
    }
    problems.extend(table.broken);
    if problems.is_empty() { Ok(RsBudgetFile { rows, detail_rows }) } else { Err(problems) }
}

/// An RS CSV file read as a table: its header keys, its non-blank rows with their 1-based row
/// numbers, and the problem of a row that could not be read (the rows before it are kept, so
/// their own problems are still reported).
pub(crate) struct Table {
    /// The headers, as compared ([`key`]).
    pub keys: Vec<String>,
    /// (row, cells).
    pub rows: Vec<(u32, csv::StringRecord)>,
    /// A malformed row, which ends the reading.
    pub broken: Option<Problem>,
    /// The sheet read, when the file was a workbook.
    pub sheet: Option<String>,
}

impl Table {
    /// A location in the file read (naming the sheet when it was a workbook).
    pub fn at(&self, file: &str, row: Option<u32>, column: Option<usize>, field: Option<&str>) -> Location {
        Location { sheet: self.sheet.clone(), ..at(file, row, column, field) }
    }
}

/// A location in an RS file.
pub(crate) fn at(file: &str, row: Option<u32>, column: Option<usize>, field: Option<&str>) -> Location {
    Location { row, column: column.map(column_letter), field: field.map(str::to_string), ..Location::file(file) }
}

/// Reads an RS CSV file: empty, undecodable or headerless files and too many rows are refused;
/// `label` (e.g. `RS 2-1`) names the file kind when a required column is missing.
pub(crate) fn read_table(
    bytes: &[u8],
    file: &str,
    label: &str,
    required: &[&str],
    limits: &Limits,
) -> Result<Table, Vec<Problem>> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(vec![Problem::new(
            ProblemCode::EmptyFile,
            at(file, None, None, None),
            "ファイルが空です",
            "the file is empty",
        )]);
    }
    limits.check_file(bytes, file)?;
    // A workbook's first sheet, or CSV text.
    type Records = Box<dyn Iterator<Item = Result<csv::StringRecord, csv::Error>>>;
    let (sheet, mut records): (Option<String>, Records) = match crate::read::workbook_rows(bytes, file, limits) {
        Some(read) => {
            let (sheet, rows) = read?;
            (Some(sheet), Box::new(rows.into_iter().map(|r| Ok(csv::StringRecord::from(r)))))
        }
        None => {
            crate::read::refuse_binary(bytes, file)?;
            let text = decode_text(bytes, file)?;
            let reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(std::io::Cursor::new(text.into_bytes()));
            (None, Box::new(reader.into_records()))
        }
    };
    let at = |row: Option<u32>, column: Option<usize>, field: Option<&str>| Location {
        sheet: sheet.clone(),
        ..at(file, row, column, field)
    };
    let Some(Ok(header)) = records.next() else {
        return Err(vec![Problem::new(
            ProblemCode::MalformedCsv,
            at(Some(1), None, None),
            "見出し行が読めません",
            "the header row cannot be read",
        )]);
    };
    limits.check_csv_record(&header, 0, file)?;
    let keys: Vec<String> = header.iter().map(key).collect();
    let missing: Vec<Problem> = required
        .iter()
        .filter(|name| !keys.contains(&key(name)))
        .map(|name| {
            Problem::new(
                ProblemCode::MissingColumn,
                at(Some(1), None, Some(name)),
                format!("{label} の列「{name}」がありません"),
                format!("the {label} column \"{name}\" is missing"),
            )
        })
        .collect();
    if !missing.is_empty() {
        return Err(missing);
    }
    let mut table = Table { keys, rows: Vec::new(), broken: None, sheet: sheet.clone() };
    for (n, record) in records.enumerate() {
        let row = n as u32 + 2;
        if n >= limits.rows {
            return Err(limits.too_many_rows(at(Some(row), None, None)));
        }
        if let Ok(r) = &record {
            limits.check_csv_record(r, row as usize - 1, file)?;
        }
        match record {
            Ok(r) if r.iter().all(|c| c.trim().is_empty()) => {}
            Ok(r) => table.rows.push((row, r)),
            Err(e) => {
                table.broken = Some(Problem::new(
                    ProblemCode::MalformedCsv,
                    at(Some(row), None, None),
                    format!("CSV として読めません: {e}"),
                    format!("malformed CSV: {e}"),
                ));
                break;
            }
        }
    }
    Ok(table)
}

/// Whether a 予算事業ID is well formed: 1–40 letters, digits or `-`.
pub(crate) fn rs_id_ok(id: &str) -> bool {
    !id.is_empty() && id.len() <= 40 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_as_rs_files_write_them() {
        assert_eq!(amount("136095000.0"), Ok(Some(136_095_000)));
        assert_eq!(amount("4.80327E+11"), Ok(Some(480_327_000_000)));
        assert_eq!(amount("-250000"), Ok(Some(-250_000)));
        assert_eq!(amount(""), Ok(None));
        assert_eq!(amount("1,200"), Ok(Some(1_200)));
        for bad in ["12.5", "1.5E+0", "abc", "1e400", "--1", "."] {
            assert_eq!(amount(bad), Err(()), "{bad}");
        }
    }

    #[test]
    fn a_workbook_reads_as_its_first_sheet_with_the_sheet_named_in_problems() {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet().set_name("2-1").unwrap();
        for (c, h) in REQUIRED.iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        let row = [
            "0001-01",
            "2023",
            "事業A",
            "文部科学省",
            "2022",
            "1000",
            "0",
            "0",
            "0",
            "1000",
            "900",
            "0.9",
            "0",
            "1100",
            "",
            "",
        ];
        for (c, v) in row.iter().enumerate() {
            ws.write_string(1, c as u16, *v).unwrap();
        }
        ws.write_string(2, 0, "0001-02").unwrap();
        ws.write_string(2, 1, "x").unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        let problems = read_rs_budget(&bytes, "2-1.xlsx", &Default::default()).unwrap_err();
        assert!(problems.iter().all(|p| p.location.sheet.as_deref() == Some("2-1") && p.location.row == Some(3)));
        // Without the broken row it reads as the CSV would.
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        for (c, h) in REQUIRED.iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
            ws.write_string(1, c as u16, row[c]).unwrap();
        }
        let read = read_rs_budget(&wb.save_to_buffer().unwrap(), "2-1.xlsx", &Default::default()).unwrap();
        assert_eq!((read.rows.len(), read.rows[0].executed), (1, Some(Yen(900))));
    }
}
