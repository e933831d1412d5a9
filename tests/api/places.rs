//! Places as people type them: suggestions (`GET /v1/places`), `near=` in search, a home and
//! a provider's base given by name, distances and neighbourhoods in results. All against the
//! built-in gazetteer, the default.

use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::common::{assert_invalid_field, expect_json, spawn_app, TestApp, TestUser, PASSWORD};

/// Redland's ward centre, from the gazetteer (data/gazetteer/gb-places.tsv).
const REDLAND: (f64, f64) = (51.47473, -2.60111);
/// Bedminster's, about 4 km south.
const BEDMINSTER: (f64, f64) = (51.43665, -2.61274);

/// Two tilers in Bristol: Rossi based in Bedminster, Pronto in Redland, each covering 15 km.
/// Anna trusts Ben, who recommends Rossi.
async fn bristol(app: &TestApp) -> (TestUser, i64, i64) {
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    let ben = app.signup("Ben Okoro", "ben@example.com").await;
    let olga = app.signup("Olga Rossi", "olga@example.com").await;
    let pete = app.signup("Pete Pronto", "pete@example.com").await;
    let rossi = app
        .create_provider(
            &olga,
            "Rossi Tiling",
            &["tiler"],
            BEDMINSTER.0,
            BEDMINSTER.1,
            15.0,
        )
        .await;
    let pronto = app
        .create_provider(
            &pete,
            "Pronto Tiles",
            &["tiler"],
            REDLAND.0,
            REDLAND.1,
            15.0,
        )
        .await;
    // Anna -> Ben, level 3, public
    app.trust(&anna, &ben, 3, "public").await;
    // Ben recommends Rossi Tiling, publicly
    app.vouch(&ben, rossi, "tiler", "recommend", "public").await;
    (anna, rossi, pronto)
}

