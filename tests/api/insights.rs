//! A provider's insights, `GET /v1/providers/{id}/insights?from=&to=`: who refers them, how
//! referrals convert stage by stage (overall and per week), how far their good name reaches
//! through public trust, and their vouch counts by trade. Only the owner may see them.

use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::common::{
    assert_invalid_field, assert_problem, expect_json, spawn_app, TestApp, TestUser, LONDON,
};
use crate::referrals::{id_of, make_move, refer, referral_to, send_referral};

/// `GET /v1/providers/{provider}/insights?{query}` as `who`.
async fn insights(app: &TestApp, who: &TestUser, provider: i64, query: &str) -> reqwest::Response {
    let path = format!("/v1/providers/{provider}/insights?{query}");
    app.get(&path, Some(&who.token)).await
}

/// Puts a referral's creation at `at` (UTC), where the range and the weeks look for it.
async fn created_at(pool: &PgPool, id: i64, at: &str) {
    sqlx::query("update referrals set created_at = $2::timestamptz where id = $1")
        .bind(id)
        .bind(at)
        .execute(pool)
        .await
        .expect("dating a referral");
}

/// A conversion rounded to six places, so that the last bit of a float read back from JSON
/// does not decide a test.
fn round6(x: f64) -> Value {
    json!((x * 1e6).round() / 1e6)
}

/// `a / b`, as the funnel computes a conversion, rounded.
fn ratio(a: i64, b: i64) -> Value {
    round6(a as f64 / b as f64)
}

/// A funnel with its conversions rounded.
fn rounded(funnel: &Value) -> Value {
    let mut funnel = funnel.clone();
    for c in funnel["conversion"].as_array_mut().expect("conversions") {
        if let Some(x) = c.as_f64() {
            *c = round6(x);
        }
    }
    funnel
}

