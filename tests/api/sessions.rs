//! Logging in and out (`/v1/sessions`), and the two ways to present a session: a bearer token,
//! or the `vg_session` cookie (whose writes need `X-CSRF-Token`).

use reqwest::header::{COOKIE, SET_COOKIE};
use reqwest::{Method, StatusCode};
use serde_json::json;
use sqlx::PgPool;

use crate::common::{assert_problem, count, expect_json, spawn_app, TestApp, TestUser, PASSWORD};

fn session_cookie(user: &TestUser) -> String {
    format!("vg_session={}", user.token)
}

/// A trust request authenticated by cookie only, with an optional CSRF header.
async fn trust_by_cookie(
    app: &TestApp,
    truster: &TestUser,
    trustee: &TestUser,
    csrf: Option<&str>,
) -> reqwest::Response {
    let mut request = app
        .request(Method::PUT, &format!("/v1/trust/{}", trustee.id), None)
        .header(COOKIE, session_cookie(truster))
        .json(&json!({ "level": 2 }));
    if let Some(csrf) = csrf {
        request = request.header("X-CSRF-Token", csrf);
    }
    request.send().await.unwrap()
}

#[sqlx::test]
async fn logging_in_returns_a_token_and_csrf_token_and_sets_an_httponly_lax_cookie(pool: PgPool) {
    let app = spawn_app(pool).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    let body = json!({ "email": "anna@example.com", "password": PASSWORD });

    let response = app.post("/v1/sessions", None, &body).await;

    let cookie = response
        .headers()
        .get(SET_COOKIE)
        .expect("a session cookie is set")
        .to_str()
        .unwrap()
        .to_string();
    let session = expect_json(response, StatusCode::CREATED).await;
    let token = session["token"].as_str().unwrap();
    assert!(token.len() >= 32, "a token of real length: {token}");
    assert!(!session["csrf_token"].as_str().unwrap().is_empty());
    assert_eq!(session["person_id"], anna.id);
    assert!(session["expires_at"].is_string());
    assert!(
        cookie.starts_with(&format!("vg_session={token}")),
        "{cookie}"
    );
    let attributes: Vec<String> = cookie
        .split(';')
        .map(|a| a.trim().to_ascii_lowercase())
        .collect();
    assert!(attributes.contains(&"httponly".to_string()), "{cookie}");
    assert!(attributes.contains(&"samesite=lax".to_string()), "{cookie}");
    assert!(attributes.contains(&"path=/".to_string()), "{cookie}");
}

#[sqlx::test]
async fn logging_in_with_the_email_in_another_case_works(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.signup("Anna Berg", "anna@example.com").await;

    let session = app.login("Anna@Example.com", PASSWORD).await;

    assert!(session["token"].is_string());
}

#[sqlx::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_401(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.signup("Anna Berg", "anna@example.com").await;
    let sessions_before = count(&app.pool, "sessions").await;

    let wrong_password = json!({ "email": "anna@example.com", "password": "not the password" });
    let unknown_email = json!({ "email": "nobody@example.com", "password": PASSWORD });
    let first = app.post("/v1/sessions", None, &wrong_password).await;
    assert!(first.headers().get(SET_COOKIE).is_none());
    let first = assert_problem(first, StatusCode::UNAUTHORIZED).await;
    let second = assert_problem(
        app.post("/v1/sessions", None, &unknown_email).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;

    // The same body either way, so a login cannot be used to find out who has an account.
    assert_eq!(first, second);
    assert_eq!(count(&app.pool, "sessions").await, sessions_before);
}

#[sqlx::test]
async fn every_login_yields_a_new_token_and_each_one_works(pool: PgPool) {
    let app = spawn_app(pool).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;

    let second = app.login(&anna.email, &anna.password).await;
    let third = app.login(&anna.email, &anna.password).await;

    let tokens = [
        &anna.token,
        second["token"].as_str().unwrap(),
        third["token"].as_str().unwrap(),
    ];
    assert_ne!(tokens[0], tokens[1]);
    assert_ne!(tokens[1], tokens[2]);
    assert_ne!(tokens[0], tokens[2]);
    assert_ne!(second["csrf_token"], third["csrf_token"]);
    for token in tokens {
        let me = expect_json(app.get("/v1/me", Some(token)).await, StatusCode::OK).await;
        assert_eq!(me["id"], anna.id);
    }
}

