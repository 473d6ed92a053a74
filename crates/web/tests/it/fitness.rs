//! 体质健康 pages, API and export: the numbers shown are the store's numbers for the caller's
//! scope (checked against the store and, where simple, against counts made here from the
//! records themselves); class and student reads are audited; ranks follow the role and the
//! district setting.
use std::io::Cursor;

use axum::body::to_bytes;
use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use wuyu_domain::{ClassId, SchoolId, Scope};
use wuyu_standards::Level;
use wuyu_store::{FitnessGroupBy, FitnessRecord, FitnessSummaryRow};

use crate::support::{TestApp, body_json, body_text, get, term_before, term_now};

fn pct(r: Option<f64>) -> String {
    r.map_or_else(|| "—".to_string(), |r| format!("{:.1}%", r * 100.0))
}

/// The text of `<span ... data-rate="name">TEXT</span>` on a page.
fn headline(html: &str, name: &str) -> String {
    let tag = format!("data-rate=\"{name}\">");
    let start = html
        .find(&tag)
        .unwrap_or_else(|| panic!("{name} on the page"))
        + tag.len();
    let end = html[start..].find('<').unwrap() + start;
    html[start..end].to_string()
}

async fn page(app: &TestApp, who: &str, path: &str) -> String {
    let s = app.login(who).await;
    let resp = app.send(get(path).cookie(&s.cookie).build()).await;
    assert_eq!(resp.status(), 200, "{who} {path}");
    body_text(resp).await
}

async fn district_row(app: &TestApp, scope: &Scope) -> FitnessSummaryRow {
    app.store
        .fitness_summary(scope, None, term_now(), FitnessGroupBy::District)
        .await
        .unwrap()
        .remove(0)
}

/// Every record of the latest term, read one student at a time.
async fn records_now(app: &TestApp) -> Vec<FitnessRecord> {
    let mut out = Vec::new();
    for s in app.store.list_schools(&Scope::District).await.unwrap() {
        for st in app
            .store
            .list_students(&Scope::District, s.school.id, None)
            .await
            .unwrap()
        {
            out.extend(
                app.store
                    .student_fitness(&Scope::District, s.school.id, st.id)
                    .await
                    .unwrap()
                    .into_iter()
                    .filter(|r| r.term == term_now()),
            );
        }
    }
    out
}

#[tokio::test]
async fn district_headline_is_the_store_summary_and_matches_a_count_of_the_records() {
    let app = TestApp::new().await;
    let html = page(&app, "district", "/fitness").await;
    // The latest term is the default.
    assert!(html.contains(&term_now().label_zh()));
    let row = district_row(&app, &Scope::District).await;
    for (name, rate) in [
        ("test_rate", row.test_rate),
        ("pass_rate", row.pass_rate),
        ("good_or_better_rate", row.good_or_better_rate),
        ("excellent_rate", row.excellent_rate),
        ("fail_rate", row.fail_rate),
        ("overweight_rate", row.overweight_rate),
        ("obese_rate", row.obese_rate),
        ("stunting_rate", row.stunting_rate),
        ("wasting_rate", row.wasting_rate),
        ("myopia_rate", row.myopia_rate),
    ] {
        assert_eq!(headline(&html, name), pct(rate), "{name}");
    }

    // Independently: 6 of the 8 students tested, 陈晨 incomplete; level rates over the 5
    // complete records.
    let records = records_now(&app).await;
    assert_eq!(records.len(), 6);
    assert!(html.contains("6 / 8"));
    let complete: Vec<&FitnessRecord> = records.iter().filter(|r| r.complete).collect();
    assert_eq!(complete.len(), 5);
    let share = |f: &dyn Fn(&FitnessRecord) -> bool| {
        Some(complete.iter().filter(|r| f(r)).count() as f64 / complete.len() as f64)
    };
    assert_eq!(
        headline(&html, "excellent_rate"),
        pct(share(&|r| r.level == Some(Level::Excellent)))
    );
    assert_eq!(
        headline(&html, "pass_rate"),
        pct(share(&|r| r.level.is_some_and(|l| l >= Level::Pass)))
    );
    assert_eq!(
        headline(&html, "fail_rate"),
        pct(share(&|r| r.level == Some(Level::Fail)))
    );
    assert_eq!(headline(&html, "test_rate"), pct(Some(6.0 / 8.0)));
    assert!(html.contains("目标 ≥ 30.0%"));

    // Each school's row links to the school's own view, with the store's rates and a rank.
    let schools = app
        .store
        .fitness_summary(&Scope::District, None, term_now(), FitnessGroupBy::School)
        .await
        .unwrap();
    assert_eq!(schools.len(), 2);
    for s in &schools {
        let id = s.key.school_id.unwrap();
        let link = format!(
            "<a href=\"/fitness?school={id}&#38;term={}\">{}</a>",
            term_now().code(),
            s.key.school_name.as_deref().unwrap()
        );
        let at = html
            .find(&link)
            .expect("school row links to the school's view");
        let row_html = &html[at..at + html[at..].find("</tr>").unwrap()];
        for rate in [s.pass_rate, s.excellent_rate, s.fail_rate, s.myopia_rate] {
            assert!(row_html.contains(&pct(rate)), "{row_html}");
        }
    }
    assert!(html.contains("排名"));
    // Two charts, declared for app.js; the items table; the breakdowns.
    assert!(
        html.contains("data-chart=\"chart-trend\"") && html.contains("data-chart=\"chart-bmi\"")
    );
    assert!(html.contains("各测试项目") && html.contains("50米跑"));
    assert!(html.contains("按城乡") && html.contains("按性别"));
}

