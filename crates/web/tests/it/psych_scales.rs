//! 量表定义 in the browser: the district admin uploads a scale definition (multipart, as the
//! page's upload script sends it) and sees the Chinese reason when it does not validate,
//! nothing stored; a counsellor sees the list without the upload form; a school admin or a
//! teacher can neither see nor load. A campaign naming the scale shows its items on the
//! student's phone form and its subscales on the counsellor's results.
use wuyu_domain::SchoolId;
use wuyu_service::psych::{CampaignInput, create_campaign};

use crate::psych_codes::{anon_post, consent, counsellor, issue};
use crate::support::{Session, TestApp, body_json, body_text, get, post};

const BOUNDARY: &str = "----wuyuScaleBoundary";

/// A made-up 3-item scale (answers 0–2), item 3 reverse-scored; one subscale (mean of 1–3)
/// with cut-offs `cutoffs`.
fn definition(cutoffs: &str) -> String {
    format!(
        r#"{{"code": "test_sc", "name_zh": "测试量表（虚构）", "version": "v1", "item_count": 3,
  "answer_values": [0, 1, 2], "answer_labels_zh": ["不符合", "有点符合", "很符合"],
  "items_zh": ["我最近睡得不好", "我觉得学习很累", "我能按时完成作业"],
  "reverse_items": [3],
  "subscales": [{{"code": "stress", "name_zh": "疲惫感", "items": [1, 2, 3], "method": "mean",
    "cutoffs": {cutoffs}}}]}}"#
    )
}

const GOOD: &str = r#"[{"min": 0, "max": 0.99, "label_zh": "低"}, {"min": 1, "max": 2, "label_zh": "偏高", "level": 1}]"#;
const OVERLAP: &str =
    r#"[{"min": 0, "max": 1.5, "label_zh": "低"}, {"min": 1, "max": 2, "label_zh": "偏高"}]"#;

fn upload_body(file_name: &str, json: &str, licence: &str) -> String {
    format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"licence\"\r\n\r\n{licence}\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
         Content-Type: application/json\r\n\r\n{json}\r\n--{BOUNDARY}--\r\n"
    )
}

async fn upload(app: &TestApp, s: &Session, file_name: &str, json: &str) -> (u16, String) {
    let resp = app
        .send(
            post("/psych/scales")
                .cookie(&s.cookie)
                .header("x-csrf-token", &s.csrf)
                .header(
                    "content-type",
                    &format!("multipart/form-data; boundary={BOUNDARY}"),
                )
                .body(&upload_body(file_name, json, "区购买授权"))
                .build(),
        )
        .await;
    (resp.status().as_u16(), body_text(resp).await)
}

async fn page(app: &TestApp, s: &Session) -> (u16, String) {
    let resp = app
        .send(get("/psych/scales").cookie(&s.cookie).build())
        .await;
    (resp.status().as_u16(), body_text(resp).await)
}

