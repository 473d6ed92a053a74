//! 综合素质档案 pages: a parent reads their child's archive (approved records in their domain,
//! pending ones only counted, no ranks); the district sees schools' coverage, a school admin
//! its classes'.
use time::macros::date;
use wuyu_domain::{ActivityCategory, ClassId, SchoolId, StudentId, Tenths, Term, TermPart, Viewer};
use wuyu_service::Service;
use wuyu_service::archive::{ActivityInput, class_archive, record_activity, review};
use wuyu_service::audit::Requester;
use wuyu_store::archive::Review;

use crate::support::{TestApp, body_text, get, post};

async fn viewer(svc: &Service, username: &str) -> (Viewer, Requester) {
    let user = svc
        .store()
        .user_credentials(username)
        .await
        .unwrap()
        .unwrap()
        .user;
    let scope = wuyu_service::accounts::scope_for(svc, &user).await.unwrap();
    let who = Requester::user(&user, "127.0.0.1");
    (Viewer::new(user, scope), who)
}

async fn page(app: &TestApp, who: &str, path: &str) -> (u16, String) {
    let s = app.login(who).await;
    let resp = app.send(get(path).cookie(&s.cookie).build()).await;
    (resp.status().as_u16(), body_text(resp).await)
}

#[tokio::test]
async fn the_parent_sees_the_archive_and_the_district_the_coverage() {
    let app = TestApp::new().await;
    let svc = Service::new(app.store.clone());
    let ids = app.ids.clone();
    let a = SchoolId(ids.school_a);
    let term = Term::new(2025, TermPart::Autumn).unwrap();
    let (school, who) = viewer(&svc, "school-a").await;
    let choir = ActivityInput {
        category: ActivityCategory::Art,
        term,
        date: date!(2025 - 11 - 20),
        end_date: None,
        hours: Tenths(25),
        travel: Tenths(0),
        organiser: "音乐组".into(),
        description: "班级合唱比赛".into(),
    };
    record_activity(&svc, &school, &who, a, &[StudentId(ids.child)], &choir)
        .await
        .unwrap();
    let mut tour = choir.clone();
    tour.category = ActivityCategory::StudyTour;
    tour.description = "博物馆研学".into();
    record_activity(&svc, &school, &who, a, &[StudentId(ids.child)], &tour)
        .await
        .unwrap();
    let choir_id = class_archive(&svc, &school, a, ClassId(ids.class_a7_1), term)
        .await
        .unwrap()
        .records
        .iter()
        .find(|r| r.description == "班级合唱比赛")
        .unwrap()
        .id;
    review(&svc, &school, &who, a, &[choir_id], &Review::Approve)
        .await
        .unwrap();

    let path = format!("/schools/{}/students/{}/archive", ids.school_a, ids.child);
    let (status, html) = page(&app, "parent-a", &path).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("艺术素养") && html.contains("班级合唱比赛"),
        "{html}"
    );
    // A record awaiting review is listed with its state, not among the archive's domains.
    let domains = &html[html.find("<h2>思想品德").unwrap()..];
    assert!(
        !domains.contains("博物馆研学"),
        "a record awaiting review is not in a domain"
    );
    assert!(
        html.contains(
            "<td>研学旅行</td><td class=\"num\">2.5</td><td>博物馆研学</td><td>待审核</td>"
        ),
        "{html}"
    );
    assert!(html.contains("另有 1 条待班主任审核"), "{html}");
    assert!(
        !html.contains("名次") && !html.contains("百分等级"),
        "no rank is shown"
    );

    // School A has five enrolled students; one has an approved art record.
    let (status, html) = page(&app, "district", "/archive/coverage?term=2025-autumn").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("第一实验中学") && html.contains("20.0%"),
        "{html}"
    );
    let (status, html) = page(&app, "school-a", "/archive/coverage").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("七年级1班") && html.contains("50.0%"),
        "{html}"
    );
}

/// teacher-a becomes 班主任 of 七年级1班 (the fixture names no 班主任); a roster import
/// replaces the school's assignments, so the fixture's teaching ones are given again.
async fn head_of_7_1(app: &TestApp) {
    use wuyu_domain::roster::NewAssignment;
    use wuyu_domain::{Grade, Origin, RosterBatch, SchoolCode};
    let assign = |staff: &str, grade: u8, class: &str, subject: &str| NewAssignment {
        origin: Origin::default(),
        school_code: SchoolCode::parse("S001").unwrap(),
        staff_no: staff.into(),
        grade: Grade::new(grade).unwrap(),
        class_name: class.into(),
        subject: subject.into(),
        share: 1.0,
    };
    app.store
        .import_roster(
            &RosterBatch {
                assignments: vec![
                    assign("T01", 7, "1班", "语文"),
                    assign("T01", 8, "1班", "数学"),
                    assign("T02", 7, "2班", "英语"),
                    assign("T01", 7, "1班", "班主任"),
                ],
                ..Default::default()
            },
            &wuyu_store::ImportMeta {
                username: "test".into(),
                file_name: "heads".into(),
                file_sha256: "4".repeat(64),
                at: 0,
            },
        )
        .await
        .unwrap();
}

async fn records_of_7_1(app: &TestApp) -> Vec<wuyu_service::archive::ArchiveRecord> {
    let svc = Service::new(app.store.clone());
    let (school, _) = viewer(&svc, "school-a").await;
    let term = Term::new(2025, TermPart::Autumn).unwrap();
    class_archive(
        &svc,
        &school,
        SchoolId(app.ids.school_a),
        ClassId(app.ids.class_a7_1),
        term,
    )
    .await
    .unwrap()
    .records
}

