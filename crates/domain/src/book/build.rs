//! Building the book's tables from a stage's lines and the prior year's.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::{Book, BookMeta, Column, ColumnKind, PriorLine, Table, Value, label, ordered, total_row};
use crate::compile::{Amounts, Columns, Stage, compile_columns};
use crate::fiscal_year::FiscalYear;
use crate::line::RequestLine;
use crate::money::Yen;
use crate::policy::{Kind, Policy};

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
        priority_items: Vec::new(),
        justification: String::new(),
        rs_id: String::new(),
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
