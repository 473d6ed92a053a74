//! 目标任务 (/plan): the district admin sees every target with the district's verdict and its
//! schools' tally, and one target's schools furthest behind first; a school admin sees their
//! own school only; a teacher is refused; the API twin answers the same lines.
use wuyu_service::Service;
use wuyu_service::file::UploadedFile;
use wuyu_service::import::ImportActor;
use wuyu_service::plan::import_plan;

use crate::exams::table;
use crate::support::{TestApp, body_json, body_text, get};

const PLAN: &str = "indicator,unit,target_2024,target_2025,comparator,scope\n\
    总体近视率,% of screened students,,20,<=,district and per school\n\
    市级文明校园,schools,,25,>=,district\n\
    创成省劳动特色学校,schools,2,4,>=,district\n";

async fn app() -> TestApp {
    let app = TestApp::new().await;
    let svc = Service::new(app.store.clone());
    let file = UploadedFile::new("plan.csv", PLAN.as_bytes().to_vec());
    let out = import_plan(&svc, &ImportActor::Operator("t".into()), &file)
        .await
        .unwrap();
    assert!(out.imported().is_some());
    app
}

async fn page(app: &TestApp, who: &str, path: &str) -> (u16, String) {
    let s = app.login(who).await;
    let resp = app.send(get(path).cookie(&s.cookie).build()).await;
    (resp.status().as_u16(), body_text(resp).await)
}

fn cell(t: &[Vec<String>], row_label: &str, col: &str) -> String {
    let c = t[0].iter().position(|h| h == col).expect(col);
    let r = t
        .iter()
        .find(|r| r.iter().any(|x| x == row_label))
        .unwrap_or_else(|| panic!("{row_label} in {t:?}"));
    r[c].clone()
}

#[tokio::test]
async fn the_district_sees_every_target_and_which_schools_are_behind() {
    let app = app().await;
    let (status, html) = page(&app, "district", "/plan?year=2025").await;
    assert_eq!(status, 200);
    assert!(html.contains("目标任务"));
    let t = table(&html, "plan");
    // 近视率: the district (1 of 6 screened) meets ≤ 20 %, school A (1 of 4) misses it.
    assert_eq!(cell(&t, "总体近视率", "全区"), "16.7%");
    assert_eq!(cell(&t, "总体近视率", "全区结论"), "已达标");
    assert_eq!(cell(&t, "总体近视率", "达标学校"), "1");
    assert_eq!(cell(&t, "总体近视率", "未达标学校"), "1");
    assert_eq!(cell(&t, "市级文明校园", "全区结论"), "待填报");
    // Filtered by 育: only the labour target.
    let (_, html) = page(&app, "district", "/plan?year=2025&domain=labor").await;
    let t = table(&html, "plan");
    assert_eq!(t.len(), 2, "{t:?}");
    assert_eq!(t[1][0], "创成省劳动特色学校");

    // One target: school A first (5 points behind).
    let s = app.login("district").await;
    let resp = app
        .send(get("/api/v1/plan?year=2025").cookie(&s.cookie).build())
        .await;
    assert_eq!(resp.status(), 200);
    let json = body_json(resp).await;
    let key = json["lines"][0]["key"].as_str().unwrap().to_string();
    assert_eq!(json["lines"][1]["unit_label"], "第一实验中学");
    assert_eq!(json["lines"][1]["verdict"], "not_met");
    assert_eq!(json["lines"][1]["value"], 25.0);
    let (status, html) = page(&app, "district", &format!("/plan/targets/{key}?year=2025")).await;
    assert_eq!(status, 200);
    let t = table(&html, "plan-units");
    assert_eq!(t[1][0], "第一实验中学");
    assert_eq!(t[1][3], "未达标");
    assert_eq!(t[1][5], "-5 个百分点");

    // The charts: the district's value against the target in each plan year (2024 has no
    // target and no data: gaps), and every unit against the target.
    let trend = chart(&html, "chart-trend");
    assert_eq!(
        trend["xAxis"]["data"],
        serde_json::json!(["2024年", "2025年"])
    );
    assert_eq!(trend["series"][0]["data"], serde_json::json!([null, 16.7]));
    assert_eq!(trend["series"][1]["data"], serde_json::json!([null, 20.0]));
    let units = chart(&html, "chart-units");
    let labels = units["yAxis"]["data"].as_array().unwrap();
    let a = labels.iter().position(|l| l == "第一实验中学").unwrap();
    assert_eq!(units["series"][0]["data"][a], 25.0);
    assert_eq!(units["series"][0]["markLine"]["data"][0]["xAxis"], 20.0);
}

