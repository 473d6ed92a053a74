//! The roster's indicator source on both backends (issue 11): 无辍学学生的学校占比, students per
//! 专任 PE and music/art teacher, and the 专职 share of music/art teachers, through the one
//! indicator registry the plan uses, then judged by the plan itself.
//!
//! The testkit district re-imported with people fields: school A (urban junior) keeps 4 of its
//! 5 students 在读 (one 辍学 on 2025-03-10) and has T01 体育 专职, T02 音乐 兼职, T03 美术 专职 and
//! T04 体育 with no 专兼职 given; school B (rural primary) keeps 2 of 3 (one 转出) and has only
//! T11 语文.
use std::sync::Arc;

use time::macros::date;
use wuyu_domain::{
    Employment, PersonName, Role, SchoolCode, SchoolId, Scope, StatusChange, StudentStatus, User,
    UserId, Viewer,
};
use wuyu_monitor::indicator::{
    IndicatorKey, IndicatorValue, Period, UnitRef, Verdict, roster_keys as k,
};
use wuyu_service::Service;
use wuyu_service::file::UploadedFile;
use wuyu_service::import::ImportActor;
use wuyu_service::indicators::value;
use wuyu_service::plan::{import_plan, plan_status};
use wuyu_store::{ImportMeta, Store};

const PLAN: &str = "indicator,unit,target_2025,comparator,scope\n\
    专任体育教师与在校生比,students per PE teacher,220,<=,per school/district\n\
    无辍学学生的学校占比,% of schools,100,>=,district\n";

async fn reimport_with_people_fields(store: &dyn Store) {
    let mut batch = wuyu_testkit::district::roster();
    let people = [
        ("T01", "体育", Some(Employment::FullTime)),
        ("T02", "音乐", Some(Employment::PartTime)),
        ("T11", "语文", Some(Employment::FullTime)),
    ];
    for t in &mut batch.teachers {
        let (_, subject, employment) = people.iter().find(|p| p.0 == t.staff_no).unwrap();
        t.subject = Some((*subject).into());
        t.employment = *employment;
    }
    let mut extra = |no: &str, subject: &str, employment| {
        let mut t = batch.teachers[0].clone();
        t.staff_no = no.into();
        t.name = PersonName::parse("新老师").unwrap();
        t.subject = Some(subject.into());
        t.employment = employment;
        batch.teachers.push(t);
    };
    extra("T03", "美术", Some(Employment::FullTime));
    extra("T04", "体育", None);
    for s in &mut batch.students {
        s.status = match s.student_no.as_str() {
            "A2024070202" => Some(StatusChange {
                status: StudentStatus::DroppedOut,
                date: Some(date!(2025 - 03 - 10)),
            }),
            "B2023020101" => Some(StatusChange {
                status: StudentStatus::TransferredOut,
                date: Some(date!(2024 - 10 - 01)),
            }),
            _ => None,
        };
    }
    assert!(batch.teachers.iter().all(|t| t.school_code
        == SchoolCode::parse(if t.staff_no == "T11" { "S002" } else { "S001" }).unwrap()));
    store
        .import_roster(
            &batch,
            &ImportMeta {
                username: "t".into(),
                file_name: "roster-fields.xlsx".into(),
                file_sha256: "2".repeat(64),
                at: 1,
            },
        )
        .await
        .unwrap();
}

