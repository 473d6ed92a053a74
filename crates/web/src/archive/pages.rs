//! The archive pages.
use askama::Template;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use wuyu_domain::{ActivityCategory, SchoolId, StudentId, Term};
use wuyu_service::archive::{self, ActivityForm, CoverageRow, FieldError};
use wuyu_service::audit::Requester;

use crate::access::{Require, cap};
use crate::auth::ClientIp;
use crate::error::AppError;
use crate::pages::path_ids;
use crate::state::AppState;
use crate::view::{Chrome, render};

pub(crate) struct RecordLine {
    id: i64,
    /// In an open 公示 and the viewer may object (质疑).
    objectable: bool,
    date: String,
    category: &'static str,
    hours: String,
    organiser: String,
    description: String,
    /// (file name, download link) of each evidence file.
    evidence: Vec<(String, String)>,
}

pub(crate) struct DomainBlock {
    label: &'static str,
    hours: String,
    records: Vec<RecordLine>,
}

#[derive(Template)]
#[template(path = "archive_student.html")]
struct StudentPage {
    chrome: Chrome,
    name: String,
    /// The page without a term (every term); `?term=` for one.
    base: String,
    /// (code, label, in view) of each term with approved records, newest first.
    terms: Vec<(String, String, bool)>,
    /// The semester in view, when one is.
    term_label: Option<String>,
    domains: Vec<DomainBlock>,
    volunteer_hours: String,
    stars: String,
    labor_hours: String,
    art: Vec<(i32, String, &'static str)>,
    fitness: Vec<(String, String, &'static str)>,
    exams: Vec<(String, String)>,
    pending: usize,
    /// The report card's PDF, when this build writes PDFs.
    card_href: Option<String>,
    object_action: String,
    /// The family's confirmation (家长确认) of each term in 公示: (code, label, confirmed);
    /// empty for anyone but a parent.
    confirm: Vec<(String, String, bool)>,
    confirm_action: String,
    notice: Option<String>,
    error: Option<String>,
    /// Records not yet approved, with their state (a returned one with its reason).
    pending_rows: Vec<PendingLine>,
    /// The family's entry form, for whoever may record for the student.
    entry: Option<EntryForm>,
}

pub(crate) struct PendingLine {
    date: String,
    category: &'static str,
    hours: String,
    description: String,
    state: &'static str,
    return_reason: String,
    evidence: Vec<(String, String)>,
}

/// The family's entry form as shown: the term it is for and what was typed.
pub(crate) struct EntryForm {
    action: String,
    term_code: String,
    term_label: String,
    first_day: String,
    last_day: String,
    categories: Vec<(&'static str, bool)>,
    max_files: usize,
    max_mb: usize,
    form: ActivityForm,
    errors: Vec<FieldError>,
}

impl EntryForm {
    /// The message for one field, empty when it is fine.
    fn error_for(&self, field: &str) -> String {
        self.errors
            .iter()
            .filter(|e| e.field == field)
            .map(|e| e.message.as_str())
            .collect::<Vec<_>>()
            .join("；")
    }
}

/// A refused entry, to be shown again as typed.
pub(crate) struct EntryTyped {
    pub form: ActivityForm,
    pub errors: Vec<FieldError>,
}

fn line(r: &archive::ArchiveRecord, objectable: bool) -> RecordLine {
    RecordLine {
        evidence: super::evidence_links(r),
        id: r.id,
        objectable,
        date: match r.end_date {
            Some(e) => format!("{} 至 {e}", r.date),
            None => r.date.to_string(),
        },
        category: r.category.label_zh(),
        hours: r.hours.to_string(),
        organiser: r.organiser.clone(),
        description: r.description.clone(),
    }
}

/// The family's entry form for the term in view (else today's), empty or as typed.
fn entry_form(
    school: i64,
    student: i64,
    term: Option<Term>,
    typed: Option<EntryTyped>,
) -> Result<EntryForm, AppError> {
    let term = match term {
        Some(t) => t,
        None => Term::of_date(archive::today()).map_err(|_| AppError::BadRequest)?,
    };
    let EntryTyped { form, errors } = typed.unwrap_or(EntryTyped {
        form: ActivityForm::default(),
        errors: Vec::new(),
    });
    let selected = ActivityCategory::parse(&form.category);
    Ok(EntryForm {
        action: format!("/schools/{school}/students/{student}/archive/entries"),
        term_code: term.code(),
        term_label: term.label_zh(),
        first_day: term.first_day().to_string(),
        last_day: term.last_day().to_string(),
        categories: archive::FAMILY_CATEGORIES
            .iter()
            .map(|c| (c.label_zh(), Some(*c) == selected))
            .collect(),
        max_files: archive::MAX_RECORD_FILES,
        max_mb: archive::MAX_EVIDENCE_BYTES / (1024 * 1024),
        form,
        errors,
    })
}

#[derive(Debug, Deserialize)]
pub(crate) struct StudentQuery {
    done: Option<String>,
    /// One semester's view (`2025-autumn`); left out: every term.
    term: Option<String>,
}

pub(crate) async fn student(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewStudentArchive>,
    ClientIp(ip): ClientIp,
    p: Result<Path<(i64, i64)>, PathRejection>,
    q: Result<Query<StudentQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let (school, student) = path_ids(p)?;
    let Query(q) = q.map_err(|_| AppError::BadRequest)?;
    let notice = match q.done.as_deref() {
        Some("objected") => Some("已提出质疑，等待班主任答复。".to_string()),
        Some("confirmed") => Some("已确认档案无误，班主任可以看到。".to_string()),
        Some("entered") => Some("已提交，等待班主任审核。".to_string()),
        _ => None,
    };
    let term = match q.term.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => Some(Term::parse_code(t).map_err(|_| AppError::BadRequest)?),
        None => None,
    };
    let html = student_page(
        &state,
        &me,
        &ip,
        (SchoolId(school), StudentId(student)),
        term,
        notice,
        None,
        None,
    )
    .await?;
    Ok(html.into_response())
}

/// The archive page of one student (an audited read), of every term or one (`term`), with a
/// notice or a refusal to show.
// The page's inputs are all independent (what to show, what was typed, what to say).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn student_page(
    state: &AppState,
    me: &crate::auth::CurrentUser,
    ip: &str,
    (school_id, student_id): (SchoolId, StudentId),
    term: Option<Term>,
    notice: Option<String>,
    error: Option<String>,
    typed: Option<EntryTyped>,
) -> Result<axum::response::Html<String>, AppError> {
    let (school, student) = (school_id.0, student_id.0);
    let who = Requester::user(&me.user, ip);
    let a = archive::student_archive(&state.svc, &me.viewer(), &who, school_id, student_id).await?;
    let may_object = wuyu_domain::grants(me.role(), wuyu_domain::Capability::RecordActivities);
    let objectable = |r: &archive::ArchiveRecord| may_object && a.in_publicity.contains(&r.term);
    let page = StudentPage {
        chrome: Chrome::new(me, &format!("/schools/{school}/students/{student}/archive")),
        name: a.name.clone(),
        terms: {
            let mut terms = a.terms.clone();
            if let Some(t) = term.filter(|t| !terms.contains(t)) {
                terms.push(t);
                terms.sort_unstable_by(|a, b| b.cmp(a));
            }
            terms
                .into_iter()
                .map(|t| (t.code(), t.label_zh(), Some(t) == term))
                .collect()
        },
        term_label: term.map(|t| t.label_zh()),
        base: format!("/schools/{school}/students/{student}/archive"),
        domains: term
            .map_or_else(|| a.domains.clone(), |t| a.domains_in(t))
            .iter()
            .map(|d| DomainBlock {
                label: d.label_zh,
                hours: d.hours.to_string(),
                records: d.records.iter().map(|r| line(r, objectable(r))).collect(),
            })
            .collect(),
        volunteer_hours: a.volunteer_hours.to_string(),
        stars: a.stars_zh.clone(),
        labor_hours: a.labor_hours.to_string(),
        art: a
            .art
            .iter()
            .map(|x| (x.school_year, x.total.to_string(), x.level.label_zh()))
            .collect(),
        fitness: a
            .fitness
            .iter()
            .map(|f| {
                (
                    f.term_zh.clone(),
                    f.year_total.map_or("—".into(), |t| format!("{t:.1}")),
                    f.level_zh.unwrap_or("—"),
                )
            })
            .collect(),
        exams: a
            .exams
            .iter()
            .map(|e| {
                let marks: Vec<String> = e
                    .marks
                    .iter()
                    .map(|(s, m)| format!("{s} {}", m.map_or("缺考".into(), |m| format!("{m}"))))
                    .collect();
                (format!("{}（{}）", e.exam, e.date), marks.join("、"))
            })
            .collect(),
        pending: a.pending.len(),
        card_href: wuyu_service::bulletin::PDF_AVAILABLE
            .then(|| format!("/schools/{school}/students/{student}/archive/card.pdf")),
        object_action: format!("/schools/{school}/students/{student}/archive/objections"),
        confirm: if wuyu_domain::grants(me.role(), wuyu_domain::Capability::ConfirmArchive) {
            a.in_publicity
                .iter()
                .map(|t| (t.code(), t.label_zh(), a.confirmed.contains(t)))
                .collect()
        } else {
            Vec::new()
        },
        confirm_action: format!("/schools/{school}/students/{student}/archive/confirm"),
        notice,
        error,
        pending_rows: a
            .pending
            .iter()
            .map(|r| PendingLine {
                date: r.date.to_string(),
                category: r.category.label_zh(),
                hours: r.hours.to_string(),
                description: r.description.clone(),
                state: r.state.label_zh(),
                return_reason: r.return_reason.clone().unwrap_or_default(),
                evidence: super::evidence_links(r),
            })
            .collect(),
        entry: may_object
            .then(|| entry_form(school, student, term, typed))
            .transpose()?,
    };
    render(&page)
}

/// `GET /schools/{id}/archive/records/{record_id}/evidence/{evidence_id}`: one evidence file
/// of a record, to whoever may read the record (a parent: their own child's); every download
/// is audited by the service.
pub(crate) async fn evidence(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewStudentArchive>,
    ClientIp(ip): ClientIp,
    p: Result<Path<(i64, i64, i64)>, PathRejection>,
) -> Result<Response, AppError> {
    let (school, record, evidence) = path_ids(p)?;
    let who = Requester::user(&me.user, &ip);
    let file = archive::evidence_file(
        &state.svc,
        &me.viewer(),
        &who,
        SchoolId(school),
        record,
        evidence,
    )
    .await?;
    let kind = stored_media_type(&file.content_type)
        .ok_or_else(|| AppError::Internal(format!("evidence type {}", file.content_type)))?;
    Ok(crate::import_centre::download(file.bytes, &file.name, kind))
}

/// The static media type of a stored evidence file (what the upload check wrote).
fn stored_media_type(content_type: &str) -> Option<&'static str> {
    ["image/jpeg", "image/png", "application/pdf"]
        .into_iter()
        .find(|t| *t == content_type)
}

