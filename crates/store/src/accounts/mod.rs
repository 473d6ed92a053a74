//! Platform: users and sessions.
use wuyu_domain::{SchoolId, Scope, StudentId, TeacherId, User, UserId};

use crate::StoreFuture;
use crate::model::*;

/// Users and server-side sessions.
pub trait AccountStore: Send + Sync {
    fn create_user<'a>(&'a self, user: &'a NewUser) -> StoreFuture<'a, UserId>;

    /// A password the user chose: clears the must-change flag; ends every session of the user.
    fn set_password<'a>(&'a self, user: UserId, password_hash: &'a str) -> StoreFuture<'a, ()>;

    /// A one-time password (an admin's reset): the user must change it at the next sign-in;
    /// ends every session of the user.
    fn set_one_time_password<'a>(
        &'a self,
        user: UserId,
        password_hash: &'a str,
    ) -> StoreFuture<'a, ()>;

    fn set_user_active(&self, user: UserId, active: bool) -> StoreFuture<'_, ()>;

    /// For sign-in: the user and their password hash, active or not.
    fn user_credentials<'a>(
        &'a self,
        username: &'a str,
    ) -> StoreFuture<'a, Option<UserCredentials>>;

    fn user(&self, id: UserId) -> StoreFuture<'_, User>;

    fn list_users(&self) -> StoreFuture<'_, Vec<UserRow>>;

    /// The accounts bound to one school (its staff, and parents of its students).
    fn school_users(&self, school: SchoolId) -> StoreFuture<'_, Vec<UserRow>>;

    /// The scope a user's role and bindings give (a teacher's classes come from assignments).
    fn scope_for<'a>(&'a self, user: &'a User) -> StoreFuture<'a, Scope>;

    fn create_session<'a>(&'a self, session: &'a NewSession) -> StoreFuture<'a, ()>;

    /// The live session with this token hash and its user, if not expired and the user is
    /// still active.
    fn session<'a>(&'a self, token_hash: &'a str, now: i64) -> StoreFuture<'a, Option<SessionRow>>;

    /// Records activity on a session at `now` (the idle timeout counts from here).
    fn touch_session<'a>(&'a self, token_hash: &'a str, now: i64) -> StoreFuture<'a, ()>;

    fn delete_session<'a>(&'a self, token_hash: &'a str) -> StoreFuture<'a, ()>;

    fn delete_expired_sessions(&self, now: i64) -> StoreFuture<'_, u64>;

    /// Teachers of the school that no account is bound to yet: `(teacher, 工号, 姓名)` by 工号.
    fn teachers_without_account(
        &self,
        school: SchoolId,
    ) -> StoreFuture<'_, Vec<(TeacherId, String, String)>>;

    /// Creates accounts holding one-time passwords (must change at first sign-in), all or
    /// none: a taken username is [`crate::StoreError::Conflict`] and nothing is created.
    fn create_one_time_users<'a>(&'a self, users: &'a [NewUser]) -> StoreFuture<'a, Vec<UserId>>;

    /// Stores fresh binding codes (their SHA-256) for students of one school, replacing any
    /// earlier unused or used code of theirs.
    fn issue_binding_codes<'a>(
        &'a self,
        school: SchoolId,
        codes: &'a [(StudentId, String)],
        now: i64,
    ) -> StoreFuture<'a, ()>;

    /// Uses the unused binding code `code_hash` of the student with 学籍号 `student_no`: links the
    /// child to the parent (creating the account for [`ParentTarget::New`]) and spends the code,
    /// in one transaction. No such student or code: [`crate::StoreError::NotFound`], nothing
    /// written. Answers the parent and the child.
    fn redeem_binding_code<'a>(
        &'a self,
        student_no: &'a str,
        code_hash: &'a str,
        parent: &'a ParentTarget,
        now: i64,
    ) -> StoreFuture<'a, (UserId, SchoolId, StudentId)>;

    /// A parent account's children: its first child and every linked one, by name.
    fn parent_children(&self, user: UserId) -> StoreFuture<'_, Vec<ChildRow>>;

    /// Which child the session shows (checked against [`Self::parent_children`] by the caller).
    fn set_session_child<'a>(
        &'a self,
        token_hash: &'a str,
        student: StudentId,
    ) -> StoreFuture<'a, ()>;
}
