//! The report card (综合素质评价报告) as a PDF download: one student's
//! (`/schools/{id}/students/{student_id}/archive/card.pdf`, whoever may read that archive) and a
//! whole class's in one file for printing (`/schools/{id}/classes/{class_id}/archive/cards.pdf`).
//! The service audits every card before it is handed out.
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use wuyu_domain::{ClassId, SchoolId, StudentId};
use wuyu_service::archive;
use wuyu_service::audit::Requester;

use crate::access::{Require, cap};
use crate::auth::ClientIp;
use crate::error::AppError;
use crate::pages::path_ids;
use crate::state::AppState;

fn pdf(bytes: Vec<u8>, name: &str) -> Response {
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}

pub(crate) async fn student(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewStudentArchive>,
    ClientIp(ip): ClientIp,
    p: Result<Path<(i64, i64)>, PathRejection>,
) -> Result<Response, AppError> {
    let (school, student) = path_ids(p)?;
    let bytes = archive::report_card_pdf(
        &state.svc,
        &me.viewer(),
        &Requester::user(&me.user, &ip),
        SchoolId(school),
        StudentId(student),
    )
    .await?;
    Ok(pdf(bytes, &format!("report-card-{student}.pdf")))
}

pub(crate) async fn class(
    State(state): State<AppState>,
    Require(me, _): Require<cap::PrintReportCards>,
    ClientIp(ip): ClientIp,
    p: Result<Path<(i64, i64)>, PathRejection>,
) -> Result<Response, AppError> {
    let (school, class) = path_ids(p)?;
    let bytes = archive::class_report_cards_pdf(
        &state.svc,
        &me.viewer(),
        &Requester::user(&me.user, &ip),
        SchoolId(school),
        Some(ClassId(class)),
    )
    .await?;
    Ok(pdf(bytes, &format!("report-cards-class-{class}.pdf")))
}