fn ids(search: &Value) -> Vec<i64> {
    search["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["provider_id"].as_i64().unwrap())
        .collect()
}

fn scores(search: &Value) -> Vec<f64> {
    search["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["score"].as_f64().unwrap())
        .collect()
}

#[sqlx::test]
async fn suggestions_come_as_people_type(pool: PgPool) {
    let app = spawn_app(pool).await;
    let answer = expect_json(app.get("/v1/places?q=Redl", None).await, StatusCode::OK).await;
    let places = answer["places"].as_array().unwrap();
    assert_eq!(places[0]["label"], "Redland, Bristol", "{answer}");
    assert_eq!(places[0]["kind"], "neighbourhood");
    let answer = expect_json(app.get("/v1/places?q=bs6", None).await, StatusCode::OK).await;
    assert_eq!(answer["places"][0]["name"], "BS6", "{answer}");
    assert_eq!(answer["places"][0]["kind"], "postcode_district");

    for bad in [
        "/v1/places?q=",
        "/v1/places?q=%20%20",
        "/v1/places?q=x&limit=0",
        "/v1/places?q=x&limit=11",
    ] {
        let response = app.get(bad, None).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    let long = format!("/v1/places?q={}", "a".repeat(201));
    assert_eq!(
        app.get(&long, None).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[sqlx::test]
async fn near_a_place_ranks_as_its_coordinates_do(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (anna, rossi, pronto) = bristol(&app).await;

    let by_name = expect_json(
        app.get(
            "/v1/search?trade=tiler&near=Redland,%20Bristol",
            Some(&anna.token),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let path = format!("/v1/search?trade=tiler&lat={}&lon={}", REDLAND.0, REDLAND.1);
    let by_point = expect_json(app.get(&path, Some(&anna.token)).await, StatusCode::OK).await;
    assert_eq!(ids(&by_name), ids(&by_point));
    assert_eq!(scores(&by_name), scores(&by_point));
    assert_eq!(
        ids(&by_name),
        [rossi, pronto],
        "Ben's recommendation first: {by_name}"
    );

    // Where each is, in words: Rossi is about 4 km away in Bedminster, Pronto right here.
    let rossi_row = &by_name["results"][0];
    assert_eq!(rossi_row["area"], "Bedminster", "{rossi_row}");
    let km = rossi_row["distance_km"].as_f64().unwrap();
    assert!((3.5..=5.0).contains(&km), "{km}");
    assert!(
        rossi_row["whereabouts"]
            .as_str()
            .unwrap()
            .ends_with("km, Bedminster"),
        "{rossi_row}"
    );
    assert_eq!(by_name["results"][1]["area"], "Redland");

    // A postcode district works the same way.
    let by_postcode = expect_json(
        app.get("/v1/search?trade=tiler&near=BS6", Some(&anna.token))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ids(&by_postcode), [rossi, pronto]);
}

#[sqlx::test]
async fn an_ambiguous_or_unknown_place_is_a_422_with_candidates_never_a_guess(pool: PgPool) {
    let app = spawn_app(pool).await;
    let problem = assert_invalid_field(
        app.get("/v1/search?trade=tiler&near=Clifton", None).await,
        "near",
    )
    .await;
    let candidates = problem["errors"][0]["candidates"]
        .as_array()
        .expect("candidates");
    let labels: Vec<&str> = candidates.iter().map(|c| c.as_str().unwrap()).collect();
    assert!(
        labels.contains(&"Clifton, Bristol") && labels.contains(&"Clifton, York"),
        "{labels:?}"
    );
    // Each candidate, sent back as it is, is one place.
    let path = format!(
        "/v1/search?trade=tiler&near={}",
        urlencode("Clifton, Bristol")
    );
    assert_eq!(app.get(&path, None).await.status(), StatusCode::OK);

    let problem = assert_invalid_field(
        app.get("/v1/search?trade=tiler&near=Xyzzyville", None)
            .await,
        "near",
    )
    .await;
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("no place called"),
        "{problem}"
    );
    // Both a place and coordinates is a contradiction, not a choice made for the caller.
    assert_invalid_field(
        app.get("/v1/search?trade=tiler&near=BS6&lat=51.4&lon=-2.6", None)
            .await,
        "near",
    )
    .await;
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[sqlx::test]
async fn a_home_and_a_base_can_be_typed_as_places(pool: PgPool) {
    let app = spawn_app(pool).await;
    let body = json!({
        "email": "dana@example.com", "password": PASSWORD,
        "display_name": "Dana Webb", "home": "Redland, Bristol",
    });
    let account = expect_json(
        app.post("/v1/accounts", None, &body).await,
        StatusCode::CREATED,
    )
    .await;
    assert!(
        (account["lat"].as_f64().unwrap() - REDLAND.0).abs() < 1e-6,
        "{account}"
    );
    assert!(
        (account["lon"].as_f64().unwrap() - REDLAND.1).abs() < 1e-6,
        "{account}"
    );

    let ambiguous = json!({
        "email": "eve@example.com", "password": PASSWORD,
        "display_name": "Eve", "home": "Clifton",
    });
    let problem =
        assert_invalid_field(app.post("/v1/accounts", None, &ambiguous).await, "home").await;
    assert!(
        problem["errors"][0]["candidates"]
            .as_array()
            .is_some_and(|c| c.len() > 1),
        "{problem}"
    );

    let dana = app.login("dana@example.com", PASSWORD).await;
    let token = dana["token"].as_str().unwrap();
    let provider =
        json!({ "name": "Dana's Tiles", "trades": ["tiler"], "base": "BS3", "radius_km": 10.0 });
    let created = expect_json(
        app.post("/v1/providers", Some(token), &provider).await,
        StatusCode::CREATED,
    )
    .await;
    // BS3's centre is nearest the ward of Southville.
    assert_eq!(created["area"], "Southville", "{created}");
    let nowhere = json!({ "name": "Nowhere Tiles", "trades": ["tiler"], "base": "Xyzzyville", "radius_km": 10.0 });
    assert_invalid_field(
        app.post("/v1/providers", Some(token), &nowhere).await,
        "base",
    )
    .await;
    let neither = json!({ "name": "Lost Tiles", "trades": ["tiler"], "radius_km": 10.0 });
    assert_invalid_field(
        app.post("/v1/providers", Some(token), &neither).await,
        "lat",
    )
    .await;
}
