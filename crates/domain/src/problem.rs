//! Located, bilingual problems with stable codes: what a user is told about bad input.

use std::fmt;

use serde::Serialize;

/// Where a problem is: as much of file, sheet, row, column and field as is known.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Location {
    /// The input file as the user named it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The worksheet, for workbooks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// The 1-based row as a spreadsheet program shows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<u32>,
    /// The column letter (`A`, `B`, … `AA`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// The field's header as written in the sheet, or its key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl Location {
    /// A location naming a file only.
    pub fn file(file: impl Into<String>) -> Self {
        Self { file: Some(file.into()), ..Self::default() }
    }

    /// A location naming a field only (for input that is not a file, such as a CLI option).
    pub fn field(field: impl Into<String>) -> Self {
        Self { field: Some(field.into()), ..Self::default() }
    }
}

/// Spreadsheet column letters for a 0-based index: 0 → `A`, 26 → `AA`.
pub fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut out = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        out.push(b'A' + r as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII")
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(v) = &self.file {
            parts.push(v.clone());
        }
        if let Some(v) = &self.sheet {
            parts.push(format!("シート/sheet「{v}」"));
        }
        if let Some(v) = self.row {
            parts.push(format!("{v}行/row {v}"));
        }
        if let Some(v) = &self.column {
            parts.push(format!("{v}列/column {v}"));
        }
        if let Some(v) = &self.field {
            parts.push(format!("項目/field「{v}」"));
        }
        f.write_str(&parts.join(" "))
    }
}

/// The stable code of a kind of problem. The string form never changes once released.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "&'static str")]
pub enum ProblemCode {
    /// The file is empty.
    EmptyFile,
    /// The file is neither an xlsx workbook nor a CSV text.
    NotASpreadsheet,
    /// The file is larger than haibun reads.
    FileTooLarge,
    /// A CSV is in an encoding other than UTF-8 or Shift_JIS.
    BadEncoding,
    /// A CSV line cannot be parsed.
    MalformedCsv,
    /// A workbook cannot be opened or a sheet read.
    UnreadableWorkbook,
    /// No header row with the known column names was found.
    NoHeaderRow,
    /// A required column is absent.
    MissingColumn,
    /// A header that is none of the known columns.
    UnknownColumn,
    /// The same column appears twice.
    DuplicateColumn,
    /// A required value is empty.
    RequiredValue,
    /// A code or label is not in the fiscal year's policy.
    UnknownCode,
    /// An amount that is text, a date, or otherwise not a number.
    NotANumber,
    /// A negative amount.
    NegativeAmount,
    /// An amount that does not come to whole yen in the sheet's unit.
    FractionalYen,
    /// An amount above the largest accepted.
    AmountTooLarge,
    /// Shares that do not sum to 100, or a malformed share list.
    BadShares,
    /// The priority-frame part exceeds the request.
    PriorityFrameAboveRequest,
    /// An AMED line without an integrated project.
    ProjectRequired,
    /// The same line id twice in one file.
    DuplicateLineId,
    /// The 単位 cell and `--unit` disagree, or the 単位 cell is unreadable.
    UnitConflict,
    /// Text that is too long or holds control characters.
    BadText,
    /// More rows than haibun reads from one file.
    TooManyRows,
    /// The policy file itself is invalid.
    InvalidPolicy,
    /// A value given on the command line is invalid.
    InvalidArgument,
    /// The sheet's 府省 cell names another ministry than the one importing.
    MinistryConflict,
    /// The file holds no request lines.
    NoData,
    /// More problems than are listed.
    TooManyProblems,
    /// A JSON input is not valid JSON of the documented shape.
    MalformedJson,
    /// No allocation meets the constraints; the location names one that cannot be met.
    Infeasible,
}

