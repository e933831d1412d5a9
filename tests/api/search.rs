//! Search (`GET /v1/search`) and explanations (`GET /v1/providers/{id}/why`): providers ranked
//! for the seeker by who vouches for them, through whom, and never using what the seeker may
//! not see.

use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;

use crate::common::{
    assert_invalid_field, assert_problem, expect_json, spawn_app, TestApp, TestUser, LONDON,
};

/// The people and businesses most search tests share.
struct Town {
    anna: TestUser,
    ben: TestUser,
    cara: TestUser,
    olga: TestUser,
    /// Rossi Tiling, owned by Olga: Ben recommends it, publicly.
    rossi: i64,
    /// Pronto Tiles, owned by Pete: no vouches yet.
    pronto: i64,
}

async fn town(app: &TestApp) -> Town {
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    let ben = app.signup("Ben Okoro", "ben@example.com").await;
    let cara = app.signup("Cara Diaz", "cara@example.com").await;
    let olga = app.signup("Olga Rossi", "olga@example.com").await;
    let pete = app.signup("Pete Pronto", "pete@example.com").await;
    let (lat, lon) = LONDON;
    let rossi = app
        .create_provider(&olga, "Rossi Tiling", &["tiler"], lat, lon, 25.0)
        .await;
    let pronto = app
        .create_provider(&pete, "Pronto Tiles", &["tiler"], lat, lon, 25.0)
        .await;
    // Anna -> Ben, level 3, public
    app.trust(&anna, &ben, 3, "public").await;
    // Ben recommends Rossi Tiling, publicly
    app.vouch(&ben, rossi, "tiler", "recommend", "public").await;
    Town {
        anna,
        ben,
        cara,
        olga,
        rossi,
        pronto,
    }
}

fn results(search: &Value) -> &Vec<Value> {
    search["results"].as_array().expect("a list of results")
}

fn result_for(search: &Value, provider: i64) -> &Value {
    results(search)
        .iter()
        .find(|r| r["provider_id"] == provider)
        .unwrap_or_else(|| panic!("provider {provider} is not in {search}"))
}

