//! 心理健康 pages: the counsellor sees a level-3 result's crisis case with its steps and the
//! scores; the 班主任 of the class sees only the flag; leaders see suppressed counts only.
use std::sync::Arc;

use wuyu_domain::roster::NewAssignment;
use wuyu_domain::{Grade, Origin, RosterBatch, SchoolCode, SchoolId, StudentId, Viewer};
use wuyu_service::Service;
use wuyu_service::audit::Requester;
use wuyu_service::psych::{
    CampaignInput, ConsentChannel, ConsentInput, GuardianConsent, create_campaign, import_answers,
    record_consent,
};
use wuyu_store::ImportMeta;

use crate::support::{TestApp, body_text, get};

/// teacher-a becomes 班主任 of 七年级1班; the counsellor screens the child (PHQ item 9 = 2)
/// and 李小红 (all zeros).
async fn screened(app: &TestApp) {
    let store = &app.store;
    store
        .import_roster(
            &RosterBatch {
                assignments: vec![NewAssignment {
                    origin: Origin::default(),
                    school_code: SchoolCode::parse("S001").unwrap(),
                    staff_no: "T01".into(),
                    grade: Grade::new(7).unwrap(),
                    class_name: "1班".into(),
                    subject: "班主任".into(),
                    share: 1.0,
                }],
                ..Default::default()
            },
            &ImportMeta {
                username: "test".into(),
                file_name: "heads".into(),
                file_sha256: "3".repeat(64),
                at: 0,
            },
        )
        .await
        .unwrap();
    let svc = Service::new(Arc::clone(store));
    let user = store
        .user_credentials("counsellor-a")
        .await
        .unwrap()
        .unwrap()
        .user;
    let scope = wuyu_service::accounts::scope_for(&svc, &user)
        .await
        .unwrap();
    let v = Viewer::new(user.clone(), scope);
    let who = Requester::user(&user, "127.0.0.1");
    let a = SchoolId(app.ids.school_a);
    let camp = create_campaign(
        &svc,
        &v,
        &who,
        a,
        &CampaignInput {
            name: "七年级心理筛查".into(),
            school_year: 2025,
            scales: vec!["phq9".into(), "asq".into()],
            grades: vec![7],
            opens_on: "2025-10-08".into(),
            closes_on: "2025-10-20".into(),
            custom_scale: String::new(),
        },
    )
    .await
    .unwrap();
    let li = store
        .list_students(&wuyu_domain::Scope::District, a, None)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.student_no.as_str() == "A2024070102")
        .unwrap()
        .id;
    for s in [StudentId(app.ids.child), li] {
        record_consent(
            &svc,
            &v,
            &who,
            a,
            &ConsentInput {
                campaign_id: camp,
                student_id: s,
                guardian: GuardianConsent::Given,
                assent: true,
                decided_on: "2025-10-01".into(),
                channel: ConsentChannel::ParentAccount,
            },
        )
        .await
        .unwrap();
    }
    let csv = format!(
        "学籍号,phq9_1,phq9_2,phq9_3,phq9_4,phq9_5,phq9_6,phq9_7,phq9_8,phq9_9,asq_1,asq_2,asq_3,asq_4,asq_5\n\
         {},1,1,0,0,1,0,0,0,2,no,no,no,no,\n\
         A2024070102,0,0,0,0,0,0,0,0,0,no,no,no,no,\n",
        wuyu_testkit::child_student_no()
    );
    let out = import_answers(&svc, &v, &who, a, camp, csv.as_bytes(), "answers.csv")
        .await
        .unwrap();
    assert_eq!(out.summary.cases_opened, 1);
}

async fn page(app: &TestApp, who: &str, path: &str) -> (u16, String) {
    let s = app.login(who).await;
    let resp = app.send(get(path).cookie(&s.cookie).build()).await;
    (resp.status().as_u16(), body_text(resp).await)
}

#[tokio::test]
async fn the_counsellor_sees_the_case_the_head_teacher_only_the_flag() {
    let app = TestApp::new().await;
    screened(&app).await;

    let (status, html) = page(&app, "counsellor-a", "/psych").await;
    assert_eq!(status, 200);
    assert!(html.contains("张小明 · 七年级1班（处理中）"), "{html}");
    for step in ["告知班主任", "告知监护人", "制定安全计划", "转介医疗机构"] {
        assert!(html.contains(step), "{step}");
    }
    // Scores are the counsellor's: the PHQ total with its band and the safety item.
    assert!(html.contains("5（轻度），第9题 2"), "{html}");
    assert!(html.contains("心理健康"), "nav entry");

    let (status, html) = page(&app, "teacher-a", "/psych/flags").await;
    assert_eq!(status, 200);
    assert!(html.contains("张小明") && html.contains("3 危机"), "{html}");
    assert!(
        !html.contains("第9题") && !html.contains("PHQ") && !html.contains("轻度"),
        "{html}"
    );
    assert!(!html.contains("李小红"), "level 0 is not listed");
    let (status, _) = page(&app, "teacher-a", "/psych").await;
    assert_eq!(status, 403);

    // Leaders: counts only, two screened students are under 10 and shown as *.
    let (status, html) = page(&app, "analyst", "/psych/aggregates?year=2025").await;
    assert_eq!(status, 200);
    assert!(!html.contains("张小明"), "{html}");
    assert!(html.contains("<td class=\"num\">*</td>"), "{html}");
    assert!(!html.contains("<td class=\"num\">2</td>"), "{html}");

    let log = app.store.list_audit(1000).await.unwrap();
    for action in [
        "psych_read_responses",
        "psych_read_cases",
        "psych_read_flags",
    ] {
        assert!(log.iter().any(|r| r.entry.action == action), "{action}");
    }
}
