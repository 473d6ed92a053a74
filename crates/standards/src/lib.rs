//! The official standards wuyu scores against, as embedded data and fast, pure lookups.
//!
//! * **国家学生体质健康标准（2014年修订）**: [`item_score`], [`bmi_category`], [`score_record`]
//!   (单项得分, 附加分, 标准分, 学年总分, 等级, INCOMPLETE), [`graduation_score`] (毕业成绩).
//! * **WS/T 586—2018** overweight and obesity: [`weight_status`], with [`exact_age`].
//! * **WS/T 456—2014** stunting and thinness: [`malnutrition_status`], [`is_stunted`],
//!   [`thinness`].
//! * **筛查性近视** per person by either eye: [`screening_myopia`].
//! * **Screening scales** (PHQ-9/PHQ-A, GAD-7, ASQ, district-supplied definitions) and the
//!   关注等级 rules of modules.md §3: [`scales`].
//!
//! Every rule and convention is the one `../shared/standards/README.md` states; the docs cite it
//! by section ("README 1.3"). The tables are the CSVs in `data/`, byte-identical copies of
//! `../shared/standards/` (a test checks that they have not drifted), embedded with
//! `include_str!` and parsed once, on first use, into flat sorted arrays: scoring a record is a
//! handful of binary searches over ≤ 20 thresholds and allocates nothing.
//!
//! Pure: no IO, no clock, no randomness. Values are scored as recorded; plausibility checks (a
//! 2.1 s 50米跑) belong to the importer, only impossible values (NaN, negative, half a
//! pull-up) are errors here.
#![forbid(unsafe_code)]

pub mod archive;
mod bmi;
mod error;
mod fitness;
mod growth;
mod points;
pub mod scales;
mod score;
mod tables;
mod vision;

pub use bmi::{Bmi, BmiCategory, bmi_category};
pub use error::{AgeError, GraduationError, ScoreError, ScreeningError, TableError, VisionError};
pub use fitness::{Direction, FitnessGrade, FitnessItem, ItemScore, ItemScores, ItemSet, Level};
pub use growth::{
    MalnutritionStatus, Thinness, WeightStatus, exact_age, is_stunted, malnutrition_status,
    thinness, weight_status,
};
pub use points::Points;
pub use score::{
    FitnessInput, FitnessResult, FitnessStatus, GraduationScore, MAX_BONUS, MAX_YEAR_TOTAL,
    applies, graduation_score, item_score, level_for, max_item_bonus, required_items, score_record,
    weight,
};
pub use tables::{SCORE_LEVELS, verify_embedded_tables};
pub use vision::{
    EyeExam, PoorVisionGrade, VisionStatus, poor_vision_grade, screening_myopia,
    spherical_equivalent,
};
