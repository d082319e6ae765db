//! The command line, declared with clap.

use std::path::PathBuf;

mod admin;
pub(crate) mod args;
mod evidence;
mod export;
mod fund;
mod pdca;
mod review;

use clap::{Parser, Subcommand};
use haibun_domain::FiscalYear;

pub use admin::{AuditCommand, ConfigCommand, DbCommand, PolicyCommand, TokenCommand, UserCommand};
pub use args::{BookFormatArg, Format, LimitArgs, LogFormat, OpenDataArgs, ReportUnitArg, StageArg, UnitArg};
pub use evidence::{EvidenceCommand, EvidenceFormat};
pub use export::ExportCommand;
pub use fund::FundCommand;
pub use pdca::{FollowupCommand, FyCommand, MeasureCommand, RsCommand};
pub use review::{ClassifyCommand, OverlapCommand};

/// haibun (配分): 医療分野の研究開発関連予算の要求・調整・取りまとめ / coordinating Japan's medical R&D budget.
#[derive(Debug, Parser)]
#[command(name = "haibun", version = haibun_service::ops::VERSION, about, long_about = None)]
pub struct Cli {
    /// データベース: SQLite ファイルのパスまたは postgres:// URL / database: a SQLite file path or a postgres:// URL [default: haibun.db]
    #[arg(long, global = true, env = "HAIBUN_DATABASE_URL")]
    pub db: Option<String>,
    /// 操作する利用者（省略時はシステム管理者）/ act as this user (default: the system administrator)
    #[arg(long = "as", global = true, value_name = "USER")]
    pub as_user: Option<String>,
    /// 設定ファイル（省略時はあれば haibun.toml）/ a configuration file (default: haibun.toml, if present)
    #[arg(long, global = true, env = "HAIBUN_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The effective settings, filled in after parsing.
    #[arg(skip)]
    pub settings: Vec<crate::config::Setting>,
    /// ログの形式 / the log format: text or json (one JSON object per line)
    #[arg(long, global = true, env = "HAIBUN_LOG_FORMAT", value_enum, default_value = "text")]
    pub log_format: LogFormat,
    /// 信頼する逆プロキシの IP アドレス（その X-Forwarded-For から利用者のアドレスを取る。カンマ区切り可）/ a reverse proxy to trust: behind it, the client's address is taken from X-Forwarded-For (repeatable, or comma-separated)
    #[arg(
        long = "trusted-proxy",
        global = true,
        env = "HAIBUN_TRUSTED_PROXIES",
        value_delimiter = ',',
        value_name = "IP"
    )]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The limits on the files read.
    #[command(flatten)]
    pub limits: LimitArgs,
    /// The licence open data is published under.
    #[command(flatten)]
    pub opendata: OpenDataArgs,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
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
    /// 稼働中でも整合したコピーを新しいファイルに取る（SQLite、管理者）/ a consistent copy of the SQLite database into a new file, while it runs (administrator)
    Backup {
        /// 出力先（既存のファイルは上書きしない）/ the new file (never overwritten)
        #[arg(short = 'o', long)]
        output: PathBuf,
    },
    /// バックアップを新しいデータベース（--db）に戻す。壊れた・改ざんされたコピーは拒否 / restore a backup into a new database (--db), refusing a damaged or tampered copy
    Restore {
        /// バックアップのファイル / the backup file
        file: PathBuf,
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
        /// 推進本部の取りまとめを確定し番号付きスナップショットにする / freeze HQ's compilation as a numbered snapshot
        #[arg(long, conflicts_with = "snapshot_id")]
        snapshot: bool,
        /// 確定済みスナップショットを表示する / show a frozen snapshot
        #[arg(long)]
        snapshot_id: Option<i64>,
    },
    /// 利用者 / users
    User {
        /// The user command.
        #[command(subcommand)]
        command: UserCommand,
    },
    /// 府省の要求一式（パッケージ）の提出・報告・了解・除外 / submit, report, consent to or exclude a ministry's package
    Package {
        /// The package command.
        #[command(subcommand)]
        command: PackageCommand,
    },
    /// ヒアリング / hearings (§2(2))
    Hearing {
        /// The hearing command.
        #[command(subcommand)]
        command: HearingCommand,
    },
    /// 内閣府が見直しを指示する / the Cabinet Office instructs a revision (§2(3))
    Instruct {
        /// 年度 / fiscal year
        #[arg(long)]
        fy: FiscalYear,
        /// 府省 / ministry
        #[arg(long)]
        ministry: String,
        /// 対象の事業番号（省略時はパッケージ全体）/ the line concerned (the whole package if omitted)
        #[arg(long)]
        line: Option<String>,
        /// 指示内容 / the instruction
        #[arg(long)]
        text: String,
        /// 目標額（円）/ target amount (yen)
        #[arg(long)]
        target_amount: Option<String>,
        /// 期限 YYYY-MM-DD / due date
        #[arg(long)]
        due: Option<String>,
    },
    /// 府省が指示に回答する / the ministry answers an instruction
    Answer {
        /// 指示番号 / instruction id
        instruction_id: i64,
        /// 回答 / the answer
        #[arg(long)]
        text: String,
    },
    /// 指示と回答の一覧 / instructions with their answers
    Instructions {
        /// 年度 / fiscal year
        #[arg(long)]
        fy: FiscalYear,
        /// 府省 / ministry
        #[arg(long)]
        ministry: Option<String>,
        /// 出力形式 / output format (text or json)
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// 推進本部が取りまとめを財政当局へ提出済とする / HQ marks the compilation submitted to the fiscal authority
    Submit {
        /// 年度 / fiscal year
        #[arg(long)]
        fy: FiscalYear,
        /// スナップショット番号（省略時は最新）/ snapshot (latest if omitted)
        #[arg(long)]
        snapshot_id: Option<i64>,
    },
    /// 査定額を記録する / record the negotiated amount of a line (§2(5))
    Negotiate {
        /// 年度 / fiscal year
        #[arg(long)]
        fy: FiscalYear,
        /// 府省（事業番号が府省間で重複する場合）/ ministry (when the line id is not unique)
        #[arg(long)]
        ministry: Option<String>,
        /// 事業番号 / line id
        #[arg(long)]
        line: String,
        /// 査定額（円）/ negotiated amount (yen)
        #[arg(long)]
        amount: String,
    },
    /// 年度の予算を確定する / settle the year
    Settle {
        /// 年度 / fiscal year
        #[arg(long)]
        fy: FiscalYear,
        /// 査定額のない事業を要求額どおりとする（記録される）/ settle lines without a negotiated amount as requested (recorded)
        #[arg(long)]
        accept_requested: bool,
    },
    /// 監査証跡 / the audit trail
    Audit {
        /// The audit command.
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// 要求事業の履歴と修正 / a line's history, and edits
    Line {
        /// The line command.
        #[command(subcommand)]
        command: LineCommand,
    },
    /// 各府省の状況・待ち・期限超過 / every package's state, what it waits for, what is overdue
    Status {
        /// 年度 / fiscal year
        #[arg(long)]
        fy: FiscalYear,
        /// 基準日 YYYY-MM-DD（省略時は今日）/ the date to judge deadlines by (today if omitted)
        #[arg(long)]
        today: Option<String>,
        /// 出力形式 / output format (text or json)
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// 年度の日程 / the year's calendar
    Calendar {
        /// The calendar command.
        #[command(subcommand)]
        command: CalendarCommand,
    },
    /// 登録済みの要求をテンプレート形式で書き出す（.xlsx / .csv）、または確定予算をオープンデータとして書き出す（export opendata）/ export stored lines in the template's format, or the settled budget as open data (export opendata)
    #[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
    Export {
        /// オープンデータ / open data
        #[command(subcommand)]
        what: Option<ExportCommand>,
        /// 年度 / fiscal year
        #[arg(long, required = true)]
        fy: Option<FiscalYear>,
        /// 府省（省略時は全府省）/ ministry (all if omitted)
        #[arg(long)]
        ministry: Option<String>,
        /// 金額の単位 / the unit of amounts
        #[arg(long, value_enum, default_value = "thousand-yen")]
        unit: UnitArg,
        /// 出力ファイル（拡張子 .xlsx または .csv）/ output file (.xlsx or .csv)
        #[arg(short, long, required = true)]
        output: Option<PathBuf>,
    },
    /// 取りまとめ資料（総括表・府省別・統合プロジェクト別・疾患領域別・事業一覧・前年度比較 …）を書き出す / write the budget book
    Report {
        /// 年度 / fiscal year
        #[arg(long)]
        fy: FiscalYear,
        /// 段階 / stage
        #[arg(long, value_enum, default_value = "requested")]
        stage: StageArg,
        /// 取りまとめ番号（省略時は最新）/ snapshot number (latest if omitted)
        #[arg(long)]
        snapshot_id: Option<i64>,
        /// 金額の単位 / the unit of amounts
        #[arg(long, value_enum, default_value = "million-yen")]
        unit: ReportUnitArg,
        /// 形式（省略時は出力先の拡張子から: .xlsx, .html, .zip, それ以外はCSVのフォルダ）/ format (default: from the output's extension)
        #[arg(long, value_enum)]
        format: Option<BookFormatArg>,
        /// 出力先 / output file (or folder for CSV)
        #[arg(short, long)]
        output: PathBuf,
    },
    /// 資源配分方針に照らした点検（§4・§5）: 指摘を重大度・事業・項目つきで示す。error があれば終了コード1 / check the requests against the policy; exits 1 when a finding is an error
    Check {
        /// 年度 / fiscal year
        #[arg(long)]
        fy: FiscalYear,
        /// 府省（省略時は閲覧できる全て）/ ministry (default: all the actor may read)
        #[arg(long)]
        ministry: Option<String>,
        /// 出力形式 / output format (text or json)
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// 分類の提案（説明つき）/ explainable classification suggestions
    Classify {
        /// The classify command.
        #[command(subcommand)]
        command: ClassifyCommand,
    },
    /// 施策と指標（PDCA）/ measures and KPIs (PDCA)
    Measure {
        /// The measure command.
        #[command(subcommand)]
        command: MeasureCommand,
    },
    /// エビデンス（海外の研究費・論文・研究者調査）と重点化の候補 / evidence and candidate priority areas
    Evidence {
        /// The evidence command.
        #[command(subcommand)]
        command: EvidenceCommand,
    },
    /// 行政事業レビュー（RS システム）のファイル / the RS system's files
    Rs {
        /// The RS command.
        #[command(subcommand)]
        command: RsCommand,
    },
    /// 年度を始める / open a fiscal year
    Fy {
        /// The fiscal-year command.
        #[command(subcommand)]
        command: FyCommand,
    },
    /// フォローアップ・評価・対応（PDCA）/ follow-up rounds, evaluations, actions (PDCA)
    Followup {
        /// The follow-up command.
        #[command(subcommand)]
        command: FollowupCommand,
    },
    /// 府省間の重複の候補 / overlap candidates between lines
    Overlap {
        /// The overlap command.
        #[command(subcommand)]
        command: OverlapCommand,
    },
    /// 調整費 / the adjustment fund
    Fund {
        /// The fund command.
        #[command(subcommand)]
        command: FundCommand,
    },
    /// 前年度予算（比較の基準）/ the prior year's settled budget, for comparison
    Prior {
        /// The prior command.
        #[command(subcommand)]
        command: PriorCommand,
    },
    /// デモ: 架空の令和5年度データで haibun-demo.db を作り、ブラウザ向けに提供する / the demo on fictional FY2023 data, served in the browser
    Demo {
        /// 待ち受けるアドレス / address to listen on
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
        /// 提供せず、利用者と取りまとめを表示して終了する / print the users and the compilation, and exit without serving
        #[arg(long)]
        no_serve: bool,
    },
    /// データベース全体の操作 / the whole database
    Db {
        /// The db command.
        #[command(subcommand)]
        command: DbCommand,
    },
    /// 設定 / the configuration
    Config {
        /// The config command.
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// 画面と API を提供する / serve the web pages and the JSON API
    Serve {
        /// 待ち受けるアドレス / address to listen on
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
    },
    /// API トークン / API tokens
    Token {
        /// The token command.
        #[command(subcommand)]
        command: TokenCommand,
    },
}

/// `haibun prior …`
#[derive(Debug, Subcommand)]
pub enum PriorCommand {
    /// 府省の前年度予算（要求テンプレートの形式、要求額の列に予算額）を取り込む / hold a ministry's prior-year settled budget (the template's layout, the settled amount in the 要求額 column)
    Import {
        /// 取り込むファイル / the file
        file: PathBuf,
        /// 比較する年度（前年度予算を保持する年度）/ the year that compares against it
        #[arg(long)]
        fy: FiscalYear,
        /// 府省（コードまたは名称）/ ministry (code or name)
        #[arg(long)]
        ministry: String,
        /// 金額の単位 / unit of amounts
        #[arg(long, value_enum)]
        unit: Option<UnitArg>,
    },
    /// 保持している前年度予算の一覧 / which prior-year budgets are held
    List {
        /// 年度 / fiscal year
        #[arg(long)]
        fy: FiscalYear,
        /// 出力形式 / output format
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
}

/// `haibun package …`
#[derive(Debug, Subcommand)]
pub enum PackageCommand {
    /// 府省が内閣府へ提出する / the ministry submits to the Cabinet Office (§2(1))
    Submit(PackageArgs),
    /// 府省が対応状況を報告する / the ministry reports how it responded (§2(3))
    Report(PackageArgs),
    /// 内閣府が了解する / the Cabinet Office consents (§2(3))
    Consent(PackageArgs),
    /// 取りまとめから除外する（理由必須）/ exclude from the compilation, with a reason
    Exclude {
        /// The package.
        #[command(flatten)]
        package: PackageArgs,
        /// 理由 / reason
        #[arg(long)]
        reason: String,
    },
}

/// Names a package.
#[derive(Debug, clap::Args)]
pub struct PackageArgs {
    /// 年度 / fiscal year
    #[arg(long)]
    pub fy: FiscalYear,
    /// 府省 / ministry
    #[arg(long)]
    pub ministry: String,
}

/// `haibun hearing …`
#[derive(Debug, Subcommand)]
pub enum HearingCommand {
    /// ヒアリングを予定する / schedule a hearing
    Schedule {
        /// The package.
        #[command(flatten)]
        package: PackageArgs,
        /// 予定日 YYYY-MM-DD / date
        #[arg(long)]
        date: String,
        /// 場所 / place
        #[arg(long, default_value = "")]
        place: String,
    },
    /// ヒアリングを記録し実施済とする / record a hearing and mark it held
    Record {
        /// The package.
        #[command(flatten)]
        package: PackageArgs,
        /// 実施日 YYYY-MM-DD / date held
        #[arg(long)]
        date: String,
        /// 場所 / place
        #[arg(long, default_value = "")]
        place: String,
        /// 出席者 / attendees
        #[arg(long, default_value = "")]
        attendees: String,
        /// 議事録ファイル（UTF-8 テキスト）/ minutes file (UTF-8 text)
        #[arg(long)]
        minutes: Option<PathBuf>,
    },
    /// ヒアリングの一覧 / list hearings
    List {
        /// 年度 / fiscal year
        #[arg(long)]
        fy: FiscalYear,
    },
}

/// `haibun line …`
#[derive(Debug, Subcommand)]
#[expect(clippy::large_enum_variant, reason = "parsed once per run; boxing would only obscure the clap declaration")]
pub enum LineCommand {
    /// 事業の全版と差分 / every version of a line, with what changed
    History {
        /// 事業番号 / line id
        id: String,
        /// 年度 / fiscal year
        #[arg(long)]
        fy: FiscalYear,
        /// 府省 / ministry
        #[arg(long)]
        ministry: String,
        /// 出力形式 / output format (text or json)
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// 事業を修正する（読んだ版を指定）/ edit a line, naming the version read
    Update {
        /// 事業番号 / line id
        id: String,
        /// 年度 / fiscal year
        #[arg(long)]
        fy: FiscalYear,
        /// 府省 / ministry
        #[arg(long)]
        ministry: String,
        /// 読んだ版 / the version read
        #[arg(long)]
        version: i64,
        /// 事業名 / name
        #[arg(long)]
        name: Option<String>,
        /// 区分 / channel
        #[arg(long)]
        channel: Option<String>,
        /// 統合プロジェクト / project
        #[arg(long)]
        project: Option<String>,
        /// 前年度予算額（円）/ prior-year budget (yen)
        #[arg(long)]
        prior_year: Option<String>,
        /// 要求額（円）/ request (yen)
        #[arg(long)]
        request: Option<String>,
        /// うち重要政策推進枠（円）/ priority-frame part (yen)
        #[arg(long)]
        priority_frame: Option<String>,
        /// 疾患領域 / disease areas, e.g. がん:60;難病:40
        #[arg(long)]
        disease_areas: Option<String>,
        /// 開発目的 / purposes
        #[arg(long)]
        purposes: Option<String>,
        /// 事業概要 / summary
        #[arg(long)]
        summary: Option<String>,
        /// 成果目標 / KPI
        #[arg(long)]
        kpi: Option<String>,
    },
}

/// `haibun calendar …`
#[derive(Debug, Subcommand)]
pub enum CalendarCommand {
    /// 日程を設定する / set the calendar
    Set {
        /// 年度 / fiscal year
        #[arg(long)]
        fy: FiscalYear,
        /// 提出期限 / submission deadline
        #[arg(long)]
        submission_deadline: String,
        /// ヒアリング開始 / hearings start
        #[arg(long)]
        hearing_start: String,
        /// ヒアリング終了 / hearings end
        #[arg(long)]
        hearing_end: String,
        /// 了解期限 / consent deadline
        #[arg(long)]
        consent_deadline: String,
        /// 取りまとめ日 / compilation date
        #[arg(long)]
        compilation_date: String,
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
