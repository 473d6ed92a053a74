//! PDF documents through the typst writer (`wuyu-report-pdf`), present only when this crate is
//! built with the `pdf` feature (the `wuyu` binary's default). Without it every call says, in
//! Chinese, what to download instead.

/// Whether this build writes PDFs.
pub const PDF_AVAILABLE: bool = cfg!(feature = "pdf");

/// Why a PDF was not made.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// This build or this machine cannot write PDFs (no writer, no CJK font): the Chinese
    /// message says what to do instead.
    #[error("{0}")]
    Unavailable(String),
    /// A template fault: a bug of ours, for the log.
    #[error("{0}")]
    Layout(String),
}

/// The documents wuyu lays out as PDF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Document {
    /// The plan's quarterly bulletin (`wuyu_monitor::bulletin::Bulletin`).
    Bulletin,
    /// A titled table: `{ title, subtitle, columns, rows }` (see [`TitledTable`]).
    Table,
    /// The archive's report cards (`wuyu_service::archive::ReportCards`).
    ReportCard,
}

/// The data of a [`Document::Table`]: every cell already formatted as it should read.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TitledTable {
    pub title: String,
    pub subtitle: Option<String>,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

#[cfg(feature = "pdf")]
pub fn render<T: serde::Serialize + ?Sized>(doc: Document, data: &T) -> Result<Vec<u8>, PdfError> {
    use wuyu_report_pdf::{BULLETIN, PdfError as E, REPORT_CARD, TABLE, render};
    let template = match doc {
        Document::Bulletin => BULLETIN,
        Document::Table => TABLE,
        Document::ReportCard => REPORT_CARD,
    };
    render(template, data).map_err(|e| match e {
        E::FontMissing { .. } | E::FontRead { .. } => PdfError::Unavailable(e.to_string()),
        E::Data(_) | E::Layout { .. } => PdfError::Layout(e.to_string()),
    })
}

#[cfg(not(feature = "pdf"))]
pub fn render<T: serde::Serialize + ?Sized>(
    _doc: Document,
    _data: &T,
) -> Result<Vec<u8>, PdfError> {
    Err(PdfError::Unavailable(
        "此版本的 wuyu 未包含 PDF 功能，请下载 XLSX 版本".into(),
    ))
}
