//! Text that Postgres cannot store (a NUL byte) is a 4xx wherever a caller can send it, never a
//! 500. Found by schemathesis on `POST /v1/sessions` (see docs/reliability.md).

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::common::{spawn_app, LONDON};

/// Which requests to send: all but the ones known to answer 500 (`known_500s`), or only those.
#[derive(PartialEq)]
enum Cases {
    Answered4xx,
    Known500,
}

/// A NUL byte in a vouch note, a referral note or a partner name reaches Postgres, which
/// refuses it with SQLSTATE 22021 (character_not_in_repertoire); the error mapping answers
/// that with a 422, never a 500.
#[sqlx::test]
async fn a_nul_byte_in_notes_and_partner_names_is_a_client_error(pool: PgPool) {
    nul_bytes(pool, Cases::Known500).await;
}

#[sqlx::test]
async fn a_nul_byte_in_a_login_sign_up_or_provider_is_a_client_error(pool: PgPool) {
    nul_bytes(pool, Cases::Answered4xx).await;
}

async fn nul_bytes(pool: PgPool, which: Cases) {
    let app = spawn_app(pool).await;
    let owner = app.signup("Nul Owner", "nul-owner@sec.test").await;
    let friend = app.signup("Nul Friend", "nul-friend@sec.test").await;
    let (lat, lon) = LONDON;
    let provider = app
        .create_provider(&owner, "Nul Tiling", &["tiler"], lat, lon, 20.0)
        .await;
    let nul = "a\u{0}b";
    let cases: Vec<(bool, Method, String, Option<&str>, Value)> = vec![
        (
            false,
            Method::POST,
            "/v1/sessions".into(),
            None,
            json!({ "email": nul, "password": "tiles and grout 42" }),
        ),
        (
            false,
            Method::POST,
            "/v1/sessions".into(),
            None,
            json!({ "email": "nul-owner@sec.test", "password": "tiles and grout 42\u{0}" }),
        ),
        (
            false,
            Method::POST,
            "/v1/accounts".into(),
            None,
            json!({ "email": "x\u{0}@sec.test", "password": "tiles and grout 42", "display_name": "X" }),
        ),
        (
            false,
            Method::POST,
            "/v1/accounts".into(),
            None,
            json!({ "email": "y@sec.test", "password": "tiles and grout 42", "display_name": nul }),
        ),
        (
            true,
            Method::PUT,
            format!("/v1/providers/{provider}/vouches/tiler"),
            Some(&friend.token),
            json!({ "stance": "recommend", "note": nul, "visibility": "public" }),
        ),
        (
            false,
            Method::POST,
            "/v1/providers".into(),
            Some(&friend.token),
            json!({ "name": nul, "description": nul, "trades": ["tiler"], "lat": lat, "lon": lon, "radius_km": 5.0 }),
        ),
        (
            false,
            Method::PATCH,
            format!("/v1/providers/{provider}"),
            Some(&owner.token),
            json!({ "name": nul }),
        ),
        (
            true,
            Method::POST,
            "/v1/referrals".into(),
            Some(&friend.token),
            json!({ "provider_id": provider, "trade": "tiler", "recipient_email": "z@sec.test", "note": nul }),
        ),
        (
            true,
            Method::POST,
            "/v1/partners".into(),
            Some(&owner.token),
            json!({ "name": nul, "allowed_origins": ["https://shop.example"] }),
        ),
    ];
    let mut failures = Vec::new();
    for (known_500, method, path, token, body) in cases {
        if known_500 != (which == Cases::Known500) {
            continue;
        }
        let response = app
            .request(method.clone(), &path, token)
            .json(&body)
            .send()
            .await
            .expect("sent");
        let status = response.status();
        if !status.is_client_error() {
            let text = response.text().await.unwrap_or_default();
            failures.push(format!("{method} {path} {body} -> {status}: {text}"));
        }
    }
    if which == Cases::Known500 {
        assert!(failures.is_empty(), "not a 4xx:\n{}", failures.join("\n"));
        return;
    }
    let people = app.get("/v1/people?q=ab%00cd", Some(&owner.token)).await;
    if !people.status().is_client_error() {
        failures.push(format!("GET /v1/people?q=ab%00cd -> {}", people.status()));
    }
    let search = app
        .get(
            &format!("/v1/search?trade=ti%00ler&lat={lat}&lon={lon}"),
            None,
        )
        .await;
    if search.status() != StatusCode::OK && !search.status().is_client_error() {
        failures.push(format!(
            "GET /v1/search with a NUL trade -> {}",
            search.status()
        ));
    }
    assert!(failures.is_empty(), "not a 4xx:\n{}", failures.join("\n"));
}
