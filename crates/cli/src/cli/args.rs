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
