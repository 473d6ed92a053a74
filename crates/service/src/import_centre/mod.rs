//! 导入中心 (the import centre): the browser's way to the same imports the CLI runs. A file is
//! uploaded and *held* (nothing is imported), previewed (counts, the first rows as read, every
//! row error with a suggested fix, downloadable as an XLSX with the bad cells marked), then
//! confirmed: the one import use case of its kind runs as the uploader, so the browser and the
//! CLI give the same result for the same file. Every upload stays in the history with its file.
//!
//! Who: [`Capability::ManageImports`]. A district admin imports for the whole district; a
//! school admin only for their school: a roster row of another school, or a 学籍号 that is not
//! a student of theirs, is a row error like any other.
mod check;
mod kind;
mod reading;
mod sample;

use serde::Serialize;
use wuyu_domain::{Capability, RowError, SchoolId, Scope, Viewer};
use wuyu_ingest::{IngestError, check_unpacked_size};
use wuyu_report::import_errors::{ErrorLine, SheetCopy, import_errors_xlsx};
use wuyu_store::{
    AuditEntry, NewUpload, StoreError, UndoSummary, UploadEntry, UploadResult, UploadStatus,
};

pub use kind::{ImportKind, ImportParams};
pub(crate) use reading::Readings;
pub use sample::SampleTable;

use crate::audit::Requester;
use crate::file::UploadedFile;
use crate::import::{ImportActor, ImportOutcome, ReadNotes};
use crate::{Service, ServiceError};
use kind::Checked;
use reading::{Reading, off_runtime};

/// The largest file the centre takes (bytes). Bigger district files are split by school.
pub const MAX_UPLOAD_BYTES: usize = 20 * 1024 * 1024;
/// The most an XLSX may inflate to (bytes): a real 20 MB workbook stays far below it, a
/// decompression bomb does not.
pub const MAX_UNPACKED_BYTES: u64 = 200 * 1024 * 1024;
/// How long a held upload waits for confirm (seconds).
pub const HOLD_SECS: i64 = 2 * 60 * 60;
/// History entries shown.
pub const HISTORY_ROWS: i64 = 200;

/// The Chinese message for an upload over [`MAX_UPLOAD_BYTES`].
pub fn too_large_zh() -> String {
    format!(
        "文件超过 {} MB 的上传限制，未保存。请按学校或年级拆分后分别上传",
        MAX_UPLOAD_BYTES / (1024 * 1024)
    )
}

/// A held upload as its preview page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct CentrePreview {
    pub entry: UploadEntry,
    pub kind: ImportKind,
    pub params: ImportParams,
    /// Why the file cannot be read at all (then there are no counts or rows).
    pub unreadable: Option<String>,
    /// Records read per kind, with Chinese labels (学生 120 …).
    pub counts: Vec<(&'static str, usize)>,
    pub sample: SampleTable,
    pub errors: Vec<ErrorRow>,
    pub warnings: Vec<RowError>,
    pub notes: ReadNotes,
    /// Still being read and checked in the background: no counts or errors yet.
    pub reading: bool,
}

impl CentrePreview {
    /// May it be confirmed: held, read, readable and without row errors.
    pub fn confirmable(&self) -> bool {
        self.entry.status == UploadStatus::Pending
            && !self.reading
            && self.unreadable.is_none()
            && self.errors.is_empty()
    }
}

/// How long a preview waits for its reading before it shows "正在读取": a usual file is
/// ready by then, so its page shows the result at once.
const PREVIEW_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

/// A row error with what to do about it.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorRow {
    #[serde(flatten)]
    pub error: RowError,
    pub fix: String,
}

/// The school an admin imports for (`None`: the district), or `Forbidden`.
fn importer_school(viewer: &Viewer) -> Result<Option<SchoolId>, ServiceError> {
    if !viewer.can(Capability::ManageImports) {
        return Err(ServiceError::Forbidden);
    }
    match viewer.scope {
        Scope::District => Ok(None),
        Scope::School { school_id } => Ok(Some(school_id)),
        _ => Err(ServiceError::Forbidden),
    }
}

