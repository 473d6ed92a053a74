//! 满意度调查 in the browser: the district starts a round, a school admin issues one-time
//! codes, a parent answers on the phone page without an account (every question required,
//! one answer per code, unknown codes refused), and the results page, API and XLSX show the
//! school only once it has the minimum of 30 parents.
use std::io::Cursor;

use axum::body::to_bytes;
use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use wuyu_analytics::satisfaction::Answer;
use wuyu_domain::{SURVEY_TEMPLATES, SchoolId, Scope};

use crate::support::{TestApp, body_json, body_text, get, location, post};

/// The district starts the parents' round; returns its id.
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

async fn codes(app: &TestApp, q: i64, school: i64) -> Vec<String> {
    app.store
        .survey_codes(&Scope::District, q, SchoolId(school))
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.code)
        .collect()
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

/// Every question answered with `point` (1–5).
fn all_answered(items: usize, point: u8) -> String {
    (0..items)
        .map(|i| format!("q{i}={point}"))
        .collect::<Vec<_>>()
        .join("&")
}

#[tokio::test]
async fn a_parent_answers_once_with_a_code_and_nothing_half_written() {
    let app = TestApp::new().await;
    let q = start_parents_round(&app).await;
    let items = SURVEY_TEMPLATES[0].items.len();

    // The school admin issues three codes for their school and gets the sheet.
    let s = app.login("school-a").await;
    let resp = app
        .send(
            post(&format!("/surveys/{q}/codes"))
                .cookie(&s.cookie)
                .form(&format!("csrf_token={}&count=3", s.csrf))
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 303);
    let sheet = location(&resp);
    let html = body_text(app.send(get(&sheet).cookie(&s.cookie).build()).await).await;
    let issued = codes(&app, q, app.ids.school_a).await;
    assert_eq!(issued.len(), 3);
    for c in &issued {
        assert!(html.contains(c.as_str()), "sheet lists {c}");
    }
    assert!(html.contains("未使用 3 个"), "{html}");

    // No account: the code (typed in lower case) opens the form.
    let code = &issued[0];
    let resp = app
        .send(get(&format!("/s?code={}", code.to_lowercase())).build())
        .await;
    assert_eq!(resp.status(), 303);
    let form_path = location(&resp);
    assert_eq!(form_path, format!("/s/{code}"));
    let html = body_text(app.send(get(&form_path).build()).await).await;
    assert!(html.contains("家长满意度调查") && html.contains("非常不满意"));
    assert_eq!(html.matches("type=\"radio\"").count(), items * 6);

    // A missing answer shows the form again, the given answer kept, nothing stored.
    let resp = app.send(post(&form_path).form("q0=4&q2=5").build()).await;
    assert_eq!(resp.status(), 200);
    let html = body_text(resp).await;
    assert!(
        html.contains(&format!("还有 {} 道题没有作答", items - 2)),
        "{html}"
    );
    assert!(html.contains("第 2 题、第 4 题"), "{html}");
    assert!(html.contains("value=\"4\" checked"));
    assert_eq!(responses(&app, q).await, 0);

    // An answer outside the options is no answer either.
    let resp = app
        .send(post(&form_path).form(&all_answered(items, 7)).build())
        .await;
    assert!(
        body_text(resp)
            .await
            .contains(&format!("还有 {items} 道题没有作答"))
    );
    assert_eq!(responses(&app, q).await, 0);

    let resp = app
        .send(post(&form_path).form(&all_answered(items, 5)).build())
        .await;
    assert_eq!(resp.status(), 200);
    assert!(body_text(resp).await.contains("提交成功"));
    assert_eq!(responses(&app, q).await, 1);

    // The same code again: refused, in Chinese, and nothing more is stored.
    for resp in [
        app.send(post(&form_path).form(&all_answered(items, 1)).build())
            .await,
        app.send(get(&form_path).build()).await,
    ] {
        assert_eq!(resp.status(), 409);
        assert!(body_text(resp).await.contains("此答题码已经使用过"));
    }
    assert_eq!(responses(&app, q).await, 1);

    // An unknown code, and a forged cross-site post with a good code.
    let resp = app.send(get("/s/NOSUCHCODE2").build()).await;
    assert_eq!(resp.status(), 404);
    assert!(body_text(resp).await.contains("答题码不存在"));
    let resp = app
        .send(
            post(&format!("/s/{}", issued[1]))
                .header("origin", "https://evil.example")
                .form(&all_answered(items, 1))
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 403);
    assert_eq!(responses(&app, q).await, 1);
    let html = body_text(app.send(get(&sheet).cookie(&s.cookie).build()).await).await;
    assert!(html.contains("未使用 2 个"), "{html}");
}

#[tokio::test]
async fn guessing_codes_is_stopped_per_address() {
    let app = TestApp::new().await;
    let mut last = 0;
    for i in 0..40 {
        let resp = app
            .send(
                get(&format!("/s/GUESS{i:05}"))
                    .peer("10.1.2.3:4000")
                    .build(),
            )
            .await;
        last = resp.status().as_u16();
        if last == 429 {
            assert!(body_text(resp).await.contains("输错次数过多"));
            break;
        }
    }
    assert_eq!(last, 429, "40 wrong codes from one address");
    // Another address is not affected.
    let resp = app
        .send(get("/s/GUESS99999").peer("10.9.9.9:4000").build())
        .await;
    assert_eq!(resp.status(), 404);
}

