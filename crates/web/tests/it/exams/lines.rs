//! An exam's own score lines: shown to everyone who sees the exam, set by the district admin in
//! the browser (the rates recompute at once, the change is audited), refused to others and when
//! out of order, and restored to the district's.
use super::*;

/// 数学's district 优秀率 at a line of `line` (fraction of full marks 100), by hand from the
/// fixture's marks: students with a mark at or above the line over students with a mark.
fn math_excellent(line: f64) -> String {
    let i = x::subject_index("数学");
    let marks: Vec<f64> = x::students()
        .iter()
        .filter_map(|s| x::score(x::midterm(s)[i]))
        .collect();
    let above = marks.iter().filter(|m| **m >= line * 100.0).count();
    pct(above as f64 / marks.len() as f64)
}

#[tokio::test]
async fn the_district_admin_sets_an_exams_lines_and_the_rates_follow() {
    let app = TestApp::with_exams().await;
    let m = app.ids.exams.midterm;
    let lines = format!("/exams/{m}/lines");
    let math = format!("/exams/{m}?subject={}", enc("数学"));

    let html = page(&app, "district", &lines).await;
    assert!(html.contains("按区级设置"), "{html}");
    assert!(html.contains("name=\"excellent\""));
    let before = attr_text(
        &page(&app, "analyst", &math).await,
        "data-stat",
        "excellent_rate",
    );
    assert_eq!(before, math_excellent(0.80));
    // Others read the lines but get no form, and may not post one.
    let html = page(&app, "school-a", &lines).await;
    assert!(html.contains("优秀 80%") && !html.contains("name=\"excellent\""));
    for who in ["school-a", "analyst"] {
        let resp = post_form(&app, who, &lines, "excellent=50&good=&pass=40&low=20").await;
        assert_eq!(resp.status(), 403, "{who}");
    }

    // The district admin gives the exam its own lines: the rates are recomputed at once.
    let resp = post_form(
        &app,
        "district",
        &lines,
        "excellent=50&good=&pass=40&low=20",
    )
    .await;
    assert_eq!(resp.status(), 303);
    let html = page(&app, "school-a", &lines).await;
    assert!(html.contains("优秀 50%、及格 40%、低分 20%"), "{html}");
    assert!(html.contains("这是本次考试自己的分数线"));
    let after = attr_text(
        &page(&app, "analyst", &math).await,
        "data-stat",
        "excellent_rate",
    );
    assert_eq!(after, math_excellent(0.50));
    assert_ne!(after, before);
    let audit = app.store.list_audit(20).await.unwrap();
    let e = audit
        .iter()
        .find(|r| r.entry.action == "exam_lines")
        .expect("the change is audited");
    assert!(
        e.entry.detail.contains("按区级设置 → 优秀 50%"),
        "{}",
        e.entry.detail
    );

    // Lines out of order: a Chinese message, nothing changed.
    let resp = post_form(
        &app,
        "district",
        &lines,
        "excellent=40&good=&pass=60&low=20",
    )
    .await;
    assert_eq!(resp.status(), 400);
    assert!(
        body_text(resp)
            .await
            .contains("优秀线 ≥ 良好线 ≥ 及格线 ≥ 低分线")
    );
    let resp = post_form(
        &app,
        "district",
        &lines,
        "excellent=abc&good=&pass=60&low=20",
    )
    .await;
    assert_eq!(resp.status(), 400);
    assert!(body_text(resp).await.contains("优秀线“abc”不是数字"));
    assert!(page(&app, "district", &lines).await.contains("优秀 50%"));

    // Restoring the district's lines gives back the first numbers.
    let resp = post_form(&app, "district", &lines, "district=1").await;
    assert_eq!(resp.status(), 303);
    assert!(page(&app, "district", &lines).await.contains("按区级设置"));
    let restored = attr_text(
        &page(&app, "analyst", &math).await,
        "data-stat",
        "excellent_rate",
    );
    assert_eq!(restored, before);
}
