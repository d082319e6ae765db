//! Budget request lines (要求事業): their fields, and how a row of cells becomes one.

use std::fmt;

use serde::Serialize;

use crate::fiscal_year::FiscalYear;
use crate::money::{AmountError, Unit, Yen, parse_amount};
use crate::policy::{Kind, Policy};
use crate::problem::{Location, Problem, ProblemCode};
use crate::shares::Shares;
use crate::text::has_control_chars;

/// 事業番号: a line's id, stable within ministry and fiscal year.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct LineId(String);

impl LineId {
    /// The longest id accepted.
    pub const MAX_CHARS: usize = 64;

    /// A trimmed, non-empty id of at most [`Self::MAX_CHARS`] characters without control characters.
    /// The id is NFKC-normalised (full-width `Ｍ－１` is `M-1`), so the same id typed two ways is one line.
    pub fn parse(s: &str) -> Option<LineId> {
        let normalized = crate::text::normalize(s);
        let t = normalized.as_str();
        (!t.is_empty()
            && t.chars().count() <= Self::MAX_CHARS
            && !has_control_chars(t)
            && !t.contains(['\n', '\r', '\t']))
        .then(|| LineId(t.to_string()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for LineId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One budget request line of a ministry in a fiscal year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestLine {
    /// 年度
    pub fiscal_year: FiscalYear,
    /// 府省 (code)
    pub ministry: String,
    /// 事業番号
    pub line_id: LineId,
    /// 事業名
    pub name: String,
    /// 区分 (channel code)
    pub channel: String,
    /// 統合プロジェクト (code), required for channels that require one
    pub project: Option<String>,
    /// 前年度予算額
    pub prior_year: Yen,
    /// 要求額
    pub request: Yen,
    /// うち重要政策推進枠: the part of the request under the priority frame
    pub priority_frame: Option<Yen>,
    /// 疾患領域 shares
    pub disease_areas: Option<Shares>,
    /// 開発目的 shares
    pub purposes: Option<Shares>,
    /// 新規 (true) or 継続 (false)
    pub is_new: bool,
    /// 事業概要
    pub summary: String,
    /// 成果目標
    pub kpi: String,
    /// 重点項目: the ids of the policy's priority items (§5) the line serves
    pub priority_items: Vec<String>,
    /// 増額理由・根拠: why the request is new or grows, and the evidence behind it
    pub justification: String,
    /// 予算事業ID: the line's id in the RS system (行政事業レビュー), empty if it has none
    pub rs_id: String,
}

/// The columns of the request sheet, in template order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    /// 事業番号
    LineId,
    /// 事業名
    Name,
    /// 区分
    Channel,
    /// 統合プロジェクト
    Project,
    /// 前年度予算額
    PriorYear,
    /// 要求額
    Request,
    /// うち重要政策推進枠
    PriorityFrame,
    /// 疾患領域
    DiseaseAreas,
    /// 開発目的
    Purposes,
    /// 新規・継続
    New,
    /// 事業概要
    Summary,
    /// 成果目標
    Kpi,
    /// 重点項目
    PriorityItems,
    /// 増額理由・根拠
    Justification,
    /// 予算事業ID (the RS system's)
    RsId,
}

impl Field {
    /// Every column, in template order.
    pub const ALL: [Field; 15] = [
        Field::LineId,
        Field::Name,
        Field::Channel,
        Field::Project,
        Field::PriorYear,
        Field::Request,
        Field::PriorityFrame,
        Field::DiseaseAreas,
        Field::Purposes,
        Field::New,
        Field::Summary,
        Field::Kpi,
        Field::PriorityItems,
        Field::Justification,
        Field::RsId,
    ];

    /// The Japanese header written in the template.
    pub fn header_ja(self) -> &'static str {
        match self {
            Field::LineId => "事業番号",
            Field::Name => "事業名",
            Field::Channel => "区分",
            Field::Project => "統合プロジェクト",
            Field::PriorYear => "前年度予算額",
            Field::Request => "要求額",
            Field::PriorityFrame => "うち重要政策推進枠",
            Field::DiseaseAreas => "疾患領域",
            Field::Purposes => "開発目的",
            Field::New => "新規・継続",
            Field::Summary => "事業概要",
            Field::Kpi => "成果目標",
            Field::PriorityItems => "重点項目",
            Field::Justification => "増額理由・根拠",
            Field::RsId => "予算事業ID",
        }
    }

    /// The English key accepted as a header.
    pub fn key(self) -> &'static str {
        match self {
            Field::LineId => "line_id",
            Field::Name => "name",
            Field::Channel => "channel",
            Field::Project => "project",
            Field::PriorYear => "prior_year",
            Field::Request => "request",
            Field::PriorityFrame => "priority_frame",
            Field::DiseaseAreas => "disease_areas",
            Field::Purposes => "purposes",
            Field::New => "new",
            Field::Summary => "summary",
            Field::Kpi => "kpi",
            Field::PriorityItems => "priority_items",
            Field::Justification => "justification",
            Field::RsId => "rs_id",
        }
    }

    /// Whether a sheet must have this column.
    pub fn required(self) -> bool {
        matches!(self, Field::LineId | Field::Name | Field::Channel | Field::Request | Field::New)
    }

    /// Whether the column holds money.
    pub fn is_amount(self) -> bool {
        matches!(self, Field::PriorYear | Field::Request | Field::PriorityFrame)
    }

    /// The field a header names: the Japanese header or English key, ignoring width, case and
    /// a trailing unit note such as `（千円）`.
    pub fn from_header(header: &str) -> Option<Field> {
        let h = crate::text::fold(header);
        let h = h.split(['(', '（']).next().unwrap_or("").trim();
        Field::ALL.into_iter().find(|f| crate::text::fold(f.header_ja()) == h || f.key() == h)
    }

    fn max_chars(self) -> usize {
        match self {
            Field::Summary | Field::Kpi | Field::Justification => 4000,
            Field::PriorityItems => 1000,
            Field::RsId => 40,
            _ => 500,
        }
    }
}

/// A cell's content as read from a sheet, before it means anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CellValue {
    /// Nothing in the cell.
    Empty,
    /// Text.
    Text(String),
    /// A number, as the shortest decimal string that reads back to the stored value.
    Number(String),
    /// A boolean cell.
    Bool(bool),
    /// A date or time cell, shown as the sheet shows it.
    Date(String),
    /// An error cell such as `#DIV/0!`.
    Error(String),
}

