//! Students answer with one-time codes: the counsellor prints a class's codes (only students
//! with consent get one), a student answers on the code page without an account, the answers
//! are scored as an import is and a level-3 result opens a crisis case; used, unknown, expired
//! and no-consent codes get their Chinese reason; a teacher cannot issue codes.
use std::sync::Arc;

use wuyu_domain::{SchoolId, StudentId, Viewer};
use wuyu_service::Service;
use wuyu_service::audit::Requester;
use wuyu_service::psych::{
    CampaignInput, ConsentChannel, ConsentInput, GuardianConsent, create_campaign, record_consent,
};

use crate::support::{TestApp, body_text, get, post};

/// The counsellor's service identity.
pub(crate) async fn counsellor(app: &TestApp) -> (Service, Viewer, Requester) {
    let svc = Service::new(Arc::clone(&app.store));
    let user = app
        .store
        .user_credentials("counsellor-a")
        .await
        .unwrap()
        .unwrap()
        .user;
    let scope = wuyu_service::accounts::scope_for(&svc, &user)
        .await
        .unwrap();
    (
        svc,
        Viewer::new(user.clone(), scope),
        Requester::user(&user, "127.0.0.1"),
    )
}

/// A grade-7 campaign (PHQ-9, GAD-7, ASQ) in the window given; the child's guardian consents.
pub(crate) async fn campaign(app: &TestApp, opens: &str, closes: &str) -> i64 {
    let (svc, v, who) = counsellor(app).await;
    let a = SchoolId(app.ids.school_a);
    let id = create_campaign(
        &svc,
        &v,
        &who,
        a,
        &CampaignInput {
            name: "七年级心理筛查".into(),
            school_year: 2025,
            scales: vec!["phq9".into(), "gad7".into(), "asq".into()],
            grades: vec![7],
            opens_on: opens.into(),
            closes_on: closes.into(),
            custom_scale: String::new(),
        },
    )
    .await
    .unwrap();
    consent(app, id, GuardianConsent::Given).await;
    id
}

pub(crate) async fn consent(app: &TestApp, campaign: i64, guardian: GuardianConsent) {
    let (svc, v, who) = counsellor(app).await;
    record_consent(
        &svc,
        &v,
        &who,
        SchoolId(app.ids.school_a),
        &ConsentInput {
            campaign_id: campaign,
            student_id: StudentId(app.ids.child),
            guardian,
            assent: true,
            decided_on: "2025-10-01".into(),
            channel: ConsentChannel::Paper,
        },
    )
    .await
    .unwrap();
}

