//! One account can never change another's trust edges, vouches or providers. No route takes
//! the owner's id: the owner is always the caller. These tests aim the same URLs at another
//! account's data and check that only the caller's own rows could be touched.

use reqwest::StatusCode;
use serde_json::json;
use sqlx::PgPool;

use crate::common::{assert_problem, count, expect_json, spawn_app, LONDON};

#[sqlx::test]
async fn deleting_a_vouch_by_its_url_only_ever_deletes_your_own(pool: PgPool) {
    let app = spawn_app(pool).await;
    let olga = app.signup("Olga Rossi", "olga@example.com").await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    let mallory = app.signup("Mallory Jones", "mallory@example.com").await;
    let (lat, lon) = LONDON;
    let provider = app
        .create_provider(&olga, "Rossi Tiling", &["tiler"], lat, lon, 25.0)
        .await;
    app.vouch(&anna, provider, "tiler", "recommend", "public")
        .await;

    let path = format!("/v1/providers/{provider}/vouches/tiler");
    let response = app.delete(&path, Some(&mallory.token)).await;

    // Mallory has no vouch there, so there is nothing of hers to delete.
    assert_problem(response, StatusCode::NOT_FOUND).await;
    let listed = app.visible_vouches(provider, None).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["person_id"], anna.id);
    assert_eq!(count(&app.pool, "vouches").await, 1);
}

#[sqlx::test]
async fn vouching_at_the_same_url_adds_your_own_vouch_and_leaves_theirs(pool: PgPool) {
    let app = spawn_app(pool).await;
    let olga = app.signup("Olga Rossi", "olga@example.com").await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    let mallory = app.signup("Mallory Jones", "mallory@example.com").await;
    let (lat, lon) = LONDON;
    let provider = app
        .create_provider(&olga, "Rossi Tiling", &["tiler"], lat, lon, 25.0)
        .await;
    app.vouch(&anna, provider, "tiler", "recommend", "public")
        .await;

    app.vouch(&mallory, provider, "tiler", "warn", "public")
        .await;

    let listed = app.visible_vouches(provider, None).await;
    let annas = listed
        .iter()
        .find(|v| v["person_id"] == anna.id)
        .expect("Anna's vouch");
    assert_eq!(annas["stance"], "recommend");
    let mallorys = listed
        .iter()
        .find(|v| v["person_id"] == mallory.id)
        .expect("Mallory's");
    assert_eq!(mallorys["stance"], "warn");
}

#[sqlx::test]
async fn revoking_trust_by_its_url_only_ever_revokes_your_own_edge(pool: PgPool) {
    let app = spawn_app(pool).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    let ben = app.signup("Ben Okoro", "ben@example.com").await;
    let mallory = app.signup("Mallory Jones", "mallory@example.com").await;
    // Anna -> Ben, level 3, public
    app.trust(&anna, &ben, 3, "public").await;

    let path = format!("/v1/trust/{}", ben.id);
    let response = app.delete(&path, Some(&mallory.token)).await;

    assert_problem(response, StatusCode::NOT_FOUND).await;
    let annas = expect_json(
        app.get("/v1/me/trust", Some(&anna.token)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(annas.as_array().unwrap().len(), 1);
    assert_eq!(annas[0]["person_id"], ben.id);
    assert_eq!(annas[0]["level"], 3);
}

#[sqlx::test]
async fn setting_trust_by_its_url_only_ever_sets_your_own_edge(pool: PgPool) {
    let app = spawn_app(pool).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    let ben = app.signup("Ben Okoro", "ben@example.com").await;
    let mallory = app.signup("Mallory Jones", "mallory@example.com").await;
    // Anna -> Ben, level 3, public
    app.trust(&anna, &ben, 3, "public").await;

    // Mallory -> Ben, level 1, public: a new edge of Mallory's, not a change to Anna's.
    app.trust(&mallory, &ben, 1, "public").await;

    let annas = expect_json(
        app.get("/v1/me/trust", Some(&anna.token)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(annas[0]["level"], 3);
    assert_eq!(count(&app.pool, "trust_edges").await, 2);
}

#[sqlx::test]
async fn patching_another_accounts_provider_is_a_403_even_for_a_single_field(pool: PgPool) {
    let app = spawn_app(pool).await;
    let olga = app.signup("Olga Rossi", "olga@example.com").await;
    let mallory = app.signup("Mallory Jones", "mallory@example.com").await;
    let (lat, lon) = LONDON;
    let provider = app
        .create_provider(&olga, "Rossi Tiling", &["tiler"], lat, lon, 25.0)
        .await;
    let path = format!("/v1/providers/{provider}");

    for patch in [
        json!({}),
        json!({ "trades": ["plumber"] }),
        json!({ "lat": 0.0 }),
    ] {
        let response = app.patch(&path, Some(&mallory.token), &patch).await;
        assert_problem(response, StatusCode::FORBIDDEN).await;
    }

    let read = expect_json(app.get(&path, None).await, StatusCode::OK).await;
    assert_eq!(read["owner_id"], olga.id);
    assert_eq!(read["trades"], json!(["tiler"]));
    assert_eq!(read["lat"], lat);
}

#[sqlx::test]
async fn a_provider_body_cannot_name_another_owner(pool: PgPool) {
    let app = spawn_app(pool).await;
    let olga = app.signup("Olga Rossi", "olga@example.com").await;
    let mallory = app.signup("Mallory Jones", "mallory@example.com").await;
    let (lat, lon) = LONDON;
    let mut body = crate::common::TestApp::provider_body("Fake Tiling", &["tiler"], lat, lon, 5.0);
    body["owner_id"] = json!(olga.id);

    let response = app.post("/v1/providers", Some(&mallory.token), &body).await;

    assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(count(&app.pool, "providers").await, 0);
}