#[tokio::test]
async fn the_head_teacher_records_for_the_class_and_reviews_in_the_browser() {
    let app = TestApp::new().await;
    head_of_7_1(&app).await;
    let ids = app.ids.clone();
    let path = format!(
        "/schools/{}/classes/{}/archive",
        ids.school_a, ids.class_a7_1
    );
    let t = app.login("teacher-a").await;

    // The nav's 写实记录 opens the class; nobody has a record yet.
    let resp = app
        .send(get("/archive/class").cookie(&t.cookie).build())
        .await;
    assert_eq!(resp.status().as_u16(), 303);
    assert_eq!(crate::support::location(&resp), path);
    let (status, html) = page(&app, "teacher-a", &format!("{path}?term=2025-autumn")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("本学期无记录的学生 <span class=\"muted\">（2 人）")
            && html.contains("李小红、张小明"),
        "{html}"
    );
    let send = |body: String, to: &str| {
        post(to)
            .cookie(&t.cookie)
            .form(&format!("csrf_token={}&term=2025-autumn&{body}", t.csrf))
            .build()
    };

    // 30 hours in one day and a blank description: refused, each next to its field, as typed.
    let bad = "category=volunteer_service&date=2025-11-20&hours=30&organiser=&description=&attendees=class";
    let resp = app.send(send(bad.into(), &path)).await;
    assert_eq!(resp.status().as_u16(), 422);
    let html = body_text(resp).await;
    assert!(
        html.contains("<span class=\"field-error\">时长“30”小时超过活动时间跨度")
            || html.contains("<span class=\"field-error\">活动内容不能为空</span>"),
        "{html}"
    );
    assert!(html.contains("value=\"30\""), "the hours stay as typed");
    assert!(records_of_7_1(&app).await.is_empty(), "nothing written");

    // A student of 七年级2班 ticked here is refused by the form, nothing written.
    let outsider = format!(
        "category=art&date=2025-11-20&hours=2&description=合唱&attendees=ticked&student={}&student={}",
        ids.child, ids.other_a
    );
    let resp = app.send(send(outsider, &path)).await;
    assert_eq!(resp.status().as_u16(), 422);
    assert!(body_text(resp).await.contains("不在本班"));
    assert!(records_of_7_1(&app).await.is_empty(), "nothing written");

    // The whole class, then one ticked student.
    let whole = "category=volunteer_service&date=2025-11-20&hours=3&travel=1&organiser=社区&description=敬老院服务&attendees=class";
    let resp = app.send(send(whole.into(), &path)).await;
    assert_eq!(resp.status().as_u16(), 303);
    let back = crate::support::location(&resp);
    let resp = app.send(get(&back).cookie(&t.cookie).build()).await;
    let html = body_text(resp).await;
    assert!(html.contains("已为 2 名学生记录"), "{html}");
    let one = format!(
        "category=艺术活动&date=2025-12-01&hours=2&description=合唱比赛&attendees=ticked&student={}",
        ids.child
    );
    let resp = app.send(send(one, &path)).await;
    assert_eq!(resp.status().as_u16(), 303);
    let records = records_of_7_1(&app).await;
    assert_eq!(records.len(), 3);
    assert!(
        records
            .iter()
            .all(|r| r.state == wuyu_domain::RecordState::Submitted)
    );
    let (_, html) = page(&app, "teacher-a", &format!("{path}?term=2025-autumn")).await;
    assert!(
        html.contains("待审核 <span class=\"muted\">（3 条）"),
        "{html}"
    );
    assert!(html.contains("本学期无记录的学生 <span class=\"muted\">（0 人）"));

    // Approve the choir; returning without a reason is refused next to that record.
    let id_of = |d: &str, name: &str| {
        records
            .iter()
            .find(|r| r.description == d && r.student_name == name)
            .unwrap()
            .id
    };
    let review = format!("{path}/review");
    let choir = id_of("合唱比赛", "张小明");
    let resp = app
        .send(send(format!("id={choir}&decision=approve"), &review))
        .await;
    assert_eq!(resp.status().as_u16(), 303);
    let li = id_of("敬老院服务", "李小红");
    let resp = app
        .send(send(format!("id={li}&decision=return&reason="), &review))
        .await;
    assert_eq!(resp.status().as_u16(), 422);
    assert!(body_text(resp).await.contains("退回时必须填写原因"));
    let resp = app
        .send(send(
            format!("id={li}&decision=return&reason=请补充服务证明"),
            &review,
        ))
        .await;
    assert_eq!(resp.status().as_u16(), 303);
    let (_, html) = page(&app, "teacher-a", &format!("{path}?term=2025-autumn")).await;
    assert!(
        html.contains("待审核 <span class=\"muted\">（1 条）"),
        "{html}"
    );
    assert!(html.contains("已退回：请补充服务证明"), "{html}");
    assert!(html.contains("已通过"), "{html}");

    // The parent now sees the approved choir in the child's archive.
    let archive = format!("/schools/{}/students/{}/archive", ids.school_a, ids.child);
    let (_, html) = page(&app, "parent-a", &archive).await;
    assert!(html.contains("合唱比赛"), "{html}");
}

