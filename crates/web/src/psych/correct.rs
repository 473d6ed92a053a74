//! Correcting a mis-entered answer set: the school's counsellor finds a student's answers by
//! 学籍号, enters the right ones with a reason, and sees the level recomputed. The values
//! before every correction stay listed on the page. Reads and writes are audited by the
//! service.
use askama::Template;
use axum::Form;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use wuyu_service::ServiceError;
use wuyu_service::audit::Requester;
use wuyu_service::psych::{self, CorrectionInput, CorrectionView};
use wuyu_standards::scales::{
    ASQ_ITEMS, AsqAnswer, BuiltinScale, GAD_ITEMS, PHQ_ITEMS, ScreeningAnswers,
};

use super::pages::{counsellor_page, result_cells};
use crate::access::{Require, cap};
use crate::auth::{ClientIp, CurrentUser};
use crate::error::AppError;
use crate::state::AppState;
use crate::view::{Chrome, format_time, render};

/// One item of the form: its field name, its label and the value to preselect.
pub(crate) struct Item {
    name: String,
    label: String,
    value: String,
    options: &'static [(&'static str, &'static str)],
}

pub(crate) struct PastCorrection {
    at: String,
    by: String,
    old_level: String,
    new_level: String,
    old: String,
    reason: String,
    case_opened: bool,
}

#[derive(Template)]
#[template(path = "psych_correct.html")]
struct CorrectPage {
    chrome: Chrome,
    message: String,
    campaign_id: i64,
    campaign_name: String,
    student_no: String,
    student_name: String,
    class_label: String,
    level: String,
    cells: [String; 3],
    items: Vec<Item>,
    reason: String,
    past: Vec<PastCorrection>,
}

const FREQUENCY: &[(&str, &str)] = &[
    ("", "未作答"),
    ("0", "0 完全没有"),
    ("1", "1 有几天"),
    ("2", "2 一半以上的天数"),
    ("3", "3 几乎每天"),
];
const ASQ: &[(&str, &str)] = &[
    ("", "未作答"),
    ("no", "否"),
    ("yes", "是"),
    ("refused", "不想回答"),
];

fn asq_code(a: AsqAnswer) -> &'static str {
    match a {
        AsqAnswer::No => "no",
        AsqAnswer::Yes => "yes",
        AsqAnswer::Refused => "refused",
    }
}

/// The form's items for the campaign's scales, filled from `answers` (or, after a refused
/// submission, from what was typed).
fn items(
    scales: &[BuiltinScale],
    answers: &ScreeningAnswers,
    typed: Option<&[(String, String)]>,
) -> Vec<Item> {
    let mut out = Vec::new();
    let mut push = |name: String, label: String, stored: String, options| {
        let value = typed.map_or(stored, |t| {
            t.iter()
                .find(|(k, _)| *k == name)
                .map_or(String::new(), |(_, v)| v.clone())
        });
        out.push(Item {
            name,
            label,
            value,
            options,
        });
    };
    for scale in scales {
        match scale {
            BuiltinScale::Phq(_) | BuiltinScale::Gad7 => {
                let (prefix, n, given) = if *scale == BuiltinScale::Gad7 {
                    ("gad", GAD_ITEMS, answers.gad.map(|g| g.to_vec()))
                } else {
                    ("phq", PHQ_ITEMS, answers.phq.map(|p| p.to_vec()))
                };
                for i in 0..n {
                    let stored = given
                        .as_ref()
                        .and_then(|g| g[i])
                        .map_or(String::new(), |v| v.to_string());
                    push(
                        format!("{prefix}_{}", i + 1),
                        format!("{} 第 {} 题", scale.label(), i + 1),
                        stored,
                        FREQUENCY,
                    );
                }
            }
            BuiltinScale::Asq => {
                for i in 0..ASQ_ITEMS {
                    let stored = answers
                        .asq
                        .and_then(|a| a[i])
                        .map_or("", asq_code)
                        .to_string();
                    push(
                        format!("asq_{}", i + 1),
                        format!("ASQ 第 {} 题", i + 1),
                        stored,
                        ASQ,
                    );
                }
            }
        }
    }
    out
}

