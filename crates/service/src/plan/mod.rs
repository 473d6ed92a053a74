//! The plan (任务分解表) as data: import and export in the layout of the seeds'
//! `targets-2023-2025.csv`, and the plan's status: every target × unit of a year judged.
pub mod deadlines;
pub mod edit;
mod glance;
mod io;
pub mod registry;
pub mod reports;
pub mod sets;
pub(crate) mod status;

pub use deadlines::{close_reopen, reopen_school, set_due};
pub use edit::{PlanEdit, edit_indicator};
pub use glance::{GLANCE_LAGGARDS, Glance, glance};
pub use io::{PlanFormat, export_plan, import_plan, plan};
pub use registry::{RegistryInput, add_item, item_evidence, items, review_item};
pub use reports::{
    DueLine, ReportInput, ReportItem, Reporting, lock_year, report_evidence, reporting,
    reporting_on, review_report, submit_report,
};
pub use sets::{BUILT_IN_SETS, SchoolSetView, school_sets, set_school_set};
pub use status::{PlanStatus, StatusLine, UnitLine, by_gap, plan_status, school_year_of};
/// What the edges need of the reporting's stored types and evidence rules.
pub use wuyu_ingest::evidence::{EvidenceKind, MAX_EVIDENCE_BYTES};
pub use wuyu_monitor::plan_registry::{KINDS as REGISTRY_KINDS, RegistryLevel};
pub use wuyu_monitor::plan_report::{Cadence, DueRule};
pub use wuyu_store::plan_registry::RegistryItem;
pub use wuyu_store::plan_report::{Evidence, PeriodLock, Reopen, ReportRow, Review};
