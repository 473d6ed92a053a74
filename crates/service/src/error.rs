//! What a use case can answer besides its result. The edges map it: `web` to an HTTP status
//! with a Chinese page or a problem document, `cli` to a Chinese message and an exit code.
use thiserror::Error;
use wuyu_domain::RowError;
use wuyu_store::StoreError;

#[derive(Debug, Error)]
pub enum ServiceError {
    /// The caller's role or scope does not reach this.
    #[error("outside the caller's scope or role")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// A parameter that does not parse or does not fit (e.g. an unknown term or grouping).
    #[error("bad request: {0}")]
    BadRequest(String),
    /// An import was rejected with these row errors; nothing was written.
    #[error("import rejected with {} row errors", .0.len())]
    Rejected(Vec<RowError>),
    #[error("conflict: {0}")]
    Conflict(String),
    /// A fault of the server (database, writer): logged, never shown in detail.
    #[error("internal: {0}")]
    Internal(String),
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Forbidden => ServiceError::Forbidden,
            StoreError::NotFound => ServiceError::NotFound,
            StoreError::Rejected(rows) => ServiceError::Rejected(rows),
            StoreError::Conflict(what) => ServiceError::Conflict(what),
            other => ServiceError::Internal(other.to_string()),
        }
    }
}
