//! 考试 imports: an exam's score sheet (one column per subject) or one subject's item points
//! with its 双向细目表, read by `wuyu_ingest` against the exam's definition, then resolved by
//! 学籍号 and written by the store in one transaction that recomputes the exam's statistics.
use wuyu_domain::{Exam, ExamId, ExamItemBatch, ExamScoreBatch, RowError, Scope};
use wuyu_ingest::{ExamItemsRead, ExamScoresRead, IngestError, read_exam_items, read_exam_scores};
use wuyu_store::ExamImportSummary;

use crate::file::UploadedFile;
use crate::import::{
    ImportActor, ImportOutcome, ImportPreview, ReadCount, ReadNotes, file_error, finish, first,
    meta,
};
use crate::{Service, ServiceError};

/// The row error of a score sheet without student rows (the CLI prints it beside the file name).
pub const NO_SCORE_ROWS: &str = "文件中没有学生成绩行，未导入";
/// The row error of an item sheet without student rows.
pub const NO_ITEM_ROWS: &str = "文件中没有学生得分行，未导入";
/// Added to a missing 双向细目表 when the operator imports at the command line.
const BLUEPRINT_HINT_CLI: &str = "；也可以用 --blueprint 文件 指定细目表";

/// Reads and checks a score sheet for `exam`; writes nothing. `NotFound` for an unknown exam.
pub async fn preview_exam_scores(
    svc: &Service,
    exam: ExamId,
    file: &UploadedFile,
) -> Result<ImportPreview<ExamScoreBatch>, ServiceError> {
    let exam = find_exam(svc, exam).await?;
    let read = read_scores(file, &exam)?;
    let notes = scores_notes(&read);
    let errors = scores_errors(file, &read);
    Ok(ImportPreview {
        counts: vec![ReadCount {
            kind: "rows",
            n: read.batch.rows.len(),
        }],
        sample: ExamScoreBatch {
            rows: first(&read.batch.rows),
            ..read.batch
        },
        errors,
        warnings: Vec::new(),
        notes,
    })
}

/// Reads, checks and imports a score sheet for `exam` as `who`: replaces these students'
/// marks in these subjects. A sheet without student rows is rejected like a bad row.
pub async fn import_exam_scores(
    svc: &Service,
    who: &ImportActor,
    exam: ExamId,
    file: &UploadedFile,
) -> Result<ImportOutcome<ExamImportSummary>, ServiceError> {
    let exam = find_exam(svc, exam).await?;
    let read = read_scores(file, &exam)?;
    let notes = scores_notes(&read);
    let errors = scores_errors(file, &read);
    if !errors.is_empty() {
        return Ok(rejected(errors, notes));
    }
    let written = svc
        .store()
        .import_exam_scores(&read.batch, &meta(who, file))
        .await;
    finish(written, Vec::new(), notes)
}

/// Reads and checks one subject's item points for `exam`; writes nothing. The 双向细目表 is
/// `blueprint` when given, else the file's worksheet named 双向细目表.
pub async fn preview_exam_items(
    svc: &Service,
    exam: ExamId,
    subject: &str,
    file: &UploadedFile,
    blueprint: Option<&UploadedFile>,
) -> Result<ImportPreview<ExamItemBatch>, ServiceError> {
    let exam = find_exam(svc, exam).await?;
    let read = read_items(file, &exam, subject, blueprint, None)?;
    let notes = items_notes(&read);
    let errors = items_errors(file, &read);
    Ok(ImportPreview {
        counts: vec![
            ReadCount {
                kind: "items",
                n: read.batch.items.len(),
            },
            ReadCount {
                kind: "rows",
                n: read.batch.rows.len(),
            },
        ],
        sample: ExamItemBatch {
            rows: first(&read.batch.rows),
            ..read.batch
        },
        errors,
        warnings: Vec::new(),
        notes,
    })
}

