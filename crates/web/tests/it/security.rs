//! CSRF, security headers, assets and the audit trail.
use axum::http::header;

use crate::support::{PASSWORD, TestApp, body_text, get, login_request, post};
use crate::visibility::assert_no_inline_script;

fn create_form(csrf: &str) -> String {
    format!(
        "csrf_token={csrf}&username=csrf-test&display_name=x&role=district_analyst\
         &school_id=&teacher_staff_no=&student_no=&password=long-enough-pw"
    )
}

#[tokio::test]
async fn unsafe_requests_need_same_origin_and_the_session_token() {
    let app = TestApp::new().await;
    let s = app.login("district").await;

    // No token at all.
    let resp = app
        .send(
            post("/admin/users")
                .cookie(&s.cookie)
                .form("username=x")
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 403);
    assert!(body_text(resp).await.contains("请求校验失败"));
    // A wrong token.
    let wrong = "0".repeat(64);
    let resp = app
        .send(
            post("/admin/users")
                .cookie(&s.cookie)
                .form(&create_form(&wrong))
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 403);
    // The right token from another origin.
    let resp = app
        .send(
            post("/admin/users")
                .cookie(&s.cookie)
                .header("origin", "http://evil.example")
                .form(&create_form(&s.csrf))
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 403);
    // The right token, cross-site according to the browser.
    let resp = app
        .send(
            post("/admin/users")
                .cookie(&s.cookie)
                .header("sec-fetch-site", "cross-site")
                .form(&create_form(&s.csrf))
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 403);
    // Neither Sec-Fetch-Site nor Origin: refused.
    let resp = app
        .send(
            post("/admin/users")
                .without("origin")
                .cookie(&s.cookie)
                .form(&create_form(&s.csrf))
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 403);
    // Nothing was created by any of these.
    assert!(
        !app.store
            .list_users()
            .await
            .unwrap()
            .iter()
            .any(|u| u.user.username == "csrf-test")
    );

    // The token in the form field, same origin: accepted.
    let resp = app
        .send(
            post("/admin/users")
                .cookie(&s.cookie)
                .form(&create_form(&s.csrf))
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 303);
    // The token in the header (htmx), with Sec-Fetch-Site instead of Origin: accepted.
    let resp = app
        .send(
            post(&format!("/admin/users/{}/deactivate", app.ids.spare_user))
                .without("origin")
                .header("sec-fetch-site", "same-origin")
                .header("x-csrf-token", &s.csrf)
                .cookie(&s.cookie)
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 303);
}

