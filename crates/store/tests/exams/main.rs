//! Story tests of exams (issue 4) on SQLite and PostgreSQL: what a 教研员 would check by hand
//! after an import. Every expected number is computed here from the marks the test imports
//! (plain arithmetic), never by the code under test.

mod items;
mod reads;
mod scores;
mod versions;
use std::collections::HashMap;

use time::Date;
use time::macros::date;
use wuyu_analytics::compare::AlertStatus;
use wuyu_domain::roster::{NewAssignment, NewClass, NewSchool, NewStudent, NewTeacher};
use wuyu_domain::{
    ClassId, ExamId, ExamItem, ExamItemBatch, ExamLevel, ExamScoreBatch, ExamSubject, Grade,
    Location, NewExam, NewExamScoreRow, NewItemScoreRow, PersonName, RosterBatch, SchoolId, Scope,
    Sex, Stage, StudentId, StudentNo, SubjectMark, Term, TermPart,
};
use wuyu_store::exam::TOTAL;
use wuyu_store::{
    Borderline, ExamSettings, ExamUnitFilter, ExamUnitKind, ExamUnitStat, Store, StoreError,
    SubjectStat,
};

#[path = "../common/mod.rs"]
mod common;
use common::*;

// --- the district of these stories ------------------------------------------------------------
//
// Three schools with grade-5 classes of 12 students: A001 (urban primary; 1班 2班 3班, 数学
// teachers 刘 周 吴, 语文 teacher 郑 for all three), B001 (rural primary; 1班, 数学 王) and
// C001 (urban nine-year school; 1班).

const A: &str = "A001";
const B: &str = "B001";
const C: &str = "C001";
/// (school, class) in roster order.
const CLASSES: [(&str, &str); 5] = [(A, "1班"), (A, "2班"), (A, "3班"), (B, "1班"), (C, "1班")];

fn no(school: &str, class: &str, i: usize) -> String {
    format!("G{school}C{}S{i:02}", &class[..1])
}

fn roster() -> RosterBatch {
    let school = |row, c: &str, name: &str, stage, location| NewSchool {
        origin: o("学校", row),
        code: code(c),
        name: name.into(),
        stage,
        location,
        school_group: None,
    };
    let mut students = Vec::new();
    let mut row = 2;
    for (s, c) in CLASSES {
        for i in 0..12 {
            students.push(NewStudent {
                origin: o("学生", row),
                school_code: code(s),
                grade: Grade::new(5).unwrap(),
                class_name: c.into(),
                student_no: StudentNo::parse(&no(s, c, i)).unwrap(),
                name: PersonName::parse(&format!("学生{s}{c}{i}")).unwrap(),
                sex: if i % 2 == 0 { Sex::Male } else { Sex::Female },
                birth_date: date!(2014 - 03 - 01),
                id_card_no: None,
                ethnicity: None,
                former_names: None,
                status: None,
                flags: None,
            });
            row += 1;
        }
    }
    let teacher = |row, s: &str, staff: &str, name: &str| NewTeacher {
        origin: o("教师", row),
        school_code: code(s),
        staff_no: staff.into(),
        name: PersonName::parse(name).unwrap(),
        sex: None,
        subject: None,
        employment: None,
        birth_year: None,
    };
    let assign = |row, s: &str, staff: &str, class: &str, subject: &str| NewAssignment {
        origin: o("任课", row),
        school_code: code(s),
        staff_no: staff.into(),
        grade: Grade::new(5).unwrap(),
        class_name: class.into(),
        subject: subject.into(),
        share: 1.0,
    };
    RosterBatch {
        schools: vec![
            school(2, A, "城关第一小学", Stage::Primary, Location::Urban),
            school(3, B, "青石镇小学", Stage::Primary, Location::Rural),
            school(4, C, "城南学校", Stage::NineYear, Location::Urban),
        ],
        classes: CLASSES
            .iter()
            .enumerate()
            .map(|(i, (s, c))| NewClass {
                origin: o("班级", i as u32 + 2),
                school_code: code(s),
                grade: Grade::new(5).unwrap(),
                name: (*c).into(),
                class_type: None,
            })
            .collect(),
        students,
        teachers: vec![
            teacher(2, A, "T01", "刘老师"),
            teacher(3, A, "T02", "周老师"),
            teacher(4, A, "T03", "吴老师"),
            teacher(5, A, "T04", "郑老师"),
            teacher(6, B, "T01", "王老师"),
        ],
        assignments: vec![
            assign(2, A, "T01", "1班", "数学"),
            assign(3, A, "T02", "2班", "数学"),
            assign(4, A, "T03", "3班", "数学"),
            assign(5, A, "T04", "1班", "语文"),
            assign(6, A, "T04", "2班", "语文"),
            assign(7, A, "T04", "3班", "语文"),
            assign(8, B, "T01", "1班", "数学"),
        ],
    }
}

