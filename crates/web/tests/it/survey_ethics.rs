//! 师德评价 in the browser: the district starts a parents' 师德 round, the school admin issues
//! codes for every teacher of the school from the code sheet (each slip names its teacher),
//! a parent's form says whom it is about, and the per-teacher results page shows a teacher
//! with 30 parents and only n for one with fewer — to the school's admin, not to a teacher.
use wuyu_domain::{SchoolId, Scope};

use crate::support::{TestApp, body_json, body_text, get, location, post};

#[tokio::test]
async fn a_parent_rates_a_named_teacher_and_the_school_reads_per_teacher() {
    let app = TestApp::new().await;
    let d = app.login("district").await;
    let resp = app
        .send(
            post("/surveys")
                .cookie(&d.cookie)
                .form(&format!("csrf_token={}&template=ethics_parents", d.csrf))
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 303);
    let q = app.store.list_questionnaires().await.unwrap()[0].id;
    let a = app.ids.school_a;

    // The list sends the school admin to the per-teacher code sheet; no public link form.
    let s = app.login("school-a").await;
    let html = body_text(app.send(get("/surveys").cookie(&s.cookie).build()).await).await;
    assert!(html.contains("答题码（按教师发放）"), "{html}");
    let sheet = format!("/surveys/{q}/codes?school={a}");
    let html = body_text(app.send(get(&sheet).cookie(&s.cookie).build()).await).await;
    assert!(
        html.contains("被评价教师") && html.contains("孙老师（T01）"),
        "{html}"
    );

    // 30 codes for every teacher of the school at once.
    let resp = app
        .send(
            post(&format!("/surveys/{q}/codes"))
                .cookie(&s.cookie)
                .form(&format!(
                    "csrf_token={}&school_id={a}&teacher_id=all&count=30",
                    s.csrf
                ))
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 303);
    assert_eq!(location(&resp), sheet);
    let codes = app
        .store
        .survey_codes(&Scope::District, q, SchoolId(a))
        .await
        .unwrap();
    assert_eq!(codes.len(), 60, "two teachers × 30");
    let html = body_text(app.send(get(&sheet).cookie(&s.cookie).build()).await).await;
    assert_eq!(html.matches("钱老师（T02）</td>").count(), 30);

    // T01's 30 parents answer, each form naming the teacher; T02 gets 12.
    let t01 = app
        .store
        .teacher_by_staff_no(SchoolId(a), "T01")
        .await
        .unwrap()
        .unwrap();
    let answers = (0..6)
        .map(|i| format!("q{i}=5"))
        .collect::<Vec<_>>()
        .join("&");
    let (mut n01, mut n02) = (0, 0);
    for c in &codes {
        let mine = c.teacher_id == Some(t01);
        if !mine && n02 == 12 {
            continue;
        }
        let form = format!("/s/{}", c.code);
        if mine && n01 == 0 {
            let html = body_text(app.send(get(&form).build()).await).await;
            assert!(html.contains("评价对象：<strong>孙老师</strong>"), "{html}");
        }
        let resp = app.send(post(&form).form(&answers).build()).await;
        assert_eq!(resp.status(), 200);
        if mine { n01 += 1 } else { n02 += 1 }
    }
    assert_eq!((n01, n02), (30, 12));

    let page = format!("/surveys/{q}/teachers");
    let html = body_text(app.send(get(&page).cookie(&s.cookie).build()).await).await;
    assert!(html.contains("孙老师") && html.contains("100.0"), "{html}");
    assert!(
        html.contains("钱老师</a> <span class=\"muted\">（样本不足，不报告）"),
        "{html}"
    );
    let json = body_json(
        app.send(
            get(&format!("/api/v1/surveys/{q}/teachers?teacher={}", t01.0))
                .cookie(&s.cookie)
                .build(),
        )
        .await,
    )
    .await;
    assert_eq!(json["teachers"][0]["n"], 30);
    assert_eq!(json["teachers"][0]["index"], 100.0);
    let json = body_json(
        app.send(
            get(&format!("/api/v1/surveys/{q}/teachers"))
                .cookie(&s.cookie)
                .build(),
        )
        .await,
    )
    .await;
    let t02 = &json["teachers"][1];
    assert_eq!(
        (t02["n"].as_u64(), t02["suppressed"].as_bool()),
        (Some(12), Some(true))
    );
    assert!(t02["index"].is_null() && t02["top2_rate"].is_null());

    // The school's appraisal draft of the round's year takes T01's parent score from the
    // round (T01 left it blank); the page says where it came from. T02's 12 parents are too
    // few: no parent score, the weights re-normalised.
    let year =
        wuyu_service::survey::school_year_at(app.store.questionnaire(q).await.unwrap().created_at);
    let svc = wuyu_service::Service::new(std::sync::Arc::clone(&app.store));
    let user = app
        .store
        .user_credentials("school-a")
        .await
        .unwrap()
        .unwrap()
        .user;
    let scope = wuyu_service::accounts::scope_for(&svc, &user)
        .await
        .unwrap();
    let who = wuyu_service::audit::Requester::user(&user, "127.0.0.1");
    let csv = "学校,工号,考核得分,组织评价得分,同事互评,家长学生评价,工作量\n\
               S001,T01,,88,90;85;70;92;88,,\nS001,T02,,90,80;90;100;72,,\n";
    wuyu_service::staff::import_appraisal(
        &svc,
        &wuyu_domain::Viewer::new(user, scope),
        &who,
        SchoolId(a),
        year,
        csv.as_bytes(),
        "考核.csv",
    )
    .await
    .unwrap();
    let html = body_text(
        app.send(
            get(&format!("/staff/appraisal/{a}/{year}"))
                .cookie(&s.cookie)
                .build(),
        )
        .await,
    )
    .await;
    assert_eq!(html.matches("师德评价问卷（30 人）").count(), 1, "{html}");
    assert!(html.contains("缺少家长学生评价"), "{html}");

    // A teacher may not read colleagues' (or their own) 师德 results.
    let t = app.login("teacher-a").await;
    let resp = app.send(get(&page).cookie(&t.cookie).build()).await;
    assert_eq!(resp.status(), 403);
}
