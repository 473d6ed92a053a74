//! Teacher appraisal (教师年度考核, spec §6 and modules.md §4): the multi-source score with the
//! trimmed peer mean, and levels by the exact order of operations — out-of-N cases, criterion
//! levels, the 师德 veto and sanction caps, the 优秀 quota with its floor, ties at the cap left to
//! the committee, and small schools pooled at the district.
//!
//! * [`score`]: the trimmed peer mean and the weighted score over present sources (§6.2);
//! * [`compose`]: the five sources with the district's weights;
//! * [`teaching`]: the teaching result from the parallel-class comparison or value-added;
//! * [`level`]: the per-teacher inputs, the rules (district settings) and the criterion level;
//! * [`quota`]: the cap arithmetic and the allocation of 优秀 within a school or the pool.

mod compose;
mod level;
mod quota;
mod score;
mod teaching;

pub use compose::{AppraisalWeights, Composed, SourceKind, SourceValues, compose};
pub use level::{
    AppraisalCase, AppraisalRules, Level, Sanction, SanctionCaps, UnitRating, criterion_level,
    exclusion,
};
pub use quota::{Outcome, PoolKind, appraise, cap};
pub use score::{PeerMean, Source, WeightedScore, peer_mean, weighted_score};
pub use teaching::{
    EventVa, TeacherVa, TeachingBasis, VA_MIN_STUDENTS, VA_MIN_YEARS, percentile_ranks,
    teacher_value_added, teaching_score,
};
