//! Survey results through the service on both backends: parents answer through their
//! school's link, the results follow the viewer's grant and scope, a school under the minimum
//! of 30 parents is not reported while the district total is, reverse-keyed items are reported
//! as keyed, and a scale carries its α.
use std::sync::Arc;

use wuyu_analytics::satisfaction::Answer;
use wuyu_domain::{
    NewQuestionnaire, QuestionnaireStatus, Role, SchoolId, Scope, SurveyAudience, SurveyItem, User,
    UserId, Viewer,
};
use wuyu_service::survey::{self, UnitKind};
use wuyu_service::{Service, ServiceError};
use wuyu_store::Store;
use wuyu_testkit::district;

fn viewer(role: Role, scope: Scope) -> Viewer {
    Viewer::new(
        User {
            id: UserId(1),
            username: "u".into(),
            display_name: "用户".into(),
            role,
            school_id: scope.school_id(),
            teacher_id: None,
            student_id: None,
        },
        scope,
    )
}

fn item(code: &str, text: &str, reverse: bool) -> SurveyItem {
    SurveyItem {
        code: code.into(),
        text: text.into(),
        reverse,
        allow_unknown: true,
        scale: Some("学校满意度".into()),
        kind: wuyu_domain::ItemKind::Likert,
        required: false,
    }
}

