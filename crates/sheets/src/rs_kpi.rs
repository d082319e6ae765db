//! The RS system's KPI file, 3-1 (効果発現経路_目標・実績): each indicator takes four rows —
//! 1.目標年度, 2.目標値, 3.実績値, 4.達成率 — with one column per fiscal year (`2007` … `2060`).
//! Columns are matched by name. Read into indicators with their targets and actuals (exact
//! decimals as text); written back in the same layout, the achievement rate computed.

use haibun_domain::pdca::{Direction, KpiKind, parse_value};
use haibun_domain::problem::{Problem, ProblemCode};

use crate::rs::{key, read_table, rs_id_ok};

const ID: &str = "予算事業ID";
const NAME: &str = "事業名";
const NUMBER: &str = "アクティビティ・アウトプット・アウトカムの番号";
const KIND: &str = "種別（アクティビティ・アウトプット・アウトカム）";
const TERM: &str = "アウトカムの期間";
const QUANT: &str = "成果目標の種類";
const GOAL: &str = "アクティビティ／活動目標／成果目標";
const INDICATOR: &str = "活動指標／成果指標";
const UNIT: &str = "単位";
const DIRECTION: &str = "改善の上向き／下向き";
const SOURCE: &str = "成果実績及び目標値の根拠として用いた統計・データ名（出典）";
const ROW_KIND: &str = "目標年度／目標値／実績値／達成率";

/// The columns before the year columns, in the order written.
pub const COLUMNS: [&str; 12] =
    [ID, NAME, NUMBER, KIND, TERM, QUANT, GOAL, INDICATOR, UNIT, DIRECTION, SOURCE, ROW_KIND];

/// One indicator of a line.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RsIndicator {
    /// 予算事業ID.
    pub rs_id: String,
    /// 事業名.
    pub line_name: String,
    /// アクティビティ・アウトプット・アウトカムの番号.
    pub number: String,
    /// 種別 and アウトカムの期間 together.
    pub kind: KpiKind,
    /// 活動指標／成果指標.
    pub indicator: String,
    /// アクティビティ／活動目標／成果目標.
    pub goal: String,
    /// 単位.
    pub unit: String,
    /// 改善の上向き／下向き.
    pub direction: Direction,
    /// 出典.
    pub source: String,
    /// Targets by year (exact decimals as text).
    pub targets: Vec<(i64, String)>,
    /// Actuals by year.
    pub actuals: Vec<(i64, String)>,
    /// Its first row in the file.
    pub row: u32,
}

/// What a 3-1 file held.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RsKpiFile {
    /// The quantitative indicators.
    pub indicators: Vec<RsIndicator>,
    /// Qualitative indicators (定性的), which carry no values and are not taken.
    pub qualitative: usize,
}

/// The RS names of a kind: 種別 and アウトカムの期間.
pub fn rs_kind(k: KpiKind) -> (&'static str, &'static str) {
    match k {
        KpiKind::Activity => ("アクティビティ", ""),
        KpiKind::Output => ("アウトプット", ""),
        KpiKind::OutcomeShort => ("アウトカム", "短期"),
        KpiKind::OutcomeMid => ("アウトカム", "中期"),
        KpiKind::OutcomeLong => ("アウトカム", "長期"),
    }
}

fn kind_of(kind: &str, term: &str) -> Option<KpiKind> {
    let (k, t) = (key(kind), key(term));
    let t = t.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
    match k.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.') {
        "アクティビティ" => Some(KpiKind::Activity),
        "アウトプット" => Some(KpiKind::Output),
        "アウトカム" => match t {
            "短期" => Some(KpiKind::OutcomeShort),
            "中期" => Some(KpiKind::OutcomeMid),
            "長期" => Some(KpiKind::OutcomeLong),
            _ => None,
        },
        _ => None,
    }
}

fn direction_of(raw: &str) -> Option<Direction> {
    let r = key(raw);
    if r.contains('下') {
        Some(Direction::Lower)
    } else if r.contains('上') {
        Some(Direction::Higher)
    } else {
        None
    }
}

