//! Story tests of exams (issue 4) on SQLite and PostgreSQL: what a 教研员 would check by hand
//! after an import. Every expected number is computed here from the marks the test imports
//! (plain arithmetic), never by the code under test.
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

story!(an_exam_import_gives_the_numbers_a_teacher_computes_by_hand);
async fn an_exam_import_gives_the_numbers_a_teacher_computes_by_hand(store: &dyn Store) {
    let ids = setup(store).await;
    assert_eq!(
        store.exam_settings().await.unwrap(),
        ExamSettings::default()
    );
    let exam = store
        .create_exam(&new_exam(
            "五年级期中质量检测",
            date!(2024 - 11 - 12),
            &[("语文", 120.0), ("数学", 100.0)],
            None,
        ))
        .await
        .unwrap();
    let summary = store
        .import_exam_scores(
            &score_batch(exam, &["语文", "数学"], &[chinese(), math()]),
            &meta("期中成绩.xlsx"),
        )
        .await
        .unwrap();
    // 60 students, 120 cells minus one blank; 2 缺考.
    assert_eq!(
        (
            summary.students,
            summary.marks,
            summary.absent,
            summary.schools
        ),
        (60, 119, 2, 3)
    );
    let imports = store.list_imports(5).await.unwrap();
    assert_eq!(imports[0].kind, "exam_scores");
    assert_eq!(imports[0].file_name, "期中成绩.xlsx");

    let listed = store.list_exams(&Scope::District).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].schools, listed[0].students, listed[0].has_items),
        (3, 60, false)
    );
    assert_eq!(listed[0].exam.subjects[1].name, "数学");
    let e = store.exam(&Scope::District, exam).await.unwrap();
    assert_eq!(
        (e.name.as_str(), e.date),
        ("五年级期中质量检测", date!(2024 - 11 - 12))
    );

    // School A in 数学 and 语文: the three classes pooled.
    let schools = store
        .exam_unit_stats(&Scope::District, exam, ExamUnitFilter::Schools)
        .await
        .unwrap();
    assert_eq!(schools.len(), 3);
    let unit = |code: &str| {
        schools
            .iter()
            .find(|u| u.unit.school_id == Some(ids.schools[code]))
            .unwrap()
    };
    assert_eq!(unit(A).unit.name, "城关第一小学");
    assert_stat(subject(unit(A), "数学"), &hand(&pooled(&math(), A), 100.0));
    assert_stat(
        subject(unit(A), "语文"),
        &hand(&pooled(&chinese(), A), 120.0),
    );
    assert_stat(
        subject(unit(B), "语文"),
        &hand(&pooled(&chinese(), B), 120.0),
    );
    assert_stat(
        subject(unit(C), "语文"),
        &hand(&pooled(&chinese(), C), 120.0),
    );

    // Ranks of the schools by 数学 mean, and gaps to the best and to the district.
    let district_math = hand(&all(&math()), 100.0).mean;
    let mut means: Vec<(f64, &str)> = [A, B, C]
        .iter()
        .map(|c| (hand(&pooled(&math(), c), 100.0).mean, *c))
        .collect();
    means.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (rank, (mean, c)) in means.iter().enumerate() {
        let st = subject(unit(c), "数学");
        assert_eq!(st.rank, Some(rank as u32 + 1), "{c}");
        assert!(close(st.gap_to_best.unwrap(), mean - means[0].0));
        assert!(close(st.gap_to_district.unwrap(), mean - district_math));
        assert_eq!(st.histogram.iter().sum::<u32>() as usize, st.rates.n);
    }
    // Histogram of C's 数学: 100 goes into the last bin with 90–99.5.
    let c_math: Vec<f64> = pooled(&math(), C)
        .iter()
        .filter_map(|m| m.score())
        .collect();
    let mut bins = vec![0u32; 10];
    for x in &c_math {
        bins[((x / 10.0).floor() as usize).min(9)] += 1;
    }
    assert_eq!(subject(unit(C), "数学").histogram, bins);

    // Classes of A: 1班 has one 缺考 in 数学, excluded from every rate; 参考率 11/12.
    let classes = store
        .exam_unit_stats(
            &Scope::District,
            exam,
            ExamUnitFilter::Classes(ids.schools[A]),
        )
        .await
        .unwrap();
    assert_eq!(classes.len(), 3);
    let class1 = classes
        .iter()
        .find(|u| u.unit.class_id == Some(ids.classes[&(A, "1班")]))
        .unwrap();
    assert_eq!(class1.unit.kind, ExamUnitKind::Class);
    assert_eq!(class1.unit.name, "1班");
    assert_stat(subject(class1, "数学"), &hand(&math()[0], 100.0));
    assert_eq!(
        class1.teachers,
        vec![
            ("语文".to_string(), vec!["郑老师".to_string()]),
            ("数学".to_string(), vec!["刘老师".to_string()]),
        ]
    );
    // 1班 数学 median (type 7) of the 11 scores: the 6th smallest.
    let mut sorted: Vec<f64> = math()[0].iter().filter_map(|m| m.score()).collect();
    sorted.sort_by(f64::total_cmp);
    assert_eq!(subject(class1, "数学").median, Some(sorted[5]));
    assert_eq!(subject(class1, "数学").min, Some(sorted[0]));
    // Class ranks among the school's grade-5 classes by 数学 mean.
    let mut cm: Vec<(f64, ClassId)> = (0..3)
        .map(|c| (hand(&math()[c], 100.0).mean, ids.classes[&CLASSES[c]]))
        .collect();
    cm.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (rank, (_, id)) in cm.iter().enumerate() {
        let u = classes
            .iter()
            .find(|u| u.unit.class_id == Some(*id))
            .unwrap();
        assert_eq!(subject(u, "数学").rank, Some(rank as u32 + 1));
    }

    // 总分 of 1班: the student absent in 数学 is excluded; the other 11 totals are summed.
    let totals: Vec<M> = (0..12)
        .map(|i| match (chinese()[0][i], math()[0][i]) {
            (S(a), S(b)) => S(a + b),
            _ => Na,
        })
        .collect();
    let t = subject(class1, TOTAL);
    assert_eq!(
        (t.rates.n, t.rates.excluded, t.rates.full_marks),
        (11, 1, 220.0)
    );
    assert!(close(t.rates.mean.unwrap(), hand(&totals, 220.0).mean));
    assert_eq!(t.rates.excellent_count, hand(&totals, 220.0).excellent);

    // Overview: district, 城区, 农村, 小学, 九年一贯制.
    let overview = store
        .exam_unit_stats(&Scope::District, exam, ExamUnitFilter::Overview)
        .await
        .unwrap();
    let kinds: Vec<(ExamUnitKind, &str)> = overview
        .iter()
        .map(|u| (u.unit.kind, u.unit.name.as_str()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (ExamUnitKind::District, "全区"),
            (ExamUnitKind::Location, "城区"),
            (ExamUnitKind::Location, "农村"),
            (ExamUnitKind::Stage, "小学"),
            (ExamUnitKind::Stage, "九年一贯制"),
        ]
    );
    assert_stat(subject(&overview[0], "数学"), &hand(&all(&math()), 100.0));
    let urban: Vec<M> = [pooled(&math(), A), pooled(&math(), C)].concat();
    assert_stat(subject(&overview[1], "数学"), &hand(&urban, 100.0));
    assert_eq!(
        subject(&overview[0], "数学").rank,
        None,
        "the district is not ranked"
    );

    // Students of 1班 with their standing in the district's 数学.
    let rows = store
        .exam_students(
            &Scope::District,
            exam,
            ids.schools[A],
            Some(ids.classes[&(A, "1班")]),
        )
        .await
        .unwrap();
    assert_eq!(rows.len(), 12);
    let district: Vec<f64> = all(&math()).iter().filter_map(|m| m.score()).collect();
    let n = district.len() as f64;
    let mu = district.iter().sum::<f64>() / n;
    let sigma = (district.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / n).sqrt();
    for (i, m) in math()[0].iter().enumerate() {
        let r = rows
            .iter()
            .find(|r| r.student_no == no(A, "1班", i))
            .unwrap();
        assert_eq!(r.student_id, ids.students[&no(A, "1班", i)]);
        let mark = r.subjects.iter().find(|s| s.subject == "数学").unwrap();
        match m {
            S(x) => {
                let z = (x - mu) / sigma;
                assert_eq!(mark.score, Some(*x));
                assert!(close(mark.z.unwrap(), z));
                assert!(close(mark.t.unwrap(), 50.0 + 10.0 * z));
                let below = district.iter().filter(|&&d| d < *x).count() as f64;
                let equal = district.iter().filter(|&&d| d == *x).count() as f64;
                assert!(close(
                    mark.percentile.unwrap(),
                    100.0 * (below + 0.5 * equal) / n
                ));
                let above = district.iter().filter(|&&d| d > *x).count() as u32;
                assert_eq!(mark.district_rank, Some(above + 1));
                let want = if (75.0..80.0).contains(x) {
                    Some(Borderline::Excellent)
                } else if (55.0..60.0).contains(x) {
                    Some(Borderline::Pass)
                } else {
                    None
                };
                assert_eq!(mark.borderline, want, "数学 {x}");
            }
            _ => {
                assert!(mark.absent);
                assert_eq!((mark.score, mark.z, mark.district_rank), (None, None, None));
            }
        }
    }
    // The 缺考 student has no 总分 either; a student with both subjects has their sum.
    let absent = rows
        .iter()
        .find(|r| r.student_no == no(A, "1班", 11))
        .unwrap();
    let total = absent.subjects.iter().find(|s| s.subject == TOTAL).unwrap();
    assert_eq!((total.score, total.absent), (None, false));
    let first = rows
        .iter()
        .find(|r| r.student_no == no(A, "1班", 0))
        .unwrap();
    let total = first.subjects.iter().find(|s| s.subject == TOTAL).unwrap();
    assert_eq!(total.score, Some(110.0 + 95.0));

    // C's student without a 语文 mark did not take it: no score, not absent.
    let c_rows = store
        .exam_students(&Scope::District, exam, ids.schools[C], None)
        .await
        .unwrap();
    let blank = c_rows
        .iter()
        .find(|r| r.student_no == no(C, "1班", 10))
        .unwrap();
    let yw = blank.subjects.iter().find(|s| s.subject == "语文").unwrap();
    assert_eq!((yw.score, yw.absent), (None, false));

    // A district that counts 缺考 as 0: after recompute, 1班 数学 has 12 students and a lower
    // mean; the student still shows no score of their own.
    let settings = ExamSettings {
        absent_policy: wuyu_analytics::descriptive::AbsentPolicy::CountAsZero,
        ..ExamSettings::default()
    };
    store
        .set_setting(
            ExamSettings::KEY,
            &serde_json::to_string(&settings).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(store.exam_settings().await.unwrap(), settings);
    store.recompute_exam(exam).await.unwrap();
    let classes = store
        .exam_unit_stats(
            &Scope::District,
            exam,
            ExamUnitFilter::Classes(ids.schools[A]),
        )
        .await
        .unwrap();
    let class1 = classes
        .iter()
        .find(|u| u.unit.class_id == Some(ids.classes[&(A, "1班")]))
        .unwrap();
    let zeroed: Vec<M> = math()[0]
        .iter()
        .map(|m| if *m == Abs { S(0.0) } else { *m })
        .collect();
    let r = &subject(class1, "数学").rates;
    assert_eq!((r.n, r.absent), (12, 1));
    assert!(close(r.mean.unwrap(), hand(&zeroed, 100.0).mean));
    assert!(matches!(
        store.recompute_exam(ExamId(999)).await,
        Err(StoreError::NotFound)
    ));
}

