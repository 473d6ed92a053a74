//! Timings of the exam store on a 200,000-student exam (ignored by default; release build):
//!
//! ```sh
//! cargo test --release -p wuyu-store --test exam_speed -- --ignored --nocapture
//! ```
//!
//! A roster of 100 schools × 50 classes × 40 grade-9 students, two exams of six subjects (a
//! baseline, then an exam measured from it), 数学 item sheets of 40 items for half of the
//! students; then the reads of the district exam overview. Runs on SQLite, and on PostgreSQL
//! when `WUYU_TEST_PG_URL` is set.
use std::time::{Duration, Instant};

use time::macros::date;
use wuyu_domain::roster::{NewAssignment, NewClass, NewSchool, NewStudent, NewTeacher};
use wuyu_domain::{
    ExamId, ExamItem, ExamItemBatch, ExamLevel, ExamScoreBatch, ExamSubject, Grade, Location,
    NewExam, NewExamScoreRow, NewItemScoreRow, PersonName, RosterBatch, Scope, Sex, Stage,
    StudentNo, SubjectMark, Term, TermPart,
};
use wuyu_store::{ExamUnitFilter, ExamUnitKind, Store};

mod common;
use common::*;

const SCHOOLS: usize = 100;
const CLASSES: usize = 50;
const PER_CLASS: usize = 40;
const SUBJECTS: [(&str, f64); 6] = [
    ("语文", 150.0),
    ("数学", 150.0),
    ("英语", 150.0),
    ("物理", 100.0),
    ("化学", 100.0),
    ("道德与法治", 100.0),
];

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Roughly standard normal (Irwin–Hall of 4).
    fn normal(&mut self) -> f64 {
        ((0..4).map(|_| self.next()).sum::<f64>() - 2.0) * 3f64.sqrt()
    }
}

fn student_no(s: usize, c: usize, i: usize) -> String {
    format!("G9{s:03}{c:02}{i:02}")
}

fn roster() -> RosterBatch {
    let mut b = RosterBatch::default();
    let grade = Grade::new(9).unwrap();
    for s in 0..SCHOOLS {
        let sc = code(&format!("S{s:03}"));
        b.schools.push(NewSchool {
            origin: o("学校", s as u32 + 2),
            code: sc.clone(),
            name: format!("第{s}中学"),
            stage: if s % 4 == 0 {
                Stage::NineYear
            } else {
                Stage::Junior
            },
            location: if s % 3 == 0 {
                Location::Rural
            } else {
                Location::Urban
            },
            school_group: None,
        });
        for c in 0..CLASSES {
            let class = format!("{}班", c + 1);
            b.classes.push(NewClass {
                origin: o("班级", 2),
                school_code: sc.clone(),
                grade,
                name: class.clone(),
                class_type: None,
            });
            for i in 0..PER_CLASS {
                b.students.push(NewStudent {
                    origin: o("学生", 2),
                    school_code: sc.clone(),
                    grade,
                    class_name: class.clone(),
                    student_no: StudentNo::parse(&student_no(s, c, i)).unwrap(),
                    name: PersonName::parse("学生").unwrap(),
                    sex: if i % 2 == 0 { Sex::Male } else { Sex::Female },
                    birth_date: date!(2010 - 05 - 01),
                    id_card_no: None,
                    ethnicity: None,
                    former_names: None,
                    status: None,
                    flags: None,
                });
            }
            // One teacher per class and subject pair of classes.
            for (k, (subject, _)) in SUBJECTS.iter().enumerate() {
                let staff = format!("T{k}{:02}", c / 2);
                if c % 2 == 0 {
                    b.teachers.push(NewTeacher {
                        origin: o("教师", 2),
                        school_code: sc.clone(),
                        staff_no: staff.clone(),
                        name: PersonName::parse(&format!("教师{k}{c}")).unwrap(),
                        sex: None,
                        subject: None,
                        employment: None,
                        birth_year: None,
                    });
                }
                b.assignments.push(NewAssignment {
                    origin: o("任课", 2),
                    school_code: sc.clone(),
                    staff_no: staff,
                    grade,
                    class_name: class.clone(),
                    subject: (*subject).into(),
                    share: 1.0,
                });
            }
        }
    }
    b
}

fn exam_def(name: &str, date: time::Date, baseline: Option<ExamId>) -> NewExam {
    NewExam {
        name: name.into(),
        date,
        term: Term::new(2024, TermPart::Autumn).unwrap(),
        level: ExamLevel::District,
        grade: Grade::new(9).unwrap(),
        subjects: SUBJECTS
            .iter()
            .map(|(n, f)| ExamSubject {
                name: (*n).into(),
                full_marks: *f,
            })
            .collect(),
        baseline,
    }
}

