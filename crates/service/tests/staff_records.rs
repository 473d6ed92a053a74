//! Teachers' development records through the forms, on both backends: each bad field (hours
//! out of range, a date that is not one or lies ahead, an unknown level, title or studio role, a
//! teacher not in the school's roster) is refused in Chinese naming the field and value, and
//! nothing is written; the school's page lists every roster teacher with the hours of the
//! current five-year cycle against the district's requirement (a setting); 名校长 and 工作室
//! are stored; a teacher reads only their own records; another school's admin cannot write;
//! every read of the records is audited.
use std::sync::Arc;

use wuyu_domain::{SchoolId, Viewer};
use wuyu_service::audit::Requester;
use wuyu_service::staff::records::{self, StudioForm, TitleForm, TrainingForm};
use wuyu_service::{Service, ServiceError};
use wuyu_store::Store;
use wuyu_store::staff::{StaffReader, StudioRole, TitleKind};

async fn viewer(svc: &Service, username: &str) -> Viewer {
    let user = svc
        .store()
        .user_credentials(username)
        .await
        .unwrap()
        .unwrap()
        .user;
    let scope = wuyu_service::accounts::scope_for(svc, &user).await.unwrap();
    Viewer::new(user, scope)
}

fn course(staff_no: &str, taken_on: &str, hours: &str, level: &str) -> TrainingForm {
    TrainingForm {
        staff_no: staff_no.into(),
        course: "新课标解读".into(),
        taken_on: taken_on.into(),
        hours: hours.into(),
        level: level.into(),
        provider: "区教师发展中心".into(),
    }
}