#[sqlx::test]
async fn insights_rank_referrers_count_the_funnel_reach_and_vouches_of_a_hand_built_town(
    pool: PgPool,
) {
    let app = spawn_app(pool).await;
    let mut people = Vec::new();
    for name in [
        "Olga", "Fay", "Alice", "Bruno", "Carla", "Dan", "Erin", "Gus", "Rob", "Sam", "Tess",
        "Uma", "Vic", "Hal", "Ida", "Jo", "Kim", "Lee",
    ] {
        let email = format!("{}@example.com", name.to_lowercase());
        people.push(app.signup(name, &email).await);
    }
    let [olga, fay, alice, bruno, carla, dan, erin, gus, rob, sam, tess, uma, vic, hal, ida, jo, kim, lee] =
        &people[..]
    else {
        unreachable!()
    };
    let (lat, lon) = LONDON;
    let rossi = app
        .create_provider(
            olga,
            "Rossi Tiling",
            &["tiler", "plasterer"],
            lat,
            lon,
            25.0,
        )
        .await;
    let fays = app
        .create_provider(fay, "Fay Plumbing", &["plumber"], lat, lon, 25.0)
        .await;

    // Vouches for Rossi Tiling, as Olga may see them:
    // Alice recommends, tiler, public: shown and counted; a source of reach
    app.vouch(alice, rossi, "tiler", "recommend", "public")
        .await;
    // Bruno recommends, tiler, private: shown nowhere, counted nowhere, reaches no one
    app.vouch(bruno, rossi, "tiler", "recommend", "private")
        .await;
    // Carla warns, plasterer, network, and Carla trusts Olga: Olga sees it
    app.vouch(carla, rossi, "plasterer", "warn", "network")
        .await;
    // Dan recommends, tiler, network, but Dan does not trust Olga: Olga does not see it
    app.vouch(dan, rossi, "tiler", "recommend", "network").await;
    // Erin warns, plasterer, private: counted nowhere
    app.vouch(erin, rossi, "plasterer", "warn", "private").await;
    // Fay warns, plasterer, public: counted, but a warning is no source of reach
    app.vouch(fay, rossi, "plasterer", "warn", "public").await;
    // Gus recommends, plasterer, public: counted; a source of reach
    app.vouch(gus, rossi, "plasterer", "recommend", "public")
        .await;

    // Trust, for the network vouch and for reach (sources: Alice and Gus, at 0 hops):
    // Carla -> Olga, level 2, network: lets Olga see Carla's network vouch (a private edge
    // would not: private edges never grant visibility)
    app.trust(carla, olga, 2, "network").await;
    // Rob -> Alice, public: Rob is 1 hop out
    app.trust(rob, alice, 3, "public").await;
    // Sam -> Gus, public: Sam is 1 hop out
    app.trust(sam, gus, 2, "public").await;
    // Sam -> Rob, public: Sam is already 1 hop out; counted once
    app.trust(sam, rob, 1, "public").await;
    // Tess -> Rob, public: Tess is 2 hops out
    app.trust(tess, rob, 2, "public").await;
    // Uma -> Tess, public: Uma is 3 hops out
    app.trust(uma, tess, 2, "public").await;
    // Vic -> Uma, public: Vic is 4 hops out, beyond what reach counts
    app.trust(vic, uma, 2, "public").await;
    // Gus -> Alice, public: Gus recommends, so he stays at 0 hops and is not counted
    app.trust(gus, alice, 3, "public").await;
    // Hal -> Bruno, public: Bruno's vouch is private, so Hal is reached through no one
    app.trust(hal, bruno, 3, "public").await;
    // Ida -> Alice, private: not a public edge
    app.trust(ida, alice, 3, "private").await;
    // Jo -> Gus, network: not a public edge
    app.trust(jo, gus, 3, "network").await;
    // Kim -> Fay, public: Fay only warns
    app.trust(kim, fay, 3, "public").await;
    // Lee -> Dan, public: Dan's recommendation is not public
    app.trust(lee, dan, 3, "public").await;

    // Referrals of Rossi Tiling for tiling, with their dates and where they got to.
    // Week of Monday 2025-03-03:
    let a1 = id_of(&send_referral(&app, alice, rossi, rob).await);
    make_move(&app, rob, a1, "accepted").await;
    make_move(&app, olga, a1, "contacted").await;
    make_move(&app, rob, a1, "hired").await;
    make_move(&app, rob, a1, "completed").await; // good, rating 4
    created_at(&app.pool, a1, "2025-03-04 10:00:00+00").await;
    let a2 = id_of(&send_referral(&app, alice, rossi, sam).await);
    make_move(&app, sam, a2, "accepted").await;
    make_move(&app, sam, a2, "hired").await; // straight from accepted: still passed contact
    make_move(&app, sam, a2, "completed").await; // good
    created_at(&app.pool, a2, "2025-03-05 10:00:00+00").await;
    let b1 = id_of(&send_referral(&app, bruno, rossi, tess).await);
    make_move(&app, tess, b1, "accepted").await;
    make_move(&app, tess, b1, "hired").await;
    let bad = json!({ "to": "completed", "outcome": "bad" });
    let path = format!("/v1/referrals/{b1}/transitions");
    expect_json(
        app.post(&path, Some(&tess.token), &bad).await,
        StatusCode::OK,
    )
    .await;
    created_at(&app.pool, b1, "2025-03-09 23:59:59+00").await; // Sunday, last second of week 1
    let c1 = id_of(&send_referral(&app, carla, rossi, rob).await); // never answered
    created_at(&app.pool, c1, "2025-03-03 00:00:00+00").await; // first second of the range
                                                               // Week of Monday 2025-03-10:
    let a3 = id_of(&send_referral(&app, alice, rossi, tess).await); // never answered
    created_at(&app.pool, a3, "2025-03-10 00:00:00+00").await;
    let a4 = id_of(&send_referral(&app, alice, rossi, uma).await);
    make_move(&app, uma, a4, "declined").await; // never accepted
    created_at(&app.pool, a4, "2025-03-11 10:00:00+00").await;
    let b2 = id_of(&send_referral(&app, bruno, rossi, uma).await);
    make_move(&app, uma, b2, "accepted").await;
    created_at(&app.pool, b2, "2025-03-12 10:00:00+00").await;
    let b3 = id_of(&send_referral(&app, bruno, rossi, vic).await);
    make_move(&app, vic, b3, "accepted").await;
    make_move(&app, olga, b3, "contacted").await;
    created_at(&app.pool, b3, "2025-03-13 10:00:00+00").await;
    let c2 = id_of(&send_referral(&app, carla, rossi, sam).await);
    make_move(&app, sam, c2, "accepted").await;
    make_move(&app, sam, c2, "declined").await; // accepted, then declined: still accepted
    created_at(&app.pool, c2, "2025-03-14 10:00:00+00").await;
    for recipient in [tess, uma, vic] {
        let c = id_of(&send_referral(&app, carla, rossi, recipient).await); // never answered
        created_at(&app.pool, c, "2025-03-15 10:00:00+00").await;
    }
    let d1 = id_of(&send_referral(&app, dan, rossi, vic).await); // never answered
    created_at(&app.pool, d1, "2025-03-16 23:59:59+00").await; // last second of the range
                                                               // Outside the range or the provider, so counted nowhere:
    let z1 = id_of(&send_referral(&app, alice, rossi, vic).await);
    make_move(&app, vic, z1, "accepted").await;
    created_at(&app.pool, z1, "2025-03-02 23:59:59+00").await; // the day before `from`
    let z2 = id_of(&send_referral(&app, dan, rossi, rob).await);
    created_at(&app.pool, z2, "2025-03-17 00:00:00+00").await; // the day after `to`
    let plumbing = referral_to(fays, "plumber", rob); // another provider
    let z3 = id_of(&expect_json(refer(&app, alice, &plumbing).await, StatusCode::CREATED).await);
    make_move(&app, rob, z3, "accepted").await;
    created_at(&app.pool, z3, "2025-03-04 10:00:00+00").await;

    let response = insights(&app, olga, rossi, "from=2025-03-03&to=2025-03-16").await;

    let insights = expect_json(response, StatusCode::OK).await;
    assert_eq!(insights["provider_id"], rossi);
    assert_eq!(insights["from"], "2025-03-03");
    assert_eq!(insights["to"], "2025-03-16");
    // Ranked by completed-good, then accepted, then sent: Carla sent the most, but Alice's
    // referrals ended in good jobs and Bruno's were accepted more.
    assert_eq!(
        insights["referrers"],
        json!([
            {
                "person_id": alice.id, "name": "Alice",
                "sent": 4, "accepted": 2, "completed_good": 2,
                "vouch": "recommend", "vouch_trade": "tiler",
            },
            {
                "person_id": bruno.id, "name": "Bruno",
                "sent": 3, "accepted": 3, "completed_good": 0,
                // Bruno's vouch is private.
                "vouch": null, "vouch_trade": null,
            },
            {
                "person_id": carla.id, "name": "Carla",
                "sent": 5, "accepted": 1, "completed_good": 0,
                "vouch": "warn", "vouch_trade": "plasterer",
            },
            {
                "person_id": dan.id, "name": "Dan",
                "sent": 1, "accepted": 0, "completed_good": 0,
                // Dan's network vouch is not for Olga's eyes.
                "vouch": null, "vouch_trade": null,
            },
        ])
    );
    let weeks: Vec<Value> = insights["funnel_by_week"]
        .as_array()
        .expect("weeks")
        .iter()
        .map(rounded)
        .collect();
    assert_eq!(
        json!(weeks),
        json!([
            {
                // a1, a2, b1 went all the way (b1 badly); c1 was never answered.
                "week": "2025-03-03",
                "sent": 4, "accepted": 3, "contacted": 3, "hired": 3, "completed": 3,
                "completed_good": 2,
                "conversion": [ratio(3, 4), ratio(3, 3), ratio(3, 3), ratio(3, 3)],
            },
            {
                // b2, b3 and c2 were accepted; only b3 got as far as contact.
                "week": "2025-03-10",
                "sent": 9, "accepted": 3, "contacted": 1, "hired": 0, "completed": 0,
                "completed_good": 0,
                "conversion": [ratio(3, 9), ratio(1, 3), ratio(0, 1), null],
            },
        ])
    );
    assert_eq!(
        rounded(&insights["funnel"]),
        json!({
            "week": null,
            "sent": 13, "accepted": 6, "contacted": 4, "hired": 3, "completed": 3,
            "completed_good": 2,
            "conversion": [ratio(6, 13), ratio(4, 6), ratio(3, 4), ratio(3, 3)],
        })
    );
    // Rob and Sam at 1 hop; Tess at 2; Uma at 3.
    assert_eq!(insights["reach_by_hops"], json!([2, 3, 4]));
    assert_eq!(
        insights["vouches"],
        json!([
            // Gus; Carla (network, visible) and Fay. Not Erin (private).
            { "trade": "plasterer", "recommend": 1, "warn": 2 },
            // Alice. Not Bruno (private), nor Dan (network, not visible to Olga).
            { "trade": "tiler", "recommend": 1, "warn": 0 },
        ])
    );
}

