//! Platform: the import centre's uploads. A file uploaded in the browser is held here until
//! the uploader confirms it (nothing is imported before), then stays as the history entry of
//! that import, with the file for admins to download. Reads take the caller's scope: the
//! district sees every upload, a school's roles their school's.
use serde::{Deserialize, Serialize};
use wuyu_domain::{SchoolId, Scope, UserId};

use crate::StoreFuture;

/// A file to hold until confirm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUpload {
    /// Random, unguessable: the held upload's address in the browser.
    pub token: String,
    /// The import kind (`roster`, `fitness`, `exam-scores`, `exam-items`).
    pub kind: String,
    /// The kind's options as JSON (exam, subject, term, test date).
    pub params: String,
    /// The uploader's school; `None` for a district upload.
    pub school_id: Option<SchoolId>,
    pub user_id: UserId,
    pub username: String,
    pub file_name: String,
    pub file_sha256: String,
    pub file: Vec<u8>,
    pub uploaded_at: i64,
    pub expires_at: i64,
}

/// Where an upload is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UploadStatus {
    /// Held, waiting for confirm.
    Pending,
    /// Confirmed, being read, checked and written.
    Running,
    /// Confirmed and written.
    Imported,
    /// Confirmed, but a row error (the reader's or the store's) rejected it; nothing written.
    Rejected,
    /// A fault of the server stopped it; nothing written.
    Failed,
    /// Not confirmed in time; the file is dropped.
    Expired,
    /// Imported, then undone.
    Undone,
}

impl UploadStatus {
    pub fn code(self) -> &'static str {
        match self {
            UploadStatus::Pending => "pending",
            UploadStatus::Running => "running",
            UploadStatus::Failed => "failed",
            UploadStatus::Imported => "imported",
            UploadStatus::Rejected => "rejected",
            UploadStatus::Expired => "expired",
            UploadStatus::Undone => "undone",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [
            UploadStatus::Pending,
            UploadStatus::Running,
            UploadStatus::Imported,
            UploadStatus::Rejected,
            UploadStatus::Failed,
            UploadStatus::Expired,
            UploadStatus::Undone,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            UploadStatus::Pending => "待确认",
            UploadStatus::Running => "正在导入",
            UploadStatus::Failed => "导入失败，未写入",
            UploadStatus::Imported => "已导入",
            UploadStatus::Rejected => "有错误，未导入",
            UploadStatus::Expired => "已过期，未导入",
            UploadStatus::Undone => "已撤销",
        }
    }
}

/// One upload, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UploadEntry {
    pub id: i64,
    #[serde(skip)]
    pub token: String,
    pub kind: String,
    pub params: String,
    pub school_id: Option<SchoolId>,
    pub user_id: UserId,
    pub username: String,
    pub file_name: String,
    pub file_sha256: String,
    pub file_size: i64,
    pub uploaded_at: i64,
    pub expires_at: i64,
    pub status: UploadStatus,
    /// Where a running import is: `read`, `validate`, `write` (empty otherwise).
    pub stage: String,
    /// The confirmed import's counts as JSON (empty before).
    pub counts: String,
    /// The rejected import's row errors as JSON (empty otherwise).
    #[serde(skip)]
    pub errors: String,
    pub error_count: i64,
    /// `import_record.id` of the written import.
    pub import_id: Option<i64>,
    pub finished_at: Option<i64>,
    /// A later import of the same kind wrote the same school, so this import's journal was
    /// dropped and it can no longer be undone.
    pub journal_dropped: bool,
}

/// What a confirm did, recorded on the upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadResult {
    pub status: UploadStatus,
    pub counts: String,
    /// Row errors as JSON (a rejection).
    pub errors: String,
    pub error_count: i64,
    pub import_id: Option<i64>,
    pub finished_at: i64,
}

/// The import centre's uploads.
pub trait ImportCentreStore: Send + Sync {
    /// Holds a file; returns the upload's id.
    fn hold_upload<'a>(&'a self, upload: &'a NewUpload) -> StoreFuture<'a, i64>;

    /// The upload a token names, with its bytes (empty once expired); `None` when there is none.
    fn held_upload<'a>(&'a self, token: &'a str)
    -> StoreFuture<'a, Option<(UploadEntry, Vec<u8>)>>;

    /// Starts a confirmed import: a pending upload becomes running. `Ok(false)` when it was
    /// not pending (confirmed already: two clicks on 确认导入 import once; or expired).
    fn claim_upload(&self, id: i64) -> StoreFuture<'_, bool>;

    /// Where a running import is now (`read`, `validate`, `write`).
    fn set_upload_stage<'a>(&'a self, id: i64, stage: &'a str) -> StoreFuture<'a, ()>;

    /// Records a running import's result.
    fn finish_upload<'a>(&'a self, id: i64, result: &'a UploadResult) -> StoreFuture<'a, bool>;

    /// Marks pending uploads past their expiry as expired and drops their bytes.
    fn expire_uploads(&self, now: i64) -> StoreFuture<'_, u64>;

    /// The newest uploads the scope reaches (district: all; a school's roles: their school's;
    /// other scopes: `Forbidden`), newest first.
    fn list_uploads<'a>(
        &'a self,
        scope: &'a Scope,
        limit: i64,
    ) -> StoreFuture<'a, Vec<UploadEntry>>;

    /// One upload and its file, if the scope reaches it (`NotFound`, `Forbidden`).
    fn upload_file<'a>(
        &'a self,
        scope: &'a Scope,
        id: i64,
    ) -> StoreFuture<'a, (UploadEntry, Vec<u8>)>;
}
