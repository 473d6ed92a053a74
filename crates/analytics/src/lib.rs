//! wuyu-analytics: the statistics behind exam-quality monitoring, as pure functions over plain
//! data (no IO, no clock, no randomness).
//!
//! Every formula, default and edge case follows `shared/specs/analytics-methods.md`; section
//! numbers (§) in the docs refer to that spec. Defaults are the spec's §11 recommendations and
//! every choice is a plain enum or struct so a district can configure it.
//!
//! * [`descriptive`]: 三率一分, 参考率, composite scores, summaries, quantiles, Z/T, 百分等级,
//!   ranks, 有效分 and 临界生 (§1–§2).
//! * [`items`]: classical item analysis and reliability, knowledge-point mastery (§3).
//! * [`value_added`]: gain scores, OLS residual VA, DerSimonian–Laird / James–Stein shrinkage,
//!   the random-intercept model by ML/REML (§4).
//! * [`compare`]: gaps to the best unit and the district, urban–rural gaps, and the
//!   parallel-class rule (§5).
//! * [`satisfaction`]: survey indices — top-2 满意率 with a Wilson interval, the 0–100 index,
//!   α of scales with reverse-keyed items, minimum-respondent suppression (§7).
//! * [`suppress`]: small-cell and complementary suppression of published counts.
//! * [`appraisal`]: teacher appraisal — multi-source score, levels, quotas, the 师德 veto (§6).
//! * [`special`]: the normal, t and chi-square functions those need, written here so the crate
//!   stays dependency-light.
#![forbid(unsafe_code)]

pub mod appraisal;
pub mod compare;
pub mod descriptive;
mod error;
pub mod items;
mod linalg;
pub mod round;
pub mod satisfaction;
pub mod special;
pub mod suppress;
pub mod value_added;

pub use error::AnalyticsError;

/// Result alias used by every fallible function in this crate.
pub type Result<T> = std::result::Result<T, AnalyticsError>;
