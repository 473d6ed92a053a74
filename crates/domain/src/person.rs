//! Students, teachers and their validated identifiers.
use serde::{Deserialize, Serialize};
use time::{Date, Month};

use crate::{ClassId, DomainError, SchoolId, StudentId, TeacherId};

/// 性别. The national templates code it 1 = 男, 2 = 女.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    pub fn code(self) -> &'static str {
        match self {
            Sex::Male => "M",
            Sex::Female => "F",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Sex::Male => "男",
            Sex::Female => "女",
        }
    }

    /// Accepts 男/女, M/F (any case), male/female and the template codes 1/2.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let t = s.trim();
        match t.to_ascii_lowercase().as_str() {
            "男" | "m" | "male" | "1" => Ok(Sex::Male),
            "女" | "f" | "female" | "2" => Ok(Sex::Female),
            _ => Err(DomainError::BadSex(t.to_string())),
        }
    }
}

/// A person's name: trimmed, non-empty, at most 50 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PersonName(String);

impl PersonName {
    pub const MAX_CHARS: usize = 50;

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let t = s.trim();
        if t.is_empty() {
            return Err(DomainError::Empty);
        }
        if t.chars().count() > Self::MAX_CHARS {
            return Err(DomainError::TooLong {
                max: Self::MAX_CHARS,
            });
        }
        if let Some(c) = t.chars().find(|c| c.is_control()) {
            return Err(DomainError::BadChar(c));
        }
        Ok(Self(t.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PersonName {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, DomainError> {
        Self::parse(&s)
    }
}

impl From<PersonName> for String {
    fn from(n: PersonName) -> String {
        n.0
    }
}

impl std::fmt::Display for PersonName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// 学籍号: the national student number. In practice "G" + the 18-character 身份证号, "L" + a
/// temporary number, or a provincial number; so we accept 6–30 ASCII letters and digits,
/// upper-cased, and nothing else (no spaces, no full-width characters).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct StudentNo(String);

impl StudentNo {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let t = s.trim();
        if t.is_empty() {
            return Err(DomainError::Empty);
        }
        if let Some(c) = t.chars().find(|c| !c.is_ascii_alphanumeric()) {
            return Err(DomainError::BadChar(c));
        }
        if t.len() > 30 {
            return Err(DomainError::TooLong { max: 30 });
        }
        if t.len() < 6 {
            return Err(DomainError::Length {
                expected: 6,
                actual: t.len(),
            });
        }
        Ok(Self(t.to_ascii_uppercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for StudentNo {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, DomainError> {
        Self::parse(&s)
    }
}

impl From<StudentNo> for String {
    fn from(n: StudentNo) -> String {
        n.0
    }
}

impl std::fmt::Display for StudentNo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// 身份证号 (GB 11643-1999): 6-digit region, 8-digit birth date, 3-digit sequence (odd for
/// men), and an ISO 7064 MOD 11-2 check character (0–9 or X). Sensitive: show it masked.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdCardNo(String);

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

impl IdCardNo {
    /// The check character for the first 17 digits (ISO 7064 MOD 11-2).
    pub fn check_char(first17: &[u8; 17]) -> char {
        let sum: u32 = first17
            .iter()
            .zip(ID_WEIGHTS)
            .map(|(d, w)| u32::from(d - b'0') * w)
            .sum();
        ID_CHECK[(sum % 11) as usize]
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let t = s.trim().to_ascii_uppercase();
        if t.is_empty() {
            return Err(DomainError::Empty);
        }
        let n = t.chars().count();
        if n != 18 {
            return Err(DomainError::Length {
                expected: 18,
                actual: n,
            });
        }
        // Check characters, not bytes: a full-width digit or Ｘ must be reported as itself.
        if let Some(c) = t.chars().take(17).find(|c| !c.is_ascii_digit()) {
            return Err(DomainError::BadChar(c));
        }
        let last = t.chars().nth(17).expect("18 characters");
        if !(last.is_ascii_digit() || last == 'X') {
            return Err(DomainError::BadChar(last));
        }
        let b = t.as_bytes();
        let first17: &[u8; 17] = b[..17].try_into().expect("18 ASCII bytes");
        let expected = Self::check_char(first17);
        if expected != last {
            return Err(DomainError::CheckDigit {
                expected,
                actual: last,
            });
        }
        let id = Self(t);
        id.birth_date()?;
        Ok(id)
    }

    /// The birth date written in positions 7–14.
    pub fn birth_date(&self) -> Result<Date, DomainError> {
        let d = &self.0[6..14];
        let bad = || DomainError::BadBirthDate(d.to_string());
        let y: i32 = d[0..4].parse().map_err(|_| bad())?;
        let m: u8 = d[4..6].parse().map_err(|_| bad())?;
        let day: u8 = d[6..8].parse().map_err(|_| bad())?;
        if !(1900..=2100).contains(&y) {
            return Err(bad());
        }
        let month = Month::try_from(m).map_err(|_| bad())?;
        Date::from_calendar_date(y, month, day).map_err(|_| bad())
    }

    /// Sex from the sequence number (odd = male).
    pub fn sex(&self) -> Sex {
        if (self.0.as_bytes()[16] - b'0') % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Masked for display: region and check character hidden, e.g. `110***********123X` shows
    /// only the first 3 and last 4.
    pub fn masked(&self) -> String {
        format!("{}***********{}", &self.0[..3], &self.0[14..])
    }
}

/// Debug never prints the full number: logs must not leak it.
impl std::fmt::Debug for IdCardNo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdCardNo({})", self.masked())
    }
}

impl TryFrom<String> for IdCardNo {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, DomainError> {
        Self::parse(&s)
    }
}

impl From<IdCardNo> for String {
    fn from(n: IdCardNo) -> String {
        n.0
    }
}

/// 民族代码 (GB/T 3304): 01–56, 97 其他, 98 外国血统中国籍人士.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct EthnicityCode(u8);

impl EthnicityCode {
    pub fn new(n: u8) -> Result<Self, DomainError> {
        if (1..=56).contains(&n) || n == 97 || n == 98 {
            Ok(Self(n))
        } else {
            Err(DomainError::BadEthnicity(format!("{n:02}")))
        }
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let t = s.trim();
        let n: u8 = t
            .parse()
            .map_err(|_| DomainError::BadEthnicity(t.to_string()))?;
        Self::new(n).map_err(|_| DomainError::BadEthnicity(t.to_string()))
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for EthnicityCode {
    type Error = DomainError;
    fn try_from(n: u8) -> Result<Self, DomainError> {
        Self::new(n)
    }
}

impl From<EthnicityCode> for u8 {
    fn from(c: EthnicityCode) -> u8 {
        c.0
    }
}

/// Parses the date forms Chinese spreadsheets use: 2015-09-01, 2015/9/1, 2015.9.1, 20150901,
/// 2015年9月1日.
pub fn parse_date(s: &str) -> Result<Date, DomainError> {
    let t = s.trim();
    let bad = || DomainError::BadDate(t.to_string());
    if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
        return ymd(&t[0..4], &t[4..6], &t[6..8]).ok_or_else(bad);
    }
    let norm = t.replace(['年', '月', '/', '.'], "-").replace('日', "");
    let parts: Vec<&str> = norm.split('-').collect();
    match parts.as_slice() {
        [y, m, d] => ymd(y, m, d).ok_or_else(bad),
        _ => Err(bad()),
    }
}

fn ymd(y: &str, m: &str, d: &str) -> Option<Date> {
    if y.len() != 4 || m.is_empty() || m.len() > 2 || d.is_empty() || d.len() > 2 {
        return None;
    }
    let y: i32 = y.parse().ok()?;
    let m: u8 = m.parse().ok()?;
    let d: u8 = d.parse().ok()?;
    if !(1900..=2100).contains(&y) {
        return None;
    }
    Date::from_calendar_date(y, Month::try_from(m).ok()?, d).ok()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Student {
    pub school_id: SchoolId,
    pub id: StudentId,
    pub class_id: ClassId,
    pub student_no: StudentNo,
    pub name: PersonName,
    pub sex: Sex,
    pub birth_date: Date,
    pub id_card_no: Option<IdCardNo>,
    pub ethnicity: Option<EthnicityCode>,
    /// 曾用名: names the student was enrolled under before, so a file that still uses one
    /// is recognised as the same child.
    pub former_names: Vec<PersonName>,
    /// 学籍状态 and the date it took effect (none for a student 在读 since enrolment).
    pub status: crate::StudentStatus,
    pub status_date: Option<Date>,
}

/// What separates several 曾用名 in one cell (张三、张小三 or 张三;张小三).
const NAME_SEPARATORS: [char; 6] = ['、', ',', '，', ';', '；', '/'];

impl Student {
    /// Whether `name` is the student's name or one of their 曾用名 (spaces around it ignored).
    pub fn is_known_as(&self, name: &str) -> bool {
        let n = name.trim();
        self.name.as_str() == n || self.former_names.iter().any(|f| f.as_str() == n)
    }

    /// Parses a 曾用名 cell: names separated by 、 , ， ; ； or /; empty parts are skipped and
    /// a name given twice is kept once.
    pub fn parse_former_names(s: &str) -> Result<Vec<PersonName>, DomainError> {
        let mut out: Vec<PersonName> = Vec::new();
        for part in s.split(NAME_SEPARATORS) {
            if part.trim().is_empty() {
                continue;
            }
            let n = PersonName::parse(part)?;
            if !out.contains(&n) {
                out.push(n);
            }
        }
        Ok(out)
    }

    /// The stored form of former names: joined by 、, which a parsed name cannot contain.
    pub fn join_former_names(names: &[PersonName]) -> String {
        let parts: Vec<&str> = names.iter().map(PersonName::as_str).collect();
        parts.join("、")
    }

    /// Checks that the 身份证号, if present, carries the same birth date as the record.
    pub fn check_id_card_matches(
        id_card_no: Option<&IdCardNo>,
        birth_date: Date,
    ) -> Result<(), DomainError> {
        if let Some(id) = id_card_no {
            let in_id = id.birth_date()?;
            if in_id != birth_date {
                return Err(DomainError::BirthDateMismatch {
                    in_id: in_id.to_string(),
                    given: birth_date.to_string(),
                });
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Teacher {
    pub school_id: SchoolId,
    pub id: TeacherId,
    /// 工号: the school's staff number.
    pub staff_no: String,
    pub name: PersonName,
    pub sex: Option<Sex>,
}

/// The 任课 "subject" that makes a teacher the class's 班主任 (head teacher): the 任课 sheet
/// already lists teacher ↔ class pairs, so the 班主任 is one more row there.
pub const HEAD_TEACHER_SUBJECT: &str = "班主任";

/// 任课: a teacher teaches a subject to a class, with a share (1.0 unless shared teaching).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeacherAssignment {
    pub school_id: SchoolId,
    pub teacher_id: TeacherId,
    pub class_id: ClassId,
    pub subject: String,
    pub share: f64,
}

impl TeacherAssignment {
    pub fn parse_share(s: &str) -> Result<f64, DomainError> {
        let t = s.trim();
        if t.is_empty() {
            return Ok(1.0);
        }
        let v = if let Some(p) = t.strip_suffix('%') {
            p.trim().parse::<f64>().map(|x| x / 100.0)
        } else {
            t.parse::<f64>()
        }
        .map_err(|_| DomainError::BadShare(t.to_string()))?;
        if v > 0.0 && v <= 1.0 {
            Ok(v)
        } else {
            Err(DomainError::BadShare(t.to_string()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn with_check(first17: &str) -> String {
        let b: &[u8; 17] = first17.as_bytes().try_into().unwrap();
        format!("{first17}{}", IdCardNo::check_char(b))
    }

    #[test]
    fn id_card_published_example_is_valid() {
        // The worked example of GB 11643-1999: 11010519491231002X.
        let id = IdCardNo::parse("11010519491231002x").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(id.birth_date().unwrap(), date!(1949 - 12 - 31));
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(id.masked(), "110***********002X");
        assert!(!format!("{id:?}").contains("19491231"));
    }

    #[test]
    fn id_card_errors_say_what_is_wrong() {
        assert_eq!(
            IdCardNo::parse("110105194912310021").unwrap_err(),
            DomainError::CheckDigit {
                expected: 'X',
                actual: '1'
            }
        );
        assert_eq!(
            IdCardNo::parse("1101051949123100").unwrap_err(),
            DomainError::Length {
                expected: 18,
                actual: 16
            }
        );
        assert_eq!(
            IdCardNo::parse("11010519491231A02X").unwrap_err(),
            DomainError::BadChar('A')
        );
        // Full-width characters typed with a Chinese IME are named as typed.
        assert_eq!(
            IdCardNo::parse("11010519491231002Ｘ").unwrap_err(),
            DomainError::BadChar('Ｘ')
        );
        assert_eq!(
            IdCardNo::parse("１1010519491231002X").unwrap_err(),
            DomainError::BadChar('１')
        );
        // Valid check digit, impossible date (Feb 30).
        let s = with_check("11010520150230123");
        assert!(matches!(
            IdCardNo::parse(&s).unwrap_err(),
            DomainError::BadBirthDate(_)
        ));
    }

    #[test]
    fn id_card_birth_date_must_match_student() {
        let id = IdCardNo::parse(&with_check("32010220120305123")).unwrap();
        assert_eq!(id.sex(), Sex::Male);
        assert!(Student::check_id_card_matches(Some(&id), date!(2012 - 03 - 05)).is_ok());
        assert!(matches!(
            Student::check_id_card_matches(Some(&id), date!(2012 - 03 - 06)),
            Err(DomainError::BirthDateMismatch { .. })
        ));
        assert!(Student::check_id_card_matches(None, date!(2012 - 03 - 06)).is_ok());
    }

    #[test]
    fn former_names_split_on_the_usual_separators() {
        let names = Student::parse_former_names(" 张小三、张三；张小三 / 张叁 ").unwrap();
        let names: Vec<&str> = names.iter().map(PersonName::as_str).collect();
        assert_eq!(names, ["张小三", "张三", "张叁"]);
        assert!(Student::parse_former_names("").unwrap().is_empty());
        let parsed = Student::parse_former_names("王五,王小五").unwrap();
        assert_eq!(Student::join_former_names(&parsed), "王五、王小五");
    }

    #[test]
    fn dates_in_spreadsheet_forms() {
        for s in [
            "2015-09-01",
            "2015/9/1",
            "2015.09.01",
            "20150901",
            "2015年9月1日",
        ] {
            assert_eq!(parse_date(s).unwrap(), date!(2015 - 09 - 01), "{s}");
        }
        for s in [
            "2015-13-01",
            "15-9-1",
            "2015-02-30",
            "",
            "2015-9",
            "yesterday",
        ] {
            assert!(parse_date(s).is_err(), "{s}");
        }
    }

    #[test]
    fn student_no_rules() {
        assert_eq!(
            StudentNo::parse(" g110105201203051234 ").unwrap().as_str(),
            "G110105201203051234"
        );
        assert_eq!(StudentNo::parse("").unwrap_err(), DomainError::Empty);
        assert_eq!(
            StudentNo::parse("G1101 05").unwrap_err(),
            DomainError::BadChar(' ')
        );
        assert_eq!(
            StudentNo::parse("Ｇ1234567").unwrap_err(),
            DomainError::BadChar('Ｇ')
        );
        assert!(StudentNo::parse("12345").is_err());
    }

    #[test]
    fn sex_names_and_codes() {
        assert_eq!(Sex::parse("男").unwrap(), Sex::Male);
        assert_eq!(Sex::parse("F").unwrap(), Sex::Female);
        assert_eq!(Sex::parse("2").unwrap(), Sex::Female);
        assert!(Sex::parse("3").is_err());
    }

    #[test]
    fn ethnicity_and_share() {
        assert_eq!(EthnicityCode::parse("01").unwrap().get(), 1);
        assert!(EthnicityCode::parse("57").is_err());
        assert_eq!(EthnicityCode::parse("97").unwrap().get(), 97);
        assert_eq!(TeacherAssignment::parse_share("").unwrap(), 1.0);
        assert_eq!(TeacherAssignment::parse_share("50%").unwrap(), 0.5);
        assert!(TeacherAssignment::parse_share("0").is_err());
        assert!(TeacherAssignment::parse_share("1.5").is_err());
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(PersonName::parse(" 张三 ").unwrap().as_str(), "张三");
        assert_eq!(PersonName::parse("  ").unwrap_err(), DomainError::Empty);
        assert!(PersonName::parse(&"王".repeat(51)).is_err());
        assert!(PersonName::parse("张\u{0}三").is_err());
    }
}
