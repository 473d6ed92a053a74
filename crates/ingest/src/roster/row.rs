//! One roster row: every cell parsed and checked, with a Chinese message per problem.
use time::{Date, Month};
use wuyu_domain::{
    DomainError, EthnicityCode, RowError, SchoolCode, Sex, StatusChange, StudentStatus, parse_date,
};

use crate::ethnicity::ethnicity_from_name;
use crate::schema::Field;
use crate::table::RowRef;

use super::reader::Sheet;

/// One row being validated. Every cell is checked even after the first error, so a user sees
/// all of a row's problems at once.
pub(super) struct Row<'r, 't> {
    pub(super) file: &'r str,
    pub(super) sheet: &'r Sheet<'t>,
    pub(super) row: RowRef<'t>,
    pub(super) errors: &'r mut Vec<RowError>,
    pub(super) failed: bool,
}

impl<'t> Row<'_, 't> {
    /// The cell text, or "" when the column is absent.
    pub(super) fn raw(&self, field: Field) -> &'t str {
        self.sheet.map.get(field).map_or("", |c| self.row.get(c))
    }

    pub(super) fn error(&mut self, field: Field, value: &str, message_zh: String) {
        self.failed = true;
        let column = match self.sheet.map.get(field) {
            Some(c) => self.sheet.table.header[c].clone(),
            None => label(field).to_string(),
        };
        self.errors.push(RowError {
            file: self.file.to_string(),
            sheet: self.sheet.table.name.clone(),
            row: self.row.number,
            column,
            value: value.to_string(),
            message_zh,
        });
    }

    /// The cell of `field` if it can be parsed: `None` (and an error) if its value cannot be
    /// trusted, e.g. a number Excel truncated.
    pub(super) fn cell(&mut self, field: Field) -> Option<&'t str> {
        let col = self.sheet.map.get(field)?;
        if let Some(issue) = self.row.issue(col) {
            let msg = format!("{}：{}", label(field), issue.message_zh);
            let value = issue.value.clone();
            self.error(field, &value, msg);
            return None;
        }
        let v = self.row.get(col);
        if is_id_like(field) && looks_scientific(v) {
            self.error(
                field,
                v,
                format!(
                    "{}：“{v}”是被 Excel 改成科学计数法的号码，末尾几位已经丢失；请从原始资料重新录入，并把该列设为“文本”格式",
                    label(field)
                ),
            );
            return None;
        }
        Some(v)
    }

    /// A required value; a missing column counts as an empty cell.
    pub(super) fn required<T>(
        &mut self,
        field: Field,
        parse: impl FnOnce(&str) -> Result<T, DomainError>,
    ) -> Option<T> {
        if self.sheet.map.get(field).is_none() {
            // The missing column is reported once for the sheet, not again on every row.
            self.failed = true;
            return None;
        }
        let v = self.cell(field)?;
        self.parsed(field, v, parse(v))
    }

    /// An optional value: `Some(None)` when the column is absent or the cell empty, `None` on
    /// an error.
    pub(super) fn optional<T>(
        &mut self,
        field: Field,
        parse: impl FnOnce(&str) -> Result<T, DomainError>,
    ) -> Option<Option<T>> {
        if self.sheet.map.get(field).is_none() {
            return Some(None);
        }
        let v = self.cell(field)?;
        if v.is_empty() {
            return Some(None);
        }
        self.parsed(field, v, parse(v)).map(Some)
    }

    pub(super) fn parsed<T>(
        &mut self,
        field: Field,
        value: &str,
        r: Result<T, DomainError>,
    ) -> Option<T> {
        match r {
            Ok(x) => Some(x),
            Err(e) => {
                let msg = message(field, &e);
                self.error(field, value, msg);
                None
            }
        }
    }

    /// The 学校代码 cell, or the default school when the column is absent or the cell empty.
    pub(super) fn school_code(&mut self) -> Option<SchoolCode> {
        if let Some(d) = self.sheet.default_school
            && self.raw(Field::SchoolCode).is_empty()
        {
            return Some(d.clone());
        }
        self.required(Field::SchoolCode, SchoolCode::parse)
    }

    /// 学籍状态 with its 状态日期: `Some(None)` when the file does not say; a status other
    /// than 在读 needs its date, and a date needs a status.
    pub(super) fn status(&mut self) -> Option<Option<StatusChange>> {
        let status = self.optional(Field::StudentStatus, StudentStatus::parse);
        let date = self.optional(Field::StatusDate, parse_date_fast);
        let (status, date) = (status?, date?);
        match (status, date) {
            (None, None) => Some(None),
            (None, Some(_)) => {
                let v = self.raw(Field::StatusDate);
                self.error(
                    Field::StudentStatus,
                    "",
                    format!("填了状态日期 {v} 却没有填学籍状态；请补上学籍状态（在读 / 转出 / 休学 / 辍学）或删去日期"),
                );
                None
            }
            (Some(s), None) if s != StudentStatus::Enrolled => {
                self.error(
                    Field::StatusDate,
                    "",
                    format!(
                        "学籍状态为{}时须填写状态日期（如 2025-03-01）",
                        s.label_zh()
                    ),
                );
                None
            }
            (Some(status), date) => Some(Some(StatusChange { status, date })),
        }
    }

    /// 民族代码 if that column has a value, else the 民族 column (a name or a code).
    pub(super) fn ethnicity(
        &mut self,
        has_code: bool,
        has_name: bool,
    ) -> Option<Option<EthnicityCode>> {
        if has_code && !self.raw(Field::EthnicityCode).is_empty() {
            return self.optional(Field::EthnicityCode, EthnicityCode::parse);
        }
        if !has_name {
            return Some(None);
        }
        let v = self.cell(Field::EthnicityName)?;
        if v.is_empty() {
            return Some(None);
        }
        match ethnicity_from_name(v) {
            Some(c) => Some(Some(c)),
            None => {
                self.error(
                    Field::EthnicityName,
                    v,
                    format!(
                        "民族：“{v}”无法识别；请填写民族名称（如 汉族、回族）或 GB/T 3304 代码（01–56，97 其他，98 外国血统）"
                    ),
                );
                None
            }
        }
    }
}

