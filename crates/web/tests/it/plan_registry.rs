//! 名录 over HTTP: a school admin enters a city labour-education school with its award PDF (a
//! made-up level refused in Chinese), the district sees it in the 待审核 queue, opens the file
//! and approves it, and the plan's count of such schools turns from 未达标 to 已达标; the API
//! lists a school's own items only.
use wuyu_service::Service;
use wuyu_service::file::UploadedFile;
use wuyu_service::import::ImportActor;
use wuyu_service::plan::import_plan;

use crate::exams::table;
use crate::plan_reports::{BOUNDARY, PDF, form, multipart, page};
use crate::support::{Session, TestApp, body_json, body_text, get, location, post};

const PLAN: &str = "indicator,unit,target_2025,comparator,scope\n\
    创成市劳动特色学校,schools,1,>=,district\n";

async fn enter(app: &TestApp, s: &Session, level: &str) -> (u16, String, String) {
    let body = multipart(
        &[
            ("kind", "劳动特色学校"),
            ("level", level),
            ("title", "2024年市级劳动教育特色学校"),
            ("awarded_on", "2024-10-01"),
            ("note", "市教育局公布"),
        ],
        Some(("认定文件.pdf", PDF)),
    );
    let req = post("/plan/registry")
        .cookie(&s.cookie)
        .header("x-csrf-token", &s.csrf)
        .header(
            "content-type",
            &format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(&body);
    let resp = app.send(req.build()).await;
    let status = resp.status().as_u16();
    let loc = location(&resp);
    (status, loc, body_text(resp).await)
}

/// The district line of the target: (verdict, value).
async fn district_verdict(app: &TestApp, s: &Session, key: &str) -> (String, Option<f64>) {
    let resp = app
        .send(
            get(&format!("/api/v1/plan/targets/{key}?year=2025"))
                .cookie(&s.cookie)
                .build(),
        )
        .await;
    let j = body_json(resp).await;
    let l = &j["lines"][0];
    (
        l["verdict_zh"].as_str().unwrap().to_string(),
        l["value"].as_f64(),
    )
}

#[tokio::test]
async fn a_school_enters_an_award_and_the_approved_item_counts() {
    let app = TestApp::new().await;
    let svc = Service::new(app.store.clone());
    import_plan(
        &svc,
        &ImportActor::Operator("t".into()),
        &UploadedFile::new("plan.csv", PLAN.as_bytes().to_vec()),
    )
    .await
    .unwrap();
    let key = wuyu_service::plan::plan(&svc).await.unwrap().indicators[0]
        .key
        .clone();
    let school = app.login("school-a").await;
    let district = app.login("district").await;

    // A file over the evidence cap is refused with the page and the cap named.
    let big = "x".repeat(11 * 1024 * 1024);
    let body = multipart(&[("kind", "劳动特色学校")], Some(("大文件.pdf", &big)));
    let resp = app
        .send(
            post("/plan/registry")
                .cookie(&school.cookie)
                .header("x-csrf-token", &school.csrf)
                .header(
                    "content-type",
                    &format!("multipart/form-data; boundary={BOUNDARY}"),
                )
                .body(&body)
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 413);
    assert!(body_text(resp).await.contains("认定文件超过 10 MB 的上限"));

    // A level that does not exist is refused on the page, naming it; nothing is stored.
    let (status, _, html) = enter(&app, &school, "乡").await;
    assert_eq!(status, 400);
    assert!(html.contains("级别“乡”应为 国、省、市 或 区"), "{html}");
    let (status, loc, _) = enter(&app, &school, "市").await;
    assert_eq!((status, loc.as_str()), (303, "/plan/registry?done=added"));
    let (_, html) = page(&app, &school, "/plan/registry?done=added").await;
    assert!(html.contains("已提交，等待区里审核"));
    let t = table(&html, "registry");
    assert_eq!(t.len(), 2, "{t:?}");
    assert_eq!(t[1][1], "劳动特色学校");
    assert_eq!(t[1][5], "待审核");

    // Waiting items do not count.
    assert_eq!(
        district_verdict(&app, &district, &key).await,
        ("未达标".to_string(), Some(0.0))
    );

    // The district's queue shows it with the school's file; the file downloads as stored.
    let (_, html) = page(&app, &district, "/plan/registry").await;
    let q = table(&html, "registry-queue");
    assert_eq!(q.len(), 2, "{q:?}");
    assert_eq!(q[1][0], "第一实验中学");
    let resp = app
        .send(
            get("/plan/registry/evidence?id=1")
                .cookie(&district.cookie)
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(body_text(resp).await, PDF);
    // A teacher of another school cannot open it.
    let other = app.login("teacher-b").await;
    let resp = app
        .send(
            get("/plan/registry/evidence?id=1")
                .cookie(&other.cookie)
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 403);

    // The school may not review; the district approves and the target is met.
    let (status, _, _) = form(
        &app,
        &school,
        "/plan/registry/review",
        "id=1&decision=approve",
    )
    .await;
    assert_eq!(status, 403);
    let (status, loc, _) = form(
        &app,
        &district,
        "/plan/registry/review",
        "id=1&decision=approve",
    )
    .await;
    assert_eq!(
        (status, loc.as_str()),
        (303, "/plan/registry?done=approved")
    );
    assert_eq!(
        district_verdict(&app, &district, &key).await,
        ("已达标".to_string(), Some(1.0))
    );

    // The API: school A sees its approved item; the teacher of school B nothing.
    let mine = body_json(
        app.send(get("/api/v1/plan/registry").cookie(&school.cookie).build())
            .await,
    )
    .await;
    assert_eq!(mine.as_array().map(Vec::len), Some(1));
    assert_eq!(mine[0]["status"], "approved");
    assert_eq!(mine[0]["level"], "市");
    assert_eq!(mine[0]["reviewed_by"], "district");
    let resp = app
        .send(get("/api/v1/plan/registry").cookie(&other.cookie).build())
        .await;
    assert_eq!(resp.status(), 403);
}

/// 学校组 in the browser: the district admin ticks two schools into 两校, the page lists them,
/// and a target whose 范围 is 学校组:两校 is judged for both; an empty name is refused.
#[tokio::test]
async fn the_district_names_a_school_set_and_its_targets_follow() {
    let app = TestApp::new().await;
    let svc = Service::new(app.store.clone());
    let plan = "indicator,unit,target_2025,comparator,scope\n\
                总体近视率,% of screened students,20,<=,学校组:两校\n";
    import_plan(
        &svc,
        &ImportActor::Operator("t".into()),
        &UploadedFile::new("plan.csv", plan.as_bytes().to_vec()),
    )
    .await
    .unwrap();
    let district = app.login("district").await;
    let (a, b) = (app.ids.school_a, app.ids.school_b);
    let (status, _, html) = form(
        &app,
        &district,
        "/plan/sets",
        &format!("name=&school_{a}=on"),
    )
    .await;
    assert_eq!(status, 400);
    assert!(html.contains("学校组名称不能为空"));
    let (status, loc, _) = form(
        &app,
        &district,
        "/plan/sets",
        &format!("name=%E4%B8%A4%E6%A0%A1&school_{a}=on&school_{b}=on"),
    )
    .await;
    assert_eq!((status, loc.as_str()), (303, "/plan/sets?done=1"));
    let (_, html) = page(&app, &district, "/plan/sets?done=1").await;
    let t = table(&html, "school-sets");
    let row = t.iter().find(|r| r[0] == "两校").expect("两校 listed");
    assert_eq!(row[1], "区里设定");
    assert_eq!(row[2], "第一实验中学、柳林小学");
    let resp = app
        .send(
            get("/api/v1/plan?year=2025")
                .cookie(&district.cookie)
                .build(),
        )
        .await;
    let j = body_json(resp).await;
    let units: Vec<&str> = j["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["unit_label"].as_str().unwrap())
        .collect();
    assert_eq!(units, ["第一实验中学", "柳林小学"]);
}
