//! What each role sees on its pages and through the API.
use crate::support::{
    TestApp, body_json, body_text, child_id_card, child_student_no, get, masked_id,
};

#[tokio::test]
async fn district_roles_see_the_overview_with_both_schools_and_a_chart() {
    let app = TestApp::new().await;
    for who in ["district", "analyst"] {
        let s = app.login(who).await;
        let resp = app.send(get("/").cookie(&s.cookie).build()).await;
        assert_eq!(resp.status(), 200, "{who}");
        let html = body_text(resp).await;
        assert!(html.contains("<h1>区级总览</h1>"), "{who}");
        assert!(
            html.contains("第一实验中学") && html.contains("柳林小学"),
            "{who}"
        );
        assert!(html.contains(&format!(r#"href="/schools/{}""#, app.ids.school_a)));
        // Totals: 2 schools, 5 classes, 8 students.
        for n in ["2</span>", "5</span>", "8</span>"] {
            assert!(html.contains(n), "{who}: {n}");
        }
        // Chart options travel as JSON for app.js; no inline script.
        assert!(html.contains(r#"<script type="application/json" id="chart-students">"#));
        assert!(html.contains(r#"data-chart="chart-students""#));
        assert!(html.contains("vendor/echarts.min.js?v="));
        assert_no_inline_script(&html);
        // The admin links are for district admins only.
        assert_eq!(
            html.contains(r#"href="/admin/users""#),
            who == "district",
            "{who}"
        );
        assert!(html.contains(&format!("{who} 显示名")));
    }
}

#[tokio::test]
async fn teacher_sees_only_their_classes() {
    let app = TestApp::new().await;
    let i = &app.ids;
    let s = app.login("teacher-a").await;
    let resp = app
        .send(
            get(&format!("/schools/{}", i.school_a))
                .cookie(&s.cookie)
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let html = body_text(resp).await;
    assert!(html.contains("<h1>第一实验中学</h1>"));
    assert!(html.contains("我任教的班级"));
    assert!(html.contains(&format!("/classes/{}", i.class_a7_1)));
    assert!(html.contains(&format!("/classes/{}", i.class_a8_1)));
    assert!(!html.contains(&format!("/classes/{}", i.class_a7_2)));
    assert!(
        !html.contains("任课安排"),
        "assignments table is for admins"
    );
    assert!(!html.contains(r#"href="/admin"#));

    // The API agrees: only students of the two classes.
    let resp = app
        .send(
            get(&format!("/api/v1/schools/{}/students", i.school_a))
                .cookie(&s.cookie)
                .build(),
        )
        .await;
    let students = body_json(resp).await;
    let names: Vec<&str> = students
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(names.contains(&"张小明") && names.contains(&"陈晨"));
    assert!(!names.contains(&"王磊"));
}

#[tokio::test]
async fn school_admin_sees_every_class_and_the_assignments() {
    let app = TestApp::new().await;
    let i = &app.ids;
    let s = app.login("school-a").await;
    let html = body_text(
        app.send(
            get(&format!("/schools/{}", i.school_a))
                .cookie(&s.cookie)
                .build(),
        )
        .await,
    )
    .await;
    for c in [i.class_a7_1, i.class_a7_2, i.class_a8_1] {
        assert!(html.contains(&format!("/classes/{c}")));
    }
    // The 任课 table has its own page; the school page links it with the row count.
    let href = format!("/schools/{}/assignments", i.school_a);
    assert!(html.contains(&href), "{html}");
    assert!(
        !html.contains("data-table=\"assignments\""),
        "no 任课 table on the school page"
    );
    let page = body_text(app.send(get(&href).cookie(&s.cookie).build()).await).await;
    assert!(page.contains("任课安排") && page.contains("孙老师") && page.contains("钱老师"));
    assert!(page.contains("七年级 1班") && page.contains("data-table=\"assignments\""));
    // The same table as a workbook with a Chinese file name.
    let resp = app
        .send(get(&format!("{href}.xlsx")).cookie(&s.cookie).build())
        .await;
    assert_eq!(resp.status(), 200);
    let disposition = resp.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    // 任课安排, percent-encoded.
    assert!(
        disposition.contains("%E4%BB%BB%E8%AF%BE%E5%AE%89%E6%8E%92.xlsx"),
        "{disposition}"
    );
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    use calamine::Reader;
    let sheet = wb.worksheet_range("任课安排").unwrap();
    let cells: Vec<String> = sheet.cells().map(|(_, _, c)| c.to_string()).collect();
    assert!(
        cells.contains(&"孙老师".to_string()) && cells.contains(&"七年级 1班".to_string()),
        "{cells:?}"
    );
    // A teacher may not open it.
    let t = app.login("teacher-a").await;
    assert_eq!(
        app.send(get(&href).cookie(&t.cookie).build())
            .await
            .status(),
        403
    );
}

#[tokio::test]
async fn api_school_list_is_the_callers_scope() {
    let app = TestApp::new().await;
    for (who, expected) in [
        ("district", vec!["S001", "S002"]),
        ("analyst", vec!["S001", "S002"]),
        ("school-a", vec!["S001"]),
        ("teacher-a", vec!["S001"]),
        ("counsellor-a", vec!["S001"]),
        ("parent-a", vec!["S001"]),
        ("teacher-b", vec!["S002"]),
    ] {
        let s = app.login(who).await;
        let resp = app
            .send(get("/api/v1/schools").cookie(&s.cookie).build())
            .await;
        assert_eq!(resp.status(), 200);
        let json = body_json(resp).await;
        let codes: Vec<&str> = json
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, expected, "{who}");
    }
    let s = app.login("district").await;
    let json = body_json(
        app.send(get("/api/v1/schools").cookie(&s.cookie).build())
            .await,
    )
    .await;
    assert_eq!(json[0]["name"], "第一实验中学");
    assert_eq!(json[0]["stage"], "junior");
    assert_eq!(json[0]["location"], "urban");
    assert_eq!(json[0]["school_group"], "实验教育集团");
    assert_eq!(json[0]["class_count"], 3);
    assert_eq!(json[0]["student_count"], 5);
}

#[tokio::test]
async fn id_numbers_are_masked_and_only_for_admins() {
    let app = TestApp::new().await;
    let i = &app.ids;
    let full = child_id_card();
    let masked = masked_id(&full);
    let class_page = format!("/schools/{}/classes/{}", i.school_a, i.class_a7_1);

    for who in ["district", "school-a"] {
        let s = app.login(who).await;
        let html = body_text(app.send(get(&class_page).cookie(&s.cookie).build()).await).await;
        assert!(html.contains("<h1>七年级 1班</h1>"), "{who}");
        assert!(html.contains("身份证号") && html.contains(&masked), "{who}");
        assert!(!html.contains(&full), "{who}: full ID number leaked");
        assert!(html.contains(&format!("G{masked}")), "{who}: masked 学籍号");
    }
    for who in ["analyst", "teacher-a", "counsellor-a"] {
        let s = app.login(who).await;
        let html = body_text(app.send(get(&class_page).cookie(&s.cookie).build()).await).await;
        assert!(html.contains("张小明"), "{who}");
        assert!(!html.contains("身份证号"), "{who}: no ID number column");
        assert!(
            !html.contains(&full),
            "{who}: full ID number leaked through the 学籍号"
        );
        assert!(html.contains(&format!("G{masked}")), "{who}: masked 学籍号");
        // Plain 学籍号 are shown as they are.
        assert!(html.contains("A2024070102"), "{who}");
    }
    // The API never carries ID numbers, and masks those inside a 学籍号.
    let s = app.login("district").await;
    let text = body_text(
        app.send(
            get(&format!("/api/v1/schools/{}/students", i.school_a))
                .cookie(&s.cookie)
                .build(),
        )
        .await,
    )
    .await;
    assert!(!text.contains(&full) && !text.contains("id_card"));
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let child = json
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "张小明")
        .unwrap();
    // The 学籍号 embeds the ID number, so it is masked too.
    assert_eq!(child["student_no"], format!("G{masked}"));
    assert_ne!(child["student_no"], child_student_no());
    assert_eq!(child["sex"], "male");
    assert_eq!(child["birth_date"], "2012-03-05");
    assert_eq!(child["grade"], 7);
    assert_eq!(child["class_name"], "1班");
}

#[tokio::test]
async fn parent_sees_the_child_record_and_no_school_list() {
    let app = TestApp::new().await;
    let i = &app.ids;
    let s = app.login("parent-a").await;
    let resp = app
        .send(
            get(&format!("/schools/{}/students/{}", i.school_a, i.child))
                .cookie(&s.cookie)
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let html = body_text(resp).await;
    assert!(html.contains("学生档案：张小明"));
    let full = child_id_card();
    assert!(
        html.contains(&format!("G{}", masked_id(&full))),
        "masked 学籍号"
    );
    assert!(html.contains("2012-03-05"));
    assert!(!html.contains(&full), "the full ID number appears nowhere");
    assert!(html.contains("家长"), "role label in the top bar");
    assert!(!html.contains(&format!(r#"href="/schools/{}""#, i.school_a)));
    // The child's class is named, but the class roster is not linked.
    assert!(html.contains("七年级 1班"), "the child's class is shown");
    assert!(!html.contains("/classes/"));
    // On the parent's phone the results come first, each term's 等级 in plain words, and the
    // identity details are collapsed at the bottom.
    let results = html.find("<h2>体质健康</h2>").expect("fitness section");
    let identity = html
        .find("<details class=\"identity\">")
        .expect("identity collapsed");
    assert!(results < identity);
    assert!(html[identity..].contains("<dt>学籍号</dt>"));
    assert!(!html[..identity].contains("<dt>学籍号</dt>"));
    assert!(
        html.contains("<p class=\"explain\">"),
        "plain-language 等级"
    );
}

#[tokio::test]
async fn each_item_under_60_comes_with_what_to_practise() {
    let app = TestApp::new().await;
    let i = &app.ids;
    // Every item of the child's records scored under 60 comes with what to practise.
    let records = app
        .store
        .student_fitness(
            &wuyu_domain::Scope::District,
            wuyu_domain::SchoolId(i.school_a),
            wuyu_domain::StudentId(i.other_a),
        )
        .await
        .unwrap();
    let failed: Vec<_> = records.iter().flat_map(|r| r.failed_items()).collect();
    assert!(!failed.is_empty(), "王磊 (weak) has items under 60");
    let s = app.login("school-a").await;
    let html = body_text(
        app.send(
            get(&format!("/schools/{}/students/{}", i.school_a, i.other_a))
                .cookie(&s.cookie)
                .build(),
        )
        .await,
    )
    .await;
    for item in &failed {
        assert!(
            html.contains(wuyu_service::fitness::practice_zh(*item)),
            "{item:?}: {html}"
        );
    }
    assert_eq!(
        html.matches("<ul class=\"practice\">").count(),
        records
            .iter()
            .filter(|r| r.failed_items().next().is_some())
            .count()
    );
}

/// Every `<script>` either loads a file or carries JSON data: the CSP allows nothing else.
pub fn assert_no_inline_script(html: &str) {
    for (pos, _) in html.match_indices("<script") {
        let tag_end = html[pos..].find('>').unwrap() + pos;
        let tag = &html[pos..tag_end];
        assert!(
            tag.contains(" src=\"/assets/") || tag.contains(r#"type="application/json""#),
            "inline script: {tag}"
        );
    }
    assert!(!html.contains("style=\""), "inline style attribute");
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "external URL"
    );
}
