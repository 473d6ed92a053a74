//! Sign-in, session rotation, sign-out, inactive users and the rate limit.
use axum::http::header;
use wuyu_web::WebSettings;

use crate::support::{
    PASSWORD, Session, TestApp, body_text, get, location, login_request, post, session_cookie,
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
        ..WebSettings::default()
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

/// Posts the create-user form as the district admin.
async fn create(
    app: &TestApp,
    admin: &Session,
    fields: &str,
) -> axum::http::Response<axum::body::Body> {
    app.send(
        post("/admin/users")
            .cookie(&admin.cookie)
            .form(&format!("csrf_token={}&{fields}", admin.csrf))
            .build(),
    )
    .await
}

#[tokio::test]
async fn admin_creates_users_bound_by_staff_and_student_numbers() {
    let app = TestApp::new().await;
    let admin = app.login("district").await;
    let (a, b) = (app.ids.school_a, app.ids.school_b);
    let parent = "username=new-parent&display_name=%E5%AE%B6%E9%95%BF&role=parent&school_id=\
                  &teacher_staff_no=&student_no=a2024070201";

    // Too short a password: the form comes back with a Chinese message and its values.
    let resp = create(&app, &admin, &format!("{parent}&password=short")).await;
    assert_eq!(resp.status(), 422);
    let html = body_text(resp).await;
    assert!(html.contains("初始密码至少 10 个字符"));
    assert!(
        html.contains(r#"value="new-parent""#),
        "the form keeps its values"
    );
    assert!(
        !html.contains(r#"value="short""#),
        "the password is never echoed"
    );

    // Unknown 学籍号, a teacher without 工号, a 工号 of another school, a school role without school.
    for (fields, message) in [
        (
            "username=p2&display_name=x&role=parent&school_id=&student_no=X9999999",
            "学籍号“X9999999”不存在",
        ),
        (
            &format!("username=p3&display_name=x&role=parent&school_id={b}&student_no=A2024070201")
                as &str,
            "该学生不在所选学校",
        ),
        (
            &format!("username=t1&display_name=x&role=teacher&school_id={a}&teacher_staff_no="),
            "教师账号需要填写教师工号",
        ),
        (
            &format!("username=t2&display_name=x&role=teacher&school_id={a}&teacher_staff_no=T11"),
            "该校没有工号为“T11”的教师",
        ),
        (
            "username=s1&display_name=x&role=school_admin&school_id=",
            "该角色需要选择学校",
        ),
        (
            "username=bad%20name&display_name=x&role=district_analyst",
            "用户名只能包含",
        ),
        ("username=r1&display_name=x&role=root", "请选择角色"),
    ] {
        let resp = create(&app, &admin, &format!("{fields}&password=a-long-password")).await;
        assert_eq!(resp.status(), 422, "{fields}");
        let html = body_text(resp).await;
        assert!(html.contains(message), "{fields}: expected {message}");
    }

    // A parent by the child's 学籍号 (any case): the school comes from the student.
    let resp = create(&app, &admin, &format!("{parent}&password=a-long-password")).await;
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
        format!("/schools/{a}/students/{}", app.ids.other_a)
    );

    // A teacher by 工号: sees exactly the classes of their assignments.
    let resp = create(
        &app,
        &admin,
        &format!("username=new-teacher&display_name=x&role=teacher&school_id={a}&teacher_staff_no=T02&password=a-long-password"),
    )
    .await;
    assert_eq!(resp.status(), 303);
    let resp = app
        .send(login_request(
            "new-teacher",
            "a-long-password",
            None,
            "10.0.0.7:1",
        ))
        .await;
    let cookie = session_cookie(&resp).unwrap();
    let html = body_text(
        app.send(get(&format!("/schools/{a}")).cookie(&cookie).build())
            .await,
    )
    .await;
    assert!(html.contains(&format!("/classes/{}", app.ids.class_a7_2)));
    assert!(!html.contains(&format!("/classes/{}", app.ids.class_a7_1)));

    // A duplicate username is refused with a message, not a 500.
    let resp = create(
        &app,
        &admin,
        "username=new-parent&display_name=x&role=district_analyst&password=a-long-password",
    )
    .await;
    assert_eq!(resp.status(), 422);
    assert!(body_text(resp).await.contains("用户名已存在"));

    // Every creation is audited.
    let audit = app.store.list_audit(100).await.unwrap();
    let created: Vec<&str> = audit
        .iter()
        .filter(|r| r.entry.action == "create_user")
        .map(|r| r.entry.detail.as_str())
        .collect();
    assert_eq!(created.len(), 2, "{created:?}");
    assert!(
        created
            .iter()
            .any(|d| d.contains("new-parent") && d.contains("parent"))
    );
}

#[tokio::test]
async fn an_account_without_its_school_is_refused_at_sign_in() {
    let app = TestApp::new().await;
    app.store
        .create_user(&wuyu_store::NewUser {
            username: "orphan".into(),
            display_name: "orphan".into(),
            role: wuyu_domain::Role::SchoolAdmin,
            password_hash: wuyu_web::password::hash_password(PASSWORD),
            school_id: None,
            teacher_id: None,
            student_id: None,
        })
        .await
        .unwrap();
    let resp = app
        .send(login_request("orphan", PASSWORD, None, "10.0.0.5:1"))
        .await;
    assert_eq!(resp.status(), 403);
    assert!(session_cookie(&resp).is_none());
    assert!(body_text(resp).await.contains("账号配置有误"));
}
