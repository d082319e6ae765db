//! The budget book (予算の取りまとめ資料): the tables that leave the Cabinet Office, each against the
//! prior year (前年度比較), built from one stage of the cycle. Pure data: the writers in `sheets`
//! turn a [`Book`] into a workbook, CSV files or a printable page, and never compute a figure.

mod build;
mod plan;
#[cfg(test)]
mod tests;

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::Serialize;

pub use build::build;
pub use plan::{PlanLine, allocations_table, execution_plan_tables};

use crate::compile::{Compilation, NONE, Stage, UNASSIGNED};
use crate::fiscal_year::FiscalYear;
use crate::line::LineId;
use crate::money::Yen;
use crate::policy::{Kind, Policy};
use crate::shares::Shares;

/// The unit a book shows its amounts in. Cells keep the exact value; only the display rounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReportUnit {
    /// 円
    Yen,
    /// 千円
    ThousandYen,
    /// 百万円
    MillionYen,
    /// 億円
    HundredMillionYen,
}

impl ReportUnit {
    /// Every unit.
    pub const ALL: [ReportUnit; 4] =
        [ReportUnit::Yen, ReportUnit::ThousandYen, ReportUnit::MillionYen, ReportUnit::HundredMillionYen];

    /// How many yen one unit is.
    pub fn yen_per_unit(self) -> i64 {
        match self {
            ReportUnit::Yen => 1,
            ReportUnit::ThousandYen => 1_000,
            ReportUnit::MillionYen => 1_000_000,
            ReportUnit::HundredMillionYen => 100_000_000,
        }
    }

    /// 円, 千円, 百万円, 億円.
    pub fn label_ja(self) -> &'static str {
        match self {
            ReportUnit::Yen => "円",
            ReportUnit::ThousandYen => "千円",
            ReportUnit::MillionYen => "百万円",
            ReportUnit::HundredMillionYen => "億円",
        }
    }

    /// The command-line name.
    pub fn name(self) -> &'static str {
        match self {
            ReportUnit::Yen => "yen",
            ReportUnit::ThousandYen => "thousand-yen",
            ReportUnit::MillionYen => "million-yen",
            ReportUnit::HundredMillionYen => "hundred-million-yen",
        }
    }

    /// Whether shown figures are rounded, so that parts may not add up to the shown total.
    pub fn rounds(self) -> bool {
        self != ReportUnit::Yen
    }

    /// An amount in this unit, rounded half away from zero to a whole unit, exactly.
    pub fn round(self, y: Yen) -> i64 {
        let u = self.yen_per_unit();
        let v = y.get();
        let (q, r) = (v / u, v % u);
        if r.abs() * 2 >= u { q + v.signum() } else { q }
    }
}

impl fmt::Display for ReportUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ReportUnit {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ReportUnit::ALL.into_iter().find(|u| u.name() == s || u.label_ja() == s).ok_or_else(|| {
            format!("単位「{s}」は yen・thousand-yen・million-yen・hundred-million-yen のいずれか / unit \"{s}\" must be yen, thousand-yen, million-yen or hundred-million-yen")
        })
    }
}

/// The note printed wherever shown figures are rounded.
pub const ROUNDING_NOTE_JA: &str = "計数は四捨五入のため合計と一致しない場合がある。";
/// The same note in English.
pub const ROUNDING_NOTE_EN: &str = "Figures are rounded, so parts may not add up to the totals shown.";

/// A line of the prior year's settled budget (前年度予算), held by the following year for comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PriorLine {
    /// 府省 (code)
    pub ministry: String,
    /// 事業番号, matched with this year's lines
    pub line_id: LineId,
    /// 事業名
    pub name: String,
    /// 区分
    pub channel: String,
    /// 統合プロジェクト
    pub project: Option<String>,
    /// 疾患領域 shares
    pub disease_areas: Option<Shares>,
    /// 開発目的 shares
    pub purposes: Option<Shares>,
    /// 予算額: the settled amount
    pub amount: Yen,
}

/// The frozen compilation a book shows, if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SnapshotRef {
    /// Its number.
    pub id: i64,
    /// SHA-256 of its frozen lines.
    pub content_hash: String,
    /// compiled, submitted or settled.
    pub status: String,
}

/// What a book is of: stated on its cover.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BookMeta {
    /// The year.
    pub fiscal_year: FiscalYear,
    /// Which figures.
    pub stage: Stage,
    /// The snapshot behind the compiled and settled stages.
    pub snapshot: Option<SnapshotRef>,
    /// When it was made (RFC 3339, UTC).
    pub generated_at: String,
    /// Who made it.
    pub generated_by: String,
    /// The unit of the shown amounts.
    pub unit: ReportUnit,
    /// The ministries whose prior-year settled budget is held (lines matched by id, ended lines
    /// shown); every other ministry's prior year is each line's declared 前年度予算額.
    pub prior_held: Vec<String>,
    /// The audit chain's head when the book was made, `SEQ:HASH` (an anchor for `audit verify`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_anchor: Option<String>,
}

impl BookMeta {
    /// 要求段階 etc.
    pub fn stage_ja(&self) -> &'static str {
        match self.stage {
            Stage::Requested => "要求（各府省の現在の要求）",
            Stage::Compiled => "取りまとめ（本部確定）",
            Stage::Settled => "政府予算案（査定後）",
        }
    }

    /// The stage's command-line name.
    pub fn stage_name(&self) -> &'static str {
        match self.stage {
            Stage::Requested => "requested",
            Stage::Compiled => "compiled",
            Stage::Settled => "settled",
        }
    }
}