#[tokio::test]
async fn login_post_needs_same_origin_but_no_token() {
    let app = TestApp::new().await;
    let req = post("/login")
        .header("origin", "http://evil.example")
        .form(&format!("username=district&password={PASSWORD}"))
        .build();
    assert_eq!(app.send(req).await.status(), 403);
    let resp = app
        .send(login_request("district", PASSWORD, None, "10.0.0.1:1"))
        .await;
    assert_eq!(resp.status(), 303);
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::new().await;
    let s = app.login("district").await;
    for req in [
        get("/login").build(),
        get("/").cookie(&s.cookie).build(),
        get("/api/v1/schools").cookie(&s.cookie).build(),
        get("/no/such/page").build(),
        get("/assets/app.js").build(),
    ] {
        let path = req.uri().to_string();
        let resp = app.send(req).await;
        let h = resp.headers();
        let csp = h[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        for part in [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "frame-ancestors 'none'",
            "object-src 'none'",
            "form-action 'self'",
            "base-uri 'self'",
        ] {
            assert!(csp.contains(part), "{path}: {csp}");
        }
        assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"));
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{path}");
        assert_eq!(h[header::X_FRAME_OPTIONS], "DENY", "{path}");
        assert_eq!(h[header::REFERRER_POLICY], "same-origin", "{path}");
        let cache = h[header::CACHE_CONTROL].to_str().unwrap();
        if path.starts_with("/assets/") {
            assert!(cache.contains("max-age=31536000"), "{path}: {cache}");
        } else {
            assert_eq!(cache, "no-store", "{path}");
        }
    }
}

#[tokio::test]
async fn assets_are_embedded_with_types_and_pages_use_no_inline_code() {
    let app = TestApp::new().await;
    for (path, ty) in [
        ("/assets/app.js", "text/javascript"),
        ("/assets/app.css", "text/css"),
        ("/assets/vendor/htmx.min.js", "text/javascript"),
        ("/assets/vendor/echarts.min.js", "text/javascript"),
    ] {
        let resp = app.send(get(path).build()).await;
        assert_eq!(resp.status(), 200, "{path}");
        assert!(
            resp.headers()[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with(ty),
            "{path}"
        );
        assert!(resp.headers().contains_key(header::ETAG), "{path}");
        assert!(!body_text(resp).await.is_empty());
    }
    assert_eq!(app.send(get("/assets/nope.js").build()).await.status(), 404);

    let resp = app.send(get("/login").build()).await;
    assert_no_inline_script(&body_text(resp).await);
    for who in ["district", "school-a", "teacher-a", "parent-a"] {
        let s = app.login(who).await;
        let mut path = "/".to_string();
        for _ in 0..2 {
            let resp = app.send(get(&path).cookie(&s.cookie).build()).await;
            if resp.status() == 303 {
                path = crate::support::location(&resp);
                continue;
            }
            let html = body_text(resp).await;
            assert_no_inline_script(&html);
            assert!(html.contains(r#"hx-headers='{"X-CSRF-Token": ""#), "{who}");
            break;
        }
    }
}

#[tokio::test]
async fn sign_ins_and_student_reads_are_audited() {
    let app = TestApp::new().await;
    let i = &app.ids;
    let _ = app
        .send(login_request(
            "district",
            "wrong-password",
            None,
            "192.0.2.7:1",
        ))
        .await;
    let resp = app
        .send(login_request("parent-a", PASSWORD, None, "192.0.2.8:1"))
        .await;
    let cookie = crate::support::session_cookie(&resp).unwrap();
    let resp = app
        .send(
            get(&format!("/schools/{}/students/{}", i.school_a, i.child))
                .cookie(&cookie)
                .peer("192.0.2.8:2")
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 200);

    let rows = app.store.list_audit(50).await.unwrap();
    let find = |action: &str| rows.iter().find(|r| r.entry.action == action);
    let failed = find("login_failed").expect("login_failed row");
    assert_eq!(failed.entry.username, "district");
    assert_eq!(failed.entry.ip, "192.0.2.7");
    let login = find("login").expect("login row");
    assert_eq!(login.entry.username, "parent-a");
    assert_eq!(login.entry.ip, "192.0.2.8");
    assert_eq!(login.entry.user_id.map(|u| u.0), Some(i.users["parent-a"]));
    let read = find("read_student").expect("read_student row");
    assert_eq!(read.entry.username, "parent-a");
    assert_eq!(
        read.entry.entity,
        format!("student:{}:{}", i.school_a, i.child)
    );
    assert_eq!(read.entry.school_id.map(|s| s.0), Some(i.school_a));

    // A refused read shows nothing and is audited as refused, never as a read.
    let before = app.store.list_audit(500).await.unwrap().len();
    let resp = app
        .send(
            get(&format!("/schools/{}/students/{}", i.school_a, i.other_a))
                .cookie(&cookie)
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 403);
    let after = app.store.list_audit(500).await.unwrap();
    assert_eq!(after.len(), before + 1);
    assert_eq!(after[0].entry.action, "read_student_denied");
    assert_eq!(
        after[0].entry.entity,
        format!("student:{}:{}", i.school_a, i.other_a)
    );
    assert_eq!(after[0].entry.username, "parent-a");

    // The district admin's audit page lists these rows.
    let s = app.login("district").await;
    let html = body_text(
        app.send(get("/admin/audit").cookie(&s.cookie).build())
            .await,
    )
    .await;
    // In Chinese: what was done, and that a refused attempt was refused.
    assert!(
        html.contains("查看学生信息") && html.contains("登录失败"),
        "{html}"
    );
    assert!(html.contains("查看学生信息（被拒绝）"), "{html}");
    // The rows, not the search form (whose options carry the codes as values).
    let table = &html[html.find("data-table=\"audit\"").unwrap()..];
    assert!(!table.contains("read_student") && !table.contains("login_failed"));
}

#[tokio::test]
async fn every_class_list_read_is_audited() {
    let app = TestApp::new().await;
    let i = &app.ids;
    let s = app.login("teacher-a").await;
    let before = app.store.list_audit(500).await.unwrap().len();
    let resp = app
        .send(
            get(&format!("/schools/{}/classes/{}", i.school_a, i.class_a7_1))
                .cookie(&s.cookie)
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let rows = app.store.list_audit(500).await.unwrap();
    assert_eq!(rows.len(), before + 1);
    assert_eq!(rows[0].entry.action, "read_class");
    assert_eq!(rows[0].entry.username, "teacher-a");
    assert_eq!(
        rows[0].entry.entity,
        format!("class:{}:{}", i.school_a, i.class_a7_1)
    );
    // Teachers do not see ID numbers, so the row does not say they were shown.
    assert_eq!(rows[0].entry.detail, "");
}

#[tokio::test]
async fn hsts_only_when_served_over_https() {
    let plain = TestApp::new().await;
    let resp = plain.send(get("/login").build()).await;
    assert!(
        !resp
            .headers()
            .contains_key(header::STRICT_TRANSPORT_SECURITY)
    );
    let https = TestApp::with_settings(wuyu_web::WebSettings {
        secure_cookies: true,
        ..wuyu_web::WebSettings::default()
    })
    .await;
    for path in ["/login", "/", "/api/v1/exams", "/no-such-page"] {
        let resp = https.send(get(path).build()).await;
        assert_eq!(
            resp.headers()[header::STRICT_TRANSPORT_SECURITY],
            "max-age=31536000",
            "{path}"
        );
    }
}

#[tokio::test]
async fn oversized_and_wrong_type_bodies_are_refused_in_chinese() {
    let app = TestApp::new().await;
    // 3 MB to the sign-in form (over the framework's 2 MB body limit), no session yet.
    let big = format!("username=district&password={}", "x".repeat(3 * 1024 * 1024));
    let resp = app.send(post("/login").form(&big).build()).await;
    assert_eq!(resp.status(), 413);
    let text = body_text(resp).await;
    assert!(text.contains("提交的内容过大"), "{text}");
    assert!(!text.contains("length limit"), "{text}");

    // A signed-in user's oversized form is "too large", not a failed CSRF check.
    let s = app.login("district").await;
    let form = format!("{}&pad={}", create_form(&s.csrf), "x".repeat(100 * 1024));
    let resp = app
        .send(post("/admin/users").cookie(&s.cookie).form(&form).build())
        .await;
    assert_eq!(resp.status(), 413);
    assert!(body_text(resp).await.contains("提交的内容过大"));
    assert!(
        !app.store
            .list_users()
            .await
            .unwrap()
            .iter()
            .any(|u| u.user.username == "csrf-test"),
        "nothing created"
    );

    // The sign-in form sent as plain text.
    let resp = app
        .send(post("/login").header("content-type", "text/plain").build())
        .await;
    assert_eq!(resp.status(), 415);
    let text = body_text(resp).await;
    assert!(text.contains("不支持的内容格式"), "{text}");
    assert!(!text.contains("Content-Type"), "{text}");

    // A form that does not deserialize (a field twice): Chinese, not the framework's English.
    let resp = app
        .send(
            post("/account/password")
                .cookie(&s.cookie)
                .form(&format!(
                    "csrf_token={}&old_password=a&old_password=b",
                    s.csrf
                ))
                .build(),
        )
        .await;
    assert!(
        matches!(resp.status().as_u16(), 400 | 422),
        "{}",
        resp.status()
    );
    let text = body_text(resp).await;
    assert!(text.contains("请求参数有误"), "{text}");
    assert!(!text.contains("deserialize"), "{text}");
}
