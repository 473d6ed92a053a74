//! Anonymous survey links: a school admin makes a link for the school and one per class, the
//! printed page carries each link's address and QR code; parents answer without an account,
//! once per device and a bounded number per address; unknown links and closed rounds store
//! nothing; the results show each class, a class under the minimum not reported.
use wuyu_domain::{ClassId, SURVEY_TEMPLATES, SchoolId, Scope};

use crate::support::{TestApp, body_json, body_text, get, location, post};

async fn start_parents_round(app: &TestApp) -> i64 {
    let d = app.login("district").await;
    let resp = app
        .send(
            post("/surveys")
                .cookie(&d.cookie)
                .form(&format!("csrf_token={}&template=parents", d.csrf))
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 303);
    app.store.list_questionnaires().await.unwrap()[0].id
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

fn all_answered(items: usize, point: u8) -> String {
    (0..items)
        .map(|i| format!("q{i}={point}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// One parent on their own phone and network: `n` tells the address apart.
async fn answer(app: &TestApp, path: &str, n: u32, form: &str) -> axum::response::Response {
    let peer = format!("10.1.{}.{}:40000", n / 200, n % 200 + 1);
    app.send(post(path).peer(&peer).form(form).build()).await
}

#[tokio::test]
async fn parents_answer_through_class_links_and_each_class_is_reported_above_the_minimum() {
    let app = TestApp::new().await;
    let q = start_parents_round(&app).await;
    let items = SURVEY_TEMPLATES[0].items.len();
    let (a, a71, a72) = (app.ids.school_a, app.ids.class_a7_1, app.ids.class_a7_2);

    // The school admin makes a link for the school and one for each of two classes.
    let s = app.login("school-a").await;
    for class in [String::new(), a71.to_string(), a72.to_string()] {
        let resp = app
            .send(
                post(&format!("/surveys/{q}/links"))
                    .cookie(&s.cookie)
                    .form(&format!("csrf_token={}&class_id={class}", s.csrf))
                    .build(),
            )
            .await;
        assert_eq!(resp.status(), 303);
        assert_eq!(location(&resp), format!("/surveys/{q}/links?school={a}"));
    }
    // Not for another school's class.
    let resp = app
        .send(
            post(&format!("/surveys/{q}/links"))
                .cookie(&s.cookie)
                .form(&format!(
                    "csrf_token={}&class_id={}",
                    s.csrf, app.ids.class_b1_1
                ))
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 404);
    let links = app
        .store
        .survey_links(&Scope::District, q, SchoolId(a))
        .await
        .unwrap();
    assert_eq!(links.len(), 3);
    let token = |class: Option<i64>| -> String {
        links
            .iter()
            .find(|(_, c)| *c == class.map(ClassId))
            .unwrap()
            .0
            .clone()
    };
    let (whole, t71, t72) = (token(None), token(Some(a71)), token(Some(a72)));

    // The printed page: every link's full address and a QR code for it.
    let html = body_text(
        app.send(
            get(&format!("/surveys/{q}/links?school={a}"))
                .cookie(&s.cookie)
                .header("host", "wuyu.test:8080")
                .build(),
        )
        .await,
    )
    .await;
    for t in [&whole, &t71, &t72] {
        assert!(
            html.contains(&format!("http://wuyu.test:8080/s/l/{t}")),
            "{html}"
        );
    }
    assert_eq!(html.matches("<svg").count(), 3, "{html}");
    assert!(
        html.contains("七年级1班") && html.contains("全校"),
        "{html}"
    );
    // A host header that is not a host name is not printed into a code.
    let html = body_text(
        app.send(
            get(&format!("/surveys/{q}/links?school={a}"))
                .cookie(&s.cookie)
                .header("host", "evil\"><script>")
                .build(),
        )
        .await,
    )
    .await;
    assert_eq!(html.matches("<svg").count(), 0);
    assert!(!html.contains("evil") && html.contains(&format!("<code>/s/l/{t71}</code>")));

    // A parent opens the class's link on a phone: the class is named, no account asked.
    let path71 = format!("/s/l/{t71}");
    let html = body_text(app.send(get(&path71).peer("10.9.0.1:1").build()).await).await;
    assert!(
        html.contains("七年级1班") && html.contains("非常不满意"),
        "{html}"
    );
    assert!(html.contains(&format!("action=\"{path71}\"")), "{html}");

    // 31 parents of 七年级1班 (24 satisfied), 12 of 七年级2班, each on their own phone.
    for n in 0..31 {
        let point = if n < 24 { 4 } else { 2 };
        let resp = answer(&app, &path71, n, &all_answered(items, point)).await;
        assert_eq!(resp.status(), 200);
        assert!(body_text(resp).await.contains("提交成功"));
    }
    for n in 100..112 {
        let resp = answer(&app, &format!("/s/l/{t72}"), n, &all_answered(items, 5)).await;
        assert_eq!(resp.status(), 200);
    }
    assert_eq!(responses(&app, q).await, 43);

    // The same phone again: the device cookie refuses it, nothing stored.
    let resp = answer(&app, &path71, 500, &all_answered(items, 5)).await;
    let cookie = resp
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert!(cookie.starts_with("wuyu_answered_"), "{cookie}");
    assert_eq!(responses(&app, q).await, 44);
    let again = app
        .send(
            post(&path71)
                .peer("10.1.9.9:1")
                .header("cookie", &cookie)
                .form(&all_answered(items, 1))
                .build(),
        )
        .await;
    assert_eq!(again.status(), 409);
    assert!(body_text(again).await.contains("已经提交过"));
    assert_eq!(responses(&app, q).await, 44);

    // A flood from one address through the school's link: stopped at the limit.
    let whole_path = format!("/s/l/{whole}");
    let mut stored = 0;
    let mut refused = 0;
    for _ in 0..25 {
        let resp = app
            .send(
                post(&whole_path)
                    .peer("10.66.0.1:1")
                    .form(&all_answered(items, 3))
                    .build(),
            )
            .await;
        match resp.status().as_u16() {
            200 => stored += 1,
            429 => {
                assert!(body_text(resp).await.contains("提交的答卷过多"));
                refused += 1;
            }
            other => panic!("flood answered {other}"),
        }
    }
    assert_eq!((stored, refused), (20, 5));
    assert_eq!(responses(&app, q).await, 64);

    // An unknown link: 404, nothing stored.
    let resp = answer(&app, "/s/l/NOSUCHLINK99", 900, &all_answered(items, 5)).await;
    assert_eq!(resp.status(), 404);
    assert!(body_text(resp).await.contains("链接无效"));
    assert_eq!(responses(&app, q).await, 64);

    // Results: 七年级1班 (32 parents) is reported, 七年级2班 (12) is not; the school's 20
    // answers outside any class blur the small class, so nothing else is hidden.
    let v = body_json(
        app.send(
            get(&format!("/api/v1/surveys/{q}/results"))
                .cookie(&s.cookie)
                .build(),
        )
        .await,
    )
    .await;
    let class = |id: i64| -> serde_json::Value {
        v["units"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["kind"] == "class" && u["class_id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("class {id} in {v}"))
    };
    let overall = |u: &serde_json::Value| u["items"].as_array().unwrap().last().cloned().unwrap();
    let c71 = class(a71);
    assert_eq!(c71["responses"], 32);
    let o = overall(&c71);
    assert_eq!(o["suppressed"], false);
    let rate = o["top2_rate"].as_f64().unwrap();
    assert!((rate - 25.0 / 32.0).abs() < 1e-9, "{rate}");
    let c72 = class(a72);
    assert_eq!(c72["responses"], 12);
    assert_eq!(overall(&c72)["suppressed"], true);
    assert!(overall(&c72)["top2_rate"].is_null());
    let html = body_text(
        app.send(get(&format!("/surveys/{q}")).cookie(&s.cookie).build())
            .await,
    )
    .await;
    assert!(
        html.contains("七年级2班 <span class=\"muted\">（样本不足，不报告）"),
        "{html}"
    );

    // Closed: the link no longer answers.
    let d = app.login("district").await;
    let resp = app
        .send(
            post(&format!("/surveys/{q}/close"))
                .cookie(&d.cookie)
                .form(&format!("csrf_token={}", d.csrf))
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 303);
    let resp = answer(&app, &path71, 901, &all_answered(items, 5)).await;
    assert_eq!(resp.status(), 409);
    assert!(body_text(resp).await.contains("问卷已结束"));
    assert_eq!(responses(&app, q).await, 64);
}
