//! How long the exam pages take on a 200,000-student exam (ignored by default; release build):
//!
//! ```sh
//! cargo test --release -p wuyu-web --test it exam_speed -- --ignored --nocapture
//! ```
//!
//! 100 schools × 50 grade-9 classes × 40 students sit a baseline and an exam of six subjects
//! measured from it (≈ 1 % 缺考); then the district overview, a subject, one school's class
//! comparison, a class's student list and the units API are requested through the router as
//! the district analyst, and the school admin, each five times after one warm-up.
use std::sync::Arc;
use std::time::{Duration, Instant};

use time::macros::date;
use wuyu_domain::roster::{NewClass, NewSchool, NewStudent};
use wuyu_domain::{
    ExamId, ExamLevel, ExamScoreBatch, ExamSubject, Grade, Location, NewExam, NewExamScoreRow,
    Origin, PersonName, Role, RosterBatch, SchoolCode, SchoolId, Scope, Sex, Stage, StudentNo,
    SubjectMark, Term, TermPart,
};
use wuyu_store::{ImportMeta, NewUser, SqliteStore, Store};
use wuyu_web::{WebSettings, password, router};

use crate::support::{PASSWORD, TempDir, TestApp, get};

const SCHOOLS: usize = 100;
const CLASSES: usize = 50;
const PER_CLASS: usize = 40;
const SUBJECTS: [(&str, f64); 6] = [
    ("语文", 120.0),
    ("数学", 120.0),
    ("英语", 120.0),
    ("物理", 100.0),
    ("化学", 100.0),
    ("历史", 100.0),
];

/// A small deterministic generator (SplitMix64).
struct Mix(u64);

impl Mix {
    fn unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }

    /// About standard normal: a sum of three uniforms, rescaled.
    fn normal(&mut self) -> f64 {
        (self.unit() + self.unit() + self.unit() - 1.5) * 2.0
    }
}

fn no(s: usize, c: usize, i: usize) -> String {
    format!("J{s:03}{c:02}{i:02}")
}