#[tokio::test]
async fn other_teachers_and_parents_cannot_use_the_class_archive() {
    let app = TestApp::new().await;
    head_of_7_1(&app).await;
    let ids = app.ids.clone();
    let path = format!(
        "/schools/{}/classes/{}/archive",
        ids.school_a, ids.class_a7_1
    );
    let body =
        "category=art&date=2025-11-20&hours=2&description=合唱&attendees=class&term=2025-autumn";
    for who in ["teacher-b", "parent-a", "counsellor-a"] {
        let (status, _) = page(&app, who, &path).await;
        assert_eq!(status, 403, "{who} reads the page");
        let s = app.login(who).await;
        let resp = app
            .send(
                post(&path)
                    .cookie(&s.cookie)
                    .form(&format!("csrf_token={}&{body}", s.csrf))
                    .build(),
            )
            .await;
        assert_eq!(resp.status().as_u16(), 403, "{who} records");
    }
    assert!(records_of_7_1(&app).await.is_empty(), "nothing written");

    // teacher-a teaches 八年级1班 but is not its 班主任: may record there, never review.
    let t = app.login("teacher-a").await;
    let eight = format!(
        "/schools/{}/classes/{}/archive",
        ids.school_a, ids.class_a8_1
    );
    let resp = app
        .send(
            post(&eight)
                .cookie(&t.cookie)
                .form(&format!("csrf_token={}&{body}", t.csrf))
                .build(),
        )
        .await;
    assert_eq!(resp.status().as_u16(), 303, "{}", body_text(resp).await);
    let (_, html) = page(&app, "teacher-a", &format!("{eight}?term=2025-autumn")).await;
    assert!(
        html.contains("由本班班主任审核") && !html.contains(">通过</button>"),
        "{html}"
    );
    let svc = Service::new(app.store.clone());
    let (school, _) = viewer(&svc, "school-a").await;
    let id = class_archive(
        &svc,
        &school,
        SchoolId(ids.school_a),
        ClassId(ids.class_a8_1),
        Term::new(2025, TermPart::Autumn).unwrap(),
    )
    .await
    .unwrap()
    .records[0]
        .id;
    let resp = app
        .send(
            post(&format!("{eight}/review"))
                .cookie(&t.cookie)
                .form(&format!(
                    "csrf_token={}&term=2025-autumn&id={id}&decision=approve",
                    t.csrf
                ))
                .build(),
        )
        .await;
    assert_eq!(resp.status().as_u16(), 403);
    // teacher-b has no class of school A to open.
    let b = app.login("teacher-b").await;
    let resp = app
        .send(get("/archive/class").cookie(&b.cookie).build())
        .await;
    assert_eq!(resp.status().as_u16(), 303, "their own class");
    assert!(!crate::support::location(&resp).contains(&format!("/schools/{}/", ids.school_a)));
}

async fn api_post(
    app: &TestApp,
    s: &crate::support::Session,
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
    (status, crate::support::body_json(resp).await)
}

async fn api_get(
    app: &TestApp,
    s: &crate::support::Session,
    path: &str,
) -> (u16, serde_json::Value) {
    let resp = app.send(get(path).cookie(&s.cookie).build()).await;
    let status = resp.status().as_u16();
    (status, crate::support::body_json(resp).await)
}

#[tokio::test]
async fn the_archive_api_records_reviews_and_reads_with_an_audit_entry() {
    let app = TestApp::new().await;
    head_of_7_1(&app).await;
    let ids = app.ids.clone();
    let (a, c) = (ids.school_a, ids.class_a7_1);
    let t = app.login("teacher-a").await;
    let records = format!("/api/v1/archive/classes/{a}/{c}/records");
    let tour = serde_json::json!({
        "term": "2025-autumn", "category": "study_tour", "date": "2025-10-10",
        "end_date": "2025-10-11", "hours": "12", "organiser": "年级组",
        "description": "博物馆研学", "students": [ids.child],
    });

    // 49 hours over two days, and a student of another class: refused, naming each.
    let mut bad = tour.clone();
    bad["hours"] = "49".into();
    let (status, body) = api_post(&app, &t, &records, bad).await;
    assert_eq!(status, 400);
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("hours：时长“49”小时超过"),
        "{body}"
    );
    let mut outsider = tour.clone();
    outsider["students"] = serde_json::json!([ids.other_a]);
    let (status, body) = api_post(&app, &t, &records, outsider).await;
    assert_eq!(status, 400);
    assert!(
        body["detail"].as_str().unwrap().contains("不在本班"),
        "{body}"
    );
    assert!(records_of_7_1(&app).await.is_empty(), "nothing written");

    let (status, body) = api_post(&app, &t, &records, tour).await;
    assert_eq!(status, 200, "{body}");
    let id = body["ids"][0].as_i64().unwrap();
    let (status, body) = api_get(
        &app,
        &t,
        &format!("/api/v1/archive/classes/{a}/{c}?term=2025-autumn"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["may_review"], true);
    assert_eq!(body["records"][0]["state"], "submitted");
    assert_eq!(body["records"][0]["hours"], "12");
    assert_eq!(body["without_records"][0]["name"], "李小红");

    // A return needs a reason; teacher-b may not review school A's records.
    let (status, _) = api_post(
        &app,
        &t,
        "/api/v1/archive/review",
        serde_json::json!({"school_id": a, "ids": [id], "decision": "return"}),
    )
    .await;
    assert_eq!(status, 400);
    let b = app.login("teacher-b").await;
    let (status, _) = api_post(
        &app,
        &b,
        "/api/v1/archive/review",
        serde_json::json!({"school_id": a, "ids": [id], "decision": "approve"}),
    )
    .await;
    assert_eq!(status, 403);
    let (status, body) = api_post(
        &app,
        &t,
        "/api/v1/archive/review",
        serde_json::json!({"school_id": a, "ids": [id], "decision": "approve"}),
    )
    .await;
    assert_eq!((status, body["reviewed"].as_u64()), (200, Some(1)));

    // The parent reads the archive through the API; the read is in the audit log.
    let p = app.login("parent-a").await;
    let (status, body) = api_get(
        &app,
        &p,
        &format!("/api/v1/archive/students/{a}/{}", ids.child),
    )
    .await;
    assert_eq!(status, 200);
    let practice = body["domains"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["domain"] == "practice")
        .unwrap();
    assert_eq!(practice["hours"], "12");
    assert_eq!(practice["records"][0]["description"], "博物馆研学");
    let audit = app.store.list_audit(5).await.unwrap();
    assert_eq!(audit[0].entry.action, "archive_read_student");
    assert_eq!(audit[0].entry.username, "parent-a");
    assert_eq!(audit[0].entry.entity, format!("student:{}", ids.child));
    let (status, _) = api_get(
        &app,
        &p,
        &format!("/api/v1/archive/students/{a}/{}", ids.other_a),
    )
    .await;
    assert_eq!(status, 403);

    // The district's coverage: school A, 1 of 5 students with 校外实践.
    let d = app.login("district").await;
    let (status, body) = api_get(&app, &d, "/api/v1/archive/coverage?term=2025-autumn").await;
    assert_eq!(status, 200);
    let row = body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["school_id"] == a)
        .unwrap();
    assert_eq!(row["students"], 5);
    assert_eq!(row["off_campus_rate"], 0.2);
}

