//! 心理健康 through the service on both backends: a campaign, consent, answers imported and
//! scored at write, a crisis case opened by a level-3 result, the 班主任's flags, break-glass,
//! suppressed aggregates — and every role that must not see a child's record refused, and
//! audited.
use std::sync::Arc;

use wuyu_domain::roster::NewAssignment;
use wuyu_domain::{
    Grade, Origin, Role, RosterBatch, SchoolCode, SchoolId, StudentId, TeacherId, Viewer,
};
use wuyu_service::audit::Requester;
use wuyu_service::psych::*;
use wuyu_service::{Service, ServiceError};
use wuyu_standards::scales::AttentionLevel;
use wuyu_store::{ImportMeta, NewUser, Store};
use wuyu_testkit::{Ids, cheap_hash, child_student_no};

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

/// The fixture plus: 孙老师 (teacher-a) is 班主任 of 七年级1班, 钱老师 (teacher-a2, a new
/// account) of 七年级2班; school B gets its own counsellor.
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
    let t02: TeacherId = store
        .list_assignments(&wuyu_domain::Scope::District, SchoolId(ids.school_a))
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.staff_no == "T02")
        .unwrap()
        .teacher_id;
    for (name, role, school, teacher) in [
        ("teacher-a2", Role::Teacher, ids.school_a, Some(t02)),
        ("counsellor-b", Role::Counsellor, ids.school_b, None),
    ] {
        store
            .create_user(&NewUser {
                username: name.into(),
                display_name: name.into(),
                role,
                password_hash: cheap_hash("x"),
                school_id: Some(SchoolId(school)),
                teacher_id: teacher,
                student_id: None,
            })
            .await
            .unwrap();
    }
    (svc, ids)
}

async fn viewer(svc: &Service, username: &str) -> (Viewer, Requester) {
    wuyu_service::accounts::acting_as(svc, username, "127.0.0.1")
        .await
        .unwrap()
        .unwrap()
}

fn answers_csv(rows: &[&str]) -> Vec<u8> {
    let mut s = String::from("学籍号");
    for i in 1..=9 {
        s.push_str(&format!(",phq9_{i}"));
    }
    for i in 1..=7 {
        s.push_str(&format!(",gad7_{i}"));
    }
    for i in 1..=5 {
        s.push_str(&format!(",asq_{i}"));
    }
    s.push('\n');
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    s.into_bytes()
}

/// PHQ item 9 = 2 (危机) for the child; all zeros for 李小红; GAD 16 (重点关注) for 赵敏;
/// 王磊 (consent refused) and 陈晨 (no consent recorded) are not screened.
fn first_file() -> Vec<u8> {
    let child = child_student_no();
    answers_csv(&[
        &format!("{child},1,1,1,1,1,1,1,1,2,0,0,0,0,0,0,0,no,no,no,no,"),
        "A2024070102,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,no,no,no,no,",
        "A2024070202,0,0,0,0,0,0,0,0,0,3,3,3,3,2,1,1,no,no,no,no,",
        "A2024070201,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,no,no,no,no,",
        "A2023080101,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,no,no,no,no,",
    ])
}

async fn denied_entries(svc: &Service) -> usize {
    svc.store()
        .list_audit(10_000)
        .await
        .unwrap()
        .iter()
        .filter(|r| r.entry.action == "psych_denied")
        .count()
}

