//! haibun's spreadsheets: the request template ministries fill, and reading it back.
//!
//! Input is bytes and a file name (for messages); output is bytes. No storage, no HTTP.

pub mod book;
pub mod evidence;
mod read;
pub mod rs;
pub mod rs_kpi;
mod write;

pub use read::{Intake, IntakeRow, MAX_FILE_BYTES, MAX_ROWS, read_intake};
pub use write::{LayoutInfo, SHEET_CODES, SHEET_HOWTO, SHEET_LINES, compilation_csv, write_csv, write_workbook};
