//! `/schools/{id}` (a school and the classes the caller may see) and
//! `/schools/{id}/classes/{class_id}` (a class roster).
use std::collections::HashMap;

use askama::Template;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use wuyu_domain::{Capability, ClassId, Role, SchoolClass, SchoolId, Student, grants};
use wuyu_service::audit::{BulkExport, Requester, record_export};
use wuyu_service::export::{Cell, Table, count, text};
use wuyu_service::roster;
use wuyu_service::store_types::ClassSummary;

use crate::audit;
use crate::auth::{ClientIp, CurrentUser};
use crate::error::AppError;
use crate::export;
use crate::pages::path_ids;
use crate::plan::glance::{GlanceView, glance_view};
use crate::state::AppState;
use crate::view::{Chrome, format_date, masked_student_no, render};

pub(crate) fn class_label(c: &SchoolClass) -> String {
    format!("{} {}", c.grade.label_zh(), c.name)
}

pub(crate) struct ClassRow {
    pub href: String,
    pub grade: &'static str,
    pub name: String,
    pub class_type: &'static str,
    pub students: i64,
}

/// The school page's class table as its XLSX heads it (the page's link column left out).
const CLASS_HEADERS: [&str; 4] = ["年级", "班级", "班级类型", "学生数"];

impl ClassRow {
    fn cells(&self) -> Vec<Cell> {
        vec![
            text(self.grade),
            text(&self.name),
            text(self.class_type),
            count(self.students),
        ]
    }
}

/// The classes the school page lists, in the store's order.
fn class_rows(id: SchoolId, classes: Vec<ClassSummary>) -> Vec<ClassRow> {
    classes
        .into_iter()
        .map(|c| ClassRow {
            href: format!("/schools/{id}/classes/{}", c.class.id),
            grade: c.class.grade.label_zh(),
            class_type: c.class.class_type.label_zh(),
            name: c.class.name,
            students: c.student_count,
        })
        .collect()
}

pub(crate) struct AssignmentRow {
    pub teacher: String,
    pub staff_no: String,
    pub class: String,
    pub subject: String,
    pub share: String,
}

/// The 任课 page's columns.
const ASSIGNMENT_HEADERS: [&str; 5] = ["教师", "工号", "班级", "科目", "比例"];

impl AssignmentRow {
    fn cells(self) -> Vec<Cell> {
        [
            self.teacher,
            self.staff_no,
            self.class,
            self.subject,
            self.share,
        ]
        .into_iter()
        .map(text)
        .collect()
    }
}

pub(crate) struct TeacherRow {
    pub name: String,
    pub staff_no: String,
    pub subject: String,
    pub employment: &'static str,
    pub birth_year: String,
    pub titles: String,
}

/// One school year (or one exam) of the school's quality trend.
pub(crate) struct TrendRow {
    pub label: String,
    pub exams: String,
    pub n: usize,
    pub excellent: String,
    pub pass: String,
    pub low: String,
    /// 平均分 for an exam; 平均得分率 for a year.
    pub mean: String,
    pub value_added: String,
}

#[derive(Template)]
#[template(path = "school.html")]
struct SchoolPage {
    chrome: Chrome,
    name: String,
    code: String,
    stage: &'static str,
    location: &'static str,
    group: String,
    class_count: usize,
    student_count: i64,
    /// 班级, or 我任教的班级 for a teacher (the page and its XLSX).
    classes_heading: &'static str,
    classes_export_href: String,
    classes: Vec<ClassRow>,
    /// The 任课 page and its row count, for the roles that see assignments.
    assignments: Option<(String, usize)>,
    /// 教师名册, for those who see 任课 (administrators).
    teachers: Vec<TeacherRow>,
    /// 质量趋势 by school year and by exam, for administrators who see exams.
    trend_years: Vec<TrendRow>,
    trend_exams: Vec<TrendRow>,
    show_trend: bool,
    glance: Option<GlanceView>,
}

#[derive(Template)]
#[template(path = "school_assignments.html")]
struct AssignmentsPage {
    chrome: Chrome,
    school_href: String,
    export_href: String,
    name: String,
    assignments: Vec<AssignmentRow>,
}

