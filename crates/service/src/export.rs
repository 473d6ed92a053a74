//! A page's table as a workbook: one sheet with a title, the page's Chinese column headers and
//! its rows as the page shows them. The edge builds the rows with the same code that fills the
//! page (so the two cannot drift apart) and hands them here; the exports with numbers of their
//! own to keep exact (exams, fitness, archive coverage) lay out their sheets themselves.
//!
//! Memory: the workbook is built in memory, so every caller passes a bounded table (a class,
//! a school's classes, or a list the store already caps); none streams.
use wuyu_report::exam::Sheet;
pub use wuyu_report::exam::{Cell, NumFormat};

use crate::ServiceError;
pub use crate::exam::export::XlsxFile;
use crate::exam::export::xlsx;

/// One table to export.
#[derive(Debug, Clone)]
pub struct Table {
    /// The download's name, with `.xlsx`.
    pub file_name: String,
    /// The sheet's name (at most 31 characters; longer names are cut).
    pub sheet: String,
    /// The bold first line, naming the unit and what the table is.
    pub title: String,
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

/// A text cell.
pub fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

/// A whole number, written as a number so a spreadsheet can sum it.
pub fn count(n: i64) -> Cell {
    Cell::Number(n as f64, NumFormat::Int)
}

/// The table as one workbook, with its row count for the audit entry of the download.
pub fn table_xlsx(t: Table) -> Result<XlsxFile, ServiceError> {
    let sheet = Sheet {
        name: t.sheet,
        title: t.title,
        headers: t.headers.into_iter().map(String::from).collect(),
        rows: t.rows,
    };
    xlsx(&[sheet], t.file_name)
}
