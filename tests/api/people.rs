//! Public profiles (`GET /v1/people/{id}`) and finding people by name (`GET /v1/people?q=`).

use reqwest::StatusCode;
use sqlx::PgPool;

use crate::common::{
    assert_invalid_field, assert_problem, expect_json, spawn_app, TestApp, LONDON,
};

async fn profile(app: &TestApp, id: i64) -> serde_json::Value {
    expect_json(
        app.get(&format!("/v1/people/{id}"), None).await,
        StatusCode::OK,
    )
    .await
}

#[sqlx::test]
async fn a_profile_counts_public_edges_and_vouches_only(pool: PgPool) {
    let app = spawn_app(pool).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    let ben = app.signup("Ben Okoro", "ben@example.com").await;
    let cara = app.signup("Cara Diaz", "cara@example.com").await;
    let olga = app.signup("Olga Rossi", "olga@example.com").await;
    // Anna -> Cara, level 3, public
    app.trust(&anna, &cara, 3, "public").await;
    // Ben -> Cara, level 3, private: must not show in Cara's count
    app.trust(&ben, &cara, 3, "private").await;
    // Ben -> Anna, level 2, network: must not show either
    app.trust(&ben, &anna, 2, "network").await;
    let (lat, lon) = LONDON;
    let provider = app
        .create_provider(&olga, "Rossi Tiling", &["tiler"], lat, lon, 25.0)
        .await;
    app.vouch(&anna, provider, "tiler", "recommend", "public")
        .await;
    app.vouch(&ben, provider, "tiler", "recommend", "private")
        .await;

    let cara_profile = profile(&app, cara.id).await;
    let anna_profile = profile(&app, anna.id).await;
    let ben_profile = profile(&app, ben.id).await;

    assert_eq!(cara_profile["id"], cara.id);
    assert_eq!(cara_profile["display_name"], "Cara Diaz");
    assert!(cara_profile["joined_at"].is_string());
    assert_eq!(cara_profile["trusted_by"], 1);
    assert_eq!(anna_profile["trusts"], 1);
    assert_eq!(anna_profile["trusted_by"], 0);
    assert_eq!(anna_profile["vouches"], 1);
    assert_eq!(ben_profile["trusts"], 0);
    assert_eq!(ben_profile["vouches"], 0);
    // A profile is public: no email, no location.
    for private in ["email", "lat", "lon", "password_hash"] {
        assert!(
            cara_profile.get(private).is_none(),
            "{private} leaked: {cara_profile}"
        );
    }
}

#[sqlx::test]
async fn making_an_edge_private_takes_it_out_of_the_public_count(pool: PgPool) {
    let app = spawn_app(pool).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    let cara = app.signup("Cara Diaz", "cara@example.com").await;
    // Anna -> Cara, level 3, public; then the same edge made private.
    app.trust(&anna, &cara, 3, "public").await;
    let path = format!("/v1/people/{}", cara.id);
    let before = expect_json(app.get(&path, None).await, StatusCode::OK).await;

    app.trust(&anna, &cara, 3, "private").await;

    let after = expect_json(app.get(&path, None).await, StatusCode::OK).await;
    assert_eq!(before["trusted_by"], 1);
    assert_eq!(after["trusted_by"], 0);
}

#[sqlx::test]
async fn an_unknown_person_is_a_404_and_a_non_numeric_id_a_400(pool: PgPool) {
    let app = spawn_app(pool).await;

    assert_problem(
        app.get("/v1/people/999999", None).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(
        app.get("/v1/people/anna", None).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
}

#[sqlx::test]
async fn searching_people_by_part_of_a_name_finds_them_in_any_case(pool: PgPool) {
    let app = spawn_app(pool).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    let dan = app.signup("Dan Evans", "dan@example.com").await;
    let ben = app.signup("Ben Okoro", "ben@example.com").await;

    let hits = expect_json(app.get("/v1/people?q=an", None).await, StatusCode::OK).await;

    let ids: Vec<i64> = hits
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_i64().unwrap())
        .collect();
    assert!(ids.contains(&anna.id) && ids.contains(&dan.id), "{hits}");
    assert!(!ids.contains(&ben.id), "{hits}");
    let upper = expect_json(app.get("/v1/people?q=AN", None).await, StatusCode::OK).await;
    assert_eq!(upper, hits);
    let hit = hits
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["id"] == anna.id)
        .unwrap();
    assert_eq!(hit["display_name"], "Anna Berg");
}

#[sqlx::test]
async fn searching_people_treats_wildcards_as_plain_characters(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.signup("Anna Berg", "anna@example.com").await;

    let hits = expect_json(app.get("/v1/people?q=%25%25", None).await, StatusCode::OK).await;

    assert_eq!(hits, serde_json::json!([]));
}

#[sqlx::test]
async fn searching_people_respects_the_limit(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.signup("Anna Berg", "anna@example.com").await;
    app.signup("Dan Evans", "dan@example.com").await;

    let hits = expect_json(
        app.get("/v1/people?q=an&limit=1", None).await,
        StatusCode::OK,
    )
    .await;

    assert_eq!(hits.as_array().unwrap().len(), 1);
    assert_invalid_field(app.get("/v1/people?q=an&limit=0", None).await, "limit").await;
    assert_invalid_field(app.get("/v1/people?q=an&limit=51", None).await, "limit").await;
}

#[sqlx::test]
async fn a_people_query_of_one_character_is_a_422_and_a_missing_one_a_400(pool: PgPool) {
    let app = spawn_app(pool).await;

    assert_invalid_field(app.get("/v1/people?q=a", None).await, "q").await;
    assert_invalid_field(app.get("/v1/people?q=%20a%20", None).await, "q").await;
    assert_problem(app.get("/v1/people", None).await, StatusCode::BAD_REQUEST).await;
}
