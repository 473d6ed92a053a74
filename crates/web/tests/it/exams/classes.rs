//! A school's classes, the class view, item analysis and alerts.
use super::*;

#[tokio::test]
async fn the_class_view_shows_absent_marks_standard_scores_and_is_audited() {
    let app = TestApp::with_exams().await;
    let e = &app.ids.exams;
    let (a, c71, c72) = (app.ids.school_a, app.ids.class_a7_1, app.ids.class_a7_2);
    let path = format!(
        "/exams/{}/schools/{a}/classes/{c71}?subject={}",
        e.midterm,
        enc("英语")
    );
    let html = page(&app, "teacher-a", &path).await;
    let t = table(&html, "students");
    assert_eq!(t.len(), 13, "12 students");
    // 李小红 was absent in 英语: 缺考, not 0, and no 总分.
    let li = row_of(&t, 0, "李小红");
    assert_eq!(li["英语"], "缺考");
    assert_eq!(li["总分"], "—");
    assert_eq!(li["英语Z分"], "—");
    assert!(
        html.contains("<td class=\"absent\">缺考</td>") || html.contains("class=\"num absent\"")
    );
    // 张小明's 英语 standing against the district's 47 英语 scores.
    let english: Vec<f64> = x::students()
        .iter()
        .filter_map(|s| x::score(x::midterm(s)[2]))
        .collect();
    let n = english.len() as f64;
    let mu = english.iter().sum::<f64>() / n;
    let sigma = (english.iter().map(|v| (v - mu).powi(2)).sum::<f64>() / n).sqrt();
    let child = &x::students()[0];
    let mine = x::score(x::midterm(child)[2]).unwrap();
    let z = (mine - mu) / sigma;
    let below = english.iter().filter(|v| **v < mine).count() as f64;
    let equal = english.iter().filter(|v| **v == mine).count() as f64;
    let row = row_of(&t, 0, "张小明");
    assert_eq!(row["英语"], two(mine));
    assert_eq!(row["英语Z分"], two(z));
    assert_eq!(row["英语T分"], two(50.0 + 10.0 * z));
    assert_eq!(
        row["英语百分等级"],
        format!(
            "{:.1}",
            round_half_away(100.0 * (below + 0.5 * equal) / n, 1)
        )
    );
    let total: f64 = x::midterm(child).iter().filter_map(|m| x::score(*m)).sum();
    assert_eq!(row["总分"], two(total));
    assert_eq!(
        row["学籍号"],
        format!(
            "G{}",
            crate::support::masked_id(&crate::support::child_id_card())
        )
    );
    // 临界生 as the store marks them (within 5 points below a line), highlighted.
    let rows = app
        .store
        .exam_students(
            &Scope::District,
            ExamId(e.midterm),
            SchoolId(a),
            Some(wuyu_domain::ClassId(c71)),
        )
        .await
        .unwrap();
    for r in &rows {
        let b = r
            .subjects
            .iter()
            .find(|m| m.subject == "英语")
            .and_then(|m| m.borderline);
        let cell = &row_of(&t, 0, &r.name)["英语临界生"];
        assert_eq!(cell.is_empty(), b.is_none(), "{}", r.name);
        if let Some(m) = r
            .subjects
            .iter()
            .find(|m| m.subject == "英语")
            .and_then(|m| m.score)
        {
            // Hand check of the flag: within 5 points below 80 or 60.
            let want = (75.0..80.0).contains(&m) || (55.0..60.0).contains(&m);
            assert_eq!(b.is_some(), want, "{} {m}", r.name);
        }
    }
    // The read is audited.
    let audit = app.store.list_audit(1).await.unwrap();
    assert_eq!(audit[0].entry.action, "read_class_exam");
    assert_eq!(audit[0].entry.username, "teacher-a");
    assert_eq!(audit[0].entry.entity, format!("class:{a}:{c71}"));
    // The detail names the exam and how many students' marks were read.
    let detail = &audit[0].entry.detail;
    assert!(
        detail.starts_with(&format!("exam:{} rows=", e.midterm)) && !detail.ends_with("rows=0"),
        "{detail}"
    );

    // Another class of their school: refused, and the refusal is audited.
    let other = format!("/exams/{}/schools/{a}/classes/{c72}", e.midterm);
    assert_eq!(get_as(&app, "teacher-a", &other).await.0, 403);
    let audit = app.store.list_audit(1).await.unwrap();
    assert_eq!(audit[0].entry.action, "read_class_exam_denied");
    assert_eq!(audit[0].entry.entity, format!("class:{a}:{c72}"));
    assert_eq!(
        get_as(&app, "teacher-a", &format!("{other}/export.xlsx"))
            .await
            .0,
        403
    );

    // With students' ranks turned on, the district analyst sees the district rank, computed
    // like a competition ranking.
    app.store
        .set_setting("show_student_ranks", "true")
        .await
        .unwrap();
    let html = page(&app, "analyst", &path).await;
    let t = table(&html, "students");
    let above = english.iter().filter(|v| **v > mine).count();
    assert_eq!(
        row_of(&t, 0, "张小明")["英语全区排名"],
        (above + 1).to_string()
    );
}

