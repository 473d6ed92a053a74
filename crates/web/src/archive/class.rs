//! The 班主任's page `/schools/{id}/classes/{class_id}/archive`: the class's records of a
//! term, those awaiting review (通过 / 退回 with a reason), the students with nothing recorded,
//! and one form to record an activity for the whole class or the ticked students. Refused
//! input is shown again as typed, each message next to its field.
use askama::Template;
use axum::Form;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use time::OffsetDateTime;
use wuyu_domain::{ActivityCategory, ClassId, SchoolId, StudentId, Term};
use wuyu_service::ServiceError;
use wuyu_service::archive::Review;
use wuyu_service::archive::{
    self, ActivityForm, Attendees, ClassArchive, ClassRecordError, FieldError,
};
use wuyu_service::audit::{BulkExport, Requester, record_export};

use crate::access::{Require, cap};
use crate::auth::{ClientIp, CurrentUser};
use crate::error::AppError;
use crate::pages::path_ids;
use crate::roster::school::class_label;
use crate::state::AppState;
use crate::view::{Chrome, render};

use super::upload;

pub(crate) struct RecordRow {
    id: i64,
    student: String,
    date: String,
    category: &'static str,
    hours: String,
    organiser: String,
    description: String,
    state: &'static str,
    return_reason: String,
    /// (file name, download link) of each evidence file.
    evidence: Vec<(String, String)>,
}

pub(crate) struct StudentTick {
    id: i64,
    name: String,
    ticked: bool,
}

#[derive(Template)]
#[template(path = "archive_class.html")]
struct ClassArchivePage {
    chrome: Chrome,
    heading: String,
    class_href: String,
    action: String,
    review_action: String,
    export_href: String,
    /// The class's report cards as one PDF, for whoever may print them.
    cards_href: Option<String>,
    publicity_href: String,
    term_code: String,
    term_label: String,
    prev_term: String,
    next_term: String,
    may_review: bool,
    records: Vec<RecordRow>,
    awaiting: Vec<RecordRow>,
    without: Vec<String>,
    students: Vec<StudentTick>,
    categories: Vec<(&'static str, bool)>,
    max_files: usize,
    max_mb: usize,
    form: ActivityForm,
    whole_class: bool,
    errors: Vec<FieldError>,
    /// A refused review: the record's id and why.
    review_error: Option<(i64, String)>,
    notice: Option<String>,
}

impl ClassArchivePage {
    /// The message for one field, empty when it is fine (the template shows it next to it).
    fn error_for(&self, field: &str) -> String {
        self.errors
            .iter()
            .filter(|e| e.field == field)
            .map(|e| e.message.as_str())
            .collect::<Vec<_>>()
            .join("；")
    }

