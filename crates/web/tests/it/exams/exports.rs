//! The parent's view, the API and the XLSX exports.
use super::*;

#[tokio::test]
async fn the_parent_sees_the_childs_marks_without_ranks_and_the_read_is_audited() {
    let app = TestApp::with_exams().await;
    let i = &app.ids;
    let path = format!("/schools/{}/students/{}", i.school_a, i.child);
    let html = page(&app, "parent-a", &path).await;
    assert!(html.contains("<h2>考试成绩</h2>"));
    let child = &x::students()[0];
    let marks = x::midterm(child);
    let t = table(&html, "student-exam");
    // The newest exam first: the midterm.
    assert_eq!(t[0], ["科目", "成绩"]);
    for (j, (subject, _)) in x::SUBJECTS.iter().enumerate() {
        assert_eq!(
            row_of(&t, 0, subject)["成绩"],
            two(x::score(marks[j]).unwrap())
        );
    }
    for word in ["排名", "百分等级", "T分"] {
        assert!(!html.contains(word), "{word} shown to a parent");
    }
    let audit = app.store.list_audit(5).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|r| r.entry.action == "read_student_exams" && r.entry.username == "parent-a")
    );
    // A teacher sees T and 百分等级 but no rank; the analyst sees no student rank until the
    // district turns students' ranks on; the parent never does.
    let html = page(&app, "teacher-a", &path).await;
    assert!(html.contains("百分等级") && !html.contains("全区排名"));
    assert!(!page(&app, "analyst", &path).await.contains("全区排名"));
    app.store
        .set_setting("show_student_ranks", "true")
        .await
        .unwrap();
    let html = page(&app, "analyst", &path).await;
    assert!(html.contains("全区排名"));
    assert!(!page(&app, "parent-a", &path).await.contains("排名"));
    assert!(!page(&app, "teacher-a", &path).await.contains("全区排名"));
    // 缺考 reads 缺考 on 李小红's page; the counsellor gets no exam section.
    let li = i.exams.students["A2024070102"];
    let html = page(
        &app,
        "school-a",
        &format!("/schools/{}/students/{li}", i.school_a),
    )
    .await;
    assert_eq!(
        row_of(&table(&html, "student-exam"), 0, "英语")["成绩"],
        "缺考"
    );
    let html = page(&app, "counsellor-a", &path).await;
    assert!(!html.contains("考试成绩"));
}

// --- API and exports -------------------------------------------------------------------------

