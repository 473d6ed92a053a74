//! Errors of page and API handlers and how they reach the user: pages get a Chinese error
//! page, the API gets RFC 9457 `application/problem+json`. Internal details are logged, never
//! echoed.
use askama::Template;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub(crate) enum AppError {
    /// No valid session: pages redirect to the sign-in form, the API answers 401.
    #[error("not signed in")]
    Unauthenticated,
    #[error("outside the caller's scope or role")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// A query parameter that does not parse (e.g. an unknown term or grouping).
    #[error("bad request")]
    BadRequest,
    #[error("CSRF check failed")]
    Csrf,
    /// A body over the size limit (413).
    #[error("payload too large")]
    PayloadTooLarge,
    /// A body in a format the route does not take (415).
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// The account holds a one-time password: pages go to 修改密码, the API answers 403.
    #[error("password change required")]
    PasswordChangeRequired,
    #[error("internal: {0}")]
    Internal(String),
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(format!("template: {e}"))
    }
}

impl From<tokio::task::JoinError> for AppError {
    fn from(e: tokio::task::JoinError) -> Self {
        AppError::Internal(format!("blocking task: {e}"))
    }
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Csrf | AppError::PasswordChangeRequired => {
                StatusCode::FORBIDDEN
            }
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::BadRequest => StatusCode::BAD_REQUEST,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Chinese title and explanation shown to the user.
    fn text_zh(&self) -> (&'static str, &'static str) {
        match self {
            AppError::Unauthenticated => ("未登录", "请先登录。"),
            AppError::Forbidden => ("无权访问", "您的账号无权查看此内容。"),
            AppError::NotFound => ("未找到", "您要找的页面或记录不存在。"),
            AppError::BadRequest => ("请求参数有误", "请求中的参数（如学期或分组）无效。"),
            AppError::Csrf => ("请求校验失败", "请求未通过安全校验，请刷新页面后重试。"),
            AppError::PayloadTooLarge => (
                "提交的内容过大",
                "提交的内容超过了大小上限：上传文件请不超过 20 MB（可按学校或年级拆分），表单请精简后重试。",
            ),
            AppError::UnsupportedMediaType => (
                "不支持的内容格式",
                "提交的内容格式不受支持：页面表单请在浏览器中提交，接口请使用 application/json。",
            ),
            AppError::PasswordChangeRequired => (
                "需要修改密码",
                "您正在使用一次性密码，请先在“修改密码”页设置自己的密码。",
            ),
            AppError::Internal(_) => ("服务器内部错误", "服务器出现错误，请稍后重试或联系管理员。"),
        }
    }

    fn log(&self) {
        if matches!(self, AppError::Internal(_)) {
            tracing::error!(error = %self, "request failed");
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    title: &'static str,
    message: &'static str,
    css_url: String,
}

/// A page handler's error: a Chinese error page (or the sign-in redirect).
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        if matches!(self, AppError::Unauthenticated) {
            return Redirect::to("/login").into_response();
        }
        if matches!(self, AppError::PasswordChangeRequired) {
            return Redirect::to(crate::auth::CHANGE_PASSWORD_PATH).into_response();
        }
        let (title, message) = self.text_zh();
        let body = ErrorPage {
            title,
            message,
            css_url: crate::assets::url("app.css"),
        }
        .render()
        .unwrap_or_else(|_| title.to_string());
        (self.status(), Html(body)).into_response()
    }
}

/// An API handler's error: `application/problem+json` with a Chinese title.
#[derive(Debug)]
pub(crate) struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

/// RFC 9457 problem details.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct Problem {
    /// Always `about:blank`: the status code says what happened.
    #[serde(rename = "type")]
    pub kind: String,
    /// Chinese, e.g. 无权访问.
    pub title: String,
    pub status: u16,
    /// Chinese explanation.
    pub detail: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.log();
        let (title, detail) = self.0.text_zh();
        let status = self.0.status();
        let problem = Problem {
            kind: "about:blank".into(),
            title: title.into(),
            status: status.as_u16(),
            detail: detail.into(),
        };
        let mut resp = (status, axum::Json(problem)).into_response();
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        resp
    }
}

/// Unknown paths: a 404 page, or a problem document under `/api/`.
pub(crate) async fn fallback(uri: Uri) -> Response {
    if is_api_path(uri.path()) {
        ApiError(AppError::NotFound).into_response()
    } else {
        AppError::NotFound.into_response()
    }
}

/// The framework's own rejections (a form or JSON body that is too large, of the wrong type or
/// malformed) are English plain text; they reach the user as our Chinese page or problem
/// document instead. Handlers' own responses (HTML or JSON) pass unchanged.
pub(crate) async fn chinese_rejections(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let api = is_api_path(req.uri().path());
    let resp = next.run(req).await;
    let plain = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    let error = match resp.status() {
        _ if !plain => return resp,
        StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => AppError::UnsupportedMediaType,
        StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => AppError::BadRequest,
        _ => return resp,
    };
    if api {
        ApiError(error).into_response()
    } else {
        error.into_response()
    }
}

pub(crate) fn is_api_path(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

impl From<wuyu_service::ServiceError> for AppError {
    fn from(e: wuyu_service::ServiceError) -> Self {
        use wuyu_service::ServiceError as S;
        match e {
            S::Forbidden => AppError::Forbidden,
            S::NotFound => AppError::NotFound,
            S::BadRequest(_) => AppError::BadRequest,
            S::Rejected(rows) => AppError::Internal(format!("{} row errors", rows.len())),
            S::Conflict(what) => AppError::Internal(format!("conflict: {what}")),
            S::Internal(what) => AppError::Internal(what),
        }
    }
}

impl From<wuyu_service::ServiceError> for ApiError {
    fn from(e: wuyu_service::ServiceError) -> Self {
        ApiError(e.into())
    }
}
