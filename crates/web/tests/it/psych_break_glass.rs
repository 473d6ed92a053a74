//! 紧急查阅: a district admin opens one student's record only with a written reason; the
//! reason is audited and shows on the counsellor's page; nobody else may, and without a
//! reason nothing is shown.
use wuyu_domain::{SchoolId, StudentId};
use wuyu_service::psych::{CounsellingInput, add_counselling, open_case};

use crate::psych_codes::counsellor;
use crate::support::{TestApp, body_text, get, post};

async fn open(app: &TestApp, who: &str, body: &str) -> (u16, String) {
    let s = app.login(who).await;
    let resp = app
        .send(
            post("/psych/break-glass")
                .cookie(&s.cookie)
                .form(&format!("csrf_token={}&{body}", s.csrf))
                .build(),
        )
        .await;
    (resp.status().as_u16(), body_text(resp).await)
}

#[tokio::test]
async fn break_glass_needs_a_reason_and_shows_on_the_counsellors_page() {
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
    // The counsellor's note is for the counsellor: break-glass shows that a talk took place,
    // when and by whom, never what was said.
    add_counselling(
        &svc,
        &v,
        &who,
        SchoolId(app.ids.school_a),
        case,
        &CounsellingInput {
            held_on: "2025-10-09".into(),
            kind: "individual".into(),
            summary: "谈到与同桌的矛盾和睡眠问题".into(),
            next_step: "约见家长".into(),
        },
    )
    .await
    .unwrap();
    let no = wuyu_testkit::child_student_no();
    let a = app.ids.school_a;

    let s = app.login("district").await;
    let resp = app
        .send(get("/psych/aggregates").cookie(&s.cookie).build())
        .await;
    assert!(
        body_text(resp)
            .await
            .contains("href=\"/psych/break-glass\"")
    );
    let resp = app
        .send(get("/psych/break-glass").cookie(&s.cookie).build())
        .await;
    assert_eq!(resp.status(), 200);

    // No reason: refused, nothing of the record shown.
    let (status, html) = open(
        &app,
        "district",
        &format!("school={a}&student_no={no}&reason=%E7%9C%8B"),
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("紧急查阅必须填写理由"), "{html}");
    assert!(
        !html.contains("张小明") && !html.contains("告知班主任"),
        "{html}"
    );
    let (status, html) = open(&app, "district", &format!("school={a}&student_no=NOPE&reason=%E5%AE%B6%E9%95%BF%E6%9D%A5%E7%94%B5%E5%8F%8D%E6%98%A0")).await;
    assert_eq!(status, 422);
    assert!(html.contains("该校没有学籍号为“NOPE”的学生"), "{html}");

    // 家长来电反映孩子有自伤言论
    let reason = "%E5%AE%B6%E9%95%BF%E6%9D%A5%E7%94%B5%E5%8F%8D%E6%98%A0%E5%AD%A9%E5%AD%90%E6%9C%89%E8%87%AA%E4%BC%A4%E8%A8%80%E8%AE%BA";
    for who in [
        "analyst",
        "school-a",
        "teacher-a",
        "counsellor-a",
        "parent-a",
    ] {
        let (status, html) = open(
            &app,
            who,
            &format!("school={a}&student_no={no}&reason={reason}"),
        )
        .await;
        assert_eq!(status, 403, "{who}");
        assert!(!html.contains("告知班主任"), "{who}");
    }
    let (status, html) = open(
        &app,
        "district",
        &format!("school={a}&student_no={no}&reason={reason}"),
    )
    .await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("张小明 的心理档案"), "{html}");
    assert!(html.contains("告知班主任：未完成"), "{html}");
    assert!(
        html.contains(&format!("2025-10-09 个别辅导（{}）", who.username)),
        "{html}"
    );
    assert!(
        !html.contains("同桌的矛盾") && !html.contains("约见家长"),
        "{html}"
    );

    let s = app.login("counsellor-a").await;
    let html = body_text(app.send(get("/psych").cookie(&s.cookie).build()).await).await;
    let section = html.split("<h2>紧急查阅记录</h2>").nth(1).unwrap();
    assert!(
        section.contains("district") && section.contains("家长来电反映孩子有自伤言论"),
        "{section}"
    );

    let log = app.store.list_audit(1000).await.unwrap();
    assert_eq!(
        log.iter()
            .filter(|r| r.entry.action == "psych_break_glass")
            .count(),
        1,
        "only the read with a reason"
    );
    assert!(
        log.iter()
            .any(|r| r.entry.action == "psych_denied" && r.entry.username == "analyst")
    );
}
