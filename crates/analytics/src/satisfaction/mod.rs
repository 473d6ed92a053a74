//! Survey indices (满意度, §7): 5-point Likert answers coded 5…1, 不了解 kept out of every
//! denominator and reported as its own share, top-2 满意率 with a Wilson 95 % interval, the
//! top-3 variant (labelled as such), the mean, the 0–100 index, Cronbach's α of multi-item
//! scales with reverse-keyed items, and minimum-respondent suppression.
//!
//! * [`answer`]: one answer and the spec's Chinese labels;
//! * [`tally`]: counts per point of one item (or one group of an item) and its statistics;
//! * [`suppress`]: the minimum respondents (30 parents, 10 teachers, never under 5);
//! * [`scale`]: scale scores (≥ 50 % of items answered) and α.

mod answer;
mod scale;
mod suppress;
mod tally;

pub use answer::{Answer, POINTS};
pub use scale::{ScaleResult, cronbach_alpha, scale_result, scale_scores};
pub use suppress::{ANONYMITY_FLOOR, MIN_PARENTS, MIN_TEACHERS, MinRespondents};
pub use tally::{Reported, SatisfactionStats, Tally, Z_95, satisfaction_stats};
