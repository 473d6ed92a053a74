//! Answering on a phone, without an account: `/s` asks for the code printed on the slip,
//! `/s/{code}` shows the questionnaire one question per block and takes the answers once;
//! `/s/l/{token}` (a school's or class's link, scanned from the printed QR code) takes answers
//! from many people, at most one per device and a bounded number per address. Unknown codes
//! and links count against the address, so neither can be guessed quickly.
use askama::Template;
use axum::Form;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use wuyu_analytics::satisfaction::Answer;
use wuyu_domain::{ItemKind, OtherAnswers, Questionnaire};
use wuyu_service::ServiceError;
use wuyu_service::survey::{self, OpenForm};

use crate::assets;
use crate::auth::{ClientIp, now_unix};
use crate::error::AppError;
use crate::ratelimit::wait_zh;
use crate::state::AppState;
use crate::view::render;

/// The five points as the respondent reads them, best first.
const POINTS: [(u8, &str); 5] = [
    (5, "非常满意"),
    (4, "满意"),
    (3, "基本满意"),
    (2, "不满意"),
    (1, "非常不满意"),
];
/// The form value of 不了解.
const UNKNOWN: &str = "u";

pub(crate) struct Question {
    field: String,
    number: usize,
    text: String,
    /// `likert`, `single`, `multiple` or `text`.
    kind: &'static str,
    allow_unknown: bool,
    /// A choice item's options: (form value, label, picked).
    options: Vec<(usize, String, bool)>,
    /// What the respondent is told above a choice or text item (可多选, 最多 200 字 …).
    hint: String,
    max_chars: usize,
    /// The value given (a text item's text), to keep it when the form is shown again.
    chosen: String,
    missing: bool,
}

