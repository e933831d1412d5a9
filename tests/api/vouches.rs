//! Vouches: `PUT/DELETE /v1/providers/{id}/vouches/{trade}` and who may see them through
//! `GET /v1/providers/{id}/vouches`.

use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::common::{
    assert_invalid_field, assert_problem, count, expect_json, spawn_app, TestApp, TestUser, LONDON,
};

/// Olga owns Rossi Tiling (tiler and plasterer) in London.
async fn olga_and_her_business(app: &TestApp) -> (TestUser, i64) {
    let olga = app.signup("Olga Rossi", "olga@example.com").await;
    let (lat, lon) = LONDON;
    let id = app
        .create_provider(
            &olga,
            "Rossi Tiling",
            &["tiler", "plasterer"],
            lat,
            lon,
            25.0,
        )
        .await;
    (olga, id)
}

fn voucher_ids(vouches: &[Value]) -> Vec<i64> {
    vouches
        .iter()
        .map(|v| v["person_id"].as_i64().unwrap())
        .collect()
}

#[sqlx::test]
async fn recommending_a_provider_returns_the_vouch_and_lists_it_on_the_provider(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (_olga, provider) = olga_and_her_business(&app).await;
    let ben = app.signup("Ben Okoro", "ben@example.com").await;

    let path = format!("/v1/providers/{provider}/vouches/tiler");
    let body = json!({ "stance": "recommend", "note": "Retiled our bathroom, spotless." });
    let response = app.put(&path, Some(&ben.token), &body).await;

    let vouch = expect_json(response, StatusCode::OK).await;
    assert_eq!(vouch["person_id"], ben.id);
    assert_eq!(vouch["display_name"], "Ben Okoro");
    assert_eq!(vouch["provider_id"], provider);
    assert_eq!(vouch["trade"], "tiler");
    assert_eq!(vouch["stance"], "recommend");
    assert_eq!(vouch["note"], "Retiled our bathroom, spotless.");
    // A vouch is meant to be seen unless its author says otherwise.
    assert_eq!(vouch["visibility"], "public");
    let listed = app.visible_vouches(provider, None).await;
    assert_eq!(listed, vec![vouch]);
}

#[sqlx::test]
async fn vouching_again_replaces_the_earlier_vouch_and_history_keeps_both(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (_olga, provider) = olga_and_her_business(&app).await;
    let ben = app.signup("Ben Okoro", "ben@example.com").await;
    app.vouch(&ben, provider, "tiler", "recommend", "public")
        .await;

    app.vouch(&ben, provider, "tiler", "warn", "public").await;

    let listed = app.visible_vouches(provider, None).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["stance"], "warn");
    let kinds: Vec<String> = sqlx::query_scalar(
        "select payload->>'stance' from graph_changes where kind = 'vouch.set' order by seq",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(kinds, ["recommend", "warn"]);
}

#[sqlx::test]
async fn a_note_of_1000_characters_is_accepted_and_one_of_1001_is_a_422(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (_olga, provider) = olga_and_her_business(&app).await;
    let ben = app.signup("Ben Okoro", "ben@example.com").await;
    let path = format!("/v1/providers/{provider}/vouches/tiler");

    // Characters, not bytes: "é" is two bytes in UTF-8.
    let too_long = json!({ "stance": "recommend", "note": "é".repeat(1001) });
    let refused = app.put(&path, Some(&ben.token), &too_long).await;
    assert_invalid_field(refused, "note").await;
    assert_eq!(count(&app.pool, "vouches").await, 0);

    let longest = json!({ "stance": "recommend", "note": "é".repeat(1000) });
    let accepted = app.put(&path, Some(&ben.token), &longest).await;
    let vouch = expect_json(accepted, StatusCode::OK).await;
    assert_eq!(vouch["note"].as_str().unwrap().chars().count(), 1000);
}

#[sqlx::test]
async fn an_invalid_vouch_body_is_a_422_naming_the_field(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (_olga, provider) = olga_and_her_business(&app).await;
    let ben = app.signup("Ben Okoro", "ben@example.com").await;
    let path = format!("/v1/providers/{provider}/vouches/tiler");

    for (body, field) in [
        (json!({ "stance": "love" }), "stance"),
        (
            json!({ "stance": "recommend", "visibility": "everyone" }),
            "visibility",
        ),
        (json!({ "stance": "recommend", "note": 42 }), "note"),
    ] {
        let response = app.put(&path, Some(&ben.token), &body).await;
        assert_invalid_field(response, field).await;
    }
    assert_eq!(count(&app.pool, "vouches").await, 0);
}

