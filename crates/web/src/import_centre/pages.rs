//! The import centre's pages and downloads.
use askama::Template;
use axum::body::{Body, to_bytes};
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use time::OffsetDateTime;
use wuyu_domain::{Term, TermPart};
use wuyu_service::ServiceError;
use wuyu_service::export::{Cell, Table, count, text};
use wuyu_service::file::UploadedFile;
use wuyu_service::import_centre::{
    self as centre, CentrePreview, ImportKind, ImportParams, MAX_UPLOAD_BYTES, SampleTable,
};
use wuyu_service::store_types::{UploadEntry, UploadStatus};

use super::multipart;
use super::{XLSX, content_type_of, download};
use crate::access::{Require, cap};
use crate::audit;
use crate::auth::{ClientIp, CurrentUser};
use crate::error::AppError;
use crate::export;
use crate::pages::path_ids;
use crate::state::AppState;
use crate::view::{Chrome, format_time, render};

type Importer = Require<cap::ManageImports>;

/// Room for the form's other fields and the multipart framing around the file.
const FRAMING: usize = 64 * 1024;

fn kind_of(p: Result<Path<String>, PathRejection>) -> Result<ImportKind, AppError> {
    let code = path_ids(p)?;
    ImportKind::from_code(&code).ok_or(AppError::NotFound)
}

// --- the centre: kinds and history -----------------------------------------------------------

pub(crate) struct KindLink {
    pub href: String,
    pub label: &'static str,
}

pub(crate) struct HistoryLine {
    pub at: String,
    pub kind: &'static str,
    pub file_name: String,
    pub sha_short: String,
    pub sha256: String,
    pub username: String,
    pub status: &'static str,
    pub status_code: &'static str,
    pub counts: String,
    pub error_count: i64,
    pub preview_href: Option<String>,
    pub file_href: Option<String>,
    /// The 撤销 form's action, on an imported upload (the store decides whether it may).
    pub undo_href: Option<String>,
    /// Why an imported upload cannot be undone, when the page knows already.
    pub undo_note: Option<&'static str>,
}

/// The history table's columns in its XLSX: the page's, less the 文件 link, with the whole
/// fingerprint (the page shows its first 12 characters and the rest on hover).
const HISTORY_HEADERS: [&str; 9] = [
    "上传时间",
    "类型",
    "文件名",
    "上传人",
    "状态",
    "导入结果",
    "错误数",
    "文件指纹（SHA-256）",
    "撤销",
];

impl HistoryLine {
    fn cells(self) -> Vec<Cell> {
        let undo = match (self.undo_note, self.undo_href.is_some()) {
            (Some(note), _) => note,
            (None, true) => "可撤销",
            (None, false) => "—",
        };
        vec![
            text(self.at),
            text(self.kind),
            text(self.file_name),
            text(self.username),
            text(self.status),
            text(self.counts),
            count(self.error_count),
            text(self.sha256),
            text(undo),
        ]
    }
}

#[derive(Template)]
#[template(path = "imports.html")]
struct CentrePage {
    chrome: Chrome,
    kinds: Vec<KindLink>,
    history: Vec<HistoryLine>,
    scope_label: &'static str,
    export_href: &'static str,
    /// What the last 撤销 did or why it was refused.
    notice: Option<String>,
}

pub(crate) async fn centre(
    State(state): State<AppState>,
    Require(me, _): Importer,
) -> Result<Response, AppError> {
    centre_page(&state, &me, None, StatusCode::OK).await
}

async fn centre_page(
    state: &AppState,
    me: &CurrentUser,
    notice: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let entries = centre::history(&state.svc, &me.viewer()).await?;
    let page = CentrePage {
        notice,
        chrome: Chrome::new(me, "/imports"),
        kinds: ImportKind::ALL
            .into_iter()
            .map(|k| KindLink {
                href: format!("/imports/{}", k.code()),
                label: k.label_zh(),
            })
            .collect(),
        history: entries.iter().map(|e| history_line(e, me)).collect(),
        scope_label: scope_label(me),
        export_href: "/imports/history.xlsx",
    };
    Ok((status, render(&page)?).into_response())
}

