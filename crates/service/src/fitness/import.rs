//! 体质健康 results: one term's records from the national template or the code-name layout
//! (CSV or XLSX), read by `wuyu_ingest`, then matched by 学籍号, scored and written by the
//! store in one transaction.
use time::Date;
use wuyu_domain::{FitnessBatch, Term};
use wuyu_ingest::{FitnessRead, read_fitness_batch};
use wuyu_store::FitnessImportSummary;

use crate::file::UploadedFile;
use crate::import::{
    ImportActor, ImportOutcome, ImportPreview, ReadCount, ReadNotes, file_error, finish, first,
    meta, name_mismatches,
};
use crate::{Service, ServiceError};

/// The row error of a fitness file without student rows (headers only).
pub const NO_FITNESS_ROWS: &str = "文件中没有学生体测成绩行（只有表头或全是空行），未导入";

/// Reads and checks `file` as records of `term`; writes nothing. A row's test date is its
/// 测试日期 cell, else `default_date`. Warnings are implausible but importable values.
pub fn preview_fitness(
    file: &UploadedFile,
    term: Term,
    default_date: Option<Date>,
) -> Result<ImportPreview<FitnessBatch>, ServiceError> {
    let mut read = read(file, term, default_date)?;
    Ok(preview_of(file, &mut read))
}

/// The preview of records already read; an empty file gets its error here.
pub(crate) fn preview_of(
    file: &UploadedFile,
    read: &mut FitnessRead,
) -> ImportPreview<FitnessBatch> {
    refuse_empty(file, read);
    ImportPreview {
        counts: vec![ReadCount {
            kind: "records",
            n: read.batch.len(),
        }],
        sample: FitnessBatch {
            records: first(&read.batch.records),
        },
        errors: read.errors.clone(),
        warnings: read.warnings.clone(),
        notes: ReadNotes::default(),
    }
}

/// Reads, checks, scores and imports `file` as `who`. Any row error, the reader's or the
/// store's (an unknown 学籍号, sex or grade against the roster), rejects the file.
pub async fn import_fitness(
    svc: &Service,
    who: &ImportActor,
    file: &UploadedFile,
    term: Term,
    default_date: Option<Date>,
) -> Result<ImportOutcome<FitnessImportSummary>, ServiceError> {
    let mut read = read(file, term, default_date)?;
    refuse_empty(file, &mut read);
    if read.errors.is_empty() {
        read.errors = name_mismatches(svc, file, &read.names).await?;
    }
    if !read.errors.is_empty() {
        return Ok(ImportOutcome::Rejected {
            errors: read.errors,
            warnings: read.warnings,
            notes: ReadNotes::default(),
        });
    }
    let written = svc
        .store()
        .import_fitness(&read.batch, &meta(who, file))
        .await;
    finish(written, read.warnings, ReadNotes::default())
}

/// A file that read cleanly but holds no record is an error, not "导入成功 0".
fn refuse_empty(file: &UploadedFile, read: &mut FitnessRead) {
    if read.errors.is_empty() && read.batch.records.is_empty() {
        read.errors
            .push(file_error(file, "", NO_FITNESS_ROWS.into()));
    }
}

pub(crate) fn read(
    file: &UploadedFile,
    term: Term,
    default_date: Option<Date>,
) -> Result<FitnessRead, ServiceError> {
    read_fitness_batch(&file.name, &file.bytes, term, default_date)
        .map_err(|e| ServiceError::BadRequest(e.to_string()))
}
