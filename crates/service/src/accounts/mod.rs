//! 账号 (accounts): sign-in credentials, sessions, and the users an administrator manages.
//! Listing, creating and (de)activating users are unscoped: they take an [`AdminToken`]
//! (a district admin's `viewer.admin_token()`, or `AdminToken::operator()` at the CLI).
mod bulk;
mod parents;
mod rules;

pub use bulk::{
    BindingCodeRow, BindingSheet, IssuedAccount, SkippedTeacher, TeacherAccountPlan,
    issue_binding_codes, open_teacher_accounts, plan_teacher_accounts,
};
pub use parents::{BindError, add_child, children, choose_child, open_parent_account};
pub use rules::{
    AccountError, AccountSpec, MAX_PASSWORD_CHARS, MAX_USERNAME_CHARS, MIN_PASSWORD_CHARS,
    PASSWORD_RULE_ZH, check_new_password, one_time_password, resolve_account,
};

use wuyu_domain::{AdminToken, Capability, Role, Scope, User, UserId, Viewer};
use wuyu_store::{NewSession, NewUser, SessionRow, StoreError, UserCredentials, UserRow};

use crate::audit::Requester;
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

/// A named account as a viewer and requester, for work done as that account outside a
/// browser session (the demo's loaders, tests); `None` when there is no such account.
pub async fn acting_as(
    svc: &Service,
    username: &str,
    ip: &str,
) -> Result<Option<(Viewer, Requester)>, ServiceError> {
    let Some(c) = svc.store().user_credentials(username).await? else {
        return Ok(None);
    };
    let scope = scope_for(svc, &c.user).await?;
    let who = Requester::user(&c.user, ip);
    Ok(Some((Viewer::new(c.user, scope), who)))
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

/// A password the caller chose for their own account (already checked with
/// [`check_new_password`] and hashed); ends every session of the account.
pub async fn change_own_password(
    svc: &Service,
    viewer: &Viewer,
    password_hash: &str,
) -> Result<(), ServiceError> {
    Ok(svc
        .store()
        .set_password(viewer.user.id, password_hash)
        .await?)
}

/// The accounts the caller manages (账号管理): every account for a district admin, the accounts
/// bound to their school for a school admin.
pub async fn managed_accounts(
    svc: &Service,
    viewer: &Viewer,
) -> Result<Vec<UserRow>, ServiceError> {
    if !viewer.can(Capability::ManageAccounts) {
        return Err(ServiceError::Forbidden);
    }
    Ok(match viewer.scope.school_id() {
        None => svc.store().list_users().await?,
        Some(school) => svc.store().school_users(school).await?,
    })
}

/// One account the caller manages: a school admin reaches the school-bound accounts of their
/// own school, never a district account or another school's.
pub async fn managed_account(
    svc: &Service,
    viewer: &Viewer,
    id: UserId,
) -> Result<User, ServiceError> {
    if !viewer.can(Capability::ManageAccounts) {
        return Err(ServiceError::Forbidden);
    }
    let target = svc.store().user(id).await?;
    match viewer.scope.school_id() {
        None if viewer.scope.is_district() => Ok(target),
        Some(school)
            if target.school_id == Some(school)
                && !matches!(target.role, Role::DistrictAdmin | Role::DistrictAnalyst) =>
        {
            Ok(target)
        }
        _ => Err(ServiceError::Forbidden),
    }
}

/// Resets a managed account's password to a one-time password (hashed by the caller): the user
/// must change it at the next sign-in, and their sessions end now. Answers the account.
pub async fn reset_password(
    svc: &Service,
    viewer: &Viewer,
    id: UserId,
    password_hash: &str,
) -> Result<User, ServiceError> {
    let target = managed_account(svc, viewer, id).await?;
    svc.store().set_one_time_password(id, password_hash).await?;
    Ok(target)
}

/// Records activity on a session, for the idle timeout.
pub async fn touch_session(svc: &Service, token_hash: &str, now: i64) -> Result<(), ServiceError> {
    Ok(svc.store().touch_session(token_hash, now).await?)
}
