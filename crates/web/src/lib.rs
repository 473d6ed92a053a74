//! The wuyu web server: sign-in with server-side sessions, role scopes, audit, Chinese pages
//! (askama + htmx + ECharts, all assets embedded) and a JSON API under `/api/v1`.
//!
//! Every handler gets the caller from the session and passes it, as a [`wuyu_domain::Viewer`],
//! to one `wuyu_service` function; the store behind it filters by scope, no handler filters
//! data by hand. Unsafe methods need a same-origin request and, with
//! a session, the session's CSRF token.
//!
//! | route | who |
//! |---|---|
//! | `GET/POST /login`, `POST /logout` | everyone |
//! | `GET /` | district roles: 区级总览; others are redirected to their school / child |
//! | `GET /schools/{id}`, `GET /schools/{id}/classes.xlsx` | roles whose scope reaches the school (not parents) |
//! | `GET /schools/{id}/classes/{class_id}` (+ `/students.xlsx`) | roles whose scope reaches the class (audited) |
//! | `GET /schools/{id}/students/{student_id}` | roles whose scope reaches the student (audited) |
//! | `GET /fitness`, `GET /fitness/export.xlsx` | district, school admin, teacher (own classes) |
//! | `GET /schools/{id}/classes/{class_id}/fitness` | roles whose scope reaches the class (audited) |
//! | `GET /exams` | district roles, school admins, teachers (their school's exams) |
//! | `GET /exams/{id}` (`?subject=&school=`), `GET /exams/{id}/items` | as `/exams`; district roles see the district, others their school |
//! | `GET /exams/{id}/export.xlsx` | district roles |
//! | `GET /exams/{id}/classes/export.xlsx` | as `/exams` (district roles name the school) |
//! | `GET /exams/{id}/schools/{sid}/classes/{cid}` (+ `/export.xlsx`) | roles whose scope reaches the class (audited) |
//! | `GET /exams/alerts` (+ `/export.xlsx`) | district roles and school admins |
//! | `GET /imports…` (history as `/imports/history.xlsx`), `POST /imports/{kind}`, `POST /imports/uploads/{token}/confirm` | district and school admins (导入中心; see `import_centre`) |
//! | `GET /plan`, `GET /plan/targets/{key}` (`?year=&domain=`) | district roles; school admins (their own school's lines) |
//! | `GET/POST /admin/users`, `POST /admin/users/{id}/(de)activate`, `GET /admin/audit?user=&action=&entity=&school=&from=&to=&before=` (+ `.xlsx`), `GET/POST /admin/settings` | district admins |
//! | `GET/POST /account/password` | everyone signed in (修改密码; the only page while a one-time password is held) |
//! | `GET /accounts`, `POST /accounts/{id}/reset-password`, `POST /accounts/{id}/unlock`, `POST /accounts/teachers`, `POST /accounts/binding-codes` | district admins (all accounts), school admins (their school's) |
//! | `GET/POST /bind` | everyone (a parent's first sign-in with a binding code) |
//! | `GET/POST /account/children`, `POST /account/child` | parents (我的孩子) |
//! | `GET /api/v1/schools`, `GET /api/v1/schools/{id}/students` | signed-in users, scoped |
//! | `GET /api/v1/fitness/summary`, `GET /api/v1/schools/{id}/students/{student_id}/fitness` | as the fitness pages (student: audited) |
//! | `GET /api/v1/exams…` | as the exam pages (students: audited) |
//! | `GET /psych`, `POST /psych/cases/{id}/…` | the school's counsellor (every read audited) |
//! | `GET /psych/flags` | teachers: the classes they are 班主任 of (levels and tasks only) |
//! | `GET /psych/scales`, `POST /psych/scales` (multipart), `GET /api/v1/psych/scales` | district admins (list and load, every load audited), counsellors (list) |
//! | `GET /schools/{id}/students/{student_id}/archive` | district roles, the school admin, teachers of the class, the parent (audited) |
//! | `GET /archive/coverage` | district roles (by school), school admins (by class) |
//! | `GET/POST /schools/{id}/classes/{class_id}/archive`, `POST …/archive/review`, `GET …/archive/export.xlsx`, `GET /archive/class` | the school admin, teachers of the class (review: its 班主任; export audited) |
//! | `GET /archive/coverage/export.xlsx` | as `/archive/coverage` (audited) |
//! | `GET /api/v1/archive/…`, `POST /api/v1/archive/…` | as the archive pages (student: audited) |
//! | `GET /psych/aggregates` | district roles, school admins, counsellors (cells under 10 suppressed) |
//! | `GET /api/v1/plan`, `GET /api/v1/plan/targets/{key}` | as the plan pages |
//! | `GET /staff/appraisal` | district roles (every school's round); a school admin or teacher is sent to their school's round |
//! | `GET /staff/appraisal/{school}/{year}` | district roles, the school's admin (every teacher), a teacher of the school (their own row; audited) |
//! | `GET /staff/appraisal/{school}/{year}/publicity` | as the round; a teacher only once the 公示 has started (names of the proposed 优秀, no scores) |
//! | `GET /staff/appraisal/{school}/{year}/export.xlsx` | district roles, the school's admin (audited) |
//! | `POST /staff/appraisal/{school}/{year}/import`, `/committee`, `/publicise` | district admins, the school's admin |
//! | `POST /staff/appraisal/{school}/{year}/approve`, `/return`, `/answer`, `POST /staff/appraisal/pool` | district admins |
//! | `POST /staff/appraisal/{school}/{year}/appeal`, `/confirm` | a teacher of the school, for their own result |
//! | `GET /staff/development` | district roles (any school), the school's admin (every teacher), a teacher (their own records) |
//! | `POST /staff/development/{school}/training`, `/title`, `/studio` | district admins, the school's admin |
//! | `GET /api/v1/staff/appraisal/{school}/{year}` | district roles, the school's admin (every teacher), a teacher of the school (their own row) |
//! | `GET /surveys`, `GET /surveys/{id}` (+ `/export.xlsx`) | district roles and school admins (满意度调查; results within the scope, small units suppressed) |
//! | `POST /surveys`, `POST /surveys/{id}/close` | district admins (start a round from a standard questionnaire; close it) |
//! | `GET/POST /surveys/{id}/codes` | district and school admins (issue one-time codes; the printable sheet) |
//! | `GET/POST /surveys/{id}/links` | district and school admins (anonymous links per school or class, with QR codes to print) |
//! | `GET /s`, `GET/POST /s/{code}` | everyone, no account (answer once with a one-time code; rate-limited) |
//! | `GET/POST /s/l/{token}` | everyone, no account (answer through a school's or class's link; once per device, bounded per address) |
//! | `GET /api/v1/surveys/{id}/results` | as `/surveys/{id}` |
//! | `GET /surveys/{id}/teachers`, `GET /api/v1/surveys/{id}/teachers` | district roles and school admins (a 师德 round per named teacher; staff data, every read audited) |
//! | `GET /api/openapi.json`, `GET /assets/...` | everyone |
#![forbid(unsafe_code)]

