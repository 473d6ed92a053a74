//! `/schools/{id}/students/{student_id}`: one student's record (what a parent sees). Every
//! read is audited before anything is shown.
use askama::Template;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use wuyu_domain::{Capability, Role, SchoolId, StudentId, grants};
use wuyu_service::ServiceError;
use wuyu_service::audit::Requester;
use wuyu_service::fitness::student_history;
use wuyu_service::roster;

use crate::audit;
use crate::auth::{ClientIp, CurrentUser};
use crate::error::AppError;
use crate::exam::history::{ExamHistoryView, HistoryColumns, exam_history};
use crate::fitness::{TermHistory, term_history, year_total_chart};
use crate::pages::path_ids;
use crate::roster::school::class_label;
use crate::state::AppState;
use crate::view::{Chrome, format_date, masked_student_no, render, script_json};

#[derive(Template)]
#[template(path = "student.html")]
struct StudentPage {
    chrome: Chrome,
    /// A parent's phone: results first, identity collapsed at the bottom.
    is_parent: bool,
    school_name: String,
    school_href: Option<String>,
    class_name: Option<String>,
    class_href: Option<String>,
    name: String,
    student_no: String,
    sex: &'static str,
    birth_date: String,
    id_card_no: Option<String>,
    /// 学籍状态, with the date when it is not 在读 since enrolment.
    status: String,
    /// 特殊群体 joined by 、; `None` for those who may not read them (audited when shown).
    flags: Option<String>,
    /// `None`: the caller may not read fitness records (counsellors); `Some(empty)`: none yet.
    fitness: Option<Vec<TermHistory>>,
    fitness_chart_json: String,
    /// `None`: the caller may not read exam marks (counsellors); `Some(empty)`: none yet.
    exams: Option<Vec<ExamHistoryView>>,
    exam_columns: HistoryColumns,
}

pub(crate) async fn student(
    State(state): State<AppState>,
    me: CurrentUser,
    ClientIp(ip): ClientIp,
    p: Result<Path<(i64, i64)>, PathRejection>,
) -> Result<Response, AppError> {
    let (id, student_id) = path_ids(p)?;
    let (id, student_id) = (SchoolId(id), StudentId(student_id));
    let read = roster::student(&state.svc, &me.viewer(), id, student_id).await;
    // Refused reads are audited too: walking student ids outside one's scope should show.
    let action = match &read {
        Err(ServiceError::Forbidden) => "read_student_denied",
        _ => "read_student",
    };
    let mut e = audit::entry(Some(&me.user), "", action, &ip);
    e.school_id = Some(id);
    e.entity = format!("student:{id}:{student_id}");
    if !matches!(read, Err(ServiceError::NotFound)) {
        wuyu_service::audit::append(&state.svc, &e).await?;
    }
    let (school, s) = read?;

    // Everyone who may see the student sees their class name; only those whose scope reaches
    // the class roster (not parents) get a link to it.
    let class = roster::class_of_student(&state.svc, &me.viewer(), id, student_id).await?;
    // The fitness and health history (health data: audited on its own). Counsellors may see
    // the student but no fitness record; the section is left out for them.
    let fitness = match student_history(&state.svc, &me.viewer(), id, student_id).await {
        Ok(records) => {
            let mut e = audit::entry(Some(&me.user), "", "read_student_fitness", &ip);
            e.school_id = Some(id);
            e.entity = format!("student:{id}:{student_id}");
            e.detail = format!("{} terms", records.len());
            wuyu_service::audit::append(&state.svc, &e).await?;
            Some(records)
        }
        Err(ServiceError::Forbidden) => None,
        Err(other) => return Err(other.into()),
    };
    let fitness_chart_json = fitness
        .as_deref()
        .filter(|r| !r.is_empty())
        .map(|r| script_json(&year_total_chart(r)))
        .unwrap_or_default();
    // The exam history (marks of a named child: audited like the fitness history). Parents
    // see the marks only; counsellors read no marks and the section is left out for them.
    let mut student_ranks = false;
    let exams =
        match wuyu_service::exam::history::student_exams(&state.svc, &me.viewer(), id, student_id)
            .await
        {
            Ok(found) => {
                let rows = found.rows;
                student_ranks = found.ranks.is_some();
                let mut e = audit::entry(Some(&me.user), "", "read_student_exams", &ip);
                e.school_id = Some(id);
                e.entity = format!("student:{id}:{student_id}");
                e.detail = format!("{} exams", rows.len());
                wuyu_service::audit::append(&state.svc, &e).await?;
                Some(rows)
            }
            Err(ServiceError::Forbidden) => None,
            Err(other) => return Err(other.into()),
        };
    let is_parent = me.role() == Role::Parent;
    // Sensitive: admins and the 班主任 only; the service audits the read.
    let flags = roster::student_flags_if_allowed(
        &state.svc,
        &me.viewer(),
        &Requester::user(&me.user, &ip),
        id,
        student_id,
    )
    .await?
    .map(|f| {
        f.iter()
            .map(|f| f.label_zh())
            .collect::<Vec<_>>()
            .join("、")
    });
    let status = match s.status_date {
        Some(d) => format!("{}（{}）", s.status.label_zh(), format_date(d)),
        None => s.status.label_zh().to_string(),
    };
    let exam_columns = HistoryColumns {
        standing: !is_parent,
        // Students' ranks: the service's rule (grant, district settings); never a parent's.
        rank: !is_parent && student_ranks,
        links: !is_parent,
    };
    let may_open_class = me.scope.can_view_class(id, s.class_id);
    let may_open_school = me.scope.can_list_school_roster(id);
    let show_id = grants(me.role(), Capability::ViewIdNumbers) || me.role() == Role::Parent;
    let page = StudentPage {
        is_parent,
        chrome: Chrome::new(&me, &format!("/schools/{id}/students/{student_id}")),
        school_name: school.name,
        school_href: may_open_school.then(|| format!("/schools/{id}")),
        class_href: class
            .as_ref()
            .filter(|_| may_open_class)
            .map(|c| format!("/schools/{id}/classes/{}", c.id)),
        class_name: class.as_ref().map(class_label),
        name: s.name.to_string(),
        // The UI never shows a full ID number, not even inside a 学籍号.
        student_no: masked_student_no(&s.student_no),
        sex: s.sex.label_zh(),
        birth_date: format_date(s.birth_date),
        id_card_no: if show_id {
            s.id_card_no.as_ref().map(|n| n.masked())
        } else {
            None
        },
        status,
        flags,
        // Newest term first in the tables; the chart runs oldest to newest.
        fitness: fitness.map(|r| r.iter().rev().map(term_history).collect()),
        fitness_chart_json,
        exams: exams.map(|rows| exam_history(&rows, exam_columns)),
        exam_columns,
    };
    Ok(render(&page)?.into_response())
}
