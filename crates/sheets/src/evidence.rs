//! The evidence tables (§4): overseas funding by category, the mapping of source categories onto
//! the policy's disease areas and projects, publication counts, researcher survey results and
//! exchange rates. Each is CSV (UTF-8 or Shift_JIS) or a workbook's first sheet, a header in the
//! first row naming columns in English or Japanese, in any order. A table is read whole or not
//! at all: every problem is reported with its row and column.

use std::collections::BTreeMap;

use haibun_domain::Policy;
use haibun_domain::evidence::Rate;
use haibun_domain::evidence::report::{
    Dimension, EvidenceRows, FundingRow, MappingRow, PublicationRow, Source, SurveyRow, Table,
};
use haibun_domain::policy::Kind;
use haibun_domain::problem::{Location, Problem, ProblemCode};
use haibun_domain::shares::Shares;
use rust_decimal::Decimal;

use haibun_domain::text::{fold, normalize};

use crate::rs::{key, read_table};

/// The largest amount in a funding row (10^15 in its currency), so conversion cannot overflow.
pub const MAX_AMOUNT: i64 = 1_000_000_000_000_000;
/// The longest text in a cell.
pub const MAX_TEXT_CHARS: usize = 200;

/// The columns of each table: (English name, Japanese name).
pub fn columns(table: Table) -> &'static [(&'static str, &'static str)] {
    match table {
        Table::Funding => &[
            ("funder", "資金配分機関"),
            ("category", "分類"),
            ("year", "年度"),
            ("amount", "金額"),
            ("currency", "通貨"),
        ],
        Table::Mapping => &[("source", "対象表"), ("category", "分類"), ("target", "対応先"), ("share", "割合")],
        Table::Publications => &[("field", "分野"), ("country", "国"), ("year", "年"), ("count", "論文数")],
        Table::Survey => &[("area", "領域"), ("question", "設問"), ("score", "点数"), ("respondents", "回答者数")],
        Table::Rates => &[("currency", "通貨"), ("year", "年度"), ("yen_per_unit", "円換算レート")],
    }
}