#[derive(Template)]
#[template(path = "survey_answer.html")]
struct AnswerPage {
    css_url: String,
    title: String,
    /// 学校, or 学校 · 班级 for a class's link.
    school_name: String,
    /// The teacher a 师德 code asks about.
    teacher: Option<String>,
    /// Where the form posts: `/s/{code}` or `/s/l/{token}`.
    action: String,
    questions: Vec<Question>,
    script_url: String,
    points: [(u8, &'static str); 5],
    unknown: &'static str,
    error: Option<String>,
}

/// The code entry page, a message (used code, thanks), or both.
#[derive(Template)]
#[template(path = "survey_message.html")]
struct MessagePage {
    css_url: String,
    heading: &'static str,
    message: Option<String>,
    entry: bool,
}

fn message(heading: &'static str, message: Option<String>, entry: bool) -> Response {
    let page = MessagePage {
        css_url: assets::url("app.css"),
        heading,
        message,
        entry,
    };
    match render(&page) {
        Ok(html) => html.into_response(),
        Err(e) => e.into_response(),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct EntryQuery {
    code: Option<String>,
}

/// `/s` (`?code=` from the entry form): asks for a code, or goes to its form.
pub(crate) async fn entry(q: Result<Query<EntryQuery>, QueryRejection>) -> Response {
    let code = q
        .ok()
        .and_then(|Query(q)| q.code)
        .map(|c| survey::normalize_code(&c))
        .unwrap_or_default();
    if code.is_empty() {
        return message("填写答题码", None, true);
    }
    if !code.bytes().all(|b| b.is_ascii_alphanumeric()) || code.len() > 32 {
        return message(
            "填写答题码",
            Some(format!(
                "答题码“{code}”只应包含字母和数字，请核对后重新输入"
            )),
            true,
        );
    }
    Redirect::to(&format!("{}{code}", super::ANSWER_PREFIX)).into_response()
}

const UNKNOWN_CODE: &str = "答题码不存在，请核对纸条上的答题码后重新输入";

/// Opens the form a code leads to; an unknown code counts against the address's limit.
async fn open(state: &AppState, ip: &str, code: &str) -> Result<OpenForm, Response> {
    if let Err(wait) = state.survey_guard.check(ip) {
        let page = message(
            "请稍后再试",
            Some(format!("答题码输错次数过多，请 {}后再试。", wait_zh(wait))),
            false,
        );
        return Err((StatusCode::TOO_MANY_REQUESTS, page).into_response());
    }
    match survey::open_code(&state.svc, code).await {
        Ok(form) => Ok(form),
        Err(ServiceError::NotFound) => {
            state.survey_guard.wrong(ip);
            let page = message("无法作答", Some(UNKNOWN_CODE.into()), true);
            Err((StatusCode::NOT_FOUND, page).into_response())
        }
        Err(ServiceError::BadRequest(m)) => {
            Err((StatusCode::CONFLICT, message("无法作答", Some(m), true)).into_response())
        }
        Err(e) => Err(AppError::from(e).into_response()),
    }
}

fn questions(q: &Questionnaire, given: &[(String, String)], check: bool) -> Vec<Question> {
    q.items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let field = format!("q{i}");
            let values: Vec<&str> = given
                .iter()
                .filter(|(k, _)| *k == field)
                .map(|(_, v)| v.as_str())
                .collect();
            let chosen = values.first().map(|v| v.to_string()).unwrap_or_default();
            let answered = match &item.kind {
                ItemKind::Likert => parse(&chosen, item.allow_unknown).is_some(),
                ItemKind::Text { .. } => !chosen.trim().is_empty(),
                _ => !values.is_empty(),
            };
            let required = item.required || item.kind == ItemKind::Likert;
            let (hint, max_chars) = match &item.kind {
                ItemKind::Likert => (String::new(), 0),
                ItemKind::Single { .. } => ("单选".into(), 0),
                ItemKind::Multiple {
                    max_picks: Some(m), ..
                } => (format!("可多选，最多选 {m} 项"), 0),
                ItemKind::Multiple { .. } => ("可多选".into(), 0),
                ItemKind::Text { max_chars } => (
                    format!(
                        "{}，最多 {max_chars} 字",
                        if item.required { "必填" } else { "选填" }
                    ),
                    *max_chars,
                ),
            };
            Question {
                missing: check && required && !answered,
                number: i + 1,
                text: item.text.clone(),
                kind: item.kind.code(),
                allow_unknown: item.allow_unknown,
                options: item
                    .kind
                    .options()
                    .iter()
                    .enumerate()
                    .map(|(k, label)| (k, label.clone(), values.contains(&k.to_string().as_str())))
                    .collect(),
                hint,
                max_chars,
                field,
                chosen,
            }
        })
        .collect()
}

/// One answer from the form; `None` when missing or not one of the item's options.
fn parse(value: &str, allow_unknown: bool) -> Option<Answer> {
    if value == UNKNOWN {
        return allow_unknown.then_some(Answer::Unknown);
    }
    value.parse::<u8>().ok().and_then(Answer::point)
}

/// The form's answers as stored: one 5-point answer per item (blank for the other kinds) and
/// the picks and texts. A pick that is not an option's number is kept as one past the last
/// option, so the store refuses it with the item named.
fn collect(q: &Questionnaire, given: &[(String, String)]) -> (Vec<Answer>, OtherAnswers) {
    let mut likert = Vec::with_capacity(q.items.len());
    let mut other = OtherAnswers::default();
    for (i, item) in q.items.iter().enumerate() {
        let field = format!("q{i}");
        let values = given.iter().filter(|(k, _)| *k == field).map(|(_, v)| v);
        match &item.kind {
            ItemKind::Likert => likert.push(
                values
                    .into_iter()
                    .next()
                    .and_then(|v| parse(v, item.allow_unknown))
                    .unwrap_or(Answer::Blank),
            ),
            ItemKind::Text { .. } => {
                likert.push(Answer::Blank);
                if let Some(t) = values.into_iter().next().filter(|t| !t.trim().is_empty()) {
                    other.texts.push((i, t.trim().to_string()));
                }
            }
            kind => {
                likert.push(Answer::Blank);
                let n = kind.options().len();
                let picks: Vec<usize> = values.map(|v| v.parse::<usize>().unwrap_or(n)).collect();
                if !picks.is_empty() {
                    other.choices.push((i, picks));
                }
            }
        }
    }
    (likert, other)
}

fn answer_page(form: &OpenForm, questions: Vec<Question>, error: Option<String>) -> Response {
    let target = Target {
        title: form.questionnaire.title.clone(),
        school_name: form.school_name.clone(),
        teacher: form.teacher_name.clone(),
        action: format!("{}{}", super::ANSWER_PREFIX, form.code),
    };
    page_for(&target, questions, error)
}

/// What the answer page shows above the questions and where it posts.
struct Target {
    title: String,
    school_name: String,
    teacher: Option<String>,
    action: String,
}

fn page_for(t: &Target, questions: Vec<Question>, error: Option<String>) -> Response {
    let page = AnswerPage {
        css_url: assets::url("app.css"),
        title: t.title.clone(),
        school_name: t.school_name.clone(),
        teacher: t.teacher.clone(),
        action: t.action.clone(),
        questions,
        script_url: assets::url("survey.js"),
        points: POINTS,
        unknown: UNKNOWN,
        error,
    };
    match render(&page) {
        Ok(html) => html.into_response(),
        Err(e) => e.into_response(),
    }
}

pub(crate) async fn form(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(code): Path<String>,
) -> Response {
    match open(&state, &ip, &code).await {
        Ok(form) => {
            let qs = questions(&form.questionnaire, &[], false);
            answer_page(&form, qs, None)
        }
        Err(r) => r,
    }
}

/// Takes the answers: every question needs one; a missing one shows the form again with the
/// answers kept and the question marked; nothing is stored until all are there.
pub(crate) async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(code): Path<String>,
    Form(given): Form<Vec<(String, String)>>,
) -> Response {
    let form = match open(&state, &ip, &code).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let qs = questions(&form.questionnaire, &given, true);
    let missing: Vec<String> = qs
        .iter()
        .filter(|q| q.missing)
        .map(|q| format!("第 {} 题", q.number))
        .collect();
    if !missing.is_empty() {
        let why = format!(
            "还有 {} 道题没有作答：{}",
            missing.len(),
            missing.join("、")
        );
        return answer_page(&form, qs, Some(why));
    }
    let (answers, other) = collect(&form.questionnaire, &given);
    match survey::submit_code_with(&state.svc, &form.code, &answers, &other, now_unix()).await {
        Ok(()) => message(
            "提交成功",
            Some("感谢您的参与！您的回答是匿名的，答题码已失效。".into()),
            false,
        ),
        Err(ServiceError::BadRequest(m)) => {
            (StatusCode::CONFLICT, message("无法作答", Some(m), true)).into_response()
        }
        Err(ServiceError::NotFound) => (
            StatusCode::NOT_FOUND,
            message("无法作答", Some(UNKNOWN_CODE.into()), true),
        )
            .into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}

/// The cookie that marks a phone or computer as having answered a link: the second answer
/// from the same browser is refused (a parent tapping 提交 twice, or filling it in again).
fn device_cookie(token: &str) -> String {
    format!("wuyu_answered_{token}")
}

fn answered_here(headers: &HeaderMap, token: &str) -> bool {
    let name = device_cookie(token);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .any(|kv| kv.trim().split_once('=').is_some_and(|(k, _)| k == name))
}

const ANSWERED: &str = "这台设备已经提交过这份问卷，感谢您的参与！每人只需作答一次。";
const UNKNOWN_LINK: &str = "链接无效，请重新扫描通知上的二维码";

/// Opens the form a link leads to: an unknown token counts against the address like a wrong
/// code (links must not be found by trying); a closed round says so.
async fn open_link(state: &AppState, ip: &str, token: &str) -> Result<survey::LinkForm, Response> {
    if let Err(wait) = state.survey_guard.check(ip) {
        let page = message(
            "请稍后再试",
            Some(format!("无效链接过多，请 {}后再试。", wait_zh(wait))),
            false,
        );
        return Err((StatusCode::TOO_MANY_REQUESTS, page).into_response());
    }
    match survey::open_link(&state.svc, token).await {
        Ok(form) => Ok(form),
        Err(ServiceError::NotFound) => {
            state.survey_guard.wrong(ip);
            let page = message("无法作答", Some(UNKNOWN_LINK.into()), false);
            Err((StatusCode::NOT_FOUND, page).into_response())
        }
        Err(ServiceError::BadRequest(m)) => {
            Err((StatusCode::CONFLICT, message("无法作答", Some(m), false)).into_response())
        }
        Err(e) => Err(AppError::from(e).into_response()),
    }
}

fn link_target(form: &survey::LinkForm) -> Target {
    let school_name = if form.class_name.is_empty() {
        form.school_name.clone()
    } else {
        format!("{} · {}", form.school_name, form.class_name)
    };
    Target {
        title: form.questionnaire.title.clone(),
        school_name,
        teacher: None,
        action: format!("{}l/{}", super::ANSWER_PREFIX, form.token),
    }
}

pub(crate) async fn link_form(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    match open_link(&state, &ip, &token).await {
        Ok(_) if answered_here(&headers, &token) => {
            message("已经提交过", Some(ANSWERED.into()), false)
        }
        Ok(form) => {
            let qs = questions(&form.questionnaire, &[], false);
            page_for(&link_target(&form), qs, None)
        }
        Err(r) => r,
    }
}

/// Takes the answers of a link: every question needs one; an address past its limit or a
/// device that already answered is refused with nothing stored.
pub(crate) async fn link_submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(given): Form<Vec<(String, String)>>,
) -> Response {
    let form = match open_link(&state, &ip, &token).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    if answered_here(&headers, &token) {
        return (
            StatusCode::CONFLICT,
            message("已经提交过", Some(ANSWERED.into()), false),
        )
            .into_response();
    }
    if let Err(wait) = state.link_guard.check(&ip) {
        tracing::warn!(%ip, "survey link answers over the limit");
        let page = message(
            "请稍后再试",
            Some(format!(
                "同一网络提交的答卷过多，请 {}后再试。",
                wait_zh(wait)
            )),
            false,
        );
        return (StatusCode::TOO_MANY_REQUESTS, page).into_response();
    }
    let target = link_target(&form);
    let qs = questions(&form.questionnaire, &given, true);
    let missing: Vec<String> = qs
        .iter()
        .filter(|q| q.missing)
        .map(|q| format!("第 {} 题", q.number))
        .collect();
    if !missing.is_empty() {
        let why = format!(
            "还有 {} 道题没有作答：{}",
            missing.len(),
            missing.join("、")
        );
        return page_for(&target, qs, Some(why));
    }
    let (answers, other) = collect(&form.questionnaire, &given);
    match survey::submit_with(&state.svc, &token, &answers, &other, now_unix()).await {
        Ok(()) => {
            state.link_guard.wrong(&ip);
            let cookie = format!(
                "{}=1; Path={}l/{token}; Max-Age=15552000; HttpOnly; SameSite=Lax",
                device_cookie(&token),
                super::ANSWER_PREFIX
            );
            let page = message(
                "提交成功",
                Some("感谢您的参与！您的回答是匿名的。".into()),
                false,
            );
            ([(header::SET_COOKIE, cookie)], page).into_response()
        }
        Err(ServiceError::BadRequest(m)) => {
            (StatusCode::CONFLICT, message("无法作答", Some(m), false)).into_response()
        }
        Err(ServiceError::NotFound) => (
            StatusCode::NOT_FOUND,
            message("无法作答", Some(UNKNOWN_LINK.into()), false),
        )
            .into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}
