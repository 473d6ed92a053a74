//! What every import answers, whatever it imports: bytes and a file name go in (an
//! [`UploadedFile`]), an [`ImportOutcome`] comes out. Row errors are data, not failures: a file
//! with a bad row is `Ok(ImportOutcome::Rejected { .. })` with every row error (from the reader
//! or from the store's resolution step) and nothing written, so the import centre and the CLI
//! list them the same way. `Err` is kept for what is not about rows: a file that cannot be read
//! at all (`BadRequest`), an unknown exam (`NotFound`), a database fault (`Internal`).
use std::collections::HashMap;

use serde::Serialize;
use wuyu_domain::RowError;
use wuyu_ingest::{NamedRow, same_name};
use wuyu_store::{ImportMeta, StoreError};

use crate::file::UploadedFile;
use crate::{Service, ServiceError};

/// How many records a preview shows per list (students, teachers, scores …).
pub const PREVIEW_ROWS: usize = 20;

/// Who is importing: recorded in the import history next to the file's hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportActor {
    /// A signed-in account (the browser's import centre), by user name.
    User(String),
    /// The operator at the command line, by the name they give (or their OS user).
    Operator(String),
}

impl ImportActor {
    /// The name written to the import record.
    pub fn username(&self) -> &str {
        match self {
            ImportActor::User(name) | ImportActor::Operator(name) => name,
        }
    }
}

/// What the reader noticed about the file, for the caller to show next to the counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReadNotes {
    /// The text encoding of a CSV ("UTF-8", "GB18030", "UTF-16"); `None` for XLSX.
    pub encoding: Option<&'static str>,
    /// The worksheet read (empty for CSV or when the reader does not say).
    pub sheet: String,
    /// Data rows read (headers and blank rows not counted).
    pub rows_read: usize,
    /// Headers passed over (kept in the file for checking, not imported).
    pub ignored_columns: Vec<String>,
    /// Item sheets: rows whose questions were all blank without a 缺考 mark, left out.
    pub blank_rows: Vec<u32>,
    /// Item sheets: where the 双向细目表 came from (a worksheet or a file name).
    pub blueprint_source: Option<String>,
    /// Item sheets: how many questions the blueprint lists.
    pub items: Option<usize>,
    /// Exam sheets: the subjects read (score columns, or the item sheet's one subject).
    pub subjects: Vec<String>,
}

/// The answer of an import. `S` is the store's summary of that import kind (the counts the
/// CLI prints). As JSON (the import centre): `{"status": "imported" | "rejected", …}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ImportOutcome<S> {
    /// Written in one transaction.
    Imported {
        summary: S,
        /// Values that are implausible but importable (fitness), for checking.
        warnings: Vec<RowError>,
        notes: ReadNotes,
    },
    /// Nothing written: every row error, in file order (the reader's, else the store's).
    Rejected {
        errors: Vec<RowError>,
        warnings: Vec<RowError>,
        notes: ReadNotes,
    },
}

impl<S> ImportOutcome<S> {
    /// The summary when the file was imported.
    pub fn imported(&self) -> Option<&S> {
        match self {
            ImportOutcome::Imported { summary, .. } => Some(summary),
            ImportOutcome::Rejected { .. } => None,
        }
    }

    /// What the reader noticed, imported or not.
    pub fn notes(&self) -> &ReadNotes {
        match self {
            ImportOutcome::Imported { notes, .. } | ImportOutcome::Rejected { notes, .. } => notes,
        }
    }

    /// Implausible but importable values, imported or not.
    pub fn warnings(&self) -> &[RowError] {
        match self {
            ImportOutcome::Imported { warnings, .. } | ImportOutcome::Rejected { warnings, .. } => {
                warnings
            }
        }
    }

    /// The row errors when the file was rejected (empty when it was imported).
    pub fn errors(&self) -> &[RowError] {
        match self {
            ImportOutcome::Imported { .. } => &[],
            ImportOutcome::Rejected { errors, .. } => errors,
        }
    }
}

/// How many records of one kind passed every check of the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ReadCount {
    /// The record kind, an English identifier: `schools`, `students`, `records`, `rows` …
    pub kind: &'static str,
    pub n: usize,
}

/// A file read and checked without writing: the counts, the first records as read (the
/// batch type of the import, each list cut to [`PREVIEW_ROWS`]) and every row error the
/// reader finds. The store's resolution step (unknown 学籍号 …) runs only on import.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportPreview<B> {
    pub counts: Vec<ReadCount>,
    pub sample: B,
    pub errors: Vec<RowError>,
    pub warnings: Vec<RowError>,
    pub notes: ReadNotes,
}

/// The import record's metadata: the file hashed here, once.
pub(crate) fn meta(who: &ImportActor, file: &UploadedFile) -> ImportMeta {
    ImportMeta {
        username: who.username().to_string(),
        file_name: file.name.clone(),
        file_sha256: file.sha256(),
        at: time::OffsetDateTime::now_utc().unix_timestamp(),
    }
}

/// The store's answer as an outcome: its row errors become a rejection, like the reader's.
pub(crate) fn finish<S>(
    written: Result<S, StoreError>,
    warnings: Vec<RowError>,
    notes: ReadNotes,
) -> Result<ImportOutcome<S>, ServiceError> {
    match written {
        Ok(summary) => Ok(ImportOutcome::Imported {
            summary,
            warnings,
            notes,
        }),
        Err(StoreError::Rejected(errors)) => Ok(ImportOutcome::Rejected {
            errors,
            warnings,
            notes,
        }),
        Err(e) => Err(e.into()),
    }
}

/// A file-level problem (row 0) as a row error, e.g. a sheet without data rows.
pub(crate) fn file_error(file: &UploadedFile, sheet: &str, message_zh: String) -> RowError {
    RowError {
        file: file.name.clone(),
        sheet: sheet.to_string(),
        row: 0,
        column: String::new(),
        value: String::new(),
        message_zh,
    }
}

/// Rows whose 姓名 is not the roster's name (nor a former name) of their 学籍号, as row
/// errors in file order. Score, item and fitness sheets are matched on 学籍号 alone, so this is
/// what keeps a mistyped 学籍号 from putting marks on another child. A 学籍号 not in the roster
/// is left to the store, which rejects it with its own error.
pub(crate) async fn name_mismatches(
    svc: &Service,
    file: &UploadedFile,
    names: &[NamedRow],
) -> Result<Vec<RowError>, ServiceError> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let mut nos: Vec<String> = names
        .iter()
        .map(|n| n.student_no.as_str().to_string())
        .collect();
    nos.sort_unstable();
    nos.dedup();
    let mut roster: HashMap<String, Vec<String>> = HashMap::with_capacity(nos.len());
    for (no, name) in svc.store().student_names(&nos).await? {
        roster.entry(no).or_default().push(name);
    }
    Ok(names
        .iter()
        .filter(|n| {
            roster
                .get(n.student_no.as_str())
                .is_some_and(|known| !known.iter().any(|k| same_name(k, &n.name)))
        })
        .map(|n| n.mismatch(&file.name))
        .collect())
}

/// The first [`PREVIEW_ROWS`] of a list.
pub(crate) fn first<T: Clone>(rows: &[T]) -> Vec<T> {
    rows.iter().take(PREVIEW_ROWS).cloned().collect()
}
