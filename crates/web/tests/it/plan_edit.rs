//! 编辑目标 over HTTP: the district admin opens a target's form from its page, a rate of 130
//! is refused with the reason and the typed values kept, a valid change is saved and the
//! target page judges against it; other roles are refused.
use wuyu_service::Service;
use wuyu_service::file::UploadedFile;
use wuyu_service::import::ImportActor;
use wuyu_service::plan::import_plan;

use crate::exams::table;
use crate::support::{TestApp, body_text, get, location, post};

const PLAN: &str = "indicator,unit,target_2025,comparator,scope\n\
    总体近视率,% of screened students,20,<=,district and per school\n";

#[tokio::test]
async fn the_district_admin_edits_a_target_and_the_verdicts_follow() {
    let app = TestApp::new().await;
    let svc = Service::new(app.store.clone());
    let file = UploadedFile::new("plan.csv", PLAN.as_bytes().to_vec());
    import_plan(&svc, &ImportActor::Operator("t".into()), &file)
        .await
        .unwrap();
    let key = wuyu_service::plan::plan(&svc).await.unwrap().indicators[0]
        .key
        .clone();
    let d = app.login("district").await;
    let target_page = format!("/plan/targets/{key}?year=2025");
    let edit = format!("/plan/targets/{key}/edit");

    let html = body_text(app.send(get(&target_page).cookie(&d.cookie).build()).await).await;
    assert!(html.contains(&format!("href=\"{edit}\"")), "an edit link");
    let resp = app.send(get(&edit).cookie(&d.cookie).build()).await;
    assert_eq!(resp.status(), 200);
    assert!(body_text(resp).await.contains("value=\"20\""));

    let save = |t: &str| {
        post(&edit)
            .cookie(&d.cookie)
            .form(&format!(
                "csrf_token={}&unit=%25+of+screened+students&scope=district+and+per+school&target_2025={t}",
                d.csrf
            ))
            .build()
    };
    let resp = app.send(save("130")).await;
    assert_eq!(resp.status(), 400);
    let html = body_text(resp).await;
    assert!(html.contains("2025 年目标“130”"), "{html}");
    assert!(html.contains("value=\"130\""), "the typed value is kept");

    // Tightened to 10 %: the district (16.7 %) now misses it; school B (0 %) still meets it.
    let resp = app.send(save("10")).await;
    assert_eq!(
        (resp.status().as_u16(), location(&resp)),
        (303, format!("/plan/targets/{key}"))
    );
    let html = body_text(app.send(get(&target_page).cookie(&d.cookie).build()).await).await;
    let t = table(&html, "plan-units");
    let verdict = |unit: &str| t.iter().find(|r| r[0] == unit).unwrap()[3].clone();
    assert_eq!(verdict("全区"), "未达标");
    assert_eq!(verdict("柳林小学"), "已达标");

    // Others: no link, no form.
    let a = app.login("analyst").await;
    let html = body_text(app.send(get(&target_page).cookie(&a.cookie).build()).await).await;
    assert!(!html.contains("编辑目标"));
    assert_eq!(
        app.send(get(&edit).cookie(&a.cookie).build())
            .await
            .status(),
        403
    );
}
