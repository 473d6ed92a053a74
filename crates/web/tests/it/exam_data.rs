//! The exams of the web fixture ([`crate::support::TestApp::with_exams`]): grade 7 of four
//! schools sits an entrance exam (the baseline) and a district midterm with item-level 数学;
//! school A also has a 校级 monthly test. Every mark comes from the small formulas below, so a
//! test can recompute what a 教研员 would check by hand.
//!
//! | class | students |
//! |---|---|
//! | S001 七年级1班 | 张小明 (the parent's child), 李小红, 10 more (`A20240701xx`) |
//! | S001 七年级2班 | 王磊, 赵敏, 10 more |
//! | S003 河西中学 七年级1班 (rural junior) | 12 (`C20240701xx`) |
//! | S004 城北学校 七年级1班 (urban nine-year) | 12 (`D20240701xx`) |
//!
//! In the midterm 李小红 is 缺考 in 英语, C2024070106 is 缺考 in 数学 and D2024070112 did not
//! take 语文 (blank).
use time::macros::date;
use wuyu_domain::roster::{NewAssignment, NewClass, NewSchool, NewStudent, NewTeacher};
use wuyu_domain::{
    ExamId, ExamItem, ExamItemBatch, ExamLevel, ExamScoreBatch, ExamSubject, Grade, Location,
    NewExam, NewExamScoreRow, NewItemScoreRow, Origin, PersonName, RosterBatch, SchoolCode, Sex,
    Stage, StudentNo, SubjectMark, Term, TermPart,
};

pub const MIDTERM: &str = "七年级期中质量监测";
pub const BASELINE: &str = "七年级入学摸底";
pub const MONTHLY: &str = "七年级第一次月考";
/// Subjects of the baseline and the midterm with their full marks.
pub const SUBJECTS: [(&str, f64); 3] = [("语文", 120.0), ("数学", 100.0), ("英语", 100.0)];

/// (school code, class name) of the four exam classes, in order.
pub const CLASSES: [(&str, &str); 4] = [
    ("S001", "1班"),
    ("S001", "2班"),
    ("S003", "1班"),
    ("S004", "1班"),
];

/// One student of the exams: class index into [`CLASSES`] and position `k` in the class
/// (0 = strongest).
#[derive(Debug, Clone)]
pub struct ExamStudent {
    pub class: usize,
    pub k: usize,
    pub student_no: String,
    pub name: String,
}

pub fn students() -> Vec<ExamStudent> {
    let mut out = Vec::new();
    for (c, _) in CLASSES.iter().enumerate() {
        for k in 0..12 {
            let (no, name) = match (c, k) {
                (0, 0) => (crate::support::child_student_no(), "张小明".to_string()),
                (0, 1) => ("A2024070102".to_string(), "李小红".to_string()),
                (1, 0) => ("A2024070201".to_string(), "王磊".to_string()),
                (1, 1) => ("A2024070202".to_string(), "赵敏".to_string()),
                (0, _) => (
                    format!("A20240701{:02}", k + 1),
                    format!("一班学生{:02}", k + 1),
                ),
                (1, _) => (
                    format!("A20240702{:02}", k + 1),
                    format!("二班学生{:02}", k + 1),
                ),
                (2, _) => (
                    format!("C20240701{:02}", k + 1),
                    format!("河西学生{:02}", k + 1),
                ),
                _ => (
                    format!("D20240701{:02}", k + 1),
                    format!("城北学生{:02}", k + 1),
                ),
            };
            out.push(ExamStudent {
                class: c,
                k,
                student_no: no,
                name,
            });
        }
    }
    out
}

/// Rounds to the half point, as marks are written.
fn half(x: f64) -> f64 {
    (x * 2.0).round() / 2.0
}

/// Intake of each class (points on a 100-point paper) and the true value added of each class
/// between the baseline and the midterm.
const INTAKE: [f64; 4] = [0.0, -3.0, -8.0, 5.0];
const VALUE_ADDED: [f64; 4] = [2.0, -1.0, -6.0, 7.0];
const WOBBLE: [f64; 4] = [-1.5, 1.0, 0.5, 0.0];

