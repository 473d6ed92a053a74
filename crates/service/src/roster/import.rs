//! 名册 (roster) imports: schools, classes, students, teachers and assignments from one CSV
//! (UTF-8 or GB18030) or XLSX file, read and checked by `wuyu_ingest`, then resolved and
//! written by the store in one transaction. Kept beside the `roster` read models rather than
//! inside them so the two grow independently.
use wuyu_domain::{RosterBatch, SchoolCode};
use wuyu_ingest::{RosterOptions, RosterRead, read_roster};
use wuyu_store::ImportSummary;

use crate::file::UploadedFile;
use crate::import::{
    ImportActor, ImportOutcome, ImportPreview, ReadCount, ReadNotes, file_error, finish, first,
    meta,
};
use crate::{Service, ServiceError};

/// The row error of a roster file without data rows (headers only): an error, never
/// "导入成功 0".
pub const NO_ROSTER_ROWS: &str = "文件中没有数据行（只有表头或全是空行），未导入";

/// Reads and checks `file`; writes nothing. `default_school`: the school of rows in sheets
/// without a 学校代码 column.
pub fn preview_roster(
    file: &UploadedFile,
    default_school: Option<SchoolCode>,
) -> Result<ImportPreview<RosterBatch>, ServiceError> {
    Ok(preview_of(file, &read(file, default_school)?))
}

/// The preview of a roster already read (the import centre reads once for both this and its
/// scope checks).
pub(crate) fn preview_of(file: &UploadedFile, read: &RosterRead) -> ImportPreview<RosterBatch> {
    let b = &read.batch;
    ImportPreview {
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
        errors: errors(file, read),
        warnings: Vec::new(),
        notes: notes(read),
    }
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
    let mut errors = errors(file, &read);
    if !errors.is_empty() {
        // One pass: the clean rows' reference problems (an unknown class …) are listed with
        // the cell errors, so a broken file needs one round of fixes, not three.
        errors.extend(reference_errors(svc, file, &read).await?);
        return Ok(ImportOutcome::Rejected {
            errors,
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

/// The store's reference errors for the rows that passed the reader, assuming the rows it
/// left out (whose own errors are already listed) will be fixed.
pub(crate) async fn reference_errors(
    svc: &Service,
    file: &UploadedFile,
    read: &RosterRead,
) -> Result<Vec<wuyu_domain::RowError>, ServiceError> {
    if read.batch.is_empty() {
        return Ok(Vec::new());
    }
    Ok(svc
        .store()
        .check_roster(&read.batch, &read.broken, &file.name)
        .await?)
}

pub(crate) fn read(
    file: &UploadedFile,
    default_school: Option<SchoolCode>,
) -> Result<RosterRead, ServiceError> {
    read_roster(&file.name, &file.bytes, &RosterOptions { default_school })
        .map_err(|e| ServiceError::BadRequest(format!("{}：{e}", file.name)))
}

/// The reader's errors, or a file-level one when the file has no data row at all.
fn errors(file: &UploadedFile, read: &RosterRead) -> Vec<wuyu_domain::RowError> {
    let b = &read.batch;
    let empty = b.schools.is_empty()
        && b.classes.is_empty()
        && b.students.is_empty()
        && b.teachers.is_empty()
        && b.assignments.is_empty();
    if read.errors.is_empty() && empty {
        return vec![file_error(file, "", NO_ROSTER_ROWS.into())];
    }
    read.errors.clone()
}

fn notes(read: &RosterRead) -> ReadNotes {
    ReadNotes {
        encoding: read.encoding,
        rows_read: read.rows_read,
        ..ReadNotes::default()
    }
}
