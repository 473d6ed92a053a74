//! Consent and counselling records in the browser: the counsellor records a paper form and
//! the student's assent on the class sheet, the parent answers on the parent account (the
//! assent stays the counsellor's to record, so the child gets no code until then); a crisis
//! case's counselling records are the counsellor's alone, every view audited.
use wuyu_domain::{SchoolId, StudentId};
use wuyu_service::psych::open_case;

use crate::psych_codes::{campaign, counsellor};
use crate::support::{TestApp, body_text, get, location, post};

async fn page(app: &TestApp, who: &str, path: &str) -> (u16, String) {
    let s = app.login(who).await;
    let resp = app.send(get(path).cookie(&s.cookie).build()).await;
    (resp.status().as_u16(), body_text(resp).await)
}

async fn send_form(app: &TestApp, who: &str, path: &str, body: &str) -> (u16, String, String) {
    let s = app.login(who).await;
    let resp = app
        .send(
            post(path)
                .cookie(&s.cookie)
                .form(&format!("csrf_token={}&{body}", s.csrf))
                .build(),
        )
        .await;
    let status = resp.status().as_u16();
    let to = if status == 303 {
        location(&resp)
    } else {
        String::new()
    };
    (status, to, body_text(resp).await)
}

#[tokio::test]
async fn consent_by_paper_and_by_the_parent_account() {
    let app = TestApp::new().await;
    // The helper records the child's consent; 李小红 has none yet.
    let camp = campaign(&app, "2020-01-01", "2099-12-31").await;
    let sheet = format!(
        "/psych/consent?campaign={camp}&class={}",
        app.ids.class_a7_1
    );
    let (status, html) = page(&app, "counsellor-a", &sheet).await;
    assert_eq!(status, 200);
    assert!(html.contains("可参加筛查 1 / "), "{html}");
    let li_row = html.lines().find(|l| l.contains("李小红")).unwrap();
    assert!(li_row.contains("未记录"), "{li_row}");

    let li = app
        .store
        .list_students(
            &wuyu_domain::Scope::District,
            SchoolId(app.ids.school_a),
            None,
        )
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.name.as_str() == "李小红")
        .unwrap()
        .id
        .0;
    let base = format!(
        "campaign={camp}&class={}&student={li}&guardian=given&channel=paper",
        app.ids.class_a7_1
    );
    let (status, _, html) = send_form(
        &app,
        "counsellor-a",
        "/psych/consent",
        &format!("{base}&assent=yes&decided_on=2025-13-01"),
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("日期“2025-13-01”无效"), "{html}");
    let (status, to, _) = send_form(
        &app,
        "counsellor-a",
        "/psych/consent",
        &format!("{base}&assent=yes&decided_on=2025-10-02"),
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(to, sheet);
    let (_, html) = page(&app, "counsellor-a", &sheet).await;
    assert!(html.contains("可参加筛查 2 / "), "{html}");
    assert!(
        html.contains("监护人已同意，本人同意（2025-10-02，纸质知情同意书（扫描））"),
        "{html}"
    );

    // The parent withdraws on the phone: the child is no longer screened.
    let (status, html) = page(&app, "parent-a", "/psych/child-consent").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("七年级心理筛查") && html.contains("撤回同意"),
        "{html}"
    );
    let (status, to, _) = send_form(
        &app,
        "parent-a",
        "/psych/child-consent",
        &format!("campaign={camp}&guardian=withdrawn"),
    )
    .await;
    assert_eq!((status, to.as_str()), (303, "/psych/child-consent"));
    let (_, html) = page(&app, "parent-a", "/psych/child-consent").await;
    assert!(
        html.contains("已撤回（") && html.contains("家长账号线上确认"),
        "{html}"
    );
    let (_, html) = page(&app, "counsellor-a", &sheet).await;
    assert!(html.contains("可参加筛查 1 / "), "{html}");
    // Giving it again on the phone keeps the student's assent the counsellor recorded.
    send_form(
        &app,
        "parent-a",
        "/psych/child-consent",
        &format!("campaign={camp}&guardian=given"),
    )
    .await;
    let (_, html) = page(&app, "counsellor-a", &sheet).await;
    assert!(html.contains("可参加筛查 2 / "), "{html}");

    // A campaign of another grade is not the parent's to answer: refused and audited.
    let (svc, v, who) = counsellor(&app).await;
    let other = wuyu_service::psych::create_campaign(
        &svc,
        &v,
        &who,
        SchoolId(app.ids.school_a),
        &wuyu_service::psych::CampaignInput {
            name: "八年级筛查".into(),
            school_year: 2025,
            scales: vec!["gad7".into()],
            grades: vec![8],
            opens_on: "2020-01-01".into(),
            closes_on: "2099-12-31".into(),
            custom_scale: String::new(),
        },
    )
    .await
    .unwrap();
    let (status, _, _) = send_form(
        &app,
        "parent-a",
        "/psych/child-consent",
        &format!("campaign={other}&guardian=given"),
    )
    .await;
    assert_eq!(status, 403);
    let (_, html) = page(&app, "parent-a", "/psych/child-consent").await;
    assert!(!html.contains("八年级筛查"), "{html}");

    for who in ["teacher-a", "school-a", "district", "parent-a"] {
        assert_eq!(page(&app, who, &sheet).await.0, 403, "{who}");
    }
    let log = app.store.list_audit(1000).await.unwrap();
    assert!(
        log.iter()
            .any(|r| r.entry.action == "psych_guardian_decision")
    );
    assert!(log.iter().any(|r| r.entry.action == "psych_denied"));
}