/// Reads one evidence table; area names are resolved against `policy` (codes or any label).
pub fn read_evidence(
    table: Table,
    bytes: &[u8],
    file: &str,
    policy: &Policy,
    limits: &crate::Limits,
) -> Result<EvidenceRows, Vec<Problem>> {
    let label = table.name_ja();
    let parsed = read_table(bytes, file, label, &[], limits)?;
    let cols = columns(table);
    let at = |row: Option<u32>, column: Option<usize>, field: &str| parsed.at(file, row, column, Some(field));
    // Each column by either name; a column named twice is ambiguous.
    let mut problems = Vec::new();
    let mut index = Vec::new();
    for (en, ja) in cols {
        let found: Vec<usize> = (0..parsed.keys.len())
            .filter(|i| parsed.keys[*i].to_lowercase() == key(en) || parsed.keys[*i] == key(ja))
            .collect();
        match found.as_slice() {
            [i] => index.push(*i),
            [] => problems.push(Problem::new(
                ProblemCode::MissingColumn,
                at(Some(1), None, en),
                format!("{label} の列「{ja}」（{en}）がありません"),
                format!("the {} column \"{en}\" ({ja}) is missing", table.name()),
            )),
            [_, second, ..] => problems.push(Problem::new(
                ProblemCode::DuplicateColumn,
                at(Some(1), Some(*second), en),
                format!("列「{ja}」（{en}）が二つあります"),
                format!("the column \"{en}\" ({ja}) appears twice"),
            )),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut cells: Vec<Cells> = Vec::new();
    for (row, record) in &parsed.rows {
        cells.push(Cells {
            row: *row,
            values: index.iter().map(|i| record.get(*i).unwrap_or("").trim().to_string()).collect(),
            index: index.clone(),
        });
    }
    let japan = policy
        .evidence
        .as_ref()
        .map_or_else(Vec::new, |e| e.japan.iter().map(|j| normalize(j).to_uppercase()).collect());
    let mut r = Reader { problems, at: &at, cols, japan };
    let rows = match table {
        Table::Funding => EvidenceRows::Funding(r.funding(&cells)),
        Table::Mapping => EvidenceRows::Mapping(r.mapping(&cells, policy)),
        Table::Publications => EvidenceRows::Publications(r.publications(&cells)),
        Table::Survey => EvidenceRows::Survey(r.survey(&cells, policy)),
        Table::Rates => EvidenceRows::Rates(r.rates(&cells)),
    };
    let mut problems = r.problems;
    problems.extend(parsed.broken.clone());
    if rows.is_empty() && problems.is_empty() {
        problems.push(Problem::new(
            ProblemCode::NoData,
            at(None, None, label),
            format!("{label} にデータ行がありません"),
            format!("the {} table has no data rows", table.name()),
        ));
    }
    if problems.is_empty() { Ok(rows) } else { Err(problems) }
}

/// A number as people write it (after NFKC, so full-width digits read): an optional sign, digits
/// with commas only between groups of three (`7,300,000`; never a decimal comma such as `131,5`),
/// and an optional fraction. Nothing else — no `_`, no exponent, no spaces inside.
fn plain_number(raw: &str) -> Option<Decimal> {
    let t = normalize(raw.trim());
    let body = t.strip_prefix(['-', '+']).unwrap_or(&t);
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let groups: Vec<&str> = int.split(',').collect();
    let grouped = groups.len() == 1
        || (!groups[0].is_empty() && groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if int.is_empty()
        || !grouped
        || !groups.iter().all(|g| digits(g))
        || !digits(frac)
        || (body.contains('.') && frac.is_empty())
    {
        return None;
    }
    t.replace(',', "").parse().ok()
}

/// A mapping's rows of one category onto one dimension: (first row, the areas and shares, the
/// category as first written).
type Group = (u32, Vec<(String, u8)>, String);

/// One data row's cells, in the order of [`columns`].
struct Cells {
    row: u32,
    values: Vec<String>,
    index: Vec<usize>,
}

struct Reader<'a, F: Fn(Option<u32>, Option<usize>, &str) -> Location> {
    problems: Vec<Problem>,
    at: &'a F,
    cols: &'static [(&'static str, &'static str)],
    /// The policy's names of Japan (NFKC, upper case): one country for duplicate checks.
    japan: Vec<String>,
}

impl<F: Fn(Option<u32>, Option<usize>, &str) -> Location> Reader<'_, F> {
    fn bad(&mut self, c: &Cells, i: usize, ja: String, en: String, code: ProblemCode) {
        let at = (self.at)(Some(c.row), Some(c.index[i]), self.cols[i].0);
        self.problems.push(Problem::new(code, at, ja, en));
    }

    fn text(&mut self, c: &Cells, i: usize) -> Option<String> {
        let v = &c.values[i];
        let (en, ja) = self.cols[i];
        if v.is_empty() {
            self.bad(c, i, format!("「{ja}」が空です"), format!("\"{en}\" is empty"), ProblemCode::RequiredValue);
            return None;
        }
        if v.chars().count() > MAX_TEXT_CHARS || v.chars().any(char::is_control) {
            let (ja, en) = (
                format!("「{ja}」が長すぎるか制御文字を含みます（上限 {MAX_TEXT_CHARS} 字）"),
                format!("\"{en}\" is too long or holds control characters (at most {MAX_TEXT_CHARS})"),
            );
            self.bad(c, i, ja, en, ProblemCode::BadText);
            return None;
        }
        Some(v.clone())
    }

    fn number(&mut self, c: &Cells, i: usize, low: Decimal, high: Decimal) -> Option<Decimal> {
        let (en, ja) = self.cols[i];
        match plain_number(&c.values[i]) {
            Some(v) if v >= low && v <= high => Some(v),
            _ => {
                let (ja, en) = (
                    format!("「{ja}」の「{}」は {low}〜{high} の数ではありません", c.values[i]),
                    format!("\"{en}\" \"{}\" is not a number from {low} to {high}", c.values[i]),
                );
                self.bad(c, i, ja, en, ProblemCode::NotANumber);
                None
            }
        }
    }

    fn whole(&mut self, c: &Cells, i: usize, low: i64, high: i64) -> Option<i64> {
        let v = self.number(c, i, Decimal::from(low), Decimal::from(high))?;
        if v.fract().is_zero() {
            return i64::try_from(v).ok();
        }
        let (en, ja) = self.cols[i];
        self.bad(c, i, format!("「{ja}」は整数で書きます"), format!("\"{en}\" must be whole"), ProblemCode::NotANumber);
        None
    }

    fn currency(&mut self, c: &Cells, i: usize) -> Option<String> {
        let v = self.text(c, i)?.to_uppercase();
        if v.len() == 3 && v.chars().all(|ch| ch.is_ascii_uppercase()) {
            return Some(v);
        }
        let (ja, en) = (
            format!("通貨「{v}」は ISO の 3 文字コード（USD など）で書きます"),
            format!("the currency \"{v}\" must be an ISO three-letter code such as USD"),
        );
        self.bad(c, i, ja, en, ProblemCode::InvalidArgument);
        None
    }

    /// Notes a key seen twice (the later row, naming the earlier). Keys compare after NFKC and
    /// case folding, as the report compares them, so `Cancer` and `Ｃａｎｃｅｒ` are one key.
    fn unique(&mut self, seen: &mut BTreeMap<Vec<String>, u32>, parts: &[&str], c: &Cells, what: &str) {
        let key: Vec<String> = parts.iter().map(|p| fold(p)).collect();
        let shown = parts.join(" / ");
        if let Some(first) = seen.get(&key) {
            let (ja, en) = (
                format!("{what}「{shown}」が {first} 行目と重複しています"),
                format!("{what} \"{shown}\" repeats row {first}"),
            );
            self.bad(c, 0, ja, en, ProblemCode::InvalidArgument);
        } else {
            seen.insert(key, c.row);
        }
    }

    /// A disease area or project of the policy, by code or label.
    fn area(&mut self, c: &Cells, i: usize, policy: &Policy) -> Option<(Dimension, String)> {
        let v = self.text(c, i)?;
        if let Some(code) = policy.resolve(Kind::DiseaseArea, &v) {
            return Some((Dimension::DiseaseArea, code));
        }
        if let Some(code) = policy.resolve(Kind::Project, &v) {
            return Some((Dimension::Project, code));
        }
        let (ja, en) = (
            format!("「{v}」は方針の疾患領域にも統合プロジェクトにもありません"),
            format!("\"{v}\" is neither a disease area nor an integrated project of the policy"),
        );
        self.bad(c, i, ja, en, ProblemCode::UnknownCode);
        None
    }

    fn funding(&mut self, rows: &[Cells]) -> Vec<FundingRow> {
        let mut out = Vec::new();
        let mut seen = BTreeMap::new();
        for c in rows {
            let funder = self.text(c, 0);
            let category = self.text(c, 1);
            let year = self.whole(c, 2, 1900, 2100);
            let amount = self.number(c, 3, Decimal::ZERO, Decimal::from(MAX_AMOUNT));
            let currency = self.currency(c, 4);
            if let (Some(funder), Some(category), Some(year), Some(amount), Some(currency)) =
                (funder, category, year, amount, currency)
            {
                self.unique(
                    &mut seen,
                    &[&funder, &category, &year.to_string()],
                    c,
                    "資金配分機関・分類・年度 / funder, category, year",
                );
                out.push(FundingRow { funder, category, year, amount, currency });
            }
        }
        out
    }

    fn mapping(&mut self, rows: &[Cells], policy: &Policy) -> Vec<MappingRow> {
        // (source, category, dimension) → (first row, [(area, share)]).
        let mut groups: BTreeMap<(Source, String, Dimension), Group> = BTreeMap::new();
        for c in rows {
            let source = match Source::parse(&c.values[0]) {
                Some(s) => Some(s),
                None => {
                    let (ja, en) = (
                        format!("対象表「{}」は {} のいずれかです", c.values[0], Source::choices()),
                        format!("the source \"{}\" must be one of {}", c.values[0], Source::choices()),
                    );
                    self.bad(c, 0, ja, en, ProblemCode::UnknownCode);
                    None
                }
            };
            let category = self.text(c, 1);
            let target = self.area(c, 2, policy);
            let share = self.whole(c, 3, 1, 100);
            if let (Some(source), Some(category), Some((dimension, area)), Some(share)) =
                (source, category, target, share)
            {
                let key = (source, haibun_domain::text::normalize(&category), dimension);
                let g = groups.entry(key).or_insert((c.row, Vec::new(), category));
                g.1.push((area, share as u8));
            }
        }
        let mut out = Vec::new();
        let share_column = rows.first().map_or(3, |c| c.index[3]);
        for ((source, _, dimension), (row, pairs, category)) in groups {
            match Shares::new(pairs) {
                Ok(shares) => out.push(MappingRow { source, category, dimension, shares }),
                Err(e) => self.problems.push(Problem::new(
                    e.code,
                    (self.at)(Some(row), Some(share_column), "share"),
                    format!("{}「{category}」の{}への割合: {}", source.name_ja(), dimension.name_ja(), e.ja),
                    format!("the {} category \"{category}\" onto {}s: {}", source.name(), dimension.name(), e.en),
                )),
            }
        }
        out
    }

    fn publications(&mut self, rows: &[Cells]) -> Vec<PublicationRow> {
        let mut out = Vec::new();
        let mut seen = BTreeMap::new();
        for c in rows {
            let field = self.text(c, 0);
            let country = self.text(c, 1);
            let year = self.whole(c, 2, 1900, 2100);
            let count = self.whole(c, 3, 0, 1_000_000_000);
            if let (Some(field), Some(country), Some(year), Some(count)) = (field, country, year, count) {
                let same = if self.japan.contains(&normalize(&country).to_uppercase()) {
                    "JAPAN".to_string()
                } else {
                    country.clone()
                };
                self.unique(&mut seen, &[&field, &same, &year.to_string()], c, "分野・国・年 / field, country, year");
                out.push(PublicationRow { field, country, year, count: count as u64 });
            }
        }
        out
    }

    fn survey(&mut self, rows: &[Cells], policy: &Policy) -> Vec<SurveyRow> {
        let mut out = Vec::new();
        let mut seen = BTreeMap::new();
        for c in rows {
            let area = self.area(c, 0, policy);
            let question = self.text(c, 1);
            let score = self.number(c, 2, Decimal::from(-1000), Decimal::from(1000));
            let respondents = self.whole(c, 3, 0, 100_000_000);
            if let (Some((dimension, area)), Some(question), Some(score), Some(respondents)) =
                (area, question, score, respondents)
            {
                self.unique(&mut seen, &[&area, &question], c, "領域・設問 / area, question");
                out.push(SurveyRow { dimension, area, question, score, respondents: respondents as u32 });
            }
        }
        out
    }

    fn rates(&mut self, rows: &[Cells]) -> Vec<Rate> {
        let mut out = Vec::new();
        let mut seen = BTreeMap::new();
        for c in rows {
            let currency = self.currency(c, 0);
            let year = self.whole(c, 1, 1900, 2100);
            let rate = self.number(c, 2, Decimal::new(1, 6), Decimal::from(1_000_000));
            if let (Some(currency), Some(year), Some(yen_per_unit)) = (currency, year, rate) {
                self.unique(&mut seen, &[&currency, &year.to_string()], c, "通貨・年度 / currency, year");
                out.push(Rate { currency, year, yen_per_unit });
            }
        }
        out
    }
}

#[cfg(test)]
#[path = "evidence_tests.rs"]
mod tests;
