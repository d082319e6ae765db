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

/// `haibun classify …`
#[derive(Debug, Subcommand)]
pub enum ClassifyCommand {
    /// 年度の全事業を分類規則で分類し直す（規則の版を指定可）/ classify every line of a year under a rule version
    Year {
        /// 年度 / fiscal year
        #[arg(long)]
        fy: FiscalYear,
        /// 分類規則の版（省略時は最新）/ rule version (default: the newest)
        #[arg(long)]
        rules: Option<String>,
        /// 出力形式 / output format (text or json)
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// 事業への提案を示し、採用・不採用を記録する / a line's suggestions; accept or reject one
    Line {
        /// 年度 / fiscal year
        #[arg(long)]
        fy: FiscalYear,
        /// 府省 / ministry
        #[arg(long)]
        ministry: String,
        /// 事業番号 / line id
        #[arg(long)]
        line: String,
        /// 採用する提案（種類=コード、例: project=REGEN）/ accept a suggestion, KIND=CODE
        #[arg(long, conflicts_with = "reject")]
        accept: Option<String>,
        /// 不採用とする提案（種類=コード）/ reject a suggestion, KIND=CODE
        #[arg(long)]
        reject: Option<String>,
        /// 理由（不採用では必須）/ why (required to reject)
        #[arg(long, default_value = "")]
        reason: String,
        /// 出力形式 / output format (text or json)
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
}