#[derive(Debug, Deserialize)]
pub(crate) struct TermQuery {
    term: Option<String>,
}

pub(crate) struct CoverageLine {
    label: String,
    students: u64,
    art: String,
    off_campus: String,
    labor: String,
    volunteer: String,
    art_excellent: String,
    art_pass: String,
}

#[derive(Template)]
#[template(path = "archive_coverage.html")]
struct CoveragePage {
    chrome: Chrome,
    term_code: String,
    export_href: Option<String>,
    term_label: String,
    by_class: bool,
    rows: Vec<CoverageLine>,
}

fn pct(x: Option<f64>) -> String {
    x.map_or("—".into(), |v| format!("{:.1}%", v * 100.0))
}

fn coverage_line(r: &CoverageRow) -> CoverageLine {
    CoverageLine {
        label: r.label.clone(),
        students: r.students,
        art: pct(r.art_coverage),
        off_campus: pct(r.off_campus_rate),
        labor: pct(r.labor_met_rate),
        volunteer: r
            .volunteer_hours_per_student
            .map_or("—".into(), |v| format!("{v:.1}")),
        art_excellent: pct(r.art_excellent_rate),
        art_pass: pct(r.art_pass_rate),
    }
}

pub(crate) async fn coverage(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewArchiveCoverage>,
    q: Result<Query<TermQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let Query(q) = q.map_err(|_| AppError::BadRequest)?;
    let viewer = me.viewer();
    let term: Option<Term> = match q.term.as_deref().filter(|t| !t.trim().is_empty()) {
        Some(t) => Some(Term::parse_code(t).map_err(|_| AppError::BadRequest)?),
        None => archive::district_term(&state.svc, &viewer.scope).await?,
    };
    let school = viewer.scope.school_id();
    let rows = match term {
        Some(t) => archive::coverage(&state.svc, &viewer, school, t).await?,
        None => Vec::new(),
    };
    let page = CoveragePage {
        chrome: Chrome::new(&me, "/archive/coverage"),
        export_href: term.map(|t| format!("/archive/coverage/export.xlsx?term={}", t.code())),
        term_code: term.map(|t| t.code()).unwrap_or_default(),
        term_label: term
            .map(|t| t.label_zh())
            .unwrap_or_else(|| "暂无记录".into()),
        by_class: school.is_some(),
        rows: rows.iter().map(coverage_line).collect(),
    };
    Ok(render(&page)?.into_response())
}

/// `/archive/coverage/export.xlsx?term=`: the coverage table as the page shows it.
pub(crate) async fn coverage_export(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewArchiveCoverage>,
    ClientIp(ip): ClientIp,
    q: Result<Query<TermQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let Query(q) = q.map_err(|_| AppError::BadRequest)?;
    let viewer = me.viewer();
    let term = match q.term.as_deref().filter(|t| !t.trim().is_empty()) {
        Some(t) => Term::parse_code(t).map_err(|_| AppError::BadRequest)?,
        None => archive::district_term(&state.svc, &viewer.scope)
            .await?
            .ok_or(AppError::NotFound)?,
    };
    let school = viewer.scope.school_id();
    let rows = archive::coverage(&state.svc, &viewer, school, term).await?;
    let out = archive::coverage_xlsx(&rows, term, school.is_some())?;
    wuyu_service::audit::record_export(
        &state.svc,
        &Requester::user(&me.user, &ip),
        &wuyu_service::audit::BulkExport {
            action: "export_archive_coverage",
            school,
            entity: "archive_coverage".into(),
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
