//! The fitness page against the plan's targets: the two overweight figures named by their
//! standards, every school (and 学段) marked 达标 / 未达标 on 优秀率 and 近视率 — a district that
//! meets a target overall must not hide schools that miss it — and the school table sortable
//! where ranks are shown.
use crate::exams::table;
use crate::support::{TestApp, body_text, get};

async fn page(app: &TestApp, who: &str, path: &str) -> (u16, String) {
    let s = app.login(who).await;
    let resp = app.send(get(path).cookie(&s.cookie).build()).await;
    (resp.status().as_u16(), body_text(resp).await)
}

/// Two more junior schools: 强校 (every student strong, none myopic) and 弱校 (every student
/// weak and myopic), 12 students each so both are ranked.
async fn app() -> TestApp {
    let app = TestApp::new().await;
    app.add_tested_school("S091", "强校", &[4; 12]).await;
    app.add_tested_school("S092", "弱校", &[0; 12]).await;
    app
}

/// The schools' names in the order of the school table.
fn school_order(html: &str) -> Vec<String> {
    let t = table(html, "schools");
    let col = t[0].iter().position(|h| h == "学校").expect("学校 column");
    t.iter()
        .skip(1)
        .map(|r| r[col].clone())
        .filter(|n| n == "强校" || n == "弱校")
        .collect()
}

/// A school's row as header → cell.
fn row(html: &str, id: &str, label: &str) -> std::collections::HashMap<String, String> {
    let t = table(html, id);
    let r = t
        .iter()
        .skip(1)
        .find(|r| r.iter().any(|c| c == label))
        .unwrap_or_else(|| panic!("{label} in {t:?}"));
    t[0].iter().cloned().zip(r.iter().cloned()).collect()
}

#[tokio::test]
async fn the_two_overweight_figures_are_named_by_their_standards() {
    let app = app().await;
    let (status, html) = page(&app, "district", "/fitness").await;
    assert_eq!(status, 200);
    assert!(html.contains("超重率（WS/T 586）") && html.contains("肥胖率（WS/T 586）"));
    assert!(html.contains("BMI 分类（国家学生体质健康标准）"));
    assert!(html.contains("data-note=\"bmi-standards\""));
    // No unlabelled 超重率 header is left in any table.
    for id in ["schools", "stages"] {
        let t = table(&html, id);
        assert!(!t[0].iter().any(|h| h == "超重率"), "{id}: {:?}", t[0]);
    }
}

#[tokio::test]
async fn every_school_and_stage_is_marked_against_the_targets() {
    let app = app().await;
    let (_, html) = page(&app, "district", "/fitness").await;
    let weak = row(&html, "schools", "弱校");
    assert_eq!(weak["学段"], "初中");
    assert_eq!(weak["优秀率目标（≥ 30.0%）"], "未达标", "{weak:?}");
    assert_eq!(weak["近视率"], "100.0%");
    assert_eq!(weak["近视率目标（≤ 50.0%）"], "未达标");
    let strong = row(&html, "schools", "强校");
    assert_eq!(strong["近视率"], "0.0%");
    assert_eq!(strong["近视率目标（≤ 50.0%）"], "达标");
    // The cards' summary counts the schools that miss each target.
    assert!(html.contains("data-tally"), "tally");
    let tally_start = html.find("按学校看：").unwrap();
    let tally = &html[tally_start..tally_start + html[tally_start..].find("</p>").unwrap()];
    assert!(tally.contains("所近视率高于上限"), "{tally}");

    // 学段 by grade (1–6 小学, 7–9 初中, 10–12 高中), in that order; the junior line holds
    // 弱校's 12 myopic students.
    let stages = table(&html, "stages");
    let labels: Vec<&str> = stages.iter().skip(1).map(|r| r[0].as_str()).collect();
    assert!(labels.contains(&"初中"), "{labels:?}");
    let order = ["小学", "初中", "高中"];
    let pos: Vec<usize> = labels
        .iter()
        .map(|l| order.iter().position(|o| o == l).unwrap())
        .collect();
    assert!(
        pos.windows(2).all(|w| w[0] < w[1]),
        "stage order {labels:?}"
    );
    let junior = row(&html, "stages", "初中");
    assert!(["达标", "未达标"].contains(&junior["近视率目标（≤ 50.0%）"].as_str()));

    // A school admin's grades and classes are judged the same way.
    let (_, html) = page(&app, "school-a", "/fitness").await;
    assert!(html.contains("data-verdict=\"excellent\""));
}

#[tokio::test]
async fn the_school_table_sorts_where_ranks_are_shown() {
    let app = app().await;
    let (_, html) = page(&app, "analyst", "/fitness?sort=myopia&dir=desc").await;
    assert_eq!(school_order(&html), ["弱校", "强校"]);
    assert!(html.contains("aria-sort=\"descending\""));
    let (_, html) = page(&app, "analyst", "/fitness?sort=myopia&dir=asc").await;
    assert_eq!(school_order(&html), ["强校", "弱校"]);
    let (_, html) = page(&app, "analyst", "/fitness?sort=excellent").await;
    assert_eq!(school_order(&html), ["强校", "弱校"]);
    assert!(html.contains("data-sort=\"excellent\""));
    let (status, _) = page(&app, "analyst", "/fitness?sort=nonsense").await;
    assert_eq!(status, 400);

    // With ranks hidden a rate order would give the ranking away: no rate links, no rate sort.
    app.store.set_setting("hide_ranks", "true").await.unwrap();
    let (_, plain) = page(&app, "analyst", "/fitness").await;
    let (_, sorted) = page(&app, "analyst", "/fitness?sort=myopia&dir=desc").await;
    assert_eq!(school_order(&plain), school_order(&sorted));
    assert!(!sorted.contains("data-sort=\"myopia\""));
    assert!(sorted.contains("data-sort=\"stage\""));
}
