//! 体质健康 results: one term's records from the national template or the code-name layout
//! (CSV or XLSX), read by `wuyu_ingest`, then matched by 学籍号, scored and written by the
//! store in one transaction.
use time::Date;
use wuyu_domain::{FitnessBatch, Term};
use wuyu_ingest::{FitnessRead, read_fitness_batch};
use wuyu_store::FitnessImportSummary;

use crate::file::UploadedFile;
use crate::import::{
    ImportActor, ImportOutcome, ImportPreview, ReadCount, ReadNotes, finish, first, meta,
};
use crate::{Service, ServiceError};

/// Reads and checks `file` as records of `term`; writes nothing. A row's test date is its
/// 测试日期 cell, else `default_date`. Warnings are implausible but importable values.
pub fn preview_fitness(
    file: &UploadedFile,
    term: Term,
    default_date: Option<Date>,
) -> Result<ImportPreview<FitnessBatch>, ServiceError> {
    let read = read(file, term, default_date)?;
    Ok(ImportPreview {
        counts: vec![ReadCount {
            kind: "records",
            n: read.batch.len(),
        }],
        sample: FitnessBatch {
            records: first(&read.batch.records),
        },
        errors: read.errors,
        warnings: read.warnings,
        notes: ReadNotes::default(),
    })
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
    let read = read(file, term, default_date)?;
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

pub(crate) fn read(
    file: &UploadedFile,
    term: Term,
    default_date: Option<Date>,
) -> Result<FitnessRead, ServiceError> {
    read_fitness_batch(&file.name, &file.bytes, term, default_date)
        .map_err(|e| ServiceError::BadRequest(e.to_string()))
}
