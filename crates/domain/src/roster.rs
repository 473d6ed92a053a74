//! A roster batch: schools, classes, students, teachers and teaching assignments as an import
//! delivers them, referring to each other by natural keys (school code, grade + class name,
//! 学籍号, 工号). The store resolves the keys to ids inside the import transaction.
use serde::{Deserialize, Serialize};
use time::Date;

use crate::{
    ClassType, Employment, EthnicityCode, Grade, IdCardNo, Location, PersonName, SchoolCode, Sex,
    Stage, StudentFlag, StudentNo, StudentStatus,
};

/// Where a record came from, so a later error (e.g. an unknown class found only when the
/// store resolves keys) can still name the sheet and row.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// Sheet name for XLSX; empty for CSV.
    pub sheet: String,
    /// 1-based row number as the spreadsheet shows it (the header is row 1).
    pub row: u32,
}

/// One problem with one cell or row of an import. `message_zh` is shown to users verbatim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    pub file: String,
    pub sheet: String,
    /// 1-based spreadsheet row; 0 when the problem is with the file as a whole.
    pub row: u32,
    /// The column header as written in the file (or the expected header if it is missing).
    pub column: String,
    pub value: String,
    pub message_zh: String,
}

/// The most of a bad value an error repeats: a 3,000-character cell is named by its start.
pub const SHOWN_VALUE_CHARS: usize = 50;

impl RowError {
    /// Cuts a value longer than [`SHOWN_VALUE_CHARS`] to its start and "…", in `value` and
    /// wherever the message quotes it.
    pub fn shorten_value(&mut self) {
        if self.value.chars().count() <= SHOWN_VALUE_CHARS {
            return;
        }
        let short: String = self
            .value
            .chars()
            .take(SHOWN_VALUE_CHARS)
            .collect::<String>()
            + "…";
        self.message_zh = self.message_zh.replace(self.value.as_str(), &short);
        self.value = short;
    }
}

/// [`RowError::shorten_value`] for every error of a file.
pub fn shorten_values(errors: &mut [RowError]) {
    errors.iter_mut().for_each(RowError::shorten_value);
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file)?;
        if !self.sheet.is_empty() {
            write!(f, " 工作表“{}”", self.sheet)?;
        }
        if self.row > 0 {
            write!(f, " 第 {} 行", self.row)?;
        }
        if !self.column.is_empty() {
            write!(f, " 列“{}”", self.column)?;
        }
        if !self.value.is_empty() {
            write!(f, " 值“{}”", self.value)?;
        }
        write!(f, "：{}", self.message_zh)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSchool {
    pub origin: Origin,
    pub code: SchoolCode,
    pub name: String,
    pub stage: Stage,
    pub location: Location,
    pub school_group: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewClass {
    pub origin: Origin,
    pub school_code: SchoolCode,
    pub grade: Grade,
    pub name: String,
    /// `None` when the file has no 班级类型 (or the cell is empty): a new class is 普通班, a
    /// known class keeps its stored type.
    pub class_type: Option<ClassType>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewStudent {
    pub origin: Origin,
    pub school_code: SchoolCode,
    pub grade: Grade,
    pub class_name: String,
    pub student_no: StudentNo,
    pub name: PersonName,
    pub sex: Sex,
    pub birth_date: Date,
    pub id_card_no: Option<IdCardNo>,
    pub ethnicity: Option<EthnicityCode>,
    /// 曾用名. `None` when the file has no 曾用名 column: a known student keeps the stored
    /// names; `Some(vec![])` (an empty cell) clears them.
    pub former_names: Option<Vec<PersonName>>,
    /// 学籍状态 and the date it took effect. `None` when the file does not say: a new student
    /// is 在读, a known one keeps the stored status.
    pub status: Option<StatusChange>,
    /// 特殊群体 (sensitive). `None` when the file has no such column: a known student keeps
    /// the stored flags; `Some(vec![])` (an empty cell) clears them.
    pub flags: Option<Vec<StudentFlag>>,
}

/// A student's 学籍状态 as a roster row states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    pub status: StudentStatus,
    /// When it took effect; required for every status but 在读.
    pub date: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTeacher {
    pub origin: Origin,
    pub school_code: SchoolCode,
    /// 工号, unique within the school.
    pub staff_no: String,
    pub name: PersonName,
    pub sex: Option<Sex>,
    /// 任教学科 (体育, 音乐, 美术, 心理 …); the fields below are `None` when the file does not
    /// say, and a known teacher then keeps what is stored.
    pub subject: Option<String>,
    /// 专职 / 兼职
    pub employment: Option<Employment>,
    pub birth_year: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewAssignment {
    pub origin: Origin,
    pub school_code: SchoolCode,
    pub staff_no: String,
    pub grade: Grade,
    pub class_name: String,
    pub subject: String,
    pub share: f64,
}

/// Everything one roster import delivers. Any part may be empty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RosterBatch {
    pub schools: Vec<NewSchool>,
    pub classes: Vec<NewClass>,
    pub students: Vec<NewStudent>,
    pub teachers: Vec<NewTeacher>,
    pub assignments: Vec<NewAssignment>,
}

/// Natural keys named by rows that failed their own checks (a class row with a bad 班级类型,
/// a teacher row with a bad 出生年份 …). The reference check of the clean rows treats them as
/// present, so a broken row is reported once, not again by every row that refers to it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BrokenKeys {
    pub schools: Vec<SchoolCode>,
    pub classes: Vec<(SchoolCode, Grade, String)>,
    pub teachers: Vec<(SchoolCode, String)>,
    /// A 班级 or 教师 sheet whose key columns are missing: its rows name no key, so which
    /// references they would satisfy is unknown and the reference check is skipped.
    pub unknown: bool,
}

impl RosterBatch {
    pub fn is_empty(&self) -> bool {
        self.schools.is_empty()
            && self.classes.is_empty()
            && self.students.is_empty()
            && self.teachers.is_empty()
            && self.assignments.is_empty()
    }

    pub fn record_count(&self) -> usize {
        self.schools.len()
            + self.classes.len()
            + self.students.len()
            + self.teachers.len()
            + self.assignments.len()
    }

    /// Appends another batch (e.g. the next sheet of a workbook).
    pub fn extend(&mut self, other: RosterBatch) {
        self.schools.extend(other.schools);
        self.classes.extend(other.classes);
        self.students.extend(other.students);
        self.teachers.extend(other.teachers);
        self.assignments.extend(other.assignments);
    }
}
