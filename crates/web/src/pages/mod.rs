//! HTML pages. Each handler takes the caller, asks the store with the caller's scope, and
//! renders an askama template inside the common layout.
pub(crate) mod admin;
pub(crate) mod login;
pub(crate) mod settings;

use axum::extract::Path;
use axum::extract::rejection::PathRejection;

use crate::error::AppError;

/// Path ids that do not parse name nothing that exists.
pub(crate) fn path_ids<T>(p: Result<Path<T>, PathRejection>) -> Result<T, AppError> {
    p.map(|Path(t)| t).map_err(|_| AppError::NotFound)
}