/// The first worksheet's cells as text, row by row.
fn sheet(bytes: Vec<u8>) -> Vec<Vec<String>> {
    use calamine::{Reader, Xlsx, open_workbook_from_rs};
    let mut wb: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

async fn download(app: &TestApp, who: &str, path: &str) -> (u16, Vec<u8>) {
    let s = app.login(who).await;
    let resp = app.send(get(path).cookie(&s.cookie).build()).await;
    let status = resp.status().as_u16();
    let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, body.to_vec())
}

#[tokio::test]
async fn the_class_records_and_the_coverage_export_as_the_pages_show_them() {
    let app = TestApp::new().await;
    head_of_7_1(&app).await;
    let ids = app.ids.clone();
    let svc = Service::new(app.store.clone());
    let (t, who) = viewer(&svc, "teacher-a").await;
    let a = SchoolId(ids.school_a);
    let term = Term::new(2025, TermPart::Autumn).unwrap();
    let tour = ActivityInput {
        category: ActivityCategory::StudyTour,
        term,
        date: date!(2025 - 10 - 16),
        end_date: Some(date!(2025 - 10 - 17)),
        hours: Tenths(125),
        travel: Tenths(0),
        organiser: "年级组".into(),
        description: "博物馆研学".into(),
    };
    let new = record_activity(&svc, &t, &who, a, &[StudentId(ids.child)], &tour)
        .await
        .unwrap();
    review(&svc, &t, &who, a, &new, &Review::Approve)
        .await
        .unwrap();

    let path = format!(
        "/schools/{}/classes/{}/archive/export.xlsx?term=2025-autumn",
        ids.school_a, ids.class_a7_1
    );
    let (status, bytes) = download(&app, "teacher-a", &path).await;
    assert_eq!(status, 200);
    let rows = sheet(bytes);
    assert_eq!(
        rows[1][..5],
        ["学生", "类别", "日期", "结束日期", "时长（小时）"]
    );
    assert_eq!(
        rows[2][..5],
        ["张小明", "研学旅行", "2025-10-16", "2025-10-17", "12.5"]
    );
    assert_eq!(rows[2][9], "已通过");
    assert_eq!(rows.len(), 3, "title, headers, one record");
    let audit = app.store.list_audit(5).await.unwrap();
    assert_eq!(audit[0].entry.action, "export_class_archive");
    assert!(
        audit[0].entry.detail.ends_with("rows=1"),
        "{}",
        audit[0].entry.detail
    );
    assert_eq!(download(&app, "teacher-b", &path).await.0, 403);

    // The district's coverage: school A has 1 of 5 students with 校外实践 (20 %).
    let (status, bytes) = download(
        &app,
        "district",
        "/archive/coverage/export.xlsx?term=2025-autumn",
    )
    .await;
    assert_eq!(status, 200);
    let rows = sheet(bytes);
    assert_eq!(rows[1][0], "学校");
    assert_eq!(rows[1][3], "校外实践覆盖率");
    let line = rows.iter().find(|r| r[0] == "第一实验中学").unwrap();
    assert_eq!((line[1].as_str(), line[3].as_str()), ("5", "0.2"));
    let (_, html) = page(&app, "district", "/archive/coverage?term=2025-autumn").await;
    assert!(
        html.contains("/archive/coverage/export.xlsx?term=2025-autumn"),
        "{html}"
    );
}

