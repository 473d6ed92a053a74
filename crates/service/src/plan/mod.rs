//! The plan (任务分解表) as data: import and export in the layout of the seeds'
//! `targets-2023-2025.csv`, and the stored plan for the pages that judge it.
mod io;

pub use io::{PlanFormat, export_plan, import_plan, plan};
