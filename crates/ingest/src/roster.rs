/*!
Roster import: a CSV or XLSX file → a [`RosterBatch`] of validated records plus a list of
[`RowError`]s, one per bad cell, duplicate or missing column.

Which sheet holds what is decided by the sheet name (学校, 班级, 学生, 教师, 任课 or a name
containing one of them) or, for CSV and sheets named otherwise, by the header row; see
[`SheetKind`]. Columns are found by header, in any order, with the aliases of
[`schema`](crate::schema); unknown columns are ignored.

Checked here, within the file: every typed value (学籍号, 身份证号 with its check digit, dates,
性别, 年级, 学段, 城乡, 民族, 比例, …), a 身份证号 whose birth date disagrees with 出生日期, and
duplicates: 学籍号 (across all sheets), 学校代码, class (school, grade, name), 工号 within a
school, and the same assignment twice. A row with any error is left out of the batch; every
error names the file, sheet, row and column.

Not checked here: whether a class, school or teacher a row refers to exists. It may already be
in the database, so the store checks references against it inside the import transaction, using
each record's [`Origin`] to report the sheet and row. Whether the uploader may write to a
school is the caller's business too (compare the records' school codes with the user's scope).
*/
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt::Write as _;

use sha2::{Digest, Sha256};
use time::{Date, Month};
use wuyu_domain::roster::{NewAssignment, NewClass, NewSchool, NewStudent, NewTeacher};
use wuyu_domain::{
    DomainError, EthnicityCode, Grade, IdCardNo, Location, Origin, PersonName, RosterBatch,
    RowError, SchoolCode, Sex, Stage, Student, StudentNo, TeacherAssignment, parse_date,
};

use crate::IngestError;
use crate::ethnicity::ethnicity_from_name;
use crate::schema::{ColumnMap, Field, SheetKind, map_headers};
use crate::table::{FileFormat, RowRef, Table, read_tables};

/// How to read a roster file.
#[derive(Debug, Clone, Default)]
pub struct RosterOptions {
    /// The school for rows of a sheet without a 学校代码 column (or with that cell empty), e.g.
    /// a school admin importing their own school's classes and students. Not used for the
    /// 学校 sheet, where the code is the record's key.
    pub default_school: Option<SchoolCode>,
}

/// What [`read_roster`] found in a file.
#[derive(Debug, Clone)]
pub struct RosterRead {
    /// Every row that passed all checks, in file order.
    pub batch: RosterBatch,
    /// Every problem found, in file order. Rows with errors are not in `batch`.
    pub errors: Vec<RowError>,
    /// The text encoding of a CSV ("UTF-8", "GB18030" or "UTF-16"); `None` for XLSX.
    pub encoding: Option<&'static str>,
    /// SHA-256 of the file bytes, lower-case hex, for the import log.
    pub file_sha256: String,
    /// Data rows read from recognised sheets (headers and blank rows not counted).
    pub rows_read: usize,
}

/// Reads a roster file. `file_name` picks the format (by extension, else by content), names
/// the file in errors and, for a CSV whose header is not recognisable, hints at the sheet kind
/// (学生名册.csv).
pub fn read_roster(
    file_name: &str,
    bytes: &[u8],
    opts: &RosterOptions,
) -> Result<RosterRead, IngestError> {
    let file_sha256 = sha256_hex(bytes);
    let tables = read_tables(file_name, bytes)?;
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let stem = base.rsplit_once('.').map_or(base, |(s, _)| s);
    let mut r = Reader {
        file: file_name,
        opts,
        sheet_names: tables.tables.iter().map(|t| t.name.as_str()).collect(),
        batch: RosterBatch::default(),
        errors: Vec::new(),
        rows_read: 0,
        students: HashMap::new(),
        students_normalized: HashMap::new(),
        schools: HashMap::new(),
        classes: HashMap::new(),
        teachers: HashMap::new(),
        assignments: HashMap::new(),
    };
    let mut recognised = 0;
    for (index, table) in tables.tables.iter().enumerate() {
        let kind = match tables.format {
            FileFormat::Csv => {
                SheetKind::from_headers(&table.header).or_else(|| SheetKind::from_sheet_name(stem))
            }
            FileFormat::Xlsx => SheetKind::from_sheet_name(&table.name)
                .or_else(|| SheetKind::from_headers(&table.header)),
        };
        match kind {
            Some(kind) => {
                recognised += 1;
                r.read_sheet(index, kind, table);
            }
            // Empty sheets, hidden lookup lists and instructions carry no roster data.
            None if table.header_row == 0 || table.hidden || table.name.contains("说明") => {}
            None => r.errors.push(RowError {
                file: file_name.to_string(),
                sheet: table.name.clone(),
                row: 0,
                column: String::new(),
                value: String::new(),
                message_zh: format!(
                    "无法识别这张工作表的内容，未导入（表头：{}）。如需导入，请把工作表命名为 学校 / 班级 / 学生 / 教师 / 任课 之一；如不需要，请删除该工作表",
                    list_headers(&table.header)
                ),
            }),
        }
    }
    if recognised == 0 {
        return Err(IngestError::NoRosterSheet {
            found: describe_tables(tables.format, &tables.tables),
        });
    }
    Ok(RosterRead {
        batch: r.batch,
        errors: r.errors,
        encoding: tables.encoding,
        file_sha256,
        rows_read: r.rows_read,
    })
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(64);
    for b in digest {
        write!(hex, "{b:02x}").expect("write to String");
    }
    hex
}