/// A mark as a 教研员 writes it: a score, 缺考 (`ABS`) or blank (`NA`).
#[derive(Debug, Clone, Copy, PartialEq)]
enum M {
    S(f64),
    Abs,
    Na,
}
use M::{Abs, Na, S};

impl M {
    fn mark(self) -> Option<SubjectMark> {
        match self {
            S(x) => Some(SubjectMark::Score(x)),
            Abs => Some(SubjectMark::Absent),
            Na => None,
        }
    }
    fn score(self) -> Option<f64> {
        match self {
            S(x) => Some(x),
            _ => None,
        }
    }
}

/// Sentinels in the tables below: 缺考 and blank.
const ABS: f64 = -1.0;
const NA: f64 = -2.0;

fn marks(t: [[f64; 12]; 5]) -> [[M; 12]; 5] {
    t.map(|class| {
        class.map(|x| {
            if x == ABS {
                Abs
            } else if x == NA {
                Na
            } else {
                S(x)
            }
        })
    })
}

/// 数学 (full marks 100) of each class in [`CLASSES`] order, student 0..12.
#[rustfmt::skip]
fn math() -> [[M; 12]; 5] {
    marks([
        [95.0, 88.0, 82.0, 79.0, 75.0, 70.0, 66.0, 61.0, 57.0, 45.0, 38.0, ABS],
        [92.0, 85.0, 80.0, 78.0, 72.0, 68.0, 64.0, 60.0, 59.5, 50.0, 41.0, 30.0],
        [99.0, 90.0, 86.0, 83.0, 80.0, 77.0, 74.0, 71.0, 65.0, 62.0, 58.0, 52.0],
        [81.0, 76.0, 70.0, 65.0, 62.0, 60.0, 55.0, 52.0, 48.0, 40.0, 39.5, 20.0],
        [100.0, 96.0, 93.0, 88.0, 85.0, 84.0, 80.0, 79.5, 76.0, 70.0, 66.0, 64.0],
    ])
}

/// 语文 (full marks 120), same layout.
#[rustfmt::skip]
fn chinese() -> [[M; 12]; 5] {
    marks([
        [110.0, 102.0, 96.0, 95.5, 90.0, 88.0, 84.0, 80.0, 72.0, 71.5, 60.0, 47.5],
        [115.0, 100.0, 98.0, 92.0, 86.0, 84.0, 79.0, 73.0, 70.0, 65.0, 58.0, 44.0],
        [108.0, 104.0, 99.0, 97.0, 93.0, 90.0, 88.0, 85.0, 81.0, 77.0, 73.0, 69.0],
        [96.0, 90.0, 85.0, ABS, 78.0, 74.0, 72.0, 66.0, 61.0, 55.0, 50.0, 42.0],
        [118.0, 112.0, 107.0, 103.0, 100.0, 96.0, 95.0, 90.0, 88.0, 84.0, NA, 80.0],
    ])
}

fn score_batch(exam: ExamId, subjects: &[&str], marks: &[[[M; 12]; 5]]) -> ExamScoreBatch {
    let mut rows = Vec::new();
    let mut row = 2;
    for (c, (s, class)) in CLASSES.iter().enumerate() {
        for i in 0..12 {
            rows.push(NewExamScoreRow {
                origin: o("成绩", row),
                student_no: StudentNo::parse(&no(s, class, i)).unwrap(),
                marks: marks.iter().map(|m| m[c][i].mark()).collect(),
            });
            row += 1;
        }
    }
    ExamScoreBatch {
        exam,
        subjects: subjects.iter().map(|s| s.to_string()).collect(),
        rows,
    }
}

fn new_exam(name: &str, date: Date, subjects: &[(&str, f64)], baseline: Option<ExamId>) -> NewExam {
    NewExam {
        name: name.into(),
        date,
        term: Term::new(2024, TermPart::Autumn).unwrap(),
        level: ExamLevel::District,
        grade: Grade::new(5).unwrap(),
        subjects: subjects
            .iter()
            .map(|(n, f)| ExamSubject {
                name: (*n).into(),
                full_marks: *f,
            })
            .collect(),
        baseline,
    }
}

