//! The exam list, the district overview, value-added and ranks.
use super::*;

#[tokio::test]
async fn the_exam_list_is_newest_first_and_closed_to_counsellors_and_parents() {
    let app = TestApp::with_exams().await;
    let html = page(&app, "analyst", "/exams").await;
    let t = table(&html, "exams");
    let names: Vec<&str> = t.iter().skip(1).map(|r| r[0].as_str()).collect();
    assert_eq!(names, [x::MIDTERM, x::MONTHLY, x::BASELINE]);
    let mid = row_of(&t, 0, x::MIDTERM);
    assert_eq!(mid["级别"], "区级");
    assert_eq!(mid["年级"], "七年级");
    assert_eq!(mid["科目（满分）"], "语文 120、数学 100、英语 100");
    assert_eq!(
        (mid["学校数"].as_str(), mid["学生数"].as_str()),
        ("3", "48")
    );
    assert_eq!(row_of(&t, 0, x::MONTHLY)["级别"], "校级");
    assert!(html.contains(&format!("href=\"/exams/{}\"", app.ids.exams.midterm)));
    assert!(html.contains("href=\"/exams\" aria-current=\"page\">考试分析"));
    assert!(html.contains("平行班比较预警"));

    // The teacher sees their school's exams and no link to the alerts.
    let html = page(&app, "teacher-a", "/exams").await;
    assert_eq!(table(&html, "exams").len(), 4);
    assert!(!html.contains("平行班比较预警"));
    // School B sat none.
    let html = page(&app, "teacher-b", "/exams").await;
    assert!(html.contains("尚无考试数据"));
    for who in ["counsellor-a", "parent-a"] {
        assert_eq!(get_as(&app, who, "/exams").await.0, 403, "{who}");
        let (_, home) = get_as(&app, who, &format!("/schools/{}", app.ids.school_a)).await;
        assert!(!home.contains("href=\"/exams\""), "{who} nav");
    }
}

// --- the district overview -------------------------------------------------------------------