impl CellValue {
    /// The cell as text, `None` when empty or blank.
    pub fn text(&self) -> Option<String> {
        let s = match self {
            CellValue::Empty => return None,
            CellValue::Text(s) | CellValue::Number(s) | CellValue::Date(s) | CellValue::Error(s) => s.clone(),
            CellValue::Bool(b) => b.to_string(),
        };
        let t = s.trim();
        (!t.is_empty()).then(|| t.to_string())
    }
}

/// One cell of a row, with where it is.
#[derive(Debug, Clone)]
pub struct RawCell {
    /// Which column.
    pub field: Field,
    /// The value.
    pub value: CellValue,
    /// Where it is.
    pub location: Location,
}

/// The context a row is read in.
#[derive(Debug, Clone, Copy)]
pub struct RowContext<'a> {
    /// The policy of the year.
    pub policy: &'a Policy,
    /// The year.
    pub fiscal_year: FiscalYear,
    /// The ministry the lines belong to.
    pub ministry: &'a str,
    /// The unit amounts are in.
    pub unit: Unit,
}

/// Reads one row into a request line, collecting every problem rather than stopping at the first.
/// `row_location` locates the row (file, sheet, row) for problems that concern no single cell.
pub fn parse_row(cells: &[RawCell], row_location: &Location, ctx: RowContext<'_>) -> Result<RequestLine, Vec<Problem>> {
    let mut problems = Vec::new();
    let cell = |f: Field| cells.iter().find(|c| c.field == f);
    let loc = |f: Field| {
        cell(f).map_or_else(
            || Location { field: Some(f.header_ja().to_string()), ..row_location.clone() },
            |c| c.location.clone(),
        )
    };
    let mut problem =
        |f: Field, code: ProblemCode, ja: String, en: String| problems.push(Problem::new(code, loc(f), ja, en));

    let text = |f: Field, problem: &mut dyn FnMut(Field, ProblemCode, String, String)| -> Option<String> {
        let c = cell(f)?;
        let t = c.value.text()?;
        if let CellValue::Error(e) = &c.value {
            problem(
                f,
                ProblemCode::BadText,
                format!("セルがエラー値です: {e}"),
                format!("the cell holds an error value: {e}"),
            );
            return None;
        }
        if t.chars().count() > f.max_chars() {
            problem(
                f,
                ProblemCode::BadText,
                format!("{}文字を超えています", f.max_chars()),
                format!("longer than {} characters", f.max_chars()),
            );
            return None;
        }
        if has_control_chars(&t) {
            problem(f, ProblemCode::BadText, "制御文字が含まれています".into(), "contains control characters".into());
            return None;
        }
        Some(t)
    };
    // A required cell that is blank is reported once, here; parsing it then yields nothing.
    for f in Field::ALL.into_iter().filter(|f| f.required()) {
        if cell(f).and_then(|c| c.value.text()).is_none() {
            problem(
                f,
                ProblemCode::RequiredValue,
                format!("「{}」は必須です", f.header_ja()),
                format!("\"{}\" ({}) is required", f.header_ja(), f.key()),
            );
        }
    }

    let line_id = text(Field::LineId, &mut problem).and_then(|t| {
        let id = LineId::parse(&t);
        if id.is_none() {
            problem(
                Field::LineId,
                ProblemCode::BadText,
                format!("事業番号は{}文字以内の1行で書いてください", LineId::MAX_CHARS),
                format!("a line id is one line of at most {} characters", LineId::MAX_CHARS),
            );
        }
        id
    });
    let name = text(Field::Name, &mut problem);
    let coded = |f: Field, kind: Kind, problem: &mut dyn FnMut(Field, ProblemCode, String, String)| -> Option<String> {
        let t = text(f, problem)?;
        let found = ctx.policy.resolve(kind, &t);
        if found.is_none() {
            let (ja, en) = kind.names();
            let valid: Vec<String> =
                ctx.policy.entries(kind).iter().map(|e| format!("{} {}", e.code, e.label_ja)).collect();
            problem(
                f,
                ProblemCode::UnknownCode,
                format!("{ja}「{t}」は{}の方針にありません（有効: {}）", ctx.fiscal_year.era_label(), valid.join("、")),
                format!("unknown {en} \"{t}\" in the {} policy (valid: {})", ctx.fiscal_year, valid.join(", ")),
            );
        }
        found
    };
    let channel = coded(Field::Channel, Kind::Channel, &mut problem);
    let project = coded(Field::Project, Kind::Project, &mut problem);
    let amount = |f: Field, problem: &mut dyn FnMut(Field, ProblemCode, String, String)| -> Option<Yen> {
        let c = cell(f)?;
        let raw = match &c.value {
            CellValue::Empty => return None,
            CellValue::Text(s) | CellValue::Number(s) if s.trim().is_empty() => return None,
            CellValue::Text(s) | CellValue::Number(s) => s.clone(),
            other => {
                let shown = other.text().unwrap_or_default();
                problem(
                    f,
                    ProblemCode::NotANumber,
                    format!("金額ではありません: {shown}"),
                    format!("not an amount: {shown}"),
                );
                return None;
            }
        };
        match parse_amount(&raw, ctx.unit) {
            Ok(y) => Some(y),
            Err(e) => {
                let (code, ja, en) = match e {
                    AmountError::NotANumber => (
                        ProblemCode::NotANumber,
                        format!("金額として読めません: 「{raw}」"),
                        format!("not a number: \"{raw}\""),
                    ),
                    AmountError::Negative => {
                        (ProblemCode::NegativeAmount, format!("金額が負です: {raw}"), format!("negative amount: {raw}"))
                    }
                    AmountError::FractionalYen => (
                        ProblemCode::FractionalYen,
                        format!("{raw}{} は1円未満の端数を含みます", ctx.unit.label_ja()),
                        format!("{raw} {} is not a whole number of yen", ctx.unit.name()),
                    ),
                    AmountError::TooLarge => (
                        ProblemCode::AmountTooLarge,
                        format!("金額が大きすぎます（上限100兆円）: {raw}"),
                        format!("amount too large (limit 100 trillion yen): {raw}"),
                    ),
                };
                problem(f, code, ja, en);
                None
            }
        }
    };
    // An empty prior-year cell means nothing was budgeted last year (a new line).
    let prior_year = amount(Field::PriorYear, &mut problem).unwrap_or(Yen::ZERO);
    let request = amount(Field::Request, &mut problem);
    let priority_frame = amount(Field::PriorityFrame, &mut problem);
    let shares =
        |f: Field, kind: Kind, problem: &mut dyn FnMut(Field, ProblemCode, String, String)| -> Option<Shares> {
            let t = text(f, problem)?;
            match Shares::parse(&t, kind, ctx.policy) {
                Ok(s) => Some(s),
                Err(e) => {
                    problem(f, e.code, e.ja, e.en);
                    None
                }
            }
        };
    let disease_areas = shares(Field::DiseaseAreas, Kind::DiseaseArea, &mut problem);
    let purposes = shares(Field::Purposes, Kind::Purpose, &mut problem);
    let is_new = text(Field::New, &mut problem).and_then(|t| {
        let v = parse_new(&t);
        if v.is_none() {
            problem(
                Field::New,
                ProblemCode::UnknownCode,
                format!("「{t}」は 新規 か 継続 で書いてください"),
                format!("\"{t}\" must be 新規 (new) or 継続 (continuing)"),
            );
        }
        v
    });
    let summary = text(Field::Summary, &mut problem).unwrap_or_default();
    let kpi = text(Field::Kpi, &mut problem).unwrap_or_default();
    let priority_items = text(Field::PriorityItems, &mut problem)
        .map(|t| {
            let mut ids: Vec<String> = Vec::new();
            for raw in t.split([';', '；', ',', '，', '、', ' ', '　']).map(str::trim).filter(|r| !r.is_empty()) {
                match ctx.policy.priority_item(raw) {
                    Some(item) if !ids.contains(&item.id) => ids.push(item.id.clone()),
                    Some(_) => {}
                    None => problem(
                        Field::PriorityItems,
                        ProblemCode::UnknownCode,
                        format!(
                            "重点項目「{raw}」は{}の方針にありません（例: PHARMA-01）",
                            ctx.fiscal_year.era_label()
                        ),
                        format!("no priority item \"{raw}\" in the {} policy (e.g. PHARMA-01)", ctx.fiscal_year),
                    ),
                }
            }
            ids
        })
        .unwrap_or_default();
    let justification = text(Field::Justification, &mut problem).unwrap_or_default();
    let rs_id = text(Field::RsId, &mut problem)
        .map(|t| crate::text::normalize(&t))
        .filter(|t| {
            let ok = t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
            if !ok {
                problem(
                    Field::RsId,
                    ProblemCode::InvalidArgument,
                    format!("予算事業ID「{t}」は英数字と - で書きます"),
                    format!("the RS id \"{t}\" is letters, digits and -"),
                );
            }
            ok
        })
        .unwrap_or_default();

    if let (Some(frame), Some(req)) = (priority_frame, request)
        && frame > req
    {
        problem(
            Field::PriorityFrame,
            ProblemCode::PriorityFrameAboveRequest,
            format!("うち重要政策推進枠（{}）が要求額（{}）を超えています", frame, req),
            format!("the priority-frame part ({}) exceeds the request ({})", frame.get(), req.get()),
        );
    }
    // An `AMED` line without its project is taken as a draft; the policy check reports it as
    // an error (PROJECT_CLASSIFICATION), and the package cannot be submitted until it is fixed.
    match (line_id, name, channel, request, is_new) {
        (Some(line_id), Some(name), Some(channel), Some(request), Some(is_new)) if problems.is_empty() => {
            Ok(RequestLine {
                fiscal_year: ctx.fiscal_year,
                ministry: ctx.ministry.to_string(),
                line_id,
                name,
                channel,
                project,
                prior_year,
                request,
                priority_frame,
                disease_areas,
                purposes,
                is_new,
                summary,
                kpi,
                priority_items,
                justification,
                rs_id,
            })
        }
        _ => Err(problems),
    }
}

