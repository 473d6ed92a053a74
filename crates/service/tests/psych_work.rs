//! 心理健康 in the browser, through the service on both backends: one-time answer codes (issued
//! for a class, one submission each, scored and escalated as an import is) and the
//! counselling records of a case (the school's counsellor only, every read audited).
use std::sync::Arc;

use wuyu_domain::{ClassId, SchoolId, StudentId, Viewer};
use wuyu_monitor::indicator::{IndicatorKey, Period, UnitRef};
use wuyu_monitor::plan::computed_key_for;
use wuyu_service::Service;
use wuyu_service::audit::Requester;
use wuyu_service::indicators;
use wuyu_service::psych::*;
use wuyu_standards::scales::AttentionLevel;
use wuyu_store::Store;
use wuyu_testkit::Ids;

async fn viewer(svc: &Service, username: &str) -> (Viewer, Requester) {
    wuyu_service::accounts::acting_as(svc, username, "127.0.0.1")
        .await
        .unwrap()
        .unwrap()
}

/// PHQ-9 and ASQ answers: PHQ items 1–8 as given, item 9 and ASQ Q1 as given.
fn answers(phq: &str, item9: &str, asq1: &str) -> Vec<(String, String)> {
    let mut f = Vec::new();
    for i in 1..=8 {
        f.push((format!("phq_{i}"), phq.to_string()));
    }
    f.push(("phq_9".into(), item9.into()));
    f.push(("asq_1".into(), asq1.into()));
    for i in 2..=5 {
        f.push((format!("asq_{i}"), "no".into()));
    }
    f
}

async fn campaign(svc: &Service, ids: &Ids) -> i64 {
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
            scales: vec!["phq9".into(), "asq".into()],
            grades: vec![7],
            opens_on: "2020-09-01".into(),
            closes_on: "2099-12-31".into(),
            custom_scale: String::new(),
        },
    )
    .await
    .unwrap();
    let li = svc
        .store()
        .list_students(&wuyu_domain::Scope::District, a, None)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.student_no.as_str() == "A2024070102")
        .unwrap()
        .id;
    for s in [StudentId(ids.child), li] {
        record_consent(
            svc,
            &c,
            &who,
            a,
            &ConsentInput {
                campaign_id: camp,
                student_id: s,
                guardian: GuardianConsent::Given,
                assent: true,
                decided_on: "2025-09-01".into(),
                channel: ConsentChannel::Paper,
            },
        )
        .await
        .unwrap();
    }
    camp
}

