//! Platform: users and sessions.
use wuyu_domain::{SchoolId, Scope, User, UserId};

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
}
