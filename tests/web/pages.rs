//! Every page renders, carries the security headers, and asks for a session when it needs one.

use reqwest::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use reqwest::StatusCode;
use sqlx::PgPool;

use crate::common::spawn_app;
use crate::helpers::{expect_page, location};

#[sqlx::test]
async fn the_home_page_has_a_search_form_and_a_strict_content_security_policy(pool: PgPool) {
    let app = spawn_app(pool).await;
    let response = app.page("/", None).await;
    let csp = response.headers()[CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_string();
    let cache = response.headers()[CACHE_CONTROL]
        .to_str()
        .unwrap()
        .to_string();
    let html = expect_page(response, StatusCode::OK).await;
    assert!(html.contains(r#"<form class="card search-card" method="get" action="/search">"#));
    assert!(html.contains(r#"<option value="tiler" selected>Tiler</option>"#));
    assert!(html.contains(r#"<html lang="en">"#));
    // No inline script or style is allowed, and pages stay out of shared caches.
    assert!(
        csp.contains("script-src 'self'") && csp.contains("style-src 'self'"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(cache, "private, no-store");
    assert!(!html.contains("<script>"), "an inline script");
    assert!(!html.contains("style=\""), "an inline style");
}

#[sqlx::test]
async fn the_stylesheet_and_script_are_served_from_the_binary(pool: PgPool) {
    let app = spawn_app(pool).await;
    for (path, kind) in [
        ("/static/app.css", "text/css"),
        ("/static/app.js", "text/javascript"),
        ("/static/icon.svg", "image/svg+xml"),
    ] {
        let response = app.page(path, None).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let content_type = response.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .to_string();
        assert!(content_type.starts_with(kind), "{path}: {content_type}");
    }
    let missing = app.page("/static/nothing.css", None).await;
    expect_page(missing, StatusCode::NOT_FOUND).await;
}

#[sqlx::test]
async fn pages_that_need_a_session_send_visitors_to_log_in_and_back(pool: PgPool) {
    let app = spawn_app(pool).await;
    for path in [
        "/circle",
        "/network",
        "/referrals",
        "/inbox",
        "/providers/1/dashboard",
    ] {
        let response = app.page(path, None).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(location(&response), format!("/login?next={path}"), "{path}");
    }
    let response = app.page("/circle?q=Matt Hughes", None).await;
    assert_eq!(
        location(&response),
        "/login?next=/circle%3Fq%3DMatt%2520Hughes"
    );
}

#[sqlx::test]
async fn a_stale_session_cookie_makes_an_anonymous_visitor_not_an_error(pool: PgPool) {
    let app = spawn_app(pool).await;
    let html = app.html("/", Some("vg_session=not-a-session")).await;
    assert!(html.contains(r#"<a href="/login""#));
}

#[sqlx::test]
async fn unknown_providers_and_bad_ids_are_404_pages(pool: PgPool) {
    let app = spawn_app(pool).await;
    expect_page(
        app.page("/providers/999", None).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    expect_page(
        app.page("/providers/abc", None).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[sqlx::test]
async fn an_unknown_trade_is_explained_on_the_search_page(pool: PgPool) {
    let app = spawn_app(pool).await;
    let response = app.page("/search?trade=wizard", None).await;
    let html = expect_page(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(html.contains("There is no trade called “wizard”"));
}
