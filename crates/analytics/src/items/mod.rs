//! Classical item analysis (§3): difficulty, upper/lower-group discrimination with an explicit
//! tie rule, point-biserial and corrected item–total correlations, Cronbach's α (= KR-20 for
//! 0/1 items), KR-21, α if item deleted, SEM, and knowledge-point mastery by group.
//!
//! An unanswered item is 0 points, not missing (§3.1): the matrix has no holes.

mod analysis;
mod groups;
mod mastery;
mod matrix;

pub use analysis::{ItemAnalysis, ItemAnalysisOptions, ItemStats, item_analysis};
pub use groups::{GroupWeights, TieRule, extreme_group_weights};
pub use mastery::{MasteryCell, knowledge_point_mastery};
pub use matrix::ItemMatrix;