/// The ECharts options a page declares in `<script type="application/json" id="ID">`.
fn chart(html: &str, id: &str) -> serde_json::Value {
    let open = format!("<script type=\"application/json\" id=\"{id}\">");
    let start = html.find(&open).unwrap_or_else(|| panic!("no {id}")) + open.len();
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).unwrap()
}

#[tokio::test]
async fn a_school_admin_sees_only_their_school_and_a_teacher_is_refused() {
    let app = app().await;
    let (status, html) = page(&app, "school-a", "/plan?year=2025").await;
    assert_eq!(status, 200);
    let t = table(&html, "plan");
    assert_eq!(t.len(), 2, "one target reaches school A: {t:?}");
    assert_eq!(cell(&t, "总体近视率", "本校"), "25.0%");
    assert_eq!(cell(&t, "总体近视率", "结论"), "未达标");
    assert!(!html.contains("柳林小学") && !html.contains("16.7%"));
    let s = app.login("school-a").await;
    let json = body_json(
        app.send(get("/api/v1/plan?year=2025").cookie(&s.cookie).build())
            .await,
    )
    .await;
    let units: Vec<&str> = json["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["unit_label"].as_str().unwrap())
        .collect();
    assert_eq!(units, vec!["第一实验中学"]);

    let (status, html) = page(&app, "teacher-a", "/plan").await;
    assert_eq!(status, 403);
    assert!(html.contains("无权访问"));
    // Nor is the page in a teacher's navigation (it is in the school admin's).
    let own = format!("/schools/{}", app.ids.school_a);
    let (status, html) = page(&app, "teacher-a", &own).await;
    assert_eq!(status, 200);
    assert!(!html.contains("href=\"/plan\""));
    assert!(
        page(&app, "school-a", &own)
            .await
            .1
            .contains("href=\"/plan\"")
    );
}

/// 月度调度: the first opening of /plan (or a home page) in a month records the month; the progress page shows
/// it per target, the bulletin downloads as XLSX for district roles only.
#[tokio::test]
async fn the_months_progress_is_recorded_and_the_bulletin_downloads() {
    use calamine::{Data, Reader, Xlsx};

    let app = app().await;
    let s = app.login("district").await;
    let resp = app
        .send(get("/plan/progress").cookie(&s.cookie).build())
        .await;
    assert_eq!(resp.status(), 200);
    let html = body_text(resp).await;
    // Signing in opened the home page, which recorded this month.
    assert!(!html.contains("还没有月度记录"), "{html}");
    assert!(
        html.contains("href=\"/plan/progress\""),
        "in the navigation"
    );

    assert_eq!(page(&app, "school-a", "/plan").await.0, 200);
    let (_, html) = page(&app, "district", "/plan/progress").await;
    let t = table(&html, "plan-progress");
    assert_eq!(t[0].len(), 4, "指标, 单位, 目标 and this month: {t:?}");
    assert_eq!(cell(&t, "总体近视率", "目标"), "≤ 20%");
    let month = t[0][3].clone();
    assert_eq!(cell(&t, "总体近视率", &month), "16.7% 已达标");
    assert_eq!(cell(&t, "市级文明校园", &month), "— 待填报");
    // The school admin's own line only.
    let (_, html) = page(&app, "school-a", "/plan/progress").await;
    let t = table(&html, "plan-progress");
    assert_eq!(cell(&t, "总体近视率", &month), "25.0% 未达标");
    assert!(!html.contains("16.7%") && !html.contains("data-form=\"bulletin\""));

    let s = app.login("analyst").await;
    let resp = app
        .send(
            get("/plan/bulletin?quarter=2025Q2&format=xlsx")
                .cookie(&s.cookie)
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("bulletin-2025Q2.xlsx")
    );
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    let mut wb = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let sheet = wb.worksheet_range("落后学校").unwrap();
    assert_eq!(
        sheet.get_value((1, 0)),
        Some(&Data::String("第一实验中学".into()))
    );
    assert_eq!(
        page(
            &app,
            "school-a",
            "/plan/bulletin?quarter=2025Q2&format=xlsx"
        )
        .await
        .0,
        403
    );

    // The PDF, when this build writes PDFs (the `wuyu` binary's default): the page offers it and
    // the school behind reads on the line of its number.
    let (_, html) = page(&app, "district", "/plan/progress").await;
    assert_eq!(
        html.contains("<option value=\"pdf\">"),
        wuyu_service::bulletin::PDF_AVAILABLE
    );
    let resp = app
        .send(
            get("/plan/bulletin?quarter=2025Q2&format=pdf")
                .cookie(&s.cookie)
                .build(),
        )
        .await;
    if wuyu_service::bulletin::PDF_AVAILABLE {
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.headers()["content-type"], "application/pdf");
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap();
        let lines = wuyu_testkit::pdf_lines(&bytes);
        assert!(
            lines.iter().any(|l| l.starts_with("第一实验中学25.0%")),
            "{lines:?}"
        );
    } else {
        assert_eq!(resp.status(), 400);
    }
}

