//! `haibun evidence …`: the evidence tables and the ranked candidate priority areas (§4).

use clap::{Subcommand, ValueEnum};
use haibun_domain::FiscalYear;

use super::Format;

/// An evidence table on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TableArg {
    /// 海外の研究費（資金配分機関・分類・年度・金額・通貨）/ overseas funding (funder, category, year, amount, currency)
    Funding,
    /// 分類の対応表（対象表・分類・対応先・割合）/ category mapping (source, category, target, share)
    Mapping,
    /// 論文数（分野・国・年・論文数）/ publication counts (field, country, year, count)
    Publications,
    /// 研究者調査（領域・設問・点数・回答者数）/ researcher survey (area, question, score, respondents)
    Survey,
    /// 換算レート（通貨・年度・円換算レート）/ exchange rates (currency, year, yen_per_unit)
    Rates,
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
        /// 表 / which table
        #[arg(long, value_enum)]
        table: TableArg,
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
