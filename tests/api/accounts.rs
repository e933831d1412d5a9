//! Sign-up (`POST /v1/accounts`) and the signed-in account (`GET /v1/me`).

use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::common::{
    assert_invalid_field, assert_problem, count, expect_json, spawn_app, TestApp, PASSWORD,
};

fn sign_up_body() -> Value {
    json!({
        "email": "anna@example.com",
        "password": PASSWORD,
        "display_name": "Anna Berg",
        "lat": 51.5,
        "lon": -0.12,
    })
}

/// Asserts that neither a person nor an account was written.
async fn assert_nothing_written(app: &TestApp) {
    assert_eq!(count(&app.pool, "people").await, 0, "a person was written");
    assert_eq!(
        count(&app.pool, "accounts").await,
        0,
        "an account was written"
    );
    assert_eq!(
        count(&app.pool, "graph_changes").await,
        0,
        "a change was recorded"
    );
}

#[sqlx::test]
async fn signing_up_returns_201_and_the_account_is_then_shown_at_me(pool: PgPool) {
    let app = spawn_app(pool).await;

    let response = app.post("/v1/accounts", None, &sign_up_body()).await;

    let account = expect_json(response, StatusCode::CREATED).await;
    assert_eq!(account["email"], "anna@example.com");
    assert_eq!(account["display_name"], "Anna Berg");
    assert_eq!(account["lat"], 51.5);
    assert_eq!(account["lon"], -0.12);
    assert_eq!(account["providers"], json!([]));
    assert!(account.get("password").is_none() && account.get("password_hash").is_none());
    let session = app.login("anna@example.com", PASSWORD).await;
    let token = session["token"].as_str().unwrap();
    let me = expect_json(app.get("/v1/me", Some(token)).await, StatusCode::OK).await;
    assert_eq!(me["id"], account["id"]);
    assert_eq!(me["email"], "anna@example.com");
    assert_eq!(count(&app.pool, "people").await, 1);
    assert_eq!(count(&app.pool, "accounts").await, 1);
}

#[sqlx::test]
async fn a_sign_up_email_is_stored_trimmed_and_lower_cased(pool: PgPool) {
    let app = spawn_app(pool).await;
    let mut body = sign_up_body();
    body["email"] = json!("  Anna@Example.COM ");

    let response = app.post("/v1/accounts", None, &body).await;

    let account = expect_json(response, StatusCode::CREATED).await;
    assert_eq!(account["email"], "anna@example.com");
    app.login("anna@example.com", PASSWORD).await;
}

#[sqlx::test]
async fn signing_up_twice_with_the_same_email_in_any_case_is_a_409(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.signup("Anna Berg", "anna@example.com").await;

    for email in ["anna@example.com", "ANNA@Example.com"] {
        let mut body = sign_up_body();
        body["email"] = json!(email);
        body["display_name"] = json!("Another Anna");

        let response = app.post("/v1/accounts", None, &body).await;

        let problem = assert_problem(response, StatusCode::CONFLICT).await;
        assert!(
            problem["detail"].as_str().unwrap().contains("email"),
            "{problem}"
        );
    }
    assert_eq!(count(&app.pool, "accounts").await, 1);
    // The refused sign-ups must not leave orphan people behind either.
    assert_eq!(count(&app.pool, "people").await, 1);
}

#[sqlx::test]
async fn an_invalid_sign_up_is_a_422_naming_the_field_and_writes_nothing(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cases: [(&str, Value, &str); 7] = [
        ("email", json!("not-an-email"), "a malformed email"),
        (
            "email",
            json!("anna@localhost"),
            "an email without a dotted domain",
        ),
        (
            "password",
            json!("short1"),
            "a password under 10 characters",
        ),
        ("password", json!("password123"), "a common password"),
        (
            "password",
            json!("anna@example.com"),
            "the email as password",
        ),
        ("display_name", json!("   "), "a blank name"),
        (
            "display_name",
            json!("x".repeat(101)),
            "a name over 100 characters",
        ),
    ];
    for (field, value, case) in cases {
        let mut body = sign_up_body();
        body[field] = value;

        let response = app.post("/v1/accounts", None, &body).await;

        let problem = assert_invalid_field(response, field).await;
        assert_eq!(
            problem["type"], "https://vouchgraph.dev/problems/validation-failed",
            "{case}"
        );
    }
    assert_nothing_written(&app).await;
}

