//! The budget book (予算の取りまとめ資料): the tables that leave the Cabinet Office, each against the
//! prior year (前年度比較), built from one stage of the cycle. Pure data: the writers in `sheets`
//! turn a [`Book`] into a workbook, CSV files or a printable page, and never compute a figure.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::compile::{Amounts, Columns, Compilation, NONE, Stage, UNASSIGNED, compile_columns};
use crate::fiscal_year::FiscalYear;
use crate::line::{LineId, RequestLine};
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

/// A line's status against the prior year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Change {
    Continuing,
    New,
    Ended,
}

impl Change {
    fn ja(self) -> &'static str {
        match self {
            Change::Continuing => "継続",
            Change::New => "新規",
            Change::Ended => "終了",
        }
    }
}

/// A row of the line list: this year's line or an ended one, with its prior-year amount.
struct Entry {
    ministry: String,
    line_id: String,
    name: String,
    channel: String,
    project: Option<String>,
    change: Change,
    prior: Yen,
    amounts: Amounts,
}

/// Adds the amount columns every comparison table ends with, after `k` other columns:
/// 前年度予算額, 要求額, (政府予算案額), 増減, 前年度比.
fn comparison_columns(columns: &mut Vec<Column>, settled: bool) {
    let k = columns.len();
    columns.push(Column::new("前年度予算額", "prior year", ColumnKind::Amount));
    columns.push(Column::new("要求額", "requested", ColumnKind::Amount));
    let current = if settled {
        columns.push(Column::new("政府予算案額", "settled", ColumnKind::Amount));
        k + 2
    } else {
        k + 1
    };
    columns.push(Column::new("増減", "change", ColumnKind::Diff { a: current, b: k }));
    columns.push(Column::new("前年度比(%)", "ratio to prior year (%)", ColumnKind::Ratio { a: current, b: k }));
}

fn comparison_values(row: &mut Vec<Value>, prior: Yen, a: Amounts) {
    row.push(Value::Amount(prior));
    row.push(Value::Amount(a.request));
    if let Some(s) = a.settled {
        row.push(Value::Amount(s));
    }
    let current = a.current();
    row.push(Value::Amount(current - prior));
    row.push(Value::Ratio((prior != Yen::ZERO).then_some((current, prior))));
}