fn assignment_rows(
    classes: &[ClassSummary],
    assignments: Vec<wuyu_service::store_types::AssignmentView>,
) -> Vec<AssignmentRow> {
    let labels: HashMap<ClassId, String> = classes
        .iter()
        .map(|c| (c.class.id, class_label(&c.class)))
        .collect();
    assignments
        .into_iter()
        .map(|a| AssignmentRow {
            teacher: a.teacher_name,
            staff_no: a.staff_no,
            class: labels
                .get(&a.class_id)
                .cloned()
                .unwrap_or_else(|| a.class_id.to_string()),
            subject: a.subject,
            share: format!("{:.0}%", a.share * 100.0),
        })
        .collect()
}

/// `/schools/{id}/assignments`: the school's 任课 table on its own page (the school page only
/// links it), for the roles that see assignments.
pub(crate) async fn assignments(
    State(state): State<AppState>,
    me: CurrentUser,
    p: Result<Path<i64>, PathRejection>,
) -> Result<Response, AppError> {
    let id = SchoolId(path_ids(p)?);
    let roster::SchoolView {
        school,
        classes,
        assignments,
    } = roster::school_view(&state.svc, &me.viewer(), id).await?;
    let assignments = assignments.ok_or(AppError::Forbidden)?;
    let page = AssignmentsPage {
        chrome: Chrome::new(&me, &format!("/schools/{id}")),
        school_href: format!("/schools/{id}"),
        export_href: format!("/schools/{id}/assignments.xlsx"),
        name: school.name,
        assignments: assignment_rows(&classes, assignments),
    };
    Ok(render(&page)?.into_response())
}

/// `/schools/{id}/assignments.xlsx`: the same 任课 table as a workbook.
pub(crate) async fn assignments_xlsx(
    State(state): State<AppState>,
    me: CurrentUser,
    p: Result<Path<i64>, PathRejection>,
) -> Result<Response, AppError> {
    let id = SchoolId(path_ids(p)?);
    let roster::SchoolView {
        school,
        classes,
        assignments,
    } = roster::school_view(&state.svc, &me.viewer(), id).await?;
    let assignments = assignments.ok_or(AppError::Forbidden)?;
    export::table(Table {
        file_name: format!("{}-任课安排.xlsx", school.name),
        sheet: "任课安排".into(),
        title: format!("{} 任课安排", school.name),
        headers: ASSIGNMENT_HEADERS.to_vec(),
        rows: assignment_rows(&classes, assignments)
            .into_iter()
            .map(AssignmentRow::cells)
            .collect(),
    })
}

/// `/schools/{id}/classes.xlsx`: the school page's class table, the classes this viewer sees
/// (a teacher: the classes they teach). A school has some hundred classes at most, so the
/// workbook is built whole.
pub(crate) async fn classes_xlsx(
    State(state): State<AppState>,
    me: CurrentUser,
    p: Result<Path<i64>, PathRejection>,
) -> Result<Response, AppError> {
    let id = SchoolId(path_ids(p)?);
    let roster::SchoolView {
        school, classes, ..
    } = roster::school_view(&state.svc, &me.viewer(), id).await?;
    let what = classes_heading(me.role());
    export::table(Table {
        file_name: format!("{}-{what}.xlsx", school.name),
        sheet: what.into(),
        title: format!("{} {what}", school.name),
        headers: CLASS_HEADERS.to_vec(),
        rows: class_rows(id, classes)
            .iter()
            .map(ClassRow::cells)
            .collect(),
    })
}

/// The school page's heading of its class table.
fn classes_heading(role: Role) -> &'static str {
    if role == Role::Teacher {
        "我任教的班级"
    } else {
        "班级"
    }
}