#[sqlx::test]
async fn a_provider_with_no_referrals_or_vouches_has_empty_insights(pool: PgPool) {
    let app = spawn_app(pool).await;
    let olga = app.signup("Olga Rossi", "olga@example.com").await;
    let (lat, lon) = LONDON;
    let rossi = app
        .create_provider(&olga, "Rossi Tiling", &["tiler"], lat, lon, 25.0)
        .await;

    let response = insights(&app, &olga, rossi, "from=2025-03-03&to=2025-03-16").await;

    let insights = expect_json(response, StatusCode::OK).await;
    assert_eq!(insights["referrers"], json!([]));
    assert_eq!(insights["funnel_by_week"], json!([]));
    assert_eq!(
        insights["funnel"],
        json!({
            "week": null,
            "sent": 0, "accepted": 0, "contacted": 0, "hired": 0, "completed": 0,
            "completed_good": 0,
            // Nothing to convert: no ratio rather than a made-up 0.
            "conversion": [null, null, null, null],
        })
    );
    assert_eq!(insights["reach_by_hops"], json!([0, 0, 0]));
    assert_eq!(insights["vouches"], json!([]));
}

#[sqlx::test]
async fn without_dates_the_range_is_the_last_90_days_and_includes_todays_referrals(pool: PgPool) {
    let app = spawn_app(pool).await;
    let olga = app.signup("Olga Rossi", "olga@example.com").await;
    let rita = app.signup("Rita Moreno", "rita@example.com").await;
    let rob = app.signup("Rob Quinn", "rob@example.com").await;
    let (lat, lon) = LONDON;
    let rossi = app
        .create_provider(&olga, "Rossi Tiling", &["tiler"], lat, lon, 25.0)
        .await;
    send_referral(&app, &rita, rossi, &rob).await;
    let before = time::OffsetDateTime::now_utc().date();

    let insights = expect_json(insights(&app, &olga, rossi, "").await, StatusCode::OK).await;

    let after = time::OffsetDateTime::now_utc().date();
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let from = time::Date::parse(insights["from"].as_str().unwrap(), &format).unwrap();
    let to = time::Date::parse(insights["to"].as_str().unwrap(), &format).unwrap();
    assert!(to == before || to == after, "to is not today: {to}");
    assert_eq!((to - from).whole_days(), 89);
    assert_eq!(insights["funnel"]["sent"], 1);
    assert_eq!(insights["referrers"][0]["person_id"], rita.id);
}