struct Ids {
    schools: HashMap<&'static str, SchoolId>,
    classes: HashMap<(&'static str, &'static str), ClassId>,
    students: HashMap<String, StudentId>,
}

async fn setup(store: &dyn Store) -> Ids {
    store
        .import_roster(&roster(), &meta("roster.xlsx"))
        .await
        .unwrap();
    let mut ids = Ids {
        schools: HashMap::new(),
        classes: HashMap::new(),
        students: HashMap::new(),
    };
    for s in store.list_schools(&Scope::District).await.unwrap() {
        let c = [A, B, C]
            .into_iter()
            .find(|c| *c == s.school.code.as_str())
            .unwrap();
        ids.schools.insert(c, s.school.id);
        for cl in store
            .list_classes(&Scope::District, s.school.id)
            .await
            .unwrap()
        {
            let name = CLASSES
                .iter()
                .find(|(sc, n)| *sc == c && *n == cl.class.name)
                .unwrap()
                .1;
            ids.classes.insert((c, name), cl.class.id);
        }
        for st in store
            .list_students(&Scope::District, s.school.id, None)
            .await
            .unwrap()
        {
            ids.students
                .insert(st.student_no.as_str().to_string(), st.id);
        }
    }
    ids
}

// --- hand arithmetic --------------------------------------------------------------------------

/// What a 教研员 computes for a unit and subject: (n, mean, 优秀, 及格, 低分, 缺考, 应考).
#[derive(Debug, PartialEq)]
struct Hand {
    n: usize,
    mean: f64,
    excellent: usize,
    pass: usize,
    low: usize,
    absent: usize,
    enrolled: usize,
}

fn hand(marks: &[M], full: f64) -> Hand {
    let scores: Vec<f64> = marks.iter().filter_map(|m| m.score()).collect();
    let n = scores.len();
    Hand {
        n,
        mean: scores.iter().sum::<f64>() / n as f64,
        excellent: scores.iter().filter(|&&x| x >= 0.8 * full).count(),
        pass: scores.iter().filter(|&&x| x >= 0.6 * full).count(),
        low: scores.iter().filter(|&&x| x < 0.4 * full).count(),
        absent: marks.iter().filter(|m| **m == Abs).count(),
        enrolled: marks.iter().filter(|m| **m != Na).count(),
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

fn assert_stat(got: &SubjectStat, want: &Hand) {
    let r = &got.rates;
    assert_eq!(
        (r.n, r.absent, r.enrolled, r.sat),
        (
            want.n,
            want.absent,
            want.enrolled,
            want.enrolled - want.absent
        ),
        "{}",
        got.subject
    );
    assert!(
        close(r.mean.unwrap(), want.mean),
        "{} mean {:?} vs {}",
        got.subject,
        r.mean,
        want.mean
    );
    assert_eq!(r.excellent_count, want.excellent, "{} 优秀", got.subject);
    assert_eq!(r.pass_count, want.pass, "{} 及格", got.subject);
    assert_eq!(r.low_count, want.low, "{} 低分", got.subject);
    assert!(close(
        r.excellent_rate.unwrap(),
        want.excellent as f64 / want.n as f64
    ));
    assert!(close(
        r.pass_rate.unwrap(),
        want.pass as f64 / want.n as f64
    ));
    assert!(close(r.low_rate.unwrap(), want.low as f64 / want.n as f64));
    assert!(close(
        r.participation_rate.unwrap(),
        (want.enrolled - want.absent) as f64 / want.enrolled as f64
    ));
}

fn subject<'a>(u: &'a ExamUnitStat, name: &str) -> &'a SubjectStat {
    u.subjects.iter().find(|s| s.subject == name).unwrap()
}

/// The marks of the classes of one school, pooled.
fn pooled(marks: &[[M; 12]; 5], school: &str) -> Vec<M> {
    CLASSES
        .iter()
        .enumerate()
        .filter(|(_, (s, _))| *s == school)
        .flat_map(|(c, _)| marks[c].to_vec())
        .collect()
}

fn all(marks: &[[M; 12]; 5]) -> Vec<M> {
    marks.iter().flat_map(|c| c.to_vec()).collect()
}

fn forbidden<T: std::fmt::Debug>(r: Result<T, StoreError>) -> bool {
    matches!(r, Err(StoreError::Forbidden))
}

// --- stories ---------------------------------------------------------------------------------
