//! The archive through the service on both backends: a 班主任 records one activity for the
//! class and reviews it (another class's 班主任 may not), impossible hours are refused with
//! nothing written, a parent sees only their own child's archive (every read and refusal
//! audited, no ranks), imports are all or nothing, and coverage and the plan's indicators
//! match counts made by hand.
use std::sync::Arc;

use time::macros::date;
use wuyu_domain::roster::NewAssignment;
use wuyu_domain::{
    ActivityCategory, ArtLevel, ClassId, Grade, Origin, RosterBatch, SchoolCode, SchoolId,
    StudentId, Tenths, Term, TermPart, Viewer,
};
use wuyu_monitor::indicator::{IndicatorKey, Period, UnitRef, archive_keys};
use wuyu_service::archive::*;
use wuyu_service::audit::Requester;
use wuyu_service::file::UploadedFile;
use wuyu_service::{Service, ServiceError};
use wuyu_store::archive::Review;
use wuyu_store::{ImportMeta, NewUser, Store};
use wuyu_testkit::{Ids, cheap_hash, child_student_no};

fn term() -> Term {
    Term::new(2025, TermPart::Autumn).unwrap()
}

fn head_teacher(staff_no: &str, class: &str) -> NewAssignment {
    NewAssignment {
        origin: Origin::default(),
        school_code: SchoolCode::parse("S001").unwrap(),
        staff_no: staff_no.into(),
        grade: Grade::new(7).unwrap(),
        class_name: class.into(),
        subject: "班主任".into(),
        share: 1.0,
    }
}

/// The fixture plus: teacher-a (T01) is 班主任 of 七年级1班; teacher-a2 (T02) of 七年级2班.
async fn setup(store: Arc<dyn Store>) -> (Service, Ids) {
    let svc = Service::new(Arc::clone(&store));
    let store = store.as_ref();
    let ids = wuyu_testkit::district::load(store).await;
    store
        .import_roster(
            &RosterBatch {
                assignments: vec![head_teacher("T01", "1班"), head_teacher("T02", "2班")],
                ..Default::default()
            },
            &ImportMeta {
                username: "fixture".into(),
                file_name: "heads".into(),
                file_sha256: "2".repeat(64),
                at: 0,
            },
        )
        .await
        .unwrap();
    let t02 = store
        .list_assignments(&wuyu_domain::Scope::District, SchoolId(ids.school_a))
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.staff_no == "T02")
        .unwrap()
        .teacher_id;
    store
        .create_user(&NewUser {
            username: "teacher-a2".into(),
            display_name: "钱老师".into(),
            role: wuyu_domain::Role::Teacher,
            password_hash: cheap_hash("x"),
            school_id: Some(SchoolId(ids.school_a)),
            teacher_id: Some(t02),
            student_id: None,
        })
        .await
        .unwrap();
    (svc, ids)
}

async fn viewer(svc: &Service, username: &str) -> (Viewer, Requester) {
    let user = svc
        .store()
        .user_credentials(username)
        .await
        .unwrap()
        .unwrap()
        .user;
    let scope = wuyu_service::accounts::scope_for(svc, &user).await.unwrap();
    let who = Requester::user(&user, "127.0.0.1");
    (Viewer::new(user, scope), who)
}

fn art_activity(hours: i32) -> ActivityInput {
    ActivityInput {
        category: ActivityCategory::Art,
        term: term(),
        date: date!(2025 - 11 - 20),
        end_date: None,
        hours: Tenths(hours),
        travel: Tenths(0),
        organiser: "音乐组".into(),
        description: "班级合唱比赛".into(),
    }
}

async fn count_actions(svc: &Service, action: &str) -> usize {
    svc.store()
        .list_audit(1000)
        .await
        .unwrap()
        .iter()
        .filter(|r| r.entry.action == action)
        .count()
}

