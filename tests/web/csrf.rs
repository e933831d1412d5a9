//! Forms must carry the session's CSRF token (or, before sign-in, the form cookie's): a post
//! without it is a 403 page and writes nothing.

use reqwest::StatusCode;
use sqlx::PgPool;

use crate::common::{count, spawn_app, PASSWORD};
use crate::helpers::{csrf_field, expect_page, location, set_cookie};

#[sqlx::test]
async fn signing_up_through_the_form_starts_a_session(pool: PgPool) {
    let app = spawn_app(pool).await;
    let page = app.page("/signup", None).await;
    let form_cookie = set_cookie(&page, "vg_form").expect("the sign-up page sets the form cookie");
    let html = expect_page(page, StatusCode::OK).await;
    let token = csrf_field(&html);
    assert_eq!(token, form_cookie);

    let cookie = format!("vg_form={form_cookie}");
    let fields = [
        ("csrf", token.as_str()),
        ("display_name", "Dana Webb"),
        ("email", "dana@example.com"),
        ("password", PASSWORD),
        ("lat", "51.47"),
        ("lon", "-2.6"),
        ("next", ""),
    ];
    let response = app.post_form("/signup", Some(&cookie), &fields).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/circle?done=welcome");
    let session = set_cookie(&response, "vg_session").expect("a session cookie");
    let circle = app
        .html(
            "/circle?done=welcome",
            Some(&format!("vg_session={session}")),
        )
        .await;
    assert!(circle.contains("Dana Webb"));
    assert!(circle.contains("Welcome to vouchgraph!"));
    let home: (Option<f64>, Option<f64>) = sqlx::query_as("select lat, lon from people")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(home, (Some(51.47), Some(-2.6)));
}

#[sqlx::test]
async fn an_address_already_taken_is_told_beside_the_field_with_a_link_to_log_in(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.signup("Dana Webb", "dana@example.com").await;
    let page = app.page("/signup?next=/requests", None).await;
    let form_cookie = set_cookie(&page, "vg_form").expect("a form cookie");
    let cookie = format!("vg_form={form_cookie}");
    let fields = [
        ("csrf", form_cookie.as_str()),
        ("display_name", "Dana Again"),
        ("email", "DANA@example.com"),
        ("password", PASSWORD),
        ("next", "/requests"),
    ];
    let response = app.post_form("/signup", Some(&cookie), &fields).await;
    assert!(response.status().is_client_error(), "{}", response.status());
    let html = response.text().await.unwrap();
    assert!(html.contains("id=\"email-error\""), "{html}");
    assert!(
        html.contains("<a href=\"/login?next=/requests\">log in instead</a>"),
        "{html}"
    );
}

#[sqlx::test]
async fn a_sign_up_posted_without_the_form_cookie_is_refused(pool: PgPool) {
    let app = spawn_app(pool).await;
    let fields = [
        ("csrf", "forged"),
        ("display_name", "Mallory"),
        ("email", "mallory@example.com"),
        ("password", PASSWORD),
    ];
    let response = app.post_form("/signup", None, &fields).await;
    let html = expect_page(response, StatusCode::FORBIDDEN).await;
    assert!(html.contains("This form has expired"));
    assert_eq!(count(&app.pool, "accounts").await, 0);
}

