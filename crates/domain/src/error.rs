use thiserror::Error;

/// Why a value is not a valid domain value. Messages are Chinese because they reach users
/// verbatim (import error lists, form errors).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum DomainError {
    #[error("不能为空")]
    Empty,
    #[error("长度应为 {expected} 位，实际为 {actual} 位")]
    Length { expected: usize, actual: usize },
    #[error("过长：最多 {max} 个字符")]
    TooLong { max: usize },
    #[error("含有不允许的字符“{0}”")]
    BadChar(char),
    #[error("校验位错误：应为 {expected}，实际为 {actual}")]
    CheckDigit { expected: char, actual: char },
    #[error("出生日期“{0}”无效")]
    BadBirthDate(String),
    #[error("身份证号中的出生日期 {in_id} 与出生日期 {given} 不一致")]
    BirthDateMismatch { in_id: String, given: String },
    #[error("日期“{0}”无法识别，请写成 2015-09-01 的形式")]
    BadDate(String),
    #[error("年级“{0}”无效，应为 1–12（一年级到高三）")]
    BadGrade(String),
    #[error("性别“{0}”无法识别，应为 男 / 女")]
    BadSex(String),
    #[error("学段“{0}”无法识别，应为 小学 / 初中 / 九年一贯制 / 高中 / 完全中学")]
    BadStage(String),
    #[error("班级类型“{0}”无法识别，应为 普通班 / 实验班 / 重点班 / 特长班 / 其他")]
    BadClassType(String),
    #[error("城乡类别“{0}”无法识别，应为 城区 / 农村")]
    BadLocation(String),
    #[error("学籍状态“{0}”无法识别，应为 在读 / 转出 / 休学 / 辍学")]
    BadStudentStatus(String),
    #[error("特殊群体“{0}”无法识别，应为 残疾 / 留守 / 困境，多项用 、 分隔")]
    BadStudentFlag(String),
    #[error("专兼职“{0}”无法识别，应为 专职 / 兼职")]
    BadEmployment(String),
    #[error("出生年份“{0}”无效，应为 1940–2010 之间的四位年份")]
    BadBirthYear(String),
    #[error("民族代码“{0}”无效，应为 01–56、97 或 98")]
    BadEthnicity(String),
    #[error("学年“{0}”无效")]
    BadSchoolYear(String),
    #[error("学期“{0}”无法识别，应为 秋季 / 春季")]
    BadTermPart(String),
    #[error("角色“{0}”无法识别")]
    BadRole(String),
    #[error("考试级别“{0}”无法识别，应为 校级 / 区级 / 市级 / 中考")]
    BadExamLevel(String),
    #[error("任课比例“{0}”无效，应在 0 到 1 之间（不含 0）")]
    BadShare(String),
    #[error("学期“{0}”无法识别，可写成 {forms}", forms = crate::term::TERM_FORMS_ZH)]
    BadTerm(String),
    #[error(
        "学期“{input}”有两种理解：{school_year}，或 {calendar_year}；请写明学年，如 2025-2026-1、2025-2026学年第一学期、2025年秋季学期"
    )]
    AmbiguousTerm {
        input: String,
        school_year: String,
        calendar_year: String,
    },
}