/// The Chinese name of a field in messages (the template's header).
pub(super) fn label(field: Field) -> &'static str {
    match field {
        Field::SchoolCode => "学校代码",
        Field::SchoolName => "学校名称",
        Field::Stage => "学段",
        Field::Location => "城乡",
        Field::SchoolGroup => "教育集团",
        Field::Grade => "年级",
        Field::ClassName => "班级",
        Field::StudentNo => "学籍号",
        Field::Name => "姓名",
        Field::Sex => "性别",
        Field::BirthDate => "出生日期",
        Field::IdCardNo => "身份证号",
        Field::EthnicityCode => "民族代码",
        Field::EthnicityName => "民族",
        Field::StaffNo => "工号",
        Field::Subject => "科目",
        Field::Share => "比例",
        Field::ClassType => "班级类型",
        Field::FormerNames => "曾用名",
        Field::StudentStatus => "学籍状态",
        Field::StatusDate => "状态日期",
        Field::Flags => "特殊群体",
        Field::TeacherSubject => "任教学科",
        Field::Employment => "专兼职",
        Field::BirthYear => "出生年份",
    }
}

/// How to fix a value of the wrong shape (empty, too long, bad characters, bad check digit).
/// Errors about a value outside a fixed set (性别, 年级, …) already list the allowed values.
fn hint(field: Field) -> Option<&'static str> {
    Some(match field {
        Field::SchoolCode => "请填写区里分配的学校代码（字母、数字、- 或 _，最多 20 位）",
        Field::SchoolName => "请填写学校全称（最多 100 个字）",
        Field::SchoolGroup => "教育集团名称最多 100 个字",
        Field::ClassName => "请填写班级名称，如 3班（最多 30 个字）",
        Field::StudentNo => {
            "请填写 6–30 位英文字母或数字的全国学籍号（如 G 加身份证号），不要含空格、横线或全角字符"
        }
        Field::Name => "请填写姓名（最多 50 个字）",
        Field::IdCardNo => "请逐位核对 18 位身份证号（末位可以是 X），没有可留空",
        Field::StaffNo => "请填写教师工号（最多 30 个字符）",
        Field::Subject => "请填写科目名称，如 语文（最多 30 个字）",
        Field::FormerNames => "多个曾用名用 、 分隔，每个最多 50 个字",
        Field::TeacherSubject => "请填写学科名称，如 体育（最多 30 个字）",
        _ => return None,
    })
}

pub(super) fn message(field: Field, e: &DomainError) -> String {
    let shape = matches!(
        e,
        DomainError::Empty
            | DomainError::Length { .. }
            | DomainError::TooLong { .. }
            | DomainError::BadChar(_)
            | DomainError::CheckDigit { .. }
            | DomainError::BadBirthDate(_)
    );
    // These messages already start with the column's name and list the allowed values.
    let self_describing = matches!(
        e,
        DomainError::BadSex(_)
            | DomainError::BadGrade(_)
            | DomainError::BadStage(_)
            | DomainError::BadLocation(_)
            | DomainError::BadClassType(_)
            | DomainError::BadEthnicity(_)
            | DomainError::BadShare(_)
            | DomainError::BadStudentStatus(_)
            | DomainError::BadStudentFlag(_)
            | DomainError::BadEmployment(_)
            | DomainError::BadBirthYear(_)
    );
    match (shape, hint(field)) {
        (true, Some(h)) => format!("{}：{e}；{h}", label(field)),
        _ if self_describing => e.to_string(),
        _ => format!("{}：{e}", label(field)),
    }
}

