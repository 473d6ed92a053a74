//! The archive's pure rules over plain data (issue 12): whether an activity record's dates and
//! hours are possible ([`check_record`]), and the per-unit counts the coverage pages and the
//! plan's indicators are made of ([`ArchiveCounts`]).
mod counts;
mod record;

pub use counts::{ArchiveCounts, StudentActivity, labor_met};
pub use record::{RecordCheckError, RecordSpan, check_record};