story!(a_bad_row_rejects_the_whole_sheet_and_keeps_the_marks);
async fn a_bad_row_rejects_the_whole_sheet_and_keeps_the_marks(store: &dyn Store) {
    let ids = setup(store).await;
    let exam = store
        .create_exam(&new_exam(
            "期中",
            date!(2024 - 11 - 12),
            &[("语文", 120.0), ("数学", 100.0)],
            None,
        ))
        .await
        .unwrap();
    store
        .import_exam_scores(
            &score_batch(exam, &["语文", "数学"], &[chinese(), math()]),
            &meta("good.xlsx"),
        )
        .await
        .unwrap();
    let before = store
        .exam_unit_stats(&Scope::District, exam, ExamUnitFilter::Schools)
        .await
        .unwrap();
    let students_before = store
        .exam_students(&Scope::District, exam, ids.schools[A], None)
        .await
        .unwrap();
    let imports = store.list_imports(50).await.unwrap().len();

    // A subject the exam does not have.
    let mut bad = score_batch(exam, &["语文", "英语"], &[chinese(), math()]);
    bad.rows.truncate(3);
    let Err(StoreError::Rejected(errors)) =
        store.import_exam_scores(&bad, &meta("english.xlsx")).await
    else {
        panic!("an unknown subject must reject the sheet");
    };
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!((errors[0].row, errors[0].column.as_str()), (1, "英语"));
    assert!(
        errors[0].message_zh.contains("没有科目“英语”"),
        "{}",
        errors[0].message_zh
    );
    assert_eq!(errors[0].file, "english.xlsx");

    // Row errors: an unknown 学籍号 (row 3), 数学 above full marks (row 4), a student twice
    // (row 5); the good rows are refused too.
    let mut bad = score_batch(exam, &["语文", "数学"], &[chinese(), math()]);
    bad.rows.truncate(4);
    bad.rows[1].student_no = StudentNo::parse("GX999999").unwrap();
    bad.rows[2].marks[1] = Some(SubjectMark::Score(100.5));
    bad.rows[0].marks[1] = Some(SubjectMark::Score(1.0)); // would change the mean if it landed
    let mut dup = bad.rows[3].clone();
    dup.origin = o("成绩", 5);
    dup.student_no = bad.rows[0].student_no.clone();
    bad.rows.push(dup);
    let Err(StoreError::Rejected(errors)) = store.import_exam_scores(&bad, &meta("bad.xlsx")).await
    else {
        panic!("the sheet must be rejected");
    };
    let got: Vec<(u32, &str, &str)> = errors
        .iter()
        .map(|e| (e.row, e.column.as_str(), e.value.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (3, "学籍号", "GX999999"),
            (4, "数学", "100.5"),
            (5, "学籍号", no(A, "1班", 0).as_str()),
        ],
        "{errors:?}"
    );
    assert!(errors[0].message_zh.contains("不在学籍名单中"));
    assert!(errors[1].message_zh.contains("满分 100"));
    assert!(errors[2].message_zh.contains("第 2 行"));

    // Scores outside the range, negative ones included.
    let mut neg = score_batch(exam, &["语文", "数学"], &[chinese(), math()]);
    neg.rows.truncate(1);
    neg.rows[0].marks[0] = Some(SubjectMark::Score(-1.0));
    assert!(matches!(
        store.import_exam_scores(&neg, &meta("neg.xlsx")).await,
        Err(StoreError::Rejected(_))
    ));
    // An exam that does not exist.
    let mut none = score_batch(exam, &["语文"], &[chinese()]);
    none.exam = ExamId(999);
    assert!(matches!(
        store.import_exam_scores(&none, &meta("x.xlsx")).await,
        Err(StoreError::NotFound)
    ));

    // Nothing changed.
    assert_eq!(
        store
            .exam_unit_stats(&Scope::District, exam, ExamUnitFilter::Schools)
            .await
            .unwrap(),
        before
    );
    assert_eq!(
        store
            .exam_students(&Scope::District, exam, ids.schools[A], None)
            .await
            .unwrap(),
        students_before
    );
    assert_eq!(store.list_imports(50).await.unwrap().len(), imports);

    // Defining exams: a duplicate is a conflict, an unknown baseline is not found.
    assert!(matches!(
        store
            .create_exam(&new_exam(
                "期中",
                date!(2024 - 11 - 12),
                &[("语文", 120.0)],
                None
            ))
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        store
            .create_exam(&new_exam(
                "期末",
                date!(2025 - 01 - 12),
                &[("语文", 120.0)],
                Some(ExamId(999))
            ))
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .create_exam(&new_exam(
                "期末",
                date!(2025 - 01 - 12),
                &[("语文", 0.0)],
                None
            ))
            .await,
        Err(StoreError::Rejected(_))
    ));
}

