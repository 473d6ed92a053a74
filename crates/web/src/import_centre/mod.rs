//! 导入中心 (the import centre): upload → preview → confirm, each a thin handler over
//! `wuyu_service::import_centre` (the same import use cases as the CLI). Nothing is imported
//! before confirm: the upload is held server-side under an unguessable token. District and
//! school admins only (`ManageImports`); a school admin imports for their school.
//!
//! | route | what |
//! |---|---|
//! | `GET /imports` | the kinds and the import history of the scope |
//! | `GET /imports/{kind}` | template, upload form |
//! | `GET /imports/{kind}/template.xlsx` (`?exam=`) | the kind's template |
//! | `POST /imports/{kind}` (multipart) | hold the file, go to its preview |
//! | `GET /imports/uploads/{token}` | preview (counts, first rows, row errors) or result |
//! | `GET /imports/uploads/{token}/errors.xlsx` | the row errors, bad cells marked |
//! | `POST /imports/uploads/{token}/confirm` | import (audited) |
//! | `GET /imports/history/{id}/file` | the uploaded file (audited) |
//! | `POST /imports/history/{id}/undo` | undo that import (audited) |
pub(crate) mod multipart;
mod pages;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::state::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/imports", get(pages::centre))
        .route("/imports/{kind}", get(pages::kind_page).post(pages::upload))
        .route("/imports/{kind}/template.xlsx", get(pages::template))
        .route("/imports/uploads/{token}", get(pages::preview))
        .route(
            "/imports/uploads/{token}/errors.xlsx",
            get(pages::errors_file),
        )
        .route("/imports/uploads/{token}/confirm", post(pages::confirm))
        .route("/imports/history.xlsx", get(pages::history_xlsx))
        .route("/imports/history/{id}/file", get(pages::stored_file))
        .route("/imports/history/{id}/undo", post(pages::undo))
}

/// A file download with its (Chinese) name, RFC 6266 style: an ASCII fallback and the UTF-8
/// name percent-encoded.
pub(crate) fn download(bytes: Vec<u8>, file_name: &str, content_type: &'static str) -> Response {
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    let ext = file_name.rsplit_once('.').map_or("", |(_, e)| e);
    let encoded: String = file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let value = format!("attachment; filename=\"download.{ext}\"; filename*=UTF-8''{encoded}");
    if let Ok(v) = HeaderValue::from_str(&value) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}

pub(crate) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The content type of an uploaded file, by its name.
pub(crate) fn content_type_of(file_name: &str) -> &'static str {
    let lower = file_name.to_ascii_lowercase();
    if lower.ends_with(".xlsx") || lower.ends_with(".xlsm") {
        XLSX
    } else if lower.ends_with(".csv") {
        "text/csv"
    } else {
        "application/octet-stream"
    }
}