pub(crate) async fn school(
    State(state): State<AppState>,
    me: CurrentUser,
    p: Result<Path<i64>, PathRejection>,
) -> Result<Response, AppError> {
    let id = SchoolId(path_ids(p)?);
    let roster::SchoolView {
        school,
        classes,
        assignments,
    } = roster::school_view(&state.svc, &me.viewer(), id).await?;
    let show_assignments = assignments.is_some();
    let assignments = assignments.map(|a| (format!("/schools/{id}/assignments"), a.len()));
    let teachers = if show_assignments {
        roster::teachers(&state.svc, &me.viewer(), id)
            .await?
            .into_iter()
            .map(|t| TeacherRow {
                name: t.name,
                staff_no: t.staff_no,
                subject: t.subject.unwrap_or_default(),
                employment: t.employment.map_or("", |e| e.label_zh()),
                birth_year: t.birth_year.map(|y| y.to_string()).unwrap_or_default(),
                titles: t.titles.join("、"),
            })
            .collect()
    } else {
        Vec::new()
    };
    let show_trend = show_assignments && me.viewer().can(Capability::ViewExams);
    let (trend_years, trend_exams) = if show_trend {
        trend_rows(&wuyu_service::exam::trend::school_trend(&state.svc, &me.viewer(), id).await?)
    } else {
        (Vec::new(), Vec::new())
    };
    let page = SchoolPage {
        chrome: Chrome::new(&me, &format!("/schools/{id}")),
        name: school.name,
        code: school.code.to_string(),
        stage: school.stage.label_zh(),
        location: school.location.label_zh(),
        group: school.school_group.unwrap_or_default(),
        class_count: classes.len(),
        student_count: classes.iter().map(|c| c.student_count).sum(),
        classes_heading: classes_heading(me.role()),
        classes_export_href: format!("/schools/{id}/classes.xlsx"),
        classes: class_rows(id, classes),
        assignments,
        teachers,
        trend_years,
        trend_exams,
        show_trend,
        glance: glance_view(&state, &me, Some(id)).await?,
    };
    Ok(render(&page)?.into_response())
}

fn trend_rows(t: &wuyu_service::exam::trend::SchoolTrend) -> (Vec<TrendRow>, Vec<TrendRow>) {
    use crate::exam::{pct, two};
    let va = |v: Option<f64>| {
        v.map_or_else(
            || "—".to_string(),
            |v| {
                let s = two(Some(v));
                if v > 0.0 { format!("+{s}") } else { s }
            },
        )
    };
    let years = t
        .years
        .iter()
        .map(|y| TrendRow {
            label: format!("{}–{}学年", y.school_year, y.school_year + 1),
            exams: y.exams.to_string(),
            n: y.n,
            excellent: pct(y.excellent_rate),
            pass: pct(y.pass_rate),
            low: pct(y.low_rate),
            mean: pct(y.score_rate),
            value_added: if y.value_added_exams > 0 {
                format!("{}（{} 次）", va(y.value_added), y.value_added_exams)
            } else {
                "—".into()
            },
        })
        .collect();
    let exams = t
        .exams
        .iter()
        .map(|e| TrendRow {
            label: e.name.clone(),
            exams: format!("{} · {}", format_date(e.date), e.level.name_zh()),
            n: e.n,
            excellent: pct(e.excellent_rate),
            pass: pct(e.pass_rate),
            low: pct(e.low_rate),
            mean: two(e.mean),
            value_added: va(e.value_added),
        })
        .collect();
    (years, exams)
}

pub(crate) struct StudentRow {
    pub href: String,
    pub student_no: String,
    pub name: String,
    pub sex: &'static str,
    pub birth_date: String,
    pub id_card_no: String,
    /// 曾用名, joined by 、.
    pub former_names: String,
}

#[derive(Template)]
#[template(path = "class.html")]
struct ClassPage {
    chrome: Chrome,
    school_href: String,
    school_name: String,
    heading: String,
    class_type: &'static str,
    /// 班主任 names, joined by 、; empty when the roster names none.
    head_teachers: String,
    /// The class's 体质健康 view, for the roles that read fitness records (not counsellors).
    fitness_href: Option<String>,
    /// The class's 写实记录 (the roles that record activities).
    archive_href: Option<String>,
    export_href: String,
    show_id_numbers: bool,
    students: Vec<StudentRow>,
}

impl StudentRow {
    fn cells(self, show_id_numbers: bool) -> Vec<Cell> {
        let mut cells = vec![
            text(self.student_no),
            text(self.name),
            text(self.former_names),
            text(self.sex),
            text(self.birth_date),
        ];
        if show_id_numbers {
            cells.push(text(self.id_card_no));
        }
        cells
    }
}

/// The class page's student columns; 身份证号 (masked) only for the roles that see it.
fn student_headers(show_id_numbers: bool) -> Vec<&'static str> {
    let mut h = vec!["学籍号", "姓名", "曾用名", "性别", "出生日期"];
    if show_id_numbers {
        h.push("身份证号");
    }
    h
}