story!(reimporting_a_sheet_replaces_those_marks);
async fn reimporting_a_sheet_replaces_those_marks(store: &dyn Store) {
    let ids = setup(store).await;
    let exam = store
        .create_exam(&new_exam(
            "期中",
            date!(2024 - 11 - 12),
            &[("语文", 120.0), ("数学", 100.0)],
            None,
        ))
        .await
        .unwrap();
    store
        .import_exam_scores(
            &score_batch(exam, &["语文", "数学"], &[chinese(), math()]),
            &meta("first.xlsx"),
        )
        .await
        .unwrap();
    // B's 数学 again: a corrected score, a 缺考 that turns out to be a blank, the rest equal.
    let mut fixed = math();
    fixed[3][0] = S(91.0);
    fixed[3][11] = Na;
    let mut sheet = score_batch(exam, &["数学"], &[fixed]);
    sheet
        .rows
        .retain(|r| r.student_no.as_str().starts_with(&format!("G{B}")));
    assert_eq!(sheet.rows.len(), 12);
    let s = store
        .import_exam_scores(&sheet, &meta("fix.xlsx"))
        .await
        .unwrap();
    assert_eq!((s.students, s.marks, s.schools), (12, 11, 1));

    let schools = store
        .exam_unit_stats(&Scope::District, exam, ExamUnitFilter::Schools)
        .await
        .unwrap();
    let b = schools
        .iter()
        .find(|u| u.unit.school_id == Some(ids.schools[B]))
        .unwrap();
    assert_stat(subject(b, "数学"), &hand(&fixed[3], 100.0));
    // 语文 of B untouched; the district now counts the fixed marks.
    assert_stat(subject(b, "语文"), &hand(&chinese()[3], 120.0));
    let overview = store
        .exam_unit_stats(&Scope::District, exam, ExamUnitFilter::Overview)
        .await
        .unwrap();
    assert_stat(subject(&overview[0], "数学"), &hand(&all(&fixed), 100.0));
    let rows = store
        .exam_students(&Scope::District, exam, ids.schools[B], None)
        .await
        .unwrap();
    let gone = rows
        .iter()
        .find(|r| r.student_no == no(B, "1班", 11))
        .unwrap();
    let m = gone.subjects.iter().find(|s| s.subject == "数学").unwrap();
    assert_eq!((m.score, m.absent), (None, false));
    assert_eq!(
        store.list_exams(&Scope::District).await.unwrap()[0].students,
        60
    );

    // Recomputing from the stored marks themselves gives the same numbers.
    let schools_before = store
        .exam_unit_stats(&Scope::District, exam, ExamUnitFilter::Schools)
        .await
        .unwrap();
    store.recompute_exam(exam).await.unwrap();
    assert_eq!(
        store
            .exam_unit_stats(&Scope::District, exam, ExamUnitFilter::Schools)
            .await
            .unwrap(),
        schools_before
    );
    assert_eq!(
        store
            .exam_students(&Scope::District, exam, ids.schools[B], None)
            .await
            .unwrap(),
        rows
    );
}

