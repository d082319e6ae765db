//! `haibun measure …` and `haibun followup …`: PDCA (§6) — measures and KPIs, follow-up rounds,
//! evaluations and the actions carried into next year's requests.

use clap::Subcommand;
use haibun_domain::FiscalYear;

use super::Format;

/// `haibun measure …`
#[derive(Debug, Subcommand)]
pub enum MeasureCommand {
    /// 施策を登録する（内閣府・本部）/ add a measure (Cabinet Office, HQ)
    Add {
        /// 年度 / fiscal year
        #[arg(long)]
        fy: FiscalYear,
        /// 施策の番号 / the measure's code
        #[arg(long)]
        code: String,
        /// 施策名 / name
        #[arg(long)]
        name: String,
        /// 統合プロジェクト（または MOONSHOT・INHOUSE 等）/ integrated project (or MOONSHOT, INHOUSE, …)
        #[arg(long)]
        project: String,
    },
    /// 指標（KPI）を登録する / add a KPI to a measure
    Kpi {
        /// 年度 / fiscal year
        #[arg(long)]
        fy: FiscalYear,
        /// 指標の番号 / the KPI's code (RS: 番号)
        #[arg(long)]
        code: String,
        /// 施策 / measure
        #[arg(long)]
        measure: String,
        /// 報告する府省 / the ministry that reports it
        #[arg(long)]
        ministry: String,
        /// 種別 / kind: activity, output, outcome-short, outcome-mid, outcome-long
        #[arg(long)]
        kind: String,
        /// 指標 / indicator
        #[arg(long)]
        indicator: String,
        /// 単位 / unit
        #[arg(long)]
        unit: String,
        /// 改善の向き / direction: higher (上向き) or lower (下向き)
        #[arg(long)]
        direction: String,
        /// 出典 / source
        #[arg(long)]
        source: String,
        /// 基準値 / baseline
        #[arg(long, requires = "baseline_year")]
        baseline: Option<String>,
        /// 基準年度 / baseline year
        #[arg(long, requires = "baseline")]
        baseline_year: Option<i64>,
        /// 目標（年度=値、複数可）/ target, YEAR=VALUE (repeatable)
        #[arg(long = "target")]
        targets: Vec<String>,
    },
    /// ロジックモデルの矢印（活動→アウトプット→アウトカム）/ a logic-model link
    Link {
        /// 年度 / fiscal year
        #[arg(long)]
        fy: FiscalYear,
        /// 元の指標 / from KPI
        #[arg(long)]
        from: String,
        /// 先の指標 / to KPI
        #[arg(long)]
        to: String,
    },
    /// 事業を施策（と指標）に紐付ける（府省）/ link a line to a measure (and KPI) it serves
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
        /// 施策 / measure
        #[arg(long)]
        measure: String,
        /// 指標 / KPI
        #[arg(long)]
        kpi: Option<String>,
    },
    /// 施策と指標の一覧 / the year's measures and KPIs
    List {
        /// 年度 / fiscal year
        #[arg(long)]
        fy: FiscalYear,
        /// 出力形式 / output format (text or json)
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
}