/// A line as the text of each column, as the template shows it: Japanese labels for codes,
/// amounts as exact decimal strings in `unit`. Reading these cells back gives the same line.
pub fn to_cells(line: &RequestLine, policy: &Policy, unit: Unit) -> Vec<(Field, String)> {
    let amount = |y: Yen| y.to_unit_string(unit);
    Field::ALL
        .into_iter()
        .map(|f| {
            let v = match f {
                Field::LineId => line.line_id.to_string(),
                Field::Name => line.name.clone(),
                Field::Channel => policy.label_ja(Kind::Channel, &line.channel).to_string(),
                Field::Project => {
                    line.project.as_deref().map(|p| policy.label_ja(Kind::Project, p).to_string()).unwrap_or_default()
                }
                Field::PriorYear => amount(line.prior_year),
                Field::Request => amount(line.request),
                Field::PriorityFrame => line.priority_frame.map(amount).unwrap_or_default(),
                Field::DiseaseAreas => line
                    .disease_areas
                    .as_ref()
                    .map(|s| s.to_label_string(Kind::DiseaseArea, policy))
                    .unwrap_or_default(),
                Field::Purposes => {
                    line.purposes.as_ref().map(|s| s.to_label_string(Kind::Purpose, policy)).unwrap_or_default()
                }
                Field::New => new_label(line.is_new).to_string(),
                Field::Summary => line.summary.clone(),
                Field::Kpi => line.kpi.clone(),
                Field::PriorityItems => line.priority_items.join(";"),
                Field::Justification => line.justification.clone(),
                Field::RsId => line.rs_id.clone(),
            };
            (f, v)
        })
        .collect()
}

/// 新規 → true, 継続 → false (also `new`/`continuing`).
pub fn parse_new(s: &str) -> Option<bool> {
    match crate::text::fold(s).as_str() {
        "新規" | "new" | "true" | "1" => Some(true),
        "継続" | "continuing" | "false" | "0" => Some(false),
        _ => None,
    }
}

/// The label written to sheets for new/continuing.
pub fn new_label(is_new: bool) -> &'static str {
    if is_new { "新規" } else { "継続" }
}