fn hop_ids(path: &Value) -> Vec<i64> {
    path["hops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["person_id"].as_i64().unwrap())
        .collect()
}

async fn why(app: &TestApp, provider: i64, token: Option<&str>) -> Value {
    let path = format!("/v1/providers/{provider}/why?trade=tiler");
    expect_json(app.get(&path, token).await, StatusCode::OK).await
}

#[sqlx::test]
async fn a_provider_recommended_by_someone_you_trust_ranks_first_with_the_path_through_them(
    pool: PgPool,
) {
    let app = spawn_app(pool).await;
    let town = town(&app).await;

    let search = app.search("tiler", Some(&town.anna.token)).await;

    assert_eq!(search["seeker_id"], town.anna.id);
    assert_eq!(search["trade"], "tiler");
    let first = &results(&search)[0];
    assert_eq!(first["provider_id"], town.rossi, "{search}");
    assert_eq!(first["name"], "Rossi Tiling");
    assert!(first["score"].as_f64().unwrap() > 0.0, "{first}");
    assert!(first["personal"].as_f64().unwrap() > 0.0, "{first}");
    assert_eq!(first["counts"]["network_recommend"], 1);
    assert_eq!(first["counts"]["network_warn"], 0);
    assert_eq!(first["counts"]["public_recommend"], 1);
    let path = &first["paths"][0];
    assert_eq!(hop_ids(path), [town.ben.id], "{path}");
    assert_eq!(path["hops"][0]["name"], town.ben.name);
    assert_eq!(path["hops"][0]["level"], 3);
    assert_eq!(path["voucher_id"], town.ben.id);
    assert_eq!(path["stance"], "recommend");
    let text = path["text"].as_str().unwrap();
    assert!(
        text.contains("Ben Okoro") && text.contains("Rossi Tiling"),
        "{text}"
    );
    // Pronto Tiles is listed too, below, with nothing from Anna's network behind it.
    let pronto = result_for(&search, town.pronto);
    assert_eq!(pronto["counts"]["network_recommend"], 0);
    assert_eq!(pronto["paths"], serde_json::json!([]));
    for result in results(&search) {
        assert!(result["score"].as_f64().unwrap() >= 0.0, "{result}");
    }
}

#[sqlx::test]
async fn a_path_names_every_hop_from_the_seeker_to_the_voucher(pool: PgPool) {
    let app = spawn_app(pool).await;
    let town = town(&app).await;
    // Ben -> Cara, level 2, public
    app.trust(&town.ben, &town.cara, 2, "public").await;
    // Cara recommends Pronto Tiles, publicly: Anna reaches her through Ben.
    app.vouch(&town.cara, town.pronto, "tiler", "recommend", "public")
        .await;

    let search = app.search("tiler", Some(&town.anna.token)).await;

    let pronto = result_for(&search, town.pronto);
    let path = &pronto["paths"][0];
    assert_eq!(hop_ids(path), [town.ben.id, town.cara.id], "{path}");
    assert_eq!(path["hops"][1]["level"], 2);
    assert_eq!(path["voucher_id"], town.cara.id);
    let text = path["text"].as_str().unwrap();
    let (ben_at, cara_at) = (text.find("Ben Okoro"), text.find("Cara Diaz"));
    assert!(
        ben_at.is_some() && cara_at.is_some() && ben_at < cara_at,
        "{text}"
    );
    // Trust fades with distance: Ben's own recommendation weighs more than Cara's.
    let rossi = result_for(&search, town.rossi);
    assert!(
        rossi["personal"].as_f64() > pronto["personal"].as_f64(),
        "{search}"
    );
}

#[sqlx::test]
async fn an_anonymous_search_works_from_public_vouches_only(pool: PgPool) {
    let app = spawn_app(pool).await;
    let town = town(&app).await;

    let search = app.search("tiler", None).await;

    assert_eq!(search["seeker_id"], Value::Null);
    let rossi = result_for(&search, town.rossi);
    assert_eq!(rossi["counts"]["public_recommend"], 1);
    assert_eq!(rossi["paths"], serde_json::json!([]));
    result_for(&search, town.pronto);
}

#[sqlx::test]
async fn a_search_only_lists_providers_whose_area_covers_the_place(pool: PgPool) {
    let app = spawn_app(pool).await;
    let town = town(&app).await;

    // Edinburgh is 530 km from London; the tilers cover 25 km.
    let far = "/v1/search?trade=tiler&lat=55.9533&lon=-3.1883";
    let search = expect_json(app.get(far, Some(&town.anna.token)).await, StatusCode::OK).await;

    assert_eq!(results(&search).len(), 0, "{search}");
    // Without a place, every tiler is listed.
    let anywhere = "/v1/search?trade=tiler";
    let search = expect_json(
        app.get(anywhere, Some(&town.anna.token)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(results(&search).len(), 2, "{search}");
}

#[sqlx::test]
async fn a_search_never_lists_the_seekers_own_business(pool: PgPool) {
    let app = spawn_app(pool).await;
    let town = town(&app).await;

    let search = app.search("tiler", Some(&town.olga.token)).await;

    assert!(
        results(&search)
            .iter()
            .all(|r| r["provider_id"] != town.rossi),
        "{search}"
    );
}

#[sqlx::test]
async fn the_search_limit_caps_the_results(pool: PgPool) {
    let app = spawn_app(pool).await;
    let town = town(&app).await;

    let path = "/v1/search?trade=tiler&limit=1";
    let search = expect_json(app.get(path, Some(&town.anna.token)).await, StatusCode::OK).await;

    assert_eq!(results(&search).len(), 1);
    assert_eq!(results(&search)[0]["provider_id"], town.rossi);
}

#[sqlx::test]
async fn withdrawing_a_vouch_takes_it_out_of_the_search_at_once(pool: PgPool) {
    let app = spawn_app(pool).await;
    let town = town(&app).await;

    let path = format!("/v1/providers/{}/vouches/tiler", town.rossi);
    let revoked = app.delete(&path, Some(&town.ben.token)).await;
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);

    let search = app.search("tiler", Some(&town.anna.token)).await;
    let rossi = result_for(&search, town.rossi);
    assert_eq!(rossi["personal"], 0.0, "{rossi}");
    assert_eq!(rossi["counts"]["network_recommend"], 0);
    assert_eq!(rossi["paths"], serde_json::json!([]));
}

#[sqlx::test]
async fn an_invalid_search_is_a_422_naming_the_field(pool: PgPool) {
    let app = spawn_app(pool).await;

    for (query, field) in [
        ("trade=astronaut", "trade"),
        ("trade=tiler&lat=200&lon=0", "lat"),
        ("trade=tiler&lat=0&lon=200", "lon"),
        ("trade=tiler&lat=51.5", "lat"),
        ("trade=tiler&limit=0", "limit"),
        ("trade=tiler&limit=51", "limit"),
    ] {
        let response = app.get(&format!("/v1/search?{query}"), None).await;
        assert_invalid_field(response, field).await;
    }
    assert_problem(app.get("/v1/search", None).await, StatusCode::BAD_REQUEST).await;
    assert_problem(
        app.get("/v1/search?trade=tiler&lat=north", None).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
}

#[sqlx::test]
async fn why_explains_a_providers_rank_with_the_paths_to_its_vouchers(pool: PgPool) {
    let app = spawn_app(pool).await;
    let town = town(&app).await;

    let explanation = why(&app, town.rossi, Some(&town.anna.token)).await;

    assert_eq!(explanation["seeker_id"], town.anna.id);
    assert_eq!(explanation["beyond_three_hops"], 0);
    let provider = &explanation["provider"];
    assert_eq!(provider["provider_id"], town.rossi);
    assert_eq!(provider["counts"]["network_recommend"], 1);
    assert_eq!(hop_ids(&provider["paths"][0]), [town.ben.id]);
    // The explanation agrees with the search about the score.
    let search = app.search("tiler", Some(&town.anna.token)).await;
    assert_eq!(provider["score"], result_for(&search, town.rossi)["score"]);
    // Without a trade, every trade the provider offers counts.
    let any = format!("/v1/providers/{}/why", town.rossi);
    let any = expect_json(app.get(&any, Some(&town.anna.token)).await, StatusCode::OK).await;
    assert_eq!(any["provider"]["counts"]["network_recommend"], 1);
}

#[sqlx::test]
async fn why_works_anonymously_and_refuses_unknown_providers_and_trades(pool: PgPool) {
    let app = spawn_app(pool).await;
    let town = town(&app).await;

    let anonymous = why(&app, town.rossi, None).await;
    assert_eq!(anonymous["seeker_id"], Value::Null);
    assert_eq!(anonymous["provider"]["paths"], serde_json::json!([]));

    let unknown = app
        .get("/v1/providers/999999/why", Some(&town.anna.token))
        .await;
    assert_problem(unknown, StatusCode::NOT_FOUND).await;
    let bad_trade = format!("/v1/providers/{}/why?trade=astronaut", town.rossi);
    assert_invalid_field(app.get(&bad_trade, None).await, "trade").await;
}

#[sqlx::test]
async fn a_private_vouch_never_shows_in_anyone_elses_counts_or_paths(pool: PgPool) {
    let app = spawn_app(pool).await;
    let town = town(&app).await;
    // Anna -> Cara, level 3, public: Cara is squarely in Anna's network.
    app.trust(&town.anna, &town.cara, 3, "public").await;
    let search_before = app.search("tiler", Some(&town.anna.token)).await;
    let anonymous_before = app.search("tiler", None).await;
    let why_pronto_before = why(&app, town.pronto, Some(&town.anna.token)).await;
    let why_rossi_before = why(&app, town.rossi, Some(&town.anna.token)).await;

    // Cara privately recommends Pronto Tiles and privately warns against Rossi Tiling.
    app.vouch(&town.cara, town.pronto, "tiler", "recommend", "private")
        .await;
    app.vouch(&town.cara, town.rossi, "tiler", "warn", "private")
        .await;

    assert_eq!(
        app.search("tiler", Some(&town.anna.token)).await,
        search_before
    );
    assert_eq!(app.search("tiler", None).await, anonymous_before);
    assert_eq!(
        why(&app, town.pronto, Some(&town.anna.token)).await,
        why_pronto_before
    );
    assert_eq!(
        why(&app, town.rossi, Some(&town.anna.token)).await,
        why_rossi_before
    );
    // The vouches did reach the engine: Cara's own search uses them.
    let caras = app.search("tiler", Some(&town.cara.token)).await;
    let pronto = result_for(&caras, town.pronto);
    let vouchers: Vec<&Value> = pronto["paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["voucher_id"])
        .collect();
    assert!(vouchers.contains(&&Value::from(town.cara.id)), "{pronto}");
}

#[sqlx::test]
async fn a_network_vouch_reaches_a_seeker_only_when_its_author_trusts_them(pool: PgPool) {
    let app = spawn_app(pool).await;
    let town = town(&app).await;
    // Ben recommends Pronto Tiles to his network: the people Ben trusts.
    app.vouch(&town.ben, town.pronto, "tiler", "recommend", "network")
        .await;

    // Anna trusts Ben, but Ben does not trust Anna: she may not see it.
    let search = app.search("tiler", Some(&town.anna.token)).await;
    let pronto = result_for(&search, town.pronto);
    assert_eq!(pronto["counts"]["network_recommend"], 0, "{pronto}");
    assert_eq!(pronto["paths"], serde_json::json!([]));

    // Ben -> Anna, level 1, private: still not, or the private edge would show through.
    app.trust(&town.ben, &town.anna, 1, "private").await;
    let search = app.search("tiler", Some(&town.anna.token)).await;
    assert_eq!(
        result_for(&search, town.pronto)["counts"]["network_recommend"],
        0
    );

    // Ben -> Anna, level 1, network: now she is in his network.
    app.trust(&town.ben, &town.anna, 1, "network").await;
    let search = app.search("tiler", Some(&town.anna.token)).await;
    let pronto = result_for(&search, town.pronto);
    assert_eq!(pronto["counts"]["network_recommend"], 1, "{pronto}");
    assert_eq!(hop_ids(&pronto["paths"][0]), [town.ben.id]);
}

#[sqlx::test]
async fn someone_elses_private_trust_edge_never_carries_the_seekers_trust(pool: PgPool) {
    let app = spawn_app(pool).await;
    let town = town(&app).await;
    // Ben -> Cara, level 3, private: only Ben may walk it.
    app.trust(&town.ben, &town.cara, 3, "private").await;
    // Cara recommends Pronto Tiles, publicly.
    app.vouch(&town.cara, town.pronto, "tiler", "recommend", "public")
        .await;

    let search = app.search("tiler", Some(&town.anna.token)).await;
    let pronto = result_for(&search, town.pronto);
    assert_eq!(pronto["counts"]["network_recommend"], 0, "{pronto}");
    assert_eq!(pronto["paths"], serde_json::json!([]));
    assert_eq!(pronto["personal"], 0.0);

    // Ben -> Cara made public: Anna's trust now flows through it.
    app.trust(&town.ben, &town.cara, 3, "public").await;
    let search = app.search("tiler", Some(&town.anna.token)).await;
    let pronto = result_for(&search, town.pronto);
    assert_eq!(pronto["counts"]["network_recommend"], 1, "{pronto}");
    assert_eq!(hop_ids(&pronto["paths"][0]), [town.ben.id, town.cara.id]);
}

#[sqlx::test]
async fn a_network_trust_edge_carries_trust_only_for_people_its_owner_trusts(pool: PgPool) {
    let app = spawn_app(pool).await;
    let town = town(&app).await;
    // Ben -> Cara, level 3, network: Anna trusts Ben, but Ben does not trust Anna.
    app.trust(&town.ben, &town.cara, 3, "network").await;
    // Cara recommends Pronto Tiles, publicly.
    app.vouch(&town.cara, town.pronto, "tiler", "recommend", "public")
        .await;

    let search = app.search("tiler", Some(&town.anna.token)).await;
    let pronto = result_for(&search, town.pronto);
    assert_eq!(pronto["counts"]["network_recommend"], 0, "{pronto}");
    assert_eq!(pronto["paths"], serde_json::json!([]));

    // Ben -> Anna, level 1, public: Anna is now in Ben's network and may walk his edge.
    app.trust(&town.ben, &town.anna, 1, "public").await;
    let search = app.search("tiler", Some(&town.anna.token)).await;
    let pronto = result_for(&search, town.pronto);
    assert_eq!(pronto["counts"]["network_recommend"], 1, "{pronto}");
    assert_eq!(hop_ids(&pronto["paths"][0]), [town.ben.id, town.cara.id]);
}

#[sqlx::test]
async fn your_own_vouch_shows_as_a_path_with_no_hops(pool: PgPool) {
    let app = spawn_app(pool).await;
    let town = town(&app).await;
    app.vouch(&town.anna, town.pronto, "tiler", "recommend", "private")
        .await;

    let search = app.search("tiler", Some(&town.anna.token)).await;

    let pronto = result_for(&search, town.pronto);
    let own = pronto["paths"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["voucher_id"] == town.anna.id)
        .unwrap_or_else(|| panic!("no path to Anna's own vouch: {pronto}"));
    assert_eq!(own["hops"], serde_json::json!([]));
    assert!(
        own["text"].as_str().unwrap().starts_with("you recommend"),
        "{own}"
    );
}