fn roster() -> RosterBatch {
    let origin = Origin::default();
    let grade = Grade::new(9).unwrap();
    let mut b = RosterBatch::default();
    for s in 0..SCHOOLS {
        let code = SchoolCode::parse(&format!("K{s:03}")).unwrap();
        b.schools.push(NewSchool {
            origin: origin.clone(),
            code: code.clone(),
            name: format!("测速{s}中学"),
            stage: if s % 5 == 0 {
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
            b.classes.push(NewClass {
                origin: origin.clone(),
                school_code: code.clone(),
                grade,
                name: format!("{}班", c + 1),
                class_type: None,
            });
            for i in 0..PER_CLASS {
                b.students.push(NewStudent {
                    origin: origin.clone(),
                    school_code: code.clone(),
                    grade,
                    class_name: format!("{}班", c + 1),
                    student_no: StudentNo::parse(&no(s, c, i)).unwrap(),
                    name: PersonName::parse(&format!("学生{i}")).unwrap(),
                    sex: if i % 2 == 0 { Sex::Male } else { Sex::Female },
                    birth_date: date!(2010 - 03 - 01),
                    id_card_no: None,
                    ethnicity: None,
                    former_names: None,
                    status: None,
                    flags: None,
                });
            }
        }
    }
    b
}

fn marks(exam: ExamId, later: bool) -> ExamScoreBatch {
    let mut noise = Mix(if later { 7 } else { 3 });
    let mut rows = Vec::with_capacity(SCHOOLS * CLASSES * PER_CLASS);
    for s in 0..SCHOOLS {
        let school = (s % 9) as f64 / 8.0 - 0.5 + if later { (s % 4) as f64 * 0.1 } else { 0.0 };
        for c in 0..CLASSES {
            for i in 0..PER_CLASS {
                let ability = Mix(((s * CLASSES + c) * PER_CLASS + i) as u64).normal() + school;
                let m = SUBJECTS
                    .iter()
                    .map(|(_, full)| {
                        if noise.unit() < 0.01 {
                            return Some(SubjectMark::Absent);
                        }
                        let x = full * (0.65 + 0.12 * (0.8 * ability + 0.6 * noise.normal()));
                        Some(SubjectMark::Score(
                            (x.clamp(0.0, *full) * 2.0).round() / 2.0,
                        ))
                    })
                    .collect();
                rows.push(NewExamScoreRow {
                    origin: Origin::default(),
                    student_no: StudentNo::parse(&no(s, c, i)).unwrap(),
                    marks: m,
                });
            }
        }
    }
    ExamScoreBatch {
        exam,
        subjects: SUBJECTS.iter().map(|(n, _)| n.to_string()).collect(),
        rows,
    }
}

fn exam(name: &str, baseline: Option<ExamId>) -> NewExam {
    NewExam {
        name: name.into(),
        date: if baseline.is_some() {
            date!(2025 - 06 - 16)
        } else {
            date!(2024 - 09 - 05)
        },
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

fn meta(f: &str) -> ImportMeta {
    ImportMeta {
        username: "speed".into(),
        file_name: f.into(),
        file_sha256: "5".repeat(64),
        at: 0,
    }
}

async fn time_page(app: &TestApp, cookie: &str, path: &str) -> (Duration, usize) {
    let warm = app.send(get(path).cookie(cookie).build()).await;
    assert_eq!(warm.status(), 200, "{path}");
    let mut times = Vec::new();
    let mut size = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let resp = app.send(get(path).cookie(cookie).build()).await;
        size = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap()
            .len();
        times.push(t.elapsed());
    }
    times.sort();
    (times[2], size)
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "timing on 200,000 students; run in release with --ignored --nocapture"]
async fn exam_pages_on_a_200000_student_exam() {
    let dir = TempDir::new();
    let store = SqliteStore::open(dir.path().join("speed.db").to_str().unwrap())
        .await
        .unwrap();
    let store: Arc<dyn Store> = Arc::new(store);
    store.migrate().await.unwrap();
    let t = Instant::now();
    store
        .import_roster(&roster(), &meta("roster"))
        .await
        .unwrap();
    println!(
        "roster of {} students: {:.1?}",
        SCHOOLS * CLASSES * PER_CLASS,
        t.elapsed()
    );
    let base = store.create_exam(&exam("九年级入学", None)).await.unwrap();
    let now = store
        .create_exam(&exam("九年级模拟", Some(base)))
        .await
        .unwrap();
    for (id, later) in [(base, false), (now, true)] {
        let t = Instant::now();
        store
            .import_exam_scores(&marks(id, later), &meta("marks"))
            .await
            .unwrap();
        println!("exam {id} import with statistics: {:.1?}", t.elapsed());
    }
    let school = store.list_schools(&Scope::District).await.unwrap()[0]
        .school
        .id;
    let class = store.list_classes(&Scope::District, school).await.unwrap()[0]
        .class
        .id;
    let hash = password::hash_password(PASSWORD);
    for (username, role, school_id) in [
        ("analyst", Role::DistrictAnalyst, None),
        ("school-a", Role::SchoolAdmin, Some(school)),
    ] {
        store
            .create_user(&NewUser {
                username: username.into(),
                display_name: username.into(),
                role,
                password_hash: hash.clone(),
                school_id,
                teacher_id: None,
                student_id: None,
            })
            .await
            .unwrap();
    }
    let app = TestApp::bare(
        router(Arc::clone(&store), WebSettings::default()),
        store,
        dir,
    );
    let analyst = app.login("analyst").await;
    let admin = app.login("school-a").await;
    let SchoolId(s) = school;
    for (who, cookie, path) in [
        ("analyst", &analyst.cookie, format!("/exams/{now}")),
        (
            "analyst",
            &analyst.cookie,
            format!("/exams/{now}?subject=%E6%95%B0%E5%AD%A6"),
        ),
        (
            "analyst",
            &analyst.cookie,
            format!("/api/v1/exams/{now}/units?filter=schools"),
        ),
        (
            "analyst",
            &analyst.cookie,
            format!("/exams/{now}?school={s}"),
        ),
        ("school-a", &admin.cookie, format!("/exams/{now}")),
        (
            "school-a",
            &admin.cookie,
            format!("/exams/{now}/schools/{s}/classes/{class}"),
        ),
        (
            "analyst",
            &analyst.cookie,
            format!("/exams/{now}/export.xlsx"),
        ),
    ] {
        let (median, size) = time_page(&app, cookie, &path).await;
        println!(
            "{who:>9} GET {path}: median {median:.1?} ({} kB)",
            size / 1024
        );
    }
}
