//! Recommenders' track records through the HTTP API: the outcomes of the jobs a person's
//! referrals led to weigh all of their vouches (`domain::track_record`), at once in the live
//! graph and after a restart.

use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::common::{expect_json, spawn_app, TestApp, TestUser, LONDON};

/// Sue trusts Rita and Quinn alike; Rita recommends Rossi Tiling, Quinn recommends Pronto
/// Tiles, so for Sue the two start level.
struct Street {
    sue: TestUser,
    rita: TestUser,
    rossi: i64,
    pronto: i64,
}

async fn street(app: &TestApp) -> Street {
    let sue = app.signup("Sue Park", "sue@example.com").await;
    let rita = app.signup("Rita Moreno", "rita@example.com").await;
    let quinn = app.signup("Quinn Lee", "quinn@example.com").await;
    let olga = app.signup("Olga Rossi", "olga@example.com").await;
    let pete = app.signup("Pete Pronto", "pete@example.com").await;
    let (lat, lon) = LONDON;
    let rossi = app
        .create_provider(&olga, "Rossi Tiling", &["tiler"], lat, lon, 25.0)
        .await;
    let pronto = app
        .create_provider(&pete, "Pronto Tiles", &["tiler"], lat, lon, 25.0)
        .await;
    app.trust(&sue, &rita, 3, "public").await; // Sue -> Rita, level 3
    app.trust(&sue, &quinn, 3, "public").await; // Sue -> Quinn, level 3
    app.vouch(&rita, rossi, "tiler", "recommend", "public")
        .await;
    app.vouch(&quinn, pronto, "tiler", "recommend", "public")
        .await;
    Street {
        sue,
        rita,
        rossi,
        pronto,
    }
}

/// Rita refers Rossi Tiling to `times` new people, who hire it and complete with `outcome`.
async fn rita_refers(app: &TestApp, street: &Street, times: usize, outcome: &str) {
    for n in 0..times {
        let email = format!("client{n}-{outcome}@example.com");
        let client = app.signup(&format!("Client {n}"), &email).await;
        let body =
            json!({ "provider_id": street.rossi, "trade": "tiler", "recipient_id": client.id });
        let referral = expect_json(
            app.post("/v1/referrals", Some(&street.rita.token), &body)
                .await,
            StatusCode::CREATED,
        )
        .await;
        let path = format!("/v1/referrals/{}/transitions", referral["id"]);
        for step in [json!({ "to": "accepted" }), json!({ "to": "hired" })] {
            expect_json(
                app.post(&path, Some(&client.token), &step).await,
                StatusCode::OK,
            )
            .await;
        }
        // The client marks the job done, with how it went: only the customer's word counts
        // in Rita's track record.
        let done = json!({ "to": "completed", "outcome": outcome });
        expect_json(
            app.post(&path, Some(&client.token), &done).await,
            StatusCode::OK,
        )
        .await;
    }
}

/// Sue's `personal` score for each of the two tilers.
async fn personal_scores(app: &TestApp, street: &Street) -> (f64, f64) {
    let search = app.search("tiler", Some(&street.sue.token)).await;
    let personal = |provider: i64| {
        search["results"]
            .as_array()
            .expect("results")
            .iter()
            .find(|r| r["provider_id"] == provider)
            .and_then(|r| r["personal"].as_f64())
            .unwrap_or_else(|| panic!("provider {provider} missing from {search}"))
    };
    (personal(street.rossi), personal(street.pronto))
}

fn ranks_first(search: &Value, provider: i64) -> bool {
    search["results"][0]["provider_id"] == provider
}

#[sqlx::test]
async fn bad_outcomes_move_a_recommenders_provider_down_for_seekers_who_reach_them(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let street = street(&app).await;
    let (rossi, pronto) = personal_scores(&app, &street).await;
    assert!(
        (rossi - pronto).abs() < 1e-12,
        "they start level: {rossi} vs {pronto}"
    );

    rita_refers(&app, &street, 3, "bad").await;

    // Three bad outcomes: strength (0 + 2) / (3 + 4) / 0.5 = 0.571 on all of Rita's vouches.
    let (rossi, pronto) = personal_scores(&app, &street).await;
    assert!(rossi < pronto, "{rossi} should now be below {pronto}");
    assert!(
        (rossi / pronto - 4.0 / 7.0).abs() < 1e-5,
        "{rossi} / {pronto}"
    );
    let search = app.search("tiler", Some(&street.sue.token)).await;
    assert!(ranks_first(&search, street.pronto), "{search}");

    // A restart loads the same weights from the referrals table.
    let restarted = spawn_app(pool).await;
    let (again, _) = personal_scores(&restarted, &street).await;
    assert!((again - rossi).abs() < 1e-12, "{again} vs {rossi}");
}

#[sqlx::test]
async fn good_outcomes_move_a_recommenders_provider_up(pool: PgPool) {
    let app = spawn_app(pool).await;
    let street = street(&app).await;

    rita_refers(&app, &street, 2, "good").await;

    // Two good outcomes: (2 + 2) / (2 + 4) / 0.5 = 1.333.
    let (rossi, pronto) = personal_scores(&app, &street).await;
    assert!(
        (rossi / pronto - 4.0 / 3.0).abs() < 1e-5,
        "{rossi} / {pronto}"
    );
    let search = app.search("tiler", Some(&street.sue.token)).await;
    assert!(ranks_first(&search, street.rossi), "{search}");
}

#[sqlx::test]
async fn a_vouch_edited_after_a_track_record_keeps_its_weight(pool: PgPool) {
    let app = spawn_app(pool).await;
    let street = street(&app).await;
    rita_refers(&app, &street, 1, "bad").await;

    // Re-stating the vouch records a new vouch.set: it must carry Rita's strength, 0.8.
    app.vouch(&street.rita, street.rossi, "tiler", "recommend", "public")
        .await;

    let (rossi, pronto) = personal_scores(&app, &street).await;
    assert!((rossi / pronto - 0.8).abs() < 1e-5, "{rossi} / {pronto}");
}