// --- items -----------------------------------------------------------------------------------

#[tokio::test]
async fn item_analysis_has_flags_a_heat_map_of_items_by_classes_and_mastery() {
    let app = TestApp::with_exams().await;
    let e = &app.ids.exams;
    let html = page(&app, "analyst", &format!("/exams/{}/items", e.midterm)).await;
    // The first subject with item points is chosen: 数学.
    assert!(html.contains("各题统计 · 数学"));
    let sat: Vec<ExamStudent> = students_where(|s| x::midterm(s)[1] != Some(SubjectMark::Absent));
    assert_eq!(sat.len(), 47);
    assert_eq!(attr_text(&html, "data-paper", "n"), "47");
    let t = table(&html, "items");
    for (j, (item, max, _)) in x::MATH_ITEMS.iter().enumerate() {
        let p = sat.iter().map(|s| x::math_items(s)[j]).sum::<f64>() / (47.0 * max);
        let row = row_of(&t, 0, item);
        assert_eq!(row["难度(得分率P)"], two(p), "item {item}");
    }
    // Flags: item 1 too easy, item 4 too hard, item 5 discriminates negatively.
    assert!(row_of(&t, 0, "1")["提示"].contains("过于容易"));
    assert!(row_of(&t, 0, "4")["提示"].contains("难度过大"));
    assert!(row_of(&t, 0, "5")["提示"].contains("区分度为负"));
    assert!(row_of(&t, 0, "2")["提示"].is_empty());
    assert_eq!(html.matches("<tr class=\"flagged\">").count(), 3);
    // α as the store computed it.
    let report = app
        .store
        .exam_items(&Scope::District, ExamId(e.midterm), "数学", None)
        .await
        .unwrap();
    assert_eq!(
        attr_text(&html, "data-paper", "alpha"),
        three(report.analysis.alpha.unwrap())
    );
    assert_eq!(
        row_of(&t, 0, "5")["区分度D"],
        two(report.analysis.items[4].discrimination)
    );
    assert!(report.analysis.items[4].discrimination < 0.0);

    // The heat map: 5 items × 4 classes, each cell the class's 得分率 on the item.
    let c = chart(&html, "chart-heatmap");
    assert_eq!(c["xAxis"]["data"].as_array().unwrap().len(), 5);
    let classes: Vec<&str> = c["yAxis"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        classes,
        [
            "第一实验中学 1班",
            "第一实验中学 2班",
            "河西中学 1班",
            "城北学校 1班"
        ]
    );
    let cells = c["series"][0]["data"].as_array().unwrap();
    assert_eq!(cells.len(), 20);
    for cell in cells {
        let (xi, yi, v) = (
            cell[0].as_u64().unwrap() as usize,
            cell[1].as_u64().unwrap() as usize,
            cell[2].as_f64().unwrap(),
        );
        let in_class: Vec<&ExamStudent> = sat.iter().filter(|s| s.class == yi).collect();
        let want = in_class.iter().map(|s| x::math_items(s)[xi]).sum::<f64>()
            / (in_class.len() as f64 * x::MATH_ITEMS[xi].1);
        assert_eq!(v, round_half_away(want, 2), "item {xi} class {yi}");
    }
    // Knowledge points: 数与式 (items 1 and 2) in 河西中学 1班.
    let m = table(&html, "mastery");
    let hexi: Vec<&ExamStudent> = sat.iter().filter(|s| s.class == 2).collect();
    let want = hexi
        .iter()
        .map(|s| x::math_items(s)[0] + x::math_items(s)[1])
        .sum::<f64>()
        / (hexi.len() as f64 * 40.0);
    assert_eq!(row_of(&m, 0, "河西中学 1班")["数与式"], pct(want));

    // A teacher's heat map has their own classes only (1班; 八年级 did not sit this exam).
    let html = page(&app, "teacher-a", &format!("/exams/{}/items", e.midterm)).await;
    let c = chart(&html, "chart-heatmap");
    assert_eq!(c["yAxis"]["data"], serde_json::json!(["1班"]));
    // A subject without item points says so; 总分 is not a paper.
    let html = page(
        &app,
        "analyst",
        &format!("/exams/{}/items?subject={}", e.midterm, enc("语文")),
    )
    .await;
    assert!(html.contains("语文未导入小题分"));
    assert_eq!(
        get_as(
            &app,
            "analyst",
            &format!("/exams/{}/items?subject={}", e.midterm, enc("总分"))
        )
        .await
        .0,
        400
    );
}