/// 公示 in the browser: the 班主任 opens it from today; the class's records are frozen (the
/// form is refused on the page); the parent objects on their child's archive page; the 班主任
/// answers; signing before the window is over is refused with the date. The report card PDF
/// downloads for the parent (when this build writes PDFs).
#[tokio::test]
async fn the_publicity_freezes_the_class_and_takes_a_familys_objection_in_the_browser() {
    let app = TestApp::new().await;
    head_of_7_1(&app).await;
    let ids = app.ids.clone();
    let svc = Service::new(app.store.clone());
    let a = SchoolId(ids.school_a);
    let term = Term::new(2025, TermPart::Autumn).unwrap();
    let (head, who) = viewer(&svc, "teacher-a").await;
    let choir = ActivityInput {
        category: ActivityCategory::Art,
        term,
        date: date!(2025 - 11 - 20),
        end_date: None,
        hours: Tenths(20),
        travel: Tenths(0),
        organiser: "音乐组".into(),
        description: "班级合唱比赛".into(),
    };
    let made = record_activity(&svc, &head, &who, a, &[StudentId(ids.child)], &choir)
        .await
        .unwrap();
    review(&svc, &head, &who, a, &made, &Review::Approve)
        .await
        .unwrap();

    let base = format!(
        "/schools/{}/classes/{}/archive/publicity",
        ids.school_a, ids.class_a7_1
    );
    let t = app.login("teacher-a").await;
    let step = |body: &str| {
        post(&base)
            .cookie(&t.cookie)
            .form(&format!("csrf_token={}&term=2025-autumn&{body}", t.csrf))
            .build()
    };
    let (status, html) = page(&app, "teacher-a", &format!("{base}?term=2025-autumn")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("未公示") && html.contains("开始公示（5 个工作日）"),
        "{html}"
    );
    let resp = app.send(step("step=open")).await;
    assert_eq!(resp.status().as_u16(), 303);
    let (_, html) = page(
        &app,
        "teacher-a",
        &format!("{base}?term=2025-autumn&done=open"),
    )
    .await;
    assert!(
        html.contains("公示中") && html.contains("班级合唱比赛"),
        "{html}"
    );

    // Frozen: recording for the class is refused on the page, nothing written.
    let record = post(&format!(
        "/schools/{}/classes/{}/archive",
        ids.school_a, ids.class_a7_1
    ))
    .cookie(&t.cookie)
    .form(&format!(
        "csrf_token={}&term=2025-autumn&category=art&date=2025-11-21&hours=1&organiser=&description=%E5%90%88%E5%94%B1&attendees=class",
        t.csrf
    ))
    .build();
    let resp = app.send(record).await;
    assert_eq!(resp.status().as_u16(), 422);
    assert!(body_text(resp).await.contains("已进入公示"));
    assert_eq!(records_of_7_1(&app).await.len(), 1);

    // The parent objects on the child's archive page.
    let archive = format!("/schools/{}/students/{}/archive", ids.school_a, ids.child);
    let (_, html) = page(&app, "parent-a", &archive).await;
    assert!(html.contains("提出质疑"), "{html}");
    let p = app.login("parent-a").await;
    let resp = app
        .send(
            post(&format!("{archive}/objections"))
                .cookie(&p.cookie)
                .form(&format!(
                    "csrf_token={}&record={}&text=%E5%BD%93%E5%A4%A9%E8%AF%B7%E5%81%87",
                    p.csrf, made[0]
                ))
                .build(),
        )
        .await;
    assert_eq!(resp.status().as_u16(), 303);
    let (_, html) = page(&app, "parent-a", &format!("{archive}?done=objected")).await;
    assert!(html.contains("已提出质疑"), "{html}");

    // …and confirms the semester's archive (家长确认); the 班主任's 公示 page counts it.
    assert!(
        html.contains("data-confirm=\"2025-autumn\"") && html.contains("确认档案无误"),
        "{html}"
    );
    let resp = app
        .send(
            post(&format!("{archive}/confirm"))
                .cookie(&p.cookie)
                .form(&format!("csrf_token={}&term=2025-autumn", p.csrf))
                .build(),
        )
        .await;
    assert_eq!(resp.status().as_u16(), 303);
    let (_, html) = page(&app, "parent-a", &format!("{archive}?done=confirmed")).await;
    assert!(
        html.contains("已确认档案无误") && html.contains("data-confirmed=\"2025-autumn\""),
        "{html}"
    );
    let (_, html) = page(&app, "teacher-a", &format!("{base}?term=2025-autumn")).await;
    assert!(html.contains("家长已确认无误：1 名学生"), "{html}");
    // Another family's child: refused.
    let other = format!(
        "/schools/{}/students/{}/archive/confirm",
        ids.school_a, ids.other_a
    );
    let resp = app
        .send(
            post(&other)
                .cookie(&p.cookie)
                .form(&format!("csrf_token={}&term=2025-autumn", p.csrf))
                .build(),
        )
        .await;
    assert_eq!(resp.status().as_u16(), 403);

    // The 班主任 answers; signing now is refused: the window is not over.
    let (_, html) = page(&app, "teacher-a", &format!("{base}?term=2025-autumn")).await;
    assert!(
        html.contains("当天请假") && html.contains("name=\"answer\""),
        "{html}"
    );
    let objection = svc
        .store()
        .objections(&head.scope, a, ClassId(ids.class_a7_1), term)
        .await
        .unwrap()[0]
        .id;
    let resp = app
        .send(step(&format!(
            "step=answer&id={objection}&answer=%E5%B7%B2%E6%A0%B8%E5%AE%9E"
        )))
        .await;
    assert_eq!(resp.status().as_u16(), 303);
    let resp = app.send(step("step=sign")).await;
    assert_eq!(resp.status().as_u16(), 422);
    let html = body_text(resp).await;
    assert!(
        html.contains("期满后才能签字") && html.contains("答复（teacher-a）：已核实"),
        "{html}"
    );

    // The parent's report card.
    let (status, bytes) = download(&app, "parent-a", &format!("{archive}/card.pdf")).await;
    if wuyu_service::bulletin::PDF_AVAILABLE {
        assert_eq!(status, 200);
        let lines = wuyu_testkit::pdf_lines(&bytes);
        assert!(
            lines.iter().any(|l| l.contains("班级合唱比赛")),
            "{lines:?}"
        );
    } else {
        assert_eq!(status, 400);
    }
}

