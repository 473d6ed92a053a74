//! 指标填报 over HTTP, the whole round trip: a school admin enters a value with a PDF (a rate
//! of 130 % refused in Chinese), the district sees it in the 待审核 queue with its evidence,
//! returns it with a reason the school then reads, approves the corrected value, and the
//! plan's verdict changes; the API twin enters and reviews; a locked year refuses entries;
//! every step is in the audit log.
use wuyu_service::Service;
use wuyu_service::file::UploadedFile;
use wuyu_service::import::ImportActor;
use wuyu_service::plan::import_plan;

use crate::exams::table;
use crate::support::{Session, TestApp, body_json, body_text, get, location, post};

const PLAN: &str = "indicator,unit,target_2025,comparator,scope\n\
    家长学校参与率,% of parents,90,>=,per school\n\
    市级文明校园,schools,25,>=,district\n";

pub(crate) const PDF: &str = "%PDF-1.4 家长学校开课记录";
pub(crate) const BOUNDARY: &str = "----wuyuTestBoundary";

async fn app() -> (TestApp, String) {
    let app = TestApp::new().await;
    let svc = Service::new(app.store.clone());
    let file = UploadedFile::new("plan.csv", PLAN.as_bytes().to_vec());
    import_plan(&svc, &ImportActor::Operator("t".into()), &file)
        .await
        .unwrap();
    let plan = wuyu_service::plan::plan(&svc).await.unwrap();
    let key = plan.indicators[0].key.clone();
    (app, key)
}

/// A multipart body as a browser sends the 填报 form.
pub(crate) fn multipart(fields: &[(&str, &str)], file: Option<(&str, &str)>) -> String {
    let mut b = String::new();
    for (k, v) in fields {
        b.push_str(&format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
        ));
    }
    if let Some((name, data)) = file {
        b.push_str(&format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"evidence\"; filename=\"{name}\"\r\n\
             Content-Type: application/pdf\r\n\r\n{data}\r\n"
        ));
    }
    b.push_str(&format!("--{BOUNDARY}--\r\n"));
    b
}