/// 数学 as four items (25 points each, tagged) for every student of A and B; A 1班's last
/// student is absent.
fn item_batch(exam: ExamId) -> (ExamItemBatch, HashMap<String, Option<[f64; 4]>>) {
    let items = vec![
        ExamItem {
            item_no: "1".into(),
            max_points: 25.0,
            knowledge_points: vec!["数与代数".into()],
        },
        ExamItem {
            item_no: "2".into(),
            max_points: 25.0,
            knowledge_points: vec!["数与代数".into(), "方程".into()],
        },
        ExamItem {
            item_no: "3".into(),
            max_points: 25.0,
            knowledge_points: vec!["图形与几何".into()],
        },
        ExamItem {
            item_no: "4(1)".into(),
            max_points: 25.0,
            knowledge_points: vec![],
        },
    ];
    let mut rows = Vec::new();
    let mut points = HashMap::new();
    let mut row = 2;
    for (c, (s, class)) in CLASSES.iter().enumerate().take(4) {
        for i in 0..12 {
            let no = no(s, class, i);
            let absent = c == 0 && i == 11;
            let p = [
                (25 - i) as f64,
                ((i * 7 + c * 3) % 26) as f64,
                (20 - (i % 5) * 4) as f64 + 0.5,
                if i % 3 == 0 { 0.0 } else { 12.5 },
            ];
            rows.push(NewItemScoreRow {
                origin: o("小题分", row),
                student_no: StudentNo::parse(&no).unwrap(),
                absent,
                points: if absent {
                    vec![None; 4]
                } else {
                    // A blank counts as 0.
                    p.iter()
                        .map(|&x| if x == 0.0 { None } else { Some(x) })
                        .collect()
                },
            });
            points.insert(no, (!absent).then_some(p));
            row += 1;
        }
    }
    (
        ExamItemBatch {
            exam,
            subject: "数学".into(),
            items,
            rows,
        },
        points,
    )
}