#[sqlx::test]
async fn vouching_for_an_unknown_trade_is_a_422(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (_olga, provider) = olga_and_her_business(&app).await;
    let ben = app.signup("Ben Okoro", "ben@example.com").await;

    let path = format!("/v1/providers/{provider}/vouches/astronaut");
    let response = app
        .put(&path, Some(&ben.token), &json!({ "stance": "recommend" }))
        .await;

    assert_invalid_field(response, "trade").await;
    assert_eq!(count(&app.pool, "vouches").await, 0);
}

#[sqlx::test]
async fn vouching_for_a_trade_the_provider_does_not_offer_is_a_422(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (_olga, provider) = olga_and_her_business(&app).await;
    let ben = app.signup("Ben Okoro", "ben@example.com").await;

    let path = format!("/v1/providers/{provider}/vouches/electrician");
    let response = app
        .put(&path, Some(&ben.token), &json!({ "stance": "recommend" }))
        .await;

    let problem = assert_invalid_field(response, "trade").await;
    assert!(
        problem["detail"].as_str().unwrap().contains("electrician"),
        "{problem}"
    );
    assert_eq!(count(&app.pool, "vouches").await, 0);
}

#[sqlx::test]
async fn vouching_for_an_unknown_provider_is_a_404(pool: PgPool) {
    let app = spawn_app(pool).await;
    let ben = app.signup("Ben Okoro", "ben@example.com").await;

    let response = app
        .put(
            "/v1/providers/999999/vouches/tiler",
            Some(&ben.token),
            &json!({ "stance": "warn" }),
        )
        .await;

    assert_problem(response, StatusCode::NOT_FOUND).await;
    assert_problem(
        app.get("/v1/providers/999999/vouches", None).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[sqlx::test]
async fn vouching_without_a_session_is_a_401(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (_olga, provider) = olga_and_her_business(&app).await;

    let path = format!("/v1/providers/{provider}/vouches/tiler");
    let response = app
        .put(&path, None, &json!({ "stance": "recommend" }))
        .await;

    assert_problem(response, StatusCode::UNAUTHORIZED).await;
    assert_problem(app.delete(&path, None).await, StatusCode::UNAUTHORIZED).await;
    assert_eq!(count(&app.pool, "vouches").await, 0);
}

#[sqlx::test]
async fn an_owner_cannot_vouch_for_their_own_business(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (olga, provider) = olga_and_her_business(&app).await;

    let path = format!("/v1/providers/{provider}/vouches/tiler");
    let response = app
        .put(&path, Some(&olga.token), &json!({ "stance": "recommend" }))
        .await;

    assert_problem(response, StatusCode::FORBIDDEN).await;
    assert_eq!(count(&app.pool, "vouches").await, 0);
}

#[sqlx::test]
async fn withdrawing_a_vouch_is_a_204_and_withdrawing_it_again_is_a_404(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (_olga, provider) = olga_and_her_business(&app).await;
    let ben = app.signup("Ben Okoro", "ben@example.com").await;
    app.vouch(&ben, provider, "tiler", "recommend", "public")
        .await;
    let path = format!("/v1/providers/{provider}/vouches/tiler");

    let first = app.delete(&path, Some(&ben.token)).await;

    assert_eq!(first.status(), StatusCode::NO_CONTENT);
    assert!(app.visible_vouches(provider, None).await.is_empty());
    assert_problem(
        app.delete(&path, Some(&ben.token)).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let kinds: Vec<String> =
        sqlx::query_scalar("select kind from graph_changes where kind like 'vouch.%' order by seq")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(kinds, ["vouch.set", "vouch.revoke"]);
}

#[sqlx::test]
async fn dropping_a_trade_hides_its_vouches_and_offering_it_again_brings_them_back(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (olga, provider) = olga_and_her_business(&app).await;
    let ben = app.signup("Ben Okoro", "ben@example.com").await;
    app.vouch(&ben, provider, "tiler", "recommend", "public")
        .await;
    app.vouch(&ben, provider, "plasterer", "recommend", "public")
        .await;
    let path = format!("/v1/providers/{provider}");
    let offer = |trades: serde_json::Value| {
        let (app, olga, path) = (&app, &olga, &path);
        async move {
            let patch = json!({ "trades": trades });
            expect_json(
                app.patch(path, Some(&olga.token), &patch).await,
                StatusCode::OK,
            )
            .await;
        }
    };
    let shown = |listed: Vec<serde_json::Value>| -> Vec<String> {
        listed
            .iter()
            .map(|v| v["trade"].as_str().unwrap().to_string())
            .collect()
    };

    offer(json!(["tiler"])).await;
    assert_eq!(shown(app.visible_vouches(provider, None).await), ["tiler"]);
    offer(json!(["tiler", "plasterer"])).await;

    let mut trades = shown(app.visible_vouches(provider, None).await);
    trades.sort();
    assert_eq!(trades, ["plasterer", "tiler"]);
    let kinds: Vec<String> =
        sqlx::query_scalar("select kind from graph_changes where kind like 'vouch.%' order by seq")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    // Ben's two vouches, the plastering one hidden, then shown again.
    assert_eq!(
        kinds,
        ["vouch.set", "vouch.set", "vouch.revoke", "vouch.set"]
    );
    assert_eq!(count(&app.pool, "vouches").await, 2);
}

#[sqlx::test]
async fn a_private_vouch_is_seen_by_its_author_only(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (olga, provider) = olga_and_her_business(&app).await;
    let ben = app.signup("Ben Okoro", "ben@example.com").await;
    let cara = app.signup("Cara Diaz", "cara@example.com").await;
    // Ben -> Cara, level 3, public: even someone Ben trusts completely may not see it.
    app.trust(&ben, &cara, 3, "public").await;
    app.vouch(&ben, provider, "tiler", "recommend", "private")
        .await;

    let seen_by_ben = app.visible_vouches(provider, Some(&ben.token)).await;
    assert_eq!(voucher_ids(&seen_by_ben), [ben.id]);
    assert_eq!(seen_by_ben[0]["visibility"], "private");
    assert!(app
        .visible_vouches(provider, Some(&cara.token))
        .await
        .is_empty());
    assert!(app
        .visible_vouches(provider, Some(&olga.token))
        .await
        .is_empty());
    assert!(app.visible_vouches(provider, None).await.is_empty());
}

#[sqlx::test]
async fn a_network_vouch_is_seen_by_the_people_its_author_trusts_directly_only(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (_olga, provider) = olga_and_her_business(&app).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    let ben = app.signup("Ben Okoro", "ben@example.com").await;
    let cara = app.signup("Cara Diaz", "cara@example.com").await;
    let dan = app.signup("Dan Evans", "dan@example.com").await;
    // Anna -> Ben, level 1, network
    app.trust(&anna, &ben, 1, "network").await;
    // Ben -> Cara, level 3, public: Cara is two hops from Anna, not trusted by her directly.
    app.trust(&ben, &cara, 3, "public").await;
    // Dan -> Anna, level 3, public: trusting Anna does not let Dan see her network.
    app.trust(&dan, &anna, 3, "public").await;
    app.vouch(&anna, provider, "tiler", "recommend", "network")
        .await;

    assert_eq!(
        voucher_ids(&app.visible_vouches(provider, Some(&anna.token)).await),
        [anna.id]
    );
    assert_eq!(
        voucher_ids(&app.visible_vouches(provider, Some(&ben.token)).await),
        [anna.id]
    );
    assert!(app
        .visible_vouches(provider, Some(&cara.token))
        .await
        .is_empty());
    assert!(app
        .visible_vouches(provider, Some(&dan.token))
        .await
        .is_empty());
    assert!(app.visible_vouches(provider, None).await.is_empty());

    // Revoking the edge takes the vouch out of Ben's sight.
    let revoke = app
        .delete(&format!("/v1/trust/{}", ben.id), Some(&anna.token))
        .await;
    assert_eq!(revoke.status(), StatusCode::NO_CONTENT);
    assert!(app
        .visible_vouches(provider, Some(&ben.token))
        .await
        .is_empty());
}

#[sqlx::test]
async fn a_private_trust_edge_does_not_reveal_its_authors_network_vouches(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (_olga, provider) = olga_and_her_business(&app).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    let ben = app.signup("Ben Okoro", "ben@example.com").await;
    // Anna -> Ben, level 3, private. If it let Ben see Anna's network vouches, Ben could tell
    // that Anna trusts him, and the edge would not be private (the rule of
    // src/graph/visibility.rs, which search and why follow).
    app.trust(&anna, &ben, 3, "private").await;
    app.vouch(&anna, provider, "tiler", "recommend", "network")
        .await;

    assert!(app
        .visible_vouches(provider, Some(&ben.token))
        .await
        .is_empty());

    // Anna -> Ben, made network: now Ben is in Anna's network and may see it.
    app.trust(&anna, &ben, 3, "network").await;
    assert_eq!(
        voucher_ids(&app.visible_vouches(provider, Some(&ben.token)).await),
        [anna.id]
    );
}

#[sqlx::test]
async fn a_public_vouch_is_seen_by_everyone(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (olga, provider) = olga_and_her_business(&app).await;
    let ben = app.signup("Ben Okoro", "ben@example.com").await;
    let cara = app.signup("Cara Diaz", "cara@example.com").await;
    app.vouch(&ben, provider, "tiler", "warn", "public").await;

    for token in [
        Some(ben.token.as_str()),
        Some(&cara.token),
        Some(&olga.token),
        None,
    ] {
        assert_eq!(
            voucher_ids(&app.visible_vouches(provider, token).await),
            [ben.id]
        );
    }
}