/// Computes the total row: sums where the column sums, the ratio of the totals, a label first.
fn total_row(columns: &[Column], rows: &[Vec<Value>]) -> Vec<Value> {
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
fn ordered(policy: &Policy, kind: Kind, present: impl IntoIterator<Item = String>) -> Vec<String> {
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

fn prior_as_line(fy: FiscalYear, p: &PriorLine) -> RequestLine {
    RequestLine {
        fiscal_year: fy,
        ministry: p.ministry.clone(),
        line_id: p.line_id.clone(),
        name: p.name.clone(),
        channel: p.channel.clone(),
        project: p.project.clone(),
        prior_year: Yen::ZERO,
        request: p.amount,
        priority_frame: None,
        disease_areas: p.disease_areas.clone(),
        purposes: p.purposes.clone(),
        is_new: false,
        summary: String::new(),
        kpi: String::new(),
    }
}

fn by_key(rows: &[crate::compile::KeyRow]) -> HashMap<&str, Amounts> {
    rows.iter().map(|r| (r.key.as_str(), r.amounts)).collect()
}

/// What a matrix table shows: row codes × column codes of this stage's amounts.
struct MatrixSpec {
    sheet: &'static str,
    name: &'static str,
    title_ja: &'static str,
    title_en: &'static str,
    rows: (Kind, Vec<String>),
    columns: (Kind, Vec<String>),
}

/// A matrix of this stage's amounts with, per row, its total, the prior year, the change and the
/// ratio (総括表, 府省×統合プロジェクト, 疾患領域別).
fn matrix(
    policy: &Policy,
    spec: MatrixSpec,
    cells: HashMap<(String, String), Yen>,
    prior: &HashMap<String, Yen>,
) -> Table {
    let (row_kind, row_codes) = spec.rows;
    let (col_kind, col_codes) = spec.columns;
    let col_codes = ordered(policy, col_kind, col_codes);
    let (ja, en) = row_kind.names();
    let mut columns = vec![Column::new(ja, en, ColumnKind::Text)];
    for c in &col_codes {
        columns.push(Column::new(label(policy, col_kind, c), c.clone(), ColumnKind::Amount));
    }
    let n = columns.len();
    columns.push(Column::new("合計", "total", ColumnKind::RowSum { first: 1, last: n - 1 }));
    columns.push(Column::new("前年度予算額", "prior year", ColumnKind::Amount));
    columns.push(Column::new("増減", "change", ColumnKind::Diff { a: n, b: n + 1 }));
    columns.push(Column::new("前年度比(%)", "ratio to prior year (%)", ColumnKind::Ratio { a: n, b: n + 1 }));
    let rows: Vec<Vec<Value>> = ordered(policy, row_kind, row_codes)
        .iter()
        .map(|r| {
            let mut row = vec![Value::Text(label(policy, row_kind, r))];
            let mut sum = Yen::ZERO;
            for c in &col_codes {
                let v = cells.get(&(r.clone(), c.clone())).copied().unwrap_or_default();
                sum += v;
                row.push(Value::Amount(v));
            }
            let p = prior.get(r).copied().unwrap_or_default();
            row.extend([
                Value::Amount(sum),
                Value::Amount(p),
                Value::Amount(sum - p),
                Value::Ratio((p != Yen::ZERO).then_some((sum, p))),
            ]);
            row
        })
        .collect();
    let total = total_row(&columns, &rows);
    Table {
        sheet: spec.sheet,
        name: spec.name,
        title_ja: spec.title_ja.into(),
        title_en: spec.title_en.into(),
        columns,
        rows,
        total,
    }
}

/// Builds the book of one stage. `current` holds this stage's lines, each with its settled amount
/// at the settled stage; `held` the prior year's settled lines of the ministries in
/// `meta.prior_held`. Other ministries' prior year is each line's declared 前年度予算額.
pub fn build(policy: &Policy, meta: BookMeta, current: &[(RequestLine, Option<Yen>)], held: &[PriorLine]) -> Book {
    let fy = meta.fiscal_year;
    let settled = meta.stage == Stage::Settled;
    let is_held = |m: &str| meta.prior_held.iter().any(|h| h == m);
    let mut cols = Columns::with_capacity(current.len(), settled);
    for (l, s) in current {
        cols.push_line(l, if settled { Some(s.unwrap_or(l.request)) } else { None });
    }
    let comp = compile_columns(fy, meta.stage, &cols);
    let mut prior_lines: Vec<PriorLine> = held.iter().filter(|p| is_held(&p.ministry)).cloned().collect();
    prior_lines.extend(current.iter().filter(|(l, _)| !is_held(&l.ministry)).map(|(l, _)| PriorLine {
        ministry: l.ministry.clone(),
        line_id: l.line_id.clone(),
        name: l.name.clone(),
        channel: l.channel.clone(),
        project: l.project.clone(),
        disease_areas: l.disease_areas.clone(),
        purposes: l.purposes.clone(),
        amount: l.prior_year,
    }));
    let mut pcols = Columns::with_capacity(prior_lines.len(), false);
    for p in &prior_lines {
        pcols.push_line(&prior_as_line(fy, p), None);
    }
    // The prior year's figures are its settled amounts, compiled like this year's requests.
    let pc = compile_columns(fy, Stage::Requested, &pcols);
    let prior_of = |rows: &[crate::compile::KeyRow]| -> HashMap<String, Yen> {
        rows.iter().map(|r| (r.key.clone(), r.amounts.request)).collect()
    };
    let zero = Amounts { settled: settled.then_some(Yen::ZERO), ..Amounts::default() };

    let list = |sheet: &'static str,
                name: &'static str,
                title_ja: &str,
                title_en: &str,
                kind: Kind,
                cur: &[crate::compile::KeyRow],
                pri: &[crate::compile::KeyRow]| {
        let (cur, pri) = (by_key(cur), prior_of(pri));
        let mut columns = vec![Column::new(kind.names().0, kind.names().1, ColumnKind::Text)];
        comparison_columns(&mut columns, settled);
        let keys = ordered(policy, kind, cur.keys().map(|k| k.to_string()).chain(pri.keys().cloned()));
        let rows: Vec<Vec<Value>> = keys
            .iter()
            .map(|k| {
                let mut row = vec![Value::Text(label(policy, kind, k))];
                comparison_values(
                    &mut row,
                    pri.get(k).copied().unwrap_or_default(),
                    cur.get(k.as_str()).copied().unwrap_or(zero),
                );
                row
            })
            .collect();
        let total = total_row(&columns, &rows);
        Table { sheet, name, title_ja: title_ja.into(), title_en: title_en.into(), columns, rows, total }
    };

    let mut tables = Vec::new();

    let keys = |rows: &[crate::compile::KeyRow]| rows.iter().map(|r| r.key.clone()).collect::<Vec<_>>();
    // 総括表: ministries × channels, with the total against the prior year.
    tables.push(matrix(
        policy,
        MatrixSpec {
            sheet: "総括表",
            name: "summary",
            title_ja: "医療分野の研究開発関連予算 総括表（府省別・区分別）",
            title_en: "Summary: by ministry and budget channel",
            rows: (Kind::Ministry, [keys(&comp.by_ministry), keys(&pc.by_ministry)].concat()),
            columns: (Kind::Channel, [keys(&comp.by_channel), keys(&pc.by_channel)].concat()),
        },
        comp.by_ministry_channel
            .iter()
            .map(|r| ((r.ministry.clone(), r.channel.clone()), r.amounts.current()))
            .collect(),
        &prior_of(&pc.by_ministry),
    ));

    tables.push(list(
        "府省別",
        "by_ministry",
        "府省別",
        "By ministry",
        Kind::Ministry,
        &comp.by_ministry,
        &pc.by_ministry,
    ));
    tables.push(list(
        "統合プロジェクト別",
        "by_project",
        "統合プロジェクト別",
        "By integrated project",
        Kind::Project,
        &comp.by_project,
        &pc.by_project,
    ));

    // 府省×統合プロジェクト, and 疾患領域別: disease areas × projects (shares apportioned).
    tables.push(matrix(
        policy,
        MatrixSpec {
            sheet: "府省×統合プロジェクト",
            name: "by_ministry_project",
            title_ja: "府省×統合プロジェクト",
            title_en: "Ministry × integrated project",
            rows: (Kind::Ministry, [keys(&comp.by_ministry), keys(&pc.by_ministry)].concat()),
            columns: (Kind::Project, keys(&comp.by_project)),
        },
        comp.by_ministry_project
            .iter()
            .map(|r| ((r.ministry.clone(), r.project.clone()), r.amounts.current()))
            .collect(),
        &prior_of(&pc.by_ministry),
    ));
    tables.push(matrix(
        policy,
        MatrixSpec {
            sheet: "疾患領域別",
            name: "by_disease_area",
            title_ja: "疾患領域別（統合プロジェクト×疾患領域、割合で按分）",
            title_en: "By disease area (integrated project × disease area, shares apportioned)",
            rows: (Kind::DiseaseArea, [keys(&comp.by_disease_area), keys(&pc.by_disease_area)].concat()),
            columns: (Kind::Project, keys(&comp.by_project)),
        },
        comp.by_project_disease_area
            .iter()
            .map(|r| ((r.disease_area.clone(), r.project.clone()), r.amounts.current()))
            .collect(),
        &prior_of(&pc.by_disease_area),
    ));

    tables.push(list(
        "開発目的別",
        "by_purpose",
        "開発目的別（割合で按分）",
        "By development purpose (shares apportioned)",
        Kind::Purpose,
        &comp.by_purpose,
        &pc.by_purpose,
    ));
    tables.push(list(
        "区分別",
        "by_channel",
        "区分別",
        "By budget channel",
        Kind::Channel,
        &comp.by_channel,
        &pc.by_channel,
    ));

    // 事業一覧 and 前年度比較: lines matched with the prior year by (ministry, line id).
    let prior_by_id: HashMap<(&str, &str), &PriorLine> =
        prior_lines.iter().map(|p| ((p.ministry.as_str(), p.line_id.as_str()), p)).collect();
    let mut entries: Vec<Entry> = current
        .iter()
        .map(|(l, s)| {
            let change = if !is_held(&l.ministry) {
                if l.is_new { Change::New } else { Change::Continuing }
            } else if prior_by_id.contains_key(&(l.ministry.as_str(), l.line_id.as_str())) {
                Change::Continuing
            } else {
                Change::New
            };
            let p = prior_by_id.get(&(l.ministry.as_str(), l.line_id.as_str())).map_or(Yen::ZERO, |p| p.amount);
            let a = Amounts {
                prior_year: p,
                request: l.request,
                settled: settled.then(|| s.unwrap_or(l.request)),
                adjustment: None,
            };
            Entry {
                ministry: l.ministry.clone(),
                line_id: l.line_id.to_string(),
                name: l.name.clone(),
                channel: l.channel.clone(),
                project: l.project.clone(),
                change,
                prior: p,
                amounts: a,
            }
        })
        .collect();
    let here: BTreeSet<(&str, &str)> = current.iter().map(|(l, _)| (l.ministry.as_str(), l.line_id.as_str())).collect();
    for p in prior_lines.iter().filter(|p| !here.contains(&(p.ministry.as_str(), p.line_id.as_str()))) {
        entries.push(Entry {
            ministry: p.ministry.clone(),
            line_id: p.line_id.to_string(),
            name: p.name.clone(),
            channel: p.channel.clone(),
            project: p.project.clone(),
            change: Change::Ended,
            prior: p.amount,
            amounts: zero,
        });
    }
    let ministry_rank: HashMap<String, usize> =
        policy.codes(Kind::Ministry).into_iter().enumerate().map(|(i, c)| (c.to_string(), i)).collect();
    entries.sort_by(|a, b| {
        let key =
            |e: &Entry| (*ministry_rank.get(&e.ministry).unwrap_or(&usize::MAX), e.ministry.clone(), e.line_id.clone());
        key(a).cmp(&key(b))
    });
    {
        let mut columns = vec![
            Column::new("府省", "ministry", ColumnKind::Text),
            Column::new("事業番号", "line id", ColumnKind::Text),
            Column::new("事業名", "name", ColumnKind::Text),
            Column::new("区分", "channel", ColumnKind::Text),
            Column::new("統合プロジェクト", "integrated project", ColumnKind::Text),
            Column::new("新規・継続・終了", "new, continuing or ended", ColumnKind::Text),
        ];
        comparison_columns(&mut columns, settled);
        let rows: Vec<Vec<Value>> = entries
            .iter()
            .map(|e| {
                let mut row = vec![
                    Value::Text(label(policy, Kind::Ministry, &e.ministry)),
                    Value::Text(e.line_id.clone()),
                    Value::Text(e.name.clone()),
                    Value::Text(label(policy, Kind::Channel, &e.channel)),
                    Value::Text(e.project.as_deref().map(|p| label(policy, Kind::Project, p)).unwrap_or_default()),
                    Value::Text(e.change.ja().into()),
                ];
                comparison_values(&mut row, e.prior, e.amounts);
                row
            })
            .collect();
        let total = total_row(&columns, &rows);
        tables.push(Table {
            sheet: "事業一覧",
            name: "lines",
            title_ja: "事業一覧".into(),
            title_en: "Line list".into(),
            columns,
            rows,
            total,
        });
    }
    {
        let mut groups: BTreeMap<(usize, String, Change), (i64, Yen, Amounts)> = BTreeMap::new();
        for e in &entries {
            let rank = *ministry_rank.get(&e.ministry).unwrap_or(&usize::MAX);
            let g = groups.entry((rank, e.ministry.clone(), e.change)).or_insert((0, Yen::ZERO, zero));
            let a = e.amounts;
            g.0 += 1;
            g.1 += e.prior;
            g.2.prior_year += a.prior_year;
            g.2.request += a.request;
            if let Some(s) = a.settled {
                g.2.settled = Some(g.2.settled.unwrap_or_default() + s);
            }
        }
        let mut columns = vec![
            Column::new("府省", "ministry", ColumnKind::Text),
            Column::new("新規・継続・終了", "new, continuing or ended", ColumnKind::Text),
            Column::new("事業数", "lines", ColumnKind::Count),
        ];
        comparison_columns(&mut columns, settled);
        let rows: Vec<Vec<Value>> = groups
            .into_iter()
            .map(|((_, m, change), (n, p, a))| {
                let mut row = vec![
                    Value::Text(label(policy, Kind::Ministry, &m)),
                    Value::Text(change.ja().into()),
                    Value::Count(n),
                ];
                comparison_values(&mut row, p, a);
                row
            })
            .collect();
        let total = total_row(&columns, &rows);
        tables.push(Table {
            sheet: "前年度比較",
            name: "prior_year_comparison",
            title_ja: "前年度比較（府省別、継続・新規・終了）".into(),
            title_en: "Against the prior year: continuing, new and ended lines by ministry".into(),
            columns,
            rows,
            total,
        });
    }
    Book { meta, compilation: comp, tables }
}

/// One funded line of a round's execution plan (実行計画).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanLine {
    /// 府省
    pub ministry: String,
    /// 事業番号
    pub line_id: String,
    /// 事業名 (empty if the line is no longer stored)
    pub name: String,
    /// 統合プロジェクト
    pub project: Option<String>,
    /// The proposal funded (none for an emergency allocation).
    pub proposal: Option<i64>,
    /// 配分額
    pub amount: Yen,
    /// Why: the plan, HQ's reason for a change, or the emergency.
    pub reason: String,
}

/// The tables of an execution plan: the funded lines, and the amounts by integrated project.
pub fn execution_plan_tables(policy: &Policy, lines: &[PlanLine]) -> Vec<Table> {
    let columns = vec![
        Column::new("府省", "ministry", ColumnKind::Text),
        Column::new("事業番号", "line id", ColumnKind::Text),
        Column::new("事業名", "name", ColumnKind::Text),
        Column::new("統合プロジェクト", "integrated project", ColumnKind::Text),
        Column::new("提案", "proposal", ColumnKind::Text),
        Column::new("配分額", "allocated", ColumnKind::Amount),
        Column::new("理由", "reason", ColumnKind::Text),
    ];
    let rows: Vec<Vec<Value>> = lines
        .iter()
        .map(|l| {
            vec![
                Value::Text(label(policy, Kind::Ministry, &l.ministry)),
                Value::Text(l.line_id.clone()),
                Value::Text(l.name.clone()),
                Value::Text(l.project.as_deref().map(|p| label(policy, Kind::Project, p)).unwrap_or_default()),
                Value::Text(l.proposal.map(|p| format!("#{p}")).unwrap_or_else(|| "緊急".into())),
                Value::Amount(l.amount),
                Value::Text(l.reason.clone()),
            ]
        })
        .collect();
    let total = total_row(&columns, &rows);
    let funded = Table {
        sheet: "実行計画",
        name: "execution_plan",
        title_ja: "実行計画（対象事業と配分額）".into(),
        title_en: "Execution plan: the target lines and the amount for each".into(),
        columns,
        rows,
        total,
    };
    let mut by_project: BTreeMap<String, Yen> = BTreeMap::new();
    for l in lines {
        *by_project.entry(l.project.clone().unwrap_or_else(|| NONE.to_string())).or_default() += l.amount;
    }
    let columns = vec![
        Column::new("統合プロジェクト", "integrated project", ColumnKind::Text),
        Column::new("配分額", "allocated", ColumnKind::Amount),
    ];
    let rows: Vec<Vec<Value>> = ordered(policy, Kind::Project, by_project.keys().cloned())
        .into_iter()
        .map(|p| vec![Value::Text(label(policy, Kind::Project, &p)), Value::Amount(by_project[&p])])
        .collect();
    let total = total_row(&columns, &rows);
    let projects = Table {
        sheet: "統合プロジェクト別",
        name: "execution_plan_by_project",
        title_ja: "統合プロジェクト別の配分額".into(),
        title_en: "Allocated by integrated project".into(),
        columns,
        rows,
        total,
    };
    vec![funded, projects]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> Policy {
        Policy::builtin(FiscalYear::try_from(2023).unwrap()).unwrap().unwrap()
    }

    fn line(m: &str, id: &str, project: Option<&str>, prior: i64, request: i64, d: Option<&str>) -> RequestLine {
        RequestLine {
            fiscal_year: FiscalYear::try_from(2023).unwrap(),
            ministry: m.into(),
            line_id: LineId::parse(id).unwrap(),
            name: format!("事業{id}"),
            channel: "AMED".into(),
            project: project.map(Into::into),
            prior_year: Yen(prior),
            request: Yen(request),
            priority_frame: None,
            disease_areas: d.map(|d| Shares::from_code_string(d).unwrap()),
            purposes: None,
            is_new: prior == 0,
            summary: String::new(),
            kpi: String::new(),
        }
    }

    fn meta(stage: Stage, prior_held: &[&str]) -> BookMeta {
        BookMeta {
            fiscal_year: FiscalYear::try_from(2023).unwrap(),
            stage,
            snapshot: None,
            generated_at: "2023-01-01T00:00:00Z".into(),
            generated_by: "test".into(),
            unit: ReportUnit::MillionYen,
            prior_held: prior_held.iter().map(|m| m.to_string()).collect(),
        }
    }

    fn amount(v: &Value) -> Yen {
        match v {
            Value::Amount(y) => *y,
            other => panic!("not an amount: {other:?}"),
        }
    }

    fn prior(m: &str, id: &str, amount: i64) -> PriorLine {
        PriorLine {
            ministry: m.into(),
            line_id: LineId::parse(id).unwrap(),
            name: format!("旧事業{id}"),
            channel: "AMED".into(),
            project: Some("PHARMA".into()),
            disease_areas: Some(Shares::from_code_string("CANCER:100").unwrap()),
            purposes: None,
            amount: Yen(amount),
        }
    }

    #[test]
    fn a_held_prior_year_matches_lines_by_id_and_shows_new_and_ended_lines() {
        let p = policy();
        let current = vec![
            (line("MEXT", "1", Some("PHARMA"), 0, 1_000_001, Some("CANCER:60;INTRACTABLE:40")), Some(Yen(900_000))),
            (line("MHLW", "9", None, 5, 7, None), Some(Yen(7))),
        ];
        let held = vec![prior("MEXT", "1", 800_000), prior("MHLW", "2", 333)];
        let book = build(&p, meta(Stage::Settled, &["MEXT", "MHLW"]), &current, &held);
        let lines = book.tables.iter().find(|t| t.name == "lines").unwrap();
        let status: Vec<(&Value, &Value)> = lines.rows.iter().map(|r| (&r[1], &r[5])).collect();
        assert_eq!(
            status,
            [
                (&Value::Text("1".into()), &Value::Text("継続".into())),
                (&Value::Text("2".into()), &Value::Text("終了".into())),
                (&Value::Text("9".into()), &Value::Text("新規".into())),
            ]
        );
        // 前年度 | 要求額 | 政府予算案額 | 増減 | 前年度比 after six text columns.
        assert_eq!(amount(&lines.total[6]), Yen(800_333));
        assert_eq!(amount(&lines.total[8]), Yen(900_007));
        assert_eq!(amount(&lines.total[9]), Yen(900_007 - 800_333));
        for t in &book.tables {
            // Every summing column's total is the sum of its cells, and every table's this-year
            // total is the compilation's.
            for (c, col) in t.columns.iter().enumerate().filter(|(_, c)| c.kind.sums()) {
                if col.kind == ColumnKind::Count {
                    continue;
                }
                assert_eq!(
                    amount(&t.total[c]),
                    t.rows.iter().map(|r| amount(&r[c])).sum::<Yen>(),
                    "{} {}",
                    t.sheet,
                    col.ja
                );
            }
            let current_total = t
                .columns
                .iter()
                .position(|c| c.ja == "合計" || c.ja == "政府予算案額")
                .map(|c| amount(&t.total[c]))
                .unwrap();
            assert_eq!(current_total, book.compilation.total.current(), "{}", t.sheet);
        }
        let summary = &book.tables[0];
        let prior_col = summary.columns.iter().position(|c| c.ja == "前年度予算額").unwrap();
        assert_eq!(amount(&summary.total[prior_col]), Yen(800_333));
    }

    #[test]
    fn without_a_held_prior_year_the_declared_column_is_the_prior_year() {
        let p = policy();
        let current = vec![(line("MEXT", "1", Some("PHARMA"), 400, 1_000, None), None)];
        let book = build(&p, meta(Stage::Requested, &[]), &current, &[]);
        let by_m = book.tables.iter().find(|t| t.name == "by_ministry").unwrap();
        assert_eq!(
            by_m.rows[0][1..],
            [
                Value::Amount(Yen(400)),
                Value::Amount(Yen(1_000)),
                Value::Amount(Yen(600)),
                Value::Ratio(Some((Yen(1_000), Yen(400))))
            ]
        );
        assert_eq!(Value::percent_tenths(Yen(1_000), Yen(400)), Some(2500));
        assert_eq!(Value::percent_tenths(Yen(2), Yen(3)), Some(667));
        assert_eq!(Value::percent_tenths(Yen(1), Yen(0)), None);
    }

    #[test]
    fn units_round_half_away_from_zero_exactly() {
        assert_eq!(ReportUnit::MillionYen.round(Yen(1_499_999)), 1);
        assert_eq!(ReportUnit::MillionYen.round(Yen(1_500_000)), 2);
        assert_eq!(ReportUnit::HundredMillionYen.round(Yen(-150_000_000)), -2);
        assert_eq!(ReportUnit::Yen.round(Yen(7)), 7);
        assert_eq!("億円".parse::<ReportUnit>(), Ok(ReportUnit::HundredMillionYen));
        assert!("万円".parse::<ReportUnit>().is_err());
    }
}
