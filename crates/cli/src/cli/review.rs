//! `haibun overlap …`: the overlap candidates and the Cabinet Office's decisions on them.

use clap::Subcommand;
use haibun_domain::FiscalYear;

use super::Format;

/// `haibun overlap …`
#[derive(Debug, Subcommand)]
pub enum OverlapCommand {
    /// 重複の候補を一覧する / list the overlap candidates
    List {
        /// 年度 / fiscal year
        #[arg(long)]
        fy: FiscalYear,
        /// 出力形式 / output format (text or json)
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// 候補を確認する（内閣府）/ confirm a candidate (Cabinet Office)
    Decide {
        /// 年度 / fiscal year
        #[arg(long)]
        fy: FiscalYear,
        /// 一方の事業（府省/事業番号）/ one line, MINISTRY/LINE
        #[arg(long)]
        a: String,
        /// 他方の事業（府省/事業番号）/ the other line, MINISTRY/LINE
        #[arg(long)]
        b: String,
        /// distinct（別事業）または coordinate（調整が必要）
        #[arg(long)]
        decision: String,
        /// 理由 / note
        #[arg(long)]
        note: String,
    },
}
