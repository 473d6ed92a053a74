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
    wuyu_service::accounts::acting_as(svc, username, "127.0.0.1")
        .await
        .unwrap()
        .unwrap()
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

    report_cards(&svc, &ids).await;
    publicity_story(&svc, &ids).await;
}

/// The report card: the parent's own child's card reads back with the child's hours, stars,
/// approved records and art level (the pending entry is not on it); another child's card is
/// refused; the school prints a class as one file, one card per student; every card audited.
async fn report_cards(svc: &Service, ids: &Ids) {
    let a = SchoolId(ids.school_a);
    let (parent, p_who) = viewer(svc, "parent-a").await;
    let (school, s_who) = viewer(svc, "school-a").await;
    let cards = count_actions(svc, "archive_report_card").await;
    let reads = count_actions(svc, "archive_read_student").await;
    let pdf = report_card_pdf(svc, &parent, &p_who, a, StudentId(ids.child)).await;
    if !wuyu_service::bulletin::PDF_AVAILABLE {
        match pdf {
            Err(ServiceError::BadRequest(m)) => assert!(m.contains("PDF"), "{m}"),
            other => panic!("{other:?}"),
        }
        return;
    }
    let lines = wuyu_testkit::pdf_lines(&pdf.unwrap());
    let has = |want: &str| lines.iter().any(|l| l.contains(want));
    assert!(has("综合素质评价报告"), "{lines:?}");
    assert!(has("姓名：张小明"), "{lines:?}");
    assert!(has("学校：第一实验中学"), "{lines:?}");
    assert!(has("志愿服务星级未评星"), "{lines:?}");
    // 60 h of 家务劳动 approved; the parent's 洗碗 (1.5 h) still awaits review.
    assert!(has("课外劳动时长（校内劳动、家务劳动）60小时"), "{lines:?}");
    assert!(has("班级合唱比赛"), "{lines:?}");
    assert!(!has("洗碗"), "{lines:?}");
    assert!(has("2025–2026学年90优秀"), "{lines:?}");
    assert!(has("班主任（未签字）"), "{lines:?}");
    // No ranks: the only mention is the heading that says so.
    assert!(
        lines
            .iter()
            .filter(|l| l.contains("排名"))
            .all(|l| l == "学业（不含排名）"),
        "{lines:?}"
    );
    assert_eq!(count_actions(svc, "archive_report_card").await, cards + 1);
    assert_eq!(count_actions(svc, "archive_read_student").await, reads + 1);

    // Not their child: refused, nothing handed out.
    assert!(matches!(
        report_card_pdf(svc, &parent, &p_who, a, StudentId(ids.other_a)).await,
        Err(ServiceError::Forbidden)
    ));
    assert!(matches!(
        class_report_cards_pdf(svc, &parent, &p_who, a, Some(ClassId(ids.class_a7_1))).await,
        Err(ServiceError::Forbidden)
    ));
    assert_eq!(count_actions(svc, "archive_report_card").await, cards + 1);

    // The school prints 七年级1班: one card per student, each read audited.
    let reads = count_actions(svc, "archive_read_student").await;
    let pdf = class_report_cards_pdf(svc, &school, &s_who, a, Some(ClassId(ids.class_a7_1)))
        .await
        .unwrap();
    let lines = wuyu_testkit::pdf_lines(&pdf);
    assert_eq!(
        lines.iter().filter(|l| *l == "综合素质评价报告").count(),
        2,
        "{lines:?}"
    );
    for name in ["姓名：张小明", "姓名：李小红"] {
        assert!(lines.iter().any(|l| l.contains(name)), "{name}: {lines:?}");
    }
    assert_eq!(count_actions(svc, "archive_read_student").await, reads + 2);
    assert_eq!(count_actions(svc, "archive_report_cards").await, 1);
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

/// 公示 of 七年级1班's autumn term: refused while a record awaits review; then the window
/// (five working days by default) freezes the class's records of the term, shows no private
/// record, takes a family's objection to their own child's record only; the 班主任 answers and
/// signs after the window, then the 校长, which locks the term; the report card carries both
/// signatures. Every step is audited.
async fn publicity_story(svc: &Service, ids: &Ids) {
    use time::macros::date;
    use wuyu_domain::PublicityStage;
    let a = SchoolId(ids.school_a);
    let c71 = ClassId(ids.class_a7_1);
    let child = StudentId(ids.child);
    let (teacher, t_who) = viewer(svc, "teacher-a").await;
    let (other_head, o_who) = viewer(svc, "teacher-a2").await;
    let (parent, p_who) = viewer(svc, "parent-a").await;
    let (school, s_who) = viewer(svc, "school-a").await;
    let monday = date!(2026 - 01 - 12);

    // A 家访 of the child, approved: the school's own record, never in 公示.
    let mut visit = art_activity(10);
    visit.category = ActivityCategory::HomeVisit;
    visit.description = "家访：了解家庭作息".into();
    let visit_id = record_activity(svc, &teacher, &t_who, a, &[child], &visit)
        .await
        .unwrap()[0];
    review(svc, &teacher, &t_who, a, &[visit_id], &Review::Approve)
        .await
        .unwrap();

    // The parent's 洗碗 still awaits review: no 公示 yet.
    match open_publicity(svc, &teacher, &t_who, a, c71, term(), monday).await {
        Err(ServiceError::BadRequest(m)) => assert!(m.contains("1 条写实记录待审核"), "{m}"),
        other => panic!("{other:?}"),
    }
    let page = class_archive(svc, &teacher, a, c71, term()).await.unwrap();
    let dishes = page.awaiting[0].id;
    review(
        svc,
        &teacher,
        &t_who,
        a,
        &[dishes],
        &Review::Return("请附照片".into()),
    )
    .await
    .unwrap();
    // Not the 班主任 of this class: may not open it.
    assert!(matches!(
        open_publicity(svc, &other_head, &o_who, a, c71, term(), monday).await,
        Err(ServiceError::Forbidden)
    ));
    let p = open_publicity(svc, &teacher, &t_who, a, c71, term(), monday)
        .await
        .unwrap();
    assert_eq!((p.starts_on, p.ends_on), (monday, date!(2026 - 01 - 16)));
    assert_eq!(count_actions(svc, "archive_publicity_open").await, 1);
    assert!(matches!(
        open_publicity(svc, &teacher, &t_who, a, c71, term(), monday).await,
        Err(ServiceError::BadRequest(m)) if m.contains("不能重复公示")
    ));

    // Frozen: a new record, a resubmission, an import row — each refused, nothing written.
    let before = class_archive(svc, &teacher, a, c71, term())
        .await
        .unwrap()
        .records
        .len();
    match record_activity(svc, &teacher, &t_who, a, &[child], &art_activity(10)).await {
        Err(ServiceError::BadRequest(m)) => {
            assert!(m.contains("张小明") && m.contains("已进入公示"), "{m}")
        }
        other => panic!("{other:?}"),
    }
    match submit(svc, &parent, a, &[dishes]).await {
        Err(ServiceError::BadRequest(m)) => {
            assert!(
                m.contains(&format!("记录 {dishes}")) && m.contains("公示"),
                "{m}"
            )
        }
        other => panic!("{other:?}"),
    }
    let csv = format!(
        "学籍号,类别,日期,结束日期,时长,路程时长,组织单位,活动内容\n\
         {},志愿服务,2025-12-01,,3,,社区,扫雪\n",
        child_student_no()
    );
    match import_activities(
        svc,
        &school,
        &s_who.username,
        a,
        term(),
        &UploadedFile::new("补录.csv", csv.into_bytes()),
    )
    .await
    {
        Err(ServiceError::Rejected(rows)) => {
            assert_eq!((rows[0].row, rows[0].column.as_str()), (2, "学籍号"));
            assert!(
                rows[0].message_zh.contains("公示"),
                "{}",
                rows[0].message_zh
            );
        }
        other => panic!("{other:?}"),
    }
    let after = class_archive(svc, &teacher, a, c71, term()).await.unwrap();
    assert_eq!(after.records.len(), before);
    // Another class is not frozen.
    record_activity(
        svc,
        &school,
        &s_who,
        a,
        &[StudentId(ids.other_a)],
        &art_activity(10),
    )
    .await
    .unwrap();

    // What the 公示 shows: approved records, no 家访, nothing private.
    let view = publicity(svc, &teacher, a, c71, term(), date!(2026 - 01 - 13))
        .await
        .unwrap();
    assert_eq!(view.stage, Some(PublicityStage::Open));
    assert!(view.lines.iter().any(|l| l.description == "班级合唱比赛"));
    assert!(view.lines.iter().all(|l| l.category_zh != "家访"));
    let json = serde_json::to_string(&view).unwrap();
    assert!(
        !json.contains(&child_student_no()) && !json.contains("家访") && !json.contains("请附照片"),
        "{json}"
    );

    // The parent objects to their child's record; not to another child's, not after the window.
    let sung = view
        .lines
        .iter()
        .find(|l| l.student_id == child && l.description == "班级合唱比赛")
        .unwrap()
        .record_id;
    // Another child's record (七年级2班): not the parent's to object to.
    let other_record = class_archive(svc, &school, a, ClassId(ids.class_a7_2), term())
        .await
        .unwrap()
        .records
        .iter()
        .find(|r| r.student_id == StudentId(ids.other_a))
        .unwrap()
        .id;
    let objection = object(
        svc,
        &parent,
        &p_who,
        a,
        sung,
        "孩子当天请假，未参加",
        date!(2026 - 01 - 14),
    )
    .await
    .unwrap();
    assert!(matches!(
        object(
            svc,
            &parent,
            &p_who,
            a,
            other_record,
            "不对",
            date!(2026 - 01 - 14)
        )
        .await,
        Err(ServiceError::Forbidden)
    ));
    assert!(matches!(
        object(svc, &parent, &p_who, a, sung, "再提一次", date!(2026 - 01 - 19)).await,
        Err(ServiceError::BadRequest(m)) if m.contains("不在公示期内")
    ));
    assert_eq!(count_actions(svc, "archive_objection").await, 1);
    let mine = publicity(svc, &parent, a, c71, term(), date!(2026 - 01 - 14))
        .await
        .unwrap();
    assert_eq!(mine.objections.len(), 1);
    assert!(mine.may_object && !mine.may_sign && !mine.may_open);

    // 家长确认: the parent confirms their own child's archive in the window (twice changes
    // nothing); not another child's, not after the window, and a teacher cannot confirm.
    let in_window = date!(2026 - 01 - 14);
    confirm_archive(svc, &parent, &p_who, a, child, term(), in_window)
        .await
        .unwrap();
    confirm_archive(svc, &parent, &p_who, a, child, term(), in_window)
        .await
        .unwrap();
    assert!(matches!(
        confirm_archive(
            svc,
            &parent,
            &p_who,
            a,
            StudentId(ids.other_a),
            term(),
            in_window
        )
        .await,
        Err(ServiceError::Forbidden)
    ));
    assert!(matches!(
        confirm_archive(svc, &parent, &p_who, a, child, term(), date!(2026 - 01 - 19)).await,
        Err(ServiceError::BadRequest(m)) if m.contains("不在公示期内")
    ));
    assert!(matches!(
        confirm_archive(svc, &teacher, &t_who, a, child, term(), in_window).await,
        Err(ServiceError::Forbidden)
    ));
    assert_eq!(count_actions(svc, "archive_confirm").await, 2);
    let head_view = publicity(svc, &teacher, a, c71, term(), in_window)
        .await
        .unwrap();
    assert_eq!(head_view.confirmations.len(), 1);
    assert_eq!(head_view.confirmations[0].student_id, child);
    assert_eq!(head_view.confirmations[0].confirmed_by, "parent-a");
    assert!(!head_view.confirmations[0].student_name.is_empty());
    assert!(
        head_view.confirmations[0].confirmed_at > 0,
        "when it was confirmed"
    );

    // Signing: not in the window, not with an objection unanswered, 校长 not first.
    assert!(matches!(
        sign_publicity(svc, &teacher, &t_who, a, c71, term(), date!(2026 - 01 - 16)).await,
        Err(ServiceError::BadRequest(m)) if m.contains("期满后")
    ));
    assert!(matches!(
        sign_publicity(svc, &teacher, &t_who, a, c71, term(), date!(2026 - 01 - 19)).await,
        Err(ServiceError::BadRequest(m)) if m.contains("1 条质疑未答复")
    ));
    assert!(matches!(
        sign_publicity(svc, &school, &s_who, a, c71, term(), date!(2026 - 01 - 19)).await,
        Err(ServiceError::BadRequest(m)) if m.contains("班主任尚未签字")
    ));
    assert!(matches!(
        answer_objection(svc, &other_head, &o_who, a, objection, "不是我班").await,
        Err(ServiceError::Forbidden)
    ));
    answer_objection(
        svc,
        &teacher,
        &t_who,
        a,
        objection,
        "已核实签到表，当天参加",
    )
    .await
    .unwrap();
    sign_publicity(svc, &teacher, &t_who, a, c71, term(), date!(2026 - 01 - 19))
        .await
        .unwrap();
    let view = publicity(svc, &school, a, c71, term(), date!(2026 - 01 - 19))
        .await
        .unwrap();
    assert_eq!(view.stage, Some(PublicityStage::HeadSigned));
    assert!(view.may_sign);
    sign_publicity(svc, &school, &s_who, a, c71, term(), date!(2026 - 01 - 20))
        .await
        .unwrap();
    let view = publicity(svc, &teacher, a, c71, term(), date!(2026 - 01 - 21))
        .await
        .unwrap();
    assert_eq!(view.stage, Some(PublicityStage::Locked));
    assert_eq!(
        view.objections[0].answer.as_deref(),
        Some("已核实签到表，当天参加")
    );
    assert!(matches!(
        sign_publicity(svc, &school, &s_who, a, c71, term(), date!(2026 - 01 - 21)).await,
        Err(ServiceError::BadRequest(m)) if m.contains("已签字归档锁定")
    ));
    assert_eq!(count_actions(svc, "archive_sign_head").await, 1);
    assert_eq!(count_actions(svc, "archive_sign_principal").await, 1);

    // Locked for good: the returned record may not be resubmitted or reviewed.
    match review(svc, &teacher, &t_who, a, &[dishes], &Review::Approve).await {
        Err(ServiceError::BadRequest(m)) => assert!(m.contains("锁定"), "{m}"),
        other => panic!("{other:?}"),
    }

    // The report card carries both signatures with names and dates.
    if wuyu_service::bulletin::PDF_AVAILABLE {
        let pdf = report_card_pdf(svc, &parent, &p_who, a, child)
            .await
            .unwrap();
        let lines = wuyu_testkit::pdf_lines(&pdf);
        let head = format!(
            "班主任（2025–2026学年秋季学期）{}2026-01-19",
            teacher.user.display_name
        );
        let principal = format!(
            "校长（2025–2026学年秋季学期）{}2026-01-20",
            school.user.display_name
        );
        for want in [head, principal] {
            // pdf_lines drops whitespace, names included.
            let want: String = want.split_whitespace().collect();
            assert!(lines.iter().any(|l| l.contains(&want)), "{want}: {lines:?}");
        }
    }
}

/// A photo and a certificate on the 班主任's class activity: a file of the wrong kind, a
/// renamed file and one over the cap are refused by name with nothing written; the good
/// files are stored once with their SHA-256 and listed on every student's record; the parent
/// downloads their own child's (audited), never another child's (refused, audited), and
/// neither may a counsellor or another school's teacher.
async fn evidence_story(store: Arc<dyn Store>) {
    let (svc, ids) = setup(store).await;
    let a = SchoolId(ids.school_a);
    let c71 = ClassId(ids.class_a7_1);
    let (teacher, t_who) = viewer(&svc, "teacher-a").await;
    let form = ActivityForm {
        category: "志愿服务".into(),
        date: "2025-11-20".into(),
        end_date: String::new(),
        hours: "3".into(),
        travel: "0.5".into(),
        organiser: "社区".into(),
        description: "敬老院服务".into(),
    };
    let photo = UploadedFile::new("合影.jpg", b"\xff\xd8\xff\xe0 a photo".to_vec());
    let cert = UploadedFile::new("证书.pdf", b"%PDF-1.7 a certificate".to_vec());
    let record = |files: Vec<UploadedFile>| {
        let (svc, teacher, t_who, form) = (&svc, &teacher, &t_who, &form);
        async move {
            record_class_activity(
                svc,
                teacher,
                t_who,
                a,
                c71,
                term(),
                &Attendees::WholeClass,
                form,
                &files,
            )
            .await
        }
    };
    let big = UploadedFile::new("大照片.jpg", vec![0xff; MAX_EVIDENCE_BYTES + 1]);
    let renamed = UploadedFile::new("奖状.png", b"MZ\x90\x00 not a png".to_vec());
    let sheet = UploadedFile::new("名单.xlsx", b"PK\x03\x04 a sheet".to_vec());
    for (bad, name, why) in [
        (big, "大照片.jpg", "上限"),
        (renamed, "奖状.png", "不符"),
        (sheet, "名单.xlsx", "只接受 JPG、PNG 照片和 PDF"),
    ] {
        match record(vec![photo.clone(), bad]).await {
            Err(ClassRecordError::Fields(e)) => {
                assert_eq!(e.len(), 1, "{e:?}");
                assert_eq!(e[0].field, "evidence");
                assert!(
                    e[0].message.contains(name) && e[0].message.contains(why),
                    "{e:?}"
                );
            }
            other => panic!("expected a refusal of {name}, got {other:?}"),
        }
    }
    let page = class_archive(&svc, &teacher, a, c71, term()).await.unwrap();
    assert!(page.records.is_empty(), "nothing written");

    let made = record(vec![photo.clone(), cert.clone()]).await.unwrap();
    assert_eq!(made.len(), 2);
    let page = class_archive(&svc, &teacher, a, c71, term()).await.unwrap();
    assert_eq!(page.records.len(), 2);
    for r in &page.records {
        let names: Vec<&str> = r.evidence.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["合影.jpg", "证书.pdf"]);
        assert_eq!(r.evidence[0].sha256, photo.sha256());
        assert_eq!(r.evidence[1].content_type, "application/pdf");
        assert_eq!(r.evidence[1].size, cert.bytes.len() as i64);
    }
    // One stored file per upload, linked to both students' records.
    assert_eq!(page.records[0].evidence, page.records[1].evidence);

    let mine = page
        .records
        .iter()
        .find(|r| r.student_id == StudentId(ids.child))
        .unwrap();
    let theirs = page
        .records
        .iter()
        .find(|r| r.student_id != StudentId(ids.child))
        .unwrap();
    let (parent, p_who) = viewer(&svc, "parent-a").await;
    let downloads = count_actions(&svc, "archive_evidence_download").await;
    let got = evidence_file(&svc, &parent, &p_who, a, mine.id, mine.evidence[1].id)
        .await
        .unwrap();
    assert_eq!(
        (got.name.as_str(), got.bytes),
        ("证书.pdf", cert.bytes.clone())
    );
    assert_eq!(got.sha256, cert.sha256());
    assert_eq!(
        count_actions(&svc, "archive_evidence_download").await,
        downloads + 1
    );
    let entry = svc
        .store()
        .list_audit(1000)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.entry.action == "archive_evidence_download")
        .unwrap()
        .entry;
    assert_eq!(entry.entity, format!("student:{}", ids.child));
    assert_eq!(entry.username, "parent-a");

    let denied = count_actions(&svc, "archive_evidence_denied").await;
    assert!(matches!(
        evidence_file(&svc, &parent, &p_who, a, theirs.id, theirs.evidence[0].id).await,
        Err(ServiceError::Forbidden)
    ));
    for who in ["counsellor-a", "teacher-b"] {
        let (v, w) = viewer(&svc, who).await;
        assert!(
            matches!(
                evidence_file(&svc, &v, &w, a, mine.id, mine.evidence[0].id).await,
                Err(ServiceError::Forbidden)
            ),
            "{who}"
        );
    }
    assert_eq!(
        count_actions(&svc, "archive_evidence_denied").await,
        denied + 3
    );
    // The 班主任 reads both; a file id the record does not carry is not found.
    let got = evidence_file(&svc, &teacher, &t_who, a, theirs.id, theirs.evidence[0].id)
        .await
        .unwrap();
    assert_eq!(got.bytes, photo.bytes);
    assert!(matches!(
        evidence_file(&svc, &teacher, &t_who, a, theirs.id, 999).await,
        Err(ServiceError::NotFound)
    ));
    // The student's archive lists the files on the record as well.
    review(&svc, &teacher, &t_who, a, &made, &Review::Approve)
        .await
        .unwrap();
    let archive = student_archive(&svc, &parent, &p_who, a, StudentId(ids.child))
        .await
        .unwrap();
    let practice = archive
        .domains
        .iter()
        .find(|d| d.label_zh == "社会实践")
        .unwrap();
    assert_eq!(practice.records[0].evidence.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evidence_sqlite() {
    let db = wuyu_testkit::sqlite().await;
    evidence_story(Arc::clone(&db.store)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evidence_postgres() {
    if let Some(db) = wuyu_testkit::postgres().await {
        evidence_story(Arc::clone(&db.store)).await;
    }
}

/// A parent's own entries: a 家务劳动 check-in with a photo arrives submitted for the 班主任;
/// negative hours, a day over 24 hours (with what the child already has that day), a date
/// outside the term, a category the school records, another family's child — each refused in
/// Chinese at its field, nothing stored; the 班主任 returns the entry with a reason the parent
/// then reads.
async fn family_story(store: Arc<dyn Store>) {
    let (svc, ids) = setup(store).await;
    let a = SchoolId(ids.school_a);
    let c71 = ClassId(ids.class_a7_1);
    let child = StudentId(ids.child);
    let (parent, p_who) = viewer(&svc, "parent-a").await;
    let (teacher, t_who) = viewer(&svc, "teacher-a").await;
    let chores = ActivityForm {
        category: "家务劳动".into(),
        date: "2025-11-20".into(),
        end_date: String::new(),
        hours: "2".into(),
        travel: String::new(),
        organiser: String::new(),
        description: "洗碗、拖地".into(),
    };
    let photo = UploadedFile::new("拖地.jpg", b"\xff\xd8\xff\xe0 mopping".to_vec());
    let enter = |form: ActivityForm, student: StudentId| {
        let (svc, parent, p_who) = (&svc, &parent, &p_who);
        let photo = photo.clone();
        async move { record_family_entry(svc, parent, p_who, a, student, term(), &form, &[photo]).await }
    };
    let id = enter(chores.clone(), child).await.unwrap();
    let page = class_archive(&svc, &teacher, a, c71, term()).await.unwrap();
    assert_eq!(page.awaiting.len(), 1);
    let r = &page.awaiting[0];
    assert_eq!((r.id, r.student_id), (id, child));
    assert_eq!(
        (r.category, r.entrant, r.hours),
        (
            ActivityCategory::LaborHome,
            wuyu_domain::Entrant::Parent,
            Tenths(20)
        )
    );
    assert_eq!(r.evidence[0].name, "拖地.jpg");

    let refused =
        |field: &'static str, form: ActivityForm, student: StudentId, says: &'static str| {
            let enter = &enter;
            async move {
                match enter(form, student).await {
                    Err(ClassRecordError::Fields(e)) => {
                        assert!(
                            e.iter()
                                .any(|e| e.field == field && e.message.contains(says)),
                            "{field}: {e:?}"
                        );
                    }
                    other => panic!("{field}: expected a refusal, got {other:?}"),
                }
            }
        };
    let with = |f: fn(&mut ActivityForm)| {
        let mut form = chores.clone();
        f(&mut form);
        form
    };
    refused(
        "hours",
        with(|f| f.hours = "-1".into()),
        child,
        "不能为负数",
    )
    .await;
    refused(
        "hours",
        with(|f| f.hours = "25".into()),
        child,
        "最多 24 小时",
    )
    .await;
    refused(
        "hours",
        with(|f| f.hours = "22.5".into()),
        child,
        "已记录 2 小时",
    )
    .await;
    refused(
        "date",
        with(|f| f.date = "2026-03-01".into()),
        child,
        "2026-03-01",
    )
    .await;
    refused(
        "category",
        with(|f| f.category = "研学旅行".into()),
        child,
        "只能填报家务劳动或志愿服务",
    )
    .await;
    refused(
        "student",
        chores.clone(),
        StudentId(ids.other_a),
        "不是您绑定的孩子",
    )
    .await;
    let (counsellor, c_who) = viewer(&svc, "counsellor-a").await;
    assert!(matches!(
        record_family_entry(&svc, &counsellor, &c_who, a, child, term(), &chores, &[]).await,
        Err(ClassRecordError::Service(ServiceError::Forbidden))
    ));
    let page = class_archive(&svc, &teacher, a, c71, term()).await.unwrap();
    assert_eq!(page.records.len(), 1, "nothing stored by a refused entry");

    // Volunteer service with hours on another day: 22 more hours that day are fine.
    let mut service = with(|f| f.hours = "22".into());
    service.category = "志愿服务".into();
    service.date = "2025-11-22".into();
    service.organiser = "社区".into();
    enter(service, child).await.unwrap();

    review(
        &svc,
        &teacher,
        &t_who,
        a,
        &[id],
        &Review::Return("照片看不清".into()),
    )
    .await
    .unwrap();
    let mine = student_archive(&svc, &parent, &p_who, a, child)
        .await
        .unwrap();
    let returned = mine.pending.iter().find(|r| r.id == id).unwrap();
    assert_eq!(returned.return_reason.as_deref(), Some("照片看不清"));
    assert_eq!(mine.pending.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn family_sqlite() {
    let db = wuyu_testkit::sqlite().await;
    family_story(Arc::clone(&db.store)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn family_postgres() {
    if let Some(db) = wuyu_testkit::postgres().await {
        family_story(Arc::clone(&db.store)).await;
    }
}
