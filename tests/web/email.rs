//! The email pages: a forgotten password reset through `/forgot-password` and the link's
//! `/reset-password` page, typing a home place at sign-up, and the email settings page. No
//! relay is set here, so composed emails stay queued with their bodies, where the test reads
//! the link a person would have received.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use sqlx::PgPool;

use crate::common::{spawn_app, TestApp, PASSWORD};
use crate::helpers::{csrf_field, expect_page, location, set_cookie};

/// The token of the newest queued email of `kind` to `address`, once the fan-out wrote it.
async fn queued_token(app: &TestApp, kind: &str, address: &str, path: &str) -> String {
    let started = Instant::now();
    loop {
        let body: Option<String> = sqlx::query_scalar(
            "select text_body from emails where kind = $1 and to_address = $2 order by id desc limit 1",
        )
        .bind(kind)
        .bind(address)
        .fetch_optional(&app.pool)
        .await
        .unwrap();
        if let Some(body) = body {
            let marker = format!("{path}?token=");
            let start = body
                .find(&marker)
                .unwrap_or_else(|| panic!("no {path} link in {body}"))
                + marker.len();
            return body[start..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect();
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no {kind} email to {address}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A page's form token: the cookie and the hidden field, as a browser would send them back.
async fn form_token(app: &TestApp, path: &str) -> (String, String) {
    let page = app.page(path, None).await;
    let cookie = set_cookie(&page, "vg_form").expect("the page sets the form cookie");
    let html = expect_page(page, StatusCode::OK).await;
    (format!("vg_form={cookie}"), csrf_field(&html))
}

#[sqlx::test]
async fn a_forgotten_password_is_reset_through_the_emailed_link(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.signup("Anna Berg", "anna@example.com").await;
    let login = app.html("/login", None).await;
    assert!(
        login.contains(r#"href="/forgot-password""#),
        "the login page offers a reset"
    );

    let (cookie, csrf) = form_token(&app, "/forgot-password").await;
    let response = app
        .post_form(
            "/forgot-password",
            Some(&cookie),
            &[("csrf", &csrf), ("email", "anna@example.com")],
        )
        .await;
    let html = expect_page(response, StatusCode::OK).await;
    assert!(html.contains("Check your email"), "{html}");
    // An address nobody has reads the same.
    let response = app
        .post_form(
            "/forgot-password",
            Some(&cookie),
            &[("csrf", &csrf), ("email", "nobody@example.com")],
        )
        .await;
    assert!(expect_page(response, StatusCode::OK)
        .await
        .contains("Check your email"));

    let token = queued_token(&app, "reset", "anna@example.com", "/reset-password").await;
    let (cookie, csrf) = form_token(&app, &format!("/reset-password?token={token}")).await;
    let weak = app
        .post_form(
            "/reset-password",
            Some(&cookie),
            &[("csrf", &csrf), ("token", &token), ("password", "short")],
        )
        .await;
    let html = expect_page(weak, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(html.contains("at least 10 characters"), "{html}");
    let new_password = "a brand new passphrase 7";
    let done = app
        .post_form(
            "/reset-password",
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("token", &token),
                ("password", new_password),
            ],
        )
        .await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&done), "/login?done=password_reset");
    let body = serde_json::json!({ "email": "anna@example.com", "password": new_password });
    app.api_post("/v1/sessions", None, &body, StatusCode::CREATED)
        .await;
    let old = serde_json::json!({ "email": "anna@example.com", "password": PASSWORD });
    app.api_post("/v1/sessions", None, &old, StatusCode::UNAUTHORIZED)
        .await;
}

#[sqlx::test]
async fn a_home_typed_at_sign_up_is_found_or_asked_about(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (cookie, csrf) = form_token(&app, "/signup").await;
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("display_name", "Dana Webb"),
        ("email", "dana@example.com"),
        ("password", PASSWORD),
        ("home", "Clifton"),
        ("next", ""),
    ];
    let response = app.post_form("/signup", Some(&cookie), &fields).await;
    let html = expect_page(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(html.contains("several places called"), "{html}");
    assert!(
        html.contains("Clifton, Bristol"),
        "the candidates are offered: {html}"
    );
    assert!(
        html.contains(r#"value="Clifton""#),
        "what was typed is kept: {html}"
    );

    fields[4] = ("home", "Clifton, Bristol");
    let response = app.post_form("/signup", Some(&cookie), &fields).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let home: (f64, f64) = sqlx::query_as("select lat, lon from people")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(
        (home.0 - 51.4555).abs() < 0.01 && (home.1 + 2.6178).abs() < 0.01,
        "{home:?}"
    );
}

#[sqlx::test]
async fn the_email_settings_page_turns_kinds_of_mail_off_and_on(pool: PgPool) {
    let app = spawn_app(pool).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    let html = app.html("/account/email", Some(&anna.cookie())).await;
    assert!(
        html.contains("anna@example.com") && html.contains("not confirmed yet"),
        "{html}"
    );
    assert!(
        html.contains(r#"name="referrals" value="on" checked"#),
        "{html}"
    );

    // Only "reminders" ticked: referrals off.
    let response = app
        .post_form(
            "/account/email",
            Some(&anna.cookie()),
            &[("csrf", &anna.csrf), ("reminders", "on")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let prefs = app
        .api(
            reqwest::Method::GET,
            "/v1/me/email-preferences",
            Some(&anna.token),
            &serde_json::Value::Null,
            StatusCode::OK,
        )
        .await;
    assert_eq!(prefs["wanted"]["referrals"], false);
    assert_eq!(prefs["wanted"]["reminders"], true);

    // A forged post (no CSRF token) changes nothing.
    let forged = app
        .post_form(
            "/account/email",
            Some(&anna.cookie()),
            &[("referrals", "on")],
        )
        .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
}
