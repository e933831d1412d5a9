//! Providers (`/v1/providers`, `/v1/providers/{id}`) and the trade list (`/v1/trades`).

use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::common::{
    assert_invalid_field, assert_problem, count, expect_json, spawn_app, TestApp, LONDON,
};

fn rossi_tiling() -> Value {
    let (lat, lon) = LONDON;
    TestApp::provider_body("Rossi Tiling", &["tiler", "plasterer"], lat, lon, 25.0)
}

#[sqlx::test]
async fn creating_a_provider_returns_201_with_its_trades_and_it_can_be_read_back(pool: PgPool) {
    let app = spawn_app(pool).await;
    let olga = app.signup("Olga Rossi", "olga@example.com").await;
    let mut body = rossi_tiling();
    body["phone"] = json!("+44 20 7946 0000");
    body["website"] = json!("https://rossi.example.com");

    let response = app.post("/v1/providers", Some(&olga.token), &body).await;

    let created = expect_json(response, StatusCode::CREATED).await;
    assert_eq!(created["name"], "Rossi Tiling");
    assert_eq!(created["owner_id"], olga.id);
    let mut trades: Vec<&str> = created["trades"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    trades.sort_unstable();
    assert_eq!(trades, ["plasterer", "tiler"]);
    assert_eq!(created["radius_km"], 25.0);
    assert_eq!(created["phone"], "+44 20 7946 0000");
    assert_eq!(created["website"], "https://rossi.example.com");
    // Anyone may read a provider's profile, signed in or not.
    let path = format!("/v1/providers/{}", created["id"]);
    let read = expect_json(app.get(&path, None).await, StatusCode::OK).await;
    assert_eq!(read, created);
    let changes: i64 =
        sqlx::query_scalar("select count(*) from graph_changes where kind = 'provider.upsert'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(changes, 1);
}

#[sqlx::test]
async fn creating_a_provider_without_a_session_is_a_401(pool: PgPool) {
    let app = spawn_app(pool).await;

    let response = app.post("/v1/providers", None, &rossi_tiling()).await;

    assert_problem(response, StatusCode::UNAUTHORIZED).await;
    assert_eq!(count(&app.pool, "providers").await, 0);
}

#[sqlx::test]
async fn the_owner_can_patch_their_provider_and_absent_fields_stay(pool: PgPool) {
    let app = spawn_app(pool).await;
    let olga = app.signup("Olga Rossi", "olga@example.com").await;
    let (lat, lon) = LONDON;
    let id = app
        .create_provider(&olga, "Rossi Tiling", &["tiler"], lat, lon, 25.0)
        .await;
    let path = format!("/v1/providers/{id}");

    let patch = json!({ "name": "Rossi & Daughters Tiling", "radius_km": 40.0 });
    let response = app.patch(&path, Some(&olga.token), &patch).await;

    let patched = expect_json(response, StatusCode::OK).await;
    assert_eq!(patched["name"], "Rossi & Daughters Tiling");
    assert_eq!(patched["radius_km"], 40.0);
    assert_eq!(patched["trades"], json!(["tiler"]));
    assert_eq!(patched["lat"], lat);
    assert_eq!(patched["description"], "Bathrooms and kitchens");
    let read = expect_json(app.get(&path, None).await, StatusCode::OK).await;
    assert_eq!(read["name"], "Rossi & Daughters Tiling");
}

#[sqlx::test]
async fn another_account_cannot_patch_a_provider_and_nothing_changes(pool: PgPool) {
    let app = spawn_app(pool).await;
    let olga = app.signup("Olga Rossi", "olga@example.com").await;
    let mallory = app.signup("Mallory Jones", "mallory@example.com").await;
    let (lat, lon) = LONDON;
    let id = app
        .create_provider(&olga, "Rossi Tiling", &["tiler"], lat, lon, 25.0)
        .await;
    let path = format!("/v1/providers/{id}");
    let before = expect_json(app.get(&path, None).await, StatusCode::OK).await;
    let changes_before = count(&app.pool, "graph_changes").await;

    let patch = json!({ "name": "Mallory's Tiling", "phone": "0800 000 000" });
    let response = app.patch(&path, Some(&mallory.token), &patch).await;

    assert_problem(response, StatusCode::FORBIDDEN).await;
    let after = expect_json(app.get(&path, None).await, StatusCode::OK).await;
    assert_eq!(after, before);
    assert_eq!(count(&app.pool, "graph_changes").await, changes_before);
}

#[sqlx::test]
async fn patching_without_a_session_is_a_401_and_patching_an_unknown_provider_is_a_404(
    pool: PgPool,
) {
    let app = spawn_app(pool).await;
    let olga = app.signup("Olga Rossi", "olga@example.com").await;
    let (lat, lon) = LONDON;
    let id = app
        .create_provider(&olga, "Rossi Tiling", &["tiler"], lat, lon, 25.0)
        .await;

    let anonymous = app
        .patch(
            &format!("/v1/providers/{id}"),
            None,
            &json!({ "name": "X" }),
        )
        .await;
    assert_problem(anonymous, StatusCode::UNAUTHORIZED).await;
    let unknown = app
        .patch(
            "/v1/providers/999999",
            Some(&olga.token),
            &json!({ "name": "X" }),
        )
        .await;
    assert_problem(unknown, StatusCode::NOT_FOUND).await;
}

#[sqlx::test]
async fn an_invalid_provider_is_a_422_naming_the_field_and_writes_nothing(pool: PgPool) {
    let app = spawn_app(pool).await;
    let olga = app.signup("Olga Rossi", "olga@example.com").await;
    let changes_before = count(&app.pool, "graph_changes").await;
    let cases: [(&str, Value, &str); 9] = [
        ("trades", json!(["tiler", "astronaut"]), "trades"),
        ("trades", json!([]), "trades"),
        ("radius_km", json!(0.0), "radius_km"),
        ("radius_km", json!(600.0), "radius_km"),
        ("radius_km", json!(-5.0), "radius_km"),
        ("lat", json!(200.0), "lat"),
        ("lon", json!(-200.0), "lon"),
        ("name", json!("  "), "name"),
        ("website", json!("ftp://rossi.example.com"), "website"),
    ];
    for (key, value, field) in cases {
        let mut body = rossi_tiling();
        body[key] = value;

        let response = app.post("/v1/providers", Some(&olga.token), &body).await;

        assert_invalid_field(response, field).await;
    }
    assert_eq!(count(&app.pool, "providers").await, 0);
    assert_eq!(count(&app.pool, "provider_trades").await, 0);
    assert_eq!(count(&app.pool, "graph_changes").await, changes_before);
}

#[sqlx::test]
async fn an_invalid_patch_is_a_422_and_leaves_the_provider_as_it_was(pool: PgPool) {
    let app = spawn_app(pool).await;
    let olga = app.signup("Olga Rossi", "olga@example.com").await;
    let (lat, lon) = LONDON;
    let id = app
        .create_provider(&olga, "Rossi Tiling", &["tiler"], lat, lon, 25.0)
        .await;
    let path = format!("/v1/providers/{id}");
    let before = expect_json(app.get(&path, None).await, StatusCode::OK).await;

    for (patch, field) in [
        (json!({ "radius_km": 600.0 }), "radius_km"),
        (json!({ "trades": [] }), "trades"),
        (json!({ "lat": 200.0 }), "lat"),
    ] {
        let response = app.patch(&path, Some(&olga.token), &patch).await;
        assert_invalid_field(response, field).await;
    }
    let unknown_field = app
        .patch(&path, Some(&olga.token), &json!({ "owner_id": 1 }))
        .await;
    assert_problem(unknown_field, StatusCode::UNPROCESSABLE_ENTITY).await;

    let after = expect_json(app.get(&path, None).await, StatusCode::OK).await;
    assert_eq!(after, before);
}

#[sqlx::test]
async fn an_unknown_provider_is_a_404_and_a_non_numeric_id_a_400(pool: PgPool) {
    let app = spawn_app(pool).await;

    assert_problem(
        app.get("/v1/providers/999999", None).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(
        app.get("/v1/providers/rossi", None).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
}

#[sqlx::test]
async fn the_trade_list_has_at_least_ten_trades_with_slugs_and_names(pool: PgPool) {
    let app = spawn_app(pool).await;

    let trades = expect_json(app.get("/v1/trades", None).await, StatusCode::OK).await;

    let trades = trades.as_array().unwrap();
    assert!(trades.len() >= 10, "only {} trades", trades.len());
    let tiler = trades
        .iter()
        .find(|t| t["slug"] == "tiler")
        .expect("tilers are listed");
    assert_eq!(tiler["name"], "Tiler");
    for trade in trades {
        assert!(
            trade["slug"].is_string() && trade["name"].is_string(),
            "{trade}"
        );
    }
}
