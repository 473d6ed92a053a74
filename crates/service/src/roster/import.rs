//! 名册 (roster) imports: schools, classes, students, teachers and assignments from one CSV
//! (UTF-8 or GB18030) or XLSX file, read and checked by `wuyu_ingest`, then resolved and
//! written by the store in one transaction. Kept beside the `roster` read models rather than
//! inside them so the two grow independently.
use wuyu_domain::{RosterBatch, SchoolCode};
use wuyu_ingest::{RosterOptions, RosterRead, read_roster};
use wuyu_store::ImportSummary;

use crate::file::UploadedFile;
use crate::import::{
    ImportActor, ImportOutcome, ImportPreview, ReadCount, ReadNotes, finish, first, meta,
};
use crate::{Service, ServiceError};

/// Reads and checks `file`; writes nothing. `default_school`: the school of rows in sheets
/// without a 学校代码 column.
pub fn preview_roster(
    file: &UploadedFile,
    default_school: Option<SchoolCode>,
) -> Result<ImportPreview<RosterBatch>, ServiceError> {
    let read = read(file, default_school)?;
    let b = &read.batch;
    Ok(ImportPreview {
        counts: vec![
            ReadCount {
                kind: "schools",
                n: b.schools.len(),
            },
            ReadCount {
                kind: "classes",
                n: b.classes.len(),
            },
            ReadCount {
                kind: "students",
                n: b.students.len(),
            },
            ReadCount {
                kind: "teachers",
                n: b.teachers.len(),
            },
            ReadCount {
                kind: "assignments",
                n: b.assignments.len(),
            },
        ],
        sample: RosterBatch {
            schools: first(&b.schools),
            classes: first(&b.classes),
            students: first(&b.students),
            teachers: first(&b.teachers),
            assignments: first(&b.assignments),
        },
        errors: read.errors.clone(),
        warnings: Vec::new(),
        notes: notes(&read),
    })
}

/// Reads, checks and imports `file` as `who`. Any row error, the reader's or the store's
/// (an unknown school, a class of another school …), rejects the file; nothing is written.
pub async fn import_roster(
    svc: &Service,
    who: &ImportActor,
    file: &UploadedFile,
    default_school: Option<SchoolCode>,
) -> Result<ImportOutcome<ImportSummary>, ServiceError> {
    let read = read(file, default_school)?;
    let notes = notes(&read);
    if !read.errors.is_empty() {
        return Ok(ImportOutcome::Rejected {
            errors: read.errors,
            warnings: Vec::new(),
            notes,
        });
    }
    let written = svc
        .store()
        .import_roster(&read.batch, &meta(who, file))
        .await;
    finish(written, Vec::new(), notes)
}

pub(crate) fn read(
    file: &UploadedFile,
    default_school: Option<SchoolCode>,
) -> Result<RosterRead, ServiceError> {
    read_roster(&file.name, &file.bytes, &RosterOptions { default_school })
        .map_err(|e| ServiceError::BadRequest(format!("{}：{e}", file.name)))
}

fn notes(read: &RosterRead) -> ReadNotes {
    ReadNotes {
        encoding: read.encoding,
        rows_read: read.rows_read,
        ..ReadNotes::default()
    }
}
