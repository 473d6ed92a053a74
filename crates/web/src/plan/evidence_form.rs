//! The plan's upload forms (a reported value, a registry item): text fields and at most one
//! evidence file, read within the evidence cap. One reader, so both forms refuse the same
//! bodies the same way.
use std::collections::HashMap;

use axum::body::{Body, to_bytes};
use axum::http::{HeaderMap, header};
use wuyu_service::file::UploadedFile;
use wuyu_service::plan::MAX_EVIDENCE_BYTES;

use crate::error::AppError;
use crate::import_centre::multipart;

/// Room for the form's text fields and the multipart framing around the file.
const FRAMING: usize = 64 * 1024;

/// A read form: trimmed text fields by name, and the `evidence` file if one was chosen.
pub(super) struct EvidenceForm {
    fields: HashMap<String, String>,
    pub evidence: Option<UploadedFile>,
}

impl EvidenceForm {
    /// The field's text (empty when absent).
    pub fn text(&self, name: &str) -> String {
        self.fields.get(name).cloned().unwrap_or_default()
    }
}

/// The message for a body over the cap, naming the file the form asks for.
pub(super) fn too_large(what: &str) -> String {
    format!(
        "{what}超过 {} MB 的上限",
        MAX_EVIDENCE_BYTES / (1024 * 1024)
    )
}

/// Reads a multipart form; `Ok(None)` when the body is over the evidence cap (the caller shows
/// its page with [`too_large`]), a bad request when it is not multipart.
pub(super) async fn read(
    headers: &HeaderMap,
    body: Body,
) -> Result<Option<EvidenceForm>, AppError> {
    let boundary = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(multipart::boundary)
        .ok_or(AppError::BadRequest)?;
    let Ok(bytes) = to_bytes(body, MAX_EVIDENCE_BYTES + FRAMING).await else {
        return Ok(None);
    };
    let parts = multipart::parse(&boundary, &bytes).map_err(|_| AppError::BadRequest)?;
    drop(bytes);
    let mut form = EvidenceForm {
        fields: HashMap::new(),
        evidence: None,
    };
    for part in parts {
        if part.name == "evidence" {
            if let Some(name) = part.file_name.filter(|n| !n.is_empty()) {
                form.evidence = Some(UploadedFile::new(name, part.data));
            }
        } else {
            let text = String::from_utf8_lossy(&part.data).trim().to_string();
            form.fields.insert(part.name, text);
        }
    }
    Ok(Some(form))
}
