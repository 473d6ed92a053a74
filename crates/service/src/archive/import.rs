//! Imports of activity records and art assessments (CSV or XLSX): the file is read and every
//! row checked by `ingest`; any row error rejects the whole file and nothing is written.
use wuyu_domain::{Capability, Entrant, RecordState, SchoolId, Term, Viewer};
use wuyu_ingest::archive::{read_activities, read_art};
use wuyu_store::ImportMeta;
use wuyu_store::archive::{ActivityImportRow, ArchiveImportSummary, ArtImportRow, NewActivity};

use super::{now_unix, store_error};
use crate::file::UploadedFile;
use crate::{Service, ServiceError};

fn check(viewer: &Viewer) -> Result<(), ServiceError> {
    if viewer.can(Capability::ManageImports) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

fn bad_file(e: wuyu_ingest::IngestError) -> ServiceError {
    ServiceError::BadRequest(e.to_string())
}

fn meta(who: &str, file: &UploadedFile) -> ImportMeta {
    ImportMeta {
        username: who.to_string(),
        file_name: file.name.clone(),
        file_sha256: file.sha256(),
        at: now_unix(),
    }
}

/// Imports activity records of `term` into `school`; imported records await review.
pub async fn import_activities(
    svc: &Service,
    viewer: &Viewer,
    who: &str,
    school: SchoolId,
    term: Term,
    file: &UploadedFile,
) -> Result<ArchiveImportSummary, ServiceError> {
    check(viewer)?;
    let read = read_activities(&file.bytes, &file.name, term).map_err(bad_file)?;
    if !read.errors.is_empty() {
        return Err(ServiceError::Rejected(read.errors));
    }
    let rows: Vec<ActivityImportRow> = read
        .rows
        .into_iter()
        .map(|r| ActivityImportRow {
            origin: r.origin,
            student_no: r.student_no,
            activity: NewActivity {
                category: r.category,
                term,
                date: r.date,
                end_date: r.end_date,
                hours: r.hours,
                travel: r.travel,
                organiser: r.organiser,
                description: r.description,
                entrant: Entrant::Teacher,
                entered_by: who.to_string(),
                state: RecordState::Submitted,
            },
        })
        .collect();
    svc.store()
        .import_activities(&viewer.scope, school, &rows, &meta(who, file))
        .await
        .map_err(store_error)
}

/// Imports art assessments of `school_year` into `school`, scored at write.
pub async fn import_art(
    svc: &Service,
    viewer: &Viewer,
    who: &str,
    school: SchoolId,
    school_year: i32,
    file: &UploadedFile,
) -> Result<ArchiveImportSummary, ServiceError> {
    check(viewer)?;
    let read = read_art(&file.bytes, &file.name).map_err(bad_file)?;
    if !read.errors.is_empty() {
        return Err(ServiceError::Rejected(read.errors));
    }
    let rows: Vec<ArtImportRow> = read
        .rows
        .into_iter()
        .map(|r| ArtImportRow {
            origin: r.origin,
            student_no: r.student_no,
            school_year,
            parts: r.parts,
        })
        .collect();
    svc.store()
        .import_art(&viewer.scope, school, &rows, &meta(who, file))
        .await
        .map_err(store_error)
}