async fn story(store: Arc<dyn Store>) {
    let (svc, ids) = setup(store).await;
    let a = SchoolId(ids.school_a);
    let c71 = ClassId(ids.class_a7_1);
    let (teacher, t_who) = viewer(&svc, "teacher-a").await;

    // The 班主任's page: nobody has a record yet.
    let page = class_archive(&svc, &teacher, a, c71, term()).await.unwrap();
    assert!(page.may_review);
    assert_eq!(page.without_records.len(), 2);
    let class: Vec<StudentId> = page.without_records.iter().map(|(id, _)| *id).collect();

    // 25 hours in one day is refused, naming the activity; nothing is written.
    match record_activity(&svc, &teacher, &t_who, a, &class, &art_activity(250)).await {
        Err(ServiceError::BadRequest(m)) => {
            assert!(
                m.contains("班级合唱比赛") && m.contains("最多 24 小时"),
                "{m}"
            )
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(
        class_archive(&svc, &teacher, a, c71, term())
            .await
            .unwrap()
            .records
            .is_empty()
    );

    // One form for the whole class.
    let made = record_activity(&svc, &teacher, &t_who, a, &class, &art_activity(20))
        .await
        .unwrap();
    let page = class_archive(&svc, &teacher, a, c71, term()).await.unwrap();
    assert_eq!((page.records.len(), page.awaiting.len()), (2, 2));
    assert!(page.without_records.is_empty());

    // The 班主任 of another class may not review these; teacher-a approves one, returns one.
    let (other_head, o_who) = viewer(&svc, "teacher-a2").await;
    assert!(matches!(
        review(&svc, &other_head, &o_who, a, &made, &Review::Approve).await,
        Err(ServiceError::Forbidden)
    ));
    let child_record = page
        .records
        .iter()
        .find(|r| r.student_id == StudentId(ids.child))
        .unwrap()
        .id;
    let other_record = *made.iter().find(|id| **id != child_record).unwrap();
    review(&svc, &teacher, &t_who, a, &[child_record], &Review::Approve)
        .await
        .unwrap();
    review(
        &svc,
        &teacher,
        &t_who,
        a,
        &[other_record],
        &Review::Return("请补充照片".into()),
    )
    .await
    .unwrap();
    let page = class_archive(&svc, &teacher, a, c71, term()).await.unwrap();
    assert!(page.awaiting.is_empty());

    // A parent records their child's 家务劳动 (awaiting review) and reads the archive.
    let (parent, p_who) = viewer(&svc, "parent-a").await;
    let mut home = art_activity(15);
    home.category = ActivityCategory::LaborHome;
    home.description = "洗碗".into();
    record_activity(&svc, &parent, &p_who, a, &[StudentId(ids.child)], &home)
        .await
        .unwrap();
    let reads = count_actions(&svc, "archive_read_student").await;
    let mine = student_archive(&svc, &parent, &p_who, a, StudentId(ids.child))
        .await
        .unwrap();
    assert_eq!(count_actions(&svc, "archive_read_student").await, reads + 1);
    let aesthetic = mine
        .domains
        .iter()
        .find(|d| d.label_zh == "艺术素养")
        .unwrap();
    assert_eq!((aesthetic.records.len(), aesthetic.hours), (1, Tenths(20)));
    assert_eq!(mine.pending.len(), 1, "the 家务劳动 awaits review");
    assert_eq!(mine.domains.len(), 5);
    // Another child: refused, and the refusal is audited.
    let denied = count_actions(&svc, "archive_read_denied").await;
    assert!(matches!(
        student_archive(&svc, &parent, &p_who, a, StudentId(ids.other_a)).await,
        Err(ServiceError::Forbidden)
    ));
    assert_eq!(count_actions(&svc, "archive_read_denied").await, denied + 1);

    // Imports by the school admin: a bad row rejects the file, then the clean file.
    let (school, s_who) = viewer(&svc, "school-a").await;
    let child = child_student_no();
    let bad = format!(
        "学籍号,类别,日期,结束日期,时长,路程时长,组织单位,活动内容\n\
         {child},家务劳动,2025-09-01,2025-12-31,60,,家庭,家务\n\
         A2024070202,社会实践,2026-03-01,,4,,社区,调查\n"
    );
    match import_activities(
        &svc,
        &school,
        &s_who.username,
        a,
        term(),
        &UploadedFile::new("实践.csv", bad.into_bytes()),
    )
    .await
    {
        Err(ServiceError::Rejected(rows)) => {
            assert_eq!(rows.len(), 1);
            assert_eq!(
                (
                    rows[0].file.as_str(),
                    rows[0].row,
                    rows[0].column.as_str(),
                    rows[0].value.as_str()
                ),
                ("实践.csv", 3, "日期", "2026-03-01")
            );
        }
        other => panic!("expected row errors, got {other:?}"),
    }
    let good = format!(
        "学籍号,类别,日期,结束日期,时长,路程时长,组织单位,活动内容\n\
         {child},家务劳动,2025-09-01,2025-12-31,60,,家庭,家务\n\
         A2024070202,社会实践,2025-10-01,,4,,社区,调查\n\
         A2023080101,志愿服务,2025-10-02,,10,2,社区,敬老院\n"
    );
    let done = import_activities(
        &svc,
        &school,
        &s_who.username,
        a,
        term(),
        &UploadedFile::new("实践.csv", good.into_bytes()),
    )
    .await
    .unwrap();
    assert_eq!(done.written, 3);
    let art = format!(
        "学籍号,基础指标,学业指标,发展指标\n\
         {child},40,45,5\nA2024070102,30,29.9,0\nA2024070201,35,40,0\n"
    );
    import_art(
        &svc,
        &school,
        &s_who.username,
        a,
        2025,
        &UploadedFile::new("艺术.csv", art.into_bytes()),
    )
    .await
    .unwrap();
    // The school admin approves everything awaiting review except the parent's entry.
    let mut pending = Vec::new();
    for class in [ids.class_a7_1, ids.class_a7_2, ids.class_a8_1] {
        let p = class_archive(&svc, &school, a, ClassId(class), term())
            .await
            .unwrap();
        pending.extend(
            p.awaiting
                .iter()
                .filter(|r| r.description != "洗碗")
                .map(|r| r.id),
        );
    }
    assert_eq!(pending.len(), 3);
    review(&svc, &school, &s_who, a, &pending, &Review::Approve)
        .await
        .unwrap();

    // Hand counts for school A (5 students, 20 weeks, grades 7–8 need 60 h of labor):
    // art — the child (1/5); 校外 — 赵敏, 陈晨 (2/5, 2 records); labor met — the child's 60 h
    // (1/5); volunteer 10 − 2 travel = 8 h (1.6 per student); art 优秀 1 of 3, 合格+ 2 of 3.
    let (district, _) = viewer(&svc, "district").await;
    let rows = coverage(&svc, &district, None, term()).await.unwrap();
    let row = rows.iter().find(|r| r.school_id == a).unwrap();
    assert_eq!(row.students, 5);
    assert_eq!(row.art_coverage, Some(0.2));
    assert_eq!(row.off_campus_rate, Some(0.4));
    assert_eq!(row.labor_met_rate, Some(0.2));
    assert_eq!(row.volunteer_hours_per_student, Some(1.6));
    let by_class = coverage(&svc, &school, Some(a), term()).await.unwrap();
    assert_eq!(by_class.iter().map(|r| r.students).sum::<u64>(), 5);
    assert!(matches!(
        coverage(&svc, &parent, Some(a), term()).await,
        Err(ServiceError::Forbidden)
    ));
    let value = async |k: &str| {
        wuyu_service::indicators::value(
            &svc,
            &IndicatorKey::new(k),
            &UnitRef::School(a),
            Period::SchoolYear(2025),
        )
        .await
        .unwrap()
        .unwrap()
    };
    let v = value(archive_keys::ART_COVERAGE).await;
    assert_eq!((v.num, v.den), (1.0, 5.0));
    let v = value(archive_keys::OFF_CAMPUS_PER_STUDENT).await;
    assert_eq!(v.value(), Some(0.4));
    let v = value(archive_keys::ART_EXCELLENT_RATE).await;
    assert_eq!((v.num, v.den), (1.0, 3.0));
    let v = value(archive_keys::ART_PASS_RATE).await;
    assert_eq!((v.num, v.den), (2.0, 3.0));
    let v = value(archive_keys::VOLUNTEER_HOURS).await;
    assert_eq!(v.value(), Some(1.6));
    let v = value(archive_keys::LABOR_MET_RATE).await;
    assert_eq!((v.num, v.den), (1.0, 5.0));

    // The archive shows the art level and the stars (8 h: none yet), never a rank.
    let mine = student_archive(&svc, &parent, &p_who, a, StudentId(ids.child))
        .await
        .unwrap();
    assert_eq!(mine.art[0].level, ArtLevel::Excellent);
    assert_eq!(mine.labor_hours, Tenths(600));
    assert_eq!(mine.stars_zh, "未评星");
    let json = serde_json::to_string(&mine).unwrap();
    assert!(
        !json.contains("rank") && !json.contains("percentile"),
        "{json}"
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
