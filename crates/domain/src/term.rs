//! 学年 and 学期, and the forms schools write them in.
//!
//! One reading everywhere: a term code names the calendar year the term *begins* in, as
//! Chinese schools say “2025年秋季学期” / “2026年春季学期”. So `2025-autumn` and `2026-spring`
//! are the two terms of school year 2025–2026 (2025–2026学年第一、第二学期). The struct keeps
//! the school year, which is what the rest of the code reasons with.
use serde::{Deserialize, Serialize};
use time::{Date, Month};

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

/// The forms a term may be written in, for error messages.
pub const TERM_FORMS_ZH: &str = "2025-autumn、2026-spring、2025年秋季学期、2025-2026-1、\
     2025-2026学年第一学期、2025学年第二学期";

/// How far back a term may lie before it needs confirming (a whole schooling, 12 years).
const FAR_PAST_YEARS: u16 = 12;

impl Term {
    pub fn new(school_year: u16, part: TermPart) -> Result<Self, DomainError> {
        if (2000..=2100).contains(&school_year) {
            Ok(Self { school_year, part })
        } else {
            Err(DomainError::BadSchoolYear(school_year.to_string()))
        }
    }

    /// The calendar year the term begins in: autumn in the school year's first year,
    /// spring in its second.
    pub fn calendar_year(self) -> u16 {
        match self.part {
            TermPart::Autumn => self.school_year,
            TermPart::Spring => self.school_year + 1,
        }
    }

    /// A stable code such as `2024-autumn` or `2025-spring` (calendar year the term begins
    /// in), used in URLs and the database.
    pub fn code(self) -> String {
        let p = match self.part {
            TermPart::Autumn => "autumn",
            TermPart::Spring => "spring",
        };
        format!("{}-{p}", self.calendar_year())
    }

    /// Parses a term code or any form schools write (see [`TERM_FORMS_ZH`]):
    /// `2025-autumn`, `2026-spring`, `2025年秋季学期`, `2026春季`, `2025-2026-1`,
    /// `2025-2026学年第二学期`, `2025学年第一学期`. Refuses `2025-1`, `2025年第二学期` and the like,
    /// which read two ways, with both readings in the message.
    pub fn parse_code(s: &str) -> Result<Self, DomainError> {
        parse(s)
    }

    /// e.g. "2024–2025学年秋季学期".
    pub fn label_zh(self) -> String {
        let p = match self.part {
            TermPart::Autumn => "秋季",
            TermPart::Spring => "春季",
        };
        format!("{}–{}学年{p}学期", self.school_year, self.school_year + 1)
    }

    /// e.g. "2024–2025学年第一学期（2024年秋季，2024-08-01 至 2025-01-31）": every reading
    /// at once, for confirmations and errors.
    pub fn describe_zh(self) -> String {
        let (n, p) = match self.part {
            TermPart::Autumn => ("一", "秋季"),
            TermPart::Spring => ("二", "春季"),
        };
        format!(
            "{}–{}学年第{n}学期（{}年{p}，{} 至 {}）",
            self.school_year,
            self.school_year + 1,
            self.calendar_year(),
            self.first_day(),
            self.last_day()
        )
    }

    /// The first day: 1 August for autumn, 1 February for spring.
    pub fn first_day(self) -> Date {
        let (y, m) = match self.part {
            TermPart::Autumn => (self.school_year, Month::August),
            TermPart::Spring => (self.school_year + 1, Month::February),
        };
        Date::from_calendar_date(i32::from(y), m, 1).expect("the first of a month exists")
    }

    /// The last day: 31 January for autumn (the term's exams run into January), 31 July for
    /// spring.
    pub fn last_day(self) -> Date {
        let m = match self.part {
            TermPart::Autumn => Month::January,
            TermPart::Spring => Month::July,
        };
        Date::from_calendar_date(i32::from(self.school_year) + 1, m, 31)
            .expect("31 January and 31 July exist")
    }

