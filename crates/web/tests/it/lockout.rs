//! Sign-in limits a stranger cannot turn against someone else: failures from other addresses
//! only slow the user's sign-in down (never lock it), an address that guesses is refused alone,
//! and an admin lifts a user's limits from 账号管理.
use std::time::Duration;

use axum::body::Body;
use axum::http::{Response, header};
use wuyu_web::WebSettings;

use crate::support::{PASSWORD, TestApp, body_text, get, location, login_request, post};

fn retry_after(resp: &Response<Body>) -> u64 {
    resp.headers()[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn failures_from_other_addresses_cannot_lock_the_user_out() {
    let app = TestApp::with_settings(WebSettings {
        login_slowdown_max_secs: 1,
        ..WebSettings::default()
    })
    .await;
    // A stranger guesses school-a's password from 15 addresses, 4 tries each (under each
    // address's own limit): 60 tries, more than the old 50-failure lock needed.
    let (mut checked, mut slowed) = (0, 0);
    for a in 0..15 {
        for _ in 0..4 {
            let resp = app
                .send(login_request(
                    "school-a",
                    "guess-pw-123",
                    None,
                    &format!("10.77.0.{a}:1"),
                ))
                .await;
            match resp.status().as_u16() {
                401 => checked += 1,
                429 => {
                    assert!(retry_after(&resp) <= 1, "a slow-down, not a lock");
                    slowed += 1;
                }
                other => panic!("stranger got {other}"),
            }
        }
    }
    assert_eq!(checked + slowed, 60);
    assert!(
        slowed > 40,
        "the guesser is slowed down: {checked} checked, {slowed} slowed"
    );

    // The user, from their own address, at most waits out the slow-down and signs in.
    let mut waited = Duration::ZERO;
    loop {
        let resp = app
            .send(login_request("school-a", PASSWORD, None, "192.0.2.10:1"))
            .await;
        if resp.status() == 303 {
            assert_eq!(location(&resp), "/");
            break;
        }
        assert_eq!(resp.status(), 429);
        let wait = retry_after(&resp);
        assert!(wait <= 1, "waits {wait} s");
        assert!(body_text(resp).await.contains("1 秒"));
        waited += Duration::from_secs(wait);
        assert!(waited <= Duration::from_secs(1), "one slow-down at most");
        tokio::time::sleep(Duration::from_secs(wait)).await;
    }
}

#[tokio::test]
async fn the_per_address_limit_trips_for_that_address_only() {
    let app = TestApp::new().await;
    for n in 0..20 {
        let resp = app
            .send(login_request(
                &format!("guess{n}"),
                "bad-password",
                None,
                "10.9.9.9:1",
            ))
            .await;
        assert_eq!(resp.status(), 401);
    }
    // That address is refused even with a right password, for minutes …
    let resp = app
        .send(login_request("analyst", PASSWORD, None, "10.9.9.9:1"))
        .await;
    assert_eq!(resp.status(), 429);
    assert!(retry_after(&resp) > 60);
    assert!(body_text(resp).await.contains("分钟后再试"));
    // … while the same user from any other address signs in at once.
    for other in ["10.9.9.8:1", "10.9.10.9:1"] {
        let resp = app
            .send(login_request("analyst", PASSWORD, None, other))
            .await;
        assert_eq!(resp.status(), 303, "{other}");
    }
}

#[tokio::test]
async fn an_admin_unlocks_a_user_who_mistyped_too_often() {
    let app = TestApp::new().await;
    let admin = app.login("school-a").await;
    for _ in 0..5 {
        let resp = app
            .send(login_request(
                "teacher-a",
                "typo-password",
                None,
                "10.60.0.1:1",
            ))
            .await;
        assert_eq!(resp.status(), 401);
    }
    let resp = app
        .send(login_request("teacher-a", PASSWORD, None, "10.60.0.1:1"))
        .await;
    assert_eq!(resp.status(), 429, "locked from their own address");

    let html = body_text(
        app.send(get("/accounts").cookie(&admin.cookie).build())
            .await,
    )
    .await;
    assert!(html.contains("登录受限"));
    let id = app.ids.users["teacher-a"];
    assert!(html.contains(&format!("/accounts/{id}/unlock")));

    // Another school's admin cannot; the user's own admin can.
    let other = app.ids.users["teacher-b"];
    let resp = app
        .send(
            post(&format!("/accounts/{other}/unlock"))
                .cookie(&admin.cookie)
                .form(&format!("csrf_token={}", admin.csrf))
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 403);
    let resp = app
        .send(
            post(&format!("/accounts/{id}/unlock"))
                .cookie(&admin.cookie)
                .form(&format!("csrf_token={}", admin.csrf))
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 303);
    let html = body_text(
        app.send(get("/accounts").cookie(&admin.cookie).build())
            .await,
    )
    .await;
    assert!(!html.contains("登录受限"));
    let resp = app
        .send(login_request("teacher-a", PASSWORD, None, "10.60.0.1:1"))
        .await;
    assert_eq!(resp.status(), 303, "signs in at once");

    let unlocks: Vec<String> = app
        .store
        .list_audit(100)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.entry.action == "unlock_user")
        .map(|r| r.entry.detail)
        .collect();
    assert_eq!(unlocks, ["username=teacher-a"]);
}
