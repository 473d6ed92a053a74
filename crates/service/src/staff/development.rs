//! Teachers' development records through the import centre: a training or titles sheet is
//! read (every cell checked), each row's teacher resolved by 学校代码 + 工号 against the
//! roster — a school admin's file may name only their own school — and written per school in
//! one transaction with its audit entry. Any row error rejects the whole file.
use std::collections::{BTreeMap, HashMap};

use wuyu_domain::{RowError, SchoolId, TeacherId};
use wuyu_ingest::staff::{DevRead, TitleLine, TrainingLine, read_titles, read_training};
use wuyu_store::AuditEntry;
use wuyu_store::staff::{NewTitle, NewTraining, TitleKind, TitleLevel, TrainingLevel};

use crate::file::UploadedFile;
use crate::{Service, ServiceError};

/// A development sheet read and resolved: rows to store by school, and every error.
#[derive(Debug, Clone, Default)]
pub struct DevFile<T> {
    pub by_school: BTreeMap<i64, Vec<T>>,
    pub errors: Vec<RowError>,
    /// Rows read (data rows of the sheet).
    pub rows_read: usize,
    /// The first rows as read, for a preview: (row, 学校代码, 工号, the rest).
    pub sample: Vec<Vec<String>>,
    pub sheet: String,
}

impl<T> DevFile<T> {
    pub fn records(&self) -> usize {
        self.by_school.values().map(Vec::len).sum()
    }
}

fn first_table(file: &UploadedFile) -> Result<wuyu_ingest::Table, ServiceError> {
    let tables = wuyu_ingest::read_tables(&file.name, &file.bytes)
        .map_err(|e| ServiceError::BadRequest(format!("{}：{e}", file.name)))?;
    tables
        .tables
        .into_iter()
        .find(|t| !t.hidden && !t.header.is_empty())
        .ok_or_else(|| ServiceError::BadRequest(format!("{} 是空的", file.name)))
}

/// Resolves (row, 学校代码, 工号) to the teacher; errors name the row, column and value.
async fn resolve(
    svc: &Service,
    own: Option<SchoolId>,
    file: &UploadedFile,
    sheet: &str,
    keys: &[(u32, String, String)],
) -> Result<(Vec<Option<(SchoolId, TeacherId)>>, Vec<RowError>), ServiceError> {
    let store = svc.store();
    let mut schools: HashMap<String, Option<SchoolId>> = HashMap::new();
    let mut out = Vec::with_capacity(keys.len());
    let mut errors = Vec::new();
    for (row, code, staff_no) in keys {
        let err = |column: &str, value: &str, m: &str| RowError {
            file: file.name.clone(),
            sheet: sheet.to_string(),
            row: *row,
            column: column.to_string(),
            value: value.to_string(),
            message_zh: m.to_string(),
        };
        let school = match schools.get(code) {
            Some(s) => *s,
            None => {
                let s = store.school_by_code(code).await?;
                schools.insert(code.clone(), s);
                s
            }
        };
        let Some(school) = school else {
            errors.push(err("学校代码", code, "没有这个学校代码"));
            out.push(None);
            continue;
        };
        if own.is_some_and(|o| o != school) {
            errors.push(err(
                "学校代码",
                code,
                "不是本校：学校管理员只能导入本校教师的记录",
            ));
            out.push(None);
            continue;
        }
        match store.teacher_by_staff_no(school, staff_no).await? {
            Some(t) => out.push(Some((school, t))),
            None => {
                errors.push(err(
                    "工号",
                    staff_no,
                    "不在该校教师名单中：请先在花名册中导入这名教师",
                ));
                out.push(None);
            }
        }
    }
    Ok((out, errors))
}

#[allow(clippy::too_many_arguments)] // the sheet, its read, and how each kind keys, shows and stores a line
async fn resolved<L, T>(
    svc: &Service,
    own: Option<SchoolId>,
    file: &UploadedFile,
    sheet: String,
    read: DevRead<L>,
    key: impl Fn(&L) -> (u32, String, String),
    sample: impl Fn(&L) -> Vec<String>,
    make: impl Fn(&L, TeacherId) -> T,
    rows_read: usize,
) -> Result<DevFile<T>, ServiceError> {
    let keys: Vec<_> = read.lines.iter().map(&key).collect();
    let (teachers, mut errors) = resolve(svc, own, file, &sheet, &keys).await?;
    let mut all = read.errors;
    all.append(&mut errors);
    all.sort_by_key(|e| e.row);
    let mut by_school: BTreeMap<i64, Vec<T>> = BTreeMap::new();
    for (l, t) in read.lines.iter().zip(teachers) {
        if let Some((s, t)) = t {
            by_school.entry(s.0).or_default().push(make(l, t));
        }
    }
    Ok(DevFile {
        by_school,
        errors: all,
        rows_read,
        sample: read
            .lines
            .iter()
            .take(crate::import::PREVIEW_ROWS)
            .map(sample)
            .collect(),
        sheet,
    })
}