/// The class form with evidence (multipart, as the browser's upload script sends it): a file
/// whose content is not what its name says is refused by name and nothing is written; a
/// certificate is stored and linked on the class page; the parent downloads their own child's
/// copy (audited), never another child's; the 公示 never shows it.
#[tokio::test]
async fn evidence_goes_with_the_class_activity_and_only_to_who_may_read_it() {
    use crate::plan_reports::{BOUNDARY, PDF, multipart};
    let app = TestApp::new().await;
    head_of_7_1(&app).await;
    let ids = app.ids.clone();
    let path = format!(
        "/schools/{}/classes/{}/archive",
        ids.school_a, ids.class_a7_1
    );
    let t = app.login("teacher-a").await;
    let send = |file: (&str, &str)| {
        let body = multipart(
            &[
                ("term", "2025-autumn"),
                ("category", "志愿服务"),
                ("date", "2025-11-20"),
                ("hours", "2"),
                ("organiser", "社区"),
                ("description", "敬老院服务"),
                ("attendees", "class"),
            ],
            Some(file),
        );
        post(&path)
            .cookie(&t.cookie)
            .header("x-csrf-token", &t.csrf)
            .header(
                "content-type",
                &format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(&body)
            .build()
    };
    let resp = app.send(send(("合影.jpg", PDF))).await;
    assert_eq!(resp.status().as_u16(), 422);
    let html = body_text(resp).await;
    assert!(
        html.contains("<span class=\"field-error\">佐证文件“合影.jpg”的内容与扩展名不符"),
        "{html}"
    );
    assert!(html.contains("敬老院服务"), "the form stays as typed");
    assert!(records_of_7_1(&app).await.is_empty(), "nothing written");

    let resp = app.send(send(("证书.pdf", PDF))).await;
    assert_eq!(resp.status().as_u16(), 303, "{}", body_text(resp).await);
    let records = records_of_7_1(&app).await;
    assert_eq!(records.len(), 2);
    let link = |r: &wuyu_service::archive::ArchiveRecord| {
        format!(
            "/schools/{}/archive/records/{}/evidence/{}",
            ids.school_a, r.id, r.evidence[0].id
        )
    };
    let mine = records
        .iter()
        .find(|r| r.student_id == StudentId(ids.child))
        .unwrap();
    let theirs = records
        .iter()
        .find(|r| r.student_id != StudentId(ids.child))
        .unwrap();
    let (_, html) = page(&app, "teacher-a", &format!("{path}?term=2025-autumn")).await;
    assert!(
        html.contains(&format!("href=\"{}\">证书.pdf</a>", link(mine))),
        "{html}"
    );

    let p = app.login("parent-a").await;
    let resp = app.send(get(&link(mine)).cookie(&p.cookie).build()).await;
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.headers()["content-type"], "application/pdf");
    assert_eq!(body_text(resp).await, PDF);
    let resp = app.send(get(&link(theirs)).cookie(&p.cookie).build()).await;
    assert_eq!(resp.status().as_u16(), 403);
    let audit = app.store.list_audit(1000).await.unwrap();
    let download = audit
        .iter()
        .find(|r| r.entry.action == "archive_evidence_download")
        .unwrap();
    assert_eq!(download.entry.entity, format!("student:{}", ids.child));
    assert!(
        audit
            .iter()
            .any(|r| r.entry.action == "archive_evidence_denied" && r.entry.username == "parent-a")
    );

    // Approved and in 公示: the records are listed, their files are not.
    let svc = Service::new(app.store.clone());
    let (head, who) = viewer(&svc, "teacher-a").await;
    let (a, c71) = (SchoolId(ids.school_a), ClassId(ids.class_a7_1));
    let term = Term::new(2025, TermPart::Autumn).unwrap();
    let all: Vec<i64> = records.iter().map(|r| r.id).collect();
    review(&svc, &head, &who, a, &all, &Review::Approve)
        .await
        .unwrap();
    wuyu_service::archive::open_publicity(
        &svc,
        &head,
        &who,
        a,
        c71,
        term,
        wuyu_service::archive::today(),
    )
    .await
    .unwrap();
    let (status, html) = page(
        &app,
        "teacher-a",
        &format!("{path}/publicity?term=2025-autumn"),
    )
    .await;
    assert_eq!(status, 200);
    assert!(html.contains("敬老院服务"), "{html}");
    assert!(
        !html.contains("证书.pdf") && !html.contains("/evidence/"),
        "{html}"
    );
}

/// A parent enters a 家务劳动 check-in from the child's archive page (the phone form): it
/// waits for the 班主任, listed with its state; hours over a day are refused next to the field
/// as typed, nothing stored; another family's child is refused outright.
#[tokio::test]
async fn a_parent_enters_a_check_in_for_the_head_teacher_to_review() {
    let app = TestApp::new().await;
    let ids = app.ids.clone();
    let archive = format!("/schools/{}/students/{}/archive", ids.school_a, ids.child);
    let p = app.login("parent-a").await;
    let (status, html) = page(&app, "parent-a", &archive).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("填报家务劳动或志愿服务") && html.contains("<option>家务劳动</option>"),
        "{html}"
    );
    assert!(
        !html.contains("<option>研学旅行</option>"),
        "only the family's categories"
    );
    let send = |to: &str, body: &str| {
        post(to)
            .cookie(&p.cookie)
            .form(&format!("csrf_token={}&term=2025-autumn&{body}", p.csrf))
            .build()
    };
    let entries = format!("{archive}/entries");
    let chores = "category=%E5%AE%B6%E5%8A%A1%E5%8A%B3%E5%8A%A8&date=2025-11-20&travel=&organiser=\
                  &description=%E6%B4%97%E7%A2%97";
    let resp = app
        .send(send(&entries, &format!("{chores}&hours=30")))
        .await;
    assert_eq!(resp.status().as_u16(), 422);
    let html = body_text(resp).await;
    assert!(
        html.contains("<span class=\"field-error\">时长“30”小时超过活动时间跨度"),
        "{html}"
    );
    assert!(html.contains("value=\"30\""), "the hours stay as typed");
    assert!(records_of_7_1(&app).await.is_empty(), "nothing written");

    let resp = app
        .send(send(&entries, &format!("{chores}&hours=1.5")))
        .await;
    assert_eq!(resp.status().as_u16(), 303);
    let back = crate::support::location(&resp);
    assert!(back.ends_with("done=entered"), "{back}");
    let (_, html) = page(&app, "parent-a", &back).await;
    assert!(html.contains("已提交，等待班主任审核"), "{html}");
    assert!(
        html.contains("<td>家务劳动</td><td class=\"num\">1.5</td><td>洗碗"),
        "{html}"
    );
    let records = records_of_7_1(&app).await;
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].state, wuyu_domain::RecordState::Submitted);
    assert_eq!(records[0].entrant, wuyu_domain::Entrant::Parent);

    let other = format!(
        "/schools/{}/students/{}/archive/entries",
        ids.school_a, ids.other_a
    );
    let resp = app.send(send(&other, &format!("{chores}&hours=1"))).await;
    assert_eq!(resp.status().as_u16(), 403);
    assert_eq!(records_of_7_1(&app).await.len(), 1);
}