fn refused(r: Result<(), ServiceError>) -> String {
    match r {
        Err(ServiceError::BadRequest(m)) => m,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn story(store: Arc<dyn Store>) {
    let svc = Service::new(Arc::clone(&store));
    wuyu_testkit::district::load(store.as_ref()).await;
    let a = store.school_by_code("S001").await.unwrap().unwrap();
    let school = viewer(&svc, "school-a").await;
    let who = Requester::operator("school-a");

    // Every bad field refused with the field and value named; nothing written.
    let cases = [
        (course("T01", "2024-03-01", "0", "普及"), "“学时”（0）"),
        (
            course("T01", "2024-03-01", "1001", "普及"),
            "“学时”（1001）",
        ),
        (course("T01", "2024-03-01", "十", "普及"), "“学时”（十）"),
        (
            course("T01", "2024-02-30", "10", "普及"),
            "“培训日期”（2024-02-30）",
        ),
        (course("T01", "2099-01-01", "10", "普及"), "在今天之后"),
        (
            course("T01", "2024-03-01", "10", "中级"),
            "“培训层级”（中级）",
        ),
        (
            course("T99", "2024-03-01", "10", "普及"),
            "“工号”（T99）不在本校教师名单中",
        ),
        (
            course("T11", "2024-03-01", "10", "普及"),
            "“工号”（T11）不在本校教师名单中",
        ),
    ];
    for (form, expect) in cases {
        let m = refused(records::add_training(&svc, &school, &who, a, &form).await);
        assert!(m.contains(expect), "{m} / {expect}");
    }
    let m = refused(
        records::add_title(
            &svc,
            &school,
            &who,
            a,
            &TitleForm {
                staff_no: "T01".into(),
                title: "特级教师".into(),
                level: "省级".into(),
                year: "2023".into(),
            },
        )
        .await,
    );
    assert!(m.contains("“称号”（特级教师）"), "{m}");
    let m = refused(
        records::add_studio(
            &svc,
            &school,
            &who,
            a,
            &StudioForm {
                staff_no: "T01".into(),
                studio: "孙老师语文工作室".into(),
                role: "顾问".into(),
                level: "区级".into(),
                year: "2023".into(),
            },
        )
        .await,
    );
    assert!(m.contains("“身份”（顾问）"), "{m}");
    assert!(
        store
            .training(StaffReader::District)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .titles(StaffReader::District)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .studios(StaffReader::District)
            .await
            .unwrap()
            .is_empty()
    );

    // Another school's admin cannot write here; a teacher cannot write at all.
    for (user, name) in [("teacher-a", "teacher-a"), ("teacher-b", "teacher-b")] {
        let v = viewer(&svc, user).await;
        let r = records::add_training(
            &svc,
            &v,
            &Requester::operator(name),
            a,
            &course("T01", "2024-03-01", "10", "普及"),
        )
        .await;
        assert!(matches!(r, Err(ServiceError::Forbidden)), "{user}: {r:?}");
    }

    // T01: 300 h in this cycle (2021–2025) and 80 h in the one before; T02: 360 h.
    for (no, date, hours, level) in [
        ("T01", "2019-06-01", "80", "普及"),
        ("T01", "2022-07-01", "200", "骨干"),
        ("T01", "2025-01-10", "100", "高端"),
        ("T02", "2021-01-04", "360", "普及"),
    ] {
        records::add_training(&svc, &school, &who, a, &course(no, date, hours, level))
            .await
            .unwrap();
    }
    records::add_title(
        &svc,
        &school,
        &who,
        a,
        &TitleForm {
            staff_no: "T01".into(),
            title: "名校长".into(),
            level: "市级".into(),
            year: "2024".into(),
        },
    )
    .await
    .unwrap();
    records::add_studio(
        &svc,
        &school,
        &who,
        a,
        &StudioForm {
            staff_no: "T01".into(),
            studio: "孙老师语文工作室".into(),
            role: "主持人".into(),
            level: "区级".into(),
            year: "2023".into(),
        },
    )
    .await
    .unwrap();

    let r = records::records(&svc, &school, &who, a, 2024)
        .await
        .unwrap();
    assert_eq!(
        (r.cycle.first, r.cycle.last, r.required_hours),
        (2021, 2025, 360)
    );
    let by = |no: &str| {
        r.teachers
            .iter()
            .find(|t| t.teacher.staff_no == no)
            .unwrap()
    };
    assert_eq!(r.teachers.len(), 2, "every roster teacher of school A");
    assert_eq!((by("T01").cycle_hours, by("T01").met), (300.0, false));
    assert_eq!((by("T02").cycle_hours, by("T02").met), (360.0, true));
    assert_eq!(by("T01").training.len(), 3);
    assert_eq!(by("T01").titles[0].title, TitleKind::MasterPrincipal);
    assert_eq!(by("T01").studios[0].role, StudioRole::Host);

    // The requirement is the district's setting.
    store
        .set_setting("training_cycle_hours", "300")
        .await
        .unwrap();
    let r = records::records(&svc, &school, &who, a, 2024)
        .await
        .unwrap();
    assert_eq!(r.required_hours, 300);
    assert!(r.teachers.iter().all(|t| t.met));

    // A teacher reads only their own records; another school's teacher reads none of A's.
    let teacher = viewer(&svc, "teacher-a").await;
    let r = records::records(&svc, &teacher, &Requester::operator("teacher-a"), a, 2024)
        .await
        .unwrap();
    assert_eq!(r.teachers.len(), 1);
    assert_eq!(r.teachers[0].teacher.staff_no, "T01");
    let other = viewer(&svc, "teacher-b").await;
    assert!(matches!(
        records::records(&svc, &other, &Requester::operator("teacher-b"), a, 2024).await,
        Err(ServiceError::Forbidden)
    ));
    let district = viewer(&svc, "district").await;
    let r = records::records(
        &svc,
        &district,
        &Requester::operator("district"),
        SchoolId(a.0),
        2024,
    )
    .await
    .unwrap();
    assert_eq!(
        r.teachers.len(),
        2,
        "the district reads the school asked for"
    );

    // Every write is in the audit log.
    let log = store.list_audit(50).await.unwrap();
    for action in ["add_training", "add_title", "add_studio"] {
        assert!(log.iter().any(|e| e.entry.action == action), "{action}");
    }
    // And every read of the records: the school's reads, the teacher's own (naming the
    // teacher), the district's; the refused read of another school's teacher writes none.
    let t01 = store.teacher_by_staff_no(a, "T01").await.unwrap().unwrap();
    let reads = |user: &str, action: &str| {
        log.iter()
            .filter(|e| e.entry.username == user && e.entry.action == action)
            .count()
    };
    assert_eq!(reads("school-a", "read_development"), 2);
    assert_eq!(reads("district", "read_development"), 1);
    assert_eq!(reads("teacher-a", "read_own_development"), 1);
    assert_eq!(reads("teacher-b", "read_own_development"), 0);
    let own = log
        .iter()
        .find(|e| e.entry.action == "read_own_development")
        .unwrap();
    assert_eq!(
        own.entry.entity,
        format!("staff_development:{}:{}", a.0, t01.0)
    );
    assert_eq!(own.entry.school_id, Some(a));
    assert!(
        own.entry.detail.contains("teachers=1"),
        "{}",
        own.entry.detail
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