#[tokio::test]
async fn the_api_gives_the_page_numbers_and_audits_student_reads() {
    let app = TestApp::with_exams().await;
    let e = &app.ids.exams;
    let a = app.ids.school_a;
    let list = api(&app, "school-a", "/api/v1/exams").await;
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, [x::MIDTERM, x::MONTHLY, x::BASELINE]);
    assert_eq!(list[0]["baseline"], e.baseline);
    assert_eq!(list[0]["has_items"], true);

    let html = page(
        &app,
        "analyst",
        &format!("/exams/{}?subject={}", e.midterm, enc("数学")),
    )
    .await;
    let t = table(&html, "schools");
    let v = api(
        &app,
        "analyst",
        &format!("/api/v1/exams/{}/units?filter=schools", e.midterm),
    )
    .await;
    for u in v["units"].as_array().unwrap() {
        let s = u["subjects"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["subject"] == "数学")
            .unwrap();
        let row = row_of(&t, 1, u["name"].as_str().unwrap());
        assert_eq!(row["平均分"], two(s["mean"].as_f64().unwrap()));
        assert_eq!(row["优秀率"], pct(s["excellent_rate"].as_f64().unwrap()));
        assert_eq!(row["排名"], s["rank"].to_string());
        assert_eq!(row["综合指数"], two(s["composite"].as_f64().unwrap()));
    }
    let v = api(
        &app,
        "analyst",
        &format!("/api/v1/exams/{}/units", e.midterm),
    )
    .await;
    assert_eq!(v["units"][0]["name"], "全区");
    let v = api(
        &app,
        "school-a",
        &format!("/api/v1/exams/{}/units?filter=classes", e.midterm),
    )
    .await;
    assert_eq!(v["units"].as_array().unwrap().len(), 2);

    // Value-added: the caterpillar's numbers.
    let v = api(
        &app,
        "analyst",
        &format!("/api/v1/exams/{}/value-added", e.midterm),
    )
    .await;
    let c = chart(
        &page(&app, "analyst", &format!("/exams/{}", e.midterm)).await,
        "chart-va",
    );
    let units = v["units"].as_array().unwrap();
    assert_eq!(units.len(), 3);
    for (i, u) in units.iter().enumerate() {
        assert_eq!(c["xAxis"]["data"][i], u["name"]);
        assert_eq!(
            c["series"][0]["data"][i].as_f64().unwrap(),
            round_half_away(u["shrunken"].as_f64().unwrap(), 3)
        );
        assert_eq!(u["rank"], i as u64 + 1);
    }
    assert!(v["model_label"].as_str().unwrap().contains("REML"));
    let v = api(
        &app,
        "teacher-a",
        &format!("/api/v1/exams/{}/value-added?level=class", e.midterm),
    )
    .await;
    assert_eq!(v["units"].as_array().unwrap().len(), 2);

    // Items: the item table's difficulties and the heat map's classes.
    let v = api(
        &app,
        "analyst",
        &format!("/api/v1/exams/{}/items", e.midterm),
    )
    .await;
    let html = page(&app, "analyst", &format!("/exams/{}/items", e.midterm)).await;
    let t = table(&html, "items");
    for it in v["items"].as_array().unwrap() {
        let row = row_of(&t, 0, it["item"].as_str().unwrap());
        assert_eq!(
            row["难度(得分率P)"],
            two(it["difficulty"].as_f64().unwrap())
        );
    }
    assert_eq!(v["classes"].as_array().unwrap().len(), 4);
    assert_eq!(v["items"][4]["negative_discrimination"], true);

    // Students: the class view's numbers, audited; 缺考 is `absent`, never 0.
    let path = format!(
        "/api/v1/exams/{}/students?school={a}&class={}",
        e.midterm, app.ids.class_a7_1
    );
    let v = api(&app, "teacher-a", &path).await;
    let audit = app.store.list_audit(1).await.unwrap();
    assert_eq!(audit[0].entry.action, "api_read_exam_students");
    assert_eq!(
        audit[0].entry.entity,
        format!("class:{a}:{}", app.ids.class_a7_1)
    );
    let li = v["students"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "李小红")
        .unwrap();
    let en = li["marks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["subject"] == "英语")
        .unwrap();
    assert_eq!(
        (en["absent"].clone(), en["score"].clone()),
        (Value::Bool(true), Value::Null)
    );
    let s = app.login("teacher-a").await;
    let resp = app
        .send(
            get(&format!(
                "/api/v1/exams/{}/students?school={a}&class={}",
                e.midterm, app.ids.class_a7_2
            ))
            .cookie(&s.cookie)
            .build(),
        )
        .await;
    assert_eq!(resp.status(), 403);
    let audit = app.store.list_audit(1).await.unwrap();
    assert_eq!(audit[0].entry.action, "api_read_exam_students_denied");
}

