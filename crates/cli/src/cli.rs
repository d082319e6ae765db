//! The command line, declared with clap.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use haibun_domain::{FiscalYear, Unit};

/// haibun (配分): 医療分野の研究開発関連予算の要求・調整・取りまとめ / coordinating Japan's medical R&D budget.
#[derive(Debug, Parser)]
#[command(name = "haibun", version, about, long_about = None)]
pub struct Cli {
    /// データベース: SQLite ファイルのパスまたは postgres:// URL / database: a SQLite file path or a postgres:// URL [default: haibun.db]
    #[arg(long, global = true, env = "HAIBUN_DATABASE_URL")]
    pub db: Option<String>,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Output formats for data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// 人が読む表 / a readable table
    Text,
    /// JSON
    Json,
    /// CSV (UTF-8)
    Csv,
}

/// Units on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum UnitArg {
    /// 円
    Yen,
    /// 千円
    ThousandYen,
    /// 百万円
    MillionYen,
}

impl From<UnitArg> for Unit {
    fn from(u: UnitArg) -> Unit {
        match u {
            UnitArg::Yen => Unit::Yen,
            UnitArg::ThousandYen => Unit::ThousandYen,
            UnitArg::MillionYen => Unit::MillionYen,
        }
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// データベースを作成し年度の方針を登録する（何度実行しても安全）/ create the schema and store the year's policy (safe to repeat)
    Init {
        /// 年度 / fiscal year
        #[arg(long, default_value = "2023")]
        fy: FiscalYear,
    },
    /// 資源配分方針 / the resource allocation policy
    Policy {
        /// The policy command.
        #[command(subcommand)]
        command: PolicyCommand,
    },
    /// 府省が記入する要求テンプレート（.xlsx）を書き出す / write the request template ministries fill in
    Template {
        /// 年度 / fiscal year
        #[arg(long)]
        fy: FiscalYear,
        /// 府省（コードまたは名称）/ ministry (code or name)
        #[arg(long)]
        ministry: Option<String>,
        /// 金額の単位 / the unit of amounts
        #[arg(long, value_enum, default_value = "thousand-yen")]
        unit: UnitArg,
        /// 出力ファイル / output file
        #[arg(short, long)]
        output: PathBuf,
    },
    /// 要求ファイル（.xlsx / .csv）を取り込む。誤りがあれば全件示し何も登録しない / import a request file; on any problem, list all and write nothing
    Import {
        /// 取り込むファイル / the file
        file: PathBuf,
        /// 年度 / fiscal year
        #[arg(long)]
        fy: FiscalYear,
        /// 府省（コードまたは名称）/ ministry (code or name)
        #[arg(long)]
        ministry: String,
        /// 金額の単位（シートの単位欄と異なればエラー）/ unit of amounts (an error if the sheet's 単位 differs)
        #[arg(long, value_enum)]
        unit: Option<UnitArg>,
        /// 出力形式 / output format
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// 取りまとめ（府省別・プロジェクト別・疾患領域別など）/ compile the requests into cross-tabs
    Compile {
        /// 年度 / fiscal year
        #[arg(long)]
        fy: FiscalYear,
        /// 出力形式 / output format
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// 登録済みの要求をテンプレート形式で書き出す（.xlsx / .csv）/ export stored lines in the template's format
    Export {
        /// 年度 / fiscal year
        #[arg(long)]
        fy: FiscalYear,
        /// 府省（省略時は全府省）/ ministry (all if omitted)
        #[arg(long)]
        ministry: Option<String>,
        /// 金額の単位 / the unit of amounts
        #[arg(long, value_enum, default_value = "thousand-yen")]
        unit: UnitArg,
        /// 出力ファイル（拡張子 .xlsx または .csv）/ output file (.xlsx or .csv)
        #[arg(short, long)]
        output: PathBuf,
    },
    /// デモ: 架空の令和5年度データで haibun-demo.db を作り、取りまとめを表示する / the demo on fictional FY2023 data
    Demo,
}

/// `haibun policy …`
#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// 方針を表示する / print the policy
    Show {
        /// 年度 / fiscal year
        #[arg(long)]
        fy: FiscalYear,
        /// 出力形式 / output format (text or json)
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        super::Cli::command().debug_assert();
    }
}
