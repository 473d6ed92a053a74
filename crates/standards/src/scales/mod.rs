//! Screening scales (modules.md §3): the built-in free scales, district-supplied definitions,
//! and the 关注等级 rule set. Pure: answers in, results out.
mod builtin;
mod custom;
mod error;
mod items;
mod level;

pub use builtin::{
    ASQ_ITEMS, AsqAnswer, AsqResult, GAD_ITEMS, GadBand, GadResult, MAX_ITEM_VALUE, PHQ_ITEMS,
    PhqBand, PhqResult, PhqVersion, parse_asq, parse_item, score_asq, score_gad, score_phq,
};
pub use custom::{
    CustomResult, Cutoff, Method, ScaleDefinition, Subscale, SubscaleScore, ValidityRule,
};
pub use error::{AnswerError, RulesError, ScaleDefError};
pub use items::{
    ASQ_ITEMS_ZH, ASQ_OPTIONS_ZH, FREQUENCY_ZH, GAD_ITEMS_ZH, PHQ_ITEMS_ZH, TWO_WEEKS_ZH,
};
pub use level::{
    AttentionLevel, BuiltinScale, LevelRules, ScaleLevel, ScreeningAnswers, ScreeningResult,
    TOTAL as SCALE_TOTAL, attention_level, score_screening,
};