#[sqlx::test]
async fn a_home_location_out_of_range_or_half_given_is_a_422_naming_the_field(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cases: [(Value, &str); 4] = [
        (json!({ "lat": 200.0, "lon": 0.0 }), "lat"),
        (json!({ "lat": 0.0, "lon": -181.0 }), "lon"),
        (json!({ "lat": 51.5 }), "lat"),
        (json!({ "lon": -0.12 }), "lat"),
    ];
    for (location, field) in cases {
        let mut body = sign_up_body();
        body.as_object_mut().unwrap().remove("lat");
        body.as_object_mut().unwrap().remove("lon");
        for (key, value) in location.as_object().unwrap() {
            body[key] = value.clone();
        }

        let response = app.post("/v1/accounts", None, &body).await;

        assert_invalid_field(response, field).await;
    }
    assert_nothing_written(&app).await;
}

#[sqlx::test]
async fn every_invalid_field_is_named_in_one_422(pool: PgPool) {
    let app = spawn_app(pool).await;
    let body = json!({ "email": "nope", "password": "short", "display_name": "", "lat": 200.0, "lon": 0.0 });

    let response = app.post("/v1/accounts", None, &body).await;

    let problem = assert_invalid_field(response, "email").await;
    for field in ["password", "display_name", "lat"] {
        crate::common::assert_names_field(&problem, field);
    }
    assert_nothing_written(&app).await;
}

#[sqlx::test]
async fn a_sign_up_that_is_not_valid_json_is_a_400(pool: PgPool) {
    let app = spawn_app(pool).await;

    let response = app
        .post_raw(
            "/v1/accounts",
            "application/json",
            b"{\"email\": \"anna@".to_vec(),
        )
        .await;

    assert_problem(response, StatusCode::BAD_REQUEST).await;
    assert_nothing_written(&app).await;
}

#[sqlx::test]
async fn a_sign_up_sent_as_a_form_is_a_415(pool: PgPool) {
    let app = spawn_app(pool).await;
    let form = b"email=anna%40example.com&password=tiles+and+grout+42&display_name=Anna".to_vec();

    let response = app
        .post_raw("/v1/accounts", "application/x-www-form-urlencoded", form)
        .await;

    assert_problem(response, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    assert_nothing_written(&app).await;
}

#[sqlx::test]
async fn a_sign_up_without_a_content_type_is_a_415(pool: PgPool) {
    let app = spawn_app(pool).await;
    let body = serde_json::to_vec(&sign_up_body()).unwrap();

    let response = app
        .client
        .post(app.url("/v1/accounts"))
        .body(body)
        .send()
        .await
        .unwrap();

    assert_problem(response, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    assert_nothing_written(&app).await;
}

#[sqlx::test]
async fn a_body_over_64_kib_is_a_413(pool: PgPool) {
    let app = spawn_app(pool).await;
    let mut body = sign_up_body();
    // Valid JSON, just too big: the limit is checked before parsing.
    body["display_name"] = json!("x".repeat(70 * 1024));

    let response = app
        .post_raw(
            "/v1/accounts",
            "application/json",
            serde_json::to_vec(&body).unwrap(),
        )
        .await;

    assert_problem(response, StatusCode::PAYLOAD_TOO_LARGE).await;
    assert_nothing_written(&app).await;
}

#[sqlx::test]
async fn a_sign_up_with_an_unknown_field_is_a_422(pool: PgPool) {
    let app = spawn_app(pool).await;
    let mut body = sign_up_body();
    body["is_admin"] = json!(true);

    let response = app.post("/v1/accounts", None, &body).await;

    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(
        problem["detail"].as_str().unwrap().contains("is_admin"),
        "{problem}"
    );
    assert_nothing_written(&app).await;
}

#[sqlx::test]
async fn a_sign_up_missing_a_required_field_is_a_422(pool: PgPool) {
    let app = spawn_app(pool).await;
    let mut body = sign_up_body();
    body.as_object_mut().unwrap().remove("password");

    let response = app.post("/v1/accounts", None, &body).await;

    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(
        problem["detail"].as_str().unwrap().contains("password"),
        "{problem}"
    );
    assert_nothing_written(&app).await;
}

#[sqlx::test]
async fn me_without_a_session_is_a_401(pool: PgPool) {
    let app = spawn_app(pool).await;

    let response = app.get("/v1/me", None).await;

    assert!(response.headers().contains_key("www-authenticate"));
    assert_problem(response, StatusCode::UNAUTHORIZED).await;
}

#[sqlx::test]
async fn me_lists_the_providers_the_account_owns(pool: PgPool) {
    let app = spawn_app(pool).await;
    let olga = app.signup("Olga Rossi", "olga@example.com").await;
    let (lat, lon) = crate::common::LONDON;
    let provider = app
        .create_provider(&olga, "Rossi Tiling", &["tiler"], lat, lon, 20.0)
        .await;

    let me = expect_json(app.get("/v1/me", Some(&olga.token)).await, StatusCode::OK).await;

    assert_eq!(me["providers"], json!([provider]));
}

#[sqlx::test]
async fn of_simultaneous_sign_ups_with_one_email_exactly_one_succeeds(pool: PgPool) {
    let app = spawn_app(pool).await;
    let bodies: Vec<Value> = (0..4)
        .map(|i| {
            let mut body = sign_up_body();
            body["display_name"] = json!(format!("Anna {i}"));
            body
        })
        .collect();

    let responses = futures::future::join_all(
        bodies
            .iter()
            .map(|body| app.post("/v1/accounts", None, body)),
    )
    .await;

    let mut statuses: Vec<u16> = responses.iter().map(|r| r.status().as_u16()).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409, 409, 409]);
    assert_eq!(count(&app.pool, "accounts").await, 1);
    assert_eq!(count(&app.pool, "people").await, 1);
}