// --- alerts ----------------------------------------------------------------------------------

#[tokio::test]
async fn parallel_class_alerts_are_for_review_with_the_evidence_of_every_exam() {
    let app = TestApp::with_exams().await;
    let a = app.ids.school_a;
    // Six more 区级 语文 exams in which 1班 (孙老师) is 2 points below 2班 each time.
    for k in 0..6u8 {
        let mut ne = x::new_exam(
            &format!("语文统测{}", k + 1),
            wuyu_domain::ExamLevel::District,
            None,
        );
        ne.subjects.truncate(1);
        ne.date = time::Date::from_calendar_date(2025, time::Month::March, 1 + k).unwrap();
        ne.term = wuyu_domain::Term::new(2024, wuyu_domain::TermPart::Spring).unwrap();
        let exam = app.store.create_exam(&ne).await.unwrap();
        app.store
            .import_exam_scores(
                &x::score_batch(exam, &["语文"], |s| {
                    let v = 80.0 + s.k as f64 - if s.class == 0 { 2.0 } else { 0.0 };
                    vec![(s.class < 2).then_some(SubjectMark::Score(v))]
                }),
                &wuyu_store::ImportMeta {
                    username: "t".into(),
                    file_name: format!("统测{k}.xlsx"),
                    file_sha256: "4".repeat(64),
                    at: 0,
                },
            )
            .await
            .unwrap();
    }
    for who in ["teacher-a", "counsellor-a", "parent-a", "teacher-b"] {
        assert_eq!(get_as(&app, who, "/exams/alerts").await.0, 403, "{who}");
        assert_eq!(
            get_as(&app, who, "/exams/alerts/export.xlsx").await.0,
            403,
            "{who}"
        );
    }
    let html = page(&app, "school-a", "/exams/alerts").await;
    assert!(html.contains("仅供人工复核，不是自动判定"));
    assert_eq!(attr_text(&html, "data-count", "flagged"), "1");
    let t = table(&html, "alerts");
    let sun = row_of(&t, 1, "孙老师");
    assert_eq!(sun["结论"], "预警（待人工复核）");
    // Nine eligible events (baseline, midterm, six 统测 and the 校级 月考, which the plan
    // counts); below in the six 统测.
    assert_eq!(sun["计入次数"], "9.0");
    assert_eq!(sun["低于次数"], "6.0");
    assert_eq!(sun["低于平行班比例"], pct(6.0 / 9.0));
    // The evidence of a 统测: class mean and parallel average (student-weighted) by hand.
    let class_mean = (0..12).map(|k| 80.0 + k as f64 - 2.0).sum::<f64>() / 12.0;
    let other = (0..12).map(|k| 80.0 + k as f64).sum::<f64>() / 12.0;
    let parallel = (class_mean + other) / 2.0;
    let ev = table(&html, "evidence");
    let row = ev
        .iter()
        .find(|r| r[0].starts_with("语文统测1"))
        .expect("evidence row");
    assert_eq!(row[4], two(class_mean));
    assert_eq!(row[5], two(parallel));
    // In SD units: both classes' marks are 12 consecutive numbers, sample SD √13.
    assert_eq!(
        row[7],
        two(
            (two(class_mean).parse::<f64>().unwrap() - two(parallel).parse::<f64>().unwrap())
                / 13f64.sqrt()
        )
    );
    assert_eq!(row[8], "低于");
    let monthly = ev.iter().find(|r| r[0].starts_with(x::MONTHLY)).unwrap();
    assert!(!monthly[8].starts_with("不计入"), "{monthly:?}");
    // Below 6 of 9 with no real difference: (C(9,6)+C(9,7)+C(9,8)+C(9,9))/2⁹ = 130/512.
    assert_eq!(
        sun["无差异时出现的概率"],
        format!("{:.1}%", 130.0 / 512.0 * 100.0)
    );
    assert_eq!(sun["处理决定"], "未处理");

    // The district sees every school, and the API says the same.
    let html = page(&app, "analyst", "/exams/alerts").await;
    assert_eq!(
        row_of(&table(&html, "alerts"), 1, "孙老师")["计入次数"],
        "9.0"
    );
    // District-wide: counts per school (linking to the school's evidence), flagged teachers.
    let schools = table(&html, "alert-schools");
    assert_eq!(row_of(&schools, 0, "第一实验中学")["预警"], "1");
    assert!(html.contains(&format!("/exams/alerts?year=2024&#38;school={a}")));
    assert!(!html.contains("data-table=\"evidence\""));
    let v = api(&app, "analyst", &format!("/api/v1/exams/alerts?school={a}")).await;
    let sun = v["teachers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["teacher_name"] == "孙老师")
        .unwrap();
    let sun_id = sun["teacher_id"].as_i64().unwrap();
    assert_eq!(sun["status"], "flagged");
    assert_eq!(sun["weighted_below"], 6.0);
    assert!(v["note"].as_str().unwrap().contains("人工复核"));
    // The export lists every event of every teacher with the same numbers.
    let mut wb = xlsx(&app, "school-a", "/exams/alerts/export.xlsx").await;
    let sheet = wb.worksheet_range("平行班预警").unwrap();
    let rows: Vec<Vec<Data>> = sheet.rows().skip(2).map(|r| r.to_vec()).collect();
    let first = rows
        .iter()
        .find(|r| {
            r[1] == Data::String("孙老师".into()) && r[8].to_string().starts_with("语文统测1")
        })
        .unwrap();
    assert_eq!(first[12], Data::Float(class_mean));
    assert_eq!(first[14], Data::String("低于".into()));
    // The class's value-added stands beside the rule; these exams have no baseline, so the
    // cells are blank rather than a made-up number.
    let header: Vec<String> = sheet
        .rows()
        .nth(1)
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header[15], "同班增值（分）", "{header:?}");
    assert_eq!(first[15], Data::Empty);

    // A person decides: the district admin records 待复核, then 低聘 with a reason. The school
    // admin and the analyst cannot; an empty reason is refused and changes nothing.
    let form = |decision: &str, reason: &str| {
        format!(
            "school={a}&teacher={sun_id}&subject={}&year=2024&decision={decision}&reason={}",
            enc("语文"),
            enc(reason)
        )
    };
    for who in ["school-a", "analyst"] {
        let resp = post_form(&app, who, "/exams/alerts/decision", &form("demote", "x")).await;
        assert_eq!(resp.status(), 403, "{who}");
    }
    let resp = post_form(
        &app,
        "district",
        "/exams/alerts/decision",
        &form("demote", " "),
    )
    .await;
    assert_eq!(resp.status(), 400);
    let html = page(&app, "school-a", "/exams/alerts").await;
    assert_eq!(
        row_of(&table(&html, "alerts"), 1, "孙老师")["处理决定"],
        "未处理"
    );
    for (decision, reason) in [
        ("pending_review", "约谈教研组"),
        ("demote", "三年六次低于，复核属实"),
    ] {
        let resp = post_form(
            &app,
            "district",
            "/exams/alerts/decision",
            &form(decision, reason),
        )
        .await;
        assert_eq!(resp.status(), 303);
    }
    let html = page(&app, "school-a", "/exams/alerts").await;
    assert_eq!(
        row_of(&table(&html, "alerts"), 1, "孙老师")["处理决定"],
        "低聘"
    );
    assert!(html.contains("低聘（理由：三年六次低于，复核属实；district"));
    // The school admin sees the decision but gets no form to change it; the district admin does.
    assert!(!html.contains("action=\"/exams/alerts/decision\""));
    let html = page(&app, "district", &format!("/exams/alerts?school={a}")).await;
    assert!(html.contains("action=\"/exams/alerts/decision\""));
    // Both decisions are in the audit log, the second naming what it replaced.
    let log = app.store.list_audit(50).await.unwrap();
    let decisions: Vec<_> = log
        .iter()
        .filter(|r| r.entry.action == "alert_decision")
        .collect();
    assert_eq!(decisions.len(), 2);
    assert!(
        decisions
            .iter()
            .any(|r| r.entry.detail.contains("decision=低聘 previous=待复核")),
        "{decisions:?}"
    );
}

// --- the student page ------------------------------------------------------------------------
