//! 账号: changing one's own password, an admin's reset to a one-time password that must be
//! changed before anything else, and the idle timeout.
use axum::http::StatusCode;
use wuyu_web::WebSettings;

use crate::support::{
    PASSWORD, Session, TestApp, body_text, get, location, login_request, post, session_cookie,
};

async fn change_password(
    app: &TestApp,
    s: &Session,
    old: &str,
    new: &str,
    confirm: &str,
) -> axum::http::Response<axum::body::Body> {
    app.send(
        post("/account/password")
            .cookie(&s.cookie)
            .form(&format!(
                "csrf_token={}&old_password={old}&new_password={new}&confirm_password={confirm}",
                s.csrf
            ))
            .build(),
    )
    .await
}

async fn actions(app: &TestApp, action: &str) -> Vec<String> {
    app.store
        .list_audit(200)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.entry.action == action)
        .map(|r| format!("{} {}", r.entry.username, r.entry.detail))
        .collect()
}

#[tokio::test]
async fn a_user_changes_their_own_password_giving_the_old_one() {
    let app = TestApp::new().await;
    let s = app.login("teacher-a").await;
    let elsewhere = app.login("teacher-a").await;

    let resp = app
        .send(get("/account/password").cookie(&s.cookie).build())
        .await;
    assert_eq!(resp.status(), 200);
    let html = body_text(resp).await;
    assert!(html.contains("须同时包含字母和数字"), "the rule is stated");

    // Refusals name what is wrong; nothing changes.
    for (old, new, confirm, message) in [
        (
            "wrong-old-pw1",
            "new-password-2026",
            "new-password-2026",
            "原密码不正确",
        ),
        (PASSWORD, "short1", "short1", "新密码至少 10 个字符"),
        (
            PASSWORD,
            "no-digits-at-all",
            "no-digits-at-all",
            "须同时包含字母和数字",
        ),
        (
            PASSWORD,
            "new-password-2026",
            "new-password-2027",
            "两次输入的新密码不一致",
        ),
    ] {
        let resp = change_password(&app, &s, old, new, confirm).await;
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY, "{new}");
        assert!(body_text(resp).await.contains(message), "{message}");
    }
    let resp = app
        .send(login_request("teacher-a", PASSWORD, None, "10.3.0.1:1"))
        .await;
    assert_eq!(resp.status(), 303, "the old password still works");

    let resp = change_password(&app, &s, PASSWORD, "new-password-2026", "new-password-2026").await;
    assert_eq!(resp.status(), 303);
    assert_eq!(location(&resp), "/");
    // This browser continues in a fresh session; every other session has ended.
    let fresh = session_cookie(&resp).expect("a fresh session");
    assert_ne!(fresh, s.cookie);
    let resp = app.send(get("/exams").cookie(&fresh).build()).await;
    assert_eq!(resp.status(), 200);
    for old in [&s.cookie, &elsewhere.cookie] {
        let resp = app.send(get("/exams").cookie(old).build()).await;
        assert_eq!(location(&resp), "/login");
    }
    let resp = app
        .send(login_request("teacher-a", PASSWORD, None, "10.3.0.2:1"))
        .await;
    assert_eq!(resp.status(), 401, "the old password is gone");
    let resp = app
        .send(login_request(
            "teacher-a",
            "new-password-2026",
            None,
            "10.3.0.2:1",
        ))
        .await;
    assert_eq!(resp.status(), 303);
    assert_eq!(location(&resp), "/");

    assert_eq!(actions(&app, "change_password").await.len(), 1);
    assert_eq!(actions(&app, "change_password_denied").await.len(), 1);
}

/// Posts the reset of `user_id` as `admin`; answers the status and the page.
async fn reset(app: &TestApp, admin: &Session, user_id: i64) -> (StatusCode, String) {
    let resp = app
        .send(
            post(&format!("/accounts/{user_id}/reset-password"))
                .cookie(&admin.cookie)
                .form(&format!("csrf_token={}", admin.csrf))
                .build(),
        )
        .await;
    (resp.status(), body_text(resp).await)
}

