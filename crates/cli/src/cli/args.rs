//! Value types of the command line: formats, units, stages.

use clap::ValueEnum;
use haibun_domain::Unit;

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

/// The stages a budget book can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StageArg {
    /// 各府省の現在の要求 / the requests as they stand
    Requested,
    /// 推進本部の取りまとめ（スナップショット）/ HQ's frozen compilation
    Compiled,
    /// 査定後の政府予算案 / the settled budget
    Settled,
}

impl From<StageArg> for haibun_domain::Stage {
    fn from(s: StageArg) -> Self {
        match s {
            StageArg::Requested => haibun_domain::Stage::Requested,
            StageArg::Compiled => haibun_domain::Stage::Compiled,
            StageArg::Settled => haibun_domain::Stage::Settled,
        }
    }
}

/// Units of a budget book.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportUnitArg {
    /// 円
    Yen,
    /// 千円
    ThousandYen,
    /// 百万円
    MillionYen,
    /// 億円
    HundredMillionYen,
}

impl From<ReportUnitArg> for haibun_domain::book::ReportUnit {
    fn from(u: ReportUnitArg) -> Self {
        use haibun_domain::book::ReportUnit;
        match u {
            ReportUnitArg::Yen => ReportUnit::Yen,
            ReportUnitArg::ThousandYen => ReportUnit::ThousandYen,
            ReportUnitArg::MillionYen => ReportUnit::MillionYen,
            ReportUnitArg::HundredMillionYen => ReportUnit::HundredMillionYen,
        }
    }
}

/// Formats of a budget book.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BookFormatArg {
    /// 一つのブック（.xlsx）/ one workbook
    Xlsx,
    /// 表ごとの CSV（UTF-8 BOM 付き）を .zip またはフォルダに / one CSV per table, in a .zip or a folder
    Csv,
    /// 印刷用の一つの HTML ページ / one printable HTML page
    Html,
}

/// How log lines are written (to standard error).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// 人が読む行 / readable lines
    Text,
    /// 1 行に 1 つの JSON / one JSON object per line
    Json,
}

/// The largest value each limit may be set to (from 1), on the command line or in `haibun.toml`.
pub const MOST_FILE_MIB: u32 = 1024;
pub const MOST_UNPACKED_MIB: u32 = 16384;
pub const MOST_ROWS: u32 = 1_048_576;
pub const MOST_CELL_CHARS: u32 = 1_048_576;

/// The limits on the files haibun reads (imports, RS files, evidence, uploads), each a flag or an
/// environment variable; unset, the defaults of [`haibun_sheets::Limits`].
#[derive(Debug, Clone, Copy, Default, clap::Args)]
pub struct LimitArgs {
    /// 読み込むファイルの上限（MiB、既定 64）/ the largest file read or uploaded, in MiB [default: 64]
    #[arg(long, global = true, env = "HAIBUN_MAX_FILE_MIB", value_name = "MIB",
          value_parser = clap::value_parser!(u32).range(1..=i64::from(MOST_FILE_MIB)))]
    pub max_file_mib: Option<u32>,
    /// ワークブックの展開後の上限（MiB、既定 256）/ the most a workbook may unpack to, in MiB [default: 256]
    #[arg(long, global = true, env = "HAIBUN_MAX_UNPACKED_MIB", value_name = "MIB",
          value_parser = clap::value_parser!(u32).range(1..=i64::from(MOST_UNPACKED_MIB)))]
    pub max_unpacked_mib: Option<u32>,
    /// 1 ファイルの行数の上限（既定 100000）/ the most data rows read from one file [default: 100000]
    #[arg(long, global = true, env = "HAIBUN_MAX_ROWS", value_name = "ROWS",
          value_parser = clap::value_parser!(u32).range(1..=i64::from(MOST_ROWS)))]
    pub max_rows: Option<u32>,
    /// 1 セルの文字数の上限（既定 32767）/ the longest cell, in characters [default: 32767]
    #[arg(long, global = true, env = "HAIBUN_MAX_CELL_CHARS", value_name = "CHARS",
          value_parser = clap::value_parser!(u32).range(1..=i64::from(MOST_CELL_CHARS)))]
    pub max_cell_chars: Option<u32>,
}

impl LimitArgs {
    /// The limits these flags set.
    pub fn limits(&self) -> haibun_sheets::Limits {
        let d = haibun_sheets::Limits::default();
        haibun_sheets::Limits {
            file_bytes: self.max_file_mib.map_or(d.file_bytes, |m| (m as usize) << 20),
            unpacked_bytes: self.max_unpacked_mib.map_or(d.unpacked_bytes, |m| u64::from(m) << 20),
            rows: self.max_rows.map_or(d.rows, |r| r as usize),
            cell_chars: self.max_cell_chars.map_or(d.cell_chars, |c| c as usize),
        }
    }
}

/// The licence and publisher open data is published under (`export opendata` and the open-data
/// page), each a flag, an environment variable or a `haibun.toml` key; unset, 政府標準利用規約
/// （第2.0版）and the Headquarters. The licence's id, title and address are set together.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct OpenDataArgs {
    /// オープンデータのライセンス識別子（例 CC-BY-4.0）/ the open data's licence id (e.g. CC-BY-4.0) [default: gov-jp-standard-2.0]
    #[arg(long, global = true, env = "HAIBUN_OPENDATA_LICENCE", value_name = "ID")]
    pub opendata_licence: Option<String>,
    /// そのライセンスの名称 / the licence's title
    #[arg(long, global = true, env = "HAIBUN_OPENDATA_LICENCE_TITLE", value_name = "TITLE")]
    pub opendata_licence_title: Option<String>,
    /// そのライセンスの URL / where the licence's text is
    #[arg(long, global = true, env = "HAIBUN_OPENDATA_LICENCE_URL", value_name = "URL")]
    pub opendata_licence_url: Option<String>,
    /// 公開者（出典に記す名称）/ the publisher the source note names [default: 健康・医療戦略推進本部]
    #[arg(long, global = true, env = "HAIBUN_OPENDATA_PUBLISHER", value_name = "NAME")]
    pub opendata_publisher: Option<String>,
}

impl OpenDataArgs {
    /// The licence these settings give.
    pub fn licence(&self) -> haibun_sheets::opendata::Licence {
        let d = haibun_sheets::opendata::Licence::default();
        haibun_sheets::opendata::Licence {
            name: self.opendata_licence.clone().unwrap_or(d.name),
            title: self.opendata_licence_title.clone().unwrap_or(d.title),
            path: self.opendata_licence_url.clone().unwrap_or(d.path),
            publisher: self.opendata_publisher.clone().unwrap_or(d.publisher),
        }
    }
}
