//! `/exams/{id}/schools/{sid}/classes/{cid}`: a class's students in the exam — every subject's
//! mark (缺考 shown as 缺考, never 0), 总分, and Z, T, 百分等级, district rank (rank rules) and
//! 临界生 in the chosen subject (总分 by default). Every read is audited, refused ones too.
//! `…/export.xlsx` downloads the same table.
use askama::Template;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use wuyu_domain::{ClassId, Exam, ExamId, SchoolClass, SchoolId};
use wuyu_report::exam::{Sheet, StudentLine, students_sheet};
use wuyu_store::exam::TOTAL;
use wuyu_store::{ExamStudentRow, ExamUnitFilter, StoreError};

use super::overview::{ExamHeader, Headline, headline, stat, urlencode};
use super::{ExamQuery, SubjectOption, TableView, pick_subject, query, subject_options};
use crate::audit;
use crate::auth::{ClientIp, CurrentUser};
use crate::error::AppError;
use crate::pages::fitness::shows_ranks;
use crate::pages::path_ids;
use crate::pages::school::class_label;
use crate::state::AppState;
use crate::view::{Chrome, masked_student_no, render};

/// What the class view and its export read: the exam, the class and its students. Refused
/// reads are audited as `…_denied` (walking class ids outside one's scope should show).
async fn read_class(
    state: &AppState,
    me: &CurrentUser,
    ip: &str,
    exam: ExamId,
    school: SchoolId,
    class: ClassId,
    action: &str,
) -> Result<(Exam, String, SchoolClass, Vec<ExamStudentRow>), AppError> {
    let read = async {
        let e = state.store.exam(&me.scope, exam).await?;
        let s = state.store.school(&me.scope, school).await?;
        let c = state.store.class(&me.scope, school, class).await?;
        let rows = state
            .store
            .exam_students(&me.scope, exam, school, Some(class))
            .await?;
        Ok::<_, StoreError>((e, s.name, c, rows))
    }
    .await;
    let act = match &read {
        Err(StoreError::Forbidden) => format!("{action}_denied"),
        _ => action.to_string(),
    };
    if !matches!(read, Err(StoreError::NotFound)) {
        let mut e = audit::entry(Some(&me.user), "", &act, ip);
        e.school_id = Some(school);
        e.entity = format!("class:{school}:{class}");
        e.detail = format!("exam:{exam}");
        state.store.append_audit(&e).await?;
    }
    Ok(read?)
}

/// The student table of a class (page and export).
pub(crate) fn class_students_sheet(
    exam: &Exam,
    class_name: &str,
    rows: &[ExamStudentRow],
    subject: &str,
    ranks: bool,
) -> Sheet {
    let subjects: Vec<String> = exam.subjects.iter().map(|s| s.name.clone()).collect();
    let lines: Vec<StudentLine<'_>> = rows
        .iter()
        .map(|r| StudentLine {
            student_no: student_no_text(&r.student_no),
            name: r.name.clone(),
            row: r,
        })
        .collect();
    students_sheet(
        &format!("{} · {class_name} · 学生成绩（{subject}标准分）", exam.name),
        &subjects,
        subject,
        ranks,
        &lines,
    )
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
    me: CurrentUser,
    ClientIp(ip): ClientIp,
    p: Result<Path<(i64, i64, i64)>, PathRejection>,
    q: Result<Query<ExamQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let (id, sid, cid) = path_ids(p)?;
    let (id, sid, cid) = (ExamId(id), SchoolId(sid), ClassId(cid));
    let q = query(q)?;
    let (exam, school_name, class, rows) =
        read_class(&state, &me, &ip, id, sid, cid, "read_class_exam").await?;
    let subject = pick_subject(&exam, q.subject.as_deref())?;
    let show_ranks = shows_ranks(&state, me.role()).await?;
    let settings = state.store.exam_settings().await?;
    let classes = state
        .store
        .exam_unit_stats(&me.scope, id, ExamUnitFilter::Classes(sid))
        .await?;
    let own = classes.iter().find(|u| u.unit.class_id == Some(cid));
    let sheet = class_students_sheet(&exam, &class_label(&class), &rows, &subject, show_ranks);
    let hrefs: Vec<Option<String>> = rows
        .iter()
        .map(|r| Some(format!("/schools/{sid}/students/{}", r.student_id)))
        .collect();
    let mut table = TableView::from_sheet("students", &sheet, 0, &hrefs);
    // Mark 临界生 in each subject's column (the standing columns say which line).
    let subjects: Vec<&str> = exam.subjects.iter().map(|s| s.name.as_str()).collect();
    for (row, r) in table.rows.iter_mut().zip(&rows) {
        for (k, name) in subjects.iter().chain(std::iter::once(&TOTAL)).enumerate() {
            let m = r.subjects.iter().find(|m| m.subject == *name);
            if let (Some(b), Some(cell)) = (m.and_then(|m| m.borderline), row.cells.get_mut(1 + k))
            {
                cell.class = format!("{} borderline", cell.class).trim().to_string();
                cell.title = wuyu_report::exam::borderline_label(Some(b)).to_string();
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
        exam: ExamHeader::new(&exam),
        school_param: None,
        school_href: format!("/exams/{id}?school={sid}&subject={}", urlencode(&subject)),
        school_name,
        heading: class_label(&class),
        subjects: subject_options(&exam, &subject, true),
        headline: own
            .and_then(|u| stat(u, &subject))
            .map(|s| headline(s, None)),
        students: rows.len(),
        absent_any: rows
            .iter()
            .filter(|r| r.subjects.iter().any(|m| m.absent))
            .count(),
        borderline: rows.iter().filter(|r| is_borderline(r)).count(),
        borderline_points: super::fmt_full(settings.borderline_points),
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
    me: CurrentUser,
    ClientIp(ip): ClientIp,
    p: Result<Path<(i64, i64, i64)>, PathRejection>,
    q: Result<Query<ExamQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let (id, sid, cid) = path_ids(p)?;
    let (id, sid, cid) = (ExamId(id), SchoolId(sid), ClassId(cid));
    let q = query(q)?;
    let (exam, _, class, rows) =
        read_class(&state, &me, &ip, id, sid, cid, "export_class_exam").await?;
    let subject = pick_subject(&exam, q.subject.as_deref())?;
    let show_ranks = shows_ranks(&state, me.role()).await?;
    let sheet = class_students_sheet(&exam, &class_label(&class), &rows, &subject, show_ranks);
    let bytes = wuyu_report::exam::sheets_xlsx(&[sheet]).map_err(super::xlsx_error)?;
    Ok(super::xlsx_response(
        bytes,
        &format!("exam-{id}-class-{sid}-{cid}.xlsx"),
    ))
}