/// Issues a code per entry of `answers` to `school` (codes tagged `batch`) and answers each
/// through the store: the entry for the overall item, 4 elsewhere.
async fn answer_many(app: &TestApp, q: i64, school: i64, batch: &str, answers: &[u8]) {
    let items = SURVEY_TEMPLATES[0].items.len();
    let codes: Vec<String> = (0..answers.len())
        .map(|i| format!("T{school}{batch}{i:04}"))
        .collect();
    app.store
        .issue_survey_codes(q, SchoolId(school), None, None, &codes, 10)
        .await
        .unwrap();
    for (code, overall) in codes.iter().zip(answers) {
        let mut a = vec![Answer::Point(4); items];
        a[items - 1] = Answer::Point(*overall);
        app.store.submit_survey_code(code, &a, 20).await.unwrap();
    }
}

#[tokio::test]
async fn results_suppress_small_schools_and_agree_across_page_api_and_xlsx() {
    let app = TestApp::new().await;
    let q = start_parents_round(&app).await;
    let (a, b) = (app.ids.school_a, app.ids.school_b);
    // School A: 29 parents, 20 of them satisfied overall; school B: 4.
    let mut answers_a = vec![5u8; 20];
    answers_a.extend([2u8; 9]);
    answer_many(&app, q, a, "X", &answers_a).await;
    answer_many(&app, q, b, "X", &[5, 5, 5, 5]).await;

    let d = app.login("district").await;
    let api = |cookie: String| {
        let app = &app;
        async move {
            body_json(
                app.send(
                    get(&format!("/api/v1/surveys/{q}/results"))
                        .cookie(&cookie)
                        .build(),
                )
                .await,
            )
            .await
        }
    };
    let unit = |v: &serde_json::Value, id: i64| -> serde_json::Value {
        v["units"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["school_id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("school {id} in {v}"))
    };
    let overall = |u: &serde_json::Value| u["items"].as_array().unwrap().last().cloned().unwrap();

    let v = api(d.cookie.clone()).await;
    assert_eq!(v["min_n"], 30);
    // 29 answers: not reported; 4: never.
    for id in [a, b] {
        let o = overall(&unit(&v, id));
        assert_eq!(o["suppressed"], true);
        assert!(o["top2_rate"].is_null());
    }
    // The district pools 33: reported, (20 + 4) satisfied of 33.
    let district = &v["units"][0];
    assert_eq!(district["kind"], "district");
    assert_eq!(district["responses"], 33);
    let rate = overall(district)["top2_rate"].as_f64().unwrap();
    assert!((rate - 24.0 / 33.0).abs() < 1e-9, "{rate}");
    let html = body_text(
        app.send(get(&format!("/surveys/{q}")).cookie(&d.cookie).build())
            .await,
    )
    .await;
    assert!(html.contains("样本不足，不报告"));
    assert!(
        html.contains(&format!("{:.1}%", 24.0 / 33.0 * 100.0)),
        "{html}"
    );

    // The 30th parent of A, dissatisfied: A is reported now, 20 of 30.
    answer_many(&app, q, a, "Y", &[1]).await;
    let v = api(d.cookie.clone()).await;
    let ua = unit(&v, a);
    assert_eq!(ua["responses"], 30);
    assert_eq!(ua["codes_issued"], 30);
    assert_eq!(ua["response_rate"], 1.0);
    let o = overall(&ua);
    assert_eq!(o["suppressed"], false);
    let top2 = o["top2_rate"].as_f64().unwrap();
    assert!((top2 - 20.0 / 30.0).abs() < 1e-9, "{top2}");
    assert_eq!(overall(&unit(&v, b))["suppressed"], true);

    // The school admin sees their own school only; parents and teachers see nothing.
    let s = app.login("school-a").await;
    let mine = api(s.cookie.clone()).await;
    let ids: Vec<i64> = mine["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["school_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [a]);
    for who in ["parent-a", "teacher-a"] {
        let c = app.login(who).await;
        let resp = app
            .send(
                get(&format!("/api/v1/surveys/{q}/results"))
                    .cookie(&c.cookie)
                    .build(),
            )
            .await;
        assert_eq!(resp.status(), 403, "{who}");
    }

    // The XLSX holds the API's numbers: A's overall rate, B's empty cell.
    let resp = app
        .send(
            get(&format!("/surveys/{q}/export.xlsx"))
                .cookie(&d.cookie)
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let bytes = to_bytes(resp.into_body(), usize::MAX).await.unwrap();
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let range = wb.worksheet_range("单位").expect("the 单位 sheet");
    let rows: Vec<Vec<Data>> = range.rows().map(<[Data]>::to_vec).collect();
    let col = rows[1]
        .iter()
        .position(|c| matches!(c, Data::String(s) if s == "总体满意率"))
        .expect("总体满意率 column");
    let row_of = |name: &str| {
        rows.iter()
            .find(|r| matches!(&r[0], Data::String(s) if s == name))
            .unwrap_or_else(|| panic!("{name}"))
    };
    let name_a = ua["name"].as_str().unwrap();
    let name_b = unit(&v, b)["name"].as_str().unwrap().to_string();
    match &row_of(name_a)[col] {
        Data::Float(x) => assert!((x - top2).abs() < 1e-12),
        other => panic!("{other:?}"),
    }
    assert!(matches!(row_of(&name_b).get(col), None | Some(Data::Empty)));
}