/// Scores from a latent ability with a school effect; about 1 % 缺考.
fn scores(exam: ExamId, seed: u64, drift: f64) -> ExamScoreBatch {
    let mut rng = Rng(seed);
    let mut rows = Vec::with_capacity(SCHOOLS * CLASSES * PER_CLASS);
    for s in 0..SCHOOLS {
        let school = ((s * 37) % 11) as f64 / 10.0 - 0.5;
        for c in 0..CLASSES {
            for i in 0..PER_CLASS {
                let mut ability = Rng(((s * CLASSES + c) * PER_CLASS + i) as u64 + 17).normal();
                ability += school * (1.0 + drift);
                let marks = SUBJECTS
                    .iter()
                    .map(|(_, full)| {
                        if rng.next() < 0.01 {
                            return Some(SubjectMark::Absent);
                        }
                        let z = 0.8 * ability + 0.6 * rng.normal();
                        let x = (full * (0.65 + 0.15 * z)).clamp(0.0, *full);
                        Some(SubjectMark::Score((x * 2.0).round() / 2.0))
                    })
                    .collect();
                rows.push(NewExamScoreRow {
                    origin: o("成绩", rows.len() as u32 + 2),
                    student_no: StudentNo::parse(&student_no(s, c, i)).unwrap(),
                    marks,
                });
            }
        }
    }
    ExamScoreBatch {
        exam,
        subjects: SUBJECTS.iter().map(|s| s.0.to_string()).collect(),
        rows,
    }
}