/// A short line of old answers: "PHQ 1,0,2,… GAD 0,… ASQ 否,…" (blank = unanswered).
fn answers_line(a: &ScreeningAnswers) -> String {
    let nums = |v: &[Option<u8>]| {
        v.iter()
            .map(|x| x.map_or("空".into(), |n| n.to_string()))
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut parts = Vec::new();
    if let Some(p) = a.phq {
        parts.push(format!("PHQ {}", nums(&p)));
    }
    if let Some(g) = a.gad {
        parts.push(format!("GAD-7 {}", nums(&g)));
    }
    if let Some(q) = a.asq {
        let v: Vec<&str> = q
            .iter()
            .map(|x| match x {
                Some(AsqAnswer::No) => "否",
                Some(AsqAnswer::Yes) => "是",
                Some(AsqAnswer::Refused) => "不想回答",
                None => "空",
            })
            .collect();
        parts.push(format!("ASQ {}", v.join(",")));
    }
    parts.join("；")
}

fn level_text(l: wuyu_standards::scales::AttentionLevel) -> String {
    format!("{} {}", l.number(), l.label_zh())
}

fn page(
    me: &CurrentUser,
    v: &CorrectionView,
    message: String,
    typed: Option<(&[(String, String)], &str)>,
) -> CorrectPage {
    let r = &v.response;
    CorrectPage {
        chrome: Chrome::new(me, "/psych"),
        message,
        campaign_id: v.campaign.id,
        campaign_name: v.campaign.name.clone(),
        student_no: r.student_no.clone(),
        student_name: r.student_name.clone(),
        class_label: r.class_label.clone(),
        level: format!(
            "{}{}",
            level_text(r.result.level),
            if r.result.incomplete {
                "（不完整）"
            } else {
                ""
            }
        ),
        cells: result_cells(&r.result),
        items: items(&v.campaign.scales, &r.answers, typed.map(|t| t.0)),
        reason: typed.map_or(String::new(), |t| t.1.to_string()),
        past: v
            .corrections
            .iter()
            .map(|c| PastCorrection {
                at: format_time(c.corrected_at),
                by: c.corrected_by.clone(),
                old_level: level_text(c.old_result.level),
                new_level: level_text(c.new_level),
                old: answers_line(&c.old_answers),
                reason: c.reason.clone(),
                case_opened: c.case_id.is_some(),
            })
            .collect(),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct Which {
    campaign: i64,
    student_no: String,
}

fn school_of(me: &CurrentUser) -> Result<wuyu_domain::SchoolId, AppError> {
    me.scope.school_id().ok_or(AppError::Forbidden)
}

/// The correction form of one student's answers; an unknown 学籍号 goes back to the
/// counsellor's page with the reason.
pub(crate) async fn form(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewPsychRecords>,
    ClientIp(ip): ClientIp,
    q: Result<Query<Which>, QueryRejection>,
) -> Result<Response, AppError> {
    let Query(q) = q.map_err(|_| AppError::BadRequest)?;
    let school = school_of(&me)?;
    let who = Requester::user(&me.user, &ip);
    match psych::correction_view(
        &state.svc,
        &me.viewer(),
        &who,
        school,
        q.campaign,
        &q.student_no,
    )
    .await
    {
        Ok(v) => Ok(render(&page(&me, &v, String::new(), None))?.into_response()),
        Err(ServiceError::BadRequest(m)) => {
            let mut r = counsellor_page(&state, &me, &ip, Some(q.campaign), m).await?;
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

fn field<'a>(form: &'a [(String, String)], key: &str) -> &'a str {
    form.iter()
        .find(|(k, _)| k == key)
        .map_or("", |(_, v)| v.as_str())
}

/// Saves a correction: back to the counsellor's page with the old and new level, or the form
/// again with the Chinese reason and what was typed.
pub(crate) async fn save(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewPsychRecords>,
    ClientIp(ip): ClientIp,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let school = school_of(&me)?;
    let who = Requester::user(&me.user, &ip);
    let campaign: i64 = field(&form, "campaign")
        .parse()
        .map_err(|_| AppError::BadRequest)?;
    let input = CorrectionInput {
        campaign_id: campaign,
        student_no: field(&form, "student_no").to_string(),
        form: form.clone(),
        reason: field(&form, "reason").to_string(),
    };
    match psych::correct_answers(&state.svc, &me.viewer(), &who, school, &input).await {
        Ok((_, done)) => {
            let mut m = format!(
                "已更正学籍号 {} 的答卷：关注等级 {} → {}",
                input.student_no.trim(),
                level_text(done.old_level),
                level_text(done.new_level)
            );
            if done.case_opened.is_some() {
                m.push_str("；已开启危机个案，请当天告知班主任和监护人");
            }
            counsellor_page(&state, &me, &ip, Some(campaign), m).await
        }
        Err(ServiceError::BadRequest(m) | ServiceError::Conflict(m)) => {
            let v = psych::correction_view(
                &state.svc,
                &me.viewer(),
                &who,
                school,
                campaign,
                &input.student_no,
            )
            .await?;
            let p = page(&me, &v, m, Some((&form, &input.reason)));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