story!(an_item_sheet_sets_the_subject_score_and_gives_the_item_analysis);
async fn an_item_sheet_sets_the_subject_score_and_gives_the_item_analysis(store: &dyn Store) {
    let ids = setup(store).await;
    let exam = store
        .create_exam(&new_exam(
            "期末",
            date!(2025 - 01 - 14),
            &[("语文", 120.0), ("数学", 100.0)],
            None,
        ))
        .await
        .unwrap();
    store
        .import_exam_scores(
            &score_batch(exam, &["语文", "数学"], &[chinese(), math()]),
            &meta("scores.xlsx"),
        )
        .await
        .unwrap();
    assert!(matches!(
        store.exam_items(&Scope::District, exam, "数学", None).await,
        Err(StoreError::NotFound)
    ));
    let (batch, points) = item_batch(exam);
    let s = store
        .import_exam_items(&batch, &meta("小题分.xlsx"))
        .await
        .unwrap();
    assert_eq!((s.students, s.absent, s.schools), (48, 1, 2));
    assert!(store.list_exams(&Scope::District).await.unwrap()[0].has_items);

    // The subject score is the sum of the points.
    let rows = store
        .exam_students(&Scope::District, exam, ids.schools[A], None)
        .await
        .unwrap();
    for r in &rows {
        let m = r.subjects.iter().find(|s| s.subject == "数学").unwrap();
        match points[&r.student_no] {
            Some(p) => assert_eq!(m.score, Some(p.iter().sum::<f64>()), "{}", r.student_no),
            None => assert!(m.absent),
        }
    }

    let report = store
        .exam_items(&Scope::District, exam, "数学", None)
        .await
        .unwrap();
    let sat: Vec<[f64; 4]> = points.values().filter_map(|p| *p).collect();
    let n = sat.len() as f64;
    assert_eq!((report.analysis.n, report.analysis.k), (47, 4));
    for j in 0..4 {
        let p = sat.iter().map(|s| s[j]).sum::<f64>() / n / 25.0;
        assert!(close(report.analysis.items[j].difficulty, p), "item {j}");
    }
    assert_eq!(report.analysis.items[3].item, "4(1)");
    assert_eq!(
        report.knowledge_points[1],
        vec!["数与代数".to_string(), "方程".into()]
    );
    // One heat-map row per class that sat (A's three and B's), each class's 得分率 per item.
    assert_eq!(report.classes.len(), 4);
    let class2 = ids.classes[&(A, "2班")];
    let (_, diff) = report
        .classes
        .iter()
        .find(|(u, _)| u.class_id == Some(class2))
        .unwrap();
    let c2: Vec<[f64; 4]> = (0..12).map(|i| points[&no(A, "2班", i)].unwrap()).collect();
    for j in 0..4 {
        let want = c2.iter().map(|s| s[j]).sum::<f64>() / (12.0 * 25.0);
        assert!(close(diff[j].unwrap(), want));
    }
    // Knowledge point 数与代数 (items 1 and 2) in A 2班.
    let group = format!("{}/{}", ids.schools[A], class2);
    let cell = report
        .mastery
        .iter()
        .find(|m| m.group == group && m.tag == "数与代数")
        .unwrap();
    let want = c2.iter().map(|s| s[0] + s[1]).sum::<f64>() / (12.0 * 50.0);
    assert!(close(cell.score_rate, want));

    // A school's view has its own classes; a teacher's only theirs.
    let b_report = store
        .exam_items(
            &Scope::School {
                school_id: ids.schools[B],
            },
            exam,
            "数学",
            None,
        )
        .await
        .unwrap();
    assert_eq!(b_report.classes.len(), 1);
    let teacher = Scope::Classes {
        school_id: ids.schools[A],
        class_ids: [ids.classes[&(A, "1班")]].into(),
    };
    let t_report = store
        .exam_items(&teacher, exam, "数学", None)
        .await
        .unwrap();
    assert_eq!(t_report.classes.len(), 1);
    assert!(
        t_report
            .mastery
            .iter()
            .all(|m| m.group.ends_with(&format!("/{}", ids.classes[&(A, "1班")])))
    );

    // Points above an item's maximum, or a sum above full marks, reject the sheet.
    let (mut bad, _) = item_batch(exam);
    bad.rows[0].points[0] = Some(26.0);
    let Err(StoreError::Rejected(errors)) = store.import_exam_items(&bad, &meta("bad.xlsx")).await
    else {
        panic!("26 points on a 25-point item must be refused");
    };
    assert_eq!((errors[0].row, errors[0].column.as_str()), (2, "1"));
    let (mut over, _) = item_batch(exam);
    over.items.push(ExamItem {
        item_no: "5".into(),
        max_points: 10.0,
        knowledge_points: vec![],
    });
    for r in &mut over.rows {
        r.points.push(None);
    }
    over.rows[0].points = vec![Some(25.0), Some(25.0), Some(25.0), Some(25.0), Some(10.0)];
    let Err(StoreError::Rejected(errors)) =
        store.import_exam_items(&over, &meta("over.xlsx")).await
    else {
        panic!("110 points on a 100-point paper must be refused");
    };
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].message_zh.contains("超过数学满分 100"),
        "{}",
        errors[0].message_zh
    );
    // Nothing changed.
    assert_eq!(
        store
            .exam_items(&Scope::District, exam, "数学", None)
            .await
            .unwrap(),
        report
    );

    // B imports a sheet of another paper structure (three items): the analysis is now B's
    // alone; A's students keep their 数学 scores but lose their item points.
    let (mut three, _) = item_batch(exam);
    three.items.truncate(3);
    three
        .rows
        .retain(|r| r.student_no.as_str().starts_with(&format!("G{B}")));
    for r in &mut three.rows {
        r.points.truncate(3);
    }
    store
        .import_exam_items(&three, &meta("B.xlsx"))
        .await
        .unwrap();
    let only_b = store
        .exam_items(&Scope::District, exam, "数学", None)
        .await
        .unwrap();
    assert_eq!((only_b.analysis.n, only_b.analysis.k), (12, 3));
    assert_eq!(only_b.classes.len(), 1);
    let rows = store
        .exam_students(&Scope::District, exam, ids.schools[A], None)
        .await
        .unwrap();
    let first = rows
        .iter()
        .find(|r| r.student_no == no(A, "1班", 0))
        .unwrap();
    let m = first.subjects.iter().find(|s| s.subject == "数学").unwrap();
    assert_eq!(
        m.score,
        Some(points[&no(A, "1班", 0)].unwrap().iter().sum::<f64>())
    );
}

