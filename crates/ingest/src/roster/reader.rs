//! Reading the roster sheets: which records a sheet holds, duplicates across rows and sheets.
use std::collections::HashMap;
use std::collections::hash_map::Entry;

use wuyu_domain::roster::{NewAssignment, NewClass, NewSchool, NewStudent, NewTeacher};
use wuyu_domain::{
    BrokenKeys, ClassType, Employment, Grade, IdCardNo, Location, Origin, PersonName, RosterBatch,
    RowError, SchoolCode, Sex, Stage, Student, StudentFlag, StudentNo, TeacherAssignment,
    parse_birth_year,
};

use crate::schema::{ColumnMap, Field, SheetKind, map_headers};
use crate::table::{RowRef, Table};

use super::row::{Row, label, parse_date_fast, parse_sex_fast, plain_text};
use super::{RosterOptions, list_headers};

/// "第 5 行" or, for another sheet, "工作表“学生2”第 5 行".
fn earlier(sheet_names: &[&str], seen: Seen, sheet: &Sheet<'_>) -> String {
    if seen.sheet == sheet.index {
        format!("第 {} 行", seen.row)
    } else {
        format!("工作表“{}”第 {} 行", sheet_names[seen.sheet], seen.row)
    }
}

/// Where a key was first seen, to name the earlier row in a duplicate error.
#[derive(Debug, Clone, Copy)]
struct Seen {
    pub(super) sheet: usize,
    pub(super) row: u32,
}

/// Records that `key` was seen at this row; if it was seen before, returns where.
fn first_seen<K: Eq + std::hash::Hash>(
    map: &mut HashMap<K, Seen>,
    key: K,
    sheet: &Sheet<'_>,
    row: &RowRef<'_>,
) -> Option<Seen> {
    match map.entry(key) {
        Entry::Occupied(e) => Some(*e.get()),
        Entry::Vacant(e) => {
            e.insert(Seen {
                sheet: sheet.index,
                row: row.number,
            });
            None
        }
    }
}

type ClassKey = (SchoolCode, Grade, String);
type TeacherKey = (SchoolCode, String);
type AssignmentKey = (SchoolCode, String, Grade, String, String);

pub(super) struct Reader<'a> {
    file: &'a str,
    opts: &'a RosterOptions,
    sheet_names: Vec<&'a str>,
    pub(super) batch: RosterBatch,
    pub(super) errors: Vec<RowError>,
    pub(super) rows_read: usize,
    pub(super) broken: BrokenKeys,
    /// 学籍号 seen so far. Keys borrow the cell text when it is already in normal form (the
    /// usual case), so a million-row file does not allocate a million keys.
    students: HashMap<&'a str, Seen>,
    /// 学籍号 whose cell text differs from the normal form (lower case, spaces).
    students_normalized: HashMap<String, Seen>,
    schools: HashMap<SchoolCode, Seen>,
    classes: HashMap<ClassKey, Seen>,
    teachers: HashMap<TeacherKey, Seen>,
    assignments: HashMap<AssignmentKey, Seen>,
}

/// One sheet being read: its table, column positions and where its school code comes from.
pub(super) struct Sheet<'t> {
    pub(super) index: usize,
    pub(super) table: &'t Table,
    pub(super) map: ColumnMap,
    /// Used when there is no 学校代码 column or the cell is empty.
    pub(super) default_school: Option<&'t SchoolCode>,
}

impl<'a> Reader<'a> {
    pub(super) fn new(file: &'a str, opts: &'a RosterOptions, sheet_names: Vec<&'a str>) -> Self {
        Self {
            file,
            opts,
            sheet_names,
            batch: RosterBatch::default(),
            errors: Vec::new(),
            rows_read: 0,
            broken: BrokenKeys::default(),
            students: HashMap::new(),
            students_normalized: HashMap::new(),
            schools: HashMap::new(),
            classes: HashMap::new(),
            teachers: HashMap::new(),
            assignments: HashMap::new(),
        }
    }

