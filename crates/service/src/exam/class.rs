//! A class's students in an exam: every subject's mark (缺考 as 缺考, never 0), 总分, and the
//! standing (Z, T, 百分等级, district rank with the ranks token, 临界生) in one subject.
use wuyu_domain::{ClassId, Exam, ExamId, RanksToken, SchoolClass, SchoolId, Viewer};
use wuyu_report::exam::{Sheet, StudentLine, students_sheet};
use wuyu_store::{ExamSettings, ExamStudentRow, ExamUnitStat};

use super::export::{XlsxFile, xlsx};
use super::units::{UnitsOf, units};
use crate::ranks::student_ranks_token;
use crate::{Service, ServiceError};

/// What the class view and its export show.
#[derive(Debug, Clone)]
pub struct ClassStudents {
    pub exam: Exam,
    pub school_name: String,
    pub class: SchoolClass,
    pub rows: Vec<ExamStudentRow>,
    /// The class's own statistics.
    pub unit: Option<ExamUnitStat>,
    pub settings: ExamSettings,
    pub ranks: Option<RanksToken>,
}

/// The class `class` of `school` in `exam`, if the viewer's scope reaches it.
pub async fn class_students(
    svc: &Service,
    viewer: &Viewer,
    exam: ExamId,
    school: SchoolId,
    class: ClassId,
) -> Result<ClassStudents, ServiceError> {
    let store = svc.store();
    let e = store.exam(&viewer.scope, exam).await?;
    let s = store.school(&viewer.scope, school).await?;
    let c = store.class(&viewer.scope, school, class).await?;
    let rows = store
        .exam_students(&viewer.scope, exam, school, Some(class))
        .await?;
    let ranks = student_ranks_token(svc, viewer).await?;
    let settings = store.exam_settings().await?;
    let unit = units(svc, viewer, exam, UnitsOf::Classes(Some(school)))
        .await?
        .units
        .into_iter()
        .find(|u| u.unit.class_id == Some(class));
    Ok(ClassStudents {
        exam: e,
        school_name: s.name,
        class: c,
        rows,
        unit,
        settings,
        ranks,
    })
}

/// "七年级 1班".
pub fn class_label(c: &SchoolClass) -> String {
    format!("{} {}", c.grade.label_zh(), c.name)
}

/// The student table of a class (page and export); `student_no` is the 学籍号 as the edge
/// may show it (masked where it embeds an ID number).
pub fn students_table(
    c: &ClassStudents,
    subject: &str,
    student_no: impl Fn(&str) -> String,
) -> Sheet {
    let subjects: Vec<String> = c.exam.subjects.iter().map(|s| s.name.clone()).collect();
    let lines: Vec<StudentLine<'_>> = c
        .rows
        .iter()
        .map(|r| StudentLine {
            student_no: student_no(&r.student_no),
            name: r.name.clone(),
            row: r,
        })
        .collect();
    students_sheet(
        &format!(
            "{} · {} · 学生成绩（{subject}标准分）",
            c.exam.name,
            class_label(&c.class)
        ),
        &subjects,
        subject,
        c.ranks.is_some(),
        &lines,
    )
}

/// `exam-{id}-class-{sid}-{cid}.xlsx`: the student table as the page shows it.
pub fn students_xlsx(
    c: &ClassStudents,
    subject: &str,
    student_no: impl Fn(&str) -> String,
) -> Result<XlsxFile, ServiceError> {
    let sheet = students_table(c, subject, student_no);
    xlsx(
        &[sheet],
        format!(
            "exam-{}-class-{}-{}.xlsx",
            c.exam.id, c.class.school_id, c.class.id
        ),
    )
}

/// The students of a school (or of one class) in `exam`, if the viewer's scope reaches them.
pub async fn students(
    svc: &Service,
    viewer: &Viewer,
    exam: ExamId,
    school: SchoolId,
    class: Option<ClassId>,
) -> Result<Vec<ExamStudentRow>, ServiceError> {
    let store = svc.store();
    store.exam(&viewer.scope, exam).await?;
    Ok(store
        .exam_students(&viewer.scope, exam, school, class)
        .await?)
}
