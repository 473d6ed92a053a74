//! Sign-in, session rotation, sign-out, inactive users and the rate limit.
use axum::http::header;
use wuyu_web::WebSettings;

use crate::support::{
    PASSWORD, TestApp, body_text, get, location, login_request, post, session_cookie,
};

#[tokio::test]
async fn login_form_has_the_fields_and_a_chinese_button() {
    let app = TestApp::new().await;
    let resp = app.send(get("/login").build()).await;
    assert_eq!(resp.status(), 200);
    let html = body_text(resp).await;
    assert!(html.contains(r#"name="username""#));
    assert!(html.contains(r#"name="password""#) && html.contains(r#"type="password""#));
    assert!(html.contains(">登录</button>"));
}

#[tokio::test]
async fn success_sets_a_strict_httponly_cookie_and_redirects_home() {
    let app = TestApp::new().await;
    let resp = app
        .send(login_request("district", PASSWORD, None, "10.0.0.1:1"))
        .await;
    assert_eq!(resp.status(), 303);
    assert_eq!(location(&resp), "/");
    let set = resp.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_string();
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=28800"] {
        assert!(set.contains(attr), "{set}");
    }
    assert!(!set.contains("Secure"), "not secure by default: {set}");
    let token = session_cookie(&resp).unwrap();
    assert_eq!(token.len(), 64);
    let resp = app.send(get("/").cookie(&token).build()).await;
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn secure_cookies_when_configured() {
    let app = TestApp::with_settings(WebSettings {
        secure_cookies: true,
        session_ttl_secs: 600,
    })
    .await;
    let resp = app
        .send(login_request("district", PASSWORD, None, "10.0.0.1:1"))
        .await;
    let set = resp.headers()[header::SET_COOKIE].to_str().unwrap();
    assert!(
        set.contains("; Secure") && set.contains("Max-Age=600"),
        "{set}"
    );
}

#[tokio::test]
async fn login_rotates_the_session() {
    let app = TestApp::new().await;
    let first = app.login("district").await;
    let resp = app
        .send(login_request(
            "district",
            PASSWORD,
            Some(&first.cookie),
            "10.0.0.1:1",
        ))
        .await;
    assert_eq!(resp.status(), 303);
    let second = session_cookie(&resp).unwrap();
    assert_ne!(second, first.cookie);
    let old = app.send(get("/").cookie(&first.cookie).build()).await;
    assert_eq!(old.status(), 303, "the old session is gone");
    assert_eq!(location(&old), "/login");
    let new = app.send(get("/").cookie(&second).build()).await;
    assert_eq!(new.status(), 200);
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_401_with_the_same_message() {
    let app = TestApp::new().await;
    for (user, pw) in [
        ("district", "wrong-password"),
        ("nobody", PASSWORD),
        ("", ""),
    ] {
        let resp = app.send(login_request(user, pw, None, "10.0.0.2:1")).await;
        assert_eq!(resp.status(), 401, "{user}");
        assert!(session_cookie(&resp).is_none());
        let html = body_text(resp).await;
        assert!(html.contains("用户名或密码错误"), "{user}");
        assert!(
            html.contains(r#"name="username""#),
            "the form is shown again"
        );
    }
}

#[tokio::test]
async fn inactive_users_cannot_sign_in() {
    let app = TestApp::new().await;
    let resp = app
        .send(login_request("inactive", PASSWORD, None, "10.0.0.3:1"))
        .await;
    assert_eq!(resp.status(), 403);
    assert!(session_cookie(&resp).is_none());
    assert!(body_text(resp).await.contains("已停用"));
    // With a wrong password it looks like any other failure.
    let resp = app
        .send(login_request(
            "inactive",
            "nope-nope-nope",
            None,
            "10.0.0.3:1",
        ))
        .await;
    assert_eq!(resp.status(), 401);
}

#[tokio::test]
async fn repeated_failures_are_rate_limited_per_user_and_address() {
    let app = TestApp::new().await;
    for _ in 0..5 {
        let resp = app
            .send(login_request(
                "school-a",
                "bad-password",
                None,
                "10.1.1.1:1",
            ))
            .await;
        assert_eq!(resp.status(), 401);
    }
    // Even the right password is refused now, from this address.
    let resp = app
        .send(login_request("school-a", PASSWORD, None, "10.1.1.1:1"))
        .await;
    assert_eq!(resp.status(), 429);
    assert!(resp.headers().contains_key(header::RETRY_AFTER));
    assert!(session_cookie(&resp).is_none());
    assert!(body_text(resp).await.contains("登录失败次数过多"));
    // Another address, or another user from this address, is unaffected.
    let resp = app
        .send(login_request("school-a", PASSWORD, None, "10.1.1.2:1"))
        .await;
    assert_eq!(resp.status(), 303);
    let resp = app
        .send(login_request("district", PASSWORD, None, "10.1.1.1:1"))
        .await;
    assert_eq!(resp.status(), 303);
}

#[tokio::test]
async fn one_address_trying_many_usernames_is_rate_limited() {
    let app = TestApp::new().await;
    for n in 0..20 {
        let resp = app
            .send(login_request(
                &format!("guess{n}"),
                "bad-password",
                None,
                "10.2.2.2:1",
            ))
            .await;
        assert_eq!(resp.status(), 401);
    }
    let resp = app
        .send(login_request("analyst", PASSWORD, None, "10.2.2.2:1"))
        .await;
    assert_eq!(resp.status(), 429);
}

#[tokio::test]
async fn logout_ends_the_session() {
    let app = TestApp::new().await;
    let s = app.login("teacher-a").await;
    let resp = app
        .send(
            post("/logout")
                .cookie(&s.cookie)
                .form(&format!("csrf_token={}", s.csrf))
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 303);
    assert_eq!(location(&resp), "/login");
    let set = resp.headers()[header::SET_COOKIE].to_str().unwrap();
    assert!(set.contains("Max-Age=0"), "{set}");
    let resp = app.send(get("/").cookie(&s.cookie).build()).await;
    assert_eq!(resp.status(), 303);
    assert_eq!(location(&resp), "/login");
    let resp = app
        .send(get("/api/v1/schools").cookie(&s.cookie).build())
        .await;
    assert_eq!(resp.status(), 401);
}

#[tokio::test]
async fn deactivating_a_user_ends_their_sessions() {
    let app = TestApp::new().await;
    let admin = app.login("district").await;
    let victim = app.login("teacher-b").await;
    let id = app.ids.users["teacher-b"];
    let resp = app
        .send(
            post(&format!("/admin/users/{id}/deactivate"))
                .cookie(&admin.cookie)
                .form(&format!("csrf_token={}", admin.csrf))
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 303);
    let resp = app.send(get("/").cookie(&victim.cookie).build()).await;
    assert_eq!(location(&resp), "/login");
    let resp = app
        .send(login_request("teacher-b", PASSWORD, None, "10.0.0.9:1"))
        .await;
    assert_eq!(resp.status(), 403);
}

#[tokio::test]
async fn admin_creates_a_user_who_can_sign_in() {
    let app = TestApp::new().await;
    let admin = app.login("district").await;
    let school = app.ids.school_a;
    let child = app.ids.other_a;
    // Too short a password: the form comes back with a Chinese message.
    let resp = app
        .send(
            post("/admin/users")
                .cookie(&admin.cookie)
                .form(&format!(
                    "csrf_token={}&username=new-parent&display_name=%E5%AE%B6%E9%95%BF&role=parent\
                     &school_id={school}&teacher_id=&student_id={child}&password=short",
                    admin.csrf
                ))
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 422);
    let html = body_text(resp).await;
    assert!(html.contains("初始密码至少 10 个字符"));
    assert!(
        html.contains(r#"value="new-parent""#),
        "the form keeps its values"
    );

    let resp = app
        .send(
            post("/admin/users")
                .cookie(&admin.cookie)
                .form(&format!(
                    "csrf_token={}&username=new-parent&display_name=%E5%AE%B6%E9%95%BF&role=parent\
                     &school_id={school}&teacher_id=&student_id={child}&password=a-long-password",
                    admin.csrf
                ))
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 303);
    let html = body_text(
        app.send(get("/admin/users").cookie(&admin.cookie).build())
            .await,
    )
    .await;
    assert!(html.contains("new-parent"));

    let resp = app
        .send(login_request(
            "new-parent",
            "a-long-password",
            None,
            "10.0.0.7:1",
        ))
        .await;
    assert_eq!(resp.status(), 303);
    let cookie = session_cookie(&resp).unwrap();
    let resp = app.send(get("/").cookie(&cookie).build()).await;
    assert_eq!(
        location(&resp),
        format!("/schools/{school}/students/{child}")
    );

    // A duplicate username is refused with a message, not a 500.
    let resp = app
        .send(
            post("/admin/users")
                .cookie(&admin.cookie)
                .form(&format!(
                    "csrf_token={}&username=new-parent&display_name=x&role=district_analyst\
                     &school_id=&teacher_id=&student_id=&password=a-long-password",
                    admin.csrf
                ))
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 422);
    assert!(body_text(resp).await.contains("用户名已存在"));
}