    pub(super) fn read_sheet(&mut self, index: usize, kind: SheetKind, table: &'a Table) {
        self.rows_read += table.len();
        if table.header_row == 0 {
            return;
        }
        let m = map_headers(kind, &table.header);
        let default_school = match kind {
            SheetKind::Schools => None,
            _ => self.opts.default_school.as_ref(),
        };
        for c in &m.missing {
            let defaulted = c.field == Field::SchoolCode && default_school.is_some();
            if !c.required || defaulted {
                continue;
            }
            let others: Vec<&str> = c.aliases[1..]
                .iter()
                .copied()
                .filter(|a| !a.is_ascii())
                .collect();
            let aka = if others.is_empty() {
                String::new()
            } else {
                format!("（也可写作 {}）", others.join("、"))
            };
            self.errors.push(RowError {
                file: self.file.to_string(),
                sheet: table.name.clone(),
                row: 0,
                column: c.header.to_string(),
                value: String::new(),
                message_zh: format!(
                    "{}表缺少必填列“{}”{aka}。表头中现有的列：{}。请在第 {} 行加上这一列",
                    kind.label_zh(),
                    c.header,
                    list_headers(&table.header),
                    table.header_row
                ),
            });
        }
        for &(later, first) in &m.duplicates {
            self.errors.push(RowError {
                file: self.file.to_string(),
                sheet: table.name.clone(),
                row: table.header_row,
                column: table.header[later].clone(),
                value: String::new(),
                message_zh: format!(
                    "列“{}”与第 {} 列“{}”是同一项内容，只读取了第 {} 列；请删除多余的一列",
                    table.header[later],
                    first + 1,
                    table.header[first],
                    first + 1
                ),
            });
        }
        // A sheet missing a required column is still read, so its other cells' problems are
        // listed in the same pass; none of its rows becomes a record.
        // Without its key columns a sheet's rows name no school, class or teacher, so which
        // references they would satisfy is unknown.
        let key_missing = m.missing.iter().any(|c| {
            let key = match kind {
                SheetKind::Schools => c.field == Field::SchoolCode,
                SheetKind::Classes => {
                    matches!(c.field, Field::Grade | Field::ClassName)
                        || (c.field == Field::SchoolCode && default_school.is_none())
                }
                SheetKind::Teachers => {
                    c.field == Field::StaffNo
                        || (c.field == Field::SchoolCode && default_school.is_none())
                }
                SheetKind::Students | SheetKind::Assignments => false,
            };
            key && c.required
        });
        if key_missing {
            self.broken.unknown = true;
        }
        let sheet = Sheet {
            index,
            table,
            map: m.map,
            default_school,
        };
        match kind {
            SheetKind::Schools => self.read_schools(&sheet),
            SheetKind::Classes => self.read_classes(&sheet),
            SheetKind::Students => self.read_students(&sheet),
            SheetKind::Teachers => self.read_teachers(&sheet),
            SheetKind::Assignments => self.read_assignments(&sheet),
        }
    }

