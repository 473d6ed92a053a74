//! The school page's 质量趋势: each exam's 总分 三率一分 and value-added as the exam pages
//! compute them (read here from the store with the same scope), and each school year pooled
//! over its exams; for the school's administrators and the district, not for teachers.
use std::collections::BTreeMap;

use super::*;
use wuyu_store::ExamUnitFilter;

#[tokio::test]
async fn the_school_page_shows_the_trend_by_year_and_exam() {
    let app = TestApp::with_exams().await;
    let a = app.ids.school_a;
    let html = page(&app, "school-a", &format!("/schools/{a}")).await;
    let exams = table(&html, "trend-exams");
    let years = table(&html, "trend-years");

    // Expected, exam by exam, from the store (the numbers the exam pages show).
    let scope = Scope::School {
        school_id: SchoolId(a),
    };
    let mut pooled: BTreeMap<i32, (usize, usize, usize, usize)> = BTreeMap::new();
    let mut with_va = 0;
    for e in app.store.list_exams(&scope).await.unwrap() {
        let stats = app
            .store
            .exam_unit_stats(&scope, e.exam.id, ExamUnitFilter::Schools)
            .await
            .unwrap();
        let total = stats[0]
            .subjects
            .iter()
            .find(|s| s.subject == "总分")
            .unwrap();
        let r = &total.rates;
        let row = row_of(&exams, 0, &e.exam.name);
        assert_eq!(
            row["优秀率"],
            pct(r.excellent_rate.unwrap()),
            "{}",
            e.exam.name
        );
        assert_eq!(row["及格率"], pct(r.pass_rate.unwrap()));
        assert_eq!(row["低分率"], pct(r.low_rate.unwrap()));
        assert_eq!(row["平均分"], two(r.mean.unwrap()));
        let va = app
            .store
            .exam_value_added(&scope, e.exam.id, "总分", ExamUnitKind::School, None)
            .await
            .ok()
            .and_then(|v| v.groups.first().and_then(|g| g.shrunken));
        match va {
            Some(v) => {
                with_va += 1;
                assert_eq!(row["增值"].trim_start_matches('+'), two(v));
            }
            None => assert_eq!(row["增值"], "—"),
        }
        let y = pooled
            .entry(i32::from(e.exam.term.school_year))
            .or_default();
        y.0 += r.n;
        y.1 += r.excellent_count;
        y.2 += r.pass_count;
        y.3 += r.low_count;
    }
    assert!(with_va > 0, "the midterm has a baseline");
    assert_eq!(years.len() - 1, pooled.len());
    for (year, (n, ex, pass, low)) in pooled {
        let row = row_of(&years, 0, &format!("{year}–{}学年", year + 1));
        assert_eq!(row["统计人次"], n.to_string());
        assert_eq!(row["优秀率"], pct(ex as f64 / n as f64));
        assert_eq!(row["及格率"], pct(pass as f64 / n as f64));
        assert_eq!(row["低分率"], pct(low as f64 / n as f64));
    }

    // The district sees it too; a teacher's page has no trend.
    assert!(
        page(&app, "analyst", &format!("/schools/{a}"))
            .await
            .contains("质量趋势")
    );
    assert!(
        !page(&app, "teacher-a", &format!("/schools/{a}"))
            .await
            .contains("质量趋势")
    );
}
