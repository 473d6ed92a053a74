//! Choice and short-text items on the phone form: the 课后服务 round's 参加项目 (multiple
//! choice) and 意见和建议 (short text) render as checkboxes and a textarea with a counter; an
//! option that is not the item's, a text past its limit or a missing required item is refused
//! in Chinese with nothing stored; the results page shows each option's share (summing past
//! 100 %, as it says); free text only for the school's admin, and the read is audited.
use wuyu_domain::{AFTER_SCHOOL_ACTIVITIES, SchoolId, Scope};

use crate::support::{TestApp, body_json, body_text, get, post};

/// The after-school round's 5-point items (q0–q5), the projects (q6) and the text (q7).
const LIKERT: usize = 6;

fn likert_part() -> String {
    (0..LIKERT)
        .map(|i| format!("q{i}=4"))
        .collect::<Vec<_>>()
        .join("&")
}

async fn answer(app: &TestApp, token: &str, n: u32, form: &str) -> axum::response::Response {
    let peer = format!("10.2.{}.{}:40000", n / 200, n % 200 + 1);
    app.send(
        post(&format!("/s/l/{token}"))
            .peer(&peer)
            .form(form)
            .build(),
    )
    .await
}

async fn responses(app: &TestApp, q: i64) -> usize {
    app.store
        .survey_answers(&Scope::District, q)
        .await
        .unwrap()
        .iter()
        .map(|s| s.responses())
        .sum()
}

