//! 教师考核 (issue 14): a school's annual appraisal — inputs imported in the levels layout,
//! levels computed by `wuyu_analytics::appraisal`, the cap arithmetic shown, the workflow
//! (draft → 公示 of at least five working days → district approval), appeals and the teacher's
//! confirmation. Appraisal rows are personnel data: every read is audited by the store in the
//! same transaction; a teacher reads only their own row.
mod appraisal;
pub mod development;
mod export;
pub mod indicators;
mod pool;
mod publicity;
pub mod records;

pub use appraisal::{
    AppraisalView, CapArithmetic, answer_appeal, appeal, appraisal, approve, compose_scores,
    confirm, decide_committee, import_appraisal, publicise, redraft_appraisal, return_round,
    rounds,
};
pub use export::{
    APPRAISAL_HEADERS, PublicityList, appraisal_xlsx, level_reason_zh, missing_sources_zh,
    parent_origin_zh, peer_origin_zh, peer_text_zh, publicity_list, publicity_pdf,
    score_arithmetic_zh, teaching_origin_zh,
};
pub use pool::{PoolResult, pool_small_schools};
pub use publicity::{PUBLICITY_WORKING_DAYS, publicity_last_day};
pub use wuyu_ingest::staff::RowSources;
pub use wuyu_store::TeacherAlert;
pub use wuyu_store::staff::{
    Appeal, AppraisalInput, AppraisalRound, AppraisalRow, AppraisalState, CommitteeChoice,
    RoundSummary, ScoreBasis, ScoreSources, StaffReader,
};