story!(value_added_from_the_baseline_gives_every_school_an_interval);
async fn value_added_from_the_baseline_gives_every_school_an_interval(store: &dyn Store) {
    let ids = setup(store).await;
    let base = store
        .create_exam(&new_exam(
            "四年级期末",
            date!(2024 - 06 - 20),
            &[("语文", 120.0), ("数学", 100.0)],
            None,
        ))
        .await
        .unwrap();
    let exam = store
        .create_exam(&new_exam(
            "五年级期中",
            date!(2024 - 11 - 12),
            &[("语文", 120.0), ("数学", 100.0)],
            Some(base),
        ))
        .await
        .unwrap();
    // This term's 数学: the baseline plus a school effect (C +8, A 0, B −8) and a wobble, so
    // the raw mean residuals must order C > A > B.
    let prior = math();
    let mut now = math();
    for (c, (s, _)) in CLASSES.iter().enumerate() {
        let effect = match *s {
            "C001" => 8.0,
            "B001" => -8.0,
            _ => 0.0,
        };
        for i in 0..12 {
            if let S(x) = prior[c][i] {
                let wobble = [-2.0, 1.0, 0.5, -0.5, 2.0, -1.0][i % 6];
                now[c][i] = S((x * 0.9 + 5.0 + effect + wobble).clamp(0.0, 100.0));
            }
        }
    }
    // The exam first: its baseline has no marks yet, so there is nothing to match.
    store
        .import_exam_scores(&score_batch(exam, &["数学"], &[now]), &meta("now.xlsx"))
        .await
        .unwrap();
    let empty = store
        .exam_value_added(&Scope::District, exam, "数学", ExamUnitKind::School, None)
        .await
        .unwrap();
    assert_eq!((empty.n, empty.groups.len()), (0, 0));
    assert!(empty.message.is_some());
    // Importing the baseline recomputes the value-added of the exam measured from it.
    store
        .import_exam_scores(&score_batch(base, &["数学"], &[prior]), &meta("prior.xlsx"))
        .await
        .unwrap();
    let va = store
        .exam_value_added(&Scope::District, exam, "数学", ExamUnitKind::School, None)
        .await
        .unwrap();
    assert_eq!(
        (va.exam, va.baseline, va.level),
        (exam, base, ExamUnitKind::School)
    );
    assert!(va.model_label.contains("REML"));
    // Matched: everyone with a 数学 score in both (A 1班's 缺考 student in neither).
    assert_eq!(va.n, 59);
    assert_eq!(va.groups.len(), 3);
    assert_eq!(va.units.len(), 3);
    let mut est = HashMap::new();
    for (g, u) in va.groups.iter().zip(&va.units) {
        let code = [A, B, C]
            .into_iter()
            .find(|c| Some(ids.schools[c]) == u.school_id)
            .unwrap();
        assert_eq!(g.group, ids.schools[code].0.to_string());
        let matched = pooled(&prior, code)
            .iter()
            .filter(|m| m.score().is_some())
            .count();
        assert_eq!(g.n, matched, "{code}");
        let (lo, hi, mid) = (g.ci_low.unwrap(), g.ci_high.unwrap(), g.shrunken.unwrap());
        assert!(lo <= mid && mid <= hi, "{code}: {lo} {mid} {hi}");
        assert!(!g.suppressed);
        est.insert(code, g.estimate.unwrap());
    }
    assert!(est[C] > est[A] && est[A] > est[B], "{est:?}");
    assert!(va.coefficients.len() == 2 && va.sigma2.is_some() && va.tau2.is_some());

    // Classes of A: three groups; a school admin of B sees B only; 语文 was not sat in the
    // exam, and an exam without a baseline has no value-added.
    let classes = store
        .exam_value_added(
            &Scope::District,
            exam,
            "数学",
            ExamUnitKind::Class,
            Some(ids.schools[A]),
        )
        .await
        .unwrap();
    assert_eq!(classes.groups.len(), 3);
    assert!(
        classes
            .units
            .iter()
            .all(|u| u.school_id == Some(ids.schools[A]))
    );
    let own = store
        .exam_value_added(
            &Scope::School {
                school_id: ids.schools[B],
            },
            exam,
            "数学",
            ExamUnitKind::School,
            None,
        )
        .await
        .unwrap();
    assert_eq!(own.units.len(), 1);
    assert_eq!(own.units[0].school_id, Some(ids.schools[B]));
    assert!(matches!(
        store
            .exam_value_added(&Scope::District, base, "数学", ExamUnitKind::School, None)
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .exam_value_added(&Scope::District, exam, "英语", ExamUnitKind::School, None)
            .await,
        Err(StoreError::NotFound)
    ));

    // 10 matched students at least for a unit: with va_min_n = 13 every school of 12 (B, C)
    // and every class is suppressed after a recompute; A (35 matched) keeps its estimate.
    let settings = ExamSettings {
        va_min_n: 13,
        ..ExamSettings::default()
    };
    store
        .set_setting(
            ExamSettings::KEY,
            &serde_json::to_string(&settings).unwrap(),
        )
        .await
        .unwrap();
    store.recompute_exam(exam).await.unwrap();
    let va = store
        .exam_value_added(&Scope::District, exam, "数学", ExamUnitKind::School, None)
        .await
        .unwrap();
    for (g, u) in va.groups.iter().zip(&va.units) {
        let is_a = u.school_id == Some(ids.schools[A]);
        assert_eq!(g.suppressed, !is_a);
        assert_eq!(g.estimate.is_some(), is_a);
    }
}

