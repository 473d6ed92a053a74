//! Correction of a mis-entered answer set and the consent rate, through the service on both
//! backends: the values before are kept with the reason, the level is recomputed, a crisis case
//! opens when the level becomes 3 and is never closed by a correction; only the school's
//! counsellor corrects, and every correction is audited with its reason.
use std::sync::Arc;

use wuyu_domain::{ClassId, SchoolId, StudentId, Viewer};
use wuyu_monitor::indicator::{IndicatorKey, Period, UnitRef, psych_keys};
use wuyu_service::audit::Requester;
use wuyu_service::psych::*;
use wuyu_service::{Service, ServiceError, indicators};
use wuyu_standards::scales::{AsqAnswer, AttentionLevel};
use wuyu_store::Store;
use wuyu_testkit::Ids;

async fn viewer(svc: &Service, username: &str) -> (Viewer, Requester) {
    wuyu_service::accounts::acting_as(svc, username, "127.0.0.1")
        .await
        .unwrap()
        .unwrap()
}

/// PHQ-9 items 1–8 all `phq`, item 9 `item9`, ASQ all no.
fn answers(phq: &str, item9: &str) -> Vec<(String, String)> {
    let mut f: Vec<(String, String)> = (1..=8).map(|i| (format!("phq_{i}"), phq.into())).collect();
    f.push(("phq_9".into(), item9.into()));
    f.extend((1..=5).map(|i| (format!("asq_{i}"), "no".to_string())));
    f
}

/// A 2025 campaign of school A's 七年级 (PHQ-9 and ASQ) with consent for 张小明 and 李小红.
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
    for no in [
        wuyu_testkit::district::child_student_no().as_str(),
        "A2024070102",
    ] {
        consent(svc, ids, camp, no, GuardianConsent::Given, true).await;
    }
    camp
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

async fn consent(svc: &Service, ids: &Ids, camp: i64, no: &str, g: GuardianConsent, assent: bool) {
    let (c, who) = viewer(svc, "counsellor-a").await;
    let id = student(svc, ids, no).await;
    record_consent(
        svc,
        &c,
        &who,
        SchoolId(ids.school_a),
        &ConsentInput {
            campaign_id: camp,
            student_id: id,
            guardian: g,
            assent,
            decided_on: "2025-09-01".into(),
            channel: ConsentChannel::Paper,
        },
    )
    .await
    .unwrap();
}

fn input(camp: i64, no: &str, form: Vec<(String, String)>, reason: &str) -> CorrectionInput {
    CorrectionInput {
        campaign_id: camp,
        student_no: no.into(),
        form,
        reason: reason.into(),
    }
}

