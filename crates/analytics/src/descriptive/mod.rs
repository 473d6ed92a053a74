//! Descriptive exam statistics (§1–§2): 三率一分 with configurable lines and 参考率, composite
//! scores, distribution summaries (type-7 quantiles, sample SD), Z/T scores, 百分等级, ranks
//! with ties, and target-line analysis (有效分, 上线, 临界生).

mod composite;
mod lines;
mod rank;
mod rates;
mod standard;
mod summary;

pub use composite::{
    AbsoluteWeights, RelativeLowRule, UnitIndicators, absolute_composite, relative_composite,
    relative_composite_deduct, standardised_composite,
};
pub use lines::{
    BorderlineStudents, BorderlineWindow, EffectiveScoreStats, TotalLine, borderline_students,
    effective_score_stats, subject_effective_score, total_line_by_count, total_line_by_share,
};
pub use rank::{RankMethod, rank_descending};
pub use rates::{
    AbsentPolicy, Line, Mark, RateLines, RateSummary, all_subjects_pass_rate, rate_summary,
};
pub use standard::{
    StandardScores, TScale, normalised_z, percentile_rank, percentile_ranks, standard_scores,
    z_score,
};
pub use summary::{
    Summary, mean, quantile_type7, sd_population, sd_sample, summarise, variance_population,
    variance_sample,
};
