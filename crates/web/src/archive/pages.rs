//! The archive pages.
use askama::Template;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use wuyu_domain::{SchoolId, StudentId, Term};
use wuyu_service::archive::{self, CoverageRow};
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
    notice: Option<String>,
    error: Option<String>,
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

#[derive(Debug, Deserialize)]
pub(crate) struct StudentQuery {
    done: Option<String>,
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
    let notice =
        (q.done.as_deref() == Some("objected")).then(|| "已提出质疑，等待班主任答复。".to_string());
    let html = student_page(
        &state,
        &me,
        &ip,
        (SchoolId(school), StudentId(student)),
        notice,
        None,
    )
    .await?;
    Ok(html.into_response())
}

/// The archive page of one student (an audited read), with a notice or a refusal to show.
pub(crate) async fn student_page(
    state: &AppState,
    me: &crate::auth::CurrentUser,
    ip: &str,
    (school_id, student_id): (SchoolId, StudentId),
    notice: Option<String>,
    error: Option<String>,
) -> Result<axum::response::Html<String>, AppError> {
    let (school, student) = (school_id.0, student_id.0);
    let who = Requester::user(&me.user, ip);
    let a = archive::student_archive(&state.svc, &me.viewer(), &who, school_id, student_id).await?;
    let may_object = wuyu_domain::grants(me.role(), wuyu_domain::Capability::RecordActivities);
    let objectable = |r: &archive::ArchiveRecord| may_object && a.in_publicity.contains(&r.term);
    let page = StudentPage {
        chrome: Chrome::new(me, &format!("/schools/{school}/students/{student}/archive")),
        name: a.name.clone(),
        domains: a
            .domains
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
        notice,
        error,
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
