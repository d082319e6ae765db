//! A year's evidence report as a document of tables, for a workbook or a printable page: the
//! ranked candidates, each dimension's indicators with their inputs, Japan's publication share by
//! year, the weights, and where every table came from.

use haibun_domain::FiscalYear;
use haibun_domain::book::{Column, ColumnKind, ReportUnit, Table, Value, total_row};
use haibun_domain::evidence::report::{AreaEvidence, Dimension};
use rust_decimal::Decimal;

use crate::{EvidenceView, Printable};

fn col(ja: &str, en: &str, kind: ColumnKind) -> Column {
    Column { ja: ja.into(), en: en.into(), kind }
}

fn text(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

/// A decimal or an f64 shown with its sign where it is a change, `—` where it is missing.
pub fn shown(v: Option<Decimal>) -> String {
    v.map_or_else(|| "—".into(), |d| d.normalize().to_string())
}

/// An f64 indicator with one decimal, `—` where missing.
pub fn shown_f(v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), |f| format!("{f:.1}"))
}

fn table(
    sheet: &'static str,
    name: &'static str,
    ja: &str,
    en: &str,
    columns: Vec<Column>,
    rows: Vec<Vec<Value>>,
) -> Table {
    let total = total_row(&columns, &rows);
    Table { sheet, name, title_ja: ja.into(), title_en: en.into(), columns, rows, total }
}

fn indicator_table(view: &EvidenceView, dimension: Dimension) -> Table {
    let columns = vec![
        col("領域", "area", ColumnKind::Text),
        col("要求額", "requested", ColumnKind::Amount),
        col("前年度予算額", "last year's budget", ColumnKind::Amount),
        col("増減率（%）", "change (%)", ColumnKind::Text),
        col("日本の割合（%）", "Japan's share (%)", ColumnKind::Text),
        col("海外の研究費（円）", "overseas money (yen)", ColumnKind::Text),
        col("海外の割合（%）", "overseas share (%)", ColumnKind::Text),
        col("配分差（pt）", "funding gap (pt)", ColumnKind::Text),
        col("世界の論文の伸び（%/年）", "world paper growth (%/yr)", ColumnKind::Text),
        col("日本の論文の伸び（%/年）", "Japan's paper growth (%/yr)", ColumnKind::Text),
        col("日本のシェア変化（pt）", "Japan's share change (pt)", ColumnKind::Text),
        col("調査スコア", "survey score", ColumnKind::Text),
        col("回答者数", "respondents", ColumnKind::Count),
    ];
    let rows = view
        .report
        .areas
        .iter()
        .filter(|a| a.money.dimension == dimension)
        .map(|a: &AreaEvidence| {
            vec![
                text(format!("{} {}", a.money.area, a.money.name_ja)),
                Value::Amount(a.money.request),
                Value::Amount(a.money.prior),
                text(shown(a.request_change_pct)),
                text(shown(a.japan_share_pct)),
                text(a.overseas_yen.to_string()),
                text(shown(a.overseas_share_pct)),
                text(shown(a.funding_gap_pt)),
                text(shown_f(a.world_cagr_pct)),
                text(shown_f(a.japan_cagr_pct)),
                text(shown(a.japan_share_change_pt)),
                text(shown(a.survey_score)),
                Value::Count(a.survey_respondents as i64),
            ]
        })
        .collect();
    let (sheet, name, ja, en) = match dimension {
        Dimension::DiseaseArea => ("疾患領域別", "by_disease_area", "疾患領域別の指標", "Indicators by disease area"),
        Dimension::Project => {
            ("統合プロジェクト別", "by_project", "統合プロジェクト別の指標", "Indicators by integrated project")
        }
    };
    table(sheet, name, ja, en, columns, rows)
}