#[tokio::test]
async fn change_since_the_previous_term_is_in_percentage_points() {
    let app = TestApp::new().await;
    let html = page(&app, "district", "/fitness").await;
    let now = district_row(&app, &Scope::District).await;
    let before = app
        .store
        .fitness_summary(
            &Scope::District,
            None,
            term_before(),
            FitnessGroupBy::District,
        )
        .await
        .unwrap()
        .remove(0);
    let d = (now.excellent_rate.unwrap() - before.excellent_rate.unwrap()) * 100.0;
    let text = match format!("{:.1}", d.abs()) {
        z if z == "0.0" => "持平".to_string(),
        z if d > 0.0 => format!("▲{z}"),
        z => format!("▼{z}"),
    };
    assert!(html.contains(&format!("较上学期 {text}")), "{text}");
    // An earlier term is selectable and shows its own numbers (no earlier term: no change).
    let html = page(
        &app,
        "district",
        &format!("/fitness?term={}", term_before().code()),
    )
    .await;
    assert_eq!(
        headline(&html, "excellent_rate"),
        pct(before.excellent_rate)
    );
    assert!(html.contains("较上学期 —"));
}

#[tokio::test]
async fn ranks_follow_the_role_and_the_district_setting() {
    let app = TestApp::new().await;
    assert!(page(&app, "analyst", "/fitness").await.contains("排名"));
    assert!(!page(&app, "teacher-a", "/fitness").await.contains("排名"));
    app.store.set_setting("hide_ranks", "true").await.unwrap();
    assert!(!page(&app, "district", "/fitness").await.contains("排名"));
    assert!(!page(&app, "school-a", "/fitness").await.contains("排名"));
}

#[tokio::test]
async fn a_teacher_sees_their_own_classes_only() {
    let app = TestApp::new().await;
    let i = &app.ids;
    let html = page(&app, "teacher-a", "/fitness").await;
    let scope = Scope::Classes {
        school_id: SchoolId(i.school_a),
        class_ids: [ClassId(i.class_a7_1), ClassId(i.class_a8_1)].into(),
    };
    let row = district_row(&app, &scope).await;
    assert_eq!((row.tested, row.enrolled), (3, 3));
    assert!(html.contains("3 / 3"));
    assert_eq!(headline(&html, "excellent_rate"), pct(row.excellent_rate));
    let class_link = |c: i64| {
        format!(
            "/schools/{}/classes/{c}/fitness?term=2024-autumn",
            i.school_a
        )
    };
    assert!(html.contains(&class_link(i.class_a7_1)));
    assert!(html.contains(&class_link(i.class_a8_1)));
    assert!(!html.contains(&class_link(i.class_a7_2)));
    // The nav has 体质健康 for them, not for counsellors or parents.
    assert!(html.contains("href=\"/fitness\""));
    let c = page(&app, "counsellor-a", &format!("/schools/{}", i.school_a)).await;
    assert!(!c.contains("href=\"/fitness\""));
}