/// `haibun followup …`
#[derive(Debug, Subcommand)]
pub enum FollowupCommand {
    /// フォローアップを始める（内閣府）/ open a follow-up round (Cabinet Office)
    Open {
        /// 対象の年度 / the fiscal year followed up
        #[arg(long)]
        fy: FiscalYear,
        /// 件名 / title
        #[arg(long)]
        title: String,
        /// 報告の期限 / reports due (YYYY-MM-DD)
        #[arg(long)]
        report_due: String,
        /// 評価の期限 / evaluations due (YYYY-MM-DD)
        #[arg(long)]
        evaluation_due: String,
    },
    /// 指標の実績を報告する（府省）/ report a KPI's actual (its ministry)
    Report {
        /// フォローアップの番号 / round
        round: i64,
        /// 指標 / KPI
        #[arg(long)]
        kpi: String,
        /// 実績の年度 / the year of the value
        #[arg(long)]
        year: i64,
        /// 実績値 / actual value
        #[arg(long)]
        value: String,
        /// 出典 / source
        #[arg(long)]
        source: String,
        /// コメント / comment
        #[arg(long, default_value = "")]
        comment: String,
    },
    /// 施策を評価する（内閣府）/ evaluate a measure (Cabinet Office)
    Evaluate {
        /// フォローアップの番号 / round
        round: i64,
        /// 施策 / measure
        #[arg(long)]
        measure: String,
        /// achieved（達成）・on-track（順調）・delayed（遅れ）・cannot-evaluate（評価不能）
        #[arg(long)]
        evaluation: String,
        /// 理由 / reason
        #[arg(long)]
        reason: String,
    },
    /// 事業への対応を記録する（本部）/ record the action for a line (HQ)
    Action {
        /// フォローアップの番号 / round
        round: i64,
        /// 府省 / ministry
        #[arg(long)]
        ministry: String,
        /// 事業番号 / line id
        #[arg(long)]
        line: String,
        /// continue（継続）・expand（拡充）・reduce（縮減）・review（見直し）・end（廃止）
        #[arg(long)]
        action: String,
        /// 反映額（円、縮減・廃止は負）/ amount to reflect in yen (negative for reduce / end)
        #[arg(long, allow_hyphen_values = true)]
        amount: String,
        /// 理由 / reason
        #[arg(long)]
        reason: String,
    },
    /// 前年度のフォローアップへの対応方針を記す（府省）/ state a line's response to last year's follow-up
    Respond {
        /// 年度（新しい年度）/ fiscal year (the new one)
        #[arg(long)]
        fy: FiscalYear,
        /// 府省 / ministry
        #[arg(long)]
        ministry: String,
        /// 事業番号 / line id
        #[arg(long)]
        line: String,
        /// 対応方針 / response
        #[arg(long)]
        text: String,
    },
    /// フォローアップを締め切る（内閣府）/ close a round (Cabinet Office)
    Close {
        /// フォローアップの番号 / round
        round: i64,
    },
    /// 実績・達成率・評価・対応 / a round's actuals, achievement, evaluations and actions
    Show {
        /// フォローアップの番号 / round
        round: i64,
        /// 出力形式 / output format (text or json)
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
}

/// `haibun fy …`
#[derive(Debug, Subcommand)]
pub enum FyCommand {
    /// 前年度から新しい年度を始める（本部）/ open a fiscal year from the settled year before (HQ)
    Open {
        /// 新しい年度 / the new fiscal year
        fy: FiscalYear,
        /// 前年度 / the year it follows
        #[arg(long)]
        from: FiscalYear,
        /// 出力形式 / output format (text or json)
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
}

/// `haibun rs …`
#[derive(Debug, Subcommand)]
pub enum RsCommand {
    /// RS の予算・執行（2-1）CSV を取り込む（内閣府・本部）/ import an RS 2-1 budget and execution CSV (Cabinet Office, HQ)
    ImportBudget {
        /// 2-1 の CSV / the 2-1 CSV file
        file: std::path::PathBuf,
        /// 出力形式 / output format (text or json)
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// RS の目標・実績（3-1）CSV を取り込む（内閣府・本部）/ import an RS 3-1 KPI CSV (Cabinet Office, HQ)
    ImportKpis {
        /// 3-1 の CSV / the 3-1 CSV file
        file: std::path::PathBuf,
        /// 年度 / fiscal year
        #[arg(long)]
        fy: FiscalYear,
        /// 実績値を入れるフォローアップ / the follow-up round that takes the actual values
        #[arg(long)]
        round: Option<i64>,
        /// 出力形式 / output format (text or json)
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// フォローアップの指標を 3-1 の形式で書き出す / write a round's KPIs in the 3-1 layout
    ExportKpis {
        /// フォローアップの番号 / round
        #[arg(long)]
        round: i64,
        /// 出力先 / output file
        #[arg(short = 'o', long)]
        output: std::path::PathBuf,
    },
}