impl EvidenceView {
    /// The report as a document (amounts in million yen, exact in the workbook's cells).
    pub fn printable(&self) -> Printable {
        let fy = FiscalYear::try_from(self.fiscal_year).expect("a stored year");
        let r = &self.report;
        let name =
            |code: &str| r.weights.iter().find(|w| w.code == code).map_or(code.to_string(), |w| w.name_ja.clone());
        let candidates = r
            .candidates
            .iter()
            .map(|c| {
                let contributions: Vec<String> =
                    c.contributions.iter().map(|(k, v)| format!("{} {v:.1}", name(k))).collect();
                let moves: Vec<String> = c
                    .rank_moves()
                    .iter()
                    .map(|m| {
                        format!("{} ±{}: {}→{} / {}", name(&m.indicator), r.sensitivity_points, c.rank, m.up, m.down)
                    })
                    .collect();
                vec![
                    text(c.dimension.name_ja()),
                    text(c.rank.to_string()),
                    text(format!("{} {}", c.area, c.name_ja)),
                    text(format!("{:.1}", c.index)),
                    text(contributions.join("、")),
                    text(if moves.is_empty() { "動かない / stable".to_string() } else { moves.join("、") }),
                ]
            })
            .collect();
        let candidates = table(
            "候補領域",
            "candidates",
            "重点化の候補領域（順位と根拠）",
            "Candidate priority areas (rank and evidence)",
            vec![
                col("区分", "dimension", ColumnKind::Text),
                col("順位", "rank", ColumnKind::Text),
                col("領域", "area", ColumnKind::Text),
                col("指数", "index", ColumnKind::Text),
                col("指標の寄与", "contributions", ColumnKind::Text),
                col("重みを動かしたときの順位（上げ / 下げ）", "rank if a weight moves (up / down)", ColumnKind::Text),
            ],
            candidates,
        );
        let pubs = r
            .areas
            .iter()
            .flat_map(|a| {
                a.publications.iter().map(move |p| {
                    vec![
                        text(format!("{} {}", a.money.area, a.money.name_ja)),
                        text(p.year.to_string()),
                        text(p.world.to_string()),
                        text(p.japan.to_string()),
                        text(shown(p.japan_share_pct)),
                    ]
                })
            })
            .collect();
        let pubs = table(
            "論文数",
            "publications",
            "論文数と日本のシェアの推移",
            "Papers and Japan's share by year",
            vec![
                col("領域", "area", ColumnKind::Text),
                col("年", "year", ColumnKind::Text),
                col("世界", "world", ColumnKind::Text),
                col("日本", "Japan", ColumnKind::Text),
                col("日本のシェア（%）", "Japan's share (%)", ColumnKind::Text),
            ],
            pubs,
        );
        let weights = r
            .weights
            .iter()
            .map(|w| {
                vec![
                    text(w.code.clone()),
                    text(format!("{} / {}", w.name_ja, w.name_en)),
                    Value::Count(i64::from(w.weight)),
                ]
            })
            .collect();
        let weights = table(
            "重み",
            "weights",
            "優先度指数の指標と重み（方針のデータ）",
            "The priority index's indicators and weights (policy data)",
            vec![
                col("コード", "code", ColumnKind::Text),
                col("指標", "indicator", ColumnKind::Text),
                col("重み", "weight", ColumnKind::Count),
            ],
            weights,
        );
        let sources = self
            .sets
            .iter()
            .map(|s| {
                vec![
                    text(s.table_name.clone()),
                    text(s.source.clone()),
                    text(s.as_of.clone()),
                    text(s.licence.clone()),
                    text(s.file.clone()),
                    Value::Count(s.row_count),
                    text(format!("{} {}", s.imported_by, s.imported_at)),
                    text(s.sha256.clone()),
                ]
            })
            .collect();
        let sources = table(
            "出典",
            "sources",
            "出典・時点・利用条件",
            "Sources, dates and licences",
            vec![
                col("表", "table", ColumnKind::Text),
                col("出典", "source", ColumnKind::Text),
                col("時点", "as of", ColumnKind::Text),
                col("利用条件", "licence", ColumnKind::Text),
                col("ファイル", "file", ColumnKind::Text),
                col("行数", "rows", ColumnKind::Count),
                col("取込", "imported", ColumnKind::Text),
                col("SHA-256", "SHA-256", ColumnKind::Text),
            ],
            sources,
        );
        let mut cover = vec![
            ("年度 / fiscal year".to_string(), format!("{}（FY{}）", fy.era_label(), fy.year())),
            ("論文数の期間 / publication window".to_string(), r.window.map_or("—".into(), |(a, b)| format!("{a}–{b}"))),
            (
                "海外の研究費の年度 / overseas funding years".to_string(),
                r.funding_years.iter().map(|(f, y)| format!("{f} {y}")).collect::<Vec<_>>().join("、"),
            ),
            ("感度（重みの増減）/ sensitivity (weight moved by)".to_string(), format!("±{}", r.sensitivity_points)),
        ];
        if !self.missing.is_empty() {
            cover.push(("未取込の表 / tables not imported".into(), self.missing.join(", ")));
        }
        if !r.unmapped.is_empty() {
            let list: Vec<String> = r.unmapped.iter().map(|(t, c)| format!("{t}: {c}")).collect();
            cover.push(("対応表にない分類（集計から除外）/ unmapped categories (left out)".into(), list.join("、")));
        }
        Printable {
            title: format!("{} エビデンスに基づく重点化の候補 / Evidence to priorities", fy.era_label()),
            cover,
            tables: vec![
                candidates,
                indicator_table(self, Dimension::DiseaseArea),
                indicator_table(self, Dimension::Project),
                pubs,
                weights,
                sources,
            ],
            unit: ReportUnit::MillionYen,
            footer: format!("{} エビデンス / evidence", fy.era_label()),
        }
    }
}
