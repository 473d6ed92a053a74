//! Exam statistics at write: everything a page shows about an exam, computed from all its marks
//! with `wuyu-analytics` and returned as rows for `exam_stat`, `exam_school_stat` and
//! `exam_class_mean`. Pure: the backends load the marks, call these functions, and write the
//! rows in the import's transaction (or in [`crate::Store::recompute_exam`]).
//!
//! # Rules chosen here (documented for reports)
//!
//! * Units: the district, 城区/农村 (the school's location), each stage (the school's stage),
//!   each school, and each class at exam time.
//! * 总分 ([`TOTAL`]): the sum over **all** the exam's subjects. A student with a score in
//!   every subject has a total. A student absent (缺考) in every subject is absent in 总分. A
//!   student absent in some subjects and scored in others is *excluded* from the 总分
//!   statistics (counted in `excluded`) under `absent_policy = exclude`, and totals the scored
//!   subjects (缺考 = 0) under `count_as_zero`. A student missing a subject altogether (blank:
//!   did not take it) is excluded from 总分. 总分 lines are the configured fractions of the
//!   sum of full marks; an absolute line `a` becomes `a × k` for k subjects.
//! * SD, quantiles and the histogram describe the statistic population (统计人数: the
//!   scores, plus zeros for 缺考 under `count_as_zero`), like the mean.
//! * Composite (综合指数): the spec's default for fairness across subjects, the standardised
//!   composite (§1.2 c) with the 三率一分 weights (mean 0.3, 优秀 0.3, 及格 0.3, 低分 0.1
//!   reversed), across the units it is ranked with.
//! * Ranks, composites and gaps to the best unit are given only to units with at least
//!   [`MIN_RANK_N`] students in the statistic (§0.3: never rank units with n < 10), among the
//!   units of the same kind: locations, stages, schools in the district, classes of the same
//!   school and grade. The district row has none of them.
//! * Student standing (z, T, 百分等级, district rank, 临界生) is against the district's statistic
//!   population of the subject. It is stored as one table per subject mapping each distinct
//!   score to its 百分等级, rank and 临界生 flag (plus the mean and σ for z), so a later import
//!   of another school changes one row per subject instead of every student's row.
//! * Value-added: students with a score in both this exam and the baseline (matched by
//!   school and student id), both scores standardised (z) against everyone who sat each exam;
//!   the random-intercept model by REML with EB effects, schools (or classes at exam time) as
//!   units; units with fewer than `va_min_n` matched students are suppressed; classification
//!   needs 30 (schools) or 20 (classes) students (§4.3).
//!
//! The read models the store fills live in [`model`].

/// The version of the stored statistics this code computes. Bump it whenever a payload's shape
/// or a rule of the statistics changes: the store then recomputes an exam's statistics, from
/// its marks, the first time they are read.
pub const STAT_VERSION: i32 = 2;

pub mod items;
pub mod marks;
pub mod model;
pub mod standing;
pub mod units;
pub mod value_added;

#[cfg(test)]
mod tests;

pub use items::*;
pub use marks::*;
pub use model::*;
pub use standing::*;
pub use units::*;
pub use value_added::*;

/// A stored payload as JSON (the `payload` column of the statistic tables).
pub(crate) fn json<T: serde::Serialize>(v: &T) -> Result<String, String> {
    serde_json::to_string(v).map_err(|e| e.to_string())
}

/// Statistics errors travel as text to the store, which reports them as its own error.
pub(crate) fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}
