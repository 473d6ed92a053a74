//! Roster import planning: resolves a batch's natural keys (school code, grade + class name,
//! 学籍号, 工号) against what the database already holds, assigns ids to new records, and
//! collects every unresolvable row as a [`RowError`]. Pure: the backends load the snapshot,
//! call [`plan`], and write the plan in the same transaction.
use std::collections::{HashMap, HashSet};

use wuyu_domain::{Origin, RosterBatch, RowError};

/// What the database holds, keyed by natural keys.
#[derive(Debug, Default)]
pub(crate) struct Snapshot {
    pub schools: HashMap<String, i64>,
    pub classes: HashMap<(i64, i32, String), i64>,
    /// 学籍号 → (school id, student id).
    pub students: HashMap<String, (i64, i64)>,
    pub teachers: HashMap<(i64, String), i64>,
    pub max_school_id: i64,
    pub max_class_id: i64,
    pub max_student_id: i64,
    pub max_teacher_id: i64,
}

pub(crate) struct SchoolW {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub stage: &'static str,
    pub location: &'static str,
    pub school_group: Option<String>,
}

pub(crate) struct ClassW {
    pub school_id: i64,
    pub id: i64,
    pub grade: i32,
    pub name: String,
    /// `None`: the file does not say; a new class is 普通班, a known one keeps its type.
    pub class_type: Option<&'static str>,
}

pub(crate) struct StudentW {
    pub school_id: i64,
    pub id: i64,
    pub class_id: i64,
    pub student_no: String,
    pub name: String,
    pub sex: &'static str,
    pub birth_date: time::Date,
    pub id_card_no: Option<String>,
    pub ethnicity: Option<i32>,
    /// 曾用名 joined by 、; `None`: the file has no such column, keep what is stored.
    pub former_names: Option<String>,
    /// 学籍状态 code and date; `None`: the file does not say (new: 在读; known: kept).
    pub status: Option<(&'static str, Option<time::Date>)>,
    /// 特殊群体 codes; `None`: the file has no such column, keep what is stored.
    pub flags: Option<Vec<&'static str>>,
}

pub(crate) struct TeacherW {
    pub school_id: i64,
    pub id: i64,
    pub staff_no: String,
    pub name: String,
    pub sex: Option<&'static str>,
    /// 任教学科, 专兼职, 出生年份; `None` keeps what is stored.
    pub subject: Option<String>,
    pub employment: Option<&'static str>,
    pub birth_year: Option<i32>,
}

pub(crate) struct AssignmentW {
    pub school_id: i64,
    pub teacher_id: i64,
    pub class_id: i64,
    pub subject: String,
    pub share: f64,
}

#[derive(Default)]
pub(crate) struct Plan {
    pub schools_insert: Vec<SchoolW>,
    pub schools_update: Vec<SchoolW>,
    pub classes_insert: Vec<ClassW>,
    /// Known classes whose 班级类型 the file states.
    pub classes_update: Vec<ClassW>,
    pub students_insert: Vec<StudentW>,
    pub students_update: Vec<StudentW>,
    pub teachers_insert: Vec<TeacherW>,
    pub teachers_update: Vec<TeacherW>,
    pub assignments: Vec<AssignmentW>,
    /// Schools whose 任课 list the batch brings: it replaces their stored list, so a teacher
    /// who no longer teaches a class loses access to it.
    pub assignment_schools: std::collections::BTreeSet<i64>,
}

struct Errors<'a> {
    file: &'a str,
    list: Vec<RowError>,
}

impl Errors<'_> {
    fn push(&mut self, o: &Origin, column: &str, value: &str, message_zh: String) {
        self.list.push(RowError {
            file: self.file.to_string(),
            sheet: o.sheet.clone(),
            row: o.row,
            column: column.to_string(),
            value: value.to_string(),
            message_zh,
        });
    }
}