/// 数学 in 40 items (30 × 3 + 10 × 6 = 150 points) for the students of the first half of
/// the schools.
fn items(exam: ExamId) -> ExamItemBatch {
    let mut rng = Rng(99);
    let items: Vec<ExamItem> = (0..40)
        .map(|j| ExamItem {
            item_no: (j + 1).to_string(),
            max_points: if j < 30 { 3.0 } else { 6.0 },
            knowledge_points: vec![format!("知识点{}", j % 8)],
        })
        .collect();
    let mut rows = Vec::new();
    for s in 0..SCHOOLS / 2 {
        for c in 0..CLASSES {
            for i in 0..PER_CLASS {
                let ability = Rng(((s * CLASSES + c) * PER_CLASS + i) as u64 + 17).normal();
                let absent = rng.next() < 0.01;
                let points = items
                    .iter()
                    .enumerate()
                    .map(|(j, it)| {
                        if absent {
                            return None;
                        }
                        let p = 1.0 / (1.0 + (-(ability - (j as f64 - 20.0) / 15.0)).exp());
                        let steps = it.max_points;
                        Some((steps * p + 0.4 * rng.normal()).round().clamp(0.0, steps))
                    })
                    .collect();
                rows.push(NewItemScoreRow {
                    origin: o("小题分", rows.len() as u32 + 2),
                    student_no: StudentNo::parse(&student_no(s, c, i)).unwrap(),
                    absent,
                    points,
                });
            }
        }
    }
    ExamItemBatch {
        exam,
        subject: "数学".into(),
        items,
        rows,
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

async fn timed<T, F: std::future::Future<Output = T>>(what: &str, f: F) -> T {
    let t = Instant::now();
    let out = f.await;
    println!("  {what}: {}", ms(t.elapsed()));
    out
}

async fn bench(store: &dyn Store) {
    println!("== {} ==", store.backend());
    let t = Instant::now();
    store
        .import_roster(&roster(), &meta("roster"))
        .await
        .unwrap();
    println!(
        "  (setup) roster of {} students: {}",
        SCHOOLS * CLASSES * PER_CLASS,
        ms(t.elapsed())
    );
    let base = store
        .create_exam(&exam_def("八年级期末", date!(2024 - 06 - 28), None))
        .await
        .unwrap();
    let exam = store
        .create_exam(&exam_def("九年级期中", date!(2024 - 11 - 12), Some(base)))
        .await
        .unwrap();
    let base_sheet = scores(base, 1, 0.0);
    let sheet = scores(exam, 2, 0.3);
    let marks = sheet.rows.len() * SUBJECTS.len();
    timed(
        &format!(
            "import baseline {} students × 6 subjects + statistics",
            sheet.rows.len()
        ),
        store.import_exam_scores(&base_sheet, &meta("base")),
    )
    .await
    .unwrap();
    timed(
        &format!("import exam ({marks} marks) + statistics + value-added"),
        store.import_exam_scores(&sheet, &meta("exam")),
    )
    .await
    .unwrap();
    // One school's sheet again: every other mark is reloaded and every statistic recomputed.
    let mut one = scores(exam, 3, 0.3);
    one.rows.truncate(CLASSES * PER_CLASS);
    timed(
        "re-import one school (2,000 students) into the full exam",
        store.import_exam_scores(&one, &meta("one")),
    )
    .await
    .unwrap();
    timed(
        "recompute_exam (load every mark, statistics, value-added)",
        store.recompute_exam(exam),
    )
    .await
    .unwrap();
    let item_sheet = items(exam);
    timed(
        &format!(
            "import 数学 items: {} students × 40 items + statistics",
            item_sheet.rows.len()
        ),
        store.import_exam_items(&item_sheet, &meta("items")),
    )
    .await
    .unwrap();

    // Reads of the district overview page, median of 11.
    let runs = 11;
    let mut over = Vec::new();
    let mut schools = Vec::new();
    let mut va = Vec::new();
    let mut classes = Vec::new();
    let mut item_reads = Vec::new();
    let school = store.list_schools(&Scope::District).await.unwrap()[0]
        .school
        .id;
    for _ in 0..runs {
        let t = Instant::now();
        let o = store
            .exam_unit_stats(&Scope::District, exam, ExamUnitFilter::Overview)
            .await
            .unwrap();
        over.push(t.elapsed());
        assert!(!o.is_empty());
        let t = Instant::now();
        let s = store
            .exam_unit_stats(&Scope::District, exam, ExamUnitFilter::Schools)
            .await
            .unwrap();
        schools.push(t.elapsed());
        assert_eq!(s.len(), SCHOOLS);
        let t = Instant::now();
        let v = store
            .exam_value_added(&Scope::District, exam, "数学", ExamUnitKind::School, None)
            .await
            .unwrap();
        va.push(t.elapsed());
        assert_eq!(v.groups.len(), SCHOOLS);
        let t = Instant::now();
        let c = store
            .exam_unit_stats(&Scope::District, exam, ExamUnitFilter::Classes(school))
            .await
            .unwrap();
        classes.push(t.elapsed());
        assert_eq!(c.len(), CLASSES);
        let t = Instant::now();
        let r = store
            .exam_items(&Scope::School { school_id: school }, exam, "数学", None)
            .await
            .unwrap();
        item_reads.push(t.elapsed());
        assert_eq!(r.analysis.k, 40);
    }
    println!(
        "  read exam_unit_stats Overview, median of {runs}: {}",
        ms(median(over))
    );
    println!(
        "  read exam_unit_stats Schools (100), median of {runs}: {}",
        ms(median(schools))
    );
    println!(
        "  read exam_value_added School 数学, median of {runs}: {}",
        ms(median(va))
    );
    println!(
        "  read exam_unit_stats Classes (50), median of {runs}: {}",
        ms(median(classes))
    );
    println!(
        "  read exam_items 数学 of one school, median of {runs}: {}",
        ms(median(item_reads))
    );
    let t = Instant::now();
    let rows = store
        .exam_students(&Scope::District, exam, school, None)
        .await
        .unwrap();
    println!(
        "  read exam_students of one school ({} students): {}",
        rows.len(),
        ms(t.elapsed())
    );
}

/// Prints the store's own phase timings (its `tracing` events) without a subscriber crate.
struct PrintEvents;

impl tracing::Subscriber for PrintEvents {
    fn enabled(&self, m: &tracing::Metadata<'_>) -> bool {
        m.target().starts_with("wuyu_store") && *m.level() <= tracing::Level::INFO
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, e: &tracing::Event<'_>) {
        struct Fields(String);
        impl tracing::field::Visit for Fields {
            fn record_debug(&mut self, f: &tracing::field::Field, v: &dyn std::fmt::Debug) {
                if f.name() == "message" {
                    self.0 = format!("{v:?}{}", self.0);
                } else {
                    self.0.push_str(&format!(" {}={v:?}", f.name()));
                }
            }
        }
        let mut f = Fields(String::new());
        e.record(&mut f);
        println!("      [{}]", f.0);
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "timing run: cargo test --release -p wuyu-store --test exam_speed -- --ignored --nocapture"]
async fn exam_of_200000_students() {
    let _ = tracing::subscriber::set_global_default(PrintEvents);
    let db = sqlite().await;
    bench(db.store.as_ref()).await;
    drop(db);
    if let Some(db) = postgres().await {
        bench(db.store.as_ref()).await;
    }
}