async fn story(store: Arc<dyn Store>) {
    let (svc, ids) = setup(store).await;
    let a = SchoolId(ids.school_a);
    let (counsellor, c_who) = viewer(&svc, "counsellor-a").await;

    // A campaign of 七/八年级 with the three built-in scales.
    let bad = CampaignInput {
        name: "2025学年心理筛查".into(),
        school_year: 2025,
        scales: vec!["phq9".into(), "maybe".into()],
        grades: vec![7, 8],
        opens_on: "2025-10-08".into(),
        closes_on: "2025-10-20".into(),
        custom_scale: String::new(),
    };
    let e = create_campaign(&svc, &counsellor, &c_who, a, &bad)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, ServiceError::BadRequest(m) if m.contains("maybe")),
        "{e:?}"
    );
    let input = CampaignInput {
        scales: vec!["phq9".into(), "gad7".into(), "asq".into()],
        ..bad
    };
    let camp = create_campaign(&svc, &counsellor, &c_who, a, &input)
        .await
        .unwrap();

    // Consent: two given in 7-1, 赵敏 given, 王磊 refused, 陈晨 none.
    let consent = |student: i64, guardian, assent| ConsentInput {
        campaign_id: camp,
        student_id: StudentId(student),
        guardian,
        assent,
        decided_on: "2025-10-01".into(),
        channel: ConsentChannel::Paper,
    };
    let id_of = async |no: &str| {
        svc.store()
            .list_students(&wuyu_domain::Scope::District, a, None)
            .await
            .unwrap()
            .into_iter()
            .find(|s| s.student_no.as_str() == no)
            .unwrap()
            .id
            .0
    };
    let li = id_of("A2024070102").await;
    let zhao = id_of("A2024070202").await;
    for c in [
        consent(ids.child, GuardianConsent::Given, true),
        consent(li, GuardianConsent::Given, true),
        consent(zhao, GuardianConsent::Given, true),
        consent(ids.other_a, GuardianConsent::Refused, false),
    ] {
        record_consent(&svc, &counsellor, &c_who, a, &c)
            .await
            .unwrap();
    }

    // A bad answer (4 on PHQ-9) rejects the file with the cell named; nothing is written.
    let child = child_student_no();
    let bad_file = answers_csv(&[&format!(
        "{child},0,0,0,0,0,0,0,0,4,0,0,0,0,0,0,0,no,no,no,no,"
    )]);
    let e = import_answers(&svc, &counsellor, &c_who, a, camp, &bad_file, "bad.csv")
        .await
        .unwrap_err();
    let ServiceError::Rejected(rows) = e else {
        panic!("{e:?}")
    };
    assert_eq!(
        (rows[0].row, rows[0].column.as_str(), rows[0].value.as_str()),
        (2, "phq9_9", "4")
    );
    assert!(
        responses(&svc, &counsellor, &c_who, a, camp)
            .await
            .unwrap()
            .is_empty()
    );

    // The real file: 3 written, 2 without consent counted, one crisis case opened at once.
    let out = import_answers(
        &svc,
        &counsellor,
        &c_who,
        a,
        camp,
        &first_file(),
        "answers.csv",
    )
    .await
    .unwrap();
    assert_eq!(out.summary.written, 3);
    assert_eq!(out.summary.by_level, [1, 0, 1, 1]);
    assert_eq!(out.summary.cases_opened, 1);
    let skipped: Vec<&str> = out
        .summary
        .refused_no_consent
        .iter()
        .map(|r| r.1.as_str())
        .collect();
    assert_eq!(skipped, ["A2024070201", "A2023080101"]);

    // A second submission of the same student is refused; nothing changes.
    let again = answers_csv(&["A2024070102,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,no,no,no,no,"]);
    let e = import_answers(&svc, &counsellor, &c_who, a, camp, &again, "again.csv")
        .await
        .unwrap_err();
    assert!(
        matches!(&e, ServiceError::Rejected(r) if r[0].message_zh.contains("重复")),
        "{e:?}"
    );

    // The counsellor sees answers, scores and levels, highest level first.
    let rs = responses(&svc, &counsellor, &c_who, a, camp).await.unwrap();
    let levels: Vec<(String, AttentionLevel)> = rs
        .iter()
        .map(|r| (r.student_no.clone(), r.result.level))
        .collect();
    assert_eq!(
        levels,
        [
            (child.clone(), AttentionLevel::Crisis),
            ("A2024070202".into(), AttentionLevel::Focus),
            ("A2024070102".into(), AttentionLevel::None),
        ]
    );
    assert_eq!(rs[1].result.gad.unwrap().total, Some(16));
    assert_eq!(rs[0].answers.phq.unwrap()[8], Some(2));

    // Everyone else is refused the answers, and every refusal is audited.
    let before = denied_entries(&svc).await;
    for user in [
        "counsellor-b",
        "teacher-a",
        "parent-a",
        "district",
        "analyst",
        "school-a",
    ] {
        let (v, w) = viewer(&svc, user).await;
        let e = responses(&svc, &v, &w, a, camp).await.unwrap_err();
        assert!(matches!(e, ServiceError::Forbidden), "{user}: {e:?}");
        let e = student_record(&svc, &v, &w, a, StudentId(ids.child))
            .await
            .unwrap_err();
        assert!(matches!(e, ServiceError::Forbidden), "{user}: {e:?}");
    }
    assert_eq!(denied_entries(&svc).await, before + 12);

    // The 班主任 of 七年级1班 sees the child's flag only (李小红 is at 0); of 2班, 赵敏's.
    let (ta, ta_who) = viewer(&svc, "teacher-a").await;
    let flags = class_flags(&svc, &ta, &ta_who).await.unwrap();
    let seen: Vec<(i64, AttentionLevel)> =
        flags.iter().map(|f| (f.student_id.0, f.level)).collect();
    assert_eq!(seen, [(ids.child, AttentionLevel::Crisis)]);
    let (t2, t2_who) = viewer(&svc, "teacher-a2").await;
    let flags2 = class_flags(&svc, &t2, &t2_who).await.unwrap();
    assert_eq!(
        flags2.iter().map(|f| f.student_id.0).collect::<Vec<_>>(),
        [zhao]
    );
    // A teacher who is 班主任 of no class, a parent, a counsellor: refused.
    for user in ["teacher-b", "parent-a", "counsellor-a", "district"] {
        let (v, w) = viewer(&svc, user).await;
        assert!(
            matches!(
                class_flags(&svc, &v, &w).await,
                Err(ServiceError::Forbidden)
            ),
            "{user}"
        );
    }

    // The crisis case: four steps; a task given to the 班主任 shows in their flags.
    let view = cases(&svc, &counsellor, &c_who, a).await.unwrap();
    assert_eq!(view.cases.len(), 1);
    let case = &view.cases[0];
    assert_eq!(case.student_id.0, ids.child);
    let kinds: Vec<StepKind> = case.steps.iter().map(|s| s.kind).collect();
    assert_eq!(
        kinds,
        [
            StepKind::HeadTeacherInformed,
            StepKind::GuardianInformed,
            StepKind::SafetyPlan,
            StepKind::Referral
        ]
    );
    assert!(view.overdue.is_empty(), "nothing is due yet");
    follow_up(
        &svc,
        &counsellor,
        &c_who,
        a,
        case.id,
        Assignee::HeadTeacher,
        2,
    )
    .await
    .unwrap();
    let flags = class_flags(&svc, &ta, &ta_who).await.unwrap();
    assert_eq!(flags[0].tasks.len(), 1);
    assert_eq!(flags[0].tasks[0].kind, StepKind::FollowUp);
    // A follow-up due today (0 days) is not overdue; 转介 needs an institution; no outcome,
    // no closing.
    let e = complete_step(
        &svc,
        &counsellor,
        &c_who,
        a,
        (case.id, 4),
        &StepReport::default(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&e, ServiceError::BadRequest(m) if m.contains("医疗机构")),
        "{e:?}"
    );
    complete_step(
        &svc,
        &counsellor,
        &c_who,
        a,
        (case.id, 4),
        &StepReport {
            note: "家长同意就诊".into(),
            institution: Some("区精神卫生中心".into()),
        },
    )
    .await
    .unwrap();
    let e = close_case(&svc, &counsellor, &c_who, a, case.id, "  ")
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceError::BadRequest(_)));
    let (cb, cb_who) = viewer(&svc, "counsellor-b").await;
    assert!(matches!(
        close_case(&svc, &cb, &cb_who, a, case.id, "已好转").await,
        Err(ServiceError::Forbidden)
    ));

    // Break-glass: needs a reason, the admin role, and it shows on the counsellor's page.
    let (d, d_who) = viewer(&svc, "district").await;
    let child_id = StudentId(ids.child);
    assert!(matches!(
        break_glass_record(&svc, &d, &d_who, a, child_id, " ").await,
        Err(ServiceError::BadRequest(_))
    ));
    let (an, an_who) = viewer(&svc, "analyst").await;
    assert!(matches!(
        break_glass_record(&svc, &an, &an_who, a, child_id, "核实家长投诉情况").await,
        Err(ServiceError::Forbidden)
    ));
    let rec = break_glass_record(&svc, &d, &d_who, a, child_id, "核实家长投诉情况")
        .await
        .unwrap();
    assert_eq!(rec.responses.len(), 1);
    assert_eq!(rec.cases.len(), 1);
    let view = cases(&svc, &counsellor, &c_who, a).await.unwrap();
    assert_eq!(view.break_glass.len(), 1);
    assert!(
        view.break_glass[0]
            .entry
            .detail
            .contains("核实家长投诉情况")
    );
    close_case(&svc, &counsellor, &c_who, a, case.id, "已就诊，情绪稳定")
        .await
        .unwrap();
    let view = cases(&svc, &counsellor, &c_who, a).await.unwrap();
    assert!(view.cases[0].closed);

    // The parent sees their own child's consent, and nobody else's.
    let (p, p_who) = viewer(&svc, "parent-a").await;
    let mine = child_consents(&svc, &p, &p_who, child_id).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].guardian, GuardianConsent::Given);
    assert!(matches!(
        child_consents(&svc, &p, &p_who, StudentId(ids.other_a)).await,
        Err(ServiceError::Forbidden)
    ));

    // Aggregates: three screened students — every cell is under 10, so nothing is published.
    let agg = aggregates(&svc, &an, &an_who, 2025).await.unwrap();
    let row_a = &agg.rows[0];
    assert_eq!(row_a.screened.0, None);
    assert!(row_a.levels.iter().all(|c| c.0.is_none()));
    assert_eq!(agg.total.screened.0, None);
    assert!(matches!(
        aggregates(&svc, &ta, &ta_who, 2025).await,
        Err(ServiceError::Forbidden)
    ));

    // Every individual read above left an entry.
    let log = svc.store().list_audit(10_000).await.unwrap();
    for action in [
        "psych_read_responses",
        "psych_read_flags",
        "psych_read_cases",
        "psych_break_glass",
        "psych_read_child_consent",
    ] {
        assert!(log.iter().any(|r| r.entry.action == action), "{action}");
    }
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