impl Snapshot {
    /// Adds the keys of rows a reader left out for their errors, as if they were stored
    /// (with ids no real row has), so references to them are not reported a second time.
    pub(crate) fn assume(&mut self, broken: &wuyu_domain::BrokenKeys) {
        for code in &broken.schools {
            if !self.schools.contains_key(code.as_str()) {
                self.max_school_id += 1;
                self.schools
                    .insert(code.as_str().to_string(), self.max_school_id);
            }
        }
        // A class or teacher of a school that is itself new in the batch: the plan gives
        // the new school the next id, which `schools` does not know yet; the batch's own
        // schools are added the same way first.
        for (code, grade, name) in &broken.classes {
            let sid = self.school_or_assume(code.as_str());
            self.max_class_id += 1;
            self.classes
                .entry((sid, i32::from(grade.get()), name.clone()))
                .or_insert(self.max_class_id);
        }
        for (code, staff_no) in &broken.teachers {
            let sid = self.school_or_assume(code.as_str());
            self.max_teacher_id += 1;
            self.teachers
                .entry((sid, staff_no.clone()))
                .or_insert(self.max_teacher_id);
        }
    }

    fn school_or_assume(&mut self, code: &str) -> i64 {
        if let Some(&id) = self.schools.get(code) {
            return id;
        }
        self.max_school_id += 1;
        self.schools.insert(code.to_string(), self.max_school_id);
        self.max_school_id
    }
}

