//! The exam capability's use cases: the read models of the exam pages, their API twins and
//! their XLSX exports, and the exam indicator source. Every function takes the [`Viewer`]
//! and reads through the store with the viewer's scope; ranks come with the ranks token only
//! ([`crate::ranks::ranks_token`]) and follow the one rank rule of `wuyu_monitor::rank`.
//!
//! Read models carry numbers (the store's statistics, unrounded); the edges format them with
//! `wuyu_monitor::display`, the XLSX writers write them with a matching number format.
pub mod alerts;
pub mod class;
pub mod export;
pub mod history;
pub mod import;
pub mod indicators;
pub mod items;
pub mod lines;
pub mod overview;
pub mod sheets;
pub mod trend;
pub mod units;
pub mod va;

use wuyu_domain::{Exam, ExamId, Viewer};
use wuyu_store::exam::TOTAL;
use wuyu_store::{ExamSummary, StoreError};

pub use indicators::indicator;

use crate::{Service, ServiceError};

/// The exam, if the viewer's scope reaches it: `Forbidden` for roles and schools that did not
/// sit it, `NotFound` when there is none.
pub async fn exam(svc: &Service, viewer: &Viewer, id: ExamId) -> Result<Exam, ServiceError> {
    Ok(svc.store().exam(&viewer.scope, id).await?)
}

/// The exams the viewer may see (district: all; a school's roles: the exams their school
/// sat), newest first.
pub async fn list(svc: &Service, viewer: &Viewer) -> Result<Vec<ExamSummary>, ServiceError> {
    Ok(svc.store().list_exams(&viewer.scope).await?)
}

/// The subject asked for (a subject of the exam or 总分), 总分 by default.
pub fn pick_subject(exam: &Exam, asked: Option<&str>) -> Result<String, ServiceError> {
    match asked.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(TOTAL.to_string()),
        Some(s) if s == TOTAL || exam.subject(s).is_some() => Ok(s.to_string()),
        Some(s) => Err(ServiceError::BadRequest(format!("unknown subject {s}"))),
    }
}

/// 总分 first, then the exam's subjects in order.
pub fn subjects_with_total(exam: &Exam) -> Vec<String> {
    std::iter::once(TOTAL.to_string())
        .chain(exam.subjects.iter().map(|s| s.name.clone()))
        .collect()
}

/// A read that may legitimately not exist (no baseline, no item points): `None` then.
pub(crate) fn optional<T>(r: Result<T, StoreError>) -> Result<Option<T>, ServiceError> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(StoreError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}