/// Issues the codes of 七年级1班 in the browser; answers the sheet's HTML and the child's code.
pub(crate) async fn issue(app: &TestApp, campaign: i64) -> (String, String) {
    let s = app.login("counsellor-a").await;
    let resp = app
        .send(
            post("/psych/codes")
                .cookie(&s.cookie)
                .form(&format!(
                    "csrf_token={}&campaign={campaign}&class={}",
                    s.csrf, app.ids.class_a7_1
                ))
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let html = body_text(resp).await;
    let row = html
        .lines()
        .find(|l| l.contains("张小明"))
        .expect("the child's row");
    let code = row
        .split("<code>")
        .nth(1)
        .and_then(|r| r.split("</code>").next())
        .expect("a code")
        .to_string();
    (html, code)
}

pub(crate) async fn anon_post(app: &TestApp, path: &str, body: &str) -> (u16, String) {
    let resp = app.send(post(path).form(body).build()).await;
    (resp.status().as_u16(), body_text(resp).await)
}

/// Every item answered; PHQ item 9 as given.
fn answers(code: &str, phq9: u8) -> String {
    let mut b = format!("code={code}");
    for i in 1..=8 {
        b.push_str(&format!("&phq_{i}=1"));
    }
    b.push_str(&format!("&phq_9={phq9}"));
    for i in 1..=7 {
        b.push_str(&format!("&gad_{i}=0"));
    }
    for i in 1..=5 {
        b.push_str(&format!("&asq_{i}=no"));
    }
    b
}

#[tokio::test]
async fn a_student_answers_with_a_code_and_a_crisis_reaches_the_counsellor() {
    let app = TestApp::new().await;
    let camp = campaign(&app, "2020-01-01", "2099-12-31").await;
    let (sheet, code) = issue(&app, camp).await;
    assert_eq!(code.len(), 8, "{sheet}");
    // 李小红 has no consent: listed, no code.
    let li = sheet.lines().find(|l| l.contains("李小红")).unwrap();
    assert!(
        li.contains("未取得知情同意") && !li.contains("<code>"),
        "{li}"
    );

    // The code page needs no account; the code is read case-insensitively.
    let resp = app.send(get("/answer").build()).await;
    assert_eq!(resp.status(), 200);
    let (status, form) = anon_post(&app, "/answer", &format!("code={}", code.to_lowercase())).await;
    assert_eq!(status, 200, "{form}");
    assert!(
        form.contains("有不如死掉或用某种方式伤害自己的念头"),
        "{form}"
    );
    assert!(form.contains("感到紧张、焦虑或心烦"));
    assert!(form.contains("name=\"viewport\""));

    // One ASQ item left out: refused with its name, the answers given are kept.
    let partial = answers(&code, 2).replace("&asq_5=no", "");
    let (status, html) = anon_post(&app, "/answer/submit", &partial).await;
    assert_eq!(status, 422);
    assert!(html.contains("ASQ 第 5 题还没有作答"), "{html}");
    assert!(
        html.contains("name=\"phq_9\" value=\"2\" required checked"),
        "{html}"
    );
    // An answer out of range is refused, never guessed.
    let (status, html) = anon_post(
        &app,
        "/answer/submit",
        &answers(&code, 2).replace("phq_1=1", "phq_1=4"),
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("第 1 题的答案“4”无效"), "{html}");

    // Submitted: a calm thank-you, no score, no level.
    let (status, done) = anon_post(&app, "/answer/submit", &answers(&code, 2)).await;
    assert_eq!(status, 200, "{done}");
    assert!(done.contains("问卷已经提交"), "{done}");
    for word in ["危机", "关注", "分数", "PHQ"] {
        assert!(!done.contains(word), "{word} shown to the student");
    }

    // A second use is refused, the same as an unknown code is.
    let (status, again) = anon_post(&app, "/answer/submit", &answers(&code, 0)).await;
    assert_eq!(status, 422);
    assert!(again.contains("已经使用过"), "{again}");
    let (_, html) = anon_post(&app, "/answer", "code=ZZZZ2345").await;
    assert!(html.contains("这个答题码不存在"), "{html}");

    // Scored as an import is: PHQ 10 with item 9 = 2 is level 3 and opens a case at once.
    let s = app.login("counsellor-a").await;
    let html = body_text(app.send(get("/psych").cookie(&s.cookie).build()).await).await;
    assert!(html.contains("张小明 · 七年级1班（处理中）"), "{html}");
    assert!(html.contains("10（中度），第9题 2"), "{html}");

    let log = app.store.list_audit(1000).await.unwrap();
    let submit = log
        .iter()
        .find(|r| r.entry.action == "psych_code_submit")
        .expect("submission audited");
    assert_eq!(submit.entry.entity, format!("student:{}", app.ids.child));
    assert!(log.iter().any(|r| r.entry.action == "psych_issue_codes"));

    // Issuing again does not revive a used code: the child is listed as answered.
    let (sheet, _) = issue_or_answered(&app, camp).await;
    assert!(
        sheet.lines().any(|l| l.contains("张小明")) && sheet.contains("已作答"),
        "{sheet}"
    );
}

/// Like `issue`, for a sheet where the child has no code.
async fn issue_or_answered(app: &TestApp, campaign: i64) -> (String, ()) {
    let s = app.login("counsellor-a").await;
    let resp = app
        .send(
            post("/psych/codes")
                .cookie(&s.cookie)
                .form(&format!(
                    "csrf_token={}&campaign={campaign}&class={}",
                    s.csrf, app.ids.class_a7_1
                ))
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 200);
    (body_text(resp).await, ())
}

#[tokio::test]
async fn expired_and_withdrawn_codes_are_refused_and_teachers_issue_none() {
    let app = TestApp::new().await;
    let old = campaign(&app, "2020-01-01", "2020-01-31").await;
    let (_, code) = issue(&app, old).await;
    let (status, html) = anon_post(&app, "/answer", &format!("code={code}")).await;
    assert_eq!(status, 422);
    assert!(html.contains("本次筛查已经结束"), "{html}");
    let (_, html) = anon_post(&app, "/answer/submit", &answers(&code, 0)).await;
    assert!(html.contains("本次筛查已经结束"), "{html}");

    // Consent withdrawn after the codes were printed: the code no longer opens.
    let open = campaign(&app, "2020-01-01", "2099-12-31").await;
    let (_, code) = issue(&app, open).await;
    consent(&app, open, GuardianConsent::Withdrawn).await;
    let (status, html) = anon_post(&app, "/answer/submit", &answers(&code, 0)).await;
    assert_eq!(status, 422);
    assert!(html.contains("尚未收到你的监护人同意书"), "{html}");
    let s = app.login("counsellor-a").await;
    let html = body_text(app.send(get("/psych").cookie(&s.cookie).build()).await).await;
    assert!(
        !html.contains("张小明 · 七年级1班"),
        "nothing was written: {html}"
    );

    // A class outside the campaign's grades: a Chinese reason, no sheet.
    let resp = app
        .send(
            post("/psych/codes")
                .cookie(&s.cookie)
                .form(&format!(
                    "csrf_token={}&campaign={open}&class={}",
                    s.csrf, app.ids.class_a8_1
                ))
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 422);
    assert!(body_text(resp).await.contains("八年级1班不在本次筛查"));

    for who in ["teacher-a", "school-a", "district"] {
        let t = app.login(who).await;
        let resp = app
            .send(
                post("/psych/codes")
                    .cookie(&t.cookie)
                    .form(&format!(
                        "csrf_token={}&campaign={open}&class={}",
                        t.csrf, app.ids.class_a7_1
                    ))
                    .build(),
            )
            .await;
        assert_eq!(resp.status(), 403, "{who}");
    }
}