#[sqlx::test]
async fn a_bad_password_on_the_login_form_shows_the_form_again(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.signup("Anna Berg", "anna@example.com").await;
    let page = app.page("/login", None).await;
    let form_cookie = set_cookie(&page, "vg_form").unwrap();
    let cookie = format!("vg_form={form_cookie}");
    let fields = [
        ("csrf", form_cookie.as_str()),
        ("email", "anna@example.com"),
        ("password", "wrong password"),
    ];
    let response = app.post_form("/login", Some(&cookie), &fields).await;
    assert!(set_cookie(&response, "vg_session").is_none());
    let html = expect_page(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(html.contains("The email or password is wrong."));
    assert!(html.contains(r#"value="anna@example.com""#));

    let fields = [
        ("csrf", form_cookie.as_str()),
        ("email", "anna@example.com"),
        ("password", PASSWORD),
        ("next", "/network"),
    ];
    let response = app.post_form("/login", Some(&cookie), &fields).await;
    assert_eq!(location(&response), "/network");
    assert!(set_cookie(&response, "vg_session").is_some());
}

#[sqlx::test]
async fn with_nowhere_asked_for_a_business_owner_lands_on_their_dashboard_and_others_on_search(
    pool: PgPool,
) {
    let app = spawn_app(pool).await;
    let mario = app.signup("Mario Rossi", "mario@example.com").await;
    let business = app.create_provider(&mario, "Rossi Tiling").await;
    app.signup("Anna Berg", "anna@example.com").await;
    for (email, next, landing) in [
        (
            "mario@example.com",
            None,
            format!("/providers/{business}/dashboard"),
        ),
        ("anna@example.com", None, "/search".to_string()),
        (
            "mario@example.com",
            Some("/network"),
            "/network".to_string(),
        ),
    ] {
        let page = app
            .page(
                &format!(
                    "/login{}",
                    next.map(|n| format!("?next={n}")).unwrap_or_default()
                ),
                None,
            )
            .await;
        let form_cookie = set_cookie(&page, "vg_form").unwrap();
        let html = page.text().await.unwrap();
        // The form carries where the visitor was going, or nothing.
        let carried = html
            .split("name=\"next\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_default()
            .to_string();
        assert_eq!(carried, next.unwrap_or_default(), "{html}");
        let cookie = format!("vg_form={form_cookie}");
        let fields = [
            ("csrf", form_cookie.as_str()),
            ("email", email),
            ("password", PASSWORD),
            ("next", carried.as_str()),
        ];
        let response = app.post_form("/login", Some(&cookie), &fields).await;
        assert_eq!(location(&response), landing, "{email} with {next:?}");
    }
}

#[sqlx::test]
async fn a_form_without_the_sessions_csrf_token_is_refused_and_writes_nothing(pool: PgPool) {
    let app = spawn_app(pool).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    let ben = app.signup("Ben Okoro", "ben@example.com").await;
    let cookie = anna.cookie();
    let ben_id = ben.id.to_string();

    // No csrf field at all, as a cross-site form would post.
    let fields = [
        ("person_id", ben_id.as_str()),
        ("level", "3"),
        ("visibility", "public"),
    ];
    let response = app.post_form("/circle/trust", Some(&cookie), &fields).await;
    expect_page(response, StatusCode::FORBIDDEN).await;
    // Another session's token.
    let fields = [
        ("csrf", ben.csrf.as_str()),
        ("person_id", ben_id.as_str()),
        ("level", "3"),
        ("visibility", "public"),
    ];
    let response = app.post_form("/circle/trust", Some(&cookie), &fields).await;
    expect_page(response, StatusCode::FORBIDDEN).await;
    // Even a malformed body is refused for its missing token first.
    let response = app
        .post_form("/circle/trust", Some(&cookie), &[("level", "lots")])
        .await;
    expect_page(response, StatusCode::FORBIDDEN).await;
    assert_eq!(count(&app.pool, "trust_edges").await, 0);

    // The token the circle page put in its forms works.
    let html = app.html("/circle", Some(&cookie)).await;
    let token = csrf_field(&html);
    assert_eq!(token, anna.csrf);
    let fields = [
        ("csrf", token.as_str()),
        ("person_id", ben_id.as_str()),
        ("level", "3"),
        ("visibility", "public"),
    ];
    let response = app.post_form("/circle/trust", Some(&cookie), &fields).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/circle?done=trusted");
    assert_eq!(count(&app.pool, "trust_edges").await, 1);
}

#[sqlx::test]
async fn logging_out_needs_the_token_and_ends_the_session(pool: PgPool) {
    let app = spawn_app(pool).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    let cookie = anna.cookie();
    let response = app.post_form("/logout", Some(&cookie), &[]).await;
    expect_page(response, StatusCode::FORBIDDEN).await;
    assert_eq!(count(&app.pool, "sessions").await, 1);

    let response = app
        .post_form("/logout", Some(&cookie), &[("csrf", anna.csrf.as_str())])
        .await;
    assert_eq!(location(&response), "/?done=logged-out");
    assert_eq!(count(&app.pool, "sessions").await, 0);
    let response = app.page("/circle", Some(&cookie)).await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "the old cookie no longer signs in"
    );
}