fn is_id_like(field: Field) -> bool {
    matches!(
        field,
        Field::StudentNo | Field::IdCardNo | Field::SchoolCode | Field::StaffNo
    )
}

/// "1.10105E+17": what Excel writes for a long number in a General cell.
fn looks_scientific(v: &str) -> bool {
    let Some((mantissa, exp)) = v.split_once(['E', 'e']) else {
        return false;
    };
    let exp = exp.strip_prefix('+').unwrap_or(exp);
    !mantissa.is_empty()
        && mantissa.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && mantissa.bytes().filter(|&b| b == b'.').count() <= 1
        && !exp.is_empty()
        && exp.bytes().all(|b| b.is_ascii_digit())
}

/// [`parse_date`] with an allocation-free path for the ISO form (2015-09-01) that exports and
/// the template use; anything else, and every error, goes through `parse_date` itself.
pub(super) fn parse_date_fast(s: &str) -> Result<Date, DomainError> {
    let t = s.trim();
    let b = t.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0u16, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u16::from(c - b'0'))
        })
    };
    if b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && let (Some(y), Some(m), Some(d)) = (digits(0..4), digits(5..7), digits(8..10))
        // The same year range parse_date accepts.
        && (1900..=2100).contains(&y)
        && let Ok(month) = Month::try_from(m as u8)
        && let Ok(date) = Date::from_calendar_date(i32::from(y), month, d as u8)
    {
        return Ok(date);
    }
    parse_date(s)
}

/// [`Sex::parse`] without its lower-casing allocation for the two common spellings.
pub(super) fn parse_sex_fast(s: &str) -> Result<Sex, DomainError> {
    match s {
        "男" => Ok(Sex::Male),
        "女" => Ok(Sex::Female),
        _ => Sex::parse(s),
    }
}

/// Free text (班级, 工号, 科目, 学校名称): trimmed, non-empty, bounded, no control characters.
pub(super) fn plain_text(s: &str, max: usize) -> Result<String, DomainError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(DomainError::Empty);
    }
    if t.chars().count() > max {
        return Err(DomainError::TooLong { max });
    }
    if let Some(c) = t.chars().find(|c| c.is_control()) {
        return Err(DomainError::BadChar(c));
    }
    Ok(t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_date_path_agrees_with_parse_date() {
        for s in [
            "2015-09-01",
            "2016-02-29",
            "2015-02-29",
            "1899-12-31",
            "1900-01-01",
            "2100-12-31",
            "2101-01-01",
            "2015-13-01",
            "2015-00-10",
            "2015-01-00",
            "2015-1-011",
            "20a5-01-01",
            " 2015-09-01 ",
            "2015/09/01",
            "2015年9月1日",
        ] {
            assert_eq!(parse_date_fast(s), parse_date(s), "{s}");
        }
        for s in ["男", "女", "M", "f", "2", "男性", ""] {
            assert_eq!(parse_sex_fast(s), Sex::parse(s), "{s}");
        }
    }

    proptest::proptest! {
        #[test]
        fn the_fast_date_path_agrees_on_any_iso_shaped_string(s in "[0-9]{4}-[0-9]{2}-[0-9]{2}") {
            proptest::prop_assert_eq!(parse_date_fast(&s), parse_date(&s));
        }
    }

    #[test]
    fn scientific_notation_is_recognised() {
        assert!(looks_scientific("1.10105E+17"));
        assert!(looks_scientific("1.10105e17"));
        assert!(!looks_scientific("G110105201203051234"));
        assert!(!looks_scientific("E+17"));
        assert!(!looks_scientific("11010520120305123X"));
    }

    #[test]
    fn messages_name_the_column_and_the_fix() {
        let m = message(
            Field::IdCardNo,
            &DomainError::CheckDigit {
                expected: 'X',
                actual: '1',
            },
        );
        assert!(m.starts_with("身份证号：校验位错误"), "{m}");
        assert!(m.contains("核对"), "{m}");
        let m = message(Field::Sex, &DomainError::BadSex("x".into()));
        assert_eq!(m, "性别“x”无法识别，应为 男 / 女");
        let m = message(Field::BirthDate, &DomainError::BadDate("x".into()));
        assert!(m.starts_with("出生日期：日期“x”无法识别"), "{m}");
    }
}