    /// Whether a date (a test or exam date) falls in this term.
    pub fn contains(self, d: Date) -> bool {
        (self.first_day()..=self.last_day()).contains(&d)
    }

    /// The term a date falls in: August–January autumn, February–July spring.
    pub fn of_date(d: Date) -> Result<Self, DomainError> {
        let year = d.year();
        let (school_year, part) = match d.month() {
            Month::August
            | Month::September
            | Month::October
            | Month::November
            | Month::December => (year, TermPart::Autumn),
            Month::January => (year - 1, TermPart::Autumn),
            _ => (year - 1, TermPart::Spring),
        };
        let y = u16::try_from(school_year).map_err(|_| DomainError::BadDate(d.to_string()))?;
        Self::new(y, part)
    }

    /// Whether this term is far from `today`: after the next term, or more than twelve school
    /// years back. Such a term is almost always a typo (2099, 2052) and needs confirming; it
    /// never becomes a page's default term.
    pub fn is_far_from(self, today: Date) -> bool {
        let Ok(now) = Self::of_date(today) else {
            return true;
        };
        self > now.next() || self.school_year + FAR_PAST_YEARS < now.school_year
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

/// Full-width digits and the dashes people type become ASCII; spaces, `度` (学年度) and the
/// word `学期`'s variants are left for the part parsers.
fn normalise(s: &str) -> String {
    s.trim()
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '度')
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '–' | '—' | '－' | '~' | '～' | '至' | '/' | '_' => '-',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// A season word: calendar reading.
fn season(s: &str) -> Option<TermPart> {
    match s {
        "autumn" | "fall" | "秋" | "秋季" | "秋学期" | "秋季学期" => {
            Some(TermPart::Autumn)
        }
        "spring" | "春" | "春季" | "春学期" | "春季学期" => Some(TermPart::Spring),
        _ => None,
    }
}

/// An ordinal term (第一学期, 上学期, 1): which half of a school year.
fn ordinal(s: &str) -> Option<TermPart> {
    let s = s.strip_prefix('第').unwrap_or(s);
    let s = s.strip_suffix("学期").unwrap_or(s);
    match s {
        "1" | "一" | "上" => Some(TermPart::Autumn),
        "2" | "二" | "下" => Some(TermPart::Spring),
        _ => None,
    }
}

/// Leading four digits and the rest.
fn year(s: &str) -> Option<(u16, &str)> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits != 4 {
        return None;
    }
    Some((s[..4].parse().ok()?, &s[4..]))
}

fn strip<'a>(s: &'a str, p: &str) -> &'a str {
    s.strip_prefix(p).unwrap_or(s)
}