fn base100(s: &ExamStudent) -> f64 {
    50.0 + 3.5 * (11 - s.k) as f64 + INTAKE[s.class]
}

/// Baseline marks (语文, 数学, 英语): everyone sat everything.
pub fn baseline(s: &ExamStudent) -> [Option<SubjectMark>; 3] {
    let b = base100(s);
    [
        Some(SubjectMark::Score(half(1.2 * b + 2.0))),
        Some(SubjectMark::Score(b)),
        Some(SubjectMark::Score(b + (s.k % 3) as f64 - 1.0)),
    ]
}

/// The midterm's 数学 item points (items 1–5, maxima 10, 30, 30, 20, 10): item 1 is easy
/// (P > 0.9), item 4 hard (P < 0.2), item 5 discriminates negatively (weak students score).
pub fn math_items(s: &ExamStudent) -> [f64; 5] {
    let r = 11 - s.k;
    let target =
        (0.9 * base100(s) + 7.0 + VALUE_ADDED[s.class] + WOBBLE[(s.k + 1) % 4]).clamp(0.0, 100.0);
    let i1 = if r <= 1 { 5.0 } else { 10.0 };
    let i4 = if r >= 10 { 8.0 } else { 0.0 };
    let i5 = if r <= 3 {
        10.0
    } else if r <= 6 {
        5.0
    } else {
        0.0
    };
    let rest = target - i1 - i4 - i5;
    let i2 = half(rest / 2.0).clamp(0.0, 30.0);
    let i3 = half(rest - i2).clamp(0.0, 30.0);
    [i1, i2, i3, i4, i5]
}

pub const MATH_ITEMS: [(&str, f64, &[&str]); 5] = [
    ("1", 10.0, &["数与式"]),
    ("2", 30.0, &["数与式", "方程"]),
    ("3", 30.0, &["几何"]),
    ("4", 20.0, &["几何", "函数"]),
    ("5", 10.0, &["函数"]),
];

/// Midterm marks (语文, 数学, 英语); 数学 is the sum of the item points.
pub fn midterm(s: &ExamStudent) -> [Option<SubjectMark>; 3] {
    let b = base100(s);
    let w = WOBBLE[s.k % 4];
    let va = VALUE_ADDED[s.class];
    let chinese = half(1.2 * (0.9 * b + 8.0 + va + w)).clamp(0.0, 120.0);
    let english = half(0.9 * b + 6.0 + va - w).clamp(0.0, 100.0);
    let math: f64 = math_items(s).iter().sum();
    let mut m = [
        Some(SubjectMark::Score(chinese)),
        Some(SubjectMark::Score(math)),
        Some(SubjectMark::Score(english)),
    ];
    match s.student_no.as_str() {
        "A2024070102" => m[2] = Some(SubjectMark::Absent),
        "C2024070106" => m[1] = Some(SubjectMark::Absent),
        "D2024070112" => m[0] = None,
        _ => {}
    }
    m
}

/// The monthly test of school A (校级): 语文 only.
pub fn monthly(s: &ExamStudent) -> Option<SubjectMark> {
    (s.class < 2).then(|| SubjectMark::Score(half(1.2 * base100(s) + 5.0).min(120.0)))
}

/// The score of a mark, `None` for 缺考 and blanks.
pub fn score(m: Option<SubjectMark>) -> Option<f64> {
    match m {
        Some(SubjectMark::Score(x)) => Some(x),
        _ => None,
    }
}

fn origin() -> Origin {
    Origin::default()
}

