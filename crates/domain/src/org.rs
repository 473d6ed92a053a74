//! District, schools and classes.
use serde::{Deserialize, Serialize};

use crate::{ClassId, DomainError, SchoolId};

/// The district (区) a deployment serves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct District {
    pub code: String,
    pub name: String,
}

/// 学段 of a school as it is organised (a nine-year school spans primary and junior).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Primary,
    Junior,
    NineYear,
    Senior,
    Complete,
}

impl Stage {
    pub const ALL: [Stage; 5] = [
        Stage::Primary,
        Stage::Junior,
        Stage::NineYear,
        Stage::Senior,
        Stage::Complete,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Stage::Primary => "primary",
            Stage::Junior => "junior",
            Stage::NineYear => "nine_year",
            Stage::Senior => "senior",
            Stage::Complete => "complete",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Stage::Primary => "小学",
            Stage::Junior => "初中",
            Stage::NineYear => "九年一贯制",
            Stage::Senior => "高中",
            Stage::Complete => "完全中学",
        }
    }

    /// The grades a school of this stage teaches.
    pub fn grades(self) -> std::ops::RangeInclusive<u8> {
        match self {
            Stage::Primary => 1..=6,
            Stage::Junior => 7..=9,
            Stage::NineYear => 1..=9,
            Stage::Senior => 10..=12,
            Stage::Complete => 7..=12,
        }
    }

    /// Accepts the code name or the Chinese label (and common short forms).
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let t = s.trim();
        Ok(match t {
            "primary" | "小学" => Stage::Primary,
            "junior" | "初中" | "初级中学" => Stage::Junior,
            "nine_year" | "九年一贯制" | "九年一贯制学校" | "九年制" => {
                Stage::NineYear
            }
            "senior" | "高中" | "高级中学" => Stage::Senior,
            "complete" | "完全中学" | "完中" => Stage::Complete,
            _ => return Err(DomainError::BadStage(t.to_string())),
        })
    }
}

/// 城区 / 农村.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Location {
    Urban,
    Rural,
}

impl Location {
    pub fn code(self) -> &'static str {
        match self {
            Location::Urban => "urban",
            Location::Rural => "rural",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Location::Urban => "城区",
            Location::Rural => "农村",
        }
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let t = s.trim();
        Ok(match t {
            "urban" | "城区" | "城市" | "城镇" => Location::Urban,
            "rural" | "农村" | "乡村" | "乡镇" => Location::Rural,
            _ => return Err(DomainError::BadLocation(t.to_string())),
        })
    }
}

/// A school code as the district assigns it (教育部学校标识码 or a local code).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SchoolCode(String);