fn parse(input: &str) -> Result<Term, DomainError> {
    let bad = || DomainError::BadTerm(input.trim().to_string());
    let s = normalise(input);
    let (y1, rest) = year(&s).ok_or_else(bad)?;
    // 2025-2026-1, 2025-2026学年第一学期: a school year written as its two years.
    if let Some((y2, rest)) = rest.strip_prefix('-').and_then(year) {
        if y2 != y1 + 1 {
            return Err(DomainError::BadSchoolYear(format!("{y1}-{y2}")));
        }
        let rest = strip(strip(rest, "学年"), "-");
        let part = ordinal(rest).or_else(|| season(rest)).ok_or_else(bad)?;
        return Term::new(y1, part);
    }
    // 2025学年第一学期: school year 2025–2026.
    if let Some(rest) = strip(rest, "-").strip_prefix("学年") {
        let rest = strip(rest, "-");
        let part = ordinal(rest).or_else(|| season(rest)).ok_or_else(bad)?;
        return Term::new(y1, part);
    }
    let rest = strip(strip(strip(rest, "-"), "年"), "-");
    // 2025-autumn, 2026年春季学期: the calendar year the term begins in.
    if let Some(part) = season(rest) {
        return match part {
            TermPart::Autumn => Term::new(y1, part),
            TermPart::Spring => Term::new(y1.wrapping_sub(1), part),
        };
    }
    // 2025-1, 2025年第二学期: school year 2025's term, or calendar year 2025's? Both are
    // written, so neither is guessed.
    if let Some(part) = ordinal(rest) {
        let (school, calendar) = match part {
            TermPart::Autumn => (
                Term::new(y1, part),
                Term::new(y1.wrapping_sub(1), TermPart::Spring),
            ),
            TermPart::Spring => (Term::new(y1, part), Term::new(y1, TermPart::Autumn)),
        };
        let (school, calendar) = (school?, calendar?);
        return Err(DomainError::AmbiguousTerm {
            input: input.trim().to_string(),
            school_year: school.describe_zh(),
            calendar_year: calendar.describe_zh(),
        });
    }
    Err(bad())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn t(y: u16, p: TermPart) -> Term {
        Term::new(y, p).unwrap()
    }

    #[test]
    fn term_codes_round_trip_and_order() {
        let a = t(2024, TermPart::Autumn);
        assert_eq!(a.code(), "2024-autumn");
        assert_eq!(Term::parse_code("2024-autumn").unwrap(), a);
        // The spring of school year 2024–2025 begins in 2025.
        assert_eq!(a.next().code(), "2025-spring");
        assert_eq!(a.next().next().code(), "2025-autumn");
        assert!(a < a.next());
        assert_eq!(a.label_zh(), "2024–2025学年秋季学期");
        for term in [
            a,
            a.next(),
            t(2000, TermPart::Autumn),
            t(2100, TermPart::Spring),
        ] {
            assert_eq!(Term::parse_code(&term.code()).unwrap(), term);
        }
        assert!(Term::new(1999, TermPart::Spring).is_err());
    }

    #[test]
    fn the_readme_and_help_examples_land_in_school_year_2025_2026() {
        let autumn = t(2025, TermPart::Autumn);
        let spring = t(2025, TermPart::Spring);
        assert_eq!(Term::parse_code("2025-autumn").unwrap(), autumn);
        assert_eq!(Term::parse_code("2026-spring").unwrap(), spring);
        // `2025-spring` is the spring of 2025, in school year 2024–2025.
        assert_eq!(
            Term::parse_code("2025-spring").unwrap(),
            t(2024, TermPart::Spring)
        );
        assert_eq!(Term::of_date(date!(2026 - 01 - 15)).unwrap(), autumn);
    }

    #[test]
    fn every_accepted_form() {
        let a = t(2024, TermPart::Autumn);
        let s = t(2024, TermPart::Spring);
        let cases = [
            ("2024-autumn", a),
            ("2024-fall", a),
            ("2025-spring", s),
            (" 2025-SPRING ", s),
            ("2024-秋季", a),
            ("2025-春季", s),
            ("2024年秋季学期", a),
            ("2024秋季学期", a),
            ("2024年秋季", a),
            ("2024秋", a),
            ("2025年春季学期", s),
            ("2025春", s),
            ("2025年春学期", s),
            ("2024-2025-1", a),
            ("2024-2025-2", s),
            ("2024–2025-2", s),
            ("２０２４－２０２５－１", a),
            ("2024-2025学年第一学期", a),
            ("2024-2025学年第二学期", s),
            ("2024—2025学年度第二学期", s),
            ("2024～2025学年第1学期", a),
            ("2024-2025学年上学期", a),
            ("2024-2025学年下学期", s),
            ("2024-2025学年秋季学期", a),
            ("2024-2025学年春季学期", s),
            ("2024至2025学年第二学期", s),
            ("2024 - 2025 学年 第一学期", a),
            ("2024学年第一学期", a),
            ("2024学年第二学期", s),
            ("2024学年度第二学期", s),
            ("2024学年下学期", s),
            ("2024学年春季学期", s),
        ];
        for (form, want) in cases {
            assert_eq!(Term::parse_code(form), Ok(want), "{form}");
        }
    }

    #[test]
    fn every_refused_form() {
        for bad in [
            "",
            "2024",
            "2024-summer",
            "24-autumn",
            "2024-2025",
            "2024-2025-3",
            "2024-2025学年",
            "2024学年",
            "2024学年第三学期",
            "autumn",
            "第一学期",
            "1999-autumn",
            "2101-autumn",
            "2000-spring",
        ] {
            assert!(Term::parse_code(bad).is_err(), "{bad}");
        }
        // Years that do not follow each other.
        assert_eq!(
            Term::parse_code("2024-2026-1"),
            Err(DomainError::BadSchoolYear("2024-2026".into()))
        );
        let msg = Term::parse_code("2024-summer").unwrap_err().to_string();
        assert!(
            msg.contains("2024-summer") && msg.contains("2025-2026-1"),
            "{msg}"
        );
    }

    #[test]
    fn ambiguous_forms_are_refused_with_both_readings() {
        for (form, school, calendar) in [
            ("2025-1", "2025–2026学年第一学期", "2024–2025学年第二学期"),
            (
                "2025年第一学期",
                "2025–2026学年第一学期",
                "2024–2025学年第二学期",
            ),
            ("2025-2", "2025–2026学年第二学期", "2025–2026学年第一学期"),
            (
                "2025第二学期",
                "2025–2026学年第二学期",
                "2025–2026学年第一学期",
            ),
            (
                "2025年下学期",
                "2025–2026学年第二学期",
                "2025–2026学年第一学期",
            ),
        ] {
            let e = Term::parse_code(form).unwrap_err();
            assert!(
                matches!(e, DomainError::AmbiguousTerm { .. }),
                "{form}: {e:?}"
            );
            let msg = e.to_string();
            assert!(msg.contains(form), "{msg}");
            assert!(msg.contains(school) && msg.contains(calendar), "{msg}");
        }
        let msg = Term::parse_code("2025-1").unwrap_err().to_string();
        assert!(
            msg.contains("2025年秋季") && msg.contains("2025年春季"),
            "{msg}"
        );
    }

    #[test]
    fn term_dates() {
        let a = t(2025, TermPart::Autumn);
        assert_eq!(a.first_day(), date!(2025 - 08 - 01));
        assert_eq!(a.last_day(), date!(2026 - 01 - 31));
        let s = a.next();
        assert_eq!(s.first_day(), date!(2026 - 02 - 01));
        assert_eq!(s.last_day(), date!(2026 - 07 - 31));
        assert!(a.contains(date!(2025 - 10 - 20)));
        assert!(a.contains(date!(2026 - 01 - 15)));
        assert!(!a.contains(date!(2025 - 04 - 10)));
        assert!(!a.contains(date!(2026 - 02 - 01)));
        assert!(s.contains(date!(2026 - 06 - 25)));
        for d in [
            date!(2025 - 08 - 01),
            date!(2025 - 12 - 31),
            date!(2026 - 01 - 31),
            date!(2026 - 02 - 01),
            date!(2026 - 07 - 31),
        ] {
            assert!(Term::of_date(d).unwrap().contains(d), "{d}");
        }
        assert_eq!(
            a.describe_zh(),
            "2025–2026学年第一学期（2025年秋季，2025-08-01 至 2026-01-31）"
        );
    }

    #[test]
    fn far_terms() {
        let today = date!(2026 - 12 - 06);
        let now = Term::of_date(today).unwrap();
        assert!(!now.is_far_from(today));
        assert!(!now.next().is_far_from(today));
        assert!(now.next().next().is_far_from(today));
        assert!(Term::parse_code("2099-autumn").unwrap().is_far_from(today));
        assert!(!Term::parse_code("2015-autumn").unwrap().is_far_from(today));
        assert!(Term::parse_code("2010-autumn").unwrap().is_far_from(today));
    }
}