/// The size and decompression caps, with Chinese messages.
pub fn check_limits(file: &UploadedFile) -> Result<(), ServiceError> {
    if file.bytes.len() > MAX_UPLOAD_BYTES {
        return Err(ServiceError::BadRequest(too_large_zh()));
    }
    if file.bytes.is_empty() {
        return Err(ServiceError::BadRequest(IngestError::EmptyFile.to_string()));
    }
    check_unpacked_size(&file.name, &file.bytes, MAX_UNPACKED_BYTES)
        .map_err(|e| ServiceError::BadRequest(format!("{}：{e}", file.name)))
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn new_token() -> Result<String, ServiceError> {
    let mut b = [0u8; 24];
    getrandom::fill(&mut b).map_err(|e| ServiceError::Internal(format!("random: {e}")))?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

/// Checks `file` against the limits and the kind's options and holds it for confirm; returns
/// its token. Nothing is imported. `BadRequest` carries the Chinese reason.
pub async fn hold(
    svc: &Service,
    viewer: &Viewer,
    kind: ImportKind,
    params: &ImportParams,
    file: &UploadedFile,
) -> Result<String, ServiceError> {
    let school = importer_school(viewer)?;
    check_limits(file)?;
    match params.check(kind)? {
        Checked::ExamScores { exam } | Checked::ExamItems { exam, .. } => {
            visible_exam(svc, viewer, exam).await?;
        }
        Checked::Activities { .. } | Checked::Art { .. } => {
            archive_school(svc, viewer, params).await?;
        }
        Checked::Roster
        | Checked::Fitness { .. }
        | Checked::StaffTraining
        | Checked::StaffTitles => {}
    }
    let store = svc.store();
    store.expire_uploads(now()).await?;
    let token = new_token()?;
    let at = now();
    store
        .hold_upload(&NewUpload {
            token: token.clone(),
            kind: kind.code().to_string(),
            params: serde_json::to_string(params)
                .map_err(|e| ServiceError::Internal(format!("params: {e}")))?,
            school_id: school,
            user_id: viewer.user.id,
            username: viewer.user.username.clone(),
            file_name: file.name.clone(),
            file_sha256: file.sha256(),
            file: file.bytes.clone(),
            uploaded_at: at,
            expires_at: at + HOLD_SECS,
        })
        .await?;
    Ok(token)
}

/// The exam, if the viewer's school sat it; a Chinese `BadRequest` otherwise.
async fn visible_exam(
    svc: &Service,
    viewer: &Viewer,
    exam: wuyu_domain::ExamId,
) -> Result<wuyu_domain::Exam, ServiceError> {
    match crate::exam::exam(svc, viewer, exam).await {
        Ok(e) => Ok(e),
        Err(ServiceError::NotFound | ServiceError::Forbidden) => Err(ServiceError::BadRequest(
            "没有这场考试，或本校没有参加这场考试".into(),
        )),
        Err(e) => Err(e),
    }
}

/// The school an archive file is for: a school admin's own; a district admin names it by
/// 学校代码 (archive files carry only 学籍号).
async fn archive_school(
    svc: &Service,
    viewer: &Viewer,
    params: &ImportParams,
) -> Result<SchoolId, ServiceError> {
    if let Some(own) = importer_school(viewer)? {
        return Ok(own);
    }
    let code = params.school.trim();
    if code.is_empty() {
        return Err(ServiceError::BadRequest(
            "请填写文件所属学校的学校代码".into(),
        ));
    }
    svc.store()
        .school_by_code(code)
        .await?
        .ok_or_else(|| ServiceError::BadRequest(format!("学校代码“{code}”不存在")))
}

/// Reads an archive file; a file that cannot be read at all is a Chinese `BadRequest`.
fn archive_unreadable(file: &UploadedFile, e: IngestError) -> ServiceError {
    ServiceError::BadRequest(format!("{}：{e}", file.name))
}

/// The held upload a token names, if it is the viewer's own (a token leaked to someone else
/// opens nothing).
async fn held(
    svc: &Service,
    viewer: &Viewer,
    token: &str,
) -> Result<(UploadEntry, UploadedFile, ImportKind, ImportParams), ServiceError> {
    importer_school(viewer)?;
    let (entry, bytes) = svc
        .store()
        .held_upload(token)
        .await?
        .filter(|(e, _)| e.user_id == viewer.user.id)
        .ok_or(ServiceError::NotFound)?;
    let kind = ImportKind::from_code(&entry.kind).ok_or_else(|| {
        ServiceError::Internal(format!("upload {}: kind {}", entry.id, entry.kind))
    })?;
    let params: ImportParams = serde_json::from_str(&entry.params)
        .map_err(|e| ServiceError::Internal(format!("upload {}: params {e}", entry.id)))?;
    let file = UploadedFile::new(entry.file_name.clone(), bytes);
    Ok((entry, file, kind, params))
}

/// What a held file reads as: counts, sample, every row error (the reader's and the scope
/// check's), or why it cannot be read.
pub(crate) struct Read {
    counts: Vec<(&'static str, usize)>,
    sample: SampleTable,
    errors: Vec<RowError>,
    warnings: Vec<RowError>,
    notes: ReadNotes,
}

async fn read_held(
    svc: &Service,
    viewer: &Viewer,
    kind: ImportKind,
    params: &ImportParams,
    file: &UploadedFile,
) -> Result<Read, ServiceError> {
    let school = importer_school(viewer)?;
    let scope = check::SchoolCheck::new(svc, viewer, school).await?;
    let checked = params.check(kind)?;
    let read = match checked {
        Checked::Roster => {
            // Read once: the preview and the scope checks look at the same rows.
            let read = crate::roster::import::read(file, scope.default_school())?;
            let p = crate::roster::import::preview_of(file, &read);
            // The store's reference check too, so the preview lists what the confirm would.
            let refs = crate::roster::import::reference_errors(svc, file, &read).await?;
            let errors = [p.errors, scope.roster_errors(file, &read.batch), refs].concat();
            read_of(
                p.counts,
                sample::roster(&read.batch),
                errors,
                p.warnings,
                p.notes,
            )
        }
        Checked::Fitness { term, test_date } => {
            let mut read = crate::fitness::import::read(file, term, test_date)?;
            let p = crate::fitness::import::preview_of(file, &mut read);
            let records = read.batch.records.iter();
            let outside =
                scope.student_errors(file, records.map(|r| (&r.origin, r.student_no.as_str())));
            let errors = [p.errors, outside].concat();
            read_of(
                p.counts,
                sample::fitness(&read.batch),
                errors,
                p.warnings,
                p.notes,
            )
        }
        Checked::ExamScores { exam } => {
            let exam = visible_exam(svc, viewer, exam).await?;
            let candidates = crate::exam::import::candidate_numbers(svc, &exam).await?;
            let read = crate::exam::import::read_scores(file, &exam, &candidates)?;
            let p = crate::exam::import::scores_preview(file, &read);
            let rows = read.batch.rows.iter();
            let outside =
                scope.student_errors(file, rows.map(|r| (&r.origin, r.student_no.as_str())));
            let errors = [p.errors, outside].concat();
            read_of(
                p.counts,
                sample::exam_scores(&read.batch),
                errors,
                p.warnings,
                p.notes,
            )
        }
        Checked::ExamItems { exam, subject } => {
            let exam = visible_exam(svc, viewer, exam).await?;
            let candidates = crate::exam::import::candidate_numbers(svc, &exam).await?;
            let read =
                crate::exam::import::read_items(file, &exam, &subject, None, None, &candidates)?;
            let p = crate::exam::import::items_preview(file, &read);
            let rows = read.batch.rows.iter();
            let outside =
                scope.student_errors(file, rows.map(|r| (&r.origin, r.student_no.as_str())));
            let errors = [p.errors, outside].concat();
            read_of(
                p.counts,
                sample::exam_items(&read.batch),
                errors,
                p.warnings,
                p.notes,
            )
        }
        Checked::Activities { term } => {
            let own = archive_school(svc, viewer, params).await?;
            let own = check::SchoolCheck::new(svc, viewer, Some(own)).await?;
            let read = wuyu_ingest::archive::read_activities(&file.bytes, &file.name, term)
                .map_err(|e| archive_unreadable(file, e))?;
            let rows = read.rows.iter();
            let outside =
                own.student_errors(file, rows.map(|r| (&r.origin, r.student_no.as_str())));
            archive_read(
                ("写实记录", read.rows.len()),
                sample::activities(&read.rows),
                [read.errors, outside].concat(),
            )
        }
        Checked::Art { .. } => {
            let own = archive_school(svc, viewer, params).await?;
            let own = check::SchoolCheck::new(svc, viewer, Some(own)).await?;
            let read = wuyu_ingest::archive::read_art(&file.bytes, &file.name)
                .map_err(|e| archive_unreadable(file, e))?;
            let rows = read.rows.iter();
            let outside =
                own.student_errors(file, rows.map(|r| (&r.origin, r.student_no.as_str())));
            archive_read(
                ("艺术测评", read.rows.len()),
                sample::art(&read.rows),
                [read.errors, outside].concat(),
            )
        }
        Checked::StaffTraining => {
            let f = crate::staff::development::read_training_file(svc, school, file).await?;
            dev_read(
                &f,
                "training",
                &[
                    "行",
                    "学校代码",
                    "工号",
                    "培训项目",
                    "培训日期",
                    "学时",
                    "培训层级",
                ],
            )
        }
        Checked::StaffTitles => {
            let f = crate::staff::development::read_titles_file(svc, school, file).await?;
            dev_read(
                &f,
                "titles",
                &["行", "学校代码", "工号", "称号", "级别", "认定年度"],
            )
        }
    };
    Ok(read)
}

/// An archive file's read: one count, the sample, the row errors.
fn archive_read(count: (&'static str, usize), sample: SampleTable, errors: Vec<RowError>) -> Read {
    Read {
        notes: ReadNotes {
            rows_read: count.1 + errors.len(),
            ..ReadNotes::default()
        },
        counts: vec![count],
        sample,
        errors,
        warnings: Vec::new(),
    }
}

/// A development sheet's read as the preview shows it.
fn dev_read<T>(
    f: &crate::staff::development::DevFile<T>,
    kind: &'static str,
    headers: &[&str],
) -> Read {
    read_of(
        vec![crate::import::ReadCount {
            kind,
            n: f.records(),
        }],
        SampleTable {
            headers: headers.iter().map(|h| (*h).to_string()).collect(),
            rows: f.sample.clone(),
        },
        f.errors.clone(),
        Vec::new(),
        ReadNotes {
            sheet: f.sheet.clone(),
            rows_read: f.rows_read,
            ..ReadNotes::default()
        },
    )
}

/// A held upload's read, its counts labelled for the page.
fn read_of(
    counts: Vec<crate::import::ReadCount>,
    sample: SampleTable,
    errors: Vec<RowError>,
    warnings: Vec<RowError>,
    notes: ReadNotes,
) -> Read {
    Read {
        counts: labelled(&counts),
        sample,
        errors,
        warnings,
        notes,
    }
}

fn labelled(counts: &[crate::import::ReadCount]) -> Vec<(&'static str, usize)> {
    counts
        .iter()
        .map(|c| {
            let label = match c.kind {
                "schools" => "学校",
                "classes" => "班级",
                "students" => "学生",
                "teachers" => "教师",
                "assignments" => "任课",
                "records" => "体测记录",
                "items" => "小题",
                "training" => "培训记录",
                "titles" => "荣誉称号",
                _ => "学生行",
            };
            (label, c.n)
        })
        .collect()
}

/// What to do about one row error, in words a school admin follows.
pub fn fix_zh(e: &RowError) -> String {
    if e.row == 0 {
        "按提示修改文件（可先下载导入模板对照）后重新上传".into()
    } else if e.value.trim().is_empty() {
        format!("在第 {} 行的“{}”列填写正确的值", e.row, e.column)
    } else {
        format!(
            "把第 {} 行“{}”列的“{}”改为正确的值，或删除这一行",
            e.row, e.column, e.value
        )
    }
}

fn with_fixes(errors: Vec<RowError>) -> Vec<ErrorRow> {
    errors
        .into_iter()
        .map(|error| ErrorRow {
            fix: fix_zh(&error),
            error,
        })
        .collect()
}

/// The preview of the viewer's held upload `token`. A file that cannot be read at all is a
/// preview with `unreadable` set, so the page says why.
pub async fn preview(
    svc: &Service,
    viewer: &Viewer,
    token: &str,
) -> Result<CentrePreview, ServiceError> {
    let (entry, file, kind, params) = held(svc, viewer, token).await?;
    let mut preview = CentrePreview {
        entry,
        kind,
        params: params.clone(),
        unreadable: None,
        counts: Vec::new(),
        sample: SampleTable::default(),
        errors: Vec::new(),
        warnings: Vec::new(),
        notes: ReadNotes::default(),
        reading: false,
    };
    if preview.entry.status == UploadStatus::Expired {
        preview.unreadable = Some("上传已过期（超过 2 小时未确认），文件已删除，请重新上传".into());
        return Ok(preview);
    }
    let Some(read) = reading(svc, viewer, token, kind, &params, file).await? else {
        preview.reading = true;
        return Ok(preview);
    };
    match read.as_ref() {
        Ok(r) => {
            preview.counts = r.counts.clone();
            preview.sample = r.sample.clone();
            // A confirm the write rejected (e.g. an unknown class) found errors no read
            // finds: those are the ones to fix.
            let stored: Vec<RowError> = (!preview.entry.errors.is_empty())
                .then(|| serde_json::from_str(&preview.entry.errors).ok())
                .flatten()
                .unwrap_or_default();
            preview.errors = with_fixes(if stored.is_empty() {
                r.errors.clone()
            } else {
                stored
            });
            preview.warnings = r.warnings.clone();
            preview.notes = r.notes.clone();
        }
        Err(why) => preview.unreadable = Some(why.clone()),
    }
    Ok(preview)
}

/// The held file as read and checked: kept from an earlier preview, or read now on a
/// blocking thread. `None` while that takes longer than [`PREVIEW_WAIT`] (the reading goes
/// on; the next preview finds it).
async fn reading(
    svc: &Service,
    viewer: &Viewer,
    token: &str,
    kind: ImportKind,
    params: &ImportParams,
    file: UploadedFile,
) -> Result<Option<std::sync::Arc<Result<Read, String>>>, ServiceError> {
    if let Some(Reading::Done(r)) = svc.readings.get(token) {
        return Ok(Some(r));
    }
    if svc.readings.start(token) {
        let (svc, viewer, token, params) = (
            svc.clone(),
            viewer.clone(),
            token.to_string(),
            params.clone(),
        );
        let task = tokio::spawn(async move {
            let work = {
                let (svc, viewer) = (svc.clone(), viewer.clone());
                async move { read_held(&svc, &viewer, kind, &params, &file).await }
            };
            let outcome = match off_runtime(work).await {
                Ok(Ok(r)) => Some(Ok(r)),
                Ok(Err(ServiceError::BadRequest(why))) => Some(Err(why)),
                Ok(Err(e)) | Err(e) => {
                    tracing::warn!("reading upload {token}: {e}");
                    None
                }
            };
            svc.readings.finish(&token, outcome);
        });
        // The task goes on if the wait ends first.
        let _ = tokio::time::timeout(PREVIEW_WAIT, task).await;
    }
    Ok(match svc.readings.get(token) {
        Some(Reading::Done(r)) => Some(r),
        _ => None,
    })
}

/// The error file of a held upload: every row error with its fix, then the sheets as read
/// with the bad cells marked. Named after the upload.
pub async fn errors_xlsx(
    svc: &Service,
    viewer: &Viewer,
    token: &str,
) -> Result<(String, Vec<u8>), ServiceError> {
    let p = preview(svc, viewer, token).await?;
    if p.reading {
        return Err(ServiceError::Conflict(
            "文件还在读取和检查，请稍后再下载错误清单".into(),
        ));
    }
    let (_, file, _, _) = held(svc, viewer, token).await?;
    let lines: Vec<ErrorLine<'_>> = p
        .errors
        .iter()
        .map(|e| ErrorLine {
            error: &e.error,
            fix: e.fix.clone(),
        })
        .collect();
    let sheets = match wuyu_ingest::read_tables(&file.name, &file.bytes) {
        Ok(t) => t
            .tables
            .iter()
            .filter(|t| !t.header.is_empty())
            .map(|t| SheetCopy {
                name: t.name.clone(),
                header_row: t.header_row,
                header: t.header.clone(),
                rows: t
                    .rows()
                    .map(|r| (r.number, r.cells().map(str::to_string).collect()))
                    .collect(),
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    let bytes = import_errors_xlsx(&lines, &sheets)
        .map_err(|e| ServiceError::Internal(format!("error file: {e}")))?;
    let stem = file
        .name
        .rsplit_once('.')
        .map_or(file.name.as_str(), |(s, _)| s);
    Ok((format!("{stem}-错误清单.xlsx"), bytes))
}

/// What a confirm did.
#[derive(Debug, Clone, Serialize)]
pub struct Confirmed {
    pub entry: UploadEntry,
    pub kind: ImportKind,
    /// The row errors when it was rejected (nothing written).
    pub errors: Vec<ErrorRow>,
}

/// Imports the viewer's held upload `token` through its kind's one import use case, as the
/// viewer. Any row error (the reader's, the school check's, the store's) rejects the whole
/// file and nothing is written. `Conflict` when it is not waiting for confirm (confirmed
/// already, or expired).
pub async fn confirm(
    svc: &Service,
    viewer: &Viewer,
    token: &str,
) -> Result<Confirmed, ServiceError> {
    let (entry, file, kind, params) = held(svc, viewer, token).await?;
    let store = svc.store();
    if entry.expires_at < now() || !store.claim_upload(entry.id).await? {
        return Err(ServiceError::Conflict("upload is not pending".into()));
    }
    // Its status is about to change: a kept reading would describe the file as it was.
    svc.readings.forget(token);
    let result = {
        let (svc, viewer, id) = (svc.clone(), viewer.clone(), entry.id);
        off_runtime(async move { run(&svc, &viewer, id, kind, &params, &file).await })
            .await
            .and_then(|r| r)
    };
    let (status, counts, errors, import_id) = match result {
        Ok(r) => r,
        Err(e) => {
            // Nothing was written (each import is one transaction): record the failure.
            let failed = UploadResult {
                status: UploadStatus::Failed,
                counts: String::new(),
                errors: String::new(),
                error_count: 0,
                import_id: None,
                finished_at: now(),
            };
            store.finish_upload(entry.id, &failed).await?;
            return Err(e);
        }
    };
    store
        .finish_upload(
            entry.id,
            &UploadResult {
                status,
                counts,
                errors: if errors.is_empty() {
                    String::new()
                } else {
                    serde_json::to_string(&errors).unwrap_or_default()
                },
                error_count: errors.len() as i64,
                import_id,
                finished_at: now(),
            },
        )
        .await?;
    let (entry, _, _, _) = held(svc, viewer, token).await?;
    Ok(Confirmed {
        entry,
        kind,
        errors: with_fixes(errors),
    })
}

type RunResult = (UploadStatus, String, Vec<RowError>, Option<i64>);

/// Reads and checks again (the school check is the centre's own), then imports.
async fn run(
    svc: &Service,
    viewer: &Viewer,
    id: i64,
    kind: ImportKind,
    params: &ImportParams,
    file: &UploadedFile,
) -> Result<RunResult, ServiceError> {
    let store = svc.store();
    store.set_upload_stage(id, "validate").await?;
    let read = read_held(svc, viewer, kind, params, file).await?;
    if !read.errors.is_empty() {
        return Ok((UploadStatus::Rejected, String::new(), read.errors, None));
    }
    store.set_upload_stage(id, "write").await?;
    let who = ImportActor::User(viewer.user.username.clone());
    let school = importer_school(viewer)?;
    let check = check::SchoolCheck::new(svc, viewer, school).await?;
    Ok(match params.check(kind)? {
        Checked::Roster => outcome(
            crate::roster::import_roster(svc, &who, file, check.default_school()).await?,
            |s| s.import_id,
        ),
        Checked::Fitness { term, test_date } => outcome(
            crate::fitness::import_fitness(svc, &who, file, term, test_date).await?,
            |s| s.import_id,
        ),
        Checked::ExamScores { exam } => outcome(
            crate::exam::import::import_exam_scores(svc, &who, exam, file).await?,
            |s| s.import_id,
        ),
        Checked::ExamItems { exam, subject } => outcome(
            crate::exam::import::import_exam_items(svc, &who, exam, &subject, file, None).await?,
            |s| s.import_id,
        ),
        Checked::Activities { term } => {
            let own = archive_school(svc, viewer, params).await?;
            let name = viewer.user.username.as_str();
            archive_outcome(
                crate::archive::import_activities(svc, viewer, name, own, term, file).await,
            )?
        }
        Checked::Art { school_year } => {
            let own = archive_school(svc, viewer, params).await?;
            let name = viewer.user.username.as_str();
            archive_outcome(
                crate::archive::import_art(svc, viewer, name, own, school_year, file).await,
            )?
        }
        Checked::StaffTraining => {
            let f = crate::staff::development::read_training_file(svc, school, file).await?;
            let n = crate::staff::development::write_training(svc, &viewer.user.username, file, &f)
                .await?;
            dev_outcome("training", n)
        }
        Checked::StaffTitles => {
            let f = crate::staff::development::read_titles_file(svc, school, file).await?;
            let n = crate::staff::development::write_titles(svc, &viewer.user.username, file, &f)
                .await?;
            dev_outcome("titles", n)
        }
    })
}

/// An archive import's result as the history records it: rejected rows are a result, not a
/// failure.
fn archive_outcome(
    r: Result<wuyu_store::archive::ArchiveImportSummary, ServiceError>,
) -> Result<RunResult, ServiceError> {
    match r {
        Ok(s) => Ok((
            UploadStatus::Imported,
            serde_json::to_string(&s).unwrap_or_default(),
            Vec::new(),
            Some(s.import_id),
        )),
        Err(ServiceError::Rejected(rows)) => {
            Ok((UploadStatus::Rejected, String::new(), rows, None))
        }
        Err(e) => Err(e),
    }
}

/// A development sheet written: its count; no import id (it is not undone from the history).
fn dev_outcome(kind: &str, n: usize) -> RunResult {
    (
        UploadStatus::Imported,
        serde_json::json!({ kind: n }).to_string(),
        Vec::new(),
        None,
    )
}

fn outcome<S: Serialize>(o: ImportOutcome<S>, id: impl Fn(&S) -> i64) -> RunResult {
    match o {
        ImportOutcome::Imported { summary, .. } => (
            UploadStatus::Imported,
            serde_json::to_string(&summary).unwrap_or_default(),
            Vec::new(),
            Some(id(&summary)),
        ),
        ImportOutcome::Rejected { errors, .. } => {
            (UploadStatus::Rejected, String::new(), errors, None)
        }
    }
}

/// The import history the viewer's scope reaches (district: every upload; a school admin:
/// their school's), newest first.
pub async fn history(svc: &Service, viewer: &Viewer) -> Result<Vec<UploadEntry>, ServiceError> {
    importer_school(viewer)?;
    Ok(svc
        .store()
        .list_uploads(&viewer.scope, HISTORY_ROWS)
        .await?)
}

/// Undoes the import written from upload `id` (the history's 撤销 button): what it replaced
/// comes back, in one transaction with its audit entry. `NotFound` for an upload outside the
/// scope or one that imported nothing; `BadRequest` with the Chinese reason when the store
/// refuses (a later import of the same data, undone already, a roster import whose new
/// students already have results).
pub async fn undo(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    id: i64,
) -> Result<UndoSummary, ServiceError> {
    let school = importer_school(viewer)?;
    let uploads = svc
        .store()
        .list_uploads(&viewer.scope, HISTORY_ROWS)
        .await?;
    let entry = uploads
        .into_iter()
        .find(|u| u.id == id)
        .ok_or(ServiceError::NotFound)?;
    let import_id = entry.import_id.ok_or(ServiceError::NotFound)?;
    let audit = AuditEntry {
        at: now(),
        user_id: who.user_id,
        username: who.username.clone(),
        action: "undo_import".into(),
        school_id: school,
        entity: format!("import:{import_id}"),
        detail: format!("kind={} file={} upload={id}", entry.kind, entry.file_name),
        ip: who.ip.clone(),
    };
    svc.store()
        .undo_import(&viewer.scope, import_id, &audit)
        .await
        .map_err(|e| match e {
            StoreError::Refused(why) => ServiceError::BadRequest(why),
            other => other.into(),
        })
}

/// An upload's file as it was uploaded (student data: the edge audits the download).
pub async fn stored_file(
    svc: &Service,
    viewer: &Viewer,
    id: i64,
) -> Result<(UploadEntry, Vec<u8>), ServiceError> {
    importer_school(viewer)?;
    let (entry, bytes) = svc.store().upload_file(&viewer.scope, id).await?;
    if bytes.is_empty() {
        return Err(ServiceError::NotFound);
    }
    Ok((entry, bytes))
}

/// The template of a kind: the roster template, the national fitness template (blank), the
/// exam's score sheet; `NotFound` for item sheets (they come from the marking system).
pub async fn template(
    svc: &Service,
    viewer: &Viewer,
    kind: ImportKind,
    params: &ImportParams,
) -> Result<(String, Vec<u8>), ServiceError> {
    importer_school(viewer)?;
    let written = |r: Result<Vec<u8>, IngestError>| {
        r.map_err(|e| ServiceError::Internal(format!("template: {e}")))
    };
    match kind {
        ImportKind::Roster => Ok((
            "名册导入模板.xlsx".into(),
            written(wuyu_ingest::write_roster_template())?,
        )),
        ImportKind::Fitness => Ok((
            "体质健康导入模板.xlsx".into(),
            written(wuyu_ingest::write_fitness_template_xlsx(std::iter::empty()))?,
        )),
        ImportKind::ExamScores => {
            let Checked::ExamScores { exam } = params.check(kind)? else {
                return Err(ServiceError::NotFound);
            };
            let exam = visible_exam(svc, viewer, exam).await?;
            Ok((
                format!("{}-成绩导入模板.xlsx", exam.name),
                written(wuyu_ingest::write_exam_score_template(&exam))?,
            ))
        }
        ImportKind::ExamItems => Err(ServiceError::NotFound),
        ImportKind::Activities => Ok((
            "综合素质写实记录导入模板.xlsx".into(),
            written(wuyu_ingest::archive::write_archive_template(
                "写实记录",
                &wuyu_ingest::archive::RECORD_COLUMNS,
            ))?,
        )),
        ImportKind::Art => Ok((
            "艺术素质测评导入模板.xlsx".into(),
            written(wuyu_ingest::archive::write_archive_template(
                "艺术素质测评",
                &wuyu_ingest::archive::ART_COLUMNS,
            ))?,
        )),
        ImportKind::StaffTraining => Ok((
            "教师培训学时导入模板.xlsx".into(),
            written(wuyu_ingest::staff::write_dev_template(
                "培训学时",
                &wuyu_ingest::staff::TRAINING_COLUMNS,
                &[
                    "S001",
                    "T01",
                    "新课标解读",
                    "2025-03-15",
                    "8",
                    "普及",
                    "区教师发展中心",
                ],
            ))?,
        )),
        ImportKind::StaffTitles => Ok((
            "教师荣誉称号导入模板.xlsx".into(),
            written(wuyu_ingest::staff::write_dev_template(
                "荣誉称号",
                &wuyu_ingest::staff::TITLE_COLUMNS,
                &["S001", "T01", "骨干教师", "区级", "2024"],
            ))?,
        )),
    }
}