fn scope_label(me: &CurrentUser) -> &'static str {
    if me.scope.is_district() {
        "全区的导入记录"
    } else {
        "本校的导入记录"
    }
}

/// `/imports/history.xlsx`: the history table for the same admin (their school, or the
/// district), newest first. Capped: the store returns the same newest
/// [`centre::HISTORY_ROWS`] uploads the page lists, never the whole table.
pub(crate) async fn history_xlsx(
    State(state): State<AppState>,
    Require(me, _): Importer,
) -> Result<Response, AppError> {
    let entries = centre::history(&state.svc, &me.viewer()).await?;
    let what = scope_label(&me);
    export::table(Table {
        file_name: format!("{what}.xlsx"),
        sheet: "导入记录".into(),
        title: format!("{what}（从新到旧）"),
        headers: HISTORY_HEADERS.to_vec(),
        rows: entries
            .iter()
            .map(|e| history_line(e, &me).cells())
            .collect(),
    })
}

/// 撤销: undoes the import written from an upload (audited by the store with the undo) and
/// shows the history again, with what came back or the Chinese reason it was refused.
pub(crate) async fn undo(
    State(state): State<AppState>,
    Require(me, _): Importer,
    ClientIp(ip): ClientIp,
    p: Result<Path<i64>, PathRejection>,
) -> Result<Response, AppError> {
    let id = path_ids(p)?;
    let who = wuyu_service::audit::Requester::user(&me.user, &ip);
    match centre::undo(&state.svc, &me.viewer(), &who, id).await {
        Ok(done) => {
            let notice = format!(
                "已撤销：移除本次导入写入的 {} 条记录，恢复导入前的 {} 条记录。",
                done.removed, done.restored
            );
            centre_page(&state, &me, Some(notice), StatusCode::OK).await
        }
        Err(ServiceError::BadRequest(why)) => {
            centre_page(&state, &me, Some(why), StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}

fn history_line(e: &UploadEntry, me: &CurrentUser) -> HistoryLine {
    let kind = ImportKind::from_code(&e.kind);
    let imported = e.status == UploadStatus::Imported;
    let undo_note = match kind {
        // Training and title rows are keyed by teacher and course: an import merges into
        // what schools entered by hand, and nothing records what it replaced.
        Some(ImportKind::StaffTraining | ImportKind::StaffTitles) if imported => {
            Some("此类导入不能撤销，请上传修正后的文件")
        }
        _ if imported && e.journal_dropped => Some("之后的同类导入已写入同一学校，不能再撤销"),
        _ => None,
    };
    HistoryLine {
        at: format_time(e.uploaded_at),
        kind: kind.map_or("未知", ImportKind::label_zh),
        file_name: e.file_name.clone(),
        sha_short: e.file_sha256.chars().take(12).collect(),
        sha256: e.file_sha256.clone(),
        username: e.username.clone(),
        status: e.status.label_zh(),
        status_code: e.status.code(),
        counts: counts_zh(&e.counts),
        error_count: e.error_count,
        // The preview is the uploader's own page (the token is theirs).
        preview_href: (e.user_id == me.user.id).then(|| format!("/imports/uploads/{}", e.token)),
        file_href: (e.status != UploadStatus::Expired && e.file_size > 0)
            .then(|| format!("/imports/history/{}/file", e.id)),
        undo_href: (undo_note.is_none() && imported && e.import_id.is_some())
            .then(|| format!("/imports/history/{}/undo", e.id)),
        undo_note,
    }
}

/// An import's counts (the store's summary as JSON) in words: 新增学生 120，更新学生 3 ….
pub(crate) fn counts_zh(json: &str) -> String {
    const LABELS: [(&str, &str); 16] = [
        ("schools_added", "新增学校"),
        ("schools_updated", "更新学校"),
        ("classes_added", "新增班级"),
        ("students_added", "新增学生"),
        ("students_updated", "更新学生"),
        ("teachers_added", "新增教师"),
        ("teachers_updated", "更新教师"),
        ("assignments_written", "任课"),
        ("records_written", "体测记录"),
        ("complete", "完整记录"),
        ("incomplete", "缺项记录"),
        ("students", "学生"),
        ("marks", "成绩"),
        ("absent", "缺考"),
        ("schools", "学校"),
        ("items", "小题"),
    ];
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(json) else {
        return String::new();
    };
    LABELS
        .iter()
        .filter_map(|(key, label)| {
            let n = map.get(*key)?.as_u64()?;
            (n > 0).then(|| format!("{label} {n}"))
        })
        .collect::<Vec<_>>()
        .join("，")
}

// --- one kind: template and upload form ------------------------------------------------------

pub(crate) struct OptionView {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "import_kind.html")]
struct KindPage {
    chrome: Chrome,
    code: &'static str,
    label: &'static str,
    error: Option<String>,
    max_mb: usize,
    /// Fitness: terms to choose from.
    terms: Vec<OptionView>,
    /// Exams: the exams the caller's school sat.
    exams: Vec<OptionView>,
    /// Exam items: every subject of those exams.
    subjects: Vec<OptionView>,
    needs_term: bool,
    /// Fitness: a test date for rows without one.
    needs_test_date: bool,
    needs_exam: bool,
    needs_subject: bool,
    /// Art: the school year.
    needs_school_year: bool,
    school_year: String,
    /// Archive kinds uploaded by the district: the school the file is for.
    needs_school: bool,
    school: String,
    /// Roster and fitness have a template without options; exam scores need the exam.
    template_href: Option<String>,
}

/// The school year of today (2025 from August 2025 to July 2026).
fn this_school_year() -> i32 {
    let now = OffsetDateTime::now_utc();
    if u8::from(now.month()) >= 8 {
        now.year()
    } else {
        now.year() - 1
    }
}

/// The last three school years' terms, newest first; the current one selected.
fn term_options(selected: &str) -> Vec<OptionView> {
    let now = OffsetDateTime::now_utc();
    let year = now.year() as u16;
    let current = if u8::from(now.month()) >= 8 {
        Term::new(year, TermPart::Autumn)
    } else {
        Term::new(year.saturating_sub(1), TermPart::Spring)
    };
    let Ok(current) = current else {
        return Vec::new();
    };
    let mut terms = vec![current];
    for _ in 0..5 {
        let t = *terms.last().expect("one term");
        let prev = match t.part {
            TermPart::Spring => Term::new(t.school_year, TermPart::Autumn),
            TermPart::Autumn => Term::new(t.school_year.saturating_sub(1), TermPart::Spring),
        };
        match prev {
            Ok(p) => terms.push(p),
            Err(_) => break,
        }
    }
    let selected = if selected.is_empty() {
        current.code()
    } else {
        selected.to_string()
    };
    terms
        .into_iter()
        .map(|t| OptionView {
            selected: t.code() == selected,
            value: t.code(),
            label: t.label_zh(),
        })
        .collect()
}

async fn kind_view(
    state: &AppState,
    me: &CurrentUser,
    kind: ImportKind,
    params: &ImportParams,
    error: Option<String>,
) -> Result<KindPage, AppError> {
    let needs_exam = matches!(kind, ImportKind::ExamScores | ImportKind::ExamItems);
    let exams = if needs_exam {
        wuyu_service::exam::list(&state.svc, &me.viewer()).await?
    } else {
        Vec::new()
    };
    let mut subjects: Vec<String> = exams
        .iter()
        .flat_map(|e| e.exam.subjects.iter().map(|s| s.name.clone()))
        .collect();
    subjects.sort();
    subjects.dedup();
    Ok(KindPage {
        chrome: Chrome::new(me, "/imports"),
        code: kind.code(),
        label: kind.label_zh(),
        error,
        max_mb: MAX_UPLOAD_BYTES / (1024 * 1024),
        terms: if matches!(kind, ImportKind::Fitness | ImportKind::Activities) {
            term_options(&params.term)
        } else {
            Vec::new()
        },
        exams: exams
            .iter()
            .map(|e| OptionView {
                value: e.exam.id.0.to_string(),
                label: format!("{}（{}）", e.exam.name, e.exam.date),
                selected: e.exam.id.0.to_string() == params.exam,
            })
            .collect(),
        subjects: subjects
            .into_iter()
            .map(|s| OptionView {
                selected: s == params.subject,
                label: s.clone(),
                value: s,
            })
            .collect(),
        needs_term: matches!(kind, ImportKind::Fitness | ImportKind::Activities),
        needs_test_date: kind == ImportKind::Fitness,
        needs_exam,
        needs_subject: kind == ImportKind::ExamItems,
        needs_school_year: kind == ImportKind::Art,
        school_year: if params.school_year.is_empty() {
            this_school_year().to_string()
        } else {
            params.school_year.clone()
        },
        needs_school: matches!(kind, ImportKind::Activities | ImportKind::Art)
            && me.scope.school_id().is_none(),
        school: params.school.clone(),
        template_href: match kind {
            ImportKind::Roster
            | ImportKind::Fitness
            | ImportKind::Activities
            | ImportKind::Art
            | ImportKind::StaffTraining
            | ImportKind::StaffTitles => Some(format!("/imports/{}/template.xlsx", kind.code())),
            ImportKind::ExamScores | ImportKind::ExamItems => None,
        },
    })
}

pub(crate) async fn kind_page(
    State(state): State<AppState>,
    Require(me, _): Importer,
    p: Result<Path<String>, PathRejection>,
) -> Result<Response, AppError> {
    let kind = kind_of(p)?;
    let page = kind_view(&state, &me, kind, &ImportParams::default(), None).await?;
    Ok(render(&page)?.into_response())
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct TemplateQuery {
    #[serde(default)]
    exam: String,
}

pub(crate) async fn template(
    State(state): State<AppState>,
    Require(me, _): Importer,
    p: Result<Path<String>, PathRejection>,
    Query(q): Query<TemplateQuery>,
) -> Result<Response, AppError> {
    let code = path_ids(p)?;
    let kind = ImportKind::from_code(&code).ok_or(AppError::NotFound)?;
    let params = ImportParams {
        exam: q.exam,
        ..ImportParams::default()
    };
    let (name, bytes) = centre::template(&state.svc, &me.viewer(), kind, &params).await?;
    Ok(download(bytes, &name, XLSX))
}

/// Holds the uploaded file and sends the browser to its preview; a file refused (too large,
/// a bomb, no file, a missing option) shows the form again with the Chinese reason.
pub(crate) async fn upload(
    State(state): State<AppState>,
    Require(me, _): Importer,
    p: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, AppError> {
    let kind = kind_of(p)?;
    let refuse = |status: StatusCode, params: ImportParams, why: String| {
        let state = state.clone();
        let me = &me;
        async move {
            let page = kind_view(&state, me, kind, &params, Some(why)).await?;
            Ok::<Response, AppError>((status, render(&page)?).into_response())
        }
    };
    let Some(boundary) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(multipart::boundary)
    else {
        return refuse(
            StatusCode::BAD_REQUEST,
            ImportParams::default(),
            "请选择要上传的文件".into(),
        )
        .await;
    };
    // The cap is enforced while reading: a larger body is never held in memory whole.
    let Ok(bytes) = to_bytes(body, MAX_UPLOAD_BYTES + FRAMING).await else {
        return refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            ImportParams::default(),
            centre::too_large_zh(),
        )
        .await;
    };
    let Ok(parts) = multipart::parse(&boundary, &bytes) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            ImportParams::default(),
            "上传的表单无法读取，请刷新页面后重新上传".into(),
        )
        .await;
    };
    drop(bytes);
    let mut params = ImportParams::default();
    let mut file = None;
    for part in parts {
        let text = || String::from_utf8_lossy(&part.data).trim().to_string();
        match part.name.as_str() {
            "term" => params.term = text(),
            "test_date" => params.test_date = text(),
            "exam" => params.exam = text(),
            "subject" => params.subject = text(),
            "school_year" => params.school_year = text(),
            "school" => params.school = text(),
            "file" => {
                if let Some(name) = part.file_name.filter(|n| !n.is_empty()) {
                    file = Some(UploadedFile::new(name, part.data));
                }
            }
            _ => {}
        }
    }
    let Some(file) = file else {
        return refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            params,
            "请选择要上传的文件".into(),
        )
        .await;
    };
    match centre::hold(&state.svc, &me.viewer(), kind, &params, &file).await {
        Ok(token) => Ok(Redirect::to(&format!("/imports/uploads/{token}")).into_response()),
        Err(ServiceError::BadRequest(why)) => {
            let status = if why == centre::too_large_zh() {
                StatusCode::PAYLOAD_TOO_LARGE
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            refuse(status, params, why).await
        }
        Err(e) => Err(e.into()),
    }
}

// --- a held upload: preview, errors, confirm ------------------------------------------------

pub(crate) struct ErrorView {
    pub sheet: String,
    pub row: String,
    pub column: String,
    pub value: String,
    pub message: String,
    pub fix: String,
    pub file: String,
}

#[derive(Template)]
#[template(path = "import_preview.html")]
struct PreviewPage {
    chrome: Chrome,
    token: String,
    kind_code: &'static str,
    kind_label: &'static str,
    file_name: String,
    sha256: String,
    uploaded_at: String,
    status: &'static str,
    status_code: &'static str,
    stage: &'static str,
    unreadable: Option<String>,
    counts: Vec<(&'static str, usize)>,
    result: String,
    notes: Vec<String>,
    sample: SampleTable,
    errors: Vec<ErrorView>,
    warnings: Vec<ErrorView>,
    confirmable: bool,
    max_shown: usize,
    /// Still being read and checked in the background: the page reloads itself.
    reading: bool,
}

/// Row errors shown on the page (all of them are in the error file).
const SHOWN_ERRORS: usize = 500;

fn error_view(e: &wuyu_domain::RowError, fix: String) -> ErrorView {
    ErrorView {
        file: e.file.clone(),
        sheet: e.sheet.clone(),
        row: if e.row == 0 {
            "—".into()
        } else {
            e.row.to_string()
        },
        column: e.column.clone(),
        value: e.value.clone(),
        message: e.message_zh.clone(),
        fix,
    }
}

fn stage_zh(stage: &str) -> &'static str {
    match stage {
        "read" => "读取文件",
        "validate" => "校验数据",
        "write" => "写入数据库",
        _ => "",
    }
}

fn preview_page(me: &CurrentUser, token: &str, p: CentrePreview) -> PreviewPage {
    let mut notes = Vec::new();
    if let Some(enc) = p.notes.encoding {
        notes.push(format!("文本编码：{enc}"));
    }
    if !p.notes.sheet.is_empty() {
        notes.push(format!("读取的工作表：{}", p.notes.sheet));
    }
    if p.notes.rows_read > 0 {
        notes.push(format!("读取数据行：{}", p.notes.rows_read));
    }
    if !p.notes.ignored_columns.is_empty() {
        notes.push(format!(
            "未导入的列：{}",
            p.notes.ignored_columns.join("、")
        ));
    }
    PreviewPage {
        chrome: Chrome::new(me, "/imports"),
        token: token.to_string(),
        kind_code: p.kind.code(),
        kind_label: p.kind.label_zh(),
        file_name: p.entry.file_name.clone(),
        sha256: p.entry.file_sha256.clone(),
        uploaded_at: format_time(p.entry.uploaded_at),
        status: p.entry.status.label_zh(),
        status_code: p.entry.status.code(),
        stage: stage_zh(&p.entry.stage),
        confirmable: p.confirmable(),
        reading: p.reading,
        unreadable: p.unreadable,
        counts: p.counts,
        result: counts_zh(&p.entry.counts),
        notes,
        sample: p.sample,
        errors: p
            .errors
            .iter()
            .take(SHOWN_ERRORS)
            .map(|e| error_view(&e.error, e.fix.clone()))
            .collect(),
        warnings: p
            .warnings
            .iter()
            .take(SHOWN_ERRORS)
            .map(|w| error_view(w, String::new()))
            .collect(),
        max_shown: SHOWN_ERRORS,
    }
}

pub(crate) async fn preview(
    State(state): State<AppState>,
    Require(me, _): Importer,
    p: Result<Path<String>, PathRejection>,
) -> Result<Response, AppError> {
    let token = path_ids(p)?;
    let p = centre::preview(&state.svc, &me.viewer(), &token).await?;
    Ok(render(&preview_page(&me, &token, p))?.into_response())
}

pub(crate) async fn errors_file(
    State(state): State<AppState>,
    Require(me, _): Importer,
    p: Result<Path<String>, PathRejection>,
) -> Result<Response, AppError> {
    let token = path_ids(p)?;
    let (name, bytes) = centre::errors_xlsx(&state.svc, &me.viewer(), &token).await?;
    Ok(download(bytes, &name, XLSX))
}

/// Imports the held file (audited, whatever the outcome) and shows the result on its page.
/// How long a confirm waits for its import before answering with the progress page.
const CONFIRM_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

pub(crate) async fn confirm(
    State(state): State<AppState>,
    Require(me, _): Importer,
    ClientIp(ip): ClientIp,
    p: Result<Path<String>, PathRejection>,
) -> Result<Response, AppError> {
    let token = path_ids(p)?;
    let back = Redirect::to(&format!("/imports/uploads/{token}")).into_response();
    // The import runs as its own task: a closed browser does not cancel it, and a long one
    // does not hold the request. A quick one is waited for, so its page shows the outcome;
    // a long one's page shows the stage and reloads itself until it is done.
    let task = tokio::spawn(async move {
        match centre::confirm(&state.svc, &me.viewer(), &token).await {
            Ok(done) => {
                let mut e = audit::entry(
                    Some(&me.user),
                    "",
                    &format!("import_{}", done.kind.code().replace('-', "_")),
                    &ip,
                );
                e.school_id = done.entry.school_id;
                e.entity = format!("import_upload:{}", done.entry.id);
                e.detail = format!(
                    "{} sha256={} {}",
                    done.entry.file_name,
                    done.entry.file_sha256,
                    done.entry.status.code()
                );
                wuyu_service::audit::append(&state.svc, &e).await?;
                Ok(())
            }
            // Confirmed already (a second click) or expired: the page says which.
            Err(ServiceError::Conflict(_)) => Ok(()),
            Err(e) => Err(AppError::from(e)),
        }
    });
    match tokio::time::timeout(CONFIRM_WAIT, task).await {
        Ok(Ok(done)) => done.map(|()| back),
        Ok(Err(join)) => Err(AppError::Internal(format!("import task: {join}"))),
        // Still running: its page follows it.
        Err(_) => Ok(back),
    }
}

/// The uploaded file, for admins whose scope reaches it (student data: audited).
pub(crate) async fn stored_file(
    State(state): State<AppState>,
    Require(me, _): Importer,
    ClientIp(ip): ClientIp,
    p: Result<Path<i64>, PathRejection>,
) -> Result<Response, AppError> {
    let id = path_ids(p)?;
    let read = centre::stored_file(&state.svc, &me.viewer(), id).await;
    let action = match &read {
        Err(ServiceError::Forbidden) => "download_import_file_denied",
        _ => "download_import_file",
    };
    if !matches!(read, Err(ServiceError::NotFound)) {
        let mut e = audit::entry(Some(&me.user), "", action, &ip);
        e.school_id = me.scope.school_id();
        e.entity = format!("import_upload:{id}");
        wuyu_service::audit::append(&state.svc, &e).await?;
    }
    let (entry, bytes) = read?;
    Ok(download(
        bytes,
        &entry.file_name,
        content_type_of(&entry.file_name),
    ))
}
