//! 师德评价 of named teachers on both backends: the district starts a parents' 师德 round, the
//! school admin issues codes per teacher, parents answer without an account (the form names
//! the teacher), and the results are per teacher — a teacher under 30 parents shows only n.
//! A named teacher's results are staff data: the school's admin and district roles read them,
//! not teachers, not another school's admin; every read is in the audit log. A 师德 round has
//! no public link and its codes must name a teacher of the school.
use std::sync::Arc;

use wuyu_analytics::satisfaction::Answer;
use wuyu_domain::{SchoolId, SurveyAbout, TeacherId, Viewer};
use wuyu_service::audit::Requester;
use wuyu_service::survey;
use wuyu_service::{Service, ServiceError};
use wuyu_store::Store;

async fn viewer(svc: &Service, username: &str) -> (Viewer, Requester) {
    wuyu_service::accounts::acting_as(svc, username, "127.0.0.1")
        .await
        .unwrap()
        .unwrap()
}

async fn story(store: Arc<dyn Store>) {
    let svc = Service::new(Arc::clone(&store));
    let ids = wuyu_testkit::district::load(store.as_ref()).await;
    let (a, b) = (SchoolId(ids.school_a), SchoolId(ids.school_b));
    let t01 = store.teacher_by_staff_no(a, "T01").await.unwrap().unwrap();
    let t02 = store.teacher_by_staff_no(a, "T02").await.unwrap().unwrap();
    let t11 = store.teacher_by_staff_no(b, "T11").await.unwrap().unwrap();
    let (district, dwho) = viewer(&svc, "district").await;
    let (analyst, awho) = viewer(&svc, "analyst").await;
    let (school, swho) = viewer(&svc, "school-a").await;
    let (teacher, twho) = viewer(&svc, "teacher-a").await;
    // 2025-11-10: the 2025–2026 school year.
    let now = 1_762_740_000;

    let q = survey::start_round(&svc, &district, "ethics_parents", now)
        .await
        .unwrap();
    let round = store.questionnaire(q).await.unwrap();
    assert_eq!(round.about, SurveyAbout::Teacher);
    assert_eq!(round.items.len(), 6);

    // A 师德 round has no public link, and its codes name one teacher of the school.
    match survey::new_link(&svc, &school, q, a, None).await {
        Err(ServiceError::BadRequest(m)) => assert!(m.contains("答题码"), "{m}"),
        other => panic!("a 师德 round takes codes only: {other:?}"),
    }
    match survey::issue_codes(&svc, &school, q, a, None, 5, now).await {
        Err(ServiceError::BadRequest(m)) => assert!(m.contains("请选择被评价的教师"), "{m}"),
        other => panic!("codes without a teacher: {other:?}"),
    }
    match survey::issue_teacher_codes(&svc, &school, q, a, t11, 5, now).await {
        Err(ServiceError::BadRequest(m)) => assert!(m.contains("不在本校教师名单"), "{m}"),
        other => panic!("another school's teacher: {other:?}"),
    }
    assert!(matches!(
        survey::issue_teacher_codes(&svc, &school, q, b, t11, 5, now).await,
        Err(ServiceError::Forbidden)
    ));
    assert!(store.survey_code("NOPE").await.unwrap().is_none());

    // T01: 30 codes, all answered (the minimum of 30 parents): 20 × 非常满意 on every item,
    // 10 × 满意 on every item but 不了解 on E5 → each sheet's mean is 5 or 4, mean 4.667,
    // index 100·(4.667 − 1)/4 = 91.67, 满意率 100 %. T02: 29 codes answered → only n.
    let c01 = survey::issue_teacher_codes(&svc, &school, q, a, t01, 30, now)
        .await
        .unwrap();
    let c02 = survey::issue_teacher_codes(&svc, &district, q, a, t02, 35, now)
        .await
        .unwrap();
    let form = survey::open_code(&svc, &c01[0]).await.unwrap();
    assert_eq!(form.teacher_name.as_deref(), Some("孙老师"));
    let p = Answer::Point;
    for (i, code) in c01.iter().enumerate() {
        let mut ans = vec![if i < 20 { p(5) } else { p(4) }; 6];
        if i >= 20 {
            ans[4] = Answer::Unknown;
        }
        survey::submit_code(&svc, code, &ans, now + 60)
            .await
            .unwrap();
    }
    for code in c02.iter().take(29) {
        survey::submit_code(&svc, code, &[p(2); 6], now + 60)
            .await
            .unwrap();
    }
    match survey::submit_code(&svc, &c01[0], &[p(1); 6], now + 90).await {
        Err(ServiceError::BadRequest(m)) => assert!(m.contains("已经使用"), "{m}"),
        other => panic!("a used code: {other:?}"),
    }

    let r = survey::teacher_results(&svc, &school, &swho, q, None, None)
        .await
        .unwrap();
    assert_eq!(r.min_n, 30);
    assert_eq!(r.teachers.len(), 2);
    let one = &r.teachers[0];
    assert_eq!(
        (one.name.as_str(), one.issued, one.scale.n),
        ("孙老师", 30, 30)
    );
    assert!(!one.suppressed());
    assert_eq!(format!("{:.2}", one.scale.index.unwrap()), "91.67");
    assert_eq!(one.scale.top2_rate, Some(1.0));
    let two = &r.teachers[1];
    assert_eq!(
        (two.name.as_str(), two.issued, two.scale.n),
        ("钱老师", 35, 29)
    );
    assert!(two.suppressed());
    assert_eq!(
        (two.scale.index, two.scale.top2_rate, two.scale.mean),
        (None, None, None)
    );

    // One named teacher, read by the district: audited with the teacher in the entity.
    let r = survey::teacher_results(&svc, &analyst, &awho, q, Some(a), Some(t01))
        .await
        .unwrap();
    assert_eq!(r.teachers.len(), 1);
    assert!(matches!(
        survey::teacher_results(&svc, &district, &dwho, q, Some(a), Some(TeacherId(999_999))).await,
        Err(ServiceError::NotFound)
    ));
    // Not for teachers (their own included), nor for another school's results.
    assert!(matches!(
        survey::teacher_results(&svc, &teacher, &twho, q, None, Some(t01)).await,
        Err(ServiceError::Forbidden)
    ));
    assert!(matches!(
        survey::teacher_results(&svc, &school, &swho, q, Some(b), None).await,
        Err(ServiceError::Forbidden)
    ));
    // A satisfaction round has no per-teacher results.
    let sat = survey::start_round(&svc, &district, "after_school", now)
        .await
        .unwrap();
    assert!(matches!(
        survey::teacher_results(&svc, &district, &dwho, sat, None, None).await,
        Err(ServiceError::BadRequest(_))
    ));
    let log = store.list_audit(50).await.unwrap();
    let reads: Vec<_> = log
        .iter()
        .filter(|e| e.entry.action == "read_teacher_survey")
        .collect();
    assert!(
        reads.iter().any(|e| e.entry.username == "school-a"
            && e.entry.entity == format!("survey_teacher:{q}:{}", a.0)),
        "{reads:?}"
    );
    assert!(
        reads.iter().any(|e| e.entry.username == "analyst"
            && e.entry.entity == format!("survey_teacher:{q}:{}:{}", a.0, t01.0)),
        "{reads:?}"
    );
    assert!(reads.iter().all(|e| e.entry.username != "teacher-a"));

    // The school's pooled results page still works for a 师德 round (n over both teachers).
    let pooled = survey::survey_results(&svc, &school, q).await.unwrap();
    assert_eq!(pooled.units[0].responses, 59);
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