#[tokio::test]
async fn class_view_shows_missing_incomplete_and_failed_items_and_is_audited() {
    let app = TestApp::new().await;
    let i = &app.ids;
    let html = page(
        &app,
        "school-a",
        &format!("/schools/{}/classes/{}/fitness", i.school_a, i.class_a7_2),
    )
    .await;
    // 王磊 tested (weak: failed items highlighted), 赵敏 missing the test.
    assert!(html.contains("王磊") && html.contains("赵敏"));
    assert!(html.contains("缺测"));
    assert!(html.contains("class=\"num fail\""));
    let rows = app.store.list_audit(5).await.unwrap();
    assert_eq!(rows[0].entry.action, "read_class_fitness");
    assert_eq!(rows[0].entry.username, "school-a");
    assert_eq!(
        rows[0].entry.entity,
        format!("class:{}:{}", i.school_a, i.class_a7_2)
    );
    assert_eq!(rows[0].entry.detail, term_now().code());

    // The class roster links to the class's fitness view (not for counsellors).
    let roster = page(
        &app,
        "teacher-a",
        &format!("/schools/{}/classes/{}", i.school_a, i.class_a8_1),
    )
    .await;
    let view = format!("/schools/{}/classes/{}/fitness", i.school_a, i.class_a8_1);
    assert!(roster.contains(&format!("href=\"{view}\"")));
    let roster = page(
        &app,
        "counsellor-a",
        &format!("/schools/{}/classes/{}", i.school_a, i.class_a8_1),
    )
    .await;
    assert!(!roster.contains(&view));

    // 陈晨 is INCOMPLETE: no 50米跑.
    let html = page(
        &app,
        "teacher-a",
        &format!("/schools/{}/classes/{}/fitness", i.school_a, i.class_a8_1),
    )
    .await;
    assert!(html.contains("未完成"));
    let at = html.find("陈晨").unwrap();
    let row = &html[at..at + html[at..].find("</tr>").unwrap()];
    // The last column, 缺测项目, names the missing item.
    assert!(row.ends_with("<td>50米跑</td>"), "{row}");
}

#[tokio::test]
async fn the_parent_sees_the_childs_history_without_ranks_and_the_read_is_audited() {
    let app = TestApp::new().await;
    let i = &app.ids;
    let path = format!("/schools/{}/students/{}", i.school_a, i.child);
    let html = page(&app, "parent-a", &path).await;
    assert!(html.contains("<h2>体质健康</h2>"));
    assert!(html.contains(&term_now().label_zh()) && html.contains(&term_before().label_zh()));
    assert!(html.contains("data-chart=\"chart-year-total\""));
    assert!(!html.contains("排名"));
    let records = app
        .store
        .student_fitness(
            &Scope::District,
            SchoolId(i.school_a),
            wuyu_domain::StudentId(i.child),
        )
        .await
        .unwrap();
    for r in &records {
        assert!(html.contains(&format!("<dd>{:.1}</dd>", r.year_total.unwrap())));
    }
    let rows = app.store.list_audit(5).await.unwrap();
    let actions: Vec<&str> = rows.iter().map(|r| r.entry.action.as_str()).collect();
    assert!(actions.contains(&"read_student_fitness"), "{actions:?}");
    assert_eq!(rows[0].entry.username, "parent-a");

    // A counsellor may open the student but reads no fitness record.
    let html = page(&app, "counsellor-a", &path).await;
    assert!(!html.contains("<h2>体质健康</h2>"));
}

