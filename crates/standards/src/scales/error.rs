//! Why answers, a rule set or a scale definition cannot be used. Messages are Chinese: they
//! reach counsellors verbatim (row errors, the loader's report).
use thiserror::Error;

/// One answer that is not a possible answer. Never guessed: the row is refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum AnswerError {
    #[error("答案“{0}”无效：应为 0、1、2、3 或留空")]
    BadItemValue(String),
    #[error("答案“{0}”无效：应为 yes（是）、no（否）、refused（拒答）或留空")]
    BadAsqAnswer(String),
    #[error("答案“{value}”无效：本量表允许的答案为 {allowed}")]
    NotAnAnswerValue { value: String, allowed: String },
    #[error("题目数为 {got}，本量表应为 {expected} 题")]
    WrongItemCount { got: usize, expected: usize },
}

/// A district's level rule set that would make the levels disordered or unreachable.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum RulesError {
    #[error("关注等级规则 {name} = {value} 无效：应在 {lo}–{hi} 之间")]
    OutOfRange {
        name: &'static str,
        value: u8,
        lo: u8,
        hi: u8,
    },
    #[error("关注等级规则 {lower} 不能大于 {higher}：较高等级的门槛不能低于较低等级")]
    Unordered {
        lower: &'static str,
        higher: &'static str,
    },
    #[error("关注等级映射第 {n} 条的 {field}“{value}”无效：{reason}")]
    BadScaleLevel {
        n: usize,
        field: &'static str,
        value: String,
        reason: &'static str,
    },
}

/// A district-supplied scale definition that cannot be loaded: which file, where in it, what.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("量表定义文件“{file}”{location}：{message}")]
pub struct ScaleDefError {
    pub file: String,
    /// Where in the file, in Chinese ("第 3 行第 5 列", "分量表“lie”第 2 个划界区间").
    pub location: String,
    pub message: String,
}
