//! 教师考核 through the service on both backends: a school imports its appraisal inputs
//! (teachers outside the roster or of another school refused, nothing written), sees the cap
//! arithmetic, a teacher sees only their own result, the 公示 freezes the proposal, the
//! district approves after it, the teacher's appeal is recorded and answered and the result
//! confirmed — every read and step in the audit log.
use std::sync::Arc;

use time::macros::date;
use wuyu_analytics::appraisal::Level;
use wuyu_domain::{SchoolId, Viewer};
use wuyu_service::audit::Requester;
use wuyu_service::staff::*;
use wuyu_service::{Service, ServiceError};
use wuyu_store::Store;

async fn viewer(svc: &Service, username: &str) -> (Viewer, Requester) {
    wuyu_service::accounts::acting_as(svc, username, "127.0.0.1")
        .await
        .unwrap()
        .unwrap()
}

const HEADER: &str =
    "学校,单位考核结果,工号,考核得分,组织评价得分,初任月数,病事假天数,立案调查,师德违规,处分\n";

async fn story(store: Arc<dyn Store>) {
    let svc = Service::new(Arc::clone(&store));
    let ids = wuyu_testkit::district::load(store.as_ref()).await;
    let a = SchoolId(ids.school_a);
    let (school, school_who) = viewer(&svc, "school-a").await;
    let (district, district_who) = viewer(&svc, "district").await;
    let (teacher, teacher_who) = viewer(&svc, "teacher-a").await; // T01
    let (teacher_b, teacher_b_who) = viewer(&svc, "teacher-b").await;
    let (parent, parent_who) = viewer(&svc, "parent-a").await;

    // A teacher not in the roster and another school's row: refused, nothing written.
    let bad = format!(
        "{HEADER}S001,一般,T01,55,60,,,,,\nS001,一般,T99,90,90,,,,,\nS002,一般,T11,90,90,,,,,\n"
    );
    let e = import_appraisal(
        &svc,
        &school,
        &school_who,
        a,
        2024,
        bad.as_bytes(),
        "考核.csv",
    )
    .await
    .unwrap_err();
    let ServiceError::Rejected(rows) = e else {
        panic!("{e:?}")
    };
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(
        (rows[0].row, rows[0].column.as_str(), rows[0].value.as_str()),
        (3, "工号", "T99")
    );
    assert_eq!((rows[1].row, rows[1].value.as_str()), (4, "S002"));
    assert!(
        appraisal(&svc, &school, &school_who, a, 2024)
            .await
            .unwrap()
            .is_none()
    );

    // A score outside 0–100, a duplicate teacher and a sanction not in the list: each named,
    // the whole file refused, nothing written.
    let bad = format!(
        "{HEADER}S001,一般,T01,101,60,,,,,\nS001,一般,T02,80,-1,,,,,\nS001,一般,T01,70,70,,,,,\nS001,一般,T02,80,80,,,,,严重警告\n"
    );
    let e = import_appraisal(
        &svc,
        &school,
        &school_who,
        a,
        2024,
        bad.as_bytes(),
        "考核.csv",
    )
    .await
    .unwrap_err();
    let ServiceError::Rejected(rows) = e else {
        panic!("{e:?}")
    };
    let named: Vec<(u32, &str, &str)> = rows
        .iter()
        .map(|r| (r.row, r.column.as_str(), r.value.as_str()))
        .collect();
    for expected in [
        (2, "考核得分", "101"),
        (3, "组织评价得分", "-1"),
        (4, "工号", "T01"),
        (5, "处分", "严重警告"),
    ] {
        assert!(named.contains(&expected), "{expected:?} not in {named:?}");
    }
    assert!(rows.iter().all(|r| !r.message_zh.is_empty()));
    assert!(
        appraisal(&svc, &school, &school_who, a, 2024)
            .await
            .unwrap()
            .is_none()
    );

    // A teacher cannot import; the school can.
    let good = format!("{HEADER}S001,一般,T01,55,60,,,,,\nS001,一般,T02,92,90,,,,,\n");
    let e = import_appraisal(
        &svc,
        &teacher,
        &teacher_who,
        a,
        2024,
        good.as_bytes(),
        "考核.csv",
    )
    .await
    .unwrap_err();
    assert!(matches!(e, ServiceError::Forbidden), "{e:?}");
    let view = import_appraisal(
        &svc,
        &school,
        &school_who,
        a,
        2024,
        good.as_bytes(),
        "考核.csv",
    )
    .await
    .unwrap();
    let level = |v: &AppraisalView, no: &str| {
        v.rows
            .iter()
            .find(|r| r.staff_no == no)
            .unwrap()
            .input
            .level
    };
    assert_eq!(level(&view, "T01"), Level::Basic);
    assert_eq!(level(&view, "T02"), Level::Qualified); // N = 2: cap 0, the school alone is no pool
    assert_eq!(view.arithmetic.n_base, 2);
    assert_eq!(view.arithmetic.quota_percent, 20);
    assert_eq!(view.arithmetic.product, "0.40");
    assert_eq!(view.arithmetic.cap, 0);

    // Who sees what.
    let own = appraisal(&svc, &teacher, &teacher_who, a, 2024)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(own.rows.len(), 1);
    assert_eq!(own.rows[0].staff_no, "T01");
    assert_eq!(
        appraisal(&svc, &district, &district_who, a, 2024)
            .await
            .unwrap()
            .unwrap()
            .rows
            .len(),
        2
    );
    for (v, w) in [(&teacher_b, &teacher_b_who), (&parent, &parent_who)] {
        let e = appraisal(&svc, v, w, a, 2024).await.unwrap_err();
        assert!(matches!(e, ServiceError::Forbidden), "{e:?}");
    }

    // 公示 of five working days freezes the proposal; only the district approves, after it.
    let last = publicise(&svc, &school, &school_who, a, 2024, date!(2024 - 07 - 08))
        .await
        .unwrap();
    assert_eq!(last, date!(2024 - 07 - 12));
    let e = import_appraisal(
        &svc,
        &school,
        &school_who,
        a,
        2024,
        good.as_bytes(),
        "考核.csv",
    )
    .await
    .unwrap_err();
    assert!(matches!(e, ServiceError::Conflict(_)), "{e:?}");
    let e = approve(&svc, &school, &school_who, a, 2024, date!(2024 - 07 - 15))
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceError::Forbidden), "{e:?}");
    let e = approve(
        &svc,
        &district,
        &district_who,
        a,
        2024,
        date!(2024 - 07 - 12),
    )
    .await
    .unwrap_err();
    assert!(matches!(e, ServiceError::BadRequest(_)), "{e:?}");

    // The teacher appeals their 基本合格; the district answers after approval; the teacher confirms.
    appeal(&svc, &teacher, &teacher_who, a, 2024, "第二学期课时未计入")
        .await
        .unwrap();
    approve(
        &svc,
        &district,
        &district_who,
        a,
        2024,
        date!(2024 - 07 - 15),
    )
    .await
    .unwrap();
    let t01 = own.rows[0].input.teacher_id;
    answer_appeal(
        &svc,
        &district,
        &district_who,
        a,
        2024,
        t01,
        "经复核维持基本合格",
    )
    .await
    .unwrap();
    confirm(&svc, &teacher, &teacher_who, a, 2024)
        .await
        .unwrap();
    let own = appraisal(&svc, &teacher, &teacher_who, a, 2024)
        .await
        .unwrap()
        .unwrap();
    let appeal = own.rows[0].appeal.clone().unwrap();
    assert_eq!(appeal.text, "第二学期课时未计入");
    assert_eq!(appeal.answer.as_deref(), Some("经复核维持基本合格"));
    assert!(own.rows[0].confirmed_at.is_some());
    assert_eq!(own.round.state, AppraisalState::Approved);

    let log = store.list_audit(100).await.unwrap();
    for action in [
        "import_appraisal",
        "read_appraisal",
        "read_own_appraisal",
        "publicise_appraisal",
        "approve_appraisal",
        "appeal_appraisal",
        "answer_appeal",
        "confirm_appraisal",
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

/// The district's list counts each round (no teacher rows), returns a round in 公示 with a
/// reason the school reads; the committee fills a tied place, never over the cap.
async fn workflow(store: Arc<dyn Store>) {
    use wuyu_analytics::appraisal::UnitRating;
    use wuyu_store::staff::NewAppraisal;

    let svc = Service::new(Arc::clone(&store));
    let ids = wuyu_testkit::district::load(store.as_ref()).await;
    let a = SchoolId(ids.school_a);
    let (school, school_who) = viewer(&svc, "school-a").await;
    let (district, district_who) = viewer(&svc, "district").await;
    let (teacher, teacher_who) = viewer(&svc, "teacher-a").await;

    // T01 vetoed (师德), T02 tied at the cap with a teacher of the same score: set up as the
    // rules leave a larger school, by the store (school A has only two teachers).
    let good = format!("{HEADER}S001,一般,T01,88,80,,,,是,\nS001,一般,T02,92,90,,,,,\n");
    import_appraisal(
        &svc,
        &school,
        &school_who,
        a,
        2024,
        good.as_bytes(),
        "考核.csv",
    )
    .await
    .unwrap();
    let list = rounds(&svc, &district, 2024).await.unwrap();
    assert_eq!(list.len(), 1);
    let s = &list[0];
    assert_eq!(
        (s.teachers, s.vetoes, s.excellent, s.committee),
        (2, 1, 0, 0)
    );
    assert_eq!(s.round.state, AppraisalState::Draft);
    assert!(rounds(&svc, &teacher, 2025).await.unwrap().is_empty());

    // The 公示 list is not posted for teachers while a draft; the export is not theirs at all.
    let e = publicity_list(&svc, &teacher, &teacher_who, a, 2024)
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceError::NotFound), "{e:?}");
    let e = appraisal_xlsx(&svc, &teacher, &teacher_who, a, 2024)
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceError::Forbidden), "{e:?}");
    let file = appraisal_xlsx(&svc, &school, &school_who, a, 2024)
        .await
        .unwrap();
    assert_eq!(file.rows, 2);

    // Returned from 公示 with a reason; the school reads it; a new 公示 clears it.
    publicise(&svc, &school, &school_who, a, 2024, date!(2024 - 07 - 08))
        .await
        .unwrap();
    let e = return_round(&svc, &school, &school_who, a, 2024, "x")
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceError::Forbidden), "{e:?}");
    let e = return_round(&svc, &district, &district_who, a, 2024, " ")
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceError::BadRequest(_)), "{e:?}");
    return_round(
        &svc,
        &district,
        &district_who,
        a,
        2024,
        "T02 的组织评价待核",
    )
    .await
    .unwrap();
    let v = appraisal(&svc, &school, &school_who, a, 2024)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(v.round.state, AppraisalState::Draft);
    assert_eq!(v.round.return_reason.as_deref(), Some("T02 的组织评价待核"));
    let e = return_round(&svc, &district, &district_who, a, 2024, "again")
        .await
        .unwrap_err();
    assert!(
        matches!(e, ServiceError::BadRequest(_)),
        "only a round in 公示: {e:?}"
    );
    publicise(&svc, &school, &school_who, a, 2024, date!(2024 - 07 - 15))
        .await
        .unwrap();
    let v = appraisal(&svc, &school, &school_who, a, 2024)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(v.round.return_reason, None);
    let list = publicity_list(&svc, &teacher, &teacher_who, a, 2024)
        .await
        .unwrap();
    assert_eq!((list.n_base, list.cap), (2, 0));
    assert!(list.excellent.is_empty());

    // The committee: two tied at a cap of 1.
    let t01 = store.teacher_by_staff_no(a, "T01").await.unwrap().unwrap();
    let t02 = store.teacher_by_staff_no(a, "T02").await.unwrap().unwrap();
    let row = |t| AppraisalInput {
        teacher_id: t,
        score: Some(90.0),
        org_score: Some(90.0),
        sources: ScoreSources::default(),
        first_job_months: None,
        leave_days: 0,
        under_investigation: false,
        ethics_violation: false,
        sanction: None,
        level: Level::Committee,
        committee_reason: None,
    };
    let audit = wuyu_store::AuditEntry {
        at: 1,
        user_id: None,
        username: "test".into(),
        action: "import_appraisal".into(),
        school_id: Some(a),
        entity: String::new(),
        detail: String::new(),
        ip: String::new(),
    };
    let draft = NewAppraisal {
        school_id: a,
        school_year: 2023,
        unit_rating: UnitRating::Normal,
        n_base: 5,
        cap: 1,
        rows: vec![row(t01), row(t02)],
    };
    store.save_appraisal(&draft, &audit).await.unwrap();
    let e = decide_committee(
        &svc,
        &teacher,
        &teacher_who,
        a,
        2023,
        t02,
        CommitteeChoice::Excellent,
        "公开课",
    )
    .await
    .unwrap_err();
    assert!(matches!(e, ServiceError::Forbidden), "{e:?}");
    decide_committee(
        &svc,
        &school,
        &school_who,
        a,
        2023,
        t02,
        CommitteeChoice::Excellent,
        "公开课获市一等奖",
    )
    .await
    .unwrap();
    let e = decide_committee(
        &svc,
        &school,
        &school_who,
        a,
        2023,
        t01,
        CommitteeChoice::Excellent,
        "同分",
    )
    .await
    .unwrap_err();
    let ServiceError::BadRequest(m) = e else {
        panic!("{e:?}")
    };
    assert!(m.contains("优秀名额已满"), "{m}");
    decide_committee(
        &svc,
        &school,
        &school_who,
        a,
        2023,
        t01,
        CommitteeChoice::Qualified,
        "同分，按组织评价",
    )
    .await
    .unwrap();
    let v = appraisal(&svc, &school, &school_who, a, 2023)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((v.arithmetic.excellent, v.arithmetic.committee), (1, 0));
    let t02_row = v.rows.iter().find(|r| r.staff_no == "T02").unwrap();
    assert_eq!(t02_row.input.level, Level::Excellent);
    assert_eq!(
        t02_row.input.committee_reason.as_deref(),
        Some("公开课获市一等奖")
    );
    // Nothing changes once the round is in 公示.
    let e = decide_committee(
        &svc,
        &school,
        &school_who,
        a,
        2024,
        t02,
        CommitteeChoice::Excellent,
        "x",
    )
    .await
    .unwrap_err();
    assert!(matches!(e, ServiceError::BadRequest(_)), "{e:?}");
    let log = store.list_audit(100).await.unwrap();
    for action in [
        "decide_committee",
        "return_appraisal",
        "export_appraisal",
        "read_appraisal_publicity",
    ] {
        assert!(log.iter().any(|r| r.entry.action == action), "{action}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workflow_sqlite() {
    let db = wuyu_testkit::sqlite().await;
    workflow(Arc::clone(&db.store)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workflow_postgres() {
    if let Some(db) = wuyu_testkit::postgres().await {
        workflow(Arc::clone(&db.store)).await;
    }
}

/// Schools whose cap is 0 are pooled at the district: N_pool = 7 → one 优秀 place, which goes
/// to the best teacher of either school; a round already in 公示 is left out.
async fn pooling(store: Arc<dyn Store>) {
    use wuyu_domain::roster::NewTeacher;
    use wuyu_domain::{Origin, PersonName, RosterBatch, SchoolCode};

    let svc = Service::new(Arc::clone(&store));
    let ids = wuyu_testkit::district::load(store.as_ref()).await;
    let (a, b) = (SchoolId(ids.school_a), SchoolId(ids.school_b));
    let teacher = |school: &str, no: &str, name: &str| NewTeacher {
        origin: Origin::default(),
        school_code: SchoolCode::parse(school).unwrap(),
        staff_no: no.into(),
        name: PersonName::parse(name).unwrap(),
        sex: None,
        subject: None,
        employment: None,
        birth_year: None,
    };
    let roster = RosterBatch {
        schools: vec![],
        classes: vec![],
        students: vec![],
        teachers: vec![
            teacher("S001", "T03", "李老师"),
            teacher("S001", "T04", "周老师"),
            teacher("S002", "T12", "吴老师"),
            teacher("S002", "T13", "王老师"),
        ],
        assignments: vec![],
    };
    let meta = wuyu_store::ImportMeta {
        username: "tester".into(),
        file_name: "roster.xlsx".into(),
        file_sha256: "cd".repeat(32),
        at: 1_700_000_000,
    };
    store.import_roster(&roster, &meta).await.unwrap();
    let (school, school_who) = viewer(&svc, "school-a").await;
    let (district, district_who) = viewer(&svc, "district").await;
    let file_a = format!(
        "{HEADER}S001,一般,T01,80,80,,,,,\nS001,一般,T02,95,90,,,,,\nS001,一般,T03,70,70,,,,,\nS001,一般,T04,70,70,,,,,\n"
    );
    let file_b = format!(
        "{HEADER}S002,一般,T11,90,80,,,,,\nS002,一般,T12,96,90,,,,,\nS002,一般,T13,70,70,,,,,\n"
    );
    let va = import_appraisal(
        &svc,
        &school,
        &school_who,
        a,
        2024,
        file_a.as_bytes(),
        "a.csv",
    )
    .await
    .unwrap();
    let vb = import_appraisal(
        &svc,
        &district,
        &district_who,
        b,
        2024,
        file_b.as_bytes(),
        "b.csv",
    )
    .await
    .unwrap();
    assert_eq!((va.arithmetic.cap, vb.arithmetic.cap), (0, 0));
    assert_eq!(va.arithmetic.excellent + vb.arithmetic.excellent, 0);

    let e = pool_small_schools(&svc, &school, &school_who, 2024)
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceError::Forbidden), "{e:?}");
    let r = pool_small_schools(&svc, &district, &district_who, 2024)
        .await
        .unwrap();
    assert_eq!(
        (r.schools, r.pool_n, r.pool_cap, r.excellent, r.skipped),
        (2, 7, 1, 1, 0)
    );
    let level = |v: &AppraisalView, no: &str| {
        v.rows
            .iter()
            .find(|r| r.staff_no == no)
            .unwrap()
            .input
            .level
    };
    let vb = appraisal(&svc, &district, &district_who, b, 2024)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(level(&vb, "T12"), Level::Excellent);
    let va = appraisal(&svc, &district, &district_who, a, 2024)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(level(&va, "T02"), Level::Qualified);

    // School A in 公示: left out of a second pooling, which then has B alone (N 3, cap 0).
    publicise(&svc, &school, &school_who, a, 2024, date!(2024 - 07 - 08))
        .await
        .unwrap();
    let r = pool_small_schools(&svc, &district, &district_who, 2024)
        .await
        .unwrap();
    assert_eq!((r.schools, r.pool_n, r.pool_cap, r.skipped), (1, 3, 0, 1));
    let log = store.list_audit(200).await.unwrap();
    assert!(log.iter().any(|r| r.entry.action == "pool_appraisal"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pooling_sqlite() {
    let db = wuyu_testkit::sqlite().await;
    pooling(Arc::clone(&db.store)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pooling_postgres() {
    if let Some(db) = wuyu_testkit::postgres().await {
        pooling(Arc::clone(&db.store)).await;
    }
}