#[tokio::test]
async fn the_api_gives_the_page_numbers_and_audits_student_reads() {
    let app = TestApp::new().await;
    let i = &app.ids;
    let s = app.login("district").await;
    let resp = app
        .send(
            get("/api/v1/fitness/summary?by=school&term=2024-autumn")
                .cookie(&s.cookie)
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let doc = body_json(resp).await;
    assert_eq!(doc["term"], "2024-autumn");
    let store = app
        .store
        .fitness_summary(&Scope::District, None, term_now(), FitnessGroupBy::School)
        .await
        .unwrap();
    let rows = doc["rows"].as_array().unwrap();
    assert_eq!(rows.len(), store.len());
    for (j, r) in store.iter().enumerate() {
        assert_eq!(rows[j]["school_id"], r.key.school_id.unwrap().0);
        assert_eq!(rows[j]["tested"], r.tested);
        assert_eq!(rows[j]["excellent_rate"].as_f64(), r.excellent_rate);
        assert_eq!(rows[j]["pass_rate"].as_f64(), r.pass_rate);
        assert_eq!(rows[j]["myopia_rate"].as_f64(), r.myopia_rate);
    }

    let p = app.login("parent-a").await;
    let resp = app
        .send(
            get(&format!(
                "/api/v1/schools/{}/students/{}/fitness",
                i.school_a, i.child
            ))
            .cookie(&p.cookie)
            .build(),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let doc = body_json(resp).await;
    let terms: Vec<&str> = doc
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["term"].as_str().unwrap())
        .collect();
    assert_eq!(terms, ["2024-spring", "2024-autumn"]);
    let audit = app.store.list_audit(1).await.unwrap();
    assert_eq!(audit[0].entry.action, "api_read_student_fitness");
    assert_eq!(
        audit[0].entry.entity,
        format!("student:{}:{}", i.school_a, i.child)
    );
    // Another child's record is refused, and the refusal is audited too.
    let resp = app
        .send(
            get(&format!(
                "/api/v1/schools/{}/students/{}/fitness",
                i.school_a, i.other_a
            ))
            .cookie(&p.cookie)
            .build(),
        )
        .await;
    assert_eq!(resp.status(), 403);
    let audit = app.store.list_audit(1).await.unwrap();
    assert_eq!(audit[0].entry.action, "api_read_student_fitness_denied");
    // Aggregates stay closed to the parent, as problem+json.
    let resp = app
        .send(get("/api/v1/fitness/summary").cookie(&p.cookie).build())
        .await;
    assert_eq!(resp.status(), 403);
    assert_eq!(
        resp.headers()["content-type"].to_str().unwrap(),
        "application/problem+json"
    );
}

#[tokio::test]
async fn the_xlsx_export_has_the_api_numbers() {
    let app = TestApp::new().await;
    let s = app.login("district").await;
    let resp = app
        .send(
            get("/fitness/export.xlsx?term=2024-autumn&by=school")
                .cookie(&s.cookie)
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("spreadsheetml")
    );
    let bytes = to_bytes(resp.into_body(), usize::MAX).await.unwrap();
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let sheet = wb.worksheet_range(wuyu_report::FITNESS_SHEET).unwrap();

    let resp = app
        .send(
            get("/api/v1/fitness/summary?by=school&term=2024-autumn")
                .cookie(&s.cookie)
                .build(),
        )
        .await;
    let api = body_json(resp).await;
    let rows = api["rows"].as_array().unwrap();
    let cell = |r: u32, c: u32| sheet.get_value((r, c)).cloned().unwrap_or(Data::Empty);
    assert_eq!(cell(1, 0), Data::String("学校".into()));
    assert_eq!(cell(1, 6), Data::String("优秀率".into()));
    for (j, row) in rows.iter().enumerate() {
        let r = 2 + j as u32;
        assert_eq!(
            cell(r, 0),
            Data::String(row["school_name"].as_str().unwrap().into())
        );
        assert_eq!(cell(r, 2), Data::Float(row["tested"].as_f64().unwrap()));
        for (c, key) in [
            (3, "test_rate"),
            (4, "pass_rate"),
            (5, "good_or_better_rate"),
            (6, "excellent_rate"),
            (7, "fail_rate"),
            (13, "myopia_rate"),
        ] {
            match row[key].as_f64() {
                Some(v) => assert_eq!(cell(r, c), Data::Float(v), "{key}"),
                None => assert_eq!(cell(r, c), Data::Empty, "{key}"),
            }
        }
    }
}

#[tokio::test]
async fn a_district_role_drills_down_to_one_school_and_downloads_its_upload_file() {
    let app = TestApp::new().await;
    let a = app.ids.school_a;
    let sid = SchoolId(a);
    let school = app.store.school(&Scope::District, sid).await.unwrap();
    let html = page(&app, "district", &format!("/fitness?school={a}")).await;
    // The school's own view: its name, its grades and classes, its headline, a way back.
    assert!(html.contains(&school.name), "school name");
    assert!(html.contains("各年级体质健康") && html.contains("各班体质健康"));
    assert!(!html.contains("各校体质健康"));
    assert!(html.contains("返回全区"));
    let row = app
        .store
        .fitness_summary(
            &Scope::District,
            Some(sid),
            term_now(),
            FitnessGroupBy::District,
        )
        .await
        .unwrap()
        .remove(0);
    assert_eq!(headline(&html, "excellent_rate"), pct(row.excellent_rate));
    // The district's school table links each school to its view.
    let district = page(&app, "district", "/fitness").await;
    let link = format!("/fitness?school={a}&#38;term=");
    assert!(
        district.contains(&link),
        "drill-down link {link} in {district}"
    );

    // The upload file lists exactly the school's tested students with the template columns.
    let href = format!(
        "/schools/{a}/fitness/upload.xlsx?term={}",
        term_now().code()
    );
    assert!(html.contains(&href.replace('&', "&amp;")), "upload link");
    let s = app.login("district").await;
    let resp = app.send(get(&href).cookie(&s.cookie).build()).await;
    assert_eq!(resp.status(), 200);
    let bytes = to_bytes(resp.into_body(), usize::MAX).await.unwrap();
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let range = wb.worksheet_range("学生体质健康数据").unwrap();
    let header: Vec<String> = range
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(&header[..4], ["年级编号", "班级编号", "班级名称", "学籍号"]);
    let in_school = records_now(&app)
        .await
        .into_iter()
        .filter(|r| r.school_id == sid)
        .count();
    assert!(in_school > 0);
    assert_eq!(range.rows().count() - 1, in_school);
    let nos: Vec<String> = range.rows().skip(1).map(|r| r[3].to_string()).collect();
    for st in app
        .store
        .list_students(&Scope::District, sid, None)
        .await
        .unwrap()
    {
        let tested = app
            .store
            .student_fitness(&Scope::District, sid, st.id)
            .await
            .unwrap()
            .iter()
            .any(|r| r.term == term_now());
        assert_eq!(nos.contains(&st.student_no.as_str().to_string()), tested);
    }
    assert!(matches!(range.rows().nth(1).unwrap()[0], Data::String(_)));
}

#[tokio::test]
async fn the_plan_targets_are_a_district_setting_and_the_headline_says_whether_they_are_met() {
    let app = TestApp::new().await;
    let row = district_row(&app, &Scope::District).await;
    // Defaults: the plan's 30 % 优秀率 and 50 % 近视率.
    let html = page(&app, "district", "/fitness").await;
    assert!(html.contains("目标 ≥ 30.0%") && html.contains("目标 ≤ 50.0%"));

    // Targets just above and just below today's rates flip the verdicts.
    let excellent = row
        .excellent_rate
        .expect("the fixture has complete records");
    let myopia = row.myopia_rate.expect("the fixture has vision screenings");
    assert!(myopia > 0.0, "the fixture has myopic students");
    let targets = format!(
        "{{\"excellent_rate\": {}, \"myopia_rate_max\": {}}}",
        excellent + 0.001,
        myopia - 0.001
    );
    app.store
        .set_setting("fitness_targets", &targets)
        .await
        .unwrap();
    let html = page(&app, "district", "/fitness").await;
    let block = |label: &str| {
        let at = html.find(&format!("total-label\">{label}")).unwrap();
        html[at..at + html[at..].find("</div>").unwrap()].to_string()
    };
    assert!(block("优秀率").contains("未达标"), "{}", block("优秀率"));
    assert!(block("近视率").contains("未达标"), "{}", block("近视率"));
    let targets = format!(
        "{{\"excellent_rate\": {}, \"myopia_rate_max\": {}}}",
        (excellent - 0.001).max(0.0),
        myopia + 0.001
    );
    app.store
        .set_setting("fitness_targets", &targets)
        .await
        .unwrap();
    let html = page(&app, "district", "/fitness").await;
    let block = |label: &str| {
        let at = html.find(&format!("total-label\">{label}")).unwrap();
        html[at..at + html[at..].find("</div>").unwrap()].to_string()
    };
    assert!(block("优秀率").contains("已达标"), "{}", block("优秀率"));
    assert!(block("近视率").contains("已达标"), "{}", block("近视率"));
}

/// The rows of a list workbook's only sheet (title and header rows included), as text.
async fn list_rows(resp: axum::response::Response) -> Vec<Vec<String>> {
    let bytes = to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap()
        .to_vec();
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let name = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&name).unwrap();
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

#[tokio::test]
async fn a_pe_teacher_exports_the_retest_list_of_their_class_and_it_is_audited() {
    let app = TestApp::new().await;
    let i = &app.ids;
    let view = format!("/schools/{}/classes/{}/fitness", i.school_a, i.class_a8_1);
    let html = page(&app, "teacher-a", &view).await;
    let href = format!("{view}/lists/retest?term={}", term_now().code());
    assert!(html.contains(&href), "{html}");
    assert!(html.contains("补测名单：1 条"), "{html}");
    // Long tables are sorted and filtered by the page's own small script.
    assert!(html.contains("/assets/tables.js?v="), "{html}");
    let js = app.send(get("/assets/tables.js").build()).await;
    assert_eq!(js.status(), 200);
    assert!(body_text(js).await.contains("搜索姓名"));

    let s = app.login("teacher-a").await;
    let resp = app.send(get(&href).cookie(&s.cookie).build()).await;
    assert_eq!(resp.status(), 200);
    let disposition = resp.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    // 补测名单, percent-encoded in the UTF-8 file name.
    assert!(
        disposition.contains("%E8%A1%A5%E6%B5%8B%E5%90%8D%E5%8D%95"),
        "{disposition}"
    );
    let rows = list_rows(resp).await;
    assert_eq!(rows[1], ["学籍号", "姓名", "性别", "情况", "需补测项目"]);
    // 陈晨 has no 50米跑: the only one to retest in 8年级1班.
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(
        rows[2][1..],
        ["陈晨", "男", "缺项", "50米跑"].map(String::from)
    );
    let audit = app.store.list_audit(3).await.unwrap();
    assert_eq!(audit[0].entry.action, "export_class_fitness_list");
    assert_eq!(audit[0].entry.username, "teacher-a");
    assert!(audit[0].entry.detail.ends_with("rows=1"), "{:?}", audit[0]);

    // 7年级2班 is not theirs; its admin sees 赵敏 (no record) on the list.
    let other = format!(
        "/schools/{}/classes/{}/fitness/lists/retest",
        i.school_a, i.class_a7_2
    );
    assert_eq!(
        app.send(get(&other).cookie(&s.cookie).build())
            .await
            .status(),
        403
    );
    let admin = app.login("school-a").await;
    let rows = list_rows(app.send(get(&other).cookie(&admin.cookie).build()).await).await;
    assert!(
        rows.iter().any(|r| r[1] == "赵敏" && r[3] == "缺测"),
        "{rows:?}"
    );
    // Every failed item of 王磊 (weak results) is a line of 单项不及格; the 不及格 list has him.
    let failed = format!(
        "/schools/{}/classes/{}/fitness/lists/failed-items",
        i.school_a, i.class_a7_2
    );
    let rows = list_rows(app.send(get(&failed).cookie(&admin.cookie).build()).await).await;
    let wang: Vec<_> = rows.iter().filter(|r| r[1] == "王磊").collect();
    assert!(!wang.is_empty(), "{rows:?}");
    assert!(
        wang.iter().all(|r| r[5].parse::<f64>().unwrap() < 60.0),
        "{rows:?}"
    );
}

#[tokio::test]
async fn a_teacher_corrects_one_record_and_it_is_rescored_and_audited() {
    let app = TestApp::new().await;
    let i = &app.ids;
    let a = SchoolId(i.school_a);
    let chen = app
        .store
        .list_students(&Scope::District, a, Some(ClassId(i.class_a8_1)))
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.name.to_string() == "陈晨")
        .unwrap();
    let before = term_record(&app, a, chen.id).await;
    assert!(!before.complete, "陈晨 has no 50米跑");
    let path = format!(
        "/schools/{}/students/{}/fitness/{}/fix",
        i.school_a,
        chen.id,
        term_now().code()
    );
    // The class page links each tested student's correction form.
    let class = page(
        &app,
        "teacher-a",
        &format!("/schools/{}/classes/{}/fitness", i.school_a, i.class_a8_1),
    )
    .await;
    assert!(class.contains(&path), "{class}");
    let form = page(&app, "teacher-a", &path).await;
    assert!(form.contains("name=\"run_50m\" value=\"\""), "{form}");

    let s = app.login("teacher-a").await;
    let send = |body: String| {
        crate::support::post(&path)
            .cookie(&s.cookie)
            .form(&format!("csrf_token={}&{body}", s.csrf))
            .build()
    };
    // Not a number: refused with the field named, nothing written.
    let resp = app.send(send("run_50m=abc".into())).await;
    assert_eq!(resp.status(), 422);
    assert!(body_text(resp).await.contains("50米跑（秒）“abc”不是数字"));
    assert_eq!(term_record(&app, a, chen.id).await, before);

    // 8.6 s: the record is complete and scored at once.
    let resp = app.send(send("run_50m=8.6".into())).await;
    assert_eq!(resp.status(), 200);
    assert!(body_text(resp).await.contains("已保存并重新评分"));
    let after = term_record(&app, a, chen.id).await;
    assert!(after.complete);
    assert_eq!(after.measures.run_50m, Some(8.6));
    assert!(after.item(wuyu_standards::FitnessItem::Run50m).is_some());
    assert_eq!(after.measures.height_cm, before.measures.height_cm);
    assert!(after.standard_score.is_some());
    let audit = app.store.list_audit(5).await.unwrap();
    let fix = audit
        .iter()
        .find(|r| r.entry.action == "fix_fitness_record")
        .expect("audited");
    assert_eq!(fix.entry.username, "teacher-a");
    assert!(
        fix.entry.detail.contains("run_50m: 缺考 → 8.6"),
        "{:?}",
        fix.entry
    );
}