    pub(super) fn row<'r>(&'r mut self, sheet: &'r Sheet<'a>, row: RowRef<'a>) -> Row<'r, 'a> {
        Row {
            file: self.file,
            sheet,
            row,
            errors: &mut self.errors,
            failed: false,
        }
    }

    fn origin(sheet: &Sheet<'_>, row: &RowRef<'_>) -> Origin {
        Origin {
            sheet: sheet.table.name.clone(),
            row: row.number,
        }
    }

    pub(super) fn duplicate(
        &mut self,
        sheet: &Sheet<'_>,
        row: &RowRef<'_>,
        field: Field,
        message: String,
    ) {
        let (column, value) = match sheet.map.get(field) {
            Some(c) => (sheet.table.header[c].clone(), row.get(c).to_string()),
            None => (label(field).to_string(), String::new()),
        };
        self.errors.push(RowError {
            file: self.file.to_string(),
            sheet: sheet.table.name.clone(),
            row: row.number,
            column,
            value,
            message_zh: message,
        });
    }

    fn read_schools(&mut self, sheet: &Sheet<'a>) {
        for row in sheet.table.rows() {
            let mut r = self.row(sheet, row);
            let code = r.required(Field::SchoolCode, SchoolCode::parse);
            let name = r.required(Field::SchoolName, |s| plain_text(s, 100));
            let stage = r.required(Field::Stage, Stage::parse);
            let location = r.required(Field::Location, Location::parse);
            let group = r.optional(Field::SchoolGroup, |s| plain_text(s, 100));
            let key = code.clone();
            let (Some(code), Some(name), Some(stage), Some(location), Some(school_group)) =
                (code, name, stage, location, group)
            else {
                self.broken.schools.extend(key);
                continue;
            };
            if let Some(seen) = first_seen(&mut self.schools, code.clone(), sheet, &row) {
                let msg = format!(
                    "学校代码 {code} 与{}重复，每所学校只能出现一次；请删除重复的行或核对学校代码",
                    earlier(&self.sheet_names, seen, sheet)
                );
                self.duplicate(sheet, &row, Field::SchoolCode, msg);
                continue;
            }
            self.batch.schools.push(NewSchool {
                origin: Self::origin(sheet, &row),
                code,
                name,
                stage,
                location,
                school_group,
            });
        }
    }

    fn read_classes(&mut self, sheet: &Sheet<'a>) {
        for row in sheet.table.rows() {
            let mut r = self.row(sheet, row);
            let code = r.school_code();
            let grade = r.required(Field::Grade, Grade::parse);
            let name = r.required(Field::ClassName, |s| plain_text(s, 30));
            let class_type = r.optional(Field::ClassType, ClassType::parse);
            let key = match (&code, grade, &name) {
                (Some(c), Some(g), Some(n)) => Some((c.clone(), g, n.clone())),
                _ => None,
            };
            let (Some(school_code), Some(grade), Some(name), Some(class_type)) =
                (code, grade, name, class_type)
            else {
                self.broken.classes.extend(key);
                continue;
            };
            let key = (school_code.clone(), grade, name.clone());
            if let Some(seen) = first_seen(&mut self.classes, key, sheet, &row) {
                let msg = format!(
                    "班级 {school_code} {} {name} 与{}重复，每个班级只能出现一次；请删除重复的行",
                    grade.label_zh(),
                    earlier(&self.sheet_names, seen, sheet)
                );
                self.duplicate(sheet, &row, Field::ClassName, msg);
                continue;
            }
            self.batch.classes.push(NewClass {
                origin: Self::origin(sheet, &row),
                school_code,
                grade,
                name,
                class_type,
            });
        }
    }

    fn read_students(&mut self, sheet: &Sheet<'a>) {
        let has_code = sheet.map.get(Field::EthnicityCode).is_some();
        let has_name = sheet.map.get(Field::EthnicityName).is_some();
        let has_former = sheet.map.get(Field::FormerNames).is_some();
        self.batch.students.reserve(sheet.table.len());
        self.students.reserve(sheet.table.len());
        for row in sheet.table.rows() {
            let mut r = self.row(sheet, row);
            let school_code = r.school_code();
            let grade = r.required(Field::Grade, Grade::parse);
            let class_name = r.required(Field::ClassName, |s| plain_text(s, 30));
            let student_no = r.required(Field::StudentNo, StudentNo::parse);
            let name = r.required(Field::Name, PersonName::parse);
            let sex = r.required(Field::Sex, parse_sex_fast);
            let birth_date = r.required(Field::BirthDate, parse_date_fast);
            let id_card_no = r.optional(Field::IdCardNo, IdCardNo::parse);
            let ethnicity = r.ethnicity(has_code, has_name);
            // Absent column: None (keep what is stored); present but empty: no former names.
            let former_names = if has_former {
                r.optional(Field::FormerNames, Student::parse_former_names)
                    .map(|v| Some(v.unwrap_or_default()))
            } else {
                Some(None)
            };
            let status = r.status();
            let flags = if sheet.map.get(Field::Flags).is_some() {
                r.optional(Field::Flags, StudentFlag::parse_list)
                    .map(|v| Some(v.unwrap_or_default()))
            } else {
                Some(None)
            };
            if let (Some(Some(id)), Some(birth)) = (&id_card_no, birth_date)
                && let Err(e) = Student::check_id_card_matches(Some(id), birth)
            {
                let value = r.raw(Field::BirthDate);
                r.error(
                    Field::BirthDate,
                    value,
                    format!("{e}；请核对出生日期和身份证号，两者应一致"),
                );
            }
            let (
                Some(school_code),
                Some(grade),
                Some(class_name),
                Some(student_no),
                Some(name),
                Some(sex),
                Some(birth_date),
                Some(id_card_no),
                Some(ethnicity),
                Some(former_names),
                Some(status),
                Some(flags),
                false,
            ) = (
                school_code,
                grade,
                class_name,
                student_no,
                name,
                sex,
                birth_date,
                id_card_no,
                ethnicity,
                former_names,
                status,
                flags,
                r.failed,
            )
            else {
                continue;
            };
            let here = Seen {
                sheet: sheet.index,
                row: row.number,
            };
            let raw = sheet.map.get(Field::StudentNo).map_or("", |c| row.get(c));
            if let Some(seen) = self.first_seen_student(&student_no, raw, here) {
                let msg = format!(
                    "学籍号 {student_no} 与{}重复，同一名学生只能出现一次；请删除重复的行或核对学籍号",
                    earlier(&self.sheet_names, seen, sheet)
                );
                self.duplicate(sheet, &row, Field::StudentNo, msg);
                continue;
            }
            self.batch.students.push(NewStudent {
                origin: Self::origin(sheet, &row),
                school_code,
                grade,
                class_name,
                student_no,
                name,
                sex,
                birth_date,
                id_card_no,
                ethnicity,
                former_names,
                status,
                flags,
            });
        }
    }

    /// Records `no` as seen at `here`, or returns where it was seen first. `raw` is the cell
    /// text the number was parsed from.
    fn first_seen_student(&mut self, no: &StudentNo, raw: &'a str, here: Seen) -> Option<Seen> {
        let key = no.as_str();
        if let Some(seen) = self
            .students
            .get(key)
            .or_else(|| self.students_normalized.get(key))
        {
            return Some(*seen);
        }
        if raw == key {
            self.students.insert(raw, here);
        } else {
            self.students_normalized.insert(key.to_string(), here);
        }
        None
    }

    fn read_teachers(&mut self, sheet: &Sheet<'a>) {
        for row in sheet.table.rows() {
            let mut r = self.row(sheet, row);
            let school_code = r.school_code();
            let staff_no = r.required(Field::StaffNo, |s| plain_text(s, 30));
            let name = r.required(Field::Name, PersonName::parse);
            let sex = r.optional(Field::Sex, Sex::parse);
            let subject = r.optional(Field::TeacherSubject, |s| plain_text(s, 30));
            let employment = r.optional(Field::Employment, Employment::parse);
            let birth_year = r.optional(Field::BirthYear, parse_birth_year);
            let key = match (&school_code, &staff_no) {
                (Some(c), Some(n)) => Some((c.clone(), n.clone())),
                _ => None,
            };
            let (
                Some(school_code),
                Some(staff_no),
                Some(name),
                Some(sex),
                Some(subject),
                Some(employment),
                Some(birth_year),
            ) = (
                school_code,
                staff_no,
                name,
                sex,
                subject,
                employment,
                birth_year,
            )
            else {
                self.broken.teachers.extend(key);
                continue;
            };
            let key = (school_code.clone(), staff_no.clone());
            if let Some(seen) = first_seen(&mut self.teachers, key, sheet, &row) {
                let msg = format!(
                    "工号 {staff_no} 与{}重复，同一学校内工号不能重复；请删除重复的行或核对工号",
                    earlier(&self.sheet_names, seen, sheet)
                );
                self.duplicate(sheet, &row, Field::StaffNo, msg);
                continue;
            }
            self.batch.teachers.push(NewTeacher {
                origin: Self::origin(sheet, &row),
                school_code,
                staff_no,
                name,
                sex,
                subject,
                employment,
                birth_year,
            });
        }
    }

    fn read_assignments(&mut self, sheet: &Sheet<'a>) {
        for row in sheet.table.rows() {
            let mut r = self.row(sheet, row);
            let school_code = r.school_code();
            let staff_no = r.required(Field::StaffNo, |s| plain_text(s, 30));
            let grade = r.required(Field::Grade, Grade::parse);
            let class_name = r.required(Field::ClassName, |s| plain_text(s, 30));
            let subject = r.required(Field::Subject, |s| plain_text(s, 30));
            let share = match sheet.map.get(Field::Share) {
                None => Some(1.0),
                Some(_) => r.required(Field::Share, TeacherAssignment::parse_share),
            };
            let (
                Some(school_code),
                Some(staff_no),
                Some(grade),
                Some(class_name),
                Some(subject),
                Some(share),
            ) = (school_code, staff_no, grade, class_name, subject, share)
            else {
                continue;
            };
            let key = (
                school_code.clone(),
                staff_no.clone(),
                grade,
                class_name.clone(),
                subject.clone(),
            );
            if let Some(seen) = first_seen(&mut self.assignments, key, sheet, &row) {
                let msg = format!(
                    "工号 {staff_no} 任教 {} {class_name} {subject} 与{}重复；请删除重复的行",
                    grade.label_zh(),
                    earlier(&self.sheet_names, seen, sheet)
                );
                self.duplicate(sheet, &row, Field::Subject, msg);
                continue;
            }
            self.batch.assignments.push(NewAssignment {
                origin: Self::origin(sheet, &row),
                school_code,
                staff_no,
                grade,
                class_name,
                subject,
                share,
            });
        }
    }
}
