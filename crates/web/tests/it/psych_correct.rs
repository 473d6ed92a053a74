//! Correcting a mis-entered answer set in the browser: the school's counsellor finds the
//! answers by 学籍号, saves the right ones with a reason, sees the level recomputed and a
//! crisis case opened; the values before stay on the page. The 班主任 then sees the new level
//! and nothing of the answers; nobody else reaches the correction page.
use wuyu_domain::roster::NewAssignment;
use wuyu_domain::{ClassId, Grade, Origin, RosterBatch, SchoolCode, SchoolId};
use wuyu_service::psych::{issue_codes, submit_code};
use wuyu_store::ImportMeta;

use crate::psych_codes::{campaign, counsellor};
use crate::support::{TestApp, body_text, get, post};

/// teacher-a becomes 班主任 of 七年级1班.
async fn head_teacher(app: &TestApp) {
    app.store
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
                file_sha256: "4".repeat(64),
                at: 0,
            },
        )
        .await
        .unwrap();
}

/// The form body: PHQ-9 items 1–8 `phq`, item 9 `item9`, GAD-7 0, ASQ no, and the reason.
fn body(csrf: &str, camp: i64, no: &str, phq: &str, item9: &str, reason: &str) -> String {
    let mut b = format!("csrf_token={csrf}&campaign={camp}&student_no={no}");
    for i in 1..=8 {
        b.push_str(&format!("&phq_{i}={phq}"));
    }
    b.push_str(&format!("&phq_9={item9}"));
    for i in 1..=7 {
        b.push_str(&format!("&gad_{i}=0"));
    }
    for i in 1..=5 {
        b.push_str(&format!("&asq_{i}=no"));
    }
    b.push_str(&format!("&reason={reason}"));
    b
}

#[tokio::test]
async fn a_counsellor_corrects_answers_with_a_reason_and_the_level_is_recomputed() {
    let app = TestApp::new().await;
    head_teacher(&app).await;
    let camp = campaign(&app, "2020-01-01", "2099-12-31").await;
    // The child answers PHQ 8×1 + 0 = 8, GAD 0, ASQ no: level 0.
    let (svc, v, who) = counsellor(&app).await;
    let a = SchoolId(app.ids.school_a);
    let sheet = issue_codes(&svc, &v, &who, a, camp, ClassId(app.ids.class_a7_1))
        .await
        .unwrap();
    let code = sheet
        .rows
        .iter()
        .find(|r| r.name == "张小明")
        .and_then(|r| r.code.clone())
        .unwrap();
    let mut form: Vec<(String, String)> = (1..=8)
        .map(|i| (format!("phq_{i}"), "1".to_string()))
        .collect();
    form.push(("phq_9".into(), "0".into()));
    form.extend((1..=7).map(|i| (format!("gad_{i}"), "0".to_string())));
    form.extend((1..=5).map(|i| (format!("asq_{i}"), "no".to_string())));
    submit_code(&svc, &code, &form, "10.0.0.1").await.unwrap();
    let no = wuyu_testkit::district::child_student_no();

    let s = app.login("counsellor-a").await;
    let url = format!("/psych/correct?campaign={camp}&student_no={no}");
    let resp = app.send(get(&url).cookie(&s.cookie).build()).await;
    assert_eq!(resp.status(), 200);
    let html = body_text(resp).await;
    assert!(html.contains("张小明 · 七年级1班"), "{html}");
    assert!(html.contains("0 无需关注"), "{html}");
    assert!(html.contains("8（轻度），第9题 0"), "{html}");
    assert!(html.contains("这份答卷没有更正过"), "{html}");
    // The stored answers are preselected: PHQ item 1 = 1, item 9 = 0.
    let select = |name: &str| {
        html.split(&format!("<select id=\"{name}\""))
            .nth(1)
            .and_then(|r| r.split("</select>").next())
            .unwrap()
            .to_string()
    };
    assert!(
        select("phq_1").contains("<option value=\"1\" selected>"),
        "{html}"
    );
    assert!(
        select("phq_9").contains("<option value=\"0\" selected>"),
        "{html}"
    );

    // No reason: refused, what was typed kept.
    let resp = app
        .send(
            post("/psych/correct")
                .cookie(&s.cookie)
                .form(&body(&s.csrf, camp, &no, "2", "2", ""))
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 422);
    let html = body_text(resp).await;
    assert!(html.contains("更正原因不能为空"), "{html}");
    assert!(
        html.split("<select id=\"phq_9\"")
            .nth(1)
            .unwrap()
            .split("</select>")
            .next()
            .unwrap()
            .contains("<option value=\"2\" selected>"),
        "{html}"
    );

    // With a reason: PHQ 8×2 + 2 = 18, item 9 = 2: level 3 and a case the same day.
    let reason = "%E6%8C%89%E7%BA%B8%E8%B4%A8%E7%AD%94%E5%8D%B7%E6%9B%B4%E6%AD%A3"; // 按纸质答卷更正
    let resp = app
        .send(
            post("/psych/correct")
                .cookie(&s.cookie)
                .form(&body(&s.csrf, camp, &no, "2", "2", reason))
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let html = body_text(resp).await;
    assert!(html.contains("关注等级 0 无需关注 → 3 危机"), "{html}");
    assert!(html.contains("已开启危机个案"), "{html}");
    assert!(html.contains("张小明 · 七年级1班（处理中）"), "{html}");
    assert!(html.contains("18（中重度），第9题 2"), "{html}");

    // The values before stay listed with the reason.
    let html = body_text(app.send(get(&url).cookie(&s.cookie).build()).await).await;
    assert!(
        html.contains("0 无需关注 → 3 危机（开启危机个案）"),
        "{html}"
    );
    assert!(html.contains("PHQ 1,1,1,1,1,1,1,1,0"), "{html}");
    assert!(html.contains("按纸质答卷更正"), "{html}");

    // The 班主任 sees the new level and the tasks, never the answers or scores.
    let t = app.login("teacher-a").await;
    let resp = app
        .send(get("/psych/flags").cookie(&t.cookie).build())
        .await;
    assert_eq!(resp.status(), 200);
    let flags = body_text(resp).await;
    let row = flags
        .lines()
        .find(|l| l.contains("张小明"))
        .expect("flagged");
    assert!(row.contains("3 危机"), "{row}");
    for word in ["PHQ", "第9题", "18（", "中重度", "按纸质答卷更正"] {
        assert!(!flags.contains(word), "{word} shown to the 班主任");
    }
    // Nobody else reaches the correction page; the refusal is audited.
    for user in ["teacher-a", "school-a", "district", "parent-a"] {
        let u = app.login(user).await;
        let resp = app.send(get(&url).cookie(&u.cookie).build()).await;
        assert_eq!(resp.status(), 403, "{user}");
    }
    let log = app.store.list_audit(1000).await.unwrap();
    let fix = log
        .iter()
        .find(|r| r.entry.action == "psych_correct_response")
        .expect("the correction audited");
    assert_eq!(fix.entry.entity, format!("student:{}", app.ids.child));
    assert!(
        fix.entry.detail.contains("reason=按纸质答卷更正"),
        "{}",
        fix.entry.detail
    );

    // An unknown 学籍号 goes back to the counsellor's page with the reason.
    let resp = app
        .send(
            get(&format!("/psych/correct?campaign={camp}&student_no=NOPE"))
                .cookie(&s.cookie)
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 422);
    assert!(body_text(resp).await.contains("学籍号“NOPE”"));
}
