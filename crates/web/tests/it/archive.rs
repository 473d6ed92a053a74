//! 综合素质档案 pages: a parent reads their child's archive (approved records in their domain,
//! pending ones only counted, no ranks); the district sees schools' coverage, a school admin
//! its classes'.
use time::macros::date;
use wuyu_domain::{ActivityCategory, ClassId, SchoolId, StudentId, Tenths, Term, TermPart, Viewer};
use wuyu_service::Service;
use wuyu_service::archive::{ActivityInput, class_archive, record_activity, review};
use wuyu_service::audit::Requester;
use wuyu_store::archive::Review;

use crate::support::{TestApp, body_text, get};

async fn viewer(svc: &Service, username: &str) -> (Viewer, Requester) {
    let user = svc
        .store()
        .user_credentials(username)
        .await
        .unwrap()
        .unwrap()
        .user;
    let scope = wuyu_service::accounts::scope_for(svc, &user).await.unwrap();
    let who = Requester::user(&user, "127.0.0.1");
    (Viewer::new(user, scope), who)
}

async fn page(app: &TestApp, who: &str, path: &str) -> (u16, String) {
    let s = app.login(who).await;
    let resp = app.send(get(path).cookie(&s.cookie).build()).await;
    (resp.status().as_u16(), body_text(resp).await)
}

#[tokio::test]
async fn the_parent_sees_the_archive_and_the_district_the_coverage() {
    let app = TestApp::new().await;
    let svc = Service::new(app.store.clone());
    let ids = app.ids.clone();
    let a = SchoolId(ids.school_a);
    let term = Term::new(2025, TermPart::Autumn).unwrap();
    let (school, who) = viewer(&svc, "school-a").await;
    let choir = ActivityInput {
        category: ActivityCategory::Art,
        term,
        date: date!(2025 - 11 - 20),
        end_date: None,
        hours: Tenths(25),
        travel: Tenths(0),
        organiser: "音乐组".into(),
        description: "班级合唱比赛".into(),
    };
    record_activity(&svc, &school, &who, a, &[StudentId(ids.child)], &choir)
        .await
        .unwrap();
    let mut tour = choir.clone();
    tour.category = ActivityCategory::StudyTour;
    tour.description = "博物馆研学".into();
    record_activity(&svc, &school, &who, a, &[StudentId(ids.child)], &tour)
        .await
        .unwrap();
    let choir_id = class_archive(&svc, &school, a, ClassId(ids.class_a7_1), term)
        .await
        .unwrap()
        .records
        .iter()
        .find(|r| r.description == "班级合唱比赛")
        .unwrap()
        .id;
    review(&svc, &school, &who, a, &[choir_id], &Review::Approve)
        .await
        .unwrap();

    let path = format!("/schools/{}/students/{}/archive", ids.school_a, ids.child);
    let (status, html) = page(&app, "parent-a", &path).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("艺术素养") && html.contains("班级合唱比赛"),
        "{html}"
    );
    assert!(
        !html.contains("博物馆研学"),
        "a record awaiting review is not listed"
    );
    assert!(html.contains("另有 1 条待班主任审核"), "{html}");
    assert!(
        !html.contains("名次") && !html.contains("百分等级"),
        "no rank is shown"
    );

    // School A has five enrolled students; one has an approved art record.
    let (status, html) = page(&app, "district", "/archive/coverage?term=2025-autumn").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("第一实验中学") && html.contains("20.0%"),
        "{html}"
    );
    let (status, html) = page(&app, "school-a", "/archive/coverage").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("七年级1班") && html.contains("50.0%"),
        "{html}"
    );
}