/// One semester's view of the archive page (and its API twin): the term selector lists the
/// terms with approved records; a term shows only its records and hours in the five domains,
/// while the stage's volunteer hours, labor hours and stars stay the same.
#[tokio::test]
async fn the_archive_page_shows_one_semester_with_the_stage_totals() {
    let app = TestApp::new().await;
    let svc = Service::new(app.store.clone());
    let ids = app.ids.clone();
    let a = SchoolId(ids.school_a);
    let (school, who) = viewer(&svc, "school-a").await;
    let autumn = Term::new(2025, TermPart::Autumn).unwrap();
    let spring = Term::new(2025, TermPart::Spring).unwrap();
    let service = |term: Term, date: time::Date, hours: i32, what: &str| ActivityInput {
        category: ActivityCategory::Volunteer,
        term,
        date,
        end_date: None,
        hours: Tenths(hours),
        travel: Tenths(0),
        organiser: "社区".into(),
        description: what.into(),
    };
    let mut made = Vec::new();
    for input in [
        service(autumn, date!(2025 - 11 - 20), 30, "秋季敬老院服务"),
        service(spring, date!(2026 - 03 - 12), 45, "春季植树"),
    ] {
        made.extend(
            record_activity(&svc, &school, &who, a, &[StudentId(ids.child)], &input)
                .await
                .unwrap(),
        );
    }
    review(&svc, &school, &who, a, &made, &Review::Approve)
        .await
        .unwrap();

    let base = format!("/schools/{}/students/{}/archive", ids.school_a, ids.child);
    let (status, all) = page(&app, "parent-a", &base).await;
    assert_eq!(status, 200);
    assert!(
        all.contains("秋季敬老院服务") && all.contains("春季植树"),
        "{all}"
    );
    assert!(
        all.contains(&format!("href=\"{base}?term=2025-autumn\">"))
            && all.contains(&format!("href=\"{base}?term=2026-spring\">")),
        "{all}"
    );
    let (status, autumn_only) = page(&app, "parent-a", &format!("{base}?term=2025-autumn")).await;
    assert_eq!(status, 200);
    assert!(autumn_only.contains("秋季敬老院服务"), "{autumn_only}");
    assert!(!autumn_only.contains("春季植树"), "{autumn_only}");
    assert!(
        autumn_only.contains("社会实践 <span class=\"muted\">（3 小时）"),
        "{autumn_only}"
    );
    // The stage's totals are the same in both views.
    for html in [&all, &autumn_only] {
        assert!(html.contains("<td>7.5 小时 · 未评星</td>"), "{html}");
    }
    let (status, _) = page(&app, "parent-a", &format!("{base}?term=bad")).await;
    assert_eq!(status, 400);

    let s = app.login("parent-a").await;
    let api = format!(
        "/api/v1/archive/students/{}/{}?term=2026-spring",
        ids.school_a, ids.child
    );
    let resp = app.send(get(&api).cookie(&s.cookie).build()).await;
    assert_eq!(resp.status().as_u16(), 200);
    let doc = crate::support::body_json(resp).await;
    assert_eq!(doc["term"], "2026-spring");
    assert_eq!(doc["volunteer_hours"], "7.5");
    let practice = doc["domains"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["domain"] == "practice")
        .unwrap();
    assert_eq!(practice["hours"], "4.5");
    assert_eq!(practice["records"].as_array().unwrap().len(), 1);
}