fn list_headers(header: &[String]) -> String {
    let shown: Vec<&str> = header
        .iter()
        .map(String::as_str)
        .filter(|h| !h.is_empty())
        .collect();
    if shown.is_empty() {
        "（无）".to_string()
    } else {
        shown.join("、")
    }
}

fn describe_tables(format: FileFormat, tables: &[Table]) -> String {
    let parts: Vec<String> = tables
        .iter()
        .filter(|t| t.header_row != 0)
        .map(|t| match format {
            FileFormat::Csv => format!("表头为 {}", list_headers(&t.header)),
            FileFormat::Xlsx => format!("工作表“{}”的表头为 {}", t.name, list_headers(&t.header)),
        })
        .collect();
    if parts.is_empty() {
        "文件中没有任何数据".to_string()
    } else {
        parts.join("；")
    }
}

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
    sheet: usize,
    row: u32,
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

struct Reader<'a> {
    file: &'a str,
    opts: &'a RosterOptions,
    sheet_names: Vec<&'a str>,
    batch: RosterBatch,
    errors: Vec<RowError>,
    rows_read: usize,
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
struct Sheet<'t> {
    index: usize,
    table: &'t Table,
    map: ColumnMap,
    /// Used when there is no 学校代码 column or the cell is empty.
    default_school: Option<&'t SchoolCode>,
}

impl<'a> Reader<'a> {
    fn read_sheet(&mut self, index: usize, kind: SheetKind, table: &'a Table) {
        self.rows_read += table.len();
        if table.header_row == 0 {
            return;
        }
        let m = map_headers(kind, &table.header);
        let default_school = match kind {
            SheetKind::Schools => None,
            _ => self.opts.default_school.as_ref(),
        };
        let mut usable = true;
        for c in &m.missing {
            let defaulted = c.field == Field::SchoolCode && default_school.is_some();
            if !c.required || defaulted {
                continue;
            }
            usable = false;
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
        if !usable {
            return;
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

    fn row<'r>(&'r mut self, sheet: &'r Sheet<'a>, row: RowRef<'a>) -> Row<'r, 'a> {
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

    fn duplicate(&mut self, sheet: &Sheet<'_>, row: &RowRef<'_>, field: Field, message: String) {
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
            let (Some(code), Some(name), Some(stage), Some(location), Some(school_group)) =
                (code, name, stage, location, group)
            else {
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
            let (Some(school_code), Some(grade), Some(name)) = (code, grade, name) else {
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
            });
        }
    }

    fn read_students(&mut self, sheet: &Sheet<'a>) {
        let has_code = sheet.map.get(Field::EthnicityCode).is_some();
        let has_name = sheet.map.get(Field::EthnicityName).is_some();
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
            let (Some(school_code), Some(staff_no), Some(name), Some(sex)) =
                (school_code, staff_no, name, sex)
            else {
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

/// One row being validated. Every cell is checked even after the first error, so a user sees
/// all of a row's problems at once.
struct Row<'r, 't> {
    file: &'r str,
    sheet: &'r Sheet<'t>,
    row: RowRef<'t>,
    errors: &'r mut Vec<RowError>,
    failed: bool,
}

impl<'t> Row<'_, 't> {
    /// The cell text, or "" when the column is absent.
    fn raw(&self, field: Field) -> &'t str {
        self.sheet.map.get(field).map_or("", |c| self.row.get(c))
    }

    fn error(&mut self, field: Field, value: &str, message_zh: String) {
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
    fn cell(&mut self, field: Field) -> Option<&'t str> {
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
    fn required<T>(
        &mut self,
        field: Field,
        parse: impl FnOnce(&str) -> Result<T, DomainError>,
    ) -> Option<T> {
        if self.sheet.map.get(field).is_none() {
            self.error(
                field,
                "",
                format!("{}：{}", label(field), DomainError::Empty),
            );
            return None;
        }
        let v = self.cell(field)?;
        self.parsed(field, v, parse(v))
    }

    /// An optional value: `Some(None)` when the column is absent or the cell empty, `None` on
    /// an error.
    fn optional<T>(
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

    fn parsed<T>(&mut self, field: Field, value: &str, r: Result<T, DomainError>) -> Option<T> {
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
    fn school_code(&mut self) -> Option<SchoolCode> {
        if let Some(d) = self.sheet.default_school
            && self.raw(Field::SchoolCode).is_empty()
        {
            return Some(d.clone());
        }
        self.required(Field::SchoolCode, SchoolCode::parse)
    }

    /// 民族代码 if that column has a value, else the 民族 column (a name or a code).
    fn ethnicity(&mut self, has_code: bool, has_name: bool) -> Option<Option<EthnicityCode>> {
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
fn label(field: Field) -> &'static str {
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
        _ => return None,
    })
}

fn message(field: Field, e: &DomainError) -> String {
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
            | DomainError::BadEthnicity(_)
            | DomainError::BadShare(_)
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
fn parse_date_fast(s: &str) -> Result<Date, DomainError> {
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
fn parse_sex_fast(s: &str) -> Result<Sex, DomainError> {
    match s {
        "男" => Ok(Sex::Male),
        "女" => Ok(Sex::Female),
        _ => Sex::parse(s),
    }
}

/// Free text (班级, 工号, 科目, 学校名称): trimmed, non-empty, bounded, no control characters.
fn plain_text(s: &str, max: usize) -> Result<String, DomainError> {
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