#[tokio::test]
async fn counselling_records_are_the_counsellors_alone() {
    let app = TestApp::new().await;
    let (svc, v, who) = counsellor(&app).await;
    let case = open_case(
        &svc,
        &v,
        &who,
        SchoolId(app.ids.school_a),
        StudentId(app.ids.child),
    )
    .await
    .unwrap();
    let path = format!("/psych/cases/{case}");
    let (status, html) = page(&app, "counsellor-a", &path).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("张小明 · 七年级1班（处理中）") && html.contains("尚无辅导记录"),
        "{html}"
    );
    let (_, html) = page(&app, "counsellor-a", "/psych").await;
    assert!(
        html.contains(&format!("href=\"/psych/cases/{case}\"")),
        "linked from the case list"
    );

    let records = format!("{path}/records");
    let (status, _, html) = send_form(
        &app,
        "counsellor-a",
        &records,
        "held_on=2025-10-09&kind=individual&summary=+&next_step=",
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("内容摘要不能为空"), "{html}");
    let (status, _, html) = send_form(
        &app,
        "counsellor-a",
        &records,
        "held_on=2025-10-09&kind=chat&summary=x",
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("记录类型“chat”无法识别"), "{html}");
    let (status, to, _) = send_form(
        &app,
        "counsellor-a",
        &records,
        "held_on=2025-10-09&kind=individual&summary=%E6%83%85%E7%BB%AA%E5%B9%B3%E7%A8%B3&next_step=%E4%B8%80%E5%91%A8%E5%90%8E%E5%9B%9E%E8%AE%BF",
    )
    .await;
    assert_eq!((status, to.as_str()), (303, path.as_str()));
    let (_, html) = page(&app, "counsellor-a", &path).await;
    assert!(
        html.contains("2025-10-09")
            && html.contains("个别辅导")
            && html.contains("情绪平稳")
            && html.contains("一周后回访"),
        "{html}"
    );

    for who in [
        "teacher-a",
        "school-a",
        "district",
        "analyst",
        "parent-a",
        "teacher-b",
    ] {
        let (status, html) = page(&app, who, &path).await;
        assert_eq!(status, 403, "{who}");
        assert!(!html.contains("情绪平稳"), "{who}");
        let (status, _, _) = send_form(
            &app,
            who,
            &records,
            "held_on=2025-10-09&kind=individual&summary=x",
        )
        .await;
        assert_eq!(status, 403, "{who}");
    }
    let log = app.store.list_audit(1000).await.unwrap();
    assert!(
        log.iter()
            .filter(|r| r.entry.action == "psych_read_counselling")
            .count()
            >= 2
    );
    assert!(
        log.iter()
            .any(|r| r.entry.action == "psych_add_counselling")
    );
}
