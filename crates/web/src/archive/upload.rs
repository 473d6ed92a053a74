//! The archive's record forms with evidence files. A browser sends them as multipart (the
//! page's upload script adds the CSRF header), read whole under the cap for the files a record
//! may carry; a plain urlencoded post (no file, scripts, tests) is read as before. Either way
//! the handler gets the same fields.
use axum::Form;
use axum::body::to_bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use wuyu_service::archive::{MAX_EVIDENCE_BYTES, MAX_RECORD_FILES};
use wuyu_service::file::UploadedFile;

use crate::error::AppError;
use crate::import_centre::multipart;

/// Room for the text fields and the multipart framing around the files.
const FRAMING: usize = 64 * 1024;

/// A posted record form: its text fields in order, and the `evidence` files chosen.
pub(super) struct Posted {
    pub fields: Vec<(String, String)>,
    pub files: Vec<UploadedFile>,
}

/// The message for a body over the cap.
pub(super) fn too_large() -> String {
    format!(
        "佐证文件太大：每个文件不超过 {} MB，一条记录最多 {MAX_RECORD_FILES} 个",
        MAX_EVIDENCE_BYTES / (1024 * 1024)
    )
}

/// Reads the form; `Ok(None)` when the body is over the cap (the caller shows the form again
/// with [`too_large`]).
pub(super) async fn read(req: Request) -> Result<Option<Posted>, AppError> {
    let boundary = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(multipart::boundary);
    let Some(boundary) = boundary else {
        let Form(fields) = Form::<Vec<(String, String)>>::from_request(req, &())
            .await
            .map_err(|_| AppError::BadRequest)?;
        return Ok(Some(Posted {
            fields,
            files: Vec::new(),
        }));
    };
    let cap = MAX_RECORD_FILES * MAX_EVIDENCE_BYTES + FRAMING;
    let Ok(bytes) = to_bytes(req.into_body(), cap).await else {
        return Ok(None);
    };
    let parts = multipart::parse(&boundary, &bytes).map_err(|_| AppError::BadRequest)?;
    drop(bytes);
    let mut posted = Posted {
        fields: Vec::new(),
        files: Vec::new(),
    };
    for part in parts {
        match part.file_name {
            // An empty file input sends a part with an empty name: nothing chosen.
            Some(name) if part.name == "evidence" && !name.is_empty() => {
                posted.files.push(UploadedFile::new(name, part.data));
            }
            Some(_) => {}
            None => {
                let text = String::from_utf8_lossy(&part.data).to_string();
                posted.fields.push((part.name, text));
            }
        }
    }
    Ok(Some(posted))
}
