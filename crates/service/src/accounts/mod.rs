//! 账号 (accounts): sign-in credentials, sessions, and the users an administrator manages.
//! Listing, creating and (de)activating users are unscoped: they take an [`AdminToken`]
//! (a district admin's `viewer.admin_token()`, or `AdminToken::operator()` at the CLI).
mod rules;

pub use rules::{
    AccountError, AccountSpec, MAX_PASSWORD_CHARS, MAX_USERNAME_CHARS, MIN_PASSWORD_CHARS,
    resolve_account,
};

use wuyu_domain::{AdminToken, Scope, User, UserId};
use wuyu_store::{NewSession, NewUser, SessionRow, StoreError, UserCredentials, UserRow};

use crate::{Service, ServiceError};

/// The stored credentials of `username`, if such an account exists.
pub async fn credentials(
    svc: &Service,
    username: &str,
) -> Result<Option<UserCredentials>, ServiceError> {
    Ok(svc.store().user_credentials(username).await?)
}

/// The scope a user's role and bindings give them.
pub async fn scope_for(svc: &Service, user: &User) -> Result<Scope, ServiceError> {
    Ok(svc.store().scope_for(user).await?)
}

/// The scope at sign-in: the inner `Err` says why a misconfigured account (e.g. a school role
/// without its school) has none, so sign-in can refuse it instead of failing every page after.
pub async fn sign_in_scope(
    svc: &Service,
    user: &User,
) -> Result<Result<Scope, String>, ServiceError> {
    match svc.store().scope_for(user).await {
        Ok(scope) => Ok(Ok(scope)),
        Err(e @ StoreError::Corrupt(_)) => Ok(Err(e.to_string())),
        Err(other) => Err(other.into()),
    }
}

pub async fn create_session(svc: &Service, session: &NewSession) -> Result<(), ServiceError> {
    Ok(svc.store().create_session(session).await?)
}

/// The live session keyed by `token_hash` at `now` (unix seconds), if any.
pub async fn session(
    svc: &Service,
    token_hash: &str,
    now: i64,
) -> Result<Option<SessionRow>, ServiceError> {
    Ok(svc.store().session(token_hash, now).await?)
}

pub async fn delete_session(svc: &Service, token_hash: &str) -> Result<(), ServiceError> {
    Ok(svc.store().delete_session(token_hash).await?)
}

/// Removes sessions expired at `now`; answers how many.
pub async fn delete_expired_sessions(svc: &Service, now: i64) -> Result<u64, ServiceError> {
    Ok(svc.store().delete_expired_sessions(now).await?)
}

pub async fn list_users(svc: &Service, _admin: AdminToken) -> Result<Vec<UserRow>, ServiceError> {
    Ok(svc.store().list_users().await?)
}

pub async fn user(svc: &Service, _admin: AdminToken, id: UserId) -> Result<User, ServiceError> {
    Ok(svc.store().user(id).await?)
}

/// Checks `spec` against the account rules and resolves its bindings (see [`resolve_account`]).
pub async fn resolve(
    svc: &Service,
    _admin: AdminToken,
    spec: &AccountSpec,
) -> Result<NewUser, AccountError> {
    resolve_account(svc.store().as_ref(), spec).await
}

/// Creates the account; a taken username is [`ServiceError::Conflict`].
pub async fn create_user(
    svc: &Service,
    _admin: AdminToken,
    new: &NewUser,
) -> Result<UserId, ServiceError> {
    Ok(svc.store().create_user(new).await?)
}

pub async fn set_user_active(
    svc: &Service,
    _admin: AdminToken,
    id: UserId,
    active: bool,
) -> Result<(), ServiceError> {
    Ok(svc.store().set_user_active(id, active).await?)
}