#[tokio::test]
async fn the_district_loads_a_scale_and_a_student_answers_it() {
    let app = TestApp::new().await;
    let d = app.login("district").await;

    // Overlapping cut-offs: 422 with the reason naming the file, the subscale and the values;
    // nothing stored.
    let (status, html) = upload(&app, &d, "测试.json", &definition(OVERLAP)).await;
    assert_eq!(status, 422);
    assert!(
        html.contains("量表定义文件“测试.json”分量表“stress”第 2 个划界区间：划界区间 1–2 与上一区间 0–1.5 重叠或未按升序排列"),
        "{html}"
    );
    assert!(html.contains("尚未载入任何量表定义"));

    // A good file: version 1, listed with its licence; the same file again adds nothing.
    let (status, html) = upload(&app, &d, "测试.json", &definition(GOOD)).await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("已载入量表“测试量表（虚构）”（test_sc）第 1 版"),
        "{html}"
    );
    assert!(html.contains("区购买授权"));
    assert!(
        html.contains(
            "3 题，答案 0、1、2；反向计分第 3 题；疲惫感（第 1、2、3 题平均）：0–0.99 低，1–2 偏高"
        ),
        "{html}"
    );
    let (_, html) = upload(&app, &d, "测试.json", &definition(GOOD)).await;
    assert!(
        html.contains("内容与已有的第 1 版相同，未新增版本"),
        "{html}"
    );
    assert_eq!(html.matches("<td>第 1 版</td>").count(), 1);
    assert!(!html.contains("第 2 版"));

    // The counsellor sees the list, not the upload form; a school admin and a teacher see
    // neither, and cannot load.
    let c = app.login("counsellor-a").await;
    let (status, html) = page(&app, &c).await;
    assert_eq!(status, 200);
    assert!(html.contains("测试量表（虚构）"));
    assert!(!html.contains("name=\"file\""));
    for user in ["school-a", "teacher-a", "counsellor-a"] {
        let s = app.login(user).await;
        let (status, _) = upload(&app, &s, "测试.json", &definition(GOOD)).await;
        assert_eq!(status, 403, "{user}");
    }
    for user in ["school-a", "teacher-a"] {
        let s = app.login(user).await;
        assert_eq!(page(&app, &s).await.0, 403, "{user}");
    }
    // The API lists the same versions for the counsellor.
    let resp = app
        .send(get("/api/v1/psych/scales").cookie(&c.cookie).build())
        .await;
    assert_eq!(resp.status(), 200);
    let json = body_json(resp).await;
    assert_eq!(json.as_array().unwrap().len(), 1);
    assert_eq!(json[0]["code"], "test_sc");
    assert_eq!(json[0]["version"], 1);
    assert_eq!(json[0]["licence"], "区购买授权");
    let log = app.store.list_audit(10_000).await.unwrap();
    assert_eq!(
        log.iter()
            .filter(|r| r.entry.action == "psych_scale_load")
            .count(),
        2
    );

    // A campaign naming the scale: the student's form shows its items and labels.
    let (svc, v, who) = counsellor(&app).await;
    let camp = create_campaign(
        &svc,
        &v,
        &who,
        SchoolId(app.ids.school_a),
        &CampaignInput {
            name: "疲惫感小调查".into(),
            school_year: 2025,
            scales: vec!["phq9".into()],
            grades: vec![7],
            opens_on: "2020-01-01".into(),
            closes_on: "2099-12-31".into(),
            custom_scale: "test_sc".into(),
        },
    )
    .await
    .unwrap();
    consent(&app, camp, wuyu_service::psych::GuardianConsent::Given).await;
    let (_, code) = issue(&app, camp).await;
    let (status, form) = anon_post(&app, "/answer", &format!("code={code}")).await;
    assert_eq!(status, 200);
    assert!(form.contains("测试量表（虚构）"));
    assert!(form.contains("我能按时完成作业"));
    assert!(form.contains("name=\"test_sc_3\""));
    assert!(form.contains("很符合"));

    // Answers 2, 2, 0 (item 3 reversed to 2): 疲惫感 mean 2 偏高 — the counsellor's results
    // list the child by the scale's cut-off, with the built-in level 0.
    let mut body = format!("code={code}");
    for i in 1..=9 {
        body.push_str(&format!("&phq_{i}=0"));
    }
    body.push_str("&test_sc_1=2&test_sc_2=2&test_sc_3=0");
    let (status, done) = anon_post(&app, "/answer/submit", &body).await;
    assert_eq!(status, 200, "{done}");
    let resp = app
        .send(
            get(&format!("/psych?campaign={camp}"))
                .cookie(&c.cookie)
                .build(),
        )
        .await;
    let html = body_text(resp).await;
    assert!(
        html.contains("<th>测试量表（虚构）（第 1 版）</th>"),
        "{html}"
    );
    assert!(html.contains("疲惫感小调查（2020-01-01 至 2099-12-31，自定义量表 test_sc 第 1 版）"));
    let row = html
        .lines()
        .find(|l| l.contains("张小明"))
        .expect("the child's row");
    assert!(row.contains("0 无需关注"), "{row}");
    assert!(row.contains("疲惫感 2（偏高）"), "{row}");
}
