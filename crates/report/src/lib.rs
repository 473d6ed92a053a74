//! wuyu-report: XLSX exports and PDF documents. The numbers come from the same store
//! calls as the pages and the API; this crate only lays them out.
#![forbid(unsafe_code)]

pub mod bulletin;
pub mod exam;
mod fitness;
pub mod import_errors;
pub mod pdf;

pub use fitness::{
    FITNESS_HEADERS, FITNESS_RANK_HEADER, FITNESS_SHEET, LabelledRow, fitness_summary_xlsx,
};
