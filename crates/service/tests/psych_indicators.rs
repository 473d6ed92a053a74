//! The plan's psych indicators counted by hand on the testkit district, on both backends:
//! 心理档案覆盖 (psych.file_coverage), 心理健康教育教师配齐 (psych.teacher_school_share) and
//! 开设心理健康教育课程的学校 (registry.school_share:心理健康教育课程), through the one
//! indicator registry the plan uses.
//!
//! School A (urban junior) has 5 students and, re-imported, T01 心理健康, T02 英语; school B
//! (rural primary) has 3 students and T11 语文.
use std::sync::Arc;

use wuyu_domain::{SchoolId, Stage, StudentId, Viewer};
use wuyu_monitor::indicator::{IndicatorKey, IndicatorValue, Period, UnitRef, psych_keys};
use wuyu_service::Service;
use wuyu_service::audit::Requester;
use wuyu_service::indicators::value;
use wuyu_service::plan::{RegistryInput, add_item, review_item};
use wuyu_service::psych::*;
use wuyu_store::plan_report::Review;
use wuyu_store::{ImportMeta, Store};
use wuyu_testkit::Ids;

async fn viewer(svc: &Service, username: &str) -> (Viewer, Requester) {
    wuyu_service::accounts::acting_as(svc, username, "127.0.0.1")
        .await
        .unwrap()
        .unwrap()
}

async fn reimport_with_subjects(store: &dyn Store) {
    let mut batch = wuyu_testkit::district::roster();
    for t in &mut batch.teachers {
        t.subject = Some(
            match t.staff_no.as_str() {
                "T01" => "心理健康",
                "T02" => "英语",
                _ => "语文",
            }
            .into(),
        );
    }
    store
        .import_roster(
            &batch,
            &ImportMeta {
                username: "t".into(),
                file_name: "roster-subjects.xlsx".into(),
                file_sha256: "3".repeat(64),
                at: 1,
            },
        )
        .await
        .unwrap();
}

async fn student(svc: &Service, ids: &Ids, no: &str) -> StudentId {
    svc.store()
        .list_students(&wuyu_domain::Scope::District, SchoolId(ids.school_a), None)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.student_no.as_str() == no)
        .unwrap()
        .id
}

/// A 2025 campaign of school A's 七年级 (PHQ-9): 张小明 and 李小红 consent and are imported.
async fn screen_two(svc: &Service, ids: &Ids) {
    let (c, who) = viewer(svc, "counsellor-a").await;
    let a = SchoolId(ids.school_a);
    let camp = create_campaign(
        svc,
        &c,
        &who,
        a,
        &CampaignInput {
            name: "秋季筛查".into(),
            school_year: 2025,
            scales: vec!["phq9".into()],
            grades: vec![7],
            opens_on: "2020-09-01".into(),
            closes_on: "2099-12-31".into(),
            custom_scale: String::new(),
        },
    )
    .await
    .unwrap();
    let child = wuyu_testkit::child_student_no();
    for no in [child.as_str(), "A2024070102"] {
        let id = student(svc, ids, no).await;
        record_consent(
            svc,
            &c,
            &who,
            a,
            &ConsentInput {
                campaign_id: camp,
                student_id: id,
                guardian: GuardianConsent::Given,
                assent: true,
                decided_on: "2025-09-01".into(),
                channel: ConsentChannel::Paper,
            },
        )
        .await
        .unwrap();
    }
    let csv = format!(
        "学籍号,phq9_1,phq9_2,phq9_3,phq9_4,phq9_5,phq9_6,phq9_7,phq9_8,phq9_9\n\
         {child},0,0,0,0,0,0,0,0,0\nA2024070102,1,0,0,0,0,0,0,0,0\n"
    );
    let out = import_answers(svc, &c, &who, a, camp, csv.as_bytes(), "秋季.csv")
        .await
        .unwrap();
    assert_eq!(out.summary.written, 2);
}