/// The text of the home page's tile of one 育.
fn tile(html: &str, domain: &str) -> String {
    let start = html
        .find(&format!("data-domain=\"{domain}\""))
        .unwrap_or_else(|| panic!("no {domain} tile: {html}"));
    let end = start + html[start..].find("</a>").unwrap();
    html[start..end].to_string()
}

/// The home pages open with the 五育 tiles (from this month's snapshot): the district's own
/// lines on /, with the schools that miss the most; a school's lines on its page; nothing for a
/// teacher.
#[tokio::test]
async fn the_home_pages_show_each_yu_against_its_targets() {
    let app = app().await;
    let (status, html) = page(&app, "district", "/").await;
    assert_eq!(status, 200);
    // Read from this month's snapshot, which the first visit records, and said so.
    assert!(html.contains("调度快照（"), "{html}");
    // 近视率: the district's 16.7 % meets ≤ 20 %; the labour target awaits its report.
    let physical = tile(&html, "physical");
    assert!(
        physical.contains("已达标 1") && physical.contains("未达标 0"),
        "{physical}"
    );
    assert!(tile(&html, "labor").contains("待填报/待审核 1"));
    let t = table(&html, "glance-laggards");
    assert_eq!(t.len(), 2, "only school A misses a target: {t:?}");
    assert_eq!(
        t[1],
        vec!["第一实验中学", "1 / 1", "总体近视率"]
            .into_iter()
            .map(String::from)
            .collect::<Vec<_>>()
    );

    // School A's own page: its 25.0 % misses the target, named on the tile.
    let own = format!("/schools/{}", app.ids.school_a);
    let (_, html) = page(&app, "school-a", &own).await;
    let physical = tile(&html, "physical");
    assert!(
        physical.contains("未达标 1") && physical.contains("未达标：总体近视率"),
        "{physical}"
    );
    assert!(html.contains("五育目标一览") && html.contains("本校"));
    assert!(!html.contains("data-table=\"glance-laggards\""));
    // The district opening school A sees the same tile, as 该校.
    let (_, html) = page(&app, "district", &own).await;
    assert!(tile(&html, "physical").contains("未达标 1"));
    assert!(html.contains("该校"));
    // A teacher's school page has no tiles (the plan is not theirs).
    let (_, html) = page(&app, "teacher-a", &own).await;
    assert!(html.contains("班级") && !html.contains("data-section=\"glance\""));
}