/// Reads, checks and imports one subject's item points (and its items) for `exam` as `who`;
/// each student's subject score becomes the sum of the points.
pub async fn import_exam_items(
    svc: &Service,
    who: &ImportActor,
    exam: ExamId,
    subject: &str,
    file: &UploadedFile,
    blueprint: Option<&UploadedFile>,
) -> Result<ImportOutcome<ExamImportSummary>, ServiceError> {
    let exam = find_exam(svc, exam).await?;
    let read = read_items(file, &exam, subject, blueprint, Some(who))?;
    let notes = items_notes(&read);
    let errors = items_errors(file, &read);
    if !errors.is_empty() {
        return Ok(rejected(errors, notes));
    }
    let written = svc
        .store()
        .import_exam_items(&read.batch, &meta(who, file))
        .await;
    finish(written, Vec::new(), notes)
}

/// Exams are district data: an import reads the definition unscoped, as the CLI does; who may
/// import is the edge's check (the capability table).
async fn find_exam(svc: &Service, exam: ExamId) -> Result<Exam, ServiceError> {
    Ok(svc.store().exam(&Scope::District, exam).await?)
}

fn rejected(errors: Vec<RowError>, notes: ReadNotes) -> ImportOutcome<ExamImportSummary> {
    ImportOutcome::Rejected {
        errors,
        warnings: Vec::new(),
        notes,
    }
}

pub(crate) fn read_scores(
    file: &UploadedFile,
    exam: &Exam,
) -> Result<ExamScoresRead, ServiceError> {
    read_exam_scores(&file.bytes, &file.name, exam)
        .map_err(|e| ServiceError::BadRequest(format!("{}：{e}", file.name)))
}

pub(crate) fn read_items(
    file: &UploadedFile,
    exam: &Exam,
    subject: &str,
    blueprint: Option<&UploadedFile>,
    who: Option<&ImportActor>,
) -> Result<ExamItemsRead, ServiceError> {
    let blueprint = blueprint.map(|b| (b.bytes.as_slice(), b.name.as_str()));
    read_exam_items(&file.bytes, &file.name, exam, subject, blueprint).map_err(|e| {
        // Only the command line has a --blueprint option to point at.
        let hint = match (&e, who) {
            (IngestError::NoBlueprint { .. }, Some(ImportActor::Operator(_))) => BLUEPRINT_HINT_CLI,
            _ => "",
        };
        ServiceError::BadRequest(format!("{}：{e}{hint}", file.name))
    })
}

/// The reader's errors, or a file-level one when no student row survived.
fn scores_errors(file: &UploadedFile, read: &ExamScoresRead) -> Vec<RowError> {
    if read.errors.is_empty() && read.batch.rows.is_empty() {
        return vec![file_error(file, &read.sheet, NO_SCORE_ROWS.into())];
    }
    read.errors.clone()
}

fn items_errors(file: &UploadedFile, read: &ExamItemsRead) -> Vec<RowError> {
    if read.errors.is_empty() && read.batch.rows.is_empty() {
        return vec![file_error(file, &read.sheet, NO_ITEM_ROWS.into())];
    }
    read.errors.clone()
}

fn scores_notes(read: &ExamScoresRead) -> ReadNotes {
    ReadNotes {
        encoding: read.encoding,
        sheet: read.sheet.clone(),
        rows_read: read.rows_read,
        ignored_columns: read.ignored_columns.clone(),
        subjects: read.batch.subjects.clone(),
        ..ReadNotes::default()
    }
}

fn items_notes(read: &ExamItemsRead) -> ReadNotes {
    ReadNotes {
        encoding: read.encoding,
        sheet: read.sheet.clone(),
        rows_read: read.rows_read,
        ignored_columns: read.ignored_columns.clone(),
        blank_rows: read.blank_rows.clone(),
        blueprint_source: Some(read.blueprint_source.clone()),
        items: Some(read.batch.items.len()),
        subjects: vec![read.batch.subject.clone()],
    }
}
