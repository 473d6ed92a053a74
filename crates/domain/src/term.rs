//! 学年 and 学期.
use serde::{Deserialize, Serialize};

use crate::DomainError;

/// 秋季学期 (first half of the school year) or 春季学期 (second half).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TermPart {
    Autumn,
    Spring,
}

/// A term: the school year is named by the year it starts (2024 = 2024–2025 学年).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Term {
    pub school_year: u16,
    pub part: TermPart,
}

impl Term {
    pub fn new(school_year: u16, part: TermPart) -> Result<Self, DomainError> {
        if (2000..=2100).contains(&school_year) {
            Ok(Self { school_year, part })
        } else {
            Err(DomainError::BadSchoolYear(school_year.to_string()))
        }
    }

    /// A stable code such as `2024-autumn`, used in URLs and the database.
    pub fn code(self) -> String {
        let p = match self.part {
            TermPart::Autumn => "autumn",
            TermPart::Spring => "spring",
        };
        format!("{}-{p}", self.school_year)
    }

    /// Parses `2024-autumn` / `2024-spring`.
    pub fn parse_code(s: &str) -> Result<Self, DomainError> {
        let t = s.trim();
        let (y, p) = t
            .split_once('-')
            .ok_or_else(|| DomainError::BadTermPart(t.to_string()))?;
        let year: u16 = y
            .parse()
            .map_err(|_| DomainError::BadSchoolYear(y.to_string()))?;
        let part = match p {
            "autumn" | "秋季" => TermPart::Autumn,
            "spring" | "春季" => TermPart::Spring,
            _ => return Err(DomainError::BadTermPart(p.to_string())),
        };
        Self::new(year, part)
    }

    /// e.g. "2024–2025学年秋季学期".
    pub fn label_zh(self) -> String {
        let p = match self.part {
            TermPart::Autumn => "秋季",
            TermPart::Spring => "春季",
        };
        format!("{}–{}学年{p}学期", self.school_year, self.school_year + 1)
    }

    /// The term after this one.
    pub fn next(self) -> Self {
        match self.part {
            TermPart::Autumn => Self {
                school_year: self.school_year,
                part: TermPart::Spring,
            },
            TermPart::Spring => Self {
                school_year: self.school_year + 1,
                part: TermPart::Autumn,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn term_codes_round_trip_and_order() {
        let t = Term::new(2024, TermPart::Autumn).unwrap();
        assert_eq!(t.code(), "2024-autumn");
        assert_eq!(Term::parse_code("2024-autumn").unwrap(), t);
        assert_eq!(t.next().code(), "2024-spring");
        assert_eq!(t.next().next().code(), "2025-autumn");
        assert!(t < t.next());
        assert_eq!(t.label_zh(), "2024–2025学年秋季学期");
        assert!(Term::parse_code("2024-summer").is_err());
        assert!(Term::new(1999, TermPart::Spring).is_err());
    }
}
