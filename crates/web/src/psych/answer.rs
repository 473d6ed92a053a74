//! The student's answer pages (no account): enter the one-time code, answer the campaign's
//! scales on a phone, see a calm thank-you — never a score or level. A code that cannot be
//! used gets its Chinese reason; a form with a missing answer comes back with the answers kept.
use std::borrow::Cow;

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use wuyu_service::psych::{self, Campaign, CodeError};
use wuyu_standards::scales::{
    ASQ_ITEMS_ZH, ASQ_OPTIONS_ZH, BuiltinScale, FREQUENCY_ZH, GAD_ITEMS_ZH, PHQ_ITEMS_ZH,
    ScaleDefinition, TWO_WEEKS_ZH,
};

use crate::assets;
use crate::auth::ClientIp;
use crate::error::AppError;
use crate::state::AppState;
use crate::view::render;

pub(crate) struct AnswerOption {
    value: Cow<'static, str>,
    label: Cow<'static, str>,
    checked: bool,
}

pub(crate) struct Question {
    name: String,
    number: usize,
    text: Cow<'static, str>,
    options: Vec<AnswerOption>,
}

pub(crate) struct Section {
    title: Cow<'static, str>,
    lead: Cow<'static, str>,
    questions: Vec<Question>,
}

/// Which of the three screens.
#[derive(PartialEq, Eq)]
pub(crate) enum Screen {
    EnterCode,
    Answer,
    Done,
}

#[derive(Template)]
#[template(path = "psych_answer.html")]
struct AnswerPage {
    css_url: String,
    screen: Screen,
    message: Option<String>,
    code: String,
    campaign_name: String,
    sections: Vec<Section>,
}

fn page(status: StatusCode, p: &AnswerPage) -> Result<Response, AppError> {
    Ok((status, render(p)?).into_response())
}

fn base(screen: Screen, message: Option<String>) -> AnswerPage {
    AnswerPage {
        css_url: assets::url("app.css"),
        screen,
        message,
        code: String::new(),
        campaign_name: String::new(),
        sections: Vec::new(),
    }
}

/// The questions of the campaign's district scale (`{code}_n`), in its own wording when the
/// definition gives it.
fn custom_section(d: &ScaleDefinition, given: &[(String, String)]) -> Section {
    let questions = (1..=usize::from(d.item_count))
        .map(|n| {
            let name = format!("{}_{n}", d.code);
            let options = d
                .answer_values
                .iter()
                .enumerate()
                .map(|(j, v)| {
                    let value = v.to_string();
                    let label = d
                        .answer_labels_zh
                        .get(j)
                        .cloned()
                        .unwrap_or_else(|| value.clone());
                    AnswerOption {
                        checked: given.iter().any(|(k, g)| *k == name && *g == value),
                        value: value.into(),
                        label: label.into(),
                    }
                })
                .collect();
            Question {
                text: d
                    .items_zh
                    .get(n - 1)
                    .cloned()
                    .unwrap_or_else(|| format!("第 {n} 题"))
                    .into(),
                name,
                number: n,
                options,
            }
        })
        .collect();
    Section {
        title: d.name_zh.clone().into(),
        lead: "请根据自己的真实情况选择最符合的一项。".into(),
        questions,
    }
}

/// The questions of the campaign's scales, with the answers already given checked.
fn sections(
    c: &Campaign,
    custom: Option<&ScaleDefinition>,
    given: &[(String, String)],
) -> Vec<Section> {
    let checked = |name: &str, value: &str| given.iter().any(|(k, v)| k == name && v == value);
    let freq = |prefix: &str, texts: &[&'static str]| -> Vec<Question> {
        texts
            .iter()
            .enumerate()
            .map(|(i, text)| {
                let name = format!("{prefix}_{}", i + 1);
                Question {
                    options: FREQUENCY_ZH
                        .iter()
                        .zip(["0", "1", "2", "3"])
                        .map(|(label, value)| AnswerOption {
                            value: value.into(),
                            label: (*label).into(),
                            checked: checked(&name, value),
                        })
                        .collect(),
                    name,
                    number: i + 1,
                    text: (*text).into(),
                }
            })
            .collect()
    };
    c.scales
        .iter()
        .map(|s| match s {
            BuiltinScale::Phq(_) => Section {
                title: "心情".into(),
                lead: TWO_WEEKS_ZH.into(),
                questions: freq("phq", &PHQ_ITEMS_ZH),
            },
            BuiltinScale::Gad7 => Section {
                title: "紧张与担心".into(),
                lead: TWO_WEEKS_ZH.into(),
                questions: freq("gad", &GAD_ITEMS_ZH),
            },
            BuiltinScale::Asq => Section {
                title: "安全".into(),
                lead: "下面几个问题请如实回答；如果不想回答，可以选择“不想回答”。".into(),
                questions: ASQ_ITEMS_ZH
                    .iter()
                    .enumerate()
                    .map(|(i, text)| {
                        let name = format!("asq_{}", i + 1);
                        Question {
                            options: ASQ_OPTIONS_ZH
                                .iter()
                                .map(|(value, label)| AnswerOption {
                                    value: (*value).into(),
                                    label: (*label).into(),
                                    checked: checked(&name, value),
                                })
                                .collect(),
                            name,
                            number: i + 1,
                            text: (*text).into(),
                        }
                    })
                    .collect(),
            },
        })
        .chain(custom.map(|d| custom_section(d, given)))
        .collect()
}

fn refused(e: CodeError) -> Result<Response, AppError> {
    let (status, m) = match e {
        CodeError::Refused(r) => (StatusCode::UNPROCESSABLE_ENTITY, r.message_zh().to_string()),
        CodeError::Invalid(m) => (StatusCode::UNPROCESSABLE_ENTITY, m),
    };
    page(status, &base(Screen::EnterCode, Some(m)))
}

/// The code entry screen.
pub(crate) async fn enter() -> Result<Response, AppError> {
    page(StatusCode::OK, &base(Screen::EnterCode, None))
}

fn field<'a>(form: &'a [(String, String)], key: &str) -> &'a str {
    form.iter()
        .find(|(k, _)| k == key)
        .map_or("", |(_, v)| v.as_str())
}

/// The code typed in: the questionnaire, or why the code cannot be used.
pub(crate) async fn open(
    State(state): State<AppState>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let code = field(&form, "code").to_string();
    match psych::open_code(&state.svc, &code).await {
        Ok(f) => {
            let mut p = base(Screen::Answer, None);
            p.sections = sections(&f.campaign, f.custom.as_ref(), &[]);
            p.campaign_name = f.campaign.name;
            p.code = code;
            page(StatusCode::OK, &p)
        }
        Err(e) => refused(e),
    }
}

/// The answers: written once, then a thank-you that shows no result.
pub(crate) async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let code = field(&form, "code").to_string();
    match psych::submit_code(&state.svc, &code, &form, &ip).await {
        Ok(_) => page(StatusCode::OK, &base(Screen::Done, None)),
        Err(CodeError::Invalid(m)) => {
            // The answers are kept; the student fixes the one item named.
            let Ok(f) = psych::open_code(&state.svc, &code).await else {
                return refused(CodeError::Invalid(m));
            };
            let mut p = base(Screen::Answer, Some(m));
            p.sections = sections(&f.campaign, f.custom.as_ref(), &form);
            p.campaign_name = f.campaign.name;
            p.code = code;
            page(StatusCode::UNPROCESSABLE_ENTITY, &p)
        }
        Err(e) => refused(e),
    }
}
