//! The login throttle behind a proxy (issue 14, item 3): it keys by the same client address
//! as the rate limiter (the client behind the trusted proxy, never the proxy), and a flood of
//! bad passwords against an account, from other addresses, does not lock its owner out of the
//! address they log in from.

use reqwest::StatusCode;
use serde_json::json;
use sqlx::PgPool;

use crate::common::{spawn_app_with, TestApp, PASSWORD};
use crate::forms::post_page_form_from;

/// A server behind a trusted proxy: the test itself, on 127.0.0.1, plays the proxy and says
/// which client each request comes from in `X-Forwarded-For`.
async fn behind_a_proxy(pool: PgPool, per_account: u32, per_ip: u32) -> TestApp {
    spawn_app_with(pool, |config| {
        config.rate_limits.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
        config.login_limits = vouchgraph::auth::throttle::LoginLimits {
            per_account,
            per_ip,
        };
    })
    .await
}

async fn login_from(app: &TestApp, client: &str, email: &str, password: &str) -> StatusCode {
    app.client
        .post(app.url("/v1/sessions"))
        .header("x-forwarded-for", client)
        .json(&json!({ "email": email, "password": password }))
        .send()
        .await
        .expect("sent")
        .status()
}

/// The page's login form posts through the same throttle.
async fn page_login_from(app: &TestApp, client: &str, email: &str, password: &str) -> StatusCode {
    post_page_form_from(
        app,
        client,
        "/login",
        &[("email", email), ("password", password)],
    )
    .await
}

#[sqlx::test]
async fn behind_a_proxy_one_clients_bad_logins_do_not_lock_out_another_client(pool: PgPool) {
    let app = behind_a_proxy(pool, 1000, 5).await;
    app.signup("Dana Owner", "dana@sec.test").await;
    // One client sprays bad passwords at many accounts: its own address is stopped ...
    let mut statuses = Vec::new();
    for n in 0..8 {
        let email = format!("victim{n}@sec.test");
        statuses.push(login_from(&app, "203.0.113.66", &email, "not the password").await);
    }
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::UNAUTHORIZED)
            .count(),
        5,
        "{statuses:?}"
    );
    assert_eq!(statuses[7], StatusCode::TOO_MANY_REQUESTS);
    // ... and nobody else is, on the API or on the page.
    assert_eq!(
        login_from(&app, "198.51.100.20", "dana@sec.test", PASSWORD).await,
        StatusCode::CREATED
    );
    assert_eq!(
        page_login_from(&app, "198.51.100.21", "dana@sec.test", PASSWORD).await,
        StatusCode::SEE_OTHER
    );
}

#[sqlx::test]
async fn a_flood_of_bad_passwords_on_one_account_does_not_lock_its_owner_out_of_their_usual_address(
    pool: PgPool,
) {
    let app = behind_a_proxy(pool, 3, 1000).await;
    let home = "198.51.100.10";
    app.signup("Erin Owner", "erin@sec.test").await; // its login comes from 127.0.0.1
    assert_eq!(
        login_from(&app, home, "erin@sec.test", PASSWORD).await,
        StatusCode::CREATED
    );
    // Forty guesses from twenty addresses.
    let mut refused = 0;
    for n in 0..40 {
        let guesser = format!("203.0.113.{}", n % 20);
        match login_from(&app, &guesser, "erin@sec.test", &format!("guess {n} wrong")).await {
            StatusCode::TOO_MANY_REQUESTS => refused += 1,
            StatusCode::UNAUTHORIZED => {}
            other => panic!("a guess got {other}"),
        }
    }
    // The guessers together got no more tries than one address would.
    assert!(refused >= 37, "only {refused} of 40 guesses refused");
    // The owner, from home, is not locked out; nor is a mistyped password from home refused
    // for the flood's sake.
    assert_eq!(
        login_from(&app, home, "erin@sec.test", "a typo in it").await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login_from(&app, home, "erin@sec.test", PASSWORD).await,
        StatusCode::CREATED
    );
}

#[sqlx::test]
async fn the_login_form_warns_before_it_locks_and_then_says_how_long_to_wait(pool: PgPool) {
    // Six tries per account; signing up logged Dana in once from elsewhere, so five remain
    // for anyone but her usual address.
    let app = behind_a_proxy(pool, 6, 1000).await;
    app.signup("Dana Owner", "dana@sec.test").await;
    let mut pages = Vec::new();
    for _ in 0..6 {
        let response = crate::forms::page_form_response(
            &app,
            "203.0.113.7",
            "/login",
            &[("email", "dana@sec.test"), ("password", "not the password")],
        )
        .await;
        let status = response.status();
        let wait = response
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_string());
        pages.push((status, wait, response.text().await.unwrap()));
    }
    // The first try: no warning yet, just the wrong password.
    assert_eq!(pages[0].0, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!pages[0].2.contains("more tries"), "{}", pages[0].2);
    // Then a warning with the count, before the lock.
    assert!(
        pages[1].2.contains("3 more tries from here"),
        "{}",
        pages[1].2
    );
    assert!(
        pages[2].2.contains("2 more tries from here"),
        "{}",
        pages[2].2
    );
    assert!(
        pages[3].2.contains("1 more try from here"),
        "{}",
        pages[3].2
    );
    assert!(
        pages[4].2.contains("the next try from here must wait"),
        "{}",
        pages[4].2
    );
    // Locked: the form again (not a bare error page), how long to wait, and the way out.
    let (status, wait, page) = &pages[5];
    assert_eq!(*status, StatusCode::TOO_MANY_REQUESTS);
    let secs: u64 = wait.as_deref().expect("a Retry-After").parse().unwrap();
    assert!((1..=900).contains(&secs), "{secs}");
    assert!(page.contains("Too many tries. Wait"), "{page}");
    assert!(page.contains("/forgot-password"), "{page}");
    assert!(
        page.contains(r#"value="dana@sec.test""#),
        "the email was kept: {page}"
    );
    // The same warnings for an address with no account: they say nothing about who has one.
    let response = crate::forms::page_form_response(
        &app,
        "203.0.113.8",
        "/login",
        &[("email", "nobody@sec.test"), ("password", "x")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