async fn story(store: Arc<dyn Store>) {
    let ids = district::load(store.as_ref()).await;
    let svc = Service::new(Arc::clone(&store));
    let (a, b) = (SchoolId(ids.school_a), SchoolId(ids.school_b));
    let district_admin = viewer(Role::DistrictAdmin, Scope::District);
    let analyst = viewer(Role::DistrictAnalyst, Scope::District);
    let admin_a = viewer(Role::SchoolAdmin, Scope::School { school_id: a });
    let teacher = viewer(Role::Teacher, Scope::School { school_id: a });

    let form = NewQuestionnaire {
        title: "家长满意度".into(),
        audience: SurveyAudience::Parents,
        about: wuyu_domain::SurveyAbout::School,
        items: vec![
            item("Q1", "您对学校的总体满意度", false),
            item("Q2", "孩子的课业负担过重", true),
        ],
    };
    assert!(matches!(
        survey::create_questionnaire(&svc, &analyst, &form, 1).await,
        Err(ServiceError::Forbidden)
    ));
    let q = survey::create_questionnaire(&svc, &district_admin, &form, 1)
        .await
        .unwrap();
    survey::set_status(&svc, &district_admin, q, QuestionnaireStatus::Published)
        .await
        .unwrap();
    survey::create_link(&svc, &admin_a, q, (a, None), "tok-a")
        .await
        .unwrap();
    assert!(matches!(
        survey::create_link(&svc, &admin_a, q, (b, None), "tok-b").await,
        Err(ServiceError::Forbidden)
    ));
    survey::create_link(&svc, &district_admin, q, (b, None), "tok-b")
        .await
        .unwrap();

    // School A: 40 parents; Q1 is 满意 or 非常满意 for 30 of them, 不满意 for 10. Q2 is worded
    // negatively and every parent answers it as the mirror of Q1 (6 − Q1), so once keyed it
    // equals Q1. School B: 8 parents answering 基本满意 to both.
    let p = Answer::Point;
    for i in 0..40 {
        let q1 = if i < 30 { 4 + (i % 2) as u8 } else { 2 };
        let answers = [p(q1), p(6 - q1)];
        survey::submit(&svc, "tok-a", &answers, 10 + i)
            .await
            .unwrap();
    }
    for _ in 0..8 {
        survey::submit(&svc, "tok-b", &[p(3), p(3)], 100)
            .await
            .unwrap();
    }
    // 不了解 is offered here, a sixth point is not; the error is Chinese for the respondent.
    match survey::submit(&svc, "tok-a", &[p(6), p(3)], 200).await {
        Err(ServiceError::BadRequest(m)) => assert!(m.contains("不在选项之中"), "{m}"),
        other => panic!("should be refused: {other:?}"),
    }

    assert!(matches!(
        survey::survey_results(&svc, &teacher, q).await,
        Err(ServiceError::Forbidden)
    ));
    let r = survey::survey_results(&svc, &analyst, q).await.unwrap();
    assert_eq!(r.min_n, 30);
    let unit = |name: &str| r.units.iter().find(|u| u.name == name).unwrap();
    let district = unit("全区");
    assert_eq!(
        (district.kind, district.responses),
        (UnitKind::District, 48)
    );
    // Q1 over 48 valid answers: 30 satisfied → 0.625.
    let s = district.items[0].reported.stats.unwrap();
    assert_eq!(s.n, 48);
    assert!((s.top2_rate - 30.0 / 48.0).abs() < 1e-12);
    // Q2 keyed: the 30 who answered 1 or 2 count as 5 or 4 (satisfied), the 10 who answered
    // 4 as 2.
    assert!(district.items[1].reverse);
    let s2 = district.items[1].reported.stats.unwrap();
    assert!((s2.top2_rate - 30.0 / 48.0).abs() < 1e-12);
    // Keyed, the two items agree on every respondent, so the scale is perfectly reliable:
    // α = 1. Without the reverse key they would run against each other.
    let scale = &district.scales[0];
    assert_eq!(scale.name, "学校满意度");
    assert!((scale.result.alpha.unwrap() - 1.0).abs() < 1e-9);

    let school_a_name = &r
        .units
        .iter()
        .find(|u| u.school_id == Some(a.0))
        .unwrap()
        .name;
    assert!(!unit(school_a_name).items[0].reported.suppressed());
    let school_b = r.units.iter().find(|u| u.school_id == Some(b.0)).unwrap();
    assert_eq!(school_b.responses, 8);
    assert!(school_b.items.iter().all(|i| i.reported.suppressed()));
    assert!(school_b.scales[0].result.suppressed());

    // School A's admin sees their school only, without district breakdowns.
    let own = survey::survey_results(&svc, &admin_a, q).await.unwrap();
    assert_eq!(own.units.len(), 1);
    assert_eq!(own.units[0].school_id, Some(a.0));
    assert_eq!(own.units[0].responses, 40);
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

/// A round from the standard parents' questionnaire, answered through one-time codes, feeds
/// the plan's satisfaction indicators for the school year it started in; a unit under 30
/// parents has no value, and the response rate counts answered codes.
async fn rounds_feed_the_plan(store: Arc<dyn Store>) {
    use wuyu_monitor::indicator::{IndicatorKey, IndicatorValue, Period, UnitRef, survey_keys};
    use wuyu_service::indicators;

    let ids = district::load(store.as_ref()).await;
    let svc = Service::new(Arc::clone(&store));
    let (a, b) = (SchoolId(ids.school_a), SchoolId(ids.school_b));
    let district_admin = viewer(Role::DistrictAdmin, Scope::District);
    let admin_a = viewer(Role::SchoolAdmin, Scope::School { school_id: a });
    // 2025-09-04: the 2025–2026 school year.
    let now = 1_757_000_000;
    assert_eq!(survey::school_year_at(now), 2025);
    assert!(matches!(
        survey::start_round(&svc, &admin_a, "parents", now).await,
        Err(ServiceError::Forbidden)
    ));
    assert!(matches!(
        survey::start_round(&svc, &district_admin, "nope", now).await,
        Err(ServiceError::BadRequest(_))
    ));
    let q = survey::start_round(&svc, &district_admin, "parents", now)
        .await
        .unwrap();
    let items = wuyu_domain::SURVEY_TEMPLATES[0].items.len();
    let codes_a = survey::issue_codes(&svc, &admin_a, q, a, None, 40, now)
        .await
        .unwrap();
    assert!(matches!(
        survey::issue_codes(&svc, &admin_a, q, b, None, 5, now).await,
        Err(ServiceError::Forbidden)
    ));
    assert!(matches!(
        survey::issue_codes(&svc, &district_admin, q, b, None, 0, now).await,
        Err(ServiceError::BadRequest(_))
    ));
    let codes_b = survey::issue_codes(&svc, &district_admin, q, b, None, 5, now)
        .await
        .unwrap();

    // School A: 31 of 40 codes answered. Overall (last item): 25 satisfied, 6 不满意.
    // 课后服务 (D1, D2 = items 6 and 7): the first 10 answer 不满意 twice, the rest 满意/非常满意.
    let p = Answer::Point;
    for (i, code) in codes_a.iter().take(31).enumerate() {
        let mut ans = vec![p(4); items];
        ans[items - 1] = if i < 25 { p(5) } else { p(2) };
        if i < 10 {
            (ans[6], ans[7]) = (p(2), p(2));
        } else {
            (ans[6], ans[7]) = (p(4), p(5));
        }
        survey::submit_code(&svc, &code.to_lowercase(), &ans, now + 10)
            .await
            .unwrap();
    }
    for code in &codes_b {
        survey::submit_code(&svc, code, &vec![p(5); items], now + 10)
            .await
            .unwrap();
    }
    match survey::submit_code(&svc, &codes_b[0], &vec![p(1); items], now + 20).await {
        Err(ServiceError::BadRequest(m)) => assert!(m.contains("已经使用"), "{m}"),
        other => panic!("a used code must be refused: {other:?}"),
    }

    let value = |key: &'static str, unit: UnitRef, year: i32| {
        let svc = &svc;
        async move {
            indicators::value(
                svc,
                &IndicatorKey::new(key),
                &unit,
                Period::SchoolYear(year),
            )
            .await
            .unwrap()
        }
    };
    let parents = survey_keys::PARENT_SATISFACTION;
    let after = survey_keys::AFTER_SCHOOL_SATISFACTION;
    assert_eq!(
        value(parents, UnitRef::District, 2025).await,
        Some(IndicatorValue::rate(25 + 5, 36))
    );
    assert_eq!(
        value(after, UnitRef::District, 2025).await,
        Some(IndicatorValue::rate(21 + 5, 36))
    );
    assert_eq!(
        value(parents, UnitRef::School(a), 2025).await,
        Some(IndicatorValue::rate(25, 31))
    );
    // Five parents are never reported; another year has no round.
    assert_eq!(value(parents, UnitRef::School(b), 2025).await, None);
    assert_eq!(value(parents, UnitRef::District, 2024).await, None);
    let measured = indicators::period_for(&svc, &IndicatorKey::new(parents), 2025)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(measured.period, Period::SchoolYear(2025));
    assert!(measured.as_of.contains("家长满意度调查"));

    // Response rate: answered codes / issued codes.
    let r = survey::survey_results(&svc, &district_admin, q)
        .await
        .unwrap();
    let ua = r.units.iter().find(|u| u.school_id == Some(a.0)).unwrap();
    assert_eq!((ua.responses, ua.codes_issued), (31, 40));
    assert_eq!(ua.response_rate, Some(31.0 / 40.0));
    assert_eq!(r.units[0].response_rate, Some(36.0 / 45.0));

    // Later rounds of the year: a parents' 师德 round about teachers and a 课后服务 round.
    // Neither has the overall item, so 家长满意度 still reads the first round; 课后服务 reads
    // the newest round of its dimension (not answered yet: no value until it is).
    for template in ["ethics_parents", "after_school"] {
        survey::start_round(&svc, &district_admin, template, now + 100)
            .await
            .unwrap();
    }
    assert_eq!(
        value(parents, UnitRef::District, 2025).await,
        Some(IndicatorValue::rate(25 + 5, 36))
    );
    let as_of = |key: &'static str| {
        let svc = &svc;
        async move {
            indicators::period_for(svc, &IndicatorKey::new(key), 2025)
                .await
                .unwrap()
                .unwrap()
                .as_of
        }
    };
    assert!(as_of(parents).await.contains("家长满意度调查"));
    assert!(as_of(after).await.contains("课后服务满意度调查"));
    assert_eq!(value(after, UnitRef::District, 2025).await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rounds_sqlite() {
    let db = wuyu_testkit::sqlite().await;
    rounds_feed_the_plan(Arc::clone(&db.store)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rounds_postgres() {
    if let Some(db) = wuyu_testkit::postgres().await {
        rounds_feed_the_plan(Arc::clone(&db.store)).await;
    }
}
