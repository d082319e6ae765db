//! `haibun policy …`, `haibun token …`, `haibun user …`, `haibun audit …` and `haibun db …`: the
//! year's policy, API tokens, users, the audit trail and the whole database.

use clap::Subcommand;
use haibun_domain::FiscalYear;

use super::Format;

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
    /// 案の方針を差し替える（本部）/ replace a draft policy's text (HQ)
    Replace {
        /// 年度 / fiscal year
        #[arg(long)]
        fy: FiscalYear,
        /// 方針の TOML / the policy's TOML file
        #[arg(long)]
        file: std::path::PathBuf,
    },
    /// 案の方針の重点項目に候補領域のエビデンスを引用する（本部）/ make a draft policy's priority item cite a candidate area's evidence (HQ)
    Cite {
        /// 年度 / fiscal year
        #[arg(long)]
        fy: FiscalYear,
        /// 重点項目の id / the priority item's id
        #[arg(long)]
        item: String,
        /// 候補領域（疾患領域・統合プロジェクトのコードまたは名称）/ the candidate area (code or name)
        #[arg(long)]
        area: String,
    },
    /// 引用を取り下げる（本部）/ withdraw a citation (HQ)
    Uncite {
        /// 年度 / fiscal year
        #[arg(long)]
        fy: FiscalYear,
        /// 重点項目の id / the priority item's id
        #[arg(long)]
        item: String,
        /// 候補領域 / the candidate area
        #[arg(long)]
        area: String,
    },
    /// 案の方針を決定する（本部）/ decide a draft policy (HQ)
    Decide {
        /// 年度 / fiscal year
        #[arg(long)]
        fy: FiscalYear,
    },
}

/// `haibun token …`
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// --as の利用者の API トークンを作成する（一度だけ表示）/ create an API token for the --as user (shown once)
    Create {
        /// 用途のメモ / what it is for
        #[arg(long, default_value = "api")]
        label: String,
    },
}

/// `haibun user …`
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// パスワードを設定する（標準入力から1行、または --password）/ set a password (one line from standard input, or --password)
    Password {
        /// 利用者名 / user name
        name: String,
        /// パスワード（省略時は標準入力）/ the password (standard input if omitted)
        #[arg(long)]
        password: Option<String>,
    },
    /// 利用者を追加する（管理者のみ）/ add a user (administrators only)
    Add {
        /// 利用者名 / user name
        name: String,
        /// 役割 / role: ministry, cabinet-office, hq, fiscal, amed-pd, viewer, admin
        #[arg(long)]
        role: String,
        /// 府省（役割 ministry のとき必須）/ ministry (required for the ministry role)
        #[arg(long)]
        ministry: Option<String>,
    },
    /// 利用者の一覧 / list users
    List,
}

/// `haibun config …`
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// 有効な設定値と出所を表示する（パスワードは伏せる）/ print the effective settings and where each came from (passwords masked)
    Show,
}

/// `haibun db …`
#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// 現在のデータベース（--db）のすべてを空の新しいデータベースに写し、監査証跡とスナップショットを検証する（管理者）/ copy everything in the current database (--db) into a new, empty one and verify its audit chain and snapshots there (administrator)
    Copy {
        /// コピー先: postgres:// URL（空のデータベース）または新しい SQLite ファイル / the target: a postgres:// URL (an empty database) or a new SQLite file
        #[arg(long)]
        to: String,
        /// 出力形式 / output format (text or json)
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
}

/// `haibun audit …`
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// 監査記録の一覧 / list audit events
    Log {
        /// 年度 / fiscal year
        #[arg(long)]
        fy: Option<FiscalYear>,
        /// 出力形式 / output format (text or json)
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// 監査証跡の先頭（番号:ハッシュ）を表示する。別に控えておく / print the chain's head (SEQ:HASH) to note elsewhere
    Anchor,
    /// ハッシュ連鎖と取りまとめを検証する / verify the hash chain and the compilation snapshots
    Verify {
        /// 以前に控えた先頭（`audit anchor` の 番号:ハッシュ、またはハッシュ）。連鎖に残っていること / an anchor noted earlier (`audit anchor`'s SEQ:HASH, or a hash), which must still be in the chain
        #[arg(long)]
        anchor: Option<String>,
    },
}