async fn term_record(
    app: &TestApp,
    school: SchoolId,
    student: wuyu_domain::StudentId,
) -> FitnessRecord {
    app.store
        .student_fitness(&Scope::District, school, student)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.term == term_now())
        .unwrap()
}

#[tokio::test]
async fn a_school_admin_marks_a_student_exempt_and_the_retest_list_drops_them() {
    let app = TestApp::new().await;
    let i = &app.ids;
    let a = SchoolId(i.school_a);
    let zhao = app
        .store
        .list_students(&Scope::District, a, Some(ClassId(i.class_a7_2)))
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.name.to_string() == "赵敏")
        .unwrap();
    let view = format!("/schools/{}/classes/{}/fitness", i.school_a, i.class_a7_2);
    let path = format!(
        "/schools/{}/students/{}/fitness/{}/exempt",
        i.school_a,
        zhao.id,
        term_now().code()
    );
    // 赵敏 has no record: the class page links her 免测 form.
    let html = page(&app, "school-a", &view).await;
    assert!(html.contains(&path), "{html}");
    let retest = format!("{view}/lists/retest?term={}", term_now().code());
    let admin = app.login("school-a").await;
    let on_list = |rows: &[Vec<String>]| rows.iter().any(|r| r[1] == "赵敏");
    let rows = list_rows(app.send(get(&retest).cookie(&admin.cookie).build()).await).await;
    assert!(on_list(&rows), "{rows:?}");

    let send = |body: &str| {
        crate::support::post(&path)
            .cookie(&admin.cookie)
            .form(&format!("csrf_token={}&{body}", admin.csrf))
            .build()
    };
    // No reason: refused in Chinese, nothing stored.
    let resp = app.send(send("step=exempt&reason=")).await;
    assert_eq!(resp.status(), 422);
    assert!(body_text(resp).await.contains("请填写免测原因"));
    let rows = list_rows(app.send(get(&retest).cookie(&admin.cookie).build()).await).await;
    assert!(on_list(&rows));

    let resp = app
        .send(send(
            "step=exempt&reason=%E5%9B%A0%E7%97%85%E5%85%8D%E6%B5%8B",
        ))
        .await;
    assert_eq!(resp.status(), 200);
    let body = body_text(resp).await;
    assert!(
        body.contains("已记为免测") && body.contains("本学期已免测：因病免测"),
        "{body}"
    );
    // Off the 补测名单, shown as 免测 on the class page, audited.
    let rows = list_rows(app.send(get(&retest).cookie(&admin.cookie).build()).await).await;
    assert!(!on_list(&rows), "{rows:?}");
    let html = page(&app, "school-a", &view).await;
    assert!(html.contains("免测：因病免测"), "{html}");
    let audit = app.store.list_audit(10).await.unwrap();
    let e = audit
        .iter()
        .find(|r| r.entry.action == "exempt_fitness")
        .expect("audited");
    assert_eq!(e.entry.username, "school-a");
    assert!(e.entry.detail.contains("因病免测"), "{:?}", e.entry);

    // Lifted: back on the list.
    let resp = app.send(send("step=lift")).await;
    assert_eq!(resp.status(), 200);
    assert!(body_text(resp).await.contains("已取消免测"));
    let rows = list_rows(app.send(get(&retest).cookie(&admin.cookie).build()).await).await;
    assert!(on_list(&rows), "{rows:?}");
}

