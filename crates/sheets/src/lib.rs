//! haibun's spreadsheets: the request template ministries fill, and reading it back.
//!
//! Input is bytes and a file name (for messages); output is bytes. No storage, no HTTP.

pub mod book;
pub mod evidence;
mod limits;
pub mod opendata;
mod read;
pub mod rs;
pub mod rs_kpi;
mod write;

pub use limits::Limits;
pub use read::{Intake, IntakeRow, read_intake};
pub use write::{LayoutInfo, SHEET_CODES, SHEET_HOWTO, SHEET_LINES, compilation_csv, write_csv, write_workbook};