#[sqlx::test]
async fn only_the_owner_sees_a_providers_insights(pool: PgPool) {
    let app = spawn_app(pool).await;
    let olga = app.signup("Olga Rossi", "olga@example.com").await;
    let rita = app.signup("Rita Moreno", "rita@example.com").await;
    let rob = app.signup("Rob Quinn", "rob@example.com").await;
    let (lat, lon) = LONDON;
    let rossi = app
        .create_provider(&olga, "Rossi Tiling", &["tiler"], lat, lon, 25.0)
        .await;
    // Rita -> Rob: even the parties to its referrals do not see the provider's insights.
    send_referral(&app, &rita, rossi, &rob).await;

    for who in [&rita, &rob] {
        let response = insights(&app, who, rossi, "from=2025-03-03&to=2025-03-16").await;
        assert_problem(response, StatusCode::FORBIDDEN).await;
    }
    let unknown = insights(&app, &olga, 999_999, "from=2025-03-03&to=2025-03-16").await;
    assert_problem(unknown, StatusCode::NOT_FOUND).await;
    let anonymous = app
        .get(&format!("/v1/providers/{rossi}/insights"), None)
        .await;
    assert_problem(anonymous, StatusCode::UNAUTHORIZED).await;
}

#[sqlx::test]
async fn a_malformed_or_reversed_date_range_is_a_422_naming_the_date(pool: PgPool) {
    let app = spawn_app(pool).await;
    let olga = app.signup("Olga Rossi", "olga@example.com").await;
    let (lat, lon) = LONDON;
    let rossi = app
        .create_provider(&olga, "Rossi Tiling", &["tiler"], lat, lon, 25.0)
        .await;

    for (query, field) in [
        ("from=2025-13-01&to=2025-03-16", "from"),
        ("from=2025-02-30&to=2025-03-16", "from"),
        ("from=yesterday", "from"),
        ("from=2025-03-03&to=16/03/2025", "to"),
        ("to=2025-3-16", "to"),
        // The range must not end before it starts.
        ("from=2025-03-16&to=2025-03-03", "from"),
    ] {
        let response = insights(&app, &olga, rossi, query).await;
        assert_invalid_field(response, field).await;
    }
}

#[sqlx::test]
async fn the_last_representable_day_as_the_end_of_the_range_is_not_a_server_error(pool: PgPool) {
    let app = spawn_app(pool).await;
    let olga = app.signup("Olga Rossi", "olga@example.com").await;
    let (lat, lon) = LONDON;
    let rossi = app
        .create_provider(&olga, "Rossi Tiling", &["tiler"], lat, lon, 25.0)
        .await;

    // The range ends at midnight after `to`; the day after 9999-12-31 does not exist.
    let response = insights(&app, &olga, rossi, "from=2025-03-03&to=9999-12-31").await;

    // Either answered (the range runs to the end of time) or refused naming `to`.
    match response.status() {
        StatusCode::OK => {}
        StatusCode::UNPROCESSABLE_ENTITY => {
            assert_invalid_field(response, "to").await;
        }
        other => panic!(
            "expected 200 or 422, got {other}: {}",
            response.text().await.unwrap()
        ),
    }
}
