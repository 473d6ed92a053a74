//! Roster fields the later capabilities count on (issue 9): a student's 学籍状态 and
//! special-group flags, a teacher's 专职/兼职 and birth year.
use serde::{Deserialize, Serialize};

use crate::DomainError;

/// 学籍状态. Only 在读 students count towards a school's rates; the others stay on record
/// with the date their status changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum StudentStatus {
    /// 在读
    #[default]
    Enrolled,
    /// 转出
    TransferredOut,
    /// 休学
    Suspended,
    /// 辍学
    DroppedOut,
}

impl StudentStatus {
    pub const ALL: [StudentStatus; 4] = [
        StudentStatus::Enrolled,
        StudentStatus::TransferredOut,
        StudentStatus::Suspended,
        StudentStatus::DroppedOut,
    ];

    pub fn code(self) -> &'static str {
        match self {
            StudentStatus::Enrolled => "enrolled",
            StudentStatus::TransferredOut => "transferred_out",
            StudentStatus::Suspended => "suspended",
            StudentStatus::DroppedOut => "dropped_out",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            StudentStatus::Enrolled => "在读",
            StudentStatus::TransferredOut => "转出",
            StudentStatus::Suspended => "休学",
            StudentStatus::DroppedOut => "辍学",
        }
    }

    /// Accepts the code name and the Chinese label (在校 and 转学 as the forms schools write).
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let t = s.trim();
        Ok(match t {
            "enrolled" | "在读" | "在校" | "在籍" => StudentStatus::Enrolled,
            "transferred_out" | "转出" | "转学" => StudentStatus::TransferredOut,
            "suspended" | "休学" => StudentStatus::Suspended,
            "dropped_out" | "辍学" => StudentStatus::DroppedOut,
            _ => return Err(DomainError::BadStudentStatus(t.to_string())),
        })
    }
}

/// A special-group flag (特殊群体). Sensitive: only district and school admins and the
/// student's 班主任 may read it, and every read is audited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum StudentFlag {
    /// 残疾
    Disability,
    /// 留守
    LeftBehind,
    /// 困境
    Hardship,
}

impl StudentFlag {
    pub const ALL: [StudentFlag; 3] = [
        StudentFlag::Disability,
        StudentFlag::LeftBehind,
        StudentFlag::Hardship,
    ];

    pub fn code(self) -> &'static str {
        match self {
            StudentFlag::Disability => "disability",
            StudentFlag::LeftBehind => "left_behind",
            StudentFlag::Hardship => "hardship",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            StudentFlag::Disability => "残疾",
            StudentFlag::LeftBehind => "留守",
            StudentFlag::Hardship => "困境",
        }
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let t = s.trim();
        Ok(match t {
            "disability" | "残疾" | "残疾儿童" | "残疾学生" => StudentFlag::Disability,
            "left_behind" | "留守" | "留守儿童" => StudentFlag::LeftBehind,
            "hardship" | "困境" | "困境儿童" => StudentFlag::Hardship,
            _ => return Err(DomainError::BadStudentFlag(t.to_string())),
        })
    }

    /// A 特殊群体 cell: flags separated by 、 , ， ; ； or /, each kept once, sorted.
    pub fn parse_list(s: &str) -> Result<Vec<Self>, DomainError> {
        let mut out = Vec::new();
        for part in s.split(['、', ',', '，', ';', '；', '/']) {
            if part.trim().is_empty() {
                continue;
            }
            out.push(Self::parse(part)?);
        }
        out.sort();
        out.dedup();
        Ok(out)
    }
}

/// 专职 / 兼职: whether a teacher teaches their subject full-time (the plan counts 专职
/// 体育、艺术、心理 teachers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Employment {
    FullTime,
    PartTime,
}

impl Employment {
    pub fn code(self) -> &'static str {
        match self {
            Employment::FullTime => "full_time",
            Employment::PartTime => "part_time",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Employment::FullTime => "专职",
            Employment::PartTime => "兼职",
        }
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let t = s.trim();
        Ok(match t {
            "full_time" | "专职" | "专任" => Employment::FullTime,
            "part_time" | "兼职" | "兼任" => Employment::PartTime,
            _ => return Err(DomainError::BadEmployment(t.to_string())),
        })
    }
}

/// A teacher's birth year: four digits, 1940–2010 (a teacher today is 16 to 86), or 1980年.
pub fn parse_birth_year(s: &str) -> Result<i32, DomainError> {
    let t = s.trim();
    let digits = t.strip_suffix('年').unwrap_or(t);
    match digits.parse::<i32>() {
        Ok(y) if (1940..=2010).contains(&y) && digits.len() == 4 => Ok(y),
        _ => Err(DomainError::BadBirthYear(t.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_codes_parse_back() {
        for s in StudentStatus::ALL {
            assert_eq!(StudentStatus::parse(s.label_zh()).unwrap(), s);
            assert_eq!(StudentStatus::parse(s.code()).unwrap(), s);
        }
        for f in StudentFlag::ALL {
            assert_eq!(StudentFlag::parse(f.label_zh()).unwrap(), f);
            assert_eq!(StudentFlag::parse(f.code()).unwrap(), f);
        }
        for e in [Employment::FullTime, Employment::PartTime] {
            assert_eq!(Employment::parse(e.label_zh()).unwrap(), e);
        }
        assert!(StudentStatus::parse("毕业").is_err());
        assert!(Employment::parse("外聘").is_err());
    }

    #[test]
    fn a_flag_list_is_split_sorted_and_deduplicated() {
        assert_eq!(
            StudentFlag::parse_list("困境、留守儿童，困境").unwrap(),
            vec![StudentFlag::LeftBehind, StudentFlag::Hardship]
        );
        assert_eq!(StudentFlag::parse_list(" ").unwrap(), vec![]);
        assert_eq!(
            StudentFlag::parse_list("留守、贫困").unwrap_err(),
            DomainError::BadStudentFlag("贫困".into())
        );
    }

    #[test]
    fn birth_years_outside_a_working_life_are_refused() {
        assert_eq!(parse_birth_year("1985").unwrap(), 1985);
        assert_eq!(parse_birth_year("1985年").unwrap(), 1985);
        for bad in ["85", "2020", "1900", "一九八五", "1985.5"] {
            assert!(parse_birth_year(bad).is_err(), "{bad}");
        }
    }
}
