//! `/exams`: the exams the caller may see, newest first.
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use wuyu_domain::{Capability, Scope};

use super::{level_zh, subjects_label};
use crate::access::{Require, cap};
use crate::error::AppError;
use crate::state::AppState;
use crate::view::{Chrome, format_date, render};

pub(crate) struct ExamRow {
    pub href: String,
    pub name: String,
    pub date: String,
    pub level: &'static str,
    pub grade: &'static str,
    pub subjects: String,
    pub schools: u64,
    pub students: u64,
    pub items_href: Option<String>,
}

#[derive(Template)]
#[template(path = "exams.html")]
struct ExamsPage {
    chrome: Chrome,
    scope_label: &'static str,
    alerts_href: Option<String>,
    exams: Vec<ExamRow>,
}

pub(crate) async fn list(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewExams>,
) -> Result<Response, AppError> {
    // Counsellors and parents are refused by the extractor (and by the store).
    let exams = wuyu_service::exam::list(&state.svc, &me.viewer()).await?;
    let page = ExamsPage {
        chrome: Chrome::new(&me, "/exams"),
        scope_label: match &me.scope {
            Scope::District => "全区考试",
            Scope::Classes { .. } => "本校参加的考试（可查看我任教班级的学生成绩）",
            _ => "本校参加的考试",
        },
        alerts_href: me
            .viewer()
            .can(Capability::ViewExamAlerts)
            .then(|| "/exams/alerts".to_string()),
        exams: exams
            .into_iter()
            .map(|e| ExamRow {
                href: format!("/exams/{}", e.exam.id),
                name: e.exam.name.clone(),
                date: format_date(e.exam.date),
                level: level_zh(e.exam.level),
                grade: e.exam.grade.label_zh(),
                subjects: subjects_label(&e.exam),
                schools: e.schools,
                students: e.students,
                items_href: e.has_items.then(|| format!("/exams/{}/items", e.exam.id)),
            })
            .collect(),
    };
    Ok(render(&page)?.into_response())
}
