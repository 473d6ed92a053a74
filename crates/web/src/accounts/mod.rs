//! 账号 in the web: 修改密码 for everyone signed in (the one page an account with a one-time
//! password may use), and 账号管理 for district and school admins (reset a password to a
//! one-time password, lift a sign-in slow-down or lock, open teacher accounts and parents'
//! binding codes in bulk); a parent opens their account with a binding code (家长开通账号),
//! adds children and switches between them (我的孩子). The rules for a new account live in the service; re-exported here for
//! `wuyu user add`.
mod bulk;
mod children;
mod manage;
mod own;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

pub use wuyu_service::accounts::{
    AccountError, AccountSpec, MAX_PASSWORD_CHARS, MAX_USERNAME_CHARS, MIN_PASSWORD_CHARS,
    resolve_account,
};

/// The account pages.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route(
            crate::auth::CHANGE_PASSWORD_PATH,
            get(own::form).post(own::submit),
        )
        .route("/accounts", get(manage::list))
        .route("/accounts/{id}/reset-password", post(manage::reset))
        .route("/accounts/{id}/unlock", post(manage::unlock))
        .route("/accounts/teachers", post(bulk::open_teachers))
        .route("/accounts/binding-codes", post(bulk::binding_codes))
        .route(
            "/bind",
            get(children::bind_form).post(children::bind_submit),
        )
        .route(
            "/account/children",
            get(children::children).post(children::add_child),
        )
        .route("/account/child", post(children::choose))
}