async fn story(store: Arc<dyn Store>) {
    let ids = wuyu_testkit::district::load(store.as_ref()).await;
    let (a, b) = (SchoolId(ids.school_a), SchoolId(ids.school_b));
    reimport_with_people_fields(store.as_ref()).await;
    let svc = Service::new(Arc::clone(&store));
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
        }
    };
    let parts = |x: Option<IndicatorValue>| x.map(|x| (x.num, x.den, x.n));

    // 在读 students per PE teacher: A 4 / (T01 + T04) = 2; the district 6 / 2 = 3; B has 2
    // students and no PE teacher at all.
    assert_eq!(
        parts(v(k::STUDENTS_PER_PE_TEACHER, UnitRef::School(a), 2024).await),
        Some((4.0, 2.0, 4))
    );
    assert_eq!(
        parts(v(k::STUDENTS_PER_PE_TEACHER, UnitRef::District, 2024).await),
        Some((6.0, 2.0, 6))
    );
    let b_pe = v(k::STUDENTS_PER_PE_TEACHER, UnitRef::School(b), 2024)
        .await
        .unwrap();
    assert!(b_pe.is_unbounded(), "{b_pe:?}");
    // Music/art: T02 is 兼职, so only T03 counts.
    assert_eq!(
        parts(v(k::STUDENTS_PER_ART_TEACHER, UnitRef::District, 2024).await),
        Some((6.0, 1.0, 6))
    );
    // 专职 share of music/art teachers: A 1 of 2; the primary 学段 (school B) has none.
    assert_eq!(
        parts(
            v(
                k::ART_FULL_TIME_SHARE,
                UnitRef::Stage(wuyu_domain::Stage::Junior),
                2024
            )
            .await
        ),
        Some((1.0, 2.0, 2))
    );
    assert_eq!(
        parts(
            v(
                k::ART_FULL_TIME_SHARE,
                UnitRef::Stage(wuyu_domain::Stage::Primary),
                2024
            )
            .await
        ),
        None
    );
    // The dropout (2025-03-10) falls in 2024–2025: 1 of 2 schools is clear, urban 0 of 1; in
    // 2023–2024 both are; B's 转出 is not a dropout.
    assert_eq!(
        parts(v(k::NO_DROPOUT_SCHOOL_SHARE, UnitRef::District, 2024).await),
        Some((1.0, 2.0, 2))
    );
    assert_eq!(
        parts(v(k::NO_DROPOUT_SCHOOL_SHARE, UnitRef::District, 2023).await),
        Some((2.0, 2.0, 2))
    );
    assert_eq!(
        parts(
            v(
                k::NO_DROPOUT_SCHOOL_SHARE,
                UnitRef::Location(wuyu_domain::Location::Urban),
                2024
            )
            .await
        ),
        Some((0.0, 1.0, 1))
    );
    // Not per exam, not per class.
    let bad = value(
        &svc,
        &IndicatorKey::new(k::STUDENTS_PER_PE_TEACHER),
        &UnitRef::District,
        Period::Exam(wuyu_domain::ExamId(1)),
    )
    .await;
    assert!(bad.is_err());

    // The plan judges them: A's 2 students per PE teacher meets 1:220, B with none misses it,
    // and the district's 无辍学 share of 50 % misses 100 %.
    let file = UploadedFile::new("plan.csv", PLAN.as_bytes().to_vec());
    let out = import_plan(&svc, &ImportActor::Operator("t".into()), &file)
        .await
        .unwrap();
    assert!(out.imported().is_some(), "{:?}", out.errors());
    let viewer = Viewer::new(
        User {
            id: UserId(1),
            username: "u".into(),
            display_name: "u".into(),
            role: Role::DistrictAnalyst,
            school_id: None,
            teacher_id: None,
            student_id: None,
        },
        Scope::District,
    );
    let s = plan_status(&svc, &viewer, Some(2025), None).await.unwrap();
    let line = |name: &str, unit: &str| {
        s.lines
            .iter()
            .find(|l| l.name == name && l.unit.label.contains(unit))
            .unwrap_or_else(|| panic!("{name} {unit}: {:#?}", s.lines))
    };
    let pe_a = line("专任体育教师与在校生比", "第一实验中学");
    assert_eq!((pe_a.verdict, pe_a.value), (Verdict::Met, Some(2.0)));
    let pe_b = line("专任体育教师与在校生比", "柳林小学");
    assert_eq!(pe_b.verdict, Verdict::NotMet);
    assert_eq!(pe_b.value, None);
    assert!(pe_b.value_text.starts_with('∞'), "{}", pe_b.value_text);
    assert_eq!(pe_b.n, Some(2));
    let dropout = line("无辍学学生的学校占比", "全区");
    assert_eq!(
        (dropout.verdict, dropout.value),
        (Verdict::NotMet, Some(50.0))
    );
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