impl ProblemCode {
    /// The stable string form, as printed and as returned by the API.
    pub fn as_str(self) -> &'static str {
        use ProblemCode::*;
        match self {
            EmptyFile => "E_EMPTY_FILE",
            NotASpreadsheet => "E_NOT_A_SPREADSHEET",
            FileTooLarge => "E_FILE_TOO_LARGE",
            BadEncoding => "E_BAD_ENCODING",
            MalformedCsv => "E_MALFORMED_CSV",
            UnreadableWorkbook => "E_UNREADABLE_WORKBOOK",
            NoHeaderRow => "E_NO_HEADER_ROW",
            MissingColumn => "E_MISSING_COLUMN",
            UnknownColumn => "E_UNKNOWN_COLUMN",
            DuplicateColumn => "E_DUPLICATE_COLUMN",
            RequiredValue => "E_REQUIRED_VALUE",
            UnknownCode => "E_UNKNOWN_CODE",
            NotANumber => "E_NOT_A_NUMBER",
            NegativeAmount => "E_NEGATIVE_AMOUNT",
            FractionalYen => "E_FRACTIONAL_YEN",
            AmountTooLarge => "E_AMOUNT_TOO_LARGE",
            BadShares => "E_BAD_SHARES",
            PriorityFrameAboveRequest => "E_PRIORITY_FRAME_ABOVE_REQUEST",
            ProjectRequired => "E_PROJECT_REQUIRED",
            DuplicateLineId => "E_DUPLICATE_LINE_ID",
            UnitConflict => "E_UNIT_CONFLICT",
            BadText => "E_BAD_TEXT",
            TooManyRows => "E_TOO_MANY_ROWS",
            InvalidPolicy => "E_INVALID_POLICY",
            InvalidArgument => "E_INVALID_ARGUMENT",
            MinistryConflict => "E_MINISTRY_CONFLICT",
            NoData => "E_NO_DATA",
            TooManyProblems => "E_TOO_MANY_PROBLEMS",
            MalformedJson => "E_MALFORMED_JSON",
            Infeasible => "E_INFEASIBLE",
        }
    }
}

impl From<ProblemCode> for &'static str {
    fn from(c: ProblemCode) -> Self {
        c.as_str()
    }
}

impl fmt::Display for ProblemCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem with the input: a stable code, where it is, and what to do, in Japanese and English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The stable code.
    pub code: ProblemCode,
    /// Where.
    pub location: Location,
    /// The message in Japanese.
    pub message_ja: String,
    /// The message in English.
    pub message_en: String,
}

impl Problem {
    /// A problem at `location`.
    /// Messages that quote a value are clipped to [`MAX_MESSAGE_CHARS`], so a hostile cell of
    /// megabytes is not repeated into every report.
    pub fn new(code: ProblemCode, location: Location, ja: impl Into<String>, en: impl Into<String>) -> Self {
        Self { code, location, message_ja: clip(ja.into()), message_en: clip(en.into()) }
    }
}

/// The longest message kept whole; past it, the message is cut and ends with `…`.
pub const MAX_MESSAGE_CHARS: usize = 500;

fn clip(s: String) -> String {
    if s.len() <= MAX_MESSAGE_CHARS || s.chars().count() <= MAX_MESSAGE_CHARS {
        return s;
    }
    let mut cut: String = s.chars().take(MAX_MESSAGE_CHARS - 1).collect();
    cut.push('…');
    cut
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}: {} / {}", self.code, self.location, self.message_ja, self.message_en)
    }
}

/// The most problems reported for one input; past it, one more problem says how many were left out.
pub const MAX_PROBLEMS: usize = 1000;

/// Caps a problem list at [`MAX_PROBLEMS`], adding a last problem that counts the rest, so a
/// hostile file cannot make the report itself exhaust memory or the reader's patience.
pub fn cap(mut problems: Vec<Problem>) -> Vec<Problem> {
    if problems.len() > MAX_PROBLEMS {
        let rest = problems.len() - MAX_PROBLEMS;
        let at = problems[MAX_PROBLEMS].location.clone();
        problems.truncate(MAX_PROBLEMS);
        problems.push(Problem::new(
            ProblemCode::TooManyProblems,
            at,
            format!("ほかに {rest} 件の誤りがあります（最初の {MAX_PROBLEMS} 件を表示）"),
            format!("{rest} more problems not shown (the first {MAX_PROBLEMS} are)"),
        ));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_follow_spreadsheet_convention() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn a_problem_prints_its_code_location_and_both_languages() {
        let loc = Location {
            file: Some("a.xlsx".into()),
            sheet: Some("要求一覧".into()),
            row: Some(5),
            column: Some("F".into()),
            field: Some("要求額".into()),
        };
        let p = Problem::new(ProblemCode::NotANumber, loc, "数値ではありません", "not a number");
        assert_eq!(
            p.to_string(),
            "[E_NOT_A_NUMBER] a.xlsx シート/sheet「要求一覧」 5行/row 5 F列/column F 項目/field「要求額」: 数値ではありません / not a number"
        );
    }
}
