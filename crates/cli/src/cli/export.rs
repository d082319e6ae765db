//! `haibun export opendata`'s arguments.

use std::path::PathBuf;

use clap::Subcommand;
use haibun_domain::FiscalYear;

/// What `export` writes besides the template's lines.
#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// 確定予算を Fiscal Data Package（datapackage.json と UTF-8 CSV）と Excel 用 CSV（日本語見出し・BOM 付き）で書き出す（推進本部）/ the settled budget as a Fiscal Data Package and as CSV for Japanese Excel (HQ)
    Opendata {
        /// 年度 / fiscal year
        #[arg(long)]
        fy: FiscalYear,
        /// 段階（確定予算のみ）/ stage (the settled budget only)
        #[arg(long, value_enum, default_value = "settled")]
        stage: OpenStageArg,
        /// 出力先フォルダ（新規または空）、または .zip ファイル / the output folder (new or empty), or a .zip file
        #[arg(short, long)]
        output: PathBuf,
    },
}

/// The stages open data is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OpenStageArg {
    /// 査定後の確定予算 / the settled budget
    Settled,
}
