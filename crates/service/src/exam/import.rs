//! 考试 imports: an exam's score sheet (one column per subject) or one subject's item points
//! with its 双向细目表, read by `wuyu_ingest` against the exam's definition, then resolved by
//! 学籍号 and written by the store in one transaction that recomputes the exam's statistics.
use wuyu_domain::{Exam, ExamId, ExamItemBatch, ExamScoreBatch, RowError, Scope, StudentNo};
use wuyu_ingest::{
    CandidateNumbers, ExamItemsRead, ExamScoresRead, IngestError, TemplateStudent,
    read_exam_candidates, read_exam_items_keyed, read_exam_scores_keyed,
    write_exam_score_template_for,
};
use wuyu_store::{CandidateImportSummary, ExamImportSummary};

use crate::file::UploadedFile;
use crate::import::{
    ImportActor, ImportOutcome, ImportPreview, ReadCount, ReadNotes, file_error, finish, first,
    meta, name_mismatches,
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
    let candidates = candidate_numbers(svc, &exam).await?;
    let read = read_scores(file, &exam, &candidates)?;
    Ok(scores_preview(file, &read))
}

/// The preview of a score sheet already read.
pub(crate) fn scores_preview(
    file: &UploadedFile,
    read: &ExamScoresRead,
) -> ImportPreview<ExamScoreBatch> {
    ImportPreview {
        counts: vec![ReadCount {
            kind: "rows",
            n: read.batch.rows.len(),
        }],
        sample: ExamScoreBatch {
            exam: read.batch.exam,
            subjects: read.batch.subjects.clone(),
            rows: first(&read.batch.rows),
        },
        errors: scores_errors(file, read),
        warnings: Vec::new(),
        notes: scores_notes(read),
    }
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
    let candidates = candidate_numbers(svc, &exam).await?;
    let read = read_scores(file, &exam, &candidates)?;
    let notes = scores_notes(&read);
    let mut errors = scores_errors(file, &read);
    if errors.is_empty() {
        errors = name_mismatches(svc, file, &read.names).await?;
    }
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
    let candidates = candidate_numbers(svc, &exam).await?;
    let read = read_items(file, &exam, subject, blueprint, None, &candidates)?;
    Ok(items_preview(file, &read))
}

/// The preview of an item sheet already read.
pub(crate) fn items_preview(
    file: &UploadedFile,
    read: &ExamItemsRead,
) -> ImportPreview<ExamItemBatch> {
    ImportPreview {
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
            exam: read.batch.exam,
            subject: read.batch.subject.clone(),
            items: read.batch.items.clone(),
            rows: first(&read.batch.rows),
        },
        errors: items_errors(file, read),
        warnings: Vec::new(),
        notes: items_notes(read),
    }
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
    let candidates = candidate_numbers(svc, &exam).await?;
    let read = read_items(file, &exam, subject, blueprint, Some(who), &candidates)?;
    let notes = items_notes(&read);
    let mut errors = items_errors(file, &read);
    if errors.is_empty() {
        errors = name_mismatches(svc, file, &read.names).await?;
    }
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

/// The exam's 考号 list, for sheets that carry 考号 instead of 学籍号.
pub(crate) async fn candidate_numbers(
    svc: &Service,
    exam: &Exam,
) -> Result<CandidateNumbers, ServiceError> {
    let pairs = svc.store().exam_candidates(exam.id).await?;
    let mut list = Vec::with_capacity(pairs.len());
    for (candidate_no, student_no) in pairs {
        let no = StudentNo::parse(&student_no)
            .map_err(|e| ServiceError::Internal(format!("student.student_no: {e}")))?;
        list.push((candidate_no, no));
    }
    Ok(CandidateNumbers::new(list))
}

/// Reads, checks and imports an exam's 考号 list (学籍号 and 考号 columns) as `who`,
/// replacing the list it had. A 姓名 column is checked against the roster.
pub async fn import_exam_candidates(
    svc: &Service,
    who: &ImportActor,
    exam: ExamId,
    file: &UploadedFile,
) -> Result<ImportOutcome<CandidateImportSummary>, ServiceError> {
    let exam = find_exam(svc, exam).await?;
    let read = read_exam_candidates(&file.bytes, &file.name)
        .map_err(|e| ServiceError::BadRequest(format!("{}：{e}", file.name)))?;
    let notes = ReadNotes {
        encoding: read.encoding,
        sheet: read.sheet.clone(),
        rows_read: read.rows.len(),
        ..ReadNotes::default()
    };
    let mut errors = read.errors;
    if errors.is_empty() {
        errors = name_mismatches(svc, file, &read.names).await?;
    }
    if !errors.is_empty() {
        return Ok(ImportOutcome::Rejected {
            errors,
            warnings: Vec::new(),
            notes,
        });
    }
    let written = svc
        .store()
        .import_exam_candidates(exam.id, &read.rows, &meta(who, file))
        .await;
    finish(written, Vec::new(), notes)
}

/// The score template of an exam (XLSX). With `candidate_numbers`, pre-filled with every
/// student of the exam's grade and a 考号 column, generating the exam's 考号 list first if it
/// has none (so the marking system's 考号 export can be imported).
pub async fn score_template(
    svc: &Service,
    exam: ExamId,
    candidate_numbers: bool,
) -> Result<Vec<u8>, ServiceError> {
    let exam = find_exam(svc, exam).await?;
    let students: Vec<TemplateStudent> = if candidate_numbers {
        svc.store()
            .exam_template_students(exam.id, true)
            .await?
            .into_iter()
            .map(|s| TemplateStudent {
                student_no: s.student_no,
                name: s.name,
                class_name: s.class_name,
                candidate_no: s.candidate_no,
            })
            .collect()
    } else {
        Vec::new()
    };
    write_exam_score_template_for(&exam, &students)
        .map_err(|e| ServiceError::Internal(e.to_string()))
}

pub(crate) fn read_scores(
    file: &UploadedFile,
    exam: &Exam,
    candidates: &CandidateNumbers,
) -> Result<ExamScoresRead, ServiceError> {
    read_exam_scores_keyed(&file.bytes, &file.name, exam, candidates)
        .map_err(|e| ServiceError::BadRequest(format!("{}：{e}", file.name)))
}

pub(crate) fn read_items(
    file: &UploadedFile,
    exam: &Exam,
    subject: &str,
    blueprint: Option<&UploadedFile>,
    who: Option<&ImportActor>,
    candidates: &CandidateNumbers,
) -> Result<ExamItemsRead, ServiceError> {
    let blueprint = blueprint.map(|b| (b.bytes.as_slice(), b.name.as_str()));
    read_exam_items_keyed(
        &file.bytes,
        &file.name,
        exam,
        subject,
        blueprint,
        candidates,
    )
    .map_err(|e| {
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