#[tokio::test]
async fn the_district_overview_has_the_hand_computed_rates_of_every_school() {
    let app = TestApp::with_exams().await;
    let e = &app.ids.exams;
    let all = x::students();
    let all_refs: Vec<&ExamStudent> = all.iter().collect();
    for subject in ["数学", "总分", "英语"] {
        let html = page(
            &app,
            "analyst",
            &format!("/exams/{}?subject={}", e.midterm, enc(subject)),
        )
        .await;
        // Headline: the district.
        let (marks, full) = midterm_marks(&all_refs, subject);
        let h = hand(&marks, full);
        // 总分: a student absent in one subject sat the exam but is left out of the 总分
        // statistics (统计人数).
        let sat = if subject == "总分" {
            all.len()
        } else {
            h.sat
        };
        assert_eq!(
            attr_text(&html, "data-stat", "sat"),
            format!("{sat} / {}", h.enrolled),
            "{subject}"
        );
        assert_eq!(
            attr_text(&html, "data-stat", "n"),
            h.n.to_string(),
            "{subject}"
        );
        assert_eq!(
            attr_text(&html, "data-stat", "mean"),
            two(h.mean),
            "{subject}"
        );
        assert_eq!(
            attr_text(&html, "data-stat", "excellent_rate"),
            pct(h.excellent)
        );
        assert_eq!(attr_text(&html, "data-stat", "pass_rate"), pct(h.pass));
        assert_eq!(attr_text(&html, "data-stat", "low_rate"), pct(h.low));
        // The lines are said in points: 80 %, 70 %, 60 % and 40 % of full marks.
        let line = |f: f64| format!("{}", f * full / 100.0);
        assert!(
            attr_text(&html, "data-note", "lines").starts_with(&format!(
                "优秀 ≥ {} 分、良好 ≥ {} 分、及格 ≥ {} 分、低分 < {} 分（满分 {full}）；缺考学生不计入",
                line(80.0),
                line(70.0),
                line(60.0),
                line(40.0)
            )),
            "{subject}: {}",
            attr_text(&html, "data-note", "lines")
        );
        if subject != "总分" {
            assert_eq!(
                attr_text(&html, "data-stat", "participation_rate"),
                pct(h.sat as f64 / h.enrolled as f64)
            );
        }

        // Every school, ranked by mean, with the gaps to the best school and the district.
        let t = table(&html, "schools");
        assert_eq!(t[0][0], "排名");
        let mut means: Vec<(f64, &str)> = SCHOOL_NAMES
            .iter()
            .map(|(code, name)| {
                let s: Vec<&ExamStudent> = all.iter().filter(|s| school_of(s) == *code).collect();
                let (m, f) = midterm_marks(&s, subject);
                (hand(&m, f).mean, *name)
            })
            .collect();
        means.sort_by(|a, b| b.0.total_cmp(&a.0));
        let rows: Vec<&str> = t.iter().skip(1).map(|r| r[1].as_str()).collect();
        assert_eq!(
            rows,
            means.iter().map(|m| m.1).collect::<Vec<_>>(),
            "ordered by rank"
        );
        for (rank, (mean, name)) in means.iter().enumerate() {
            let code = SCHOOL_NAMES.iter().find(|s| s.1 == *name).unwrap().0;
            let s: Vec<&ExamStudent> = all.iter().filter(|s| school_of(s) == code).collect();
            let (m, f) = midterm_marks(&s, subject);
            let want = hand(&m, f);
            let row = row_of(&t, 1, name);
            assert_eq!(row["排名"], (rank + 1).to_string(), "{subject} {name}");
            assert_eq!(row["平均分"], two(*mean));
            assert_eq!(row["优秀率"], pct(want.excellent), "{subject} {name}");
            assert_eq!(row["及格率"], pct(want.pass));
            assert_eq!(row["低分率"], pct(want.low));
            assert_eq!(row["统计人数"], want.n.to_string());
            assert_eq!(row["与最高差"], two(mean - means[0].0));
            assert_eq!(row["与全区差"], two(mean - h.mean));
            assert_eq!(row["城乡"], if code == "S003" { "农村" } else { "城区" });
        }
        // The composite is the store's (standardised across schools); the page formats it.
        let units = app
            .store
            .exam_unit_stats(
                &Scope::District,
                ExamId(e.midterm),
                wuyu_store::ExamUnitFilter::Schools,
            )
            .await
            .unwrap();
        for u in &units {
            let s = u.subjects.iter().find(|s| s.subject == subject).unwrap();
            assert_eq!(
                row_of(&t, 1, &u.unit.name)["综合指数"],
                two(s.composite.unwrap())
            );
        }

        // 城区 (S001 + S004) against 农村 (S003).
        let groups = table(&html, "groups");
        let urban: Vec<&ExamStudent> = all.iter().filter(|s| school_of(s) != "S003").collect();
        let (m, f) = midterm_marks(&urban, subject);
        assert_eq!(row_of(&groups, 0, "城区")["平均分"], two(hand(&m, f).mean));
        assert!(row_of(&groups, 0, "初中").contains_key("优秀率"));
        assert!(row_of(&groups, 0, "九年一贯制").contains_key("优秀率"));
    }

    // The subjects table of the district: one row per subject and 总分.
    let html = page(&app, "analyst", &format!("/exams/{}", e.midterm)).await;
    let t = table(&html, "subjects");
    for (subject, full) in x::SUBJECTS {
        let (m, f) = midterm_marks(&all_refs, subject);
        let row = row_of(&t, 0, subject);
        assert_eq!(row["满分"], format!("{full:.1}"));
        assert_eq!(row["平均分"], two(hand(&m, f).mean));
        assert_eq!(row["缺考"], if subject == "语文" { "0" } else { "1" });
    }
    // One distribution chart per subject and 总分, each with the district's counts.
    let hist = chart(&html, "chart-hist-1");
    let counts: u64 = hist["series"][0]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(hist["xAxis"]["data"].as_array().unwrap().len(), 10);
    assert!(counts > 0);
    for i in 0..4 {
        assert!(html.contains(&format!("data-chart=\"chart-hist-{i}\"")));
    }
    // A school drills down to its class comparison.
    let a = app.ids.school_a;
    assert!(html.contains(&format!("/exams/{}?school={a}&#38;subject=", e.midterm)));
}

