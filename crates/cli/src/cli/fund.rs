//! `haibun fund …`: the adjustment fund's commands.

use std::path::PathBuf;

use clap::Subcommand;
use haibun_domain::FiscalYear;

use super::{Format, ReportUnitArg};

/// `haibun fund …`
#[derive(Debug, Subcommand)]
pub enum FundCommand {
    /// 配分の最適化だけを行う（入力は文書化した JSON）/ run the optimiser alone on an instance (documented JSON)
    Solve {
        /// 問題ファイル（JSON: pool, proposals, constraints）/ the instance file
        instance: PathBuf,
        /// 出力形式 / output format (json or text)
        #[arg(long, value_enum, default_value = "json")]
        format: Format,
        /// 時間制限（ミリ秒）。超えたら最良の案と最適性ギャップを示す / time limit in milliseconds: then the best plan found and its gap
        #[arg(long)]
        time_limit_ms: Option<u64>,
        /// 制約の限界価値と財源の感度分析を省く / skip the marginal values and the pool sweep
        #[arg(long)]
        no_analysis: bool,
    },
    /// 年度の財源を設定する（推進本部）/ set the year's pool (HQ)
    Pool {
        /// 年度 / fiscal year
        #[arg(long)]
        fy: FiscalYear,
        /// 財源（円）/ the pool, yen
        #[arg(long)]
        amount: String,
    },
    /// 通常の回を開く / open a regular round
    Round {
        /// 年度 / fiscal year
        #[arg(long)]
        fy: FiscalYear,
        /// president（理事長裁量型）または top-down（トップダウン型）
        #[arg(long = "type")]
        round_type: String,
        /// 題名 / title
        #[arg(long)]
        title: String,
    },
    /// AMED の PD が提案する / an AMED PD's proposal
    Propose {
        /// 回 / round
        #[arg(long)]
        round: i64,
        /// 府省 / ministry of the target line
        #[arg(long)]
        ministry: String,
        /// 対象事業（AMED対象経費）/ the target line (an AMED line)
        #[arg(long)]
        line: String,
        /// 要求額（円）/ amount requested, yen
        #[arg(long)]
        requested: String,
        /// 最低額（円、省略時は要求額＝全額か無しか）/ least useful amount (default: all or nothing)
        #[arg(long)]
        min: Option<String>,
        /// 提案理由 / rationale
        #[arg(long)]
        rationale: String,
        /// 進捗の根拠 / progress evidence
        #[arg(long, default_value = "")]
        evidence: String,
        /// 研究ニーズ / research needs
        #[arg(long, default_value = "")]
        needs: String,
        /// 緊急性 / urgency
        #[arg(long, default_value = "")]
        urgency: String,
        /// 重点項目（複数可）/ priority items served
        #[arg(long = "priority-item")]
        priority_items: Vec<String>,
        /// 達成目標（事後評価で照合）/ what the money is to achieve, checked afterwards
        #[arg(long)]
        targets: String,
    },
    /// 提案に資料を添付する（pdf, xlsx, docx, pptx, csv, txt, png, jpg；10 MiB まで）/ attach a file to a proposal
    Attach {
        /// 提案 / proposal
        #[arg(long)]
        proposal: i64,
        /// ファイル / the file
        file: PathBuf,
    },
    /// 配分を受けた事業の成果を記録する（AMED PD）/ record what a funded line achieved (AMED PD)
    Outcome {
        /// 配分 / allocation
        #[arg(long)]
        allocation: i64,
        /// met（目標達成）, partly（一部達成）, not-met（未達成）
        #[arg(long)]
        result: String,
        /// 達成内容 / what was achieved
        #[arg(long)]
        achieved: String,
    },
    /// 回の事後評価を完了する（内閣府）/ complete a round's ex-post check (Cabinet Office)
    Check {
        /// 回 / round
        #[arg(long)]
        round: i64,
        /// 所見 / note
        #[arg(long)]
        note: String,
    },
    /// 提案を評価する（CODE=点数）/ score a proposal (CODE=score)
    Score {
        /// 提案 / proposal
        #[arg(long)]
        proposal: i64,
        /// 評価項目=点数（複数）/ criterion=score, repeated
        #[arg(long = "score", required = true)]
        scores: Vec<String>,
    },
    /// 最適化による配分案 / the optimiser's plan for a round
    Plan {
        /// 回 / round
        #[arg(long)]
        round: i64,
        /// 出力形式 / output format
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// 回の配分案に下限・上限を設ける（推進本部）/ set a floor or cap on a round's plan (HQ)
    Constrain {
        /// 回 / round
        #[arg(long)]
        round: i64,
        /// floor（下限）または cap（上限）
        #[arg(long)]
        kind: String,
        /// project, disease_area, priority_item, ministry
        #[arg(long)]
        dimension: String,
        /// コード / code
        #[arg(long)]
        code: String,
        /// 金額（円、省略で解除）/ yen (omit to remove)
        #[arg(long)]
        amount: Option<String>,
    },
    /// 推進本部が決定する（変更は 提案=金額:理由）/ HQ decides (changes as PROPOSAL=AMOUNT:REASON)
    Decide {
        /// 回 / round
        #[arg(long)]
        round: i64,
        /// 変更 / a change to the plan, repeated
        #[arg(long = "change")]
        changes: Vec<String>,
    },
    /// 決定した回の実行計画を書き出す（.xlsx または .html）/ write a decided round's execution plan
    ExecutionPlan {
        /// 回 / round
        #[arg(long)]
        round: i64,
        /// 金額の単位 / the unit of amounts
        #[arg(long, value_enum, default_value = "thousand-yen")]
        unit: ReportUnitArg,
        /// 出力ファイル（.xlsx または .html）/ output file
        #[arg(short, long)]
        output: PathBuf,
    },
    /// 緊急配分（推進本部、理由必須）/ an emergency allocation (HQ, with a reason)
    Emergency {
        /// 年度 / fiscal year
        #[arg(long)]
        fy: FiscalYear,
        /// 府省 / ministry
        #[arg(long)]
        ministry: String,
        /// 対象事業 / the target line
        #[arg(long)]
        line: String,
        /// 金額（円）/ amount, yen
        #[arg(long)]
        amount: String,
        /// 理由 / reason
        #[arg(long)]
        reason: String,
    },
    /// 緊急配分の事後検証（内閣府）/ review an emergency allocation (Cabinet Office)
    Review {
        /// 回 / round
        #[arg(long)]
        round: i64,
        /// 所見 / note
        #[arg(long)]
        note: String,
    },
    /// 財源・回・配分の状況 / the fund's pool, rounds and allocations
    Status {
        /// 年度 / fiscal year
        #[arg(long)]
        fy: FiscalYear,
        /// 出力形式 / output format
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
}