async fn submit(
    app: &TestApp,
    s: &Session,
    key: &str,
    value: &str,
    file: Option<(&str, &str)>,
) -> (u16, String, String) {
    let body = multipart(
        &[
            ("key", key),
            ("year", "2025"),
            ("school", ""),
            ("value", value),
            ("note", "全年开课 8 次"),
        ],
        file,
    );
    let req = post("/plan/reports")
        .cookie(&s.cookie)
        .header("x-csrf-token", &s.csrf)
        .header(
            "content-type",
            &format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(&body);
    let resp = app.send(req.build()).await;
    let status = resp.status().as_u16();
    let loc = location(&resp);
    (status, loc, body_text(resp).await)
}

pub(crate) async fn page(app: &TestApp, s: &Session, path: &str) -> (u16, String) {
    let resp = app.send(get(path).cookie(&s.cookie).build()).await;
    (resp.status().as_u16(), body_text(resp).await)
}

pub(crate) async fn form(
    app: &TestApp,
    s: &Session,
    path: &str,
    body: &str,
) -> (u16, String, String) {
    let resp = app
        .send(
            post(path)
                .cookie(&s.cookie)
                .form(&format!("csrf_token={}&{body}", s.csrf))
                .build(),
        )
        .await;
    let status = resp.status().as_u16();
    let loc = location(&resp);
    (status, loc, body_text(resp).await)
}

async fn api(
    app: &TestApp,
    s: &Session,
    path: &str,
    json: serde_json::Value,
) -> (u16, serde_json::Value) {
    let resp = app
        .send(
            post(path)
                .cookie(&s.cookie)
                .header("x-csrf-token", &s.csrf)
                .header("content-type", "application/json")
                .body(&json.to_string())
                .build(),
        )
        .await;
    let status = resp.status().as_u16();
    let text = body_text(resp).await;
    (
        status,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
    )
}

/// The cell of `table` in the row containing `label`, column `col`.
fn cell(t: &[Vec<String>], label: &str, col: &str) -> String {
    let c = t[0].iter().position(|h| h == col).expect(col);
    let r = t
        .iter()
        .find(|r| r.iter().any(|x| x == label))
        .unwrap_or_else(|| panic!("{label} in {t:?}"));
    r[c].clone()
}

/// School A's verdict on the target, from the API's status lines.
async fn verdict_a(app: &TestApp, s: &Session, key: &str) -> (String, Option<f64>) {
    let resp = app
        .send(
            get(&format!("/api/v1/plan/targets/{key}?year=2025"))
                .cookie(&s.cookie)
                .build(),
        )
        .await;
    let j = body_json(resp).await;
    let a = app.ids.school_a;
    let l = j["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["school_id"] == a)
        .unwrap()
        .clone();
    (
        l["verdict_zh"].as_str().unwrap().to_string(),
        l["value"].as_f64(),
    )
}

#[tokio::test]
async fn a_school_reports_the_district_reviews_and_the_verdict_changes() {
    let (app, key) = app().await;
    let (a, b) = (app.ids.school_a, app.ids.school_b);
    let school = app.login("school-a").await;
    let district = app.login("district").await;

    // The school's page: its one reported target, due.
    let (status, html) = page(&app, &school, "/plan/reports?year=2025").await;
    assert_eq!(status, 200);
    assert!(html.contains("指标填报"));
    let t = table(&html, "reports");
    assert_eq!(t.len(), 2, "{t:?}");
    assert_eq!(cell(&t, "家长学校参与率", "状态"), "待填报");
    assert_eq!(
        verdict_a(&app, &district, &key).await,
        ("待填报".into(), None)
    );

    // 130 % is refused with the reason on the page; nothing is written.
    let (status, _, html) = submit(&app, &school, &key, "130", None).await;
    assert_eq!(status, 400);
    assert!(
        html.contains("百分比应在 0 到 100 之间") && html.contains("130"),
        "{html}"
    );
    assert_eq!(
        cell(&table(&html, "reports"), "家长学校参与率", "状态"),
        "待填报"
    );

    // 85 % with a PDF: 待审核 for the school and in the district's queue.
    let (status, loc, _) = submit(&app, &school, &key, "85", Some(("开课记录.pdf", PDF))).await;
    assert_eq!(
        (status, loc.as_str()),
        (303, "/plan/reports?year=2025&done=submitted")
    );
    let (_, html) = page(&app, &school, &loc).await;
    assert!(html.contains("已提交，等待区里审核"));
    assert_eq!(
        cell(&table(&html, "reports"), "家长学校参与率", "状态"),
        "待审核"
    );
    assert_eq!(
        verdict_a(&app, &district, &key).await,
        ("待审核".into(), None)
    );
    let (_, html) = page(&app, &district, "/plan/reports?year=2025").await;
    let q = table(&html, "queue");
    assert_eq!(q.len(), 2, "{q:?}");
    assert_eq!(cell(&q, "第一实验中学", "填报值"), "85%");
    assert_eq!(cell(&q, "第一实验中学", "佐证"), "开课记录.pdf");
    // The evidence as stored, for the district; not for a teacher of school B.
    let href = format!("/plan/reports/evidence?key={key}&year=2025&school={a}");
    let start = html
        .find("/plan/reports/evidence?")
        .expect("an evidence link");
    let linked = &html[start..start + html[start..].find('"').unwrap()];
    assert_eq!(linked.replace("&amp;", "&").replace("&#38;", "&"), href);
    let resp = app.send(get(&href).cookie(&district.cookie).build()).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/pdf");
    assert_eq!(body_text(resp).await, PDF);
    let other = app.login("teacher-b").await;
    assert_eq!(page(&app, &other, &href).await.0, 403);

    // The school cannot review; the district returns without a reason: refused.
    let review = |decision: &str, reason: &str| {
        format!("key={key}&year=2025&school={a}&decision={decision}&reason={reason}")
    };
    assert_eq!(
        form(
            &app,
            &school,
            "/plan/reports/review",
            &review("approve", "")
        )
        .await
        .0,
        403
    );
    let (status, _, html) = form(
        &app,
        &district,
        "/plan/reports/review",
        &review("return", ""),
    )
    .await;
    assert_eq!(status, 400);
    assert!(html.contains("请填写退回理由"));
    // Returned with a reason (缺少签字): the school reads it.
    let (status, _, _) = form(
        &app,
        &district,
        "/plan/reports/review",
        &review("return", "%E7%BC%BA%E5%B0%91%E7%AD%BE%E5%AD%97"),
    )
    .await;
    assert_eq!(status, 303);
    let (_, html) = page(&app, &school, "/plan/reports?year=2025").await;
    let t = table(&html, "reports");
    assert_eq!(cell(&t, "家长学校参与率", "状态"), "已退回");
    assert_eq!(cell(&t, "家长学校参与率", "退回理由"), "缺少签字");

    // Corrected to 92 % (the PDF kept) and approved: the verdict is 已达标 with the value.
    let (status, _, _) = submit(&app, &school, &key, "92", None).await;
    assert_eq!(status, 303);
    assert_eq!(
        form(
            &app,
            &district,
            "/plan/reports/review",
            &review("approve", "")
        )
        .await
        .0,
        303
    );
    assert_eq!(
        verdict_a(&app, &district, &key).await,
        ("已达标".into(), Some(92.0))
    );
    let (_, html) = page(&app, &district, "/plan?year=2025").await;
    assert_eq!(
        cell(&table(&html, "plan"), "家长学校参与率", "达标学校"),
        "1"
    );

    // The API twin: school B enters 80 %, the district approves, B misses the target.
    let school_b = app.login("teacher-b").await;
    let (status, _) = api(
        &app,
        &school_b,
        "/api/v1/plan/reports",
        serde_json::json!({"key": key, "year": 2025, "value": "80", "note": "n"}),
    )
    .await;
    assert_eq!(status, 403, "a teacher does not report");
    let (status, j) = api(&app, &district, "/api/v1/plan/reports", serde_json::json!({"key": key, "year": 2025, "school_id": b, "value": "80", "note": "代学校填报"})).await;
    assert_eq!((status, j["status"].as_str()), (200, Some("submitted")));
    let (status, j) = api(
        &app,
        &district,
        "/api/v1/plan/reports/review",
        serde_json::json!({"key": key, "year": 2025, "school_id": b, "decision": "approve"}),
    )
    .await;
    assert_eq!((status, j["status"].as_str()), (200, Some("approved")));
    let resp = app
        .send(
            get("/api/v1/plan/reports?year=2025")
                .cookie(&school.cookie)
                .build(),
        )
        .await;
    let j = body_json(resp).await;
    assert_eq!(j["items"][0]["state_zh"], "已通过");
    assert_eq!(j["items"][0]["report"]["value"], 92.0);

    // Locked: the school's page says why, entries are refused (page and API).
    assert_eq!(
        form(&app, &school, "/plan/reports/lock", "year=2025&reason=x")
            .await
            .0,
        403
    );
    let (status, loc, _) = form(
        &app,
        &district,
        "/plan/reports/lock",
        "year=2025&reason=%E5%B9%B4%E5%BA%A6%E8%80%83%E6%A0%B8",
    )
    .await;
    assert_eq!(
        (status, loc.as_str()),
        (303, "/plan/reports?year=2025&done=locked")
    );
    let (_, html) = page(&app, &school, "/plan/reports?year=2025").await;
    assert!(html.contains("本年度填报已锁定：年度考核"));
    let civil = wuyu_service::plan::plan(&Service::new(app.store.clone()))
        .await
        .unwrap()
        .indicators[1]
        .key
        .clone();
    let (status, j) = api(
        &app,
        &district,
        "/api/v1/plan/reports",
        serde_json::json!({"key": civil, "year": 2025, "value": "30", "note": "n"}),
    )
    .await;
    assert_eq!(status, 400);
    assert!(j["detail"].as_str().unwrap().contains("已锁定"), "{j}");

    // Every step audited.
    let log = app.store.list_audit(200).await.unwrap();
    let n = |action: &str| log.iter().filter(|r| r.entry.action == action).count();
    assert_eq!(
        (
            n("plan_report_submit"),
            n("plan_report_return"),
            n("plan_report_approve"),
            n("plan_period_lock")
        ),
        (3, 1, 2, 1)
    );

    // Reopened for school A only: its page says why and takes a corrected value again.
    let (status, loc, _) = form(
        &app,
        &district,
        "/plan/reports/reopen",
        &format!(
            "year=2025&school={a}&decision=reopen&reason=%E6%95%B0%E6%8D%AE%E6%9B%B4%E6%AD%A3"
        ),
    )
    .await;
    assert_eq!(
        (status, loc.as_str()),
        (303, "/plan/reports?year=2025&done=reopened")
    );
    let (_, html) = page(&app, &district, "/plan/reports?year=2025").await;
    assert!(html.contains("为一所学校重新开放"));
    assert!(html.contains("数据更正"));
    let (_, html) = page(&app, &school, "/plan/reports?year=2025").await;
    assert!(
        html.contains("区里已为本校重新开放填报：数据更正"),
        "{html}"
    );
    let (status, loc, _) = submit(&app, &school, &key, "93", None).await;
    assert_eq!(
        (status, loc.as_str()),
        (303, "/plan/reports?year=2025&done=submitted")
    );
    let j = body_json(
        app.send(
            get("/api/v1/plan/reports?year=2025")
                .cookie(&school.cookie)
                .build(),
        )
        .await,
    )
    .await;
    assert_eq!(j["reopens"][0]["reason"], "数据更正");
    assert_eq!(j["items"][0]["state_zh"], "待审核");
    assert_eq!(j["items"][0]["report"]["value"], 93.0);
    // Closed again through the API: the school is locked out like the rest.
    let (status, _) = api(
        &app,
        &district,
        "/api/v1/plan/reopens",
        serde_json::json!({"year": 2025, "school_id": a, "open": false}),
    )
    .await;
    assert_eq!(status, 204);
    let (status, _, html) = submit(&app, &school, &key, "94", None).await;
    assert_eq!(status, 400);
    assert!(html.contains("已锁定"));

    // Due rules: the district's form and the API; a bad cadence is refused in Chinese.
    let (status, loc, _) = form(
        &app,
        &district,
        "/plan/reports/due",
        &format!("year=2025&key={key}&cadence=quarterly&day=10"),
    )
    .await;
    assert_eq!(
        (status, loc.as_str()),
        (303, "/plan/reports?year=2025&done=due")
    );
    let j = body_json(
        app.send(
            get("/api/v1/plan/reports?year=2025")
                .cookie(&school.cookie)
                .build(),
        )
        .await,
    )
    .await;
    assert_eq!(j["items"][0]["cadence"], "quarterly");
    assert_eq!(j["items"][0]["due"], "2025-09-10");
    let (status, j) = api(
        &app,
        &district,
        "/api/v1/plan/due",
        serde_json::json!({"key": key, "cadence": "weekly", "day": 10}),
    )
    .await;
    assert_eq!(status, 400);
    assert!(j["detail"].as_str().unwrap().contains("weekly"));
    let log = app.store.list_audit(300).await.unwrap();
    let n = |action: &str| log.iter().filter(|r| r.entry.action == action).count();
    assert_eq!(
        (
            n("plan_period_reopen"),
            n("plan_period_reclose"),
            n("plan_due_set")
        ),
        (1, 1, 1)
    );
}

/// The monthly progress (调度) lists who is behind with their 填报: the district every school
/// past the due date, a school its own line; the XLSX carries the same list. (Plan year 2025's
/// values were due on 15 July 2025, long past, and nothing has been entered.)
#[tokio::test]
async fn the_monthly_progress_lists_overdue_reports() {
    use calamine::{Reader, Xlsx, open_workbook_from_rs};
    let (app, _) = app().await;
    let district = app.login("district").await;
    let school = app.login("school-a").await;
    let (status, html) = page(&app, &district, "/plan/progress").await;
    assert_eq!(status, 200);
    let t = table(&html, "overdue");
    let rows: Vec<(&str, &str, &str)> = t[1..]
        .iter()
        .map(|r| (r[0].as_str(), r[1].as_str(), r[3].as_str()))
        .collect();
    assert_eq!(
        rows,
        vec![
            ("第一实验中学", "家长学校参与率", "2025-07-15"),
            ("柳林小学", "家长学校参与率", "2025-07-15"),
        ]
    );
    let (_, html) = page(&app, &school, "/plan/progress").await;
    let t = table(&html, "overdue");
    assert_eq!(t.len(), 2, "{t:?}");
    assert_eq!(t[1][0], "第一实验中学");

    let resp = app
        .send(
            get("/plan/progress?format=xlsx")
                .cookie(&district.cookie)
                .build(),
        )
        .await;
    assert_eq!(resp.status().as_u16(), 200);
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    let mut wb: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let range = wb.worksheet_range("逾期填报").unwrap();
    let cells: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    // Title, headers, then the two schools.
    assert_eq!(cells.len(), 4, "{cells:?}");
    assert_eq!(cells[2][0], "第一实验中学");
    assert_eq!(
        cells[3][..4],
        ["柳林小学", "家长学校参与率", "每年", "2025-07-15"]
    );
    let resp = app
        .send(
            get("/plan/progress?format=csv")
                .cookie(&district.cookie)
                .build(),
        )
        .await;
    assert_eq!(resp.status().as_u16(), 400);
}
