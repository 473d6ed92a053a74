//! Plan import and export. An import replaces the whole plan; a file with any row error is
//! rejected whole, nothing written. The export writes the seeds' columns plus key, source and
//! measure, so it imports back to the same plan.
use wuyu_ingest::{read_plan, write_plan_csv, write_plan_xlsx};
use wuyu_monitor::plan::Plan;
use wuyu_store::PlanImportSummary;

use crate::file::UploadedFile;
use crate::import::{ImportActor, ImportOutcome, ReadNotes, finish, meta};
use crate::{Service, ServiceError};

/// The file format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanFormat {
    Csv,
    Xlsx,
}

impl PlanFormat {
    /// The format a file name asks for: `.xlsx` is XLSX, anything else CSV.
    pub fn of_file_name(name: &str) -> PlanFormat {
        if name.to_ascii_lowercase().ends_with(".xlsx") {
            PlanFormat::Xlsx
        } else {
            PlanFormat::Csv
        }
    }
}

/// Imports a plan file (CSV or XLSX), replacing the stored plan.
pub async fn import_plan(
    svc: &Service,
    who: &ImportActor,
    file: &UploadedFile,
) -> Result<ImportOutcome<PlanImportSummary>, ServiceError> {
    let read = read_plan(&file.bytes, &file.name)
        .map_err(|e| ServiceError::BadRequest(format!("{}：{e}", file.name)))?;
    let notes = ReadNotes {
        encoding: read.encoding,
        sheet: read.sheet.clone(),
        rows_read: read.plan.indicators.len(),
        ..ReadNotes::default()
    };
    if !read.errors.is_empty() {
        return Ok(ImportOutcome::Rejected {
            errors: read.errors,
            warnings: Vec::new(),
            notes,
        });
    }
    let written = svc.store().replace_plan(&read.plan, &meta(who, file)).await;
    tracing::info!(file = %file.name, indicators = read.plan.indicators.len(), "plan import");
    finish(written, Vec::new(), notes)
}

/// The stored plan.
pub async fn plan(svc: &Service) -> Result<Plan, ServiceError> {
    Ok(svc.store().plan().await?)
}

/// The stored plan as a file. A plan with no indicators is a bad request (nothing to export).
pub async fn export_plan(svc: &Service, format: PlanFormat) -> Result<Vec<u8>, ServiceError> {
    let plan = plan(svc).await?;
    if plan.indicators.is_empty() {
        return Err(ServiceError::BadRequest(
            "还没有导入任务分解表（wuyu import plan FILE）".into(),
        ));
    }
    match format {
        PlanFormat::Csv => {
            let mut out = Vec::new();
            write_plan_csv(&plan, &mut out).map_err(|e| ServiceError::Internal(e.to_string()))?;
            Ok(out)
        }
        PlanFormat::Xlsx => {
            write_plan_xlsx(&plan).map_err(|e| ServiceError::Internal(e.to_string()))
        }
    }
}