story!(each_role_sees_what_its_scope_allows);
async fn each_role_sees_what_its_scope_allows(store: &dyn Store) {
    let ids = setup(store).await;
    let exam = store
        .create_exam(&new_exam(
            "期中",
            date!(2024 - 11 - 12),
            &[("语文", 120.0), ("数学", 100.0)],
            None,
        ))
        .await
        .unwrap();
    store
        .import_exam_scores(
            &score_batch(exam, &["语文", "数学"], &[chinese(), math()]),
            &meta("s.xlsx"),
        )
        .await
        .unwrap();
    let (a, b) = (ids.schools[A], ids.schools[B]);
    let c1 = ids.classes[&(A, "1班")];
    let c2 = ids.classes[&(A, "2班")];

    // A teacher of A 1班: the students of 1班 only, the school's aggregates for comparison.
    let teacher = Scope::Classes {
        school_id: a,
        class_ids: [c1].into(),
    };
    let mine = store.exam_students(&teacher, exam, a, None).await.unwrap();
    assert_eq!(mine.len(), 12);
    assert!(mine.iter().all(|r| r.class_id == c1));
    assert!(forbidden(
        store.exam_students(&teacher, exam, a, Some(c2)).await
    ));
    assert!(forbidden(
        store.exam_students(&teacher, exam, b, None).await
    ));
    assert_eq!(
        store
            .exam_unit_stats(&teacher, exam, ExamUnitFilter::Classes(a))
            .await
            .unwrap()
            .len(),
        3
    );
    assert!(forbidden(
        store
            .exam_unit_stats(&teacher, exam, ExamUnitFilter::Classes(b))
            .await
    ));
    let schools = store
        .exam_unit_stats(&teacher, exam, ExamUnitFilter::Schools)
        .await
        .unwrap();
    assert_eq!(schools.len(), 1);
    assert_eq!(schools[0].unit.school_id, Some(a));
    assert_eq!(
        store
            .exam_unit_stats(&teacher, exam, ExamUnitFilter::Overview)
            .await
            .unwrap()
            .len(),
        5
    );
    assert!(forbidden(store.parallel_alerts(&teacher, None, 2024).await));
    assert_eq!(store.list_exams(&teacher).await.unwrap().len(), 1);

    // A school admin of B: B's units, not A's classes or students; B's alerts.
    let admin_b = Scope::School { school_id: b };
    let schools = store
        .exam_unit_stats(&admin_b, exam, ExamUnitFilter::Schools)
        .await
        .unwrap();
    assert_eq!(schools.len(), 1);
    assert_eq!(schools[0].unit.school_id, Some(b));
    assert!(forbidden(
        store
            .exam_unit_stats(&admin_b, exam, ExamUnitFilter::Classes(a))
            .await
    ));
    assert!(forbidden(
        store.exam_students(&admin_b, exam, a, None).await
    ));
    assert_eq!(
        store
            .exam_students(&admin_b, exam, b, None)
            .await
            .unwrap()
            .len(),
        12
    );
    assert!(store.parallel_alerts(&admin_b, None, 2024).await.is_ok());
    assert!(forbidden(
        store.parallel_alerts(&admin_b, Some(a), 2024).await
    ));
    assert!(forbidden(
        store
            .exam_value_added(&admin_b, exam, "数学", ExamUnitKind::Class, Some(a))
            .await
    ));

    // A parent: their child's marks without ranks, nothing else.
    let child = ids.students[&no(A, "1班", 0)];
    let parent = Scope::Parent {
        school_id: a,
        student_ids: [child].into(),
    };
    let history = store.student_exams(&parent, a, child).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].exam.id, exam);
    let m = history[0]
        .marks
        .iter()
        .find(|m| m.subject == "数学")
        .unwrap();
    assert_eq!(m.score, Some(95.0));
    assert!(
        history[0]
            .marks
            .iter()
            .all(|m| m.district_rank.is_none() && m.percentile.is_none())
    );
    let other = ids.students[&no(A, "1班", 1)];
    assert!(forbidden(store.student_exams(&parent, a, other).await));
    assert!(forbidden(
        store.exam_students(&parent, exam, a, Some(c1)).await
    ));
    assert!(forbidden(
        store
            .exam_unit_stats(&parent, exam, ExamUnitFilter::Overview)
            .await
    ));
    assert!(forbidden(store.list_exams(&parent).await));
    assert!(forbidden(store.parallel_alerts(&parent, None, 2024).await));
    // The district sees the same child with ranks.
    let full = store
        .student_exams(&Scope::District, a, child)
        .await
        .unwrap();
    let m = full[0].marks.iter().find(|m| m.subject == "数学").unwrap();
    assert!(m.district_rank.is_some());
    // A teacher sees a student of their class, not one of another class.
    assert_eq!(
        store.student_exams(&teacher, a, child).await.unwrap().len(),
        1
    );
    let in_c2 = ids.students[&no(A, "2班", 0)];
    assert!(forbidden(store.student_exams(&teacher, a, in_c2).await));

    // A counsellor: nothing.
    let counsellor = Scope::Counsellor { school_id: a };
    assert!(forbidden(store.list_exams(&counsellor).await));
    assert!(forbidden(store.exam(&counsellor, exam).await));
    assert!(forbidden(
        store
            .exam_unit_stats(&counsellor, exam, ExamUnitFilter::Schools)
            .await
    ));
    assert!(forbidden(
        store.exam_students(&counsellor, exam, a, None).await
    ));
    assert!(forbidden(store.student_exams(&counsellor, a, child).await));
    assert!(forbidden(
        store.exam_items(&counsellor, exam, "数学", None).await
    ));
    assert!(forbidden(
        store
            .exam_value_added(&counsellor, exam, "数学", ExamUnitKind::School, None)
            .await
    ));
    assert!(forbidden(
        store.parallel_alerts(&counsellor, None, 2024).await
    ));

    // A school that did not sit the exam does not see it.
    let other_exam = store
        .create_exam(&new_exam(
            "A校月考",
            date!(2024 - 10 - 08),
            &[("数学", 100.0)],
            None,
        ))
        .await
        .unwrap();
    let mut sheet = score_batch(other_exam, &["数学"], &[math()]);
    sheet
        .rows
        .retain(|r| r.student_no.as_str().starts_with(&format!("G{A}")));
    store
        .import_exam_scores(&sheet, &meta("a.xlsx"))
        .await
        .unwrap();
    assert!(forbidden(store.exam(&admin_b, other_exam).await));
    assert!(forbidden(
        store
            .exam_unit_stats(&admin_b, other_exam, ExamUnitFilter::Overview)
            .await
    ));
    assert_eq!(store.list_exams(&admin_b).await.unwrap().len(), 1);
    assert_eq!(store.list_exams(&Scope::District).await.unwrap().len(), 2);
    assert_eq!(
        store
            .list_exams(&Scope::School { school_id: a })
            .await
            .unwrap()
            .len(),
        2
    );
    assert!(matches!(
        store.exam(&Scope::District, ExamId(999)).await,
        Err(StoreError::NotFound)
    ));
}