/// The two new schools, the new students of school A's grade-7 classes, and teachers of the
/// new schools. School A's 任课 list is not in the batch, so it stays as it is.
pub fn roster() -> RosterBatch {
    let code = |c: &str| SchoolCode::parse(c).unwrap();
    let school = |c: &str, name: &str, stage, location| NewSchool {
        origin: origin(),
        code: code(c),
        name: name.into(),
        stage,
        location,
        school_group: None,
    };
    let class = |c: &str| NewClass {
        origin: origin(),
        school_code: code(c),
        grade: Grade::new(7).unwrap(),
        name: "1班".into(),
        class_type: None,
    };
    let students = students()
        .into_iter()
        .filter(|s| !(s.class < 2 && s.k < 2))
        .map(|s| NewStudent {
            origin: origin(),
            school_code: code(CLASSES[s.class].0),
            grade: Grade::new(7).unwrap(),
            class_name: CLASSES[s.class].1.into(),
            student_no: StudentNo::parse(&s.student_no).unwrap(),
            name: PersonName::parse(&s.name).unwrap(),
            sex: if s.k % 2 == 0 { Sex::Male } else { Sex::Female },
            birth_date: date!(2012 - 06 - 01),
            id_card_no: None,
            ethnicity: None,
            former_names: None,
            status: None,
            flags: None,
        })
        .collect();
    let teacher = |c: &str, no: &str, name: &str| NewTeacher {
        origin: origin(),
        school_code: code(c),
        staff_no: no.into(),
        name: PersonName::parse(name).unwrap(),
        sex: None,
        subject: None,
        employment: None,
        birth_year: None,
    };
    let assign = |c: &str, no: &str, subject: &str| NewAssignment {
        origin: origin(),
        school_code: code(c),
        staff_no: no.into(),
        grade: Grade::new(7).unwrap(),
        class_name: "1班".into(),
        subject: subject.into(),
        share: 1.0,
    };
    RosterBatch {
        schools: vec![
            school("S003", "河西中学", Stage::Junior, Location::Rural),
            school("S004", "城北学校", Stage::NineYear, Location::Urban),
        ],
        classes: vec![class("S003"), class("S004")],
        students,
        teachers: vec![
            teacher("S003", "T21", "冯老师"),
            teacher("S004", "T31", "褚老师"),
        ],
        assignments: vec![assign("S003", "T21", "语文"), assign("S004", "T31", "数学")],
    }
}

pub fn new_exam(name: &str, level: ExamLevel, baseline: Option<ExamId>) -> NewExam {
    let (date, subjects): (_, &[(&str, f64)]) = match name {
        BASELINE => (date!(2024 - 09 - 05), &SUBJECTS),
        MONTHLY => (date!(2024 - 10 - 10), &SUBJECTS[..1]),
        _ => (date!(2024 - 11 - 12), &SUBJECTS),
    };
    NewExam {
        name: name.into(),
        date,
        term: Term::new(2024, TermPart::Autumn).unwrap(),
        level,
        grade: Grade::new(7).unwrap(),
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

pub fn score_batch(
    exam: ExamId,
    subjects: &[&str],
    marks: impl Fn(&ExamStudent) -> Vec<Option<SubjectMark>>,
) -> ExamScoreBatch {
    ExamScoreBatch {
        exam,
        subjects: subjects.iter().map(|s| s.to_string()).collect(),
        rows: students()
            .iter()
            .map(|s| (s, marks(s)))
            .filter(|(_, m)| m.iter().any(Option::is_some))
            .map(|(s, m)| NewExamScoreRow {
                origin: origin(),
                student_no: StudentNo::parse(&s.student_no).unwrap(),
                marks: m,
            })
            .collect(),
    }
}

pub fn item_batch(exam: ExamId) -> ExamItemBatch {
    ExamItemBatch {
        exam,
        subject: "数学".into(),
        items: MATH_ITEMS
            .iter()
            .map(|(no, max, kp)| ExamItem {
                item_no: (*no).into(),
                max_points: *max,
                knowledge_points: kp.iter().map(|s| s.to_string()).collect(),
            })
            .collect(),
        rows: students()
            .iter()
            .map(|s| {
                let absent = midterm(s)[1] == Some(SubjectMark::Absent);
                NewItemScoreRow {
                    origin: origin(),
                    student_no: StudentNo::parse(&s.student_no).unwrap(),
                    absent,
                    points: if absent {
                        vec![None; 5]
                    } else {
                        math_items(s).iter().map(|p| Some(*p)).collect()
                    },
                }
            })
            .collect(),
    }
}

/// The subject index of a name in [`SUBJECTS`].
pub fn subject_index(name: &str) -> usize {
    SUBJECTS.iter().position(|(n, _)| *n == name).unwrap()
}