async fn correction_story(store: Arc<dyn Store>) {
    let svc = Service::new(Arc::clone(&store));
    let ids = wuyu_testkit::district::load(store.as_ref()).await;
    let a = SchoolId(ids.school_a);
    let camp = campaign(&svc, &ids).await;
    let (c, who) = viewer(&svc, "counsellor-a").await;
    let child_no = wuyu_testkit::district::child_student_no();

    // 张小明 answers with a code: PHQ 8×1 + 0 = 8 (轻度), ASQ negative: level 0.
    let sheet = issue_codes(&svc, &c, &who, a, camp, ClassId(ids.class_a7_1))
        .await
        .unwrap();
    let code = sheet
        .rows
        .iter()
        .find(|r| r.name == "张小明")
        .and_then(|r| r.code.clone())
        .unwrap();
    let done = submit_code(&svc, &code, &answers("1", "0"), "10.0.0.1")
        .await
        .unwrap();
    assert_eq!(done.level, AttentionLevel::None);

    // The paper sheet says 2 everywhere: PHQ 8×2 + 2 = 18, item 9 = 2: level 3, a case opens.
    let (_, fix) = correct_answers(
        &svc,
        &c,
        &who,
        a,
        &input(
            camp,
            &child_no,
            answers("2", "2"),
            "录入时看错行，按纸质答卷更正",
        ),
    )
    .await
    .unwrap();
    assert_eq!(fix.old_level, AttentionLevel::None);
    assert_eq!(fix.new_level, AttentionLevel::Crisis);
    let case_id = fix.case_opened.expect("a case opens at level 3");
    let view = cases(&svc, &c, &who, a).await.unwrap();
    let case = view.cases.iter().find(|k| k.id == case_id).unwrap();
    assert_eq!(case.student_name, "张小明");
    assert!(!case.closed);
    assert_eq!(case.steps.len(), 4);
    let rows = responses(&svc, &c, &who, a, camp).await.unwrap();
    let row = rows.iter().find(|r| r.student_name == "张小明").unwrap();
    assert_eq!(row.result.phq.unwrap().total, Some(18));
    assert_eq!(row.result.phq.unwrap().item9, Some(2));
    assert_eq!(row.result.level, AttentionLevel::Crisis);

    // Back to level 0 after a second look: the case stays open, never closed by a correction.
    let (_, back) = correct_answers(
        &svc,
        &c,
        &who,
        a,
        &input(camp, &child_no, answers("1", "0"), "与学生核对后恢复原答案"),
    )
    .await
    .unwrap();
    assert_eq!(
        (back.old_level, back.new_level, back.case_opened),
        (AttentionLevel::Crisis, AttentionLevel::None, None)
    );
    let view = cases(&svc, &c, &who, a).await.unwrap();
    assert!(!view.cases.iter().find(|k| k.id == case_id).unwrap().closed);

    // Both corrections keep the values before them, with reason, who and when.
    let v = correction_view(&svc, &c, &who, a, camp, &child_no)
        .await
        .unwrap();
    assert_eq!(v.corrections.len(), 2);
    let (first, second) = (&v.corrections[0], &v.corrections[1]);
    assert_eq!(first.seq, 1);
    assert_eq!(
        first.old_answers.phq.unwrap(),
        [Some(1); 8]
            .iter()
            .copied()
            .chain([Some(0)])
            .collect::<Vec<_>>()[..]
    );
    assert_eq!(first.old_result.phq.unwrap().total, Some(8));
    assert_eq!(first.new_level, AttentionLevel::Crisis);
    assert_eq!(first.reason, "录入时看错行，按纸质答卷更正");
    assert_eq!(first.corrected_by, "counsellor-a");
    assert_eq!(first.case_id, Some(case_id));
    assert_eq!(second.old_result.phq.unwrap().total, Some(18));
    assert_eq!(second.old_result.level, AttentionLevel::Crisis);
    assert_eq!(second.case_id, None);
    assert_eq!(second.old_answers.asq.unwrap(), [Some(AsqAnswer::No); 5]);

    // Refusals write nothing: the same answers, no reason, an answer of 4, blank ASQ allowed
    // only as unanswered, an unknown 学籍号.
    let refused = |r: Result<_, ServiceError>| match r {
        Err(ServiceError::BadRequest(m) | ServiceError::Conflict(m)) => m,
        other => panic!("expected a refusal, got {other:?}"),
    };
    let m = refused(
        correct_answers(
            &svc,
            &c,
            &who,
            a,
            &input(camp, &child_no, answers("1", "0"), "再核对"),
        )
        .await,
    );
    assert!(m.contains("与原答案相同"), "{m}");
    let m = refused(
        correct_answers(
            &svc,
            &c,
            &who,
            a,
            &input(camp, &child_no, answers("2", "0"), "  "),
        )
        .await,
    );
    assert!(m.contains("更正原因不能为空"), "{m}");
    let m = refused(
        correct_answers(
            &svc,
            &c,
            &who,
            a,
            &input(camp, &child_no, answers("4", "0"), "笔误"),
        )
        .await,
    );
    assert!(m.contains("PHQ-9 第 1 题") && m.contains("“4”"), "{m}");
    let m = refused(
        correct_answers(
            &svc,
            &c,
            &who,
            a,
            &input(camp, "A2024070201", answers("2", "0"), "笔误"),
        )
        .await,
    );
    assert!(m.contains("A2024070201") && m.contains("没有答卷"), "{m}");
    let v = correction_view(&svc, &c, &who, a, camp, &child_no)
        .await
        .unwrap();
    assert_eq!(v.corrections.len(), 2);

    // A blank item is unanswered: PHQ total 不完整, item 9 = 3 still raises level 3, but the
    // student's case is already open, so no second case.
    let mut partial = answers("", "3");
    partial[0].1 = "1".into();
    let (_, p) = correct_answers(
        &svc,
        &c,
        &who,
        a,
        &input(camp, &child_no, partial, "补录第9题"),
    )
    .await
    .unwrap();
    assert_eq!((p.new_level, p.case_opened), (AttentionLevel::Crisis, None));
    let rows = responses(&svc, &c, &who, a, camp).await.unwrap();
    let row = rows.iter().find(|r| r.student_name == "张小明").unwrap();
    assert_eq!(row.result.phq.unwrap().total, None);
    assert!(row.result.incomplete);
    assert_eq!(cases(&svc, &c, &who, a).await.unwrap().cases.len(), 1);

    // Nobody but the school's counsellor corrects or reads the form; each refusal audited.
    for user in ["teacher-a", "school-a", "district", "parent-a", "teacher-b"] {
        let (v, w) = viewer(&svc, user).await;
        let r = correct_answers(
            &svc,
            &v,
            &w,
            a,
            &input(camp, &child_no, answers("3", "3"), "x"),
        )
        .await;
        assert!(matches!(r, Err(ServiceError::Forbidden)), "{user}: {r:?}");
        let r = correction_view(&svc, &v, &w, a, camp, &child_no).await;
        assert!(matches!(r, Err(ServiceError::Forbidden)), "{user}");
    }
    let log = store.list_audit(10_000).await.unwrap();
    let fixes: Vec<_> = log
        .iter()
        .filter(|r| r.entry.action == "psych_correct_response")
        .collect();
    assert_eq!(fixes.len(), 3);
    assert!(fixes.iter().any(|r| {
        r.entry.detail.contains("old_level=0 new_level=3")
            && r.entry
                .detail
                .contains("reason=录入时看错行，按纸质答卷更正")
    }));
    assert!(
        log.iter()
            .filter(|r| r.entry.action == "psych_denied" && r.entry.username == "teacher-a")
            .count()
            >= 2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn correction_sqlite() {
    let db = wuyu_testkit::sqlite().await;
    correction_story(Arc::clone(&db.store)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn correction_postgres() {
    if let Some(db) = wuyu_testkit::postgres().await {
        correction_story(Arc::clone(&db.store)).await;
    }
}

/// The consent rate: consent with assent for one of the year's campaigns / students of the
/// campaigns' grades. School A's 七年级 has 4 students (张小明, 李小红, 王磊, 赵敏).
async fn consent_rate_story(store: Arc<dyn Store>) {
    let svc = Service::new(Arc::clone(&store));
    let ids = wuyu_testkit::district::load(store.as_ref()).await;
    let a = SchoolId(ids.school_a);
    let camp = campaign(&svc, &ids).await;
    let rate = |unit: UnitRef, y: i32| {
        let svc = &svc;
        async move {
            indicators::value(
                svc,
                &IndicatorKey::new(psych_keys::CONSENT_RATE),
                &unit,
                Period::SchoolYear(y),
            )
            .await
            .unwrap()
            .map(|v| (v.num, v.den))
        }
    };
    assert_eq!(rate(UnitRef::School(a), 2025).await, Some((2.0, 4.0)));
    // A refusal and a guardian's consent without the student's assent do not count.
    consent(
        &svc,
        &ids,
        camp,
        "A2024070201",
        GuardianConsent::Refused,
        false,
    )
    .await;
    consent(
        &svc,
        &ids,
        camp,
        "A2024070202",
        GuardianConsent::Given,
        false,
    )
    .await;
    assert_eq!(rate(UnitRef::School(a), 2025).await, Some((2.0, 4.0)));
    // A withdrawal takes one away.
    consent(
        &svc,
        &ids,
        camp,
        "A2024070102",
        GuardianConsent::Withdrawn,
        true,
    )
    .await;
    assert_eq!(rate(UnitRef::School(a), 2025).await, Some((1.0, 4.0)));
    // School B screens no one: the district is school A's count; another year has none.
    assert_eq!(rate(UnitRef::District, 2025).await, Some((1.0, 4.0)));
    assert_eq!(
        rate(UnitRef::School(SchoolId(ids.school_b)), 2025).await,
        None
    );
    assert_eq!(rate(UnitRef::School(a), 2024).await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consent_rate_sqlite() {
    let db = wuyu_testkit::sqlite().await;
    consent_rate_story(Arc::clone(&db.store)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consent_rate_postgres() {
    if let Some(db) = wuyu_testkit::postgres().await {
        consent_rate_story(Arc::clone(&db.store)).await;
    }
}

/// The district's level rules (setting `psych_level_rules`) are the ones scoring uses: with
/// 一般关注 from a PHQ total of 8 instead of 10, the same answers (8 × 1, item 9 = 0) give
/// level 1 at the code's submission, and the correction path scores with the rules too.
async fn district_rules_story(store: Arc<dyn Store>) {
    let svc = Service::new(Arc::clone(&store));
    let ids = wuyu_testkit::district::load(store.as_ref()).await;
    let a = SchoolId(ids.school_a);
    let camp = campaign(&svc, &ids).await;
    let (c, who) = viewer(&svc, "counsellor-a").await;
    store
        .set_setting("psych_level_rules", r#"{"general_phq_total":8}"#)
        .await
        .unwrap();
    let sheet = issue_codes(&svc, &c, &who, a, camp, ClassId(ids.class_a7_1))
        .await
        .unwrap();
    let code = sheet
        .rows
        .iter()
        .find(|r| r.name == "张小明")
        .and_then(|r| r.code.clone())
        .unwrap();
    let done = submit_code(&svc, &code, &answers("1", "0"), "10.0.0.1")
        .await
        .unwrap();
    assert_eq!(done.level, AttentionLevel::General);
    // Corrected to 7 × 1 + 0 + 0 (PHQ total 7): under the district's 8, level 0.
    let mut seven = answers("1", "0");
    seven[0].1 = "0".into();
    let child_no = wuyu_testkit::district::child_student_no();
    let (_, fix) = correct_answers(
        &svc,
        &c,
        &who,
        a,
        &input(camp, &child_no, seven, "第 1 题录错"),
    )
    .await
    .unwrap();
    assert_eq!(
        (fix.old_level, fix.new_level),
        (AttentionLevel::General, AttentionLevel::None)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn district_rules_sqlite() {
    let db = wuyu_testkit::sqlite().await;
    district_rules_story(Arc::clone(&db.store)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn district_rules_postgres() {
    if let Some(db) = wuyu_testkit::postgres().await {
        district_rules_story(Arc::clone(&db.store)).await;
    }
}
