//! 批量开通 in the browser: a school admin opens its teachers' accounts (username = 工号) and
//! prints a class's binding codes; a parent opens an account with one, adds a second child
//! with another, and switches between the two.
use crate::support::{
    Session, TestApp, body_text, get, location, login_request, post, session_cookie,
};

async fn post_form(
    app: &TestApp,
    s: &Session,
    path: &str,
    fields: &str,
) -> axum::http::Response<axum::body::Body> {
    app.send(
        post(path)
            .cookie(&s.cookie)
            .form(&format!("csrf_token={}&{fields}", s.csrf))
            .build(),
    )
    .await
}

/// `(姓名, 学籍号, code)` per row of a printed sheet.
fn sheet_rows(html: &str) -> Vec<(String, String, String)> {
    html.split("<tr><td>")
        .skip(1)
        .map(|row| {
            let cells: Vec<String> = row
                .split("</td><td>")
                .map(|c| {
                    c.replace("<code>", "")
                        .replace("</code>", "")
                        .split("</td>")
                        .next()
                        .unwrap()
                        .to_string()
                })
                .collect();
            (cells[1].clone(), cells[2].clone(), cells[3].clone())
        })
        .collect()
}

fn csrf_of(html: &str) -> String {
    html.split(r#"name="csrf-token" content=""#)
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_school_admin_opens_teacher_accounts_from_the_roster() {
    let app = TestApp::new().await;
    let admin = app.login("school-a").await;
    let html = body_text(
        app.send(get("/accounts").cookie(&admin.cookie).build())
            .await,
    )
    .await;
    assert!(html.contains("/accounts/teachers") && html.contains("/accounts/binding-codes"));

    let resp = post_form(&app, &admin, "/accounts/teachers", "school_id=").await;
    assert_eq!(resp.status(), 200);
    let rows = sheet_rows(&body_text(resp).await);
    // T01 is teacher-a's already; T02 gets an account named by its 工号.
    assert_eq!(rows.len(), 1, "{rows:?}");
    let (name, username, password) = &rows[0];
    assert_eq!((name.as_str(), username.as_str()), ("钱老师", "T02"));
    let resp = app
        .send(login_request("T02", password, None, "10.8.0.1:1"))
        .await;
    assert_eq!(resp.status(), 303);
    assert_eq!(location(&resp), "/account/password", "must change first");

    // Run again: nobody is left without an account.
    let resp = post_form(&app, &admin, "/accounts/teachers", "school_id=").await;
    assert!(body_text(resp).await.contains("没有需要开通账号的教师"));
    // Another school's teachers are not this admin's to open.
    let resp = post_form(
        &app,
        &admin,
        "/accounts/teachers",
        &format!("school_id={}", app.ids.school_b),
    )
    .await;
    assert_eq!(resp.status(), 403);
    let audit = app.store.list_audit(50).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|r| r.entry.action == "open_teacher_accounts" && r.entry.detail.contains("T02"))
    );
}

#[tokio::test]
async fn a_parent_with_two_children_switches_between_them() {
    let app = TestApp::new().await;
    let (a, i) = (app.ids.school_a, &app.ids);
    let admin = app.login("school-a").await;
    let mut codes = Vec::new();
    for class in [i.class_a7_1, i.class_a7_2] {
        let resp = post_form(
            &app,
            &admin,
            "/accounts/binding-codes",
            &format!("class_id={class}"),
        )
        .await;
        assert_eq!(resp.status(), 200);
        let html = body_text(resp).await;
        assert!(html.contains("家长绑定码"));
        codes.push(sheet_rows(&html));
    }
    let (child_name, child_no, child_code) = codes[0][0].clone();
    let (other_name, other_no, other_code) = codes[1][0].clone();

    // A wrong code opens nothing; the right one opens the account and signs it in.
    let bind = |no: &str, code: &str| {
        post("/bind")
            .form(&format!(
                "student_no={no}&code={code}&display_name=%E5%AE%B6%E9%95%BF&username=mum.wang\
                 &password=mum-pass-2026&confirm_password=mum-pass-2026"
            ))
            .peer("10.8.1.1:1")
            .build()
    };
    let resp = app.send(bind(&child_no, "WRONG999")).await;
    assert_eq!(resp.status(), 422);
    assert!(body_text(resp).await.contains("学籍号或绑定码不正确"));
    let resp = app.send(bind(&child_no, &child_code)).await;
    assert_eq!(resp.status(), 303);
    let cookie = session_cookie(&resp).expect("signed in");
    let resp = app.send(bind(&child_no, &child_code)).await;
    assert_eq!(resp.status(), 422, "a code works once");

    let home = app.send(get("/").cookie(&cookie).build()).await;
    let first_page = location(&home);
    assert!(first_page.starts_with(&format!("/schools/{a}/students/")));
    let html = body_text(app.send(get(&first_page).cookie(&cookie).build()).await).await;
    assert!(html.contains(&child_name));
    let s = Session {
        csrf: csrf_of(&html),
        cookie,
    };

    // The second child, with its own code.
    let resp = post_form(
        &app,
        &s,
        "/account/children",
        &format!("student_no={other_no}&code={other_code}"),
    )
    .await;
    assert_eq!(resp.status(), 303);
    let html = body_text(
        app.send(get("/account/children").cookie(&s.cookie).build())
            .await,
    )
    .await;
    assert!(html.contains(&child_name) && html.contains(&other_name));
    let other_id = app.ids.other_a;
    assert!(html.contains(&format!(r#"name="student_id" value="{other_id}""#)));

    // Switch: the parent pages now take the second child, and only them.
    let resp = post_form(
        &app,
        &s,
        "/account/child",
        &format!("student_id={other_id}"),
    )
    .await;
    assert_eq!(resp.status(), 303);
    let second_page = format!("/schools/{a}/students/{other_id}");
    assert_eq!(location(&resp), second_page);
    let resp = app.send(get("/").cookie(&s.cookie).build()).await;
    assert_eq!(location(&resp), second_page);
    let html = body_text(app.send(get(&second_page).cookie(&s.cookie).build()).await).await;
    assert!(html.contains(&other_name));
    let resp = app.send(get(&first_page).cookie(&s.cookie).build()).await;
    assert_eq!(resp.status(), 403, "one child at a time");
    // Back to the first child.
    let first_id: i64 = first_page.rsplit('/').next().unwrap().parse().unwrap();
    let resp = post_form(
        &app,
        &s,
        "/account/child",
        &format!("student_id={first_id}"),
    )
    .await;
    assert_eq!(location(&resp), first_page);
    // A child that is not theirs cannot be chosen.
    let resp = post_form(
        &app,
        &s,
        "/account/child",
        &format!("student_id={}", i.student_b),
    )
    .await;
    assert_eq!(resp.status(), 403);
}
