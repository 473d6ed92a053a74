use thiserror::Error;
use wuyu_domain::RowError;

#[derive(Debug, Error)]
#[non_exhaustive]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("outside the caller's scope")]
    Forbidden,
    /// The import was rejected; nothing was written.
    #[error("import rejected with {} row errors", .0.len())]
    Rejected(Vec<RowError>),
    /// A district setting with an unknown key or a value that breaks its rule (the message
    /// is Chinese, for the user); nothing was stored.
    #[error("{0}")]
    InvalidSetting(String),
    /// The exam's statistics were written by a newer wuyu (`found` > `supported`): this build
    /// cannot read them; upgrade it, or recompute the exam with this build.
    #[error("exam statistics are version {found}, newer than this build reads ({supported})")]
    NewerStatistics { found: i32, supported: i32 },
    /// A survey response or questionnaire refused (closed survey, an answer outside the
    /// options, an invalid form); the message is Chinese, for the user; nothing was stored.
    #[error("{0}")]
    Refused(String),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("invalid data in the database: {0}")]
    Corrupt(String),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}
