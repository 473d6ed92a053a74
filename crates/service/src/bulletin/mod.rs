//! Monthly progress (调度) and the quarterly bulletin (通报) of the plan: a snapshot of every
//! target × unit per month, each target's trajectory across months, and the bulletin as data,
//! XLSX and PDF.
mod progress;
mod quarterly;
mod snapshot;

pub use progress::{Progress, ProgressCell, ProgressRow, progress, progress_xlsx};
pub use quarterly::{BulletinFormat, bulletin, bulletin_document, year_summary};
pub use snapshot::{SnapshotOutcome, ensure_month_snapshot, take_snapshot, this_month};

/// Whether this build writes PDFs (the binary's `pdf` feature).
pub use wuyu_report::pdf::PDF_AVAILABLE;
