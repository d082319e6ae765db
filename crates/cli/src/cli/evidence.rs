//! `haibun evidence …`: the evidence tables and the ranked candidate priority areas (§4).

use clap::{Subcommand, ValueEnum};
use haibun_domain::FiscalYear;
use haibun_domain::evidence::report::Table;

use super::Format;

/// An evidence table by its name (`funding`, `mapping`, `publications`, `survey`, `rates`) or its
/// Japanese name.
fn table(s: &str) -> Result<Table, String> {
    Table::parse(s).ok_or_else(|| format!("表は {} のいずれかです / the table is one of those", Table::choices()))
}

/// How the report is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EvidenceFormat {
    /// 人が読む表 / a readable table
    Text,
    /// JSON
    Json,
    /// Excel ブック（--output が必要）/ an Excel workbook (needs --output)
    Xlsx,
    /// 印刷できる HTML（--output が必要）/ a printable HTML page (needs --output)
    Html,
}

/// `haibun evidence …`
#[derive(Debug, Subcommand)]
pub enum EvidenceCommand {
    /// 表を取り込む（同じ年度の同じ表を置き換える。本部）/ import a table, replacing the year's one (HQ)
    Import {
        /// 年度 / fiscal year
        #[arg(long)]
        fy: FiscalYear,
        /// 表 / which table: funding（資金配分機関・分類・年度・金額・通貨 / funder, category, year, amount,
        /// currency）, mapping（対象表・分類・対応先・割合 / source, category, target, share）, publications
        /// （分野・国・年・論文数 / field, country, year, count）, survey（領域・設問・点数・回答者数 / area, question,
        /// score, respondents）, rates（通貨・年度・円換算レート / currency, year, yen_per_unit）
        #[arg(long, value_parser = table)]
        table: Table,
        /// CSV（UTF-8 / Shift_JIS）または .xlsx / the CSV (UTF-8 or Shift_JIS) or .xlsx file
        #[arg(long)]
        file: std::path::PathBuf,
        /// 出典 / who published the figures
        #[arg(long)]
        source: String,
        /// 時点（YYYY-MM-DD）/ the date the figures are as of
        #[arg(long)]
        as_of: String,
        /// 利用条件 / licence or use note
        #[arg(long)]
        licence: String,
        /// 出力形式 / output format (text or json)
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// 指標と候補領域の報告（内閣府・本部）/ the indicators and candidate areas (Cabinet Office, HQ)
    Report {
        /// 年度 / fiscal year
        #[arg(long)]
        fy: FiscalYear,
        /// 出力形式 / output format
        #[arg(long, value_enum, default_value = "text")]
        format: EvidenceFormat,
        /// 出力先（xlsx・html では必須）/ output file (required for xlsx and html)
        #[arg(short = 'o', long)]
        output: Option<std::path::PathBuf>,
    },
}