/// The 公示 JSON: the 班主任 reads the lines with their evidence files (name, type, size,
/// SHA-256, a link to the audited download) and every family's confirmation with when; a parent
/// reads no lines and only their own child's confirmation; another family's parent gets their
/// own child's only and is refused the first child's file, which the audit records.
#[tokio::test]
async fn the_publicity_api_gives_evidence_links_and_each_familys_confirmation() {
    use crate::plan_reports::PDF;
    use wuyu_service::file::UploadedFile;
    let app = TestApp::new().await;
    head_of_7_1(&app).await;
    let ids = app.ids.clone();
    let svc = Service::new(app.store.clone());
    let (a, c71) = (SchoolId(ids.school_a), ClassId(ids.class_a7_1));
    let term = Term::new(2025, TermPart::Autumn).unwrap();
    // A classmate of the child, with their own family's account.
    let classmate = app
        .store
        .list_students(&wuyu_domain::Scope::District, a, Some(c71))
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .find(|id| *id != StudentId(ids.child))
        .unwrap();
    app.store
        .create_user(&wuyu_store::NewUser {
            username: "parent-other".into(),
            display_name: "另一位家长".into(),
            role: wuyu_domain::Role::Parent,
            password_hash: wuyu_web::password::hash_password(crate::support::PASSWORD),
            school_id: Some(a),
            teacher_id: None,
            student_id: Some(classmate),
        })
        .await
        .unwrap();
    let (head, who) = viewer(&svc, "teacher-a").await;
    let service = ActivityInput {
        category: ActivityCategory::Volunteer,
        term,
        date: date!(2025 - 11 - 20),
        end_date: None,
        hours: Tenths(20),
        travel: Tenths(0),
        organiser: "社区".into(),
        description: "敬老院服务".into(),
    };
    let cert = UploadedFile::new("证书.pdf", PDF.as_bytes().to_vec());
    let students = [StudentId(ids.child), classmate];
    let made = wuyu_service::archive::record_activity_with_evidence(
        &svc,
        &head,
        &who,
        a,
        &students,
        &service,
        std::slice::from_ref(&cert),
    )
    .await
    .unwrap();
    review(&svc, &head, &who, a, &made, &Review::Approve)
        .await
        .unwrap();
    let today = wuyu_service::archive::today();
    wuyu_service::archive::open_publicity(&svc, &head, &who, a, c71, term, today)
        .await
        .unwrap();
    for (parent, child) in [
        ("parent-a", StudentId(ids.child)),
        ("parent-other", classmate),
    ] {
        let (v, w) = viewer(&svc, parent).await;
        wuyu_service::archive::confirm_archive(&svc, &v, &w, a, child, term, today)
            .await
            .unwrap();
    }

    let path = format!(
        "/api/v1/archive/publicity/{}/{}?term=2025-autumn",
        ids.school_a, ids.class_a7_1
    );
    let t = app.login("teacher-a").await;
    let (status, json) = api_get(&app, &t, &path).await;
    assert_eq!(status, 200, "{json}");
    assert_eq!(json["stage"], "open");
    let lines = json["records"].as_array().unwrap();
    assert_eq!(lines.len(), 2, "{json}");
    let line_of = |student: i64| {
        lines
            .iter()
            .find(|l| l["student_id"] == student)
            .unwrap()
            .clone()
    };
    let mine = line_of(ids.child);
    assert_eq!(mine["description"], "敬老院服务");
    let file = &mine["evidence"][0];
    assert_eq!(file["name"], "证书.pdf");
    assert_eq!(file["content_type"], "application/pdf");
    assert_eq!(file["size"], PDF.len());
    assert_eq!(file["sha256"], cert.sha256());
    let href = file["href"].as_str().unwrap().to_string();
    assert_eq!(
        href,
        format!(
            "/schools/{}/archive/records/{}/evidence/{}",
            ids.school_a, mine["record_id"], file["id"]
        )
    );
    // Nothing private in a line: no 学籍号, no return reason, no reviewer.
    let keys: Vec<&str> = mine
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert!(
        !keys
            .iter()
            .any(|k| k.contains("student_no") || k.contains("reason") || k.contains("id_card")),
        "{keys:?}"
    );
    let confirmed = json["confirmations"].as_array().unwrap();
    assert_eq!(confirmed.len(), 2, "{json}");
    let by: Vec<(&str, i64)> = confirmed
        .iter()
        .map(|c| {
            (
                c["confirmed_by"].as_str().unwrap(),
                c["student_id"].as_i64().unwrap(),
            )
        })
        .collect();
    assert!(by.contains(&("parent-a", ids.child)) && by.contains(&("parent-other", classmate.0)));
    assert!(
        confirmed
            .iter()
            .all(|c| c["confirmed_at"].as_i64().unwrap() > 0
                && !c["student_name"].as_str().unwrap().is_empty())
    );

    // The link is the audited download: the 班主任 gets the file, and the audit says so.
    let resp = app.send(get(&href).cookie(&t.cookie).build()).await;
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(body_text(resp).await, PDF);

    // The parent: no lines here (they object from the child's page), their child's
    // confirmation only.
    let p = app.login("parent-a").await;
    let (status, json) = api_get(&app, &p, &path).await;
    assert_eq!(status, 200, "{json}");
    assert!(json["records"].as_array().unwrap().is_empty(), "{json}");
    let confirmed = json["confirmations"].as_array().unwrap();
    assert_eq!(confirmed.len(), 1, "{json}");
    assert_eq!(confirmed[0]["student_id"], ids.child);
    assert_eq!(confirmed[0]["confirmed_by"], "parent-a");
    // The file of their own child's line downloads (audited).
    let resp = app.send(get(&href).cookie(&p.cookie).build()).await;
    assert_eq!(resp.status().as_u16(), 200);

    // Another family: their own child's confirmation only, and the first child's file refused.
    let o = app.login("parent-other").await;
    let (status, json) = api_get(&app, &o, &path).await;
    assert_eq!(status, 200, "{json}");
    assert!(json["records"].as_array().unwrap().is_empty(), "{json}");
    let confirmed = json["confirmations"].as_array().unwrap();
    assert_eq!(confirmed.len(), 1, "{json}");
    assert_eq!(confirmed[0]["student_id"], classmate.0);
    assert!(!json.to_string().contains("证书.pdf"), "{json}");
    let resp = app.send(get(&href).cookie(&o.cookie).build()).await;
    assert_eq!(resp.status().as_u16(), 403);
    // Another school's teacher: refused outright.
    let b = app.login("teacher-b").await;
    let (status, _) = api_get(&app, &b, &path).await;
    assert_eq!(status, 403);

    let audit = app.store.list_audit(1000).await.unwrap();
    let downloads: Vec<&str> = audit
        .iter()
        .filter(|r| r.entry.action == "archive_evidence_download")
        .map(|r| r.entry.username.as_str())
        .collect();
    assert_eq!(downloads.len(), 2, "{downloads:?}");
    assert!(downloads.contains(&"teacher-a") && downloads.contains(&"parent-a"));
    assert!(
        audit
            .iter()
            .all(|r| !(r.entry.action == "archive_evidence_download"
                && r.entry.username == "parent-other"))
    );
    let denied = audit
        .iter()
        .find(|r| r.entry.action == "archive_evidence_denied")
        .unwrap();
    assert_eq!(denied.entry.username, "parent-other");
    assert_eq!(
        denied.entry.detail,
        format!("record={} evidence={}", mine["record_id"], file["id"])
    );
    let confirms = audit
        .iter()
        .filter(|r| r.entry.action == "archive_confirm")
        .count();
    assert_eq!(confirms, 2);
}
