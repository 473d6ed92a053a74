//! The staff indicator source on both backends: 骨干以上教师/百名学生, 666 person-times by
//! level up to the end of the school year, and 名优教师 given in the plan year, by school and
//! for the district, through the one indicator registry the plan uses.
use std::sync::Arc;

use wuyu_domain::{SchoolId, Scope};
use wuyu_monitor::indicator::{IndicatorKey, Period, UnitRef, staff_keys as k};
use wuyu_service::Service;
use wuyu_service::indicators::value;
use wuyu_store::staff::{NewTitle, NewTraining, TitleKind, TitleLevel, TrainingLevel};
use wuyu_store::{AuditEntry, Store};

fn audit() -> AuditEntry {
    AuditEntry {
        at: 1,
        user_id: None,
        username: "test".into(),
        action: "import_titles".into(),
        school_id: None,
        entity: String::new(),
        detail: String::new(),
        ip: String::new(),
    }
}

async fn story(store: Arc<dyn Store>) {
    let svc = Service::new(Arc::clone(&store));
    let ids = wuyu_testkit::district::load(store.as_ref()).await;
    let (a, b) = (SchoolId(ids.school_a), SchoolId(ids.school_b));
    let t = |s, no: &'static str| {
        let store = Arc::clone(&store);
        async move { store.teacher_by_staff_no(s, no).await.unwrap().unwrap() }
    };
    let (t01, t02, t11) = (t(a, "T01").await, t(a, "T02").await, t(b, "T11").await);
    let title = |teacher, title, level, year| NewTitle {
        teacher_id: teacher,
        title,
        level,
        year,
    };
    store
        .import_titles(
            a,
            &[
                title(t01, TitleKind::KeyTeacher, TitleLevel::District, 2025),
                title(t02, TitleKind::MasterTeacher, TitleLevel::Province, 2023),
            ],
            &audit(),
        )
        .await
        .unwrap();
    store
        .import_titles(
            b,
            &[title(t11, TitleKind::SubjectLeader, TitleLevel::City, 2025)],
            &audit(),
        )
        .await
        .unwrap();
    let course = |teacher, on: &str, level| NewTraining {
        teacher_id: teacher,
        course: "新课标".into(),
        taken_on: on.into(),
        hours: 8.0,
        level,
        provider: "区教师发展中心".into(),
    };
    store
        .import_training(
            a,
            &[
                course(t01, "2025-03-15", TrainingLevel::General),
                course(t02, "2025-09-10", TrainingLevel::General),
            ],
            &audit(),
        )
        .await
        .unwrap();
    store
        .import_training(
            b,
            &[course(t11, "2024-10-01", TrainingLevel::Key)],
            &audit(),
        )
        .await
        .unwrap();

    let v = |key: &'static str, unit: UnitRef, year: i32| {
        let svc = &svc;
        async move {
            value(
                svc,
                &IndicatorKey::new(key),
                &unit,
                Period::SchoolYear(year),
            )
            .await
            .unwrap()
            .unwrap()
        }
    };
    let schools = store.list_schools(&Scope::District).await.unwrap();
    let students = |id: Option<SchoolId>| -> f64 {
        schools
            .iter()
            .filter(|s| id.is_none_or(|i| s.school.id == i))
            .map(|s| s.student_count as f64)
            .sum()
    };
    // 2024–2025 (plan year 2025): every title counts; three teachers district-wide.
    let d = v(k::KEY_TEACHERS_PER_100, UnitRef::District, 2024).await;
    assert_eq!((d.num, d.den), (300.0, students(None)));
    let sa = v(k::KEY_TEACHERS_PER_100, UnitRef::School(a), 2024).await;
    assert_eq!((sa.num, sa.den), (200.0, students(Some(a))));
    // 2022–2023 (plan year 2023): only T02's title existed.
    let early = v(k::KEY_TEACHERS_PER_100, UnitRef::District, 2022).await;
    assert_eq!(early.num, 100.0);

    let count = |x: wuyu_monitor::indicator::IndicatorValue| x.value().unwrap();
    assert_eq!(
        count(v(k::HONOURS_DISTRICT, UnitRef::District, 2024).await),
        1.0
    );
    assert_eq!(
        count(v(k::HONOURS_CITY, UnitRef::School(b), 2024).await),
        1.0
    );
    assert_eq!(
        count(v(k::HONOURS_PROVINCE, UnitRef::District, 2024).await),
        0.0
    );
    assert_eq!(
        count(v(k::HONOURS_PROVINCE, UnitRef::District, 2022).await),
        1.0
    );

    // Person-times up to 2025-08-31, then up to 2026-08-31.
    assert_eq!(
        count(v(k::TRAINING_GENERAL, UnitRef::District, 2024).await),
        1.0
    );
    assert_eq!(
        count(v(k::TRAINING_GENERAL, UnitRef::District, 2025).await),
        2.0
    );
    assert_eq!(
        count(v(k::TRAINING_KEY, UnitRef::School(b), 2024).await),
        1.0
    );
    assert_eq!(
        count(v(k::TRAINING_KEY, UnitRef::School(a), 2024).await),
        0.0
    );
    // 培训学时达标率: hours in the cycle holding the plan year up to the end of the school
    // year, against the district's requirement. At 360 h nobody is there; at 8 h T01 (2025-03)
    // and T11 (2024-10) are, T02's course (2025-09) is after 2024–2025 ended.
    let rate = |x: wuyu_monitor::indicator::IndicatorValue| (x.num, x.den);
    assert_eq!(
        rate(v(k::TRAINING_COMPLETION, UnitRef::District, 2024).await),
        (0.0, 3.0)
    );
    store
        .set_setting("training_cycle_hours", "8")
        .await
        .unwrap();
    assert_eq!(
        rate(v(k::TRAINING_COMPLETION, UnitRef::District, 2024).await),
        (2.0, 3.0)
    );
    assert_eq!(
        rate(v(k::TRAINING_COMPLETION, UnitRef::School(a), 2024).await),
        (1.0, 2.0)
    );
    // 2025–2026 belongs to the next cycle (2026–2030): nothing counted yet.
    assert_eq!(
        rate(v(k::TRAINING_COMPLETION, UnitRef::District, 2025).await),
        (0.0, 3.0)
    );

    // Measured per school year only.
    let e = value(
        &svc,
        &IndicatorKey::new(k::TRAINING_KEY),
        &UnitRef::District,
        Period::Exam(wuyu_domain::ExamId(1)),
    )
    .await;
    assert!(e.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite() {
    let db = wuyu_testkit::sqlite().await;
    story(Arc::clone(&db.store)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    if let Some(db) = wuyu_testkit::postgres().await {
        story(Arc::clone(&db.store)).await;
    }
}
