//! The rules for a new account now live in the service; re-exported here for `wuyu user add`
//! until the CLI calls `wuyu_service::accounts` itself.
pub use wuyu_service::accounts::{
    AccountError, AccountSpec, MAX_PASSWORD_CHARS, MAX_USERNAME_CHARS, MIN_PASSWORD_CHARS,
    resolve_account,
};
