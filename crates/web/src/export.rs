//! The 导出 XLSX links of the long tables (a class's students, a school's classes, the import
//! history, the audit log, the 任课 table): each handler loads what its page loads, builds the
//! rows with the page's own row code and hands them here, so a download has the page's
//! columns, rows and order for the same viewer. A download whose page audits its reads writes
//! its entry between [`workbook`] and [`download`]: no entry, no file.
use axum::response::Response;
use wuyu_service::export::{Table, XlsxFile, table_xlsx};

use crate::error::AppError;
use crate::import_centre::XLSX;

/// The table as a workbook, not yet handed out.
pub(crate) fn workbook(t: Table) -> Result<XlsxFile, AppError> {
    Ok(table_xlsx(t)?)
}

/// The workbook as a download with its Chinese file name.
pub(crate) fn download(f: XlsxFile) -> Response {
    crate::import_centre::download(f.bytes, &f.file_name, XLSX)
}

/// A table whose page audits nothing, straight to the download.
pub(crate) fn table(t: Table) -> Result<Response, AppError> {
    Ok(download(workbook(t)?))
}
