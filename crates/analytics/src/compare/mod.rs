//! Comparisons between units (§5): gap to the best unit and to the district, urban–rural gaps,
//! and the parallel-class rule (同类班级, §5.3), which yields an alert for human review and never
//! a decision.

mod gaps;
mod parallel;
mod urban_rural;

pub use gaps::{GapReport, UnitGap, UnitValue, gaps};
pub use parallel::{
    AlertStatus, Attribution, Averaging, ClassResult, EventEvidence, ExamLevel, ParallelAlert,
    ParallelEvent, ParallelRule, binomial_tail_half, parallel_class_alert,
};
pub use urban_rural::{
    MeanGap, RateGap, SchoolLevelGap, mean_gap, rate_gap, school_level_gap, wilson_interval,
};
