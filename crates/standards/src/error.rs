//! Why a lookup could not be made. Messages are Chinese because they reach users verbatim (the
//! stateless scorer's `message` column, import error lists), like `wuyu_domain::DomainError`.
use thiserror::Error;
use wuyu_domain::Sex;

use crate::fitness::{FitnessGrade, FitnessItem};

/// A fitness record or item value that cannot be scored.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum ScoreError {
    /// A result was given for an item that this grade and sex do not take (e.g. 引体向上 for a
    /// girl). It is an error, not silently ignored: usually the wrong column or the wrong sex.
    #[error("{}{}生不测{}", .grade.label_zh(), .sex.label_zh(), .item.name_zh())]
    NotApplicable {
        item: FitnessItem,
        grade: FitnessGrade,
        sex: Sex,
    },
    /// The value is not a possible result for the item (not a number, negative, a fraction of a
    /// repetition, …). Plausibility (a 2.1 s 50米跑) is the importer's job, not this one.
    #[error("{}成绩“{value}”无效：{}", .item.name_zh(), .item.valid_values_zh())]
    InvalidValue { item: FitnessItem, value: f64 },
    #[error("身高“{0}”无效：应为大于 0、不超过 1000 的厘米数")]
    InvalidHeight(f64),
    #[error("体重“{0}”无效：应为大于 0、不超过 1000 的千克数")]
    InvalidWeight(f64),
    #[error("BMI“{0}”无效：应为大于 0 的数")]
    InvalidBmi(f64),
    /// BMI is computed from height and weight; it cannot be set as a measured value.
    #[error("BMI 由身高和体重计算，不能直接填写")]
    BmiIsComputed,
    #[error("测试项目“{0}”无法识别")]
    UnknownItem(String),
    #[error("年级“{0}”无效，应为 1–12、U12（大一大二）或 U34（大三大四）")]
    BadGrade(String),
}

/// Why a 毕业成绩 cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum GraduationError {
    /// The rule averages the other school years; with none, the formula has no second half and
    /// wuyu does not guess one.
    #[error("没有毕业当年以外的学年总分，无法按“毕业当年 50% + 其他学年平均 50%”计算毕业成绩")]
    NoOtherYears,
    #[error("学年总分 {0} 无效：应在 0–120 之间")]
    InvalidYearTotal(crate::points::Points),
}

/// Why an age could not be computed from two dates.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum AgeError {
    #[error("测试日期 {test} 早于出生日期 {birth}")]
    TestBeforeBirth { birth: time::Date, test: time::Date },
}

/// Why a WS/T 586 / WS/T 456 screening lookup could not be made.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum ScreeningError {
    #[error("年龄“{0}”无效")]
    InvalidAge(f64),
    /// The age is outside the ages the standard's table covers.
    #[error("年龄 {age:.2} 岁不在 {standard} 的适用范围（{range_zh}）内")]
    AgeOutOfRange {
        age: f64,
        standard: &'static str,
        range_zh: &'static str,
    },
    #[error("身高“{0}”无效：应为大于 0 的厘米数")]
    InvalidHeight(f64),
}

/// A vision-screening value that is not a possible measurement.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum VisionError {
    #[error("裸眼视力“{0}”无效：应为五分记录 3.0–5.3")]
    InvalidAcuity(f64),
    #[error("等效球镜度“{0}”无效：应为 −30 D 到 +30 D 之间")]
    InvalidSphericalEquivalent(f64),
}

/// An embedded table that does not parse or breaks a structural rule of README 4.2. The tables
/// are fixed at build time and tested, so this only fires if someone edits `data/` badly.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{file} line {line}: {message}")]
pub struct TableError {
    pub file: &'static str,
    pub line: usize,
    pub message: String,
}