mod access;
pub mod accounts;
mod api;
mod archive;
mod assets;
mod audit;
mod auth;
mod bulletin;
mod chart;
mod csrf;
mod error;
mod exam;
mod export;
mod fitness;
mod headers;
mod import_centre;
mod pages;
pub mod password;
mod plan;
mod psych;
mod qr;
mod ratelimit;
mod roster;
mod session;
mod staff;
mod state;
mod survey;
mod trace;
mod view;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::middleware;
use axum::routing::{get, post};
use wuyu_service::store_types::Store;

use crate::state::AppState;

/// Settings of the web server that the CLI chooses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSettings {
    /// Mark the session cookie `Secure` (serve behind HTTPS).
    pub secure_cookies: bool,
    /// Absolute lifetime of a session in seconds, however active.
    pub session_ttl_secs: i64,
    /// A session unused this long (seconds) ends: the idle timeout.
    pub session_idle_secs: i64,
    /// The longest wait the per-username sign-in slow-down imposes (seconds): what a stranger
    /// failing on someone else's username can cost them at most.
    pub login_slowdown_max_secs: u64,
    /// Reverse proxies (e.g. the nginx that terminates HTTPS) whose `X-Forwarded-For` is
    /// believed. Without them every client would share the proxy's address in the sign-in
    /// rate limit and the audit log.
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

impl Default for WebSettings {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            session_ttl_secs: 8 * 60 * 60,
            session_idle_secs: 30 * 60,
            login_slowdown_max_secs: 60,
            trusted_proxies: Vec::new(),
        }
    }
}

/// The whole application: pages, API, OpenAPI document and assets, with the security layers.
pub fn router(store: Arc<dyn Store>, settings: WebSettings) -> Router {
    let https = settings.secure_cookies;
    let state = AppState::new(store, settings);
    let (api_router, openapi) = api::router().split_for_parts();
    let openapi = Arc::new(openapi);

    let app = Router::new()
        .route("/login", get(pages::login::form).post(pages::login::submit))
        .route("/logout", post(pages::login::logout))
        .merge(roster::router())
        .merge(exam::router())
        .merge(import_centre::router())
        .merge(plan::router())
        .merge(bulletin::router())
        .merge(accounts::router())
        .route(
            "/admin/users",
            get(pages::admin::users).post(pages::admin::create_user),
        )
        .route(
            "/admin/users/{id}/activate",
            post(pages::admin::activate_user),
        )
        .route(
            "/admin/users/{id}/deactivate",
            post(pages::admin::deactivate_user),
        )
        .route("/admin/audit", get(pages::admin::audit))
        .route("/admin/audit.xlsx", get(pages::admin::audit_xlsx))
        .route(
            "/admin/settings",
            get(pages::settings::show).post(pages::settings::save),
        )
        .merge(crate::fitness::router())
        .merge(crate::psych::router())
        .merge(crate::archive::router())
        .merge(crate::survey::router())
        .merge(crate::staff::router())
        .merge(api_router)
        .route(
            "/api/openapi.json",
            get(move || {
                let doc = Arc::clone(&openapi);
                async move { axum::Json(doc.as_ref().clone()) }
            }),
        )
        .fallback(error::fallback)
        // Order: the last layer added runs first. CSRF sees the request before any handler;
        // the security headers wrap every response, including CSRF rejections.
        .layer(middleware::from_fn_with_state(state.clone(), csrf::guard))
        .with_state(state);

    let app = Router::new()
        .nest_service("/assets", assets::service())
        .merge(app)
        .layer(middleware::from_fn(error::chinese_rejections))
        .layer(middleware::from_fn(headers::security_headers));
    // Secure cookies mean the site is served over HTTPS: browsers should never try plain HTTP.
    let app = if https {
        app.layer(tower_http::set_header::SetResponseHeaderLayer::overriding(
            axum::http::header::STRICT_TRANSPORT_SECURITY,
            axum::http::HeaderValue::from_static("max-age=31536000"),
        ))
    } else {
        app
    };
    app.layer(middleware::from_fn(trace::log_requests))
}

/// Serves the application on `listener` until Ctrl-C (or SIGTERM), then finishes the
/// requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    store: Arc<dyn Store>,
    settings: WebSettings,
) -> std::io::Result<()> {
    let app = router(store, settings);
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, "wuyu web server listening");
    }
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