/// Resolves `batch` against `snap`. Returns the plan, or every row error found.
pub(crate) fn plan(
    batch: &RosterBatch,
    snap: &Snapshot,
    file: &str,
) -> Result<Plan, Vec<RowError>> {
    let mut errs = Errors {
        file,
        list: Vec::new(),
    };
    let mut p = Plan::default();

    // Schools: new codes get new ids; known codes are updated in place.
    let mut schools = snap.schools.clone();
    let mut next_school = snap.max_school_id;
    for s in &batch.schools {
        let w = |id| SchoolW {
            id,
            code: s.code.as_str().to_string(),
            name: s.name.clone(),
            stage: s.stage.code(),
            location: s.location.code(),
            school_group: s.school_group.clone(),
        };
        match schools.get(s.code.as_str()) {
            Some(&id) => p.schools_update.push(w(id)),
            None => {
                next_school += 1;
                schools.insert(s.code.as_str().to_string(), next_school);
                p.schools_insert.push(w(next_school));
            }
        }
    }
    let school_id = |errs: &mut Errors, o: &Origin, code: &str| -> Option<i64> {
        let id = schools.get(code).copied();
        if id.is_none() {
            errs.push(
                o,
                "学校代码",
                code,
                format!(
                    "学校代码 {code} 不存在：请先导入该学校（“学校”工作表），或检查代码是否写错"
                ),
            );
        }
        id
    };

    // Classes: (school, grade, name) is the natural key; an existing class is left as it is.
    let mut classes = snap.classes.clone();
    let mut next_class = snap.max_class_id;
    for c in &batch.classes {
        let Some(sid) = school_id(&mut errs, &c.origin, c.school_code.as_str()) else {
            continue;
        };
        let key = (sid, i32::from(c.grade.get()), c.name.clone());
        let w = |id| ClassW {
            school_id: sid,
            id,
            grade: i32::from(c.grade.get()),
            name: c.name.clone(),
            class_type: c.class_type.map(|t| t.code()),
        };
        match classes.entry(key) {
            std::collections::hash_map::Entry::Vacant(slot) => {
                next_class += 1;
                slot.insert(next_class);
                p.classes_insert.push(w(next_class));
            }
            std::collections::hash_map::Entry::Occupied(slot) => {
                if c.class_type.is_some() {
                    p.classes_update.push(w(*slot.get()));
                }
            }
        }
    }
    let class_id = |errs: &mut Errors, o: &Origin, sid: i64, grade: u8, name: &str| {
        let id = classes
            .get(&(sid, i32::from(grade), name.to_string()))
            .copied();
        if id.is_none() {
            errs.push(
                o,
                "班级",
                name,
                format!(
                    "{grade} 年级没有名为“{name}”的班级：请先在“班级”工作表中登记该班级，或检查年级和班级名称"
                ),
            );
        }
        id
    };

    // Students: 学籍号 is unique in the district. A known 学籍号 at the same school is an
    // update (re-importing a roster is safe); at another school it is an error, because a
    // transfer must be recorded explicitly, never inferred from a spreadsheet.
    let mut next_student = snap.max_student_id;
    let mut seen: HashSet<&str> = HashSet::with_capacity(batch.students.len());
    p.students_insert.reserve(batch.students.len());
    for s in &batch.students {
        let o = &s.origin;
        let no = s.student_no.as_str();
        if !seen.insert(no) {
            errs.push(o, "学籍号", no, format!("学籍号 {no} 在文件中重复出现"));
            continue;
        }
        let Some(sid) = school_id(&mut errs, o, s.school_code.as_str()) else {
            continue;
        };
        let Some(cid) = class_id(&mut errs, o, sid, s.grade.get(), &s.class_name) else {
            continue;
        };
        let mut w = StudentW {
            school_id: sid,
            id: 0,
            class_id: cid,
            student_no: no.to_string(),
            name: s.name.as_str().to_string(),
            sex: s.sex.code(),
            birth_date: s.birth_date,
            id_card_no: s.id_card_no.as_ref().map(|i| i.as_str().to_string()),
            ethnicity: s.ethnicity.map(|e| i32::from(e.get())),
            former_names: s
                .former_names
                .as_deref()
                .map(wuyu_domain::Student::join_former_names),
            status: s.status.map(|c| (c.status.code(), c.date)),
            flags: s
                .flags
                .as_ref()
                .map(|f| f.iter().map(|f| f.code()).collect()),
        };
        match snap.students.get(no) {
            Some(&(at_school, id)) if at_school == sid => {
                w.id = id;
                p.students_update.push(w);
            }
            Some(_) => errs.push(
                o,
                "学籍号",
                no,
                format!(
                    "学籍号 {no} 已在另一所学校登记：转学请由区级管理员办理，不能通过导入改变学校"
                ),
            ),
            None => {
                next_student += 1;
                w.id = next_student;
                p.students_insert.push(w);
            }
        }
    }

    // Teachers: 工号 is unique within a school.
    let mut teachers = snap.teachers.clone();
    let mut next_teacher = snap.max_teacher_id;
    for t in &batch.teachers {
        let Some(sid) = school_id(&mut errs, &t.origin, t.school_code.as_str()) else {
            continue;
        };
        let mut w = TeacherW {
            school_id: sid,
            id: 0,
            staff_no: t.staff_no.clone(),
            name: t.name.as_str().to_string(),
            sex: t.sex.map(|s| s.code()),
            subject: t.subject.clone(),
            employment: t.employment.map(|e| e.code()),
            birth_year: t.birth_year,
        };
        match teachers.get(&(sid, t.staff_no.clone())) {
            Some(&id) => {
                w.id = id;
                p.teachers_update.push(w);
            }
            None => {
                next_teacher += 1;
                teachers.insert((sid, t.staff_no.clone()), next_teacher);
                w.id = next_teacher;
                p.teachers_insert.push(w);
            }
        }
    }

    for a in &batch.assignments {
        let o = &a.origin;
        let Some(sid) = school_id(&mut errs, o, a.school_code.as_str()) else {
            continue;
        };
        let tid = teachers.get(&(sid, a.staff_no.clone())).copied();
        if tid.is_none() {
            errs.push(
                o,
                "工号",
                &a.staff_no,
                format!("工号 {} 的教师不存在：请先在“教师”工作表中登记", a.staff_no),
            );
        }
        let cid = class_id(&mut errs, o, sid, a.grade.get(), &a.class_name);
        p.assignment_schools.insert(sid);
        if let (Some(teacher_id), Some(class_id)) = (tid, cid) {
            p.assignments.push(AssignmentW {
                school_id: sid,
                teacher_id,
                class_id,
                subject: a.subject.clone(),
                share: a.share,
            });
        }
    }

    if errs.list.is_empty() {
        Ok(p)
    } else {
        Err(errs.list)
    }
}