async fn story(store: Arc<dyn Store>) {
    let ids = wuyu_testkit::district::load(store.as_ref()).await;
    reimport_with_subjects(store.as_ref()).await;
    let svc = Service::new(Arc::clone(&store));
    let (a, b) = (SchoolId(ids.school_a), SchoolId(ids.school_b));
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
            .map(|x: IndicatorValue| (x.num, x.den, x.n))
        }
    };

    // 心理档案覆盖: nobody has a file yet.
    let file = psych_keys::FILE_COVERAGE;
    assert_eq!(v(file, UnitRef::District, 2025).await, Some((0.0, 8.0, 8)));
    // Two screened in a 2025 campaign; 王磊 has a case with one session held 2026-03-02
    // (within 2025–2026); 赵敏 has a case with no session yet: no file from a case alone.
    screen_two(&svc, &ids).await;
    let (c, who) = viewer(&svc, "counsellor-a").await;
    let case = open_case(&svc, &c, &who, a, student(&svc, &ids, "A2024070201").await)
        .await
        .unwrap();
    add_counselling(
        &svc,
        &c,
        &who,
        a,
        case,
        &CounsellingInput {
            held_on: "2026-03-02".into(),
            kind: "individual".into(),
            summary: "初次个别辅导".into(),
            next_step: String::new(),
        },
    )
    .await
    .unwrap();
    open_case(&svc, &c, &who, a, student(&svc, &ids, "A2024070202").await)
        .await
        .unwrap();
    assert_eq!(v(file, UnitRef::School(a), 2025).await, Some((3.0, 5.0, 5)));
    assert_eq!(v(file, UnitRef::School(b), 2025).await, Some((0.0, 3.0, 3)));
    assert_eq!(v(file, UnitRef::District, 2025).await, Some((3.0, 8.0, 8)));
    assert_eq!(
        v(file, UnitRef::Stage(Stage::Junior), 2025).await,
        Some((3.0, 5.0, 5))
    );
    assert_eq!(
        v(file, UnitRef::Location(wuyu_domain::Location::Rural), 2025).await,
        Some((0.0, 3.0, 3))
    );
    // In 2024–2025 none of it existed yet (the campaign is 2025's, the session 2026's); the
    // file stays in later years.
    assert_eq!(v(file, UnitRef::School(a), 2024).await, Some((0.0, 5.0, 5)));
    assert_eq!(v(file, UnitRef::School(a), 2026).await, Some((3.0, 5.0, 5)));

    // 心理健康教育教师配齐: school A has T01 心理健康, school B none.
    let teachers = psych_keys::TEACHER_SCHOOL_SHARE;
    assert_eq!(
        v(teachers, UnitRef::District, 2025).await,
        Some((1.0, 2.0, 2))
    );
    assert_eq!(
        v(teachers, UnitRef::School(a), 2025).await,
        Some((1.0, 1.0, 1))
    );
    assert_eq!(
        v(teachers, UnitRef::Stage(Stage::Primary), 2025).await,
        Some((0.0, 1.0, 1))
    );
    // Counted on today's roster, and the plan says so.
    let m = wuyu_service::indicators::period_for(&svc, &IndicatorKey::new(teachers), 2025)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.as_of, "当前花名册（任教学科含“心理”的教师）");

    // 开设心理健康教育课程的学校: school A registers its course; it counts once the district
    // approves it.
    let course = "registry.school_share:心理健康教育课程";
    let (sa, swho) = viewer(&svc, "school-a").await;
    let item = add_item(
        &svc,
        &sa,
        &swho,
        &RegistryInput {
            school: None,
            kind: "心理健康教育课程".into(),
            level: "区".into(),
            title: "七至八年级每两周一节心理健康教育课".into(),
            awarded_on: "2025-09-01".into(),
            note: "课表见附件".into(),
            evidence: Some(wuyu_service::file::UploadedFile::new(
                "课表.pdf",
                b"%PDF-1.4 timetable".to_vec(),
            )),
        },
    )
    .await
    .unwrap();
    assert_eq!(
        v(course, UnitRef::District, 2025).await,
        Some((0.0, 2.0, 2))
    );
    let (d, dwho) = viewer(&svc, "district").await;
    review_item(&svc, &d, &dwho, item.id, &Review::Approve)
        .await
        .unwrap();
    assert_eq!(
        v(course, UnitRef::District, 2025).await,
        Some((1.0, 2.0, 2))
    );
    assert_eq!(
        v(course, UnitRef::School(b), 2025).await,
        Some((0.0, 1.0, 1))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn psych_indicators_sqlite() {
    let db = wuyu_testkit::sqlite().await;
    story(Arc::clone(&db.store)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn psych_indicators_postgres() {
    if let Some(db) = wuyu_testkit::postgres().await {
        story(Arc::clone(&db.store)).await;
    }
}