/// What a column holds and, for derived columns, how it is computed from others (by index).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ColumnKind {
    /// A label (府省, 事業名, …).
    Text,
    /// A count of lines.
    Count,
    /// An amount in yen.
    Amount,
    /// The sum of the amount columns `first..=last` of the row.
    RowSum {
        /// First column.
        first: usize,
        /// Last column.
        last: usize,
    },
    /// Column `a` minus column `b` (増減).
    Diff {
        /// Minuend column.
        a: usize,
        /// Subtrahend column.
        b: usize,
    },
    /// Column `a` over column `b`, as a percentage (前年度比); empty where `b` is 0.
    Ratio {
        /// Numerator column.
        a: usize,
        /// Denominator column.
        b: usize,
    },
}

impl ColumnKind {
    /// Whether the column's total is the sum of its cells.
    pub fn sums(self) -> bool {
        !matches!(self, ColumnKind::Text | ColumnKind::Ratio { .. })
    }
}

/// A column: headers in both languages and what it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Column {
    /// Japanese header.
    pub ja: String,
    /// English header.
    pub en: String,
    /// What it holds.
    pub kind: ColumnKind,
}

impl Column {
    fn new(ja: impl Into<String>, en: impl Into<String>, kind: ColumnKind) -> Column {
        Column { ja: ja.into(), en: en.into(), kind }
    }
}

/// One cell's value. Derived cells carry their computed value, which writers store as the cached
/// result of the formula they write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Value {
    /// Text.
    Text(String),
    /// A count.
    Count(i64),
    /// Yen (amounts, row sums and differences).
    Amount(Yen),
    /// A ratio `num / den`; `None` when the denominator is 0.
    Ratio(Option<(Yen, Yen)>),
}

impl Value {
    /// The ratio as a percentage with one decimal (`102.3`), rounded half up, exactly.
    pub fn percent_tenths(num: Yen, den: Yen) -> Option<i128> {
        let (n, d) = (i128::from(num.get()), i128::from(den.get()));
        if d == 0 {
            return None;
        }
        let scaled = n * 2000 / d;
        Some((scaled + scaled.signum()) / 2)
    }
}

/// One table of the book: one sheet of the workbook, one CSV file, one section of the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Table {
    /// The sheet name (総括表, 府省別, …), also the CSV file's name.
    pub sheet: &'static str,
    /// A stable ASCII name (summary, by_ministry, …).
    pub name: &'static str,
    /// Title, Japanese.
    pub title_ja: String,
    /// Title, English.
    pub title_en: String,
    /// The columns.
    pub columns: Vec<Column>,
    /// The rows, one value per column.
    pub rows: Vec<Vec<Value>>,
    /// The total row (合計): sums of the summing columns, ratios of the totals.
    pub total: Vec<Value>,
}

/// The whole book.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Book {
    /// What it is of.
    pub meta: BookMeta,
    /// The compilation of this stage, which every table agrees with.
    pub compilation: Compilation,
    /// The tables, in book order.
    pub tables: Vec<Table>,
}

/// Computes the total row: sums where the column sums, the ratio of the totals, a label first.
pub fn total_row(columns: &[Column], rows: &[Vec<Value>]) -> Vec<Value> {
    let mut total: Vec<Value> = columns
        .iter()
        .enumerate()
        .map(|(c, col)| match col.kind {
            ColumnKind::Text => Value::Text(String::new()),
            ColumnKind::Count => {
                Value::Count(rows.iter().map(|r| if let Value::Count(n) = r[c] { n } else { 0 }).sum())
            }
            _ => Value::Amount(rows.iter().map(|r| if let Value::Amount(y) = r[c] { y } else { Yen::ZERO }).sum()),
        })
        .collect();
    for (c, col) in columns.iter().enumerate() {
        if let ColumnKind::Ratio { a, b } = col.kind {
            let (Value::Amount(x), Value::Amount(y)) = (&total[a], &total[b]) else { continue };
            total[c] = Value::Ratio((*y != Yen::ZERO).then_some((*x, *y)));
        }
    }
    if let Some(first) = total.first_mut() {
        *first = Value::Text("合計".into());
    }
    total
}

/// Codes in book order: the policy's order, then any others sorted, `NONE`/`UNASSIGNED` last.
pub(super) fn ordered(policy: &Policy, kind: Kind, present: impl IntoIterator<Item = String>) -> Vec<String> {
    let present: BTreeSet<String> = present.into_iter().collect();
    let mut out: Vec<String> =
        policy.codes(kind).into_iter().filter(|c| present.contains(*c)).map(String::from).collect();
    let known: BTreeSet<String> = out.iter().cloned().collect();
    out.extend(present.iter().filter(|c| !known.contains(*c) && *c != NONE && *c != UNASSIGNED).cloned());
    out.extend(present.iter().filter(|c| *c == NONE || *c == UNASSIGNED).cloned());
    out
}

/// The label shown for a code of a kind.
pub fn label(policy: &Policy, kind: Kind, code: &str) -> String {
    match code {
        NONE => "統合プロジェクト外".into(),
        UNASSIGNED => "未設定".into(),
        c => policy.label_ja(kind, c).to_string(),
    }
}