    fn review_error_for(&self, id: &i64) -> String {
        match &self.review_error {
            Some((r, why)) if r == id => why.clone(),
            _ => String::new(),
        }
    }
}

fn row(r: &archive::ArchiveRecord) -> RecordRow {
    RecordRow {
        evidence: super::evidence_links(r),
        id: r.id,
        student: r.student_name.clone(),
        date: match r.end_date {
            Some(e) => format!("{} 至 {e}", r.date),
            None => r.date.to_string(),
        },
        category: r.category.label_zh(),
        hours: r.hours.to_string(),
        organiser: r.organiser.clone(),
        description: r.description.clone(),
        state: r.state.label_zh(),
        return_reason: r.return_reason.clone().unwrap_or_default(),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct PageQuery {
    term: Option<String>,
    done: Option<String>,
}

/// The term asked for, else the term of today.
fn term_of(code: Option<&str>) -> Result<Term, AppError> {
    match code.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => Term::parse_code(t).map_err(|_| AppError::BadRequest),
        None => Term::of_date(OffsetDateTime::now_utc().date()).map_err(|_| AppError::BadRequest),
    }
}

fn previous(t: Term) -> String {
    use wuyu_domain::TermPart;
    let p = match t.part {
        TermPart::Spring => Term::new(t.school_year, TermPart::Autumn),
        TermPart::Autumn => Term::new(t.school_year.saturating_sub(1), TermPart::Spring),
    };
    p.map(|p| p.code()).unwrap_or_default()
}

/// What was typed, to be shown again (or an empty form for the term's first day in view).
struct Typed {
    form: ActivityForm,
    whole_class: bool,
    ticked: Vec<StudentId>,
    errors: Vec<FieldError>,
    review_error: Option<(i64, String)>,
    notice: Option<String>,
}

impl Typed {
    fn blank(notice: Option<String>) -> Self {
        Self {
            form: ActivityForm::default(),
            whole_class: true,
            ticked: Vec::new(),
            errors: Vec::new(),
            review_error: None,
            notice,
        }
    }
}

fn build(me: &CurrentUser, school: SchoolId, a: ClassArchive, typed: Typed) -> ClassArchivePage {
    let class_id = a.class.id.0;
    let base = format!("/schools/{school}/classes/{class_id}/archive");
    let roster = a
        .students
        .iter()
        .map(|(id, name)| StudentTick {
            id: id.0,
            name: name.clone(),
            ticked: typed.ticked.contains(id),
        })
        .collect();
    let selected = ActivityCategory::parse(&typed.form.category);
    ClassArchivePage {
        chrome: Chrome::new(me, &base),
        heading: format!("{} · 综合素质写实记录", class_label(&a.class)),
        class_href: format!("/schools/{school}/classes/{class_id}"),
        action: base.clone(),
        review_action: format!("{base}/review"),
        export_href: format!("{base}/export.xlsx?term={}", a.term.code()),
        cards_href: (wuyu_service::bulletin::PDF_AVAILABLE
            && wuyu_domain::grants(me.role(), wuyu_domain::Capability::PrintReportCards))
        .then(|| format!("{base}/cards.pdf")),
        publicity_href: format!("{base}/publicity?term={}", a.term.code()),
        term_code: a.term.code(),
        term_label: a.term.label_zh(),
        prev_term: previous(a.term),
        next_term: a.term.next().code(),
        may_review: a.may_review,
        records: a.records.iter().map(row).collect(),
        awaiting: a.awaiting.iter().map(row).collect(),
        without: a.without_records.iter().map(|(_, n)| n.clone()).collect(),
        students: roster,
        categories: ActivityCategory::ALL
            .iter()
            .map(|c| (c.label_zh(), Some(*c) == selected))
            .collect(),
        max_files: archive::MAX_RECORD_FILES,
        max_mb: archive::MAX_EVIDENCE_BYTES / (1024 * 1024),
        form: typed.form,
        whole_class: typed.whole_class,
        errors: typed.errors,
        review_error: typed.review_error,
        notice: typed.notice,
    }
}

fn ids(p: Result<Path<(i64, i64)>, PathRejection>) -> Result<(SchoolId, ClassId), AppError> {
    let (s, c) = path_ids(p)?;
    Ok((SchoolId(s), ClassId(c)))
}

async fn show(
    state: &AppState,
    me: &CurrentUser,
    (school, class): (SchoolId, ClassId),
    term: Term,
    typed: Typed,
) -> Result<ClassArchivePage, AppError> {
    let a = archive::class_archive(&state.svc, &me.viewer(), school, class, term).await?;
    Ok(build(me, school, a, typed))
}

fn done_notice(done: Option<&str>) -> Option<String> {
    let (what, n) = done?.split_once(':')?;
    let n: usize = n.parse().ok()?;
    Some(match what {
        "recorded" => format!("已为 {n} 名学生记录，等待班主任审核。"),
        "approved" => format!("已通过 {n} 条记录。"),
        "returned" => format!("已退回 {n} 条记录。"),
        _ => return None,
    })
}

pub(crate) async fn page(
    State(state): State<AppState>,
    Require(me, _): Require<cap::RecordActivities>,
    p: Result<Path<(i64, i64)>, PathRejection>,
    q: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let key = ids(p)?;
    let Query(q) = q.map_err(|_| AppError::BadRequest)?;
    let term = term_of(q.term.as_deref())?;
    let typed = Typed::blank(done_notice(q.done.as_deref()));
    let page = show(&state, &me, key, term, typed).await?;
    Ok(render(&page)?.into_response())
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

fn ticked(fields: &[(String, String)], name: &str) -> Result<Vec<i64>, AppError> {
    fields
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.trim().parse().map_err(|_| AppError::BadRequest))
        .collect()
}

/// `POST …/archive` (multipart with the `evidence` files, or urlencoded without): records the
/// form's activity for the class or the ticked students.
pub(crate) async fn record(
    State(state): State<AppState>,
    Require(me, _): Require<cap::RecordActivities>,
    ClientIp(ip): ClientIp,
    p: Result<Path<(i64, i64)>, PathRejection>,
    req: axum::extract::Request,
) -> Result<Response, AppError> {
    let key = ids(p)?;
    let Some(posted) = upload::read(req).await? else {
        let typed = Typed {
            errors: vec![FieldError {
                field: "evidence",
                message: upload::too_large(),
            }],
            ..Typed::blank(None)
        };
        let term = term_of(None)?;
        let page = show(&state, &me, key, term, typed).await?;
        return Ok((StatusCode::PAYLOAD_TOO_LARGE, render(&page)?).into_response());
    };
    let fields = posted.fields;
    let term = term_of(Some(field(&fields, "term")))?;
    let form = ActivityForm {
        category: field(&fields, "category").into(),
        date: field(&fields, "date").into(),
        end_date: field(&fields, "end_date").into(),
        hours: field(&fields, "hours").into(),
        travel: field(&fields, "travel").into(),
        organiser: field(&fields, "organiser").into(),
        description: field(&fields, "description").into(),
    };
    let whole_class = field(&fields, "attendees") != "ticked";
    let ticked: Vec<StudentId> = ticked(&fields, "student")?
        .into_iter()
        .map(StudentId)
        .collect();
    let attendees = if whole_class {
        Attendees::WholeClass
    } else {
        Attendees::Students(ticked.clone())
    };
    let who = Requester::user(&me.user, &ip);
    let errors = match archive::record_class_activity(
        &state.svc,
        &me.viewer(),
        &who,
        key.0,
        key.1,
        term,
        &attendees,
        &form,
        &posted.files,
    )
    .await
    {
        Ok(ids) => {
            return Ok(Redirect::to(&format!(
                "/schools/{}/classes/{}/archive?term={}&done=recorded:{}",
                key.0,
                key.1.0,
                term.code(),
                ids.len()
            ))
            .into_response());
        }
        Err(ClassRecordError::Fields(e)) => e,
        Err(ClassRecordError::Service(ServiceError::BadRequest(why))) => vec![FieldError {
            field: "students",
            message: why,
        }],
        Err(ClassRecordError::Service(e)) => return Err(e.into()),
    };
    let typed = Typed {
        form,
        whole_class,
        ticked,
        errors,
        review_error: None,
        notice: None,
    };
    let page = show(&state, &me, key, term, typed).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

pub(crate) async fn review(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ReviewActivities>,
    ClientIp(ip): ClientIp,
    p: Result<Path<(i64, i64)>, PathRejection>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let key = ids(p)?;
    let term = term_of(Some(field(&fields, "term")))?;
    let ids = ticked(&fields, "id")?;
    if ids.is_empty() {
        return Err(AppError::BadRequest);
    }
    let reason = field(&fields, "reason").trim().to_string();
    let (decision, done) = match field(&fields, "decision") {
        "approve" => (Review::Approve, "approved"),
        "return" if reason.is_empty() => {
            let typed = Typed {
                review_error: Some((ids[0], "退回时必须填写原因".into())),
                ..Typed::blank(None)
            };
            let page = show(&state, &me, key, term, typed).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
        }
        "return" => (Review::Return(reason), "returned"),
        _ => return Err(AppError::BadRequest),
    };
    let who = Requester::user(&me.user, &ip);
    match archive::review(&state.svc, &me.viewer(), &who, key.0, &ids, &decision).await {
        Ok(()) => Ok(Redirect::to(&format!(
            "/schools/{}/classes/{}/archive?term={}&done={done}:{}",
            key.0,
            key.1.0,
            term.code(),
            ids.len()
        ))
        .into_response()),
        Err(ServiceError::BadRequest(why)) => {
            let typed = Typed {
                review_error: Some((ids[0], why)),
                ..Typed::blank(None)
            };
            let page = show(&state, &me, key, term, typed).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// `/archive/class`: the nav's 写实记录 opens the teacher's own class (as 班主任 first).
pub(crate) async fn home(
    State(state): State<AppState>,
    Require(me, _): Require<cap::RecordActivities>,
) -> Result<Response, AppError> {
    match archive::home_class(&state.svc, &me.viewer()).await? {
        Some((s, c)) => {
            Ok(Redirect::to(&format!("/schools/{s}/classes/{}/archive", c.0)).into_response())
        }
        None => Err(AppError::NotFound),
    }
}

/// `…/archive/export.xlsx?term=`: the class's records of the term (children's names: every
/// download is audited with its row count).
pub(crate) async fn export(
    State(state): State<AppState>,
    Require(me, _): Require<cap::RecordActivities>,
    ClientIp(ip): ClientIp,
    p: Result<Path<(i64, i64)>, PathRejection>,
    q: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let (school, class) = ids(p)?;
    let Query(q) = q.map_err(|_| AppError::BadRequest)?;
    let term = term_of(q.term.as_deref())?;
    let a = archive::class_archive(&state.svc, &me.viewer(), school, class, term).await?;
    let out = archive::class_records_xlsx(&a)?;
    record_export(
        &state.svc,
        &Requester::user(&me.user, &ip),
        &BulkExport {
            action: "export_class_archive",
            school: Some(school),
            entity: format!("class:{school}:{}", class.0),
            detail: format!("term={}", term.code()),
            rows: out.rows,
        },
    )
    .await?;
    Ok(crate::import_centre::download(
        out.bytes,
        &out.file_name,
        crate::import_centre::XLSX,
    ))
}