/// Reads a training sheet for an importer (`own`: a school admin's school).
pub async fn read_training_file(
    svc: &Service,
    own: Option<SchoolId>,
    file: &UploadedFile,
) -> Result<DevFile<NewTraining>, ServiceError> {
    let table = first_table(file)?;
    let read = read_training(&file.name, &table);
    resolved(
        svc,
        own,
        file,
        table.name.clone(),
        read,
        |l: &TrainingLine| (l.row, l.school.clone(), l.staff_no.clone()),
        |l| {
            vec![
                l.row.to_string(),
                l.school.clone(),
                l.staff_no.clone(),
                l.course.clone(),
                l.taken_on.clone(),
                l.hours.to_string(),
                TrainingLevel::parse(l.level)
                    .map_or("", TrainingLevel::label_zh)
                    .into(),
            ]
        },
        |l, t| NewTraining {
            teacher_id: t,
            course: l.course.clone(),
            taken_on: l.taken_on.clone(),
            hours: l.hours,
            level: TrainingLevel::parse(l.level).unwrap_or(TrainingLevel::General),
            provider: l.provider.clone(),
        },
        table.rows().len(),
    )
    .await
}

/// Reads a titles sheet for an importer (`own`: a school admin's school).
pub async fn read_titles_file(
    svc: &Service,
    own: Option<SchoolId>,
    file: &UploadedFile,
) -> Result<DevFile<NewTitle>, ServiceError> {
    let table = first_table(file)?;
    let read = read_titles(&file.name, &table);
    resolved(
        svc,
        own,
        file,
        table.name.clone(),
        read,
        |l: &TitleLine| (l.row, l.school.clone(), l.staff_no.clone()),
        |l| {
            vec![
                l.row.to_string(),
                l.school.clone(),
                l.staff_no.clone(),
                TitleKind::parse(l.title)
                    .map_or("", TitleKind::label_zh)
                    .into(),
                TitleLevel::parse(l.level)
                    .map_or("", TitleLevel::label_zh)
                    .into(),
                l.year.to_string(),
            ]
        },
        |l, t| NewTitle {
            teacher_id: t,
            title: TitleKind::parse(l.title).unwrap_or(TitleKind::KeyTeacher),
            level: TitleLevel::parse(l.level).unwrap_or(TitleLevel::District),
            year: l.year,
        },
        table.rows().len(),
    )
    .await
}

fn audit(who: &str, action: &str, school: i64, file: &str, n: usize) -> AuditEntry {
    AuditEntry {
        at: time::OffsetDateTime::now_utc().unix_timestamp(),
        user_id: None,
        username: who.to_string(),
        action: action.to_string(),
        school_id: Some(SchoolId(school)),
        entity: format!("school:{school}"),
        detail: format!("file={file} rows={n}"),
        ip: String::new(),
    }
}

/// Writes a read training file (no errors) school by school; returns the rows written.
pub async fn write_training(
    svc: &Service,
    who: &str,
    file: &UploadedFile,
    f: &DevFile<NewTraining>,
) -> Result<usize, ServiceError> {
    let mut n = 0;
    for (school, rows) in &f.by_school {
        let a = audit(who, "import_training", *school, &file.name, rows.len());
        n += svc
            .store()
            .import_training(SchoolId(*school), rows, &a)
            .await?;
    }
    Ok(n)
}

/// Writes a read titles file (no errors) school by school; returns the rows written.
pub async fn write_titles(
    svc: &Service,
    who: &str,
    file: &UploadedFile,
    f: &DevFile<NewTitle>,
) -> Result<usize, ServiceError> {
    let mut n = 0;
    for (school, rows) in &f.by_school {
        let a = audit(who, "import_titles", *school, &file.name, rows.len());
        n += svc
            .store()
            .import_titles(SchoolId(*school), rows, &a)
            .await?;
    }
    Ok(n)
}