/// The students as the class page lists them: 学籍号 and 身份证号 masked, in the store's order.
fn student_rows(id: SchoolId, students: Vec<Student>) -> Vec<StudentRow> {
    students
        .into_iter()
        .map(|s| StudentRow {
            href: format!("/schools/{id}/students/{}", s.id),
            student_no: masked_student_no(&s.student_no),
            name: s.name.to_string(),
            sex: s.sex.label_zh(),
            birth_date: format_date(s.birth_date),
            id_card_no: s
                .id_card_no
                .as_ref()
                .map(|n| n.masked())
                .unwrap_or_default(),
            former_names: Student::join_former_names(&s.former_names),
        })
        .collect()
}

/// What the class page's audit entry says beyond who and which class.
fn id_numbers_detail(show_id_numbers: bool) -> String {
    if show_id_numbers {
        "masked id_card_no shown".into()
    } else {
        String::new()
    }
}

pub(crate) async fn class(
    State(state): State<AppState>,
    me: CurrentUser,
    ClientIp(ip): ClientIp,
    p: Result<Path<(i64, i64)>, PathRejection>,
) -> Result<Response, AppError> {
    let (id, class_id) = path_ids(p)?;
    let (id, class_id) = (SchoolId(id), ClassId(class_id));
    let roster::ClassView {
        school,
        class,
        head_teachers,
        students,
        shows_id_numbers: show_id_numbers,
    } = roster::class_view(&state.svc, &me.viewer(), id, class_id).await?;
    // A class list is a list of children's names and birth dates: record every reader.
    let mut e = audit::entry(Some(&me.user), "", "read_class", &ip);
    e.school_id = Some(id);
    e.entity = format!("class:{id}:{class_id}");
    e.detail = id_numbers_detail(show_id_numbers);
    wuyu_service::audit::append(&state.svc, &e).await?;
    let page = ClassPage {
        chrome: Chrome::new(&me, ""),
        school_href: format!("/schools/{id}"),
        school_name: school.name,
        heading: class_label(&class),
        class_type: class.class_type.label_zh(),
        head_teachers: head_teachers
            .iter()
            .map(|a| a.teacher_name.as_str())
            .collect::<Vec<_>>()
            .join("、"),
        fitness_href: (me.role() != Role::Counsellor)
            .then(|| format!("/schools/{id}/classes/{class_id}/fitness")),
        archive_href: grants(me.role(), Capability::RecordActivities)
            .then(|| format!("/schools/{id}/classes/{class_id}/archive")),
        export_href: format!("/schools/{id}/classes/{class_id}/students.xlsx"),
        show_id_numbers,
        students: student_rows(id, students),
    };
    Ok(render(&page)?.into_response())
}

/// `/schools/{id}/classes/{class_id}/students.xlsx`: the class page's student list for the
/// same viewer. Like the page, every download is audited (as `export_class_roster`, with the
/// class, whether masked ID numbers were in it and the row count) before the file is handed
/// out. One class is some fifty rows, so the workbook is built whole.
pub(crate) async fn class_students_xlsx(
    State(state): State<AppState>,
    me: CurrentUser,
    ClientIp(ip): ClientIp,
    p: Result<Path<(i64, i64)>, PathRejection>,
) -> Result<Response, AppError> {
    let (id, class_id) = path_ids(p)?;
    let (id, class_id) = (SchoolId(id), ClassId(class_id));
    let roster::ClassView {
        school,
        class,
        students,
        shows_id_numbers,
        ..
    } = roster::class_view(&state.svc, &me.viewer(), id, class_id).await?;
    let label = class_label(&class);
    let file = export::workbook(Table {
        file_name: format!("{}-{label}-学生名单.xlsx", school.name),
        sheet: "学生名单".into(),
        title: format!("{} {label} 学生名单", school.name),
        headers: student_headers(shows_id_numbers),
        rows: student_rows(id, students)
            .into_iter()
            .map(|r| r.cells(shows_id_numbers))
            .collect(),
    })?;
    record_export(
        &state.svc,
        &Requester::user(&me.user, &ip),
        &BulkExport {
            action: "export_class_roster",
            school: Some(id),
            entity: format!("class:{id}:{class_id}"),
            detail: id_numbers_detail(shows_id_numbers),
            rows: file.rows,
        },
    )
    .await?;
    Ok(export::download(file))
}