#[tokio::test]
async fn parents_tick_projects_and_write_suggestions_and_only_admins_read_them() {
    let app = TestApp::new().await;
    let d = app.login("district").await;
    let resp = app
        .send(
            post("/surveys")
                .cookie(&d.cookie)
                .form(&format!("csrf_token={}&template=after_school", d.csrf))
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 303);
    let q = app.store.list_questionnaires().await.unwrap()[0].id;
    let s = app.login("school-a").await;
    let resp = app
        .send(
            post(&format!("/surveys/{q}/links"))
                .cookie(&s.cookie)
                .form(&format!("csrf_token={}&class_id=", s.csrf))
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 303);
    let token = app
        .store
        .survey_links(&Scope::District, q, SchoolId(app.ids.school_a))
        .await
        .unwrap()[0]
        .0
        .clone();

    // The phone form: checkboxes for the projects, a textarea with its counter.
    let html = body_text(app.send(get(&format!("/s/l/{token}")).build()).await).await;
    assert!(html.contains("您的孩子参加了哪些课后服务项目"), "{html}");
    assert!(html.contains("可多选"), "{html}");
    assert_eq!(
        html.matches(r#"type="checkbox" name="q6""#).count(),
        AFTER_SCHOOL_ACTIVITIES.len(),
        "{html}"
    );
    assert!(
        html.contains(r#"<textarea class="survey-text" name="q7" rows="4" maxlength="200""#),
        "{html}"
    );
    assert!(
        html.contains("0 / 200 字") && html.contains("选填"),
        "{html}"
    );
    assert!(html.contains("/assets/survey.js"), "{html}");

    // Refused, nothing stored: an option the item does not have, a text past 200 characters.
    let base = likert_part();
    let resp = answer(&app, &token, 1, &format!("{base}&q6=0&q6=9")).await;
    assert_eq!(resp.status(), 409);
    let m = body_text(resp).await;
    assert!(
        m.contains("第 7 题") && m.contains("不在该题的 7 个选项之中"),
        "{m}"
    );
    let long = "好".repeat(201);
    let resp = answer(&app, &token, 2, &format!("{base}&q6=0&q7={long}")).await;
    assert_eq!(resp.status(), 409);
    assert!(body_text(resp).await.contains("最多 200 字，现在是 201 字"));
    // The required projects item left out: the form comes back with it marked.
    let resp = answer(&app, &token, 3, &format!("{base}&q7=")).await;
    let m = body_text(resp).await;
    assert!(m.contains("还有 1 道题没有作答：第 7 题"), "{m}");
    assert_eq!(responses(&app, q).await, 0);

    // 30 parents (the minimum): all tick 作业辅导, 12 also 体育锻炼; two write a suggestion.
    for i in 0..30u32 {
        let mut form = format!("{base}&q6=0");
        if i < 12 {
            form.push_str("&q6=1");
        }
        if i < 2 {
            form.push_str(&format!("&q7=建议{i}：多一些户外活动"));
        }
        let resp = answer(&app, &token, 100 + i, &form).await;
        assert_eq!(resp.status(), 200, "{}", body_text(resp).await);
    }
    assert_eq!(responses(&app, q).await, 30);

    let html = body_text(
        app.send(get(&format!("/surveys/{q}")).cookie(&d.cookie).build())
            .await,
    )
    .await;
    assert!(html.contains("各项占比之和可超过 100%"), "{html}");
    assert!(
        html.contains(
            "<tr><td>作业辅导与答疑</td><td class=\"num\">30</td><td class=\"num\">100.0%</td></tr>"
        ),
        "{html}"
    );
    assert!(
        html.contains(
            "<tr><td>体育锻炼</td><td class=\"num\">12</td><td class=\"num\">40.0%</td></tr>"
        ),
        "{html}"
    );
    assert!(html.contains("意见和建议（文字回答）"), "{html}");
    // The API gives the same: n = 30, 体育锻炼 12 of 30 as a fraction; no text in it.
    let json = body_json(
        app.send(
            get(&format!("/api/v1/surveys/{q}/results"))
                .cookie(&d.cookie)
                .build(),
        )
        .await,
    )
    .await;
    let c = &json["units"][0]["choices"][0];
    assert_eq!(c["code"], "F1");
    assert_eq!(c["multiple"], true);
    assert_eq!(c["n"], 30);
    assert_eq!(c["options"][1]["count"], 12);
    assert_eq!(c["options"][1]["share"], 0.4);
    assert!(!json.to_string().contains("建议0"));

    // Free text: a teacher is refused; the school's admin reads them, and that is audited.
    let t = app.login("teacher-a").await;
    let resp = app
        .send(
            get(&format!("/surveys/{q}/texts"))
                .cookie(&t.cookie)
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 403);
    let p = app.login("parent-a").await;
    let resp = app
        .send(
            get(&format!("/surveys/{q}/texts"))
                .cookie(&p.cookie)
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 403);
    let html = body_text(
        app.send(
            get(&format!("/surveys/{q}/texts"))
                .cookie(&s.cookie)
                .build(),
        )
        .await,
    )
    .await;
    assert!(
        html.contains("建议0：多一些户外活动") && html.contains("建议1"),
        "{html}"
    );
    let log = app.store.list_audit(50).await.unwrap();
    assert!(
        log.iter().any(|e| e.entry.action == "read_survey_texts"
            && e.entry.username == "school-a"
            && e.entry.entity == format!("survey_text:{q}")),
        "{log:?}"
    );
    assert!(!log.iter().any(|e| e.entry.action == "read_survey_texts"
        && (e.entry.username == "teacher-a" || e.entry.username == "parent-a")));
}

/// 自建问卷: the district builds a questionnaire from rows — a reverse-keyed 5-point item in a
/// 维度, a multiple choice with a pick limit, a short text — and it is published with those
/// kinds; a parent's phone form shows them. A bad row comes back filled in with the reason;
/// a school admin or teacher cannot build one.
#[tokio::test]
async fn the_district_builds_a_questionnaire_from_rows() {
    let app = TestApp::new().await;
    let d = app.login("district").await;
    let html = body_text(
        app.send(get("/surveys/new").cookie(&d.cookie).build())
            .await,
    )
    .await;
    assert!(html.contains("name=\"text_12\""), "twelve rows");
    let build = |body: String| {
        let (app, d) = (&app, &d);
        async move {
            app.send(
                post("/surveys/new")
                    .cookie(&d.cookie)
                    .form(&format!("csrf_token={}&{body}", d.csrf))
                    .build(),
            )
            .await
        }
    };
    // Row 2: a single choice with one option — refused, the form keeps what was typed.
    let resp = build(
        "title=食堂问卷&audience=parents&text_1=饭菜质量&kind_1=likert&text_2=每周在校吃几次&kind_2=single&options_2=五次"
            .into(),
    )
    .await;
    assert_eq!(resp.status(), 422);
    let html = body_text(resp).await;
    assert!(
        html.contains("第 2 题“每周在校吃几次”应有 2–20 个选项，现在有 1 个"),
        "{html}"
    );
    assert!(html.contains("value=\"食堂问卷\"") && html.contains("value=\"五次\""));
    assert!(app.store.list_questionnaires().await.unwrap().is_empty());

    let resp = build(
        "title=食堂问卷&audience=parents\
         &text_1=饭菜质量&kind_1=likert&scale_1=食堂&required_1=on\
         &text_2=饭菜太咸&kind_2=likert&scale_2=食堂&reverse_2=on&unknown_2=on&required_2=on\
         &text_3=孩子常吃哪些窗口&kind_3=multiple&options_3=面食、米饭，清真&limit_3=2\
         &text_4=意见和建议&kind_4=text&limit_4=100&kind_5=likert"
            .into(),
    )
    .await;
    assert_eq!(resp.status(), 303);
    let q = &app.store.list_questionnaires().await.unwrap()[0];
    assert_eq!(q.title, "食堂问卷");
    assert_eq!(q.status, wuyu_domain::QuestionnaireStatus::Published);
    assert_eq!(q.items.len(), 4, "the blank fifth row is skipped");
    assert!(q.items[1].reverse && q.items[1].allow_unknown);
    assert_eq!(q.items[1].scale.as_deref(), Some("食堂"));
    assert_eq!(
        q.items[2].kind,
        wuyu_domain::ItemKind::Multiple {
            options: vec!["面食".into(), "米饭".into(), "清真".into()],
            max_picks: Some(2)
        }
    );
    assert_eq!(
        q.items[3].kind,
        wuyu_domain::ItemKind::Text { max_chars: 100 }
    );

    // A parent's phone form shows the kinds.
    let s = app.login("school-a").await;
    let resp = app
        .send(
            post(&format!("/surveys/{}/links", q.id))
                .cookie(&s.cookie)
                .form(&format!("csrf_token={}&class_id=", s.csrf))
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 303);
    let token = app
        .store
        .survey_links(&Scope::District, q.id, SchoolId(app.ids.school_a))
        .await
        .unwrap()[0]
        .0
        .clone();
    let html = body_text(app.send(get(&format!("/s/l/{token}")).build()).await).await;
    assert_eq!(
        html.matches(r#"type="checkbox" name="q2""#).count(),
        3,
        "{html}"
    );
    assert!(html.contains("0 / 100 字"), "{html}");

    // Only the district builds.
    for who in ["school-a", "teacher-a"] {
        let u = app.login(who).await;
        let resp = app
            .send(
                post("/surveys/new")
                    .cookie(&u.cookie)
                    .form(&format!(
                        "csrf_token={}&title=x&audience=parents&text_1=x",
                        u.csrf
                    ))
                    .build(),
            )
            .await;
        assert_eq!(resp.status(), 403, "{who}");
    }
}
