//! A parent's children: opening a parent account with a child's 学籍号 and the school's
//! one-time binding code, adding further children the same way, and choosing whose pages the
//! session shows.
use wuyu_domain::{Role, StudentId, UserId, Viewer};
use wuyu_store::{ChildRow, NewUser, ParentTarget, StoreError};

use super::bulk::code_hash;
use crate::{Service, ServiceError};

/// Why a binding was refused.
#[derive(Debug, thiserror::Error)]
pub enum BindError {
    /// Wrong 学籍号 or code, or the code was used already: one message for all, so a guesser
    /// learns nothing about which part was wrong.
    #[error("学籍号或绑定码不正确，或绑定码已使用")]
    BadCode,
    /// The username is taken (a new account only).
    #[error("用户名已存在")]
    UsernameTaken,
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<StoreError> for BindError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => BindError::BadCode,
            StoreError::Conflict(_) => BindError::UsernameTaken,
            other => BindError::Service(other.into()),
        }
    }
}

/// A parent's first sign-in: creates the parent account `new` (its password already hashed)
/// linked to the child the code belongs to, and spends the code. Answers the account.
pub async fn open_parent_account(
    svc: &Service,
    student_no: &str,
    code: &str,
    new: NewUser,
    now: i64,
) -> Result<UserId, BindError> {
    let new = NewUser {
        role: Role::Parent,
        teacher_id: None,
        ..new
    };
    let (user, _, _) = svc
        .store()
        .redeem_binding_code(
            student_no.trim(),
            &code_hash(code),
            &ParentTarget::New(new),
            now,
        )
        .await?;
    Ok(user)
}

/// A signed-in parent adds a child with its 学籍号 and binding code. Answers the child.
pub async fn add_child(
    svc: &Service,
    viewer: &Viewer,
    student_no: &str,
    code: &str,
    now: i64,
) -> Result<StudentId, BindError> {
    if viewer.role() != Role::Parent {
        return Err(ServiceError::Forbidden.into());
    }
    let (_, _, student) = svc
        .store()
        .redeem_binding_code(
            student_no.trim(),
            &code_hash(code),
            &ParentTarget::Existing(viewer.user.id),
            now,
        )
        .await?;
    Ok(student)
}

/// The caller's children (parents only).
pub async fn children(svc: &Service, viewer: &Viewer) -> Result<Vec<ChildRow>, ServiceError> {
    if viewer.role() != Role::Parent {
        return Err(ServiceError::Forbidden);
    }
    Ok(svc.store().parent_children(viewer.user.id).await?)
}

/// Shows `student` in this session from now on: one of the caller's children, or refused.
pub async fn choose_child(
    svc: &Service,
    viewer: &Viewer,
    token_hash: &str,
    student: StudentId,
) -> Result<ChildRow, ServiceError> {
    let child = children(svc, viewer)
        .await?
        .into_iter()
        .find(|c| c.student_id == student)
        .ok_or(ServiceError::Forbidden)?;
    svc.store().set_session_child(token_hash, student).await?;
    Ok(child)
}
