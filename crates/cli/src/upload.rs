//! The steps every CLI import shares: read the file into an [`UploadedFile`], call the
//! capability's one service function as the operator, print the outcome.
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use wuyu_domain::RowError;
use wuyu_service::file::UploadedFile;
use wuyu_service::import::ImportOutcome;
use wuyu_service::{Service, ServiceError};

/// The file at `path` as an upload, named by its file name (row errors name it).
pub(crate) fn read_upload(path: &Path) -> anyhow::Result<UploadedFile> {
    let bytes = std::fs::read(path).with_context(|| format!("无法读取 {}", path.display()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(UploadedFile::new(name, bytes))
}

/// The service over the store `db` names (opened and migrated).
pub(crate) async fn service(db: &str) -> anyhow::Result<Service> {
    Ok(Service::new(crate::open_store(db).await?))
}

/// A service error as the CLI's error: a file the reader cannot use, or a database fault, is
/// its message as is (the store's text, as before the service); anything else keeps its cause.
pub(crate) fn failure(e: ServiceError) -> anyhow::Error {
    match e {
        ServiceError::BadRequest(message) | ServiceError::Internal(message) => {
            anyhow::anyhow!(message)
        }
        other => anyhow::Error::new(other),
    }
}

/// Prints the outcome: `imported` prints the summary line on stdout; a rejection lists its row
/// errors on stderr and fails.
pub(crate) fn finish<S>(outcome: &ImportOutcome<S>, imported: impl FnOnce(&S)) -> ExitCode {
    match outcome {
        ImportOutcome::Imported { summary, .. } => {
            imported(summary);
            ExitCode::SUCCESS
        }
        ImportOutcome::Rejected { errors, .. } => {
            print_errors(errors);
            ExitCode::FAILURE
        }
    }
}

/// Prints a rejected import's row errors (the first 200) on stderr.
pub(crate) fn print_errors(errors: &[RowError]) {
    eprintln!(
        "导入被拒绝，数据库未作任何修改。共 {} 处错误：",
        errors.len()
    );
    for e in errors.iter().take(200) {
        eprintln!("  {e}");
    }
    if errors.len() > 200 {
        eprintln!("  ……其余 {} 处错误未列出", errors.len() - 200);
    }
}