#[tokio::test]
async fn the_caterpillar_plot_has_one_point_per_school_with_its_interval() {
    let app = TestApp::with_exams().await;
    let e = &app.ids.exams;
    let html = page(&app, "analyst", &format!("/exams/{}", e.midterm)).await;
    let va = app
        .store
        .exam_value_added(
            &Scope::District,
            ExamId(e.midterm),
            "总分",
            ExamUnitKind::School,
            None,
        )
        .await
        .unwrap();
    assert!(html.contains(&va.model_label), "the model is named");
    let c = chart(&html, "chart-va");
    let names: Vec<&str> = c["xAxis"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let points = c["series"][0]["data"].as_array().unwrap();
    let bars = c["series"][1]["data"].as_array().unwrap();
    assert_eq!(c["series"][1]["wuyu"], "errorbar");
    assert_eq!((names.len(), points.len(), bars.len()), (3, 3, 3));
    // Sorted by the EB estimate, each point inside its interval, equal to the store's numbers.
    let mut want: Vec<(f64, f64, f64, String)> = va
        .groups
        .iter()
        .zip(&va.units)
        .map(|(g, u)| {
            (
                g.shrunken.unwrap(),
                g.ci_low.unwrap(),
                g.ci_high.unwrap(),
                u.name.clone(),
            )
        })
        .collect();
    want.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (i, (est, lo, hi, name)) in want.iter().enumerate() {
        assert_eq!(names[i], name);
        let p = points[i].as_f64().unwrap();
        assert_eq!(p, round_half_away(*est, 3));
        assert_eq!(bars[i][0].as_u64(), Some(i as u64));
        let (l, h) = (bars[i][1].as_f64().unwrap(), bars[i][2].as_f64().unwrap());
        assert_eq!((l, h), (round_half_away(*lo, 3), round_half_away(*hi, 3)));
        assert!(l <= p && p <= h);
    }
    // The fixture's true value added orders 城北 > 第一实验 > 河西.
    assert_eq!(names, ["城北学校", "第一实验中学", "河西中学"]);
    let t = table(&html, "va");
    assert_eq!(t[0][0], "增值排名");
    assert_eq!(row_of(&t, 1, "城北学校")["增值排名"], "1");
    assert_eq!(
        row_of(&t, 1, "城北学校")["增值（经验贝叶斯）"],
        three(want[0].0)
    );
    assert!(!html.contains("学校间无可检测差异"));
}

#[tokio::test]
async fn schools_without_detectable_differences_are_not_ranked_by_value_added() {
    let app = TestApp::with_exams().await;
    let e = &app.ids.exams;
    // A re-test whose marks are the baseline plus noise that is the same in every class: no
    // school adds more than another.
    let exam = app
        .store
        .create_exam(&x::new_exam(
            "七年级复测",
            wuyu_domain::ExamLevel::District,
            Some(ExamId(e.baseline)),
        ))
        .await
        .unwrap();
    let noise = [
        6.0, -4.0, 2.0, -6.0, 4.0, -2.0, 5.0, -5.0, 3.0, -3.0, 1.0, -1.0,
    ];
    app.store
        .import_exam_scores(
            &x::score_batch(exam, &["数学"], |s| {
                let b = x::score(x::baseline(s)[1]).unwrap();
                vec![Some(SubjectMark::Score(b + noise[s.k]))]
            }),
            &wuyu_store::ImportMeta {
                username: "t".into(),
                file_name: "retest.xlsx".into(),
                file_sha256: "3".repeat(64),
                at: 0,
            },
        )
        .await
        .unwrap();
    let va = app
        .store
        .exam_value_added(&Scope::District, exam, "数学", ExamUnitKind::School, None)
        .await
        .unwrap();
    assert_eq!(va.rankable, Some(false), "{va:?}");
    let html = page(
        &app,
        "analyst",
        &format!("/exams/{exam}?subject={}", enc("数学")),
    )
    .await;
    assert!(html.contains("学校间无可检测差异，不排名"));
    let t = table(&html, "va");
    assert!(!t[0].contains(&"增值排名".to_string()), "{:?}", t[0]);
    let api = api(
        &app,
        "analyst",
        &format!("/api/v1/exams/{exam}/value-added?subject={}", enc("数学")),
    )
    .await;
    assert_eq!(api["rankable"], false);
    assert!(
        api["units"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u.get("rank").is_none())
    );
}

// --- ranks -----------------------------------------------------------------------------------

#[tokio::test]
async fn ranks_follow_the_role_and_the_district_setting() {
    let app = TestApp::with_exams().await;
    let e = &app.ids.exams;
    let (a, c71) = (app.ids.school_a, app.ids.class_a7_1);
    let overview = format!("/exams/{}", e.midterm);
    let class = format!("/exams/{}/schools/{a}/classes/{c71}", e.midterm);
    let units = format!("/api/v1/exams/{}/units?filter=schools", e.midterm);
    let students = format!(
        "/api/v1/exams/{}/students?school={a}&class={c71}",
        e.midterm
    );
    let has_rank = |v: &Value| {
        v["units"].as_array().unwrap().iter().any(|u| {
            u["subjects"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s.get("rank").is_some())
        })
    };
    let has_student_rank = |v: &Value| {
        v["students"].as_array().unwrap().iter().any(|s| {
            s["marks"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m.get("district_rank").is_some())
        })
    };

    // By default no role sees a student's rank (the plans forbid 考试排名), in a page or the
    // JSON; ranks of schools and classes stay for the roles granted them.
    for who in ["district", "analyst", "school-a", "teacher-a"] {
        assert!(!page(&app, who, &class).await.contains("排名"), "{who}");
        assert!(!has_student_rank(&api(&app, who, &students).await), "{who}");
    }
    assert_eq!(
        table(&page(&app, "analyst", &overview).await, "schools")[0][0],
        "排名"
    );
    assert!(has_rank(&api(&app, "analyst", &units).await));

    // The district turns students' ranks on for internal roles.
    app.store
        .set_setting("show_student_ranks", "true")
        .await
        .unwrap();
    // District analyst: school ranks, class ranks, student ranks.
    assert!(
        table(&page(&app, "analyst", &class).await, "students")[0]
            .contains(&"总分全区排名".to_string())
    );
    assert!(has_student_rank(&api(&app, "analyst", &students).await));
    // School admin: ranks within the grade.
    let html = page(&app, "school-a", &overview).await;
    assert_eq!(table(&html, "classes")[0][0], "年级内排名");
    assert_eq!(table(&html, "va")[0][0], "增值排名");
    // Teacher: no rank anywhere, in the page or the JSON.
    let html = page(&app, "teacher-a", &overview).await;
    assert_eq!(table(&html, "classes")[0][0], "班级");
    assert!(!html.contains("排名"));
    assert!(!page(&app, "teacher-a", &class).await.contains("排名"));
    let v = api(&app, "teacher-a", &units).await;
    assert_eq!(v["ranks_shown"], false);
    assert!(!has_rank(&v));
    assert!(!has_student_rank(&api(&app, "teacher-a", &students).await));

    // The district hides ranks: nobody sees them, and the schools keep the store's order.
    app.store.set_setting("hide_ranks", "true").await.unwrap();
    let html = page(&app, "analyst", &overview).await;
    assert!(!html.contains("排名"), "no rank on the district page");
    let order: Vec<String> = table(&html, "schools")
        .iter()
        .skip(1)
        .map(|r| r[0].clone())
        .collect();
    assert_eq!(order, ["第一实验中学", "河西中学", "城北学校"]);
    assert!(!page(&app, "school-a", &overview).await.contains("排名"));
    assert!(!page(&app, "analyst", &class).await.contains("排名"));
    let v = api(&app, "analyst", &units).await;
    assert!(!has_rank(&v) && v["ranks_shown"] == false);
    assert!(!has_student_rank(&api(&app, "analyst", &students).await));
    let va = api(
        &app,
        "analyst",
        &format!("/api/v1/exams/{}/value-added", e.midterm),
    )
    .await;
    assert!(
        va["units"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u.get("rank").is_none())
    );
}

// --- a school's view -------------------------------------------------------------------------

#[tokio::test]
async fn a_school_sees_its_classes_against_the_grade_with_their_teachers() {
    let app = TestApp::with_exams().await;
    let e = &app.ids.exams;
    let (a, c71, c72) = (app.ids.school_a, app.ids.class_a7_1, app.ids.class_a7_2);
    let path = format!("/exams/{}?subject={}", e.midterm, enc("语文"));
    let html = page(&app, "school-a", &path).await;
    let class_marks = |c: usize| {
        let s = students_where(|s| s.class == c);
        let r: Vec<&ExamStudent> = s.iter().collect();
        hand(&midterm_marks(&r, "语文").0, 120.0)
    };
    let school = {
        let s = students_where(|s| s.class < 2);
        let r: Vec<&ExamStudent> = s.iter().collect();
        hand(&midterm_marks(&r, "语文").0, 120.0)
    };
    let t = table(&html, "classes");
    for (c, label) in [(0, "1班"), (1, "2班")] {
        let h = class_marks(c);
        let row = row_of(&t, 1, label);
        assert_eq!(row["平均分"], two(h.mean));
        assert_eq!(row["优秀率"], pct(h.excellent));
        assert_eq!(row["及格率"], pct(h.pass));
        let diff = round_half_away(h.mean, 2) - round_half_away(school.mean, 2);
        assert_eq!(row["与年级差"], two(diff));
    }
    assert_eq!(row_of(&t, 1, "1班")["任课教师"], "孙老师");
    assert_eq!(row_of(&t, 1, "本校年级平均")["平均分"], two(school.mean));
    assert_eq!(attr_text(&html, "data-stat", "mean"), two(school.mean));
    // Ranks within the grade: 1班 has the higher 语文 mean.
    assert_eq!(row_of(&t, 1, "1班")["年级内排名"], "1");
    // Both classes link to their student lists for the school admin.
    for c in [c71, c72] {
        assert!(html.contains(&format!(
            "/exams/{}/schools/{a}/classes/{c}?subject=",
            e.midterm
        )));
    }
    // The teacher of 1班 sees the same comparison, a link to their class only.
    let html = page(&app, "teacher-a", &path).await;
    let t = table(&html, "classes");
    assert_eq!(row_of(&t, 0, "2班")["平均分"], two(class_marks(1).mean));
    assert!(html.contains(&format!(
        "/exams/{}/schools/{a}/classes/{c71}?subject=",
        e.midterm
    )));
    assert!(!html.contains(&format!("/classes/{c72}?subject=")));
    // Class value-added of the school's classes.
    let c = chart(&html, "chart-va");
    assert_eq!(c["xAxis"]["data"].as_array().unwrap().len(), 2);
    // A district role drills down to the same table; a school admin cannot name another school.
    let html = page(
        &app,
        "analyst",
        &format!("/exams/{}?school={a}&subject={}", e.midterm, enc("语文")),
    )
    .await;
    assert!(html.contains("返回全区"));
    assert_eq!(
        row_of(&table(&html, "classes"), 1, "1班")["平均分"],
        two(class_marks(0).mean)
    );
    assert_eq!(
        get_as(
            &app,
            "school-a",
            &format!("/exams/{}?school={}", e.midterm, e.school_c)
        )
        .await
        .0,
        403
    );
    // An unknown subject is a bad request; a school that did not sit the exam is refused.
    assert_eq!(
        get_as(&app, "school-a", &format!("/exams/{}?subject=x", e.midterm))
            .await
            .0,
        400
    );
    assert_eq!(
        get_as(&app, "teacher-b", &format!("/exams/{}", e.midterm))
            .await
            .0,
        403
    );
}

// --- the class view --------------------------------------------------------------------------