#[sqlx::test]
async fn logging_out_revokes_the_token_on_the_server(pool: PgPool) {
    let app = spawn_app(pool).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    let other_session = app.login(&anna.email, PASSWORD).await;
    let other_token = other_session["token"].as_str().unwrap();

    let response = app.delete("/v1/sessions", Some(&anna.token)).await;

    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_problem(
        app.get("/v1/me", Some(&anna.token)).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_problem(
        app.delete("/v1/sessions", Some(&anna.token)).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    // Only that session ends: the one from the other login still works.
    expect_json(app.get("/v1/me", Some(other_token)).await, StatusCode::OK).await;
}

#[sqlx::test]
async fn logging_out_by_cookie_needs_the_csrf_token_and_clears_the_cookie(pool: PgPool) {
    let app = spawn_app(pool).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    let logout = |csrf: Option<&str>| {
        let mut request = app
            .request(Method::DELETE, "/v1/sessions", None)
            .header(COOKIE, session_cookie(&anna));
        if let Some(csrf) = csrf {
            request = request.header("X-CSRF-Token", csrf.to_string());
        }
        request.send()
    };

    // A foreign page could make the browser send the cookie, but not the CSRF token.
    assert_problem(logout(None).await.unwrap(), StatusCode::FORBIDDEN).await;
    expect_json(app.get("/v1/me", Some(&anna.token)).await, StatusCode::OK).await;
    let response = logout(Some(&anna.csrf)).await.unwrap();

    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let cleared = response
        .headers()
        .get(SET_COOKIE)
        .expect("logout clears the cookie")
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(cleared.starts_with("vg_session=;"), "{cleared}");
    assert!(
        cleared.contains("max-age=0") || cleared.contains("expires="),
        "{cleared}"
    );
    assert_problem(
        app.get("/v1/me", Some(&anna.token)).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}

#[sqlx::test]
async fn a_garbage_bearer_token_is_a_401(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.signup("Anna Berg", "anna@example.com").await;

    for token in [
        "garbage",
        "",
        "a-very-long-token-that-was-never-issued-0000000000",
    ] {
        let response = app.get("/v1/me", Some(token)).await;
        assert_problem(response, StatusCode::UNAUTHORIZED).await;
    }
    let basic = app
        .client
        .get(app.url("/v1/me"))
        .basic_auth("anna@example.com", Some(PASSWORD))
        .send()
        .await
        .unwrap();
    assert_problem(basic, StatusCode::UNAUTHORIZED).await;
}

#[sqlx::test]
async fn a_garbage_token_is_a_401_even_on_routes_open_to_anonymous_visitors(pool: PgPool) {
    let app = spawn_app(pool).await;

    let response = app.get("/v1/search?trade=tiler", Some("garbage")).await;

    assert_problem(response, StatusCode::UNAUTHORIZED).await;
}

#[sqlx::test]
async fn the_session_cookie_authenticates_reads(pool: PgPool) {
    let app = spawn_app(pool).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;

    let response = app
        .client
        .get(app.url("/v1/me"))
        .header(COOKIE, session_cookie(&anna))
        .send()
        .await
        .unwrap();

    let me = expect_json(response, StatusCode::OK).await;
    assert_eq!(me["id"], anna.id);
}

#[sqlx::test]
async fn a_cookie_authenticated_write_without_the_csrf_token_is_a_403_and_writes_nothing(
    pool: PgPool,
) {
    let app = spawn_app(pool).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    let ben = app.signup("Ben Okoro", "ben@example.com").await;
    let changes_before = count(&app.pool, "graph_changes").await;

    let missing = trust_by_cookie(&app, &anna, &ben, None).await;
    assert_problem(missing, StatusCode::FORBIDDEN).await;
    let wrong = trust_by_cookie(&app, &anna, &ben, Some("not-the-csrf-token")).await;
    assert_problem(wrong, StatusCode::FORBIDDEN).await;
    // Another session's CSRF token does not fit this session.
    let ben_csrf = trust_by_cookie(&app, &anna, &ben, Some(&ben.csrf)).await;
    assert_problem(ben_csrf, StatusCode::FORBIDDEN).await;

    assert_eq!(count(&app.pool, "trust_edges").await, 0);
    assert_eq!(count(&app.pool, "graph_changes").await, changes_before);
}

#[sqlx::test]
async fn a_cookie_authenticated_write_with_the_csrf_token_succeeds(pool: PgPool) {
    let app = spawn_app(pool).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    let ben = app.signup("Ben Okoro", "ben@example.com").await;

    let response = trust_by_cookie(&app, &anna, &ben, Some(&anna.csrf)).await;

    let edge = expect_json(response, StatusCode::OK).await;
    assert_eq!(edge["person_id"], ben.id);
    assert_eq!(count(&app.pool, "trust_edges").await, 1);
}

#[sqlx::test]
async fn a_bearer_authenticated_write_needs_no_csrf_token(pool: PgPool) {
    let app = spawn_app(pool).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    let ben = app.signup("Ben Okoro", "ben@example.com").await;

    let path = format!("/v1/trust/{}", ben.id);
    let response = app
        .put(&path, Some(&anna.token), &json!({ "level": 2 }))
        .await;

    expect_json(response, StatusCode::OK).await;
}

#[sqlx::test]
async fn a_login_missing_the_password_is_a_422(pool: PgPool) {
    let app = spawn_app(pool).await;

    let response = app
        .post(
            "/v1/sessions",
            None,
            &json!({ "email": "anna@example.com" }),
        )
        .await;

    assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(count(&app.pool, "sessions").await, 0);
}

#[sqlx::test]
async fn an_expired_session_is_a_401(pool: PgPool) {
    let app = spawn_app(pool).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;

    sqlx::query("update sessions set expires_at = now() - interval '1 second'")
        .execute(&app.pool)
        .await
        .unwrap();

    assert_problem(
        app.get("/v1/me", Some(&anna.token)).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}

#[sqlx::test]
async fn sessions_are_stored_as_hashes_not_tokens(pool: PgPool) {
    let app = spawn_app(pool).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;

    let stored: Vec<Vec<u8>> = sqlx::query_scalar("select token_hash from sessions")
        .fetch_all(&app.pool)
        .await
        .unwrap();

    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].len(), 32, "a SHA-256");
    assert_ne!(stored[0], anna.token.as_bytes());
}

#[sqlx::test]
async fn password_guessing_on_one_account_is_throttled_with_a_429_and_retry_after(pool: PgPool) {
    let app = crate::common::spawn_app_with(pool, |config| {
        config.login_limits = vouchgraph::auth::throttle::LoginLimits {
            per_account: 3,
            per_ip: 1000,
        };
    })
    .await;
    let anna = app.signup("Anna", "anna@example.com").await; // one attempt: the sign-up's login
    let wrong = serde_json::json!({ "email": "anna@example.com", "password": "not her password" });
    for _ in 0..2 {
        let response = app.post("/v1/sessions", None, &wrong).await;
        assert_eq!(response.status(), reqwest::StatusCode::UNAUTHORIZED);
    }
    // The fourth attempt on the account is refused before the password is even checked,
    // the right password included.
    let right = serde_json::json!({ "email": "anna@example.com", "password": anna.password });
    let response = app.post("/v1/sessions", None, &right).await;
    assert!(response.headers().contains_key("retry-after"));
    crate::common::assert_problem(response, reqwest::StatusCode::TOO_MANY_REQUESTS).await;
    // Another account from the same address is not affected.
    app.signup("Ben", "ben@example.com").await;
}