impl SchoolCode {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let t = s.trim();
        if t.is_empty() {
            return Err(DomainError::Empty);
        }
        if t.chars().count() > 20 {
            return Err(DomainError::TooLong { max: 20 });
        }
        if let Some(c) = t
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
        {
            return Err(DomainError::BadChar(c));
        }
        Ok(Self(t.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for SchoolCode {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<SchoolCode> for String {
    fn from(c: SchoolCode) -> String {
        c.0
    }
}

impl std::fmt::Display for SchoolCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct School {
    pub id: SchoolId,
    pub code: SchoolCode,
    pub name: String,
    pub stage: Stage,
    pub location: Location,
    /// 教育集团, if the school belongs to one.
    pub school_group: Option<String>,
}

/// 年级 1–12 (1–6 小学, 7–9 初中, 10–12 高中).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Grade(u8);

const GRADE_NAMES: [&str; 12] = [
    "一年级",
    "二年级",
    "三年级",
    "四年级",
    "五年级",
    "六年级",
    "七年级",
    "八年级",
    "九年级",
    "高一",
    "高二",
    "高三",
];

impl Grade {
    pub fn new(n: u8) -> Result<Self, DomainError> {
        if (1..=12).contains(&n) {
            Ok(Self(n))
        } else {
            Err(DomainError::BadGrade(n.to_string()))
        }
    }

    pub fn get(self) -> u8 {
        self.0
    }

    pub fn label_zh(self) -> &'static str {
        GRADE_NAMES[usize::from(self.0 - 1)]
    }

    /// Accepts 1–12 and the Chinese names (一年级 … 九年级, 初一 … 初三, 高一 … 高三).
    /// The fitness template's 年级编号 (11 = 一年级) overlaps 11–12, so it is read only by
    /// [`Grade::from_template_code`], where the column says which it is.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let t = s.trim();
        let bad = || DomainError::BadGrade(t.to_string());
        if let Ok(n) = t.parse::<u8>() {
            return Self::new(n).map_err(|_| bad());
        }
        if let Some(i) = GRADE_NAMES.iter().position(|g| *g == t) {
            return Ok(Self(i as u8 + 1));
        }
        let alias = match t {
            "初一" => 7,
            "初二" => 8,
            "初三" => 9,
            "七年级" | "初中一年级" => 7,
            "高中一年级" => 10,
            "高中二年级" => 11,
            "高中三年级" => 12,
            _ => return Err(bad()),
        };
        Ok(Self(alias))
    }

    /// The 年级编号 of the national fitness upload template: 11–16 primary, 21–23 junior,
    /// 31–33 senior. (41–44 are university years, which wuyu does not enrol.)
    pub fn from_template_code(code: u8) -> Option<Self> {
        match code {
            11..=16 => Some(Self(code - 10)),
            21..=23 => Some(Self(code - 14)),
            31..=33 => Some(Self(code - 21)),
            _ => None,
        }
    }

    pub fn template_code(self) -> u8 {
        match self.0 {
            1..=6 => self.0 + 10,
            7..=9 => self.0 + 14,
            _ => self.0 + 21,
        }
    }
}

impl TryFrom<u8> for Grade {
    type Error = DomainError;
    fn try_from(n: u8) -> Result<Self, DomainError> {
        Self::new(n)
    }
}

impl From<Grade> for u8 {
    fn from(g: Grade) -> u8 {
        g.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchoolClass {
    pub school_id: SchoolId,
    pub id: ClassId,
    pub grade: Grade,
    /// The class name as the school writes it, e.g. "3班" or "七(3)班".
    pub name: String,
    /// 班级类型: parallel classes (同类班级) are those of the same school, grade and type.
    pub class_type: ClassType,
}

/// 班级类型. The plan compares a class only with classes of the same type (同类班级), so a
/// 实验班 is never measured against 普通班.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClassType {
    /// 普通班: what a class is unless the roster says otherwise.
    #[default]
    Ordinary,
    /// 实验班
    Experimental,
    /// 重点班
    Key,
    /// 特长班 (体育、艺术等特长生班)
    Talent,
    /// 其他
    Other,
}

impl ClassType {
    pub const ALL: [ClassType; 5] = [
        ClassType::Ordinary,
        ClassType::Experimental,
        ClassType::Key,
        ClassType::Talent,
        ClassType::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ClassType::Ordinary => "ordinary",
            ClassType::Experimental => "experimental",
            ClassType::Key => "key",
            ClassType::Talent => "talent",
            ClassType::Other => "other",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ClassType::Ordinary => "普通班",
            ClassType::Experimental => "实验班",
            ClassType::Key => "重点班",
            ClassType::Talent => "特长班",
            ClassType::Other => "其他",
        }
    }

    /// Accepts the code name, the Chinese label and the label without 班 (实验, 重点 …).
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let t = s.trim();
        let bare = t.strip_suffix('班').unwrap_or(t);
        Ok(match bare {
            "ordinary" | "普通" | "平行" => ClassType::Ordinary,
            "experimental" | "实验" => ClassType::Experimental,
            "key" | "重点" | "尖子" => ClassType::Key,
            "talent" | "特长" | "体育特长" | "艺术特长" => ClassType::Talent,
            "other" | "其他" | "其它" => ClassType::Other,
            _ => return Err(DomainError::BadClassType(t.to_string())),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grade_accepts_numbers_names_and_template_codes() {
        assert_eq!(Grade::parse("7").unwrap().get(), 7);
        assert_eq!(Grade::parse("初一").unwrap().get(), 7);
        assert_eq!(Grade::parse("高三").unwrap().get(), 12);
        assert_eq!(Grade::parse("三年级").unwrap().get(), 3);
        assert_eq!(
            Grade::parse("13").unwrap_err(),
            DomainError::BadGrade("13".into())
        );
        assert!(Grade::parse("16").is_err());
        assert_eq!(Grade::from_template_code(21).unwrap().get(), 7);
        assert_eq!(Grade::from_template_code(33).unwrap().get(), 12);
        assert_eq!(Grade::from_template_code(41), None);
        assert!(Grade::parse("0").is_err());
        assert!(Grade::parse("17").is_err());
        assert!(Grade::parse("二十").is_err());
    }

    #[test]
    fn template_codes_round_trip_for_every_grade() {
        for n in 1..=12 {
            let g = Grade::new(n).unwrap();
            assert_eq!(Grade::from_template_code(g.template_code()), Some(g));
        }
    }

    #[test]
    fn stage_and_location_parse_chinese_and_codes() {
        for s in Stage::ALL {
            assert_eq!(Stage::parse(s.code()).unwrap(), s);
            assert_eq!(Stage::parse(s.label_zh()).unwrap(), s);
        }
        assert_eq!(Location::parse("农村").unwrap(), Location::Rural);
        assert_eq!(Location::parse(" urban ").unwrap(), Location::Urban);
        assert!(Location::parse("郊区").is_err());
    }

    #[test]
    fn class_type_parses_labels_codes_and_short_forms() {
        for t in ClassType::ALL {
            assert_eq!(ClassType::parse(t.code()).unwrap(), t);
            assert_eq!(ClassType::parse(t.label_zh()).unwrap(), t);
        }
        assert_eq!(ClassType::parse(" 实验 ").unwrap(), ClassType::Experimental);
        assert_eq!(ClassType::default(), ClassType::Ordinary);
        let e = ClassType::parse("火箭班").unwrap_err();
        assert!(e.to_string().contains("普通班 / 实验班"), "{e}");
    }

    #[test]
    fn school_code_rejects_spaces_inside() {
        assert!(SchoolCode::parse("31011 2").is_err());
        assert_eq!(
            SchoolCode::parse(" 3101120001 ").unwrap().as_str(),
            "3101120001"
        );
    }
}