/// Reads an RS 3-1 file; every problem located by row and column, nothing returned on any.
pub fn read_rs_kpis(bytes: &[u8], file: &str, limits: &crate::Limits) -> Result<RsKpiFile, Vec<Problem>> {
    let table = read_table(
        bytes,
        file,
        "RS 3-1",
        &[ID, NUMBER, KIND, TERM, QUANT, INDICATOR, UNIT, DIRECTION, ROW_KIND],
        limits,
    )?;
    let at = |row: Option<u32>, column: Option<usize>, field: Option<&str>| table.at(file, row, column, field);
    let keys = &table.keys;
    let find = |name: &str| keys.iter().position(|k| *k == key(name));
    let mut problems = Vec::new();
    let years: Vec<(usize, i64)> = keys
        .iter()
        .enumerate()
        .filter(|(_, k)| k.len() == 4 && k.chars().all(|c| c.is_ascii_digit()))
        .filter_map(|(i, k)| k.parse().ok().map(|y| (i, y)))
        .collect();
    let mut out: Vec<RsIndicator> = Vec::new();
    // An indicator's key → its place in `out`.
    let mut index: std::collections::HashMap<(String, String, KpiKind, String), usize> =
        std::collections::HashMap::new();
    let mut qualitative = 0;
    let mut seen_qualitative: Vec<(String, String, String)> = Vec::new();
    for (row, record) in &table.rows {
        let row = *row;
        // Text as written (our own exports guard text that looks like a formula with a ').
        let get = |name: &str| {
            crate::read::unescape_csv_cell(find(name).and_then(|i| record.get(i)).unwrap_or("").trim()).to_string()
        };
        let rs_id = haibun_domain::text::normalize(&get(ID));
        if !rs_id_ok(&rs_id) {
            problems.push(Problem::new(
                ProblemCode::InvalidArgument,
                at(Some(row), find(ID), Some(ID)),
                format!("予算事業ID「{rs_id}」が不正です"),
                format!("the RS id \"{rs_id}\" is malformed"),
            ));
            continue;
        }
        if key(&get(QUANT)).contains("定性") {
            let k = (rs_id.clone(), get(NUMBER), get(KIND));
            if !seen_qualitative.contains(&k) {
                seen_qualitative.push(k);
                qualitative += 1;
            }
            continue;
        }
        let Some(kind) = kind_of(&get(KIND), &get(TERM)) else {
            problems.push(Problem::new(
                ProblemCode::InvalidArgument,
                at(Some(row), find(KIND), Some(KIND)),
                format!("種別「{}」・アウトカムの期間「{}」が読めません", get(KIND), get(TERM)),
                format!("the kind \"{}\" with term \"{}\" is not understood", get(KIND), get(TERM)),
            ));
            continue;
        };
        let Some(direction) = direction_of(&get(DIRECTION)) else {
            problems.push(Problem::new(
                ProblemCode::InvalidArgument,
                at(Some(row), find(DIRECTION), Some(DIRECTION)),
                format!("改善の向き「{}」が読めません（上向き・下向き）", get(DIRECTION)),
                format!("the direction \"{}\" is not understood (上向き or 下向き)", get(DIRECTION)),
            ));
            continue;
        };
        let indicator = if get(INDICATOR).is_empty() { get(GOAL) } else { get(INDICATOR) };
        let number = haibun_domain::text::normalize(&get(NUMBER));
        if number.is_empty() || number.len() > 10 || !number.chars().all(|c| c.is_ascii_alphanumeric()) {
            problems.push(Problem::new(
                ProblemCode::InvalidArgument,
                at(Some(row), find(NUMBER), Some(NUMBER)),
                format!("番号「{number}」が不正です（英数字）"),
                format!("the number \"{number}\" is malformed (letters and digits)"),
            ));
            continue;
        }
        let pos = index.get(&(rs_id.clone(), number.clone(), kind, indicator.clone())).copied();
        let idx = match pos {
            Some(i) => i,
            None => {
                index.insert((rs_id.clone(), number.clone(), kind, indicator.clone()), out.len());
                out.push(RsIndicator {
                    rs_id: rs_id.clone(),
                    line_name: get(NAME),
                    number,
                    kind,
                    indicator,
                    goal: get(GOAL),
                    unit: get(UNIT),
                    direction,
                    source: get(SOURCE),
                    targets: Vec::new(),
                    actuals: Vec::new(),
                    row,
                });
                out.len() - 1
            }
        };
        let row_kind = key(&get(ROW_KIND));
        let series = if row_kind.contains("目標値") {
            Some(&mut out[idx].targets)
        } else if row_kind.contains("実績値") {
            Some(&mut out[idx].actuals)
        } else if row_kind.contains("目標年度") || row_kind.contains("達成率") {
            None
        } else {
            problems.push(Problem::new(
                ProblemCode::InvalidArgument,
                at(Some(row), find(ROW_KIND), Some(ROW_KIND)),
                format!("行の種類「{}」が読めません（目標年度・目標値・実績値・達成率）", get(ROW_KIND)),
                format!("the row kind \"{}\" is not understood", get(ROW_KIND)),
            ));
            continue;
        };
        let Some(series) = series else { continue };
        for (c, year) in &years {
            let raw = record.get(*c).unwrap_or("").trim();
            if raw.is_empty() || raw == "-" || raw == "－" {
                continue;
            }
            match parse_value(raw) {
                Ok(v) if !series.iter().any(|(y, _)| y == year) => series.push((*year, v.to_string())),
                Ok(_) => {}
                Err(e) => problems.push(Problem::new(
                    ProblemCode::NotANumber,
                    at(Some(row), Some(*c), Some(&year.to_string())),
                    e.to_string(),
                    e.to_string(),
                )),
            }
        }
    }
    problems.extend(table.broken);
    if problems.is_empty() { Ok(RsKpiFile { indicators: out, qualitative }) } else { Err(problems) }
}