#[tokio::test]
async fn a_teacher_marks_a_whole_record_absent_and_raw_results_show_without_hover() {
    let app = TestApp::new().await;
    let i = &app.ids;
    let a = SchoolId(i.school_a);
    let chen = app
        .store
        .list_students(&Scope::District, a, Some(ClassId(i.class_a8_1)))
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.name.to_string() == "陈晨")
        .unwrap();
    let before = term_record(&app, a, chen.id).await;
    let height = before.measures.height_cm.expect("陈晨 was measured");
    // The class page shows the raw results in the cells (phones have no hover).
    let view = format!("/schools/{}/classes/{}/fitness", i.school_a, i.class_a8_1);
    let html = page(&app, "teacher-a", &view).await;
    let sit = before.measures.sit_and_reach.expect("陈晨 did 坐位体前屈");
    assert!(html.contains(&format!(">{sit:.1}<br>")), "{html}");

    let path = format!(
        "/schools/{}/students/{}/fitness/{}/fix",
        i.school_a,
        chen.id,
        term_now().code()
    );
    let s = app.login("teacher-a").await;
    let resp = app
        .send(
            crate::support::post(&path)
                .cookie(&s.cookie)
                .form(&format!("csrf_token={}&all_absent=1", s.csrf))
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let after = term_record(&app, a, chen.id).await;
    assert_eq!(after.measures.height_cm, None);
    assert_eq!(after.measures.sit_and_reach, None);
    assert!(!after.complete && after.standard_score.is_none());
    let audit = app.store.list_audit(5).await.unwrap();
    let fix = audit
        .iter()
        .find(|r| r.entry.action == "fix_fitness_record")
        .expect("audited");
    assert!(
        fix.entry.detail.contains("整条记为缺考")
            && fix
                .entry
                .detail
                .contains(&format!("height_cm: {height} → 缺考")),
        "{:?}",
        fix.entry
    );
}