#[tokio::test]
async fn the_xlsx_exports_have_the_page_numbers() {
    let app = TestApp::with_exams().await;
    let e = &app.ids.exams;
    let a = app.ids.school_a;
    let cell_text = |d: &Data| match d {
        Data::Float(v) => *v,
        other => panic!("number expected, got {other:?}"),
    };
    // The overview: a sheet per subject with the schools as on the page.
    let mut wb = xlsx(
        &app,
        "analyst",
        &format!("/exams/{}/export.xlsx", e.midterm),
    )
    .await;
    assert!(wb.sheet_names().contains(&"全区概况".to_string()));
    for subject in ["总分", "数学"] {
        let html = page(
            &app,
            "analyst",
            &format!("/exams/{}?subject={}", e.midterm, enc(subject)),
        )
        .await;
        let t = table(&html, "schools");
        let sheet = wb.worksheet_range(subject).unwrap();
        let header: Vec<String> = sheet
            .rows()
            .nth(1)
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(header, t[0], "same columns as the page");
        let col = |h: &str| header.iter().position(|x| x == h).unwrap();
        for (i, r) in sheet.rows().skip(2).enumerate() {
            let page_row = &t[i + 1];
            assert_eq!(r[col("学校")].to_string(), page_row[col("学校")]);
            assert_eq!(two(cell_text(&r[col("平均分")])), page_row[col("平均分")]);
            assert_eq!(pct(cell_text(&r[col("优秀率")])), page_row[col("优秀率")]);
            assert_eq!(
                two(cell_text(&r[col("综合指数")])),
                page_row[col("综合指数")]
            );
            assert_eq!(
                cell_text(&r[col("排名")]).to_string(),
                page_row[col("排名")]
            );
        }
    }
    // The class comparison of school A.
    let mut wb = xlsx(
        &app,
        "school-a",
        &format!("/exams/{}/classes/export.xlsx", e.midterm),
    )
    .await;
    let html = page(
        &app,
        "school-a",
        &format!("/exams/{}?subject={}", e.midterm, enc("英语")),
    )
    .await;
    let t = table(&html, "classes");
    let sheet = wb.worksheet_range("英语").unwrap();
    let header: Vec<String> = sheet
        .rows()
        .nth(1)
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header, t[0]);
    let col = |h: &str| header.iter().position(|x| x == h).unwrap();
    let r1 = sheet.rows().nth(2).unwrap();
    assert_eq!(r1[col("班级")].to_string(), "1班");
    assert_eq!(
        two(cell_text(&r1[col("平均分")])),
        row_of(&t, 1, "1班")["平均分"]
    );
    assert_eq!(
        two(cell_text(&r1[col("与年级差")])),
        row_of(&t, 1, "1班")["与年级差"]
    );
    assert_eq!(cell_text(&r1[col("缺考")]), 1.0);

    // The student list: 缺考 as text, the same standard scores as the page.
    let path = format!(
        "/exams/{}/schools/{a}/classes/{}?subject={}",
        e.midterm,
        app.ids.class_a7_1,
        enc("英语")
    );
    let html = page(&app, "teacher-a", &path).await;
    let t = table(&html, "students");
    let export = path.replace("?", "/export.xlsx?");
    let mut wb = xlsx(&app, "teacher-a", &export).await;
    let audit = app.store.list_audit(1).await.unwrap();
    assert_eq!(audit[0].entry.action, "export_class_exam");
    let sheet = wb.worksheet_range("学生成绩").unwrap();
    let header: Vec<String> = sheet
        .rows()
        .nth(1)
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header, t[0]);
    let col = |h: &str| header.iter().position(|x| x == h).unwrap();
    for r in sheet.rows().skip(2) {
        let name = r[col("姓名")].to_string();
        let page_row = row_of(&t, 0, &name);
        match &r[col("英语")] {
            Data::String(s) => {
                assert_eq!((s.as_str(), page_row["英语"].as_str()), ("缺考", "缺考"))
            }
            d => assert_eq!(two(cell_text(d)), page_row["英语"]),
        }
        if let Data::Float(z) = r[col("英语Z分")] {
            assert_eq!(two(z), page_row["英语Z分"]);
        }
    }
    // The items.
    let mut wb = xlsx(
        &app,
        "analyst",
        &format!("/exams/{}/items/export.xlsx", e.midterm),
    )
    .await;
    let html = page(&app, "analyst", &format!("/exams/{}/items", e.midterm)).await;
    let t = table(&html, "items");
    let sheet = wb.worksheet_range("小题分析").unwrap();
    let header: Vec<String> = sheet
        .rows()
        .nth(1)
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header, t[0]);
    let col = |h: &str| header.iter().position(|x| x == h).unwrap();
    for r in sheet.rows().skip(2).take(5) {
        let row = row_of(&t, 0, &r[0].to_string());
        assert_eq!(
            two(cell_text(&r[col("难度(得分率P)")])),
            row["难度(得分率P)"]
        );
        assert_eq!(two(cell_text(&r[col("区分度D")])), row["区分度D"]);
    }
    assert!(wb.worksheet_range("各班得分率").is_ok() && wb.worksheet_range("知识点掌握").is_ok());
    // School roles export their classes, not the district's schools.
    assert_eq!(
        get_as(
            &app,
            "school-a",
            &format!("/exams/{}/export.xlsx", e.midterm)
        )
        .await
        .0,
        403
    );
}