async fn codes_story(store: Arc<dyn Store>) {
    let svc = Service::new(Arc::clone(&store));
    let ids = wuyu_testkit::district::load(store.as_ref()).await;
    let a = SchoolId(ids.school_a);
    let camp = campaign(&svc, &ids).await;
    let (c, who) = viewer(&svc, "counsellor-a").await;

    let sheet = issue_codes(&svc, &c, &who, a, camp, ClassId(ids.class_a7_1))
        .await
        .unwrap();
    let code_of = |name: &str| {
        sheet
            .rows
            .iter()
            .find(|r| r.name == name)
            .and_then(|r| r.code.clone())
            .unwrap()
    };
    let (child, li) = (code_of("张小明"), code_of("李小红"));
    assert_ne!(child, li);
    assert_eq!(sheet.class_label, "七年级1班");

    // Re-issuing replaces unused codes: the first sheet's codes no longer open.
    let again = issue_codes(&svc, &c, &who, a, camp, ClassId(ids.class_a7_1))
        .await
        .unwrap();
    assert_eq!(
        open_code(&svc, &child).await.unwrap_err(),
        CodeError::Refused(CodeRefusal::Unknown)
    );
    let code2 = |name: &str| {
        again
            .rows
            .iter()
            .find(|r| r.name == name)
            .and_then(|r| r.code.clone())
            .unwrap()
    };
    let (child, li) = (code2("张小明"), code2("李小红"));

    // The child refuses ASQ Q1 (positive) with PHQ 8: level 2, no case. 李小红's PHQ item 9 = 3:
    // level 3 and a case opened in the same transaction.
    let done = submit_code(&svc, &child, &answers("1", "0", "refused"), "10.0.0.1")
        .await
        .unwrap();
    assert_eq!(done.level, AttentionLevel::Focus);
    assert!(!done.case_opened);
    let done = submit_code(&svc, &li, &answers("0", "3", "no"), "10.0.0.2")
        .await
        .unwrap();
    assert_eq!(done.level, AttentionLevel::Crisis);
    assert!(done.case_opened);
    assert_eq!(
        submit_code(&svc, &li, &answers("0", "0", "no"), "10.0.0.2")
            .await
            .unwrap_err(),
        CodeError::Refused(CodeRefusal::Used)
    );

    let rows = responses(&svc, &c, &who, a, camp).await.unwrap();
    assert_eq!(rows.len(), 2);
    let li_row = rows.iter().find(|r| r.student_name == "李小红").unwrap();
    assert_eq!(li_row.result.phq.unwrap().total, Some(3));
    let view = cases(&svc, &c, &who, a).await.unwrap();
    assert_eq!(view.cases.len(), 1);
    assert_eq!(view.cases[0].student_name, "李小红");
    assert_eq!(view.cases[0].steps.len(), 4);

    // A third sheet lists both as answered, with no code.
    let third = issue_codes(&svc, &c, &who, a, camp, ClassId(ids.class_a7_1))
        .await
        .unwrap();
    assert!(
        third
            .rows
            .iter()
            .filter(|r| r.name == "张小明" || r.name == "李小红")
            .all(|r| r.code.is_none() && r.note == "已作答")
    );

    // Nobody else issues codes; the refusal is audited.
    for user in ["teacher-a", "school-a", "district"] {
        let (v, w) = viewer(&svc, user).await;
        assert!(
            issue_codes(&svc, &v, &w, a, camp, ClassId(ids.class_a7_1))
                .await
                .is_err(),
            "{user}"
        );
    }
    let log = store.list_audit(10_000).await.unwrap();
    assert_eq!(
        log.iter()
            .filter(|r| r.entry.action == "psych_code_submit")
            .count(),
        2
    );
    assert!(log.iter().any(|r| r.entry.action == "psych_denied"));

    // The plan's lines, through the indicator registry by their names in the plan.
    let key = |name: &str| IndicatorKey::new(&computed_key_for(name).unwrap());
    let schools = store
        .list_schools(&wuyu_domain::Scope::District)
        .await
        .unwrap();
    let enrolled = |school: Option<SchoolId>| {
        schools
            .iter()
            .filter(|s| school.is_none_or(|id| s.school.id == id))
            .map(|s| s.student_count as f64)
            .sum::<f64>()
    };
    let coverage = indicators::value(
        &svc,
        &key("心理健康筛查覆盖"),
        &UnitRef::School(a),
        Period::SchoolYear(2025),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!((coverage.num, coverage.den), (2.0, enrolled(Some(a))));
    let district = indicators::value(
        &svc,
        &key("心理健康筛查覆盖"),
        &UnitRef::District,
        Period::SchoolYear(2025),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!((district.num, district.den), (2.0, enrolled(None)));
    // The crisis opened by the code this school year is on time (nothing due yet); one
    // opened by hand a year ago with no step done is not.
    let now = time::OffsetDateTime::now_utc();
    let this_year = if u8::from(now.month()) >= 9 {
        now.year()
    } else {
        now.year() - 1
    };
    let last_start = time::Date::from_calendar_date(this_year - 1, time::Month::September, 2)
        .unwrap()
        .midnight()
        .assume_utc()
        .unix_timestamp();
    let token = c.psych_token(a).unwrap();
    store
        .open_case(&token, StudentId(ids.child), "counsellor-a", last_start)
        .await
        .unwrap();
    let in_time = |y: i32| {
        let svc = &svc;
        let key = key("危机个案按时处置率");
        async move {
            indicators::value(svc, &key, &UnitRef::School(a), Period::SchoolYear(y))
                .await
                .unwrap()
                .map(|v| (v.num, v.den))
        }
    };
    assert_eq!(in_time(this_year).await, Some((1.0, 1.0)));
    assert_eq!(in_time(this_year - 1).await, Some((0.0, 1.0)));
    assert_eq!(in_time(this_year - 5).await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codes_sqlite() {
    let db = wuyu_testkit::sqlite().await;
    codes_story(Arc::clone(&db.store)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codes_postgres() {
    if let Some(db) = wuyu_testkit::postgres().await {
        codes_story(Arc::clone(&db.store)).await;
    }
}

/// The parent's decision keeps the counsellor's record of the student's assent; counselling
/// records are the school's counsellor's alone.
async fn consent_and_records_story(store: Arc<dyn Store>) {
    let svc = Service::new(Arc::clone(&store));
    let ids = wuyu_testkit::district::load(store.as_ref()).await;
    let a = SchoolId(ids.school_a);
    let camp = campaign(&svc, &ids).await;
    let (c, who) = viewer(&svc, "counsellor-a").await;
    let (p, pwho) = viewer(&svc, "parent-a").await;
    let child = StudentId(ids.child);

    let page = child_consent_page(&svc, &p, &pwho, child).await.unwrap();
    assert_eq!(page.len(), 1);
    assert!(page[0].consent.as_ref().unwrap().allows_screening());
    guardian_decision(&svc, &p, &pwho, child, camp, GuardianConsent::Refused)
        .await
        .unwrap();
    let sheet = consent_sheet(
        &svc,
        &c,
        &who,
        a,
        camp,
        wuyu_domain::ClassId(ids.class_a7_1),
    )
    .await
    .unwrap();
    let line = sheet.lines.iter().find(|l| l.student_id == child).unwrap();
    let row = line.consent.as_ref().unwrap();
    assert_eq!(row.guardian, GuardianConsent::Refused);
    assert_eq!(row.channel, ConsentChannel::ParentAccount);
    assert!(row.assent, "the assent recorded by the counsellor stays");
    assert_eq!(sheet.allowed, 1);
    // Another family's child: refused.
    assert!(
        guardian_decision(
            &svc,
            &p,
            &pwho,
            StudentId(ids.other_a),
            camp,
            GuardianConsent::Given
        )
        .await
        .is_err()
    );

    let case = open_case(&svc, &c, &who, a, child).await.unwrap();
    let input = CounsellingInput {
        held_on: "2025-10-09".into(),
        kind: "guardian".into(),
        summary: "与母亲电话沟通，约定下周面谈".into(),
        next_step: "下周二面谈".into(),
    };
    assert_eq!(
        add_counselling(&svc, &c, &who, a, case, &input)
            .await
            .unwrap(),
        1
    );
    let long = CounsellingInput {
        summary: "很".repeat(MAX_TEXT + 1),
        ..input.clone()
    };
    assert!(
        add_counselling(&svc, &c, &who, a, case, &long)
            .await
            .is_err()
    );
    let file = case_file(&svc, &c, &who, a, case).await.unwrap();
    assert_eq!(file.records.len(), 1);
    assert_eq!(file.records[0].kind, CounsellingKind::Guardian);
    assert_eq!(file.records[0].summary, "与母亲电话沟通，约定下周面谈");
    for user in ["teacher-a", "school-a", "district", "parent-a"] {
        let (v, w) = viewer(&svc, user).await;
        assert!(case_file(&svc, &v, &w, a, case).await.is_err(), "{user}");
        assert!(
            add_counselling(&svc, &v, &w, a, case, &input)
                .await
                .is_err(),
            "{user}"
        );
    }
    // Break-glass by 学籍号: the district admin with a reason; the analyst never.
    let (d, dwho) = viewer(&svc, "district").await;
    let no = wuyu_testkit::child_student_no();
    let (name, rec) = break_glass_by_student_no(&svc, &d, &dwho, a, &no, "家长来电求助")
        .await
        .unwrap();
    assert_eq!((name.as_str(), rec.cases.len()), ("张小明", 1));
    assert!(
        break_glass_by_student_no(&svc, &d, &dwho, a, &no, " ")
            .await
            .is_err()
    );
    let (an, awho) = viewer(&svc, "analyst").await;
    assert!(
        break_glass_by_student_no(&svc, &an, &awho, a, &no, "家长来电求助")
            .await
            .is_err()
    );
    let log = store.list_audit(10_000).await.unwrap();
    assert_eq!(
        log.iter()
            .filter(|r| r.entry.action == "psych_break_glass")
            .count(),
        1
    );
    assert!(
        log.iter()
            .any(|r| r.entry.action == "psych_read_counselling")
    );
    assert!(
        log.iter()
            .any(|r| r.entry.action == "psych_add_counselling")
    );
    assert!(
        log.iter()
            .any(|r| r.entry.action == "psych_guardian_decision")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consent_and_records_sqlite() {
    let db = wuyu_testkit::sqlite().await;
    consent_and_records_story(Arc::clone(&db.store)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consent_and_records_postgres() {
    if let Some(db) = wuyu_testkit::postgres().await {
        consent_and_records_story(Arc::clone(&db.store)).await;
    }
}