/// One indicator to write, with the achievement rate of each actual.
#[derive(Debug, Clone)]
pub struct RsIndicatorOut {
    /// The indicator.
    pub indicator: RsIndicator,
    /// 達成率 by year, in percent.
    pub rates: Vec<(i64, String)>,
}

/// Writes indicators in the 3-1 layout (UTF-8 with a BOM, CRLF), one column per year from the
/// earliest to the latest year any of them names.
pub fn write_rs_kpis(items: &[RsIndicatorOut]) -> Vec<u8> {
    let mut years: Vec<i64> = items
        .iter()
        .flat_map(|i| i.indicator.targets.iter().chain(&i.indicator.actuals).chain(&i.rates).map(|(y, _)| *y))
        .collect();
    years.sort_unstable();
    years.dedup();
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(vec![0xEF, 0xBB, 0xBF]);
    let header: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).chain(years.iter().map(i64::to_string)).collect();
    w.write_record(&header).expect("write to memory");
    for item in items {
        let i = &item.indicator;
        let (kind, term) = rs_kind(i.kind);
        let direction = if i.direction == Direction::Lower { "下向き" } else { "上向き" };
        for (label, series) in [
            ("1.目標年度", None),
            ("2.目標値", Some(&i.targets)),
            ("3.実績値", Some(&i.actuals)),
            ("4.達成率", Some(&item.rates)),
        ] {
            let mut rec: Vec<String> = [
                i.rs_id.as_str(),
                i.line_name.as_str(),
                i.number.as_str(),
                kind,
                term,
                "定量的",
                i.goal.as_str(),
                i.indicator.as_str(),
                i.unit.as_str(),
                direction,
                i.source.as_str(),
                label,
            ]
            .iter()
            .map(|s| crate::write::escape_csv_cell(s.to_string()))
            .collect();
            for y in &years {
                let v = match series {
                    None => {
                        if i.targets.iter().any(|(t, _)| t == y) {
                            "1".to_string()
                        } else {
                            String::new()
                        }
                    }
                    Some(s) => s.iter().find(|(t, _)| t == y).map(|(_, v)| v.clone()).unwrap_or_default(),
                };
                rec.push(v);
            }
            w.write_record(&rec).expect("write to memory");
        }
    }
    w.into_inner().expect("flush to memory")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_directions_in_rs_words() {
        assert_eq!(kind_of("アウトカム", "2.中期"), Some(KpiKind::OutcomeMid));
        assert_eq!(kind_of("アクティビティ", ""), Some(KpiKind::Activity));
        assert_eq!(kind_of("アウトカム", ""), None);
        assert_eq!(direction_of("下がると良い指標"), Some(Direction::Lower));
        assert_eq!(direction_of("上向き"), Some(Direction::Higher));
        assert_eq!(direction_of("?"), None);
        for k in KpiKind::ALL {
            let (a, b) = rs_kind(*k);
            assert_eq!(kind_of(a, b), Some(*k));
        }
    }
}