story!(the_parallel_class_rule_flags_a_teacher_below_the_parallel_average);
async fn the_parallel_class_rule_flags_a_teacher_below_the_parallel_average(store: &dyn Store) {
    let ids = setup(store).await;
    let a = ids.schools[A];
    // Eight 区级 数学 exams over 2022–2024. In each, 2班 (周老师) sits exactly at the average
    // of the three classes; 1班 (刘老师) is 3 points below it in five exams and 3 above in the
    // other three, with 3班 (吴老师) mirroring 1班.
    let below = [true, true, false, true, false, true, true, false];
    for (k, &is_below) in below.iter().enumerate() {
        let year = 2022 + (k as i32) / 3;
        let date = Date::from_calendar_date(year, time::Month::December, 1 + k as u8).unwrap();
        let mut e = new_exam(
            &format!("第{}次统考", k + 1),
            date,
            &[("数学", 100.0)],
            None,
        );
        e.term = Term::new(year as u16, TermPart::Autumn).unwrap();
        let exam = store.create_exam(&e).await.unwrap();
        let d = if is_below { -3.0 } else { 3.0 };
        let base = |i: usize| 60.0 + i as f64 * 2.0;
        let mut table = math();
        table[0] = std::array::from_fn(|i| S(base(i) + d));
        table[1] = std::array::from_fn(|i| S(base(i)));
        table[2] = std::array::from_fn(|i| S(base(i) - d));
        let mut sheet = score_batch(exam, &["数学"], &[table]);
        sheet
            .rows
            .retain(|r| r.student_no.as_str().starts_with(&format!("G{A}")));
        store
            .import_exam_scores(&sheet, &meta("统考.xlsx"))
            .await
            .unwrap();
    }
    // A 校级 exam marked by each teacher does not count (统一阅卷 is required).
    let mut e = new_exam("校内小测", date!(2024 - 12 - 20), &[("数学", 100.0)], None);
    e.level = ExamLevel::School;
    let quiz = store.create_exam(&e).await.unwrap();
    let mut sheet = score_batch(quiz, &["数学"], &[math()]);
    sheet
        .rows
        .retain(|r| r.student_no.as_str().starts_with(&format!("G{A}")));
    store
        .import_exam_scores(&sheet, &meta("小测.xlsx"))
        .await
        .unwrap();

    let alerts = store
        .parallel_alerts(&Scope::District, Some(a), 2024)
        .await
        .unwrap();
    let by: HashMap<&str, _> = alerts
        .iter()
        .map(|t| (t.teacher_name.as_str(), t))
        .collect();
    assert_eq!(alerts.len(), 3, "{:?}", by.keys().collect::<Vec<_>>());
    assert!(
        alerts
            .iter()
            .all(|t| t.subject == "数学" && t.school_id == a)
    );

    let liu = &by["刘老师"].alert;
    assert_eq!(liu.status, AlertStatus::Flagged);
    assert_eq!((liu.weighted_events, liu.weighted_below), (8.0, 5.0));
    assert_eq!(liu.events.len(), 9);
    let quiz_event = liu.events.iter().find(|e| !e.eligible).unwrap();
    assert!(quiz_event.exam.starts_with("校内小测"));
    for ev in liu.events.iter().filter(|e| e.eligible) {
        assert_eq!((ev.n, ev.parallel_classes), (12, 3));
        let want = ev.parallel_average.unwrap() + if ev.below == Some(true) { -3.0 } else { 3.0 };
        assert!(close(ev.class_mean, want), "{ev:?}");
    }
    // At exactly the average every time: never below, not flagged.
    let zhou = &by["周老师"].alert;
    assert_eq!(zhou.status, AlertStatus::NotFlagged);
    assert_eq!(zhou.weighted_below, 0.0);
    assert!(
        zhou.events
            .iter()
            .filter(|e| e.eligible)
            .all(|e| e.difference == Some(0.0))
    );
    // Below in 3 of 8: not flagged.
    let wu = &by["吴老师"].alert;
    assert_eq!(
        (wu.status, wu.weighted_below),
        (AlertStatus::NotFlagged, 3.0)
    );

    // The school's admin sees the same; the cycle ending in 2022 has too few events.
    let admin = Scope::School { school_id: a };
    assert_eq!(
        store
            .parallel_alerts(&admin, None, 2024)
            .await
            .unwrap()
            .len(),
        3
    );
    let earlier = store.parallel_alerts(&admin, None, 2022).await.unwrap();
    let liu = earlier.iter().find(|t| t.teacher_name == "刘老师").unwrap();
    assert_eq!(liu.alert.status, AlertStatus::InsufficientEvents);
    // District-wide: B has no parallel classes and no exams here.
    let everyone = store
        .parallel_alerts(&Scope::District, None, 2024)
        .await
        .unwrap();
    assert_eq!(everyone.len(), 3);
}

// --- versioned statistics ---------------------------------------------------------------------

/// Statistics stored by an older version (here: an old payload shape and version 0) are
/// recomputed on read and give the same numbers; a newer version is refused with a clear error.
async fn statistics_of_an_older_version_are_recomputed_on_read(db: &TempDb) {
    let store = db.store.as_ref();
    setup(store).await;
    let exam = store
        .create_exam(&new_exam(
            "五年级期中质量检测",
            date!(2024 - 11 - 12),
            &[("语文", 120.0), ("数学", 100.0)],
            None,
        ))
        .await
        .unwrap();
    store
        .import_exam_scores(
            &score_batch(exam, &["语文", "数学"], &[chinese(), math()]),
            &meta("期中成绩.xlsx"),
        )
        .await
        .unwrap();
    let read = |filter| store.exam_unit_stats(&Scope::District, exam, filter);
    let overview = read(ExamUnitFilter::Overview).await.unwrap();
    let schools = read(ExamUnitFilter::Schools).await.unwrap();

    let old = r#"{"stat_shape": "old"}"#;
    let run = |sql: &'static str| {
        let url = db.url.clone();
        async move {
            if url.starts_with("sqlite:") {
                let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
                sqlx::query(sql)
                    .bind(exam.0)
                    .bind(old)
                    .execute(&pool)
                    .await
                    .unwrap();
                pool.close().await;
            } else {
                let pool = sqlx::PgPool::connect(&url).await.unwrap();
                sqlx::query(sql)
                    .bind(exam.0)
                    .bind(old)
                    .execute(&pool)
                    .await
                    .unwrap();
                pool.close().await;
            }
        }
    };
    run("UPDATE exam_stat SET payload = $2 WHERE exam_id = $1 AND kind IN ('unit', 'standing')")
        .await;
    run(
        "UPDATE exam_school_stat SET payload = $2 WHERE exam_id = $1 \
         AND kind IN ('school', 'class')",
    )
    .await;
    // The payloads are unreadable at the current version: that is corruption.
    assert!(matches!(
        read(ExamUnitFilter::Overview).await,
        Err(StoreError::Corrupt(_))
    ));
    // Marked as written by an older version, they are recomputed, never reported as corrupt.
    run("UPDATE exam SET stat_version = 0 WHERE id = $1 AND $2 <> ''").await;
    assert_eq!(read(ExamUnitFilter::Overview).await.unwrap(), overview);
    assert_eq!(read(ExamUnitFilter::Schools).await.unwrap(), schools);
    let a = schools[0].unit.school_id.unwrap();
    let students = store
        .exam_students(&Scope::District, exam, a, None)
        .await
        .unwrap();
    assert_eq!(students.len(), 36);

    run("UPDATE exam SET stat_version = 99 WHERE id = $1 AND $2 <> ''").await;
    let newer = read(ExamUnitFilter::Overview).await.unwrap_err();
    assert!(
        matches!(newer, StoreError::NewerStatistics { found: 99, .. }),
        "{newer}"
    );
}

mod statistics_of_an_older_version {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        let db = super::sqlite().await;
        super::statistics_of_an_older_version_are_recomputed_on_read(&db).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        if let Some(db) = super::postgres().await {
            super::statistics_of_an_older_version_are_recomputed_on_read(&db).await;
        }
    }
}