#[sqlx::test]
async fn a_person_changes_their_profile_and_password_through_the_api(pool: PgPool) {
    let app = crate::common::spawn_app(pool).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    let body = serde_json::json!({ "display_name": "Anna Berg-Lund", "home": "BS6" });
    let me = crate::common::expect_json(
        app.patch("/v1/me", Some(&anna.token), &body).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(me["display_name"], "Anna Berg-Lund");
    assert!(me["lat"].is_number(), "{me}");
    // Ambiguous or empty: 422s on their fields.
    let body = serde_json::json!({ "display_name": "", "home": "Clifton" });
    let problem = crate::common::assert_problem(
        app.patch("/v1/me", Some(&anna.token), &body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    crate::common::assert_names_field(&problem, "display_name");
    crate::common::assert_names_field(&problem, "home");
    let body = serde_json::json!({ "display_name": "Anna", "clear_home": true });
    let me = crate::common::expect_json(
        app.patch("/v1/me", Some(&anna.token), &body).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(me["lat"], serde_json::Value::Null);

    let wrong = serde_json::json!({ "current_password": "nope", "new_password": "a much better password 7" });
    crate::common::assert_invalid_field(
        app.post("/v1/me/password", Some(&anna.token), &wrong).await,
        "current_password",
    )
    .await;
    let weak =
        serde_json::json!({ "current_password": crate::common::PASSWORD, "new_password": "short" });
    crate::common::assert_invalid_field(
        app.post("/v1/me/password", Some(&anna.token), &weak).await,
        "new_password",
    )
    .await;
    let good = serde_json::json!({ "current_password": crate::common::PASSWORD, "new_password": "a much better password 7" });
    let session = crate::common::expect_json(
        app.post("/v1/me/password", Some(&anna.token), &good).await,
        StatusCode::CREATED,
    )
    .await;
    // The old token ends; the new one works; the new password logs in.
    assert_eq!(
        app.get("/v1/me", Some(&anna.token)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let fresh = session["token"].as_str().unwrap();
    assert_eq!(
        app.get("/v1/me", Some(fresh)).await.status(),
        StatusCode::OK
    );
    app.login("anna@example.com", "a much better password 7")
        .await;
}
