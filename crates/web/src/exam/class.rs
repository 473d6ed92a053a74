//! `/exams/{id}/schools/{sid}/classes/{cid}`: a class's students in the exam — every subject's
//! mark (缺考 shown as 缺考, never 0), 总分, and Z, T, 百分等级, district rank (rank rules) and
//! 临界生 in the chosen subject (总分 by default). Every read is audited, refused ones too.
//! `…/export.xlsx` downloads the same table.
use askama::Template;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use wuyu_domain::{ClassId, ExamId, SchoolId};
use wuyu_service::ServiceError;
use wuyu_service::audit::export_detail;
use wuyu_service::exam::class::{
    ClassStudents, class_label, class_students, students_table, students_xlsx,
};
use wuyu_service::exam::overview::stat;
use wuyu_service::exam::pick_subject;
use wuyu_service::exam::sheets::borderline_label;
use wuyu_service::store_types::ExamStudentRow;
use wuyu_service::store_types::TOTAL;

use super::overview::{ExamHeader, Headline, headline, urlencode};
use super::{ExamQuery, SubjectOption, TableView, query, subject_options, xlsx_file};
use crate::audit;
use crate::auth::{ClientIp, CurrentUser};
use crate::error::AppError;
use crate::pages::path_ids;
use crate::state::AppState;
use crate::view::{Chrome, masked_student_no, render};

/// What the class view and its export read, audited: refused reads as `…_denied` (walking
/// class ids outside one's scope should show), reads of nothing not at all.
async fn read_class(
    state: &AppState,
    me: &CurrentUser,
    ip: &str,
    (exam, school, class): (ExamId, SchoolId, ClassId),
    action: &str,
) -> Result<ClassStudents, AppError> {
    let read = class_students(&state.svc, &me.viewer(), exam, school, class).await;
    let act = match &read {
        Err(ServiceError::Forbidden) => format!("{action}_denied"),
        _ => action.to_string(),
    };
    if !matches!(read, Err(ServiceError::NotFound)) {
        let mut e = audit::entry(Some(&me.user), "", &act, ip);
        e.school_id = Some(school);
        e.entity = format!("class:{school}:{class}");
        // How many students' marks were shown or handed out.
        let rows = read.as_ref().map_or(0, |c| c.rows.len());
        e.detail = export_detail(&format!("exam:{exam}"), rows);
        wuyu_service::audit::append(&state.svc, &e).await?;
    }
    Ok(read?)
}

/// The 学籍号 as pages show it: masked when it embeds an ID number.
fn student_no_text(no: &str) -> String {
    wuyu_domain::StudentNo::parse(no)
        .map(|n| masked_student_no(&n))
        .unwrap_or_else(|_| no.to_string())
}

#[derive(Template)]
#[template(path = "exam_class.html")]
struct ClassPage {
    chrome: Chrome,
    exam: ExamHeader,
    school_param: Option<i64>,
    school_name: String,
    school_href: String,
    heading: String,
    subjects: Vec<SubjectOption>,
    subject: String,
    headline: Option<Headline>,
    students: usize,
    absent_any: usize,
    borderline: usize,
    /// The district's 临界生 window in points.
    borderline_points: String,
    show_ranks: bool,
    table: String,
    export_href: String,
}

pub(crate) async fn class_view(
    State(state): State<AppState>,
    // No capability extractor: the scope check refuses and the refusal is audited.
    me: CurrentUser,
    ClientIp(ip): ClientIp,
    p: Result<Path<(i64, i64, i64)>, PathRejection>,
    q: Result<Query<ExamQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let (id, sid, cid) = path_ids(p)?;
    let (id, sid, cid) = (ExamId(id), SchoolId(sid), ClassId(cid));
    let q = query(q)?;
    let c = read_class(&state, &me, &ip, (id, sid, cid), "read_class_exam").await?;
    let (exam, rows) = (&c.exam, &c.rows);
    let subject = pick_subject(exam, q.subject.as_deref())?;
    let show_ranks = c.ranks.is_some();
    let sheet = students_table(&c, &subject, student_no_text);
    let hrefs: Vec<Option<String>> = rows
        .iter()
        .map(|r| Some(format!("/schools/{sid}/students/{}", r.student_id)))
        .collect();
    let mut table = TableView::from_sheet("students", &sheet, 0, &hrefs);
    // Mark 临界生 in each subject's column (the standing columns say which line).
    let subjects: Vec<&str> = exam.subjects.iter().map(|s| s.name.as_str()).collect();
    for (row, r) in table.rows.iter_mut().zip(rows) {
        for (k, name) in subjects.iter().chain(std::iter::once(&TOTAL)).enumerate() {
            let m = r.subjects.iter().find(|m| m.subject == *name);
            if let (Some(b), Some(cell)) = (m.and_then(|m| m.borderline), row.cells.get_mut(1 + k))
            {
                cell.class = format!("{} borderline", cell.class).trim().to_string();
                cell.title = borderline_label(Some(b)).to_string();
            }
        }
    }
    let is_borderline = |r: &ExamStudentRow| {
        r.subjects
            .iter()
            .any(|m| m.subject == subject && m.borderline.is_some())
    };
    let page = ClassPage {
        chrome: Chrome::new(&me, "/exams"),
        exam: ExamHeader::new(exam),
        school_param: None,
        school_href: format!("/exams/{id}?school={sid}&subject={}", urlencode(&subject)),
        school_name: c.school_name.clone(),
        heading: class_label(&c.class),
        subjects: subject_options(exam, &subject, true),
        headline: c
            .unit
            .as_ref()
            .and_then(|u| stat(u, &subject))
            .map(|s| headline(s, None)),
        students: rows.len(),
        absent_any: rows
            .iter()
            .filter(|r| r.subjects.iter().any(|m| m.absent))
            .count(),
        borderline: rows.iter().filter(|r| is_borderline(r)).count(),
        borderline_points: super::fmt_full(c.settings.borderline_points),
        show_ranks,
        table: table.html()?,
        export_href: format!(
            "/exams/{id}/schools/{sid}/classes/{cid}/export.xlsx?subject={}",
            urlencode(&subject)
        ),
        subject,
    };
    Ok(render(&page)?.into_response())
}

/// `GET /exams/{id}/schools/{sid}/classes/{cid}/export.xlsx?subject=`: the class's student
/// table as on the page (audited like the page).
pub(crate) async fn export(
    State(state): State<AppState>,
    // No capability extractor: the scope check refuses and the refusal is audited.
    me: CurrentUser,
    ClientIp(ip): ClientIp,
    p: Result<Path<(i64, i64, i64)>, PathRejection>,
    q: Result<Query<ExamQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let (id, sid, cid) = path_ids(p)?;
    let (id, sid, cid) = (ExamId(id), SchoolId(sid), ClassId(cid));
    let q = query(q)?;
    let c = read_class(&state, &me, &ip, (id, sid, cid), "export_class_exam").await?;
    let subject = pick_subject(&c.exam, q.subject.as_deref())?;
    Ok(xlsx_file(students_xlsx(&c, &subject, student_no_text)?))
}