fn one_time_password(html: &str) -> String {
    let start = html.find("<code>").expect("password shown") + "<code>".len();
    let end = html[start..].find("</code>").unwrap() + start;
    html[start..end].to_string()
}

#[tokio::test]
async fn a_reset_password_must_be_changed_before_anything_else() {
    let app = TestApp::new().await;
    let admin = app.login("school-a").await;
    let victim = app.login("teacher-a").await;

    // The school admin's list holds their school's accounts, not school B's nor the district's.
    let html = body_text(
        app.send(get("/accounts").cookie(&admin.cookie).build())
            .await,
    )
    .await;
    assert!(html.contains("teacher-a") && html.contains("parent-a"));
    assert!(!html.contains("teacher-b") && !html.contains(">district<"));

    // Another school's account or a district account cannot be reset; nothing changes.
    for other in ["teacher-b", "district"] {
        let (status, _) = reset(&app, &admin, app.ids.users[other]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{other}");
    }
    let resp = app
        .send(login_request("teacher-b", PASSWORD, None, "10.4.0.1:1"))
        .await;
    assert_eq!(resp.status(), 303);

    let (status, html) = reset(&app, &admin, app.ids.users["teacher-a"]).await;
    assert_eq!(status, StatusCode::OK);
    let once = one_time_password(&html);
    assert_eq!(once.chars().count(), 12);
    // The reset ends the user's sessions and the old password.
    let resp = app.send(get("/").cookie(&victim.cookie).build()).await;
    assert_eq!(location(&resp), "/login");
    let resp = app
        .send(login_request("teacher-a", PASSWORD, None, "10.4.0.2:1"))
        .await;
    assert_eq!(resp.status(), 401);

    // Signed in with the one-time password: sent to 修改密码, and nothing else opens.
    let resp = app
        .send(login_request("teacher-a", &once, None, "10.4.0.2:1"))
        .await;
    assert_eq!(resp.status(), 303);
    assert_eq!(location(&resp), "/account/password");
    let cookie = session_cookie(&resp).unwrap();
    for page in ["/", "/exams", &format!("/schools/{}", app.ids.school_a)] {
        let resp = app.send(get(page).cookie(&cookie).build()).await;
        assert_eq!(resp.status(), 303, "{page}");
        assert_eq!(location(&resp), "/account/password", "{page}");
    }
    let resp = app
        .send(get("/api/v1/schools").cookie(&cookie).build())
        .await;
    assert_eq!(resp.status(), 403);
    assert!(body_text(resp).await.contains("需要修改密码"));
    let resp = app
        .send(get("/account/password").cookie(&cookie).build())
        .await;
    assert_eq!(resp.status(), 200);
    let html = body_text(resp).await;
    assert!(html.contains("一次性密码"));
    let csrf = html
        .split(r#"name="csrf-token" content=""#)
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_string();
    let s = Session { cookie, csrf };
    let resp = change_password(&app, &s, &once, "my-own-pass-77", "my-own-pass-77").await;
    assert_eq!(resp.status(), 303);
    let fresh = session_cookie(&resp).unwrap();
    let resp = app.send(get("/exams").cookie(&fresh).build()).await;
    assert_eq!(resp.status(), 200, "free to use the platform now");

    let resets = actions(&app, "reset_password").await;
    assert_eq!(resets, ["school-a username=teacher-a"]);
}

#[tokio::test]
async fn an_idle_session_ends_but_an_active_one_lives_on() {
    let app = TestApp::with_settings(WebSettings {
        session_idle_secs: 2,
        ..WebSettings::default()
    })
    .await;
    let busy = app.login("analyst").await;
    let idle = app.login("district").await;
    // Requests every ~1.1 s keep `busy` alive past the 2 s idle timeout.
    for _ in 0..3 {
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        let resp = app.send(get("/").cookie(&busy.cookie).build()).await;
        assert_eq!(resp.status(), 200);
    }
    // `idle` made no request for over 3 s: signed out.
    let resp = app.send(get("/").cookie(&idle.cookie).build()).await;
    assert_eq!(resp.status(), 303);
    assert_eq!(location(&resp), "/login");
}
