//! Vouches belong to the people who gave them (issue 14, items 7 and 11): a provider's edits
//! never delete them, its own outcomes never re-weigh the people who refer it, and partners
//! hear when a public vouch leaves public view, without what it now says.

use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::common::{assert_problem, expect_json, spawn_app, TestApp, TestUser, LONDON};

async fn olga_and_rossi(app: &TestApp) -> (TestUser, i64) {
    let olga = app.signup("Olga Rossi", "olga@example.com").await;
    let (lat, lon) = LONDON;
    let rossi = app
        .create_provider(
            &olga,
            "Rossi Tiling",
            &["tiler", "plasterer"],
            lat,
            lon,
            30.0,
        )
        .await;
    (olga, rossi)
}

async fn offer(app: &TestApp, olga: &TestUser, provider: i64, trades: Value) {
    let patch = json!({ "trades": trades });
    let path = format!("/v1/providers/{provider}");
    expect_json(
        app.patch(&path, Some(&olga.token), &patch).await,
        StatusCode::OK,
    )
    .await;
}

/// The stances of the public tiling vouches anyone sees.
async fn public_tiling_stances(app: &TestApp, provider: i64) -> Vec<String> {
    let mut stances: Vec<String> = app
        .visible_vouches(provider, None)
        .await
        .iter()
        .filter(|v| v["trade"] == "tiler")
        .map(|v| v["stance"].as_str().unwrap().to_string())
        .collect();
    stances.sort();
    stances
}

#[sqlx::test]
async fn a_provider_cannot_wipe_its_warnings_by_dropping_and_offering_a_trade_again(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (olga, rossi) = olga_and_rossi(&app).await;
    for n in 0..3 {
        let unhappy = app
            .signup(&format!("Customer {n}"), &format!("c{n}@example.com"))
            .await;
        app.vouch(&unhappy, rossi, "tiler", "warn", "public").await;
    }
    assert_eq!(public_tiling_stances(&app, rossi).await, ["warn"; 3]);

    offer(&app, &olga, rossi, json!(["plasterer"])).await;
    // Hidden while the trade is not offered, and partners hear that they are gone ...
    assert!(public_tiling_stances(&app, rossi).await.is_empty());
    let revoked: i64 = sqlx::query_scalar(
        "select count(*) from outbox_events
         where event_type = 'vouch.revoked' and payload->>'visibility' = 'public'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(revoked, 3);
    offer(&app, &olga, rossi, json!(["plasterer", "tiler"])).await;

    // ... and back, every one of them, as soon as it is offered again.
    assert_eq!(public_tiling_stances(&app, rossi).await, ["warn"; 3]);
    let in_graph: i64 = sqlx::query_scalar(
        "select count(*) from offered_vouches where provider_id = $1 and stance = 'warn'",
    )
    .bind(rossi)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(in_graph, 3);
}

#[sqlx::test]
async fn a_providers_own_outcome_neither_punishes_nor_rewards_the_person_who_referred_it(
    pool: PgPool,
) {
    let app = spawn_app(pool).await;
    let (olga, rossi) = olga_and_rossi(&app).await;
    let rita = app.signup("Rita Moreno", "rita@example.com").await;
    let rob = app.signup("Rob Quinn", "rob@example.com").await;
    app.vouch(&rita, rossi, "tiler", "recommend", "public")
        .await;
    let body = json!({ "provider_id": rossi, "trade": "tiler", "recipient_id": rob.id });
    let referral = app.post("/v1/referrals", Some(&rita.token), &body).await;
    let referral = expect_json(referral, StatusCode::CREATED).await;
    let path = format!("/v1/referrals/{}/transitions", referral["id"]);
    for step in [json!({ "to": "accepted" }), json!({ "to": "hired" })] {
        expect_json(
            app.post(&path, Some(&rob.token), &step).await,
            StatusCode::OK,
        )
        .await;
    }
    let strengths = || async {
        let rows: Vec<f64> = sqlx::query_scalar(
            "select (payload->>'strength')::float8 from graph_changes
             where kind = 'vouch.set' and payload->>'person' = $1 order by seq",
        )
        .bind(rita.id.to_string())
        .fetch_all(&app.pool)
        .await
        .unwrap();
        rows
    };
    let before = strengths().await;

    // Olga tries to complete the job herself and say it went badly: how it went is the
    // customer's to say, so the move is refused.
    let done = json!({ "to": "completed", "outcome": "bad" });
    assert_problem(
        app.post(&path, Some(&olga.token), &done).await,
        StatusCode::FORBIDDEN,
    )
    .await;

    assert_eq!(
        strengths().await,
        before,
        "Olga's outcome re-weighed Rita's vouches"
    );
}

#[sqlx::test]
async fn a_public_vouch_made_private_reaches_partners_as_revoked_and_nothing_more(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (_olga, rossi) = olga_and_rossi(&app).await;
    let ben = app.signup("Ben Okoro", "ben@example.com").await;
    app.vouch(&ben, rossi, "tiler", "recommend", "public").await;

    let path = format!("/v1/providers/{rossi}/vouches/tiler");
    let private =
        json!({ "stance": "warn", "note": "between us: he overcharged", "visibility": "private" });
    expect_json(
        app.put(&path, Some(&ben.token), &private).await,
        StatusCode::OK,
    )
    .await;

    // What partners receive: the events marked public (webhooks::worker::fan_out).
    let delivered: Vec<(String, Value)> = sqlx::query_as(
        "select event_type, payload from outbox_events
         where payload->>'visibility' = 'public' order by id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let kinds: Vec<&str> = delivered.iter().map(|(kind, _)| kind.as_str()).collect();
    assert_eq!(kinds, ["vouch.created", "vouch.revoked"]);
    let revoked = &delivered[1].1;
    assert_eq!(revoked["person_id"], ben.id);
    assert!(
        revoked.get("note").is_none() && revoked.get("stance").is_none(),
        "{revoked}"
    );
    let all = delivered
        .iter()
        .map(|(_, p)| p.to_string())
        .collect::<String>();
    assert!(!all.contains("overcharged"), "{all}");
}
