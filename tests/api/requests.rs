//! Asking one's circle: `POST /v1/requests`, the inbox (`GET /v1/requests?role=inbox`), a
//! request with its answers ranked (`GET /v1/requests/{id}`), answering and closing, muting.

use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::common::{
    assert_invalid_field, assert_problem, expect_json, spawn_app, TestApp, TestUser, LONDON,
};

/// Anna asks; Matt, whom she trusts, recommends Rossi Tiling; Dora, whom Matt trusts,
/// recommends Pronto Tiles; Bea, whom Anna trusts privately, recommends Rossi too; Cara knows
/// no one.
struct Circle {
    anna: TestUser,
    matt: TestUser,
    bea: TestUser,
    cara: TestUser,
    dora: TestUser,
    /// Owns Rossi Tiling.
    olga: TestUser,
    rossi: i64,
    pronto: i64,
}

async fn circle(app: &TestApp) -> Circle {
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    let matt = app.signup("Matt Hughes", "matt@example.com").await;
    let bea = app.signup("Bea Lund", "bea@example.com").await;
    let cara = app.signup("Cara Diaz", "cara@example.com").await;
    let dora = app.signup("Dora Kent", "dora@example.com").await;
    let olga = app.signup("Olga Rossi", "olga@example.com").await;
    let pete = app.signup("Pete Pronto", "pete@example.com").await;
    let (lat, lon) = LONDON;
    let rossi = app
        .create_provider(&olga, "Rossi Tiling", &["tiler"], lat, lon, 25.0)
        .await;
    let pronto = app
        .create_provider(&pete, "Pronto Tiles", &["tiler"], lat, lon, 25.0)
        .await;
    // Anna -> Matt, level 3, public
    app.trust(&anna, &matt, 3, "public").await;
    // Anna -> Bea, level 3, private: it must never carry a request
    app.trust(&anna, &bea, 3, "private").await;
    // Matt -> Dora, level 2, public
    app.trust(&matt, &dora, 2, "public").await;
    // Matt recommends Rossi Tiling, publicly
    app.vouch(&matt, rossi, "tiler", "recommend", "public")
        .await;
    // Bea recommends Rossi Tiling, publicly
    app.vouch(&bea, rossi, "tiler", "recommend", "public").await;
    // Dora recommends Pronto Tiles, publicly
    app.vouch(&dora, pronto, "tiler", "recommend", "public")
        .await;
    Circle {
        anna,
        matt,
        bea,
        cara,
        dora,
        olga,
        rossi,
        pronto,
    }
}

async fn ask(app: &TestApp, who: &TestUser) -> i64 {
    let body = json!({ "trade": "tiler", "note": "bathroom re-tile, small flat", "near": "Redland, Bristol" });
    let asked = expect_json(
        app.post("/v1/requests", Some(&who.token), &body).await,
        StatusCode::CREATED,
    )
    .await;
    asked["id"].as_i64().unwrap()
}

async fn inbox(app: &TestApp, who: &TestUser) -> Vec<Value> {
    let list = expect_json(
        app.get("/v1/requests?role=inbox", Some(&who.token)).await,
        StatusCode::OK,
    )
    .await;
    list["requests"].as_array().unwrap().clone()
}

async fn answer(
    app: &TestApp,
    who: &TestUser,
    id: i64,
    provider: i64,
    vouch: bool,
) -> reqwest::Response {
    let body = json!({ "provider_id": provider, "note": "They did my bathroom; call them.", "vouch": vouch });
    app.post(
        &format!("/v1/requests/{id}/answers"),
        Some(&who.token),
        &body,
    )
    .await
}

#[sqlx::test]
async fn a_request_reaches_those_who_vouched_in_the_circle_and_never_through_a_private_edge(
    pool: PgPool,
) {
    let app = spawn_app(pool).await;
    let c = circle(&app).await;
    let body = json!({ "trade": "tiler", "note": "bathroom re-tile, small flat" });
    let asked = expect_json(
        app.post("/v1/requests", Some(&c.anna.token), &body).await,
        StatusCode::CREATED,
    )
    .await;
    // Matt directly, Dora through Matt; not Bea (a private edge), not Cara (no edge).
    assert_eq!(asked["recipients"], 2, "{asked}");
    let id = asked["id"].as_i64().unwrap();

    let matts = inbox(&app, &c.matt).await;
    assert_eq!(matts.len(), 1);
    assert_eq!(matts[0]["asked_by"], "Anna Berg");
    assert_eq!(matts[0]["asker_id"], c.anna.id);
    assert_eq!(matts[0]["note"], "bathroom re-tile, small flat");
    // Dora learns only that someone in Matt's circle asks.
    let doras = inbox(&app, &c.dora).await;
    assert_eq!(doras[0]["asked_by"], "Someone in Matt Hughes's circle");
    assert_eq!(doras[0]["asker_id"], Value::Null);
    let seen = expect_json(
        app.get(&format!("/v1/requests/{id}"), Some(&c.dora.token))
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(!seen.to_string().contains("Anna"), "{seen}");

    for outsider in [&c.bea, &c.cara] {
        assert!(inbox(&app, outsider).await.is_empty());
        let response = app
            .get(&format!("/v1/requests/{id}"), Some(&outsider.token))
            .await;
        assert_problem(response, StatusCode::NOT_FOUND).await;
    }
    let mine = expect_json(
        app.get("/v1/requests?role=mine", Some(&c.anna.token)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(mine["requests"][0]["id"], id);
    assert_eq!(mine["requests"][0]["asked_by"], "You");
}

#[sqlx::test]
async fn answers_reach_the_asker_ranked_with_their_paths(pool: PgPool) {
    let app = spawn_app(pool).await;
    let c = circle(&app).await;
    let id = ask(&app, &c.anna).await;

    expect_json(
        answer(&app, &c.dora, id, c.pronto, false).await,
        StatusCode::CREATED,
    )
    .await;
    expect_json(
        answer(&app, &c.matt, id, c.rossi, true).await,
        StatusCode::CREATED,
    )
    .await;
    // The same suggestion twice is a conflict.
    assert_problem(
        answer(&app, &c.matt, id, c.rossi, false).await,
        StatusCode::CONFLICT,
    )
    .await;

    let seen = expect_json(
        app.get(&format!("/v1/requests/{id}"), Some(&c.anna.token))
            .await,
        StatusCode::OK,
    )
    .await;
    let answers = seen["answers_shown"].as_array().unwrap();
    assert_eq!(answers.len(), 2, "{seen}");
    // Rossi Tiling, which Matt (trusted completely) recommends, ranks above Dora's suggestion.
    assert_eq!(answers[0]["provider_id"], c.rossi, "{seen}");
    assert_eq!(
        answers[0]["summary"],
        "Matt Hughes (you trust them completely) suggests Rossi Tiling"
    );
    assert!(
        answers[0]["paths"][0]["text"]
            .as_str()
            .unwrap()
            .contains("Matt Hughes"),
        "{seen}"
    );
    assert_eq!(answers[0]["vouched"], true);
    assert_eq!(answers[1]["provider_id"], c.pronto);
    assert_eq!(seen["recipients"], 2);

    // Matt sees his own answer, not Dora's.
    let his = expect_json(
        app.get(&format!("/v1/requests/{id}"), Some(&c.matt.token))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(his["answers_shown"].as_array().unwrap().len(), 1);
    assert_eq!(his["recipients"], Value::Null);
    // Anna heard of each answer.
    let notes: i64 = sqlx::query_scalar(
        "select count(*) from notifications where person_id = $1 and kind = 'request.answered'",
    )
    .bind(c.anna.id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(notes, 2);
}

#[sqlx::test]
async fn only_a_recipient_answers_and_only_with_a_provider_of_the_trade(pool: PgPool) {
    let app = spawn_app(pool).await;
    let c = circle(&app).await;
    let id = ask(&app, &c.anna).await;
    assert_problem(
        answer(&app, &c.cara, id, c.rossi, false).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(
        answer(&app, &c.anna, id, c.rossi, false).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let olga = app.login("olga@example.com", crate::common::PASSWORD).await;
    let plumber = {
        let token = olga["token"].as_str().unwrap();
        let body = TestApp::provider_body("Olga's Pipes", &["plumber"], LONDON.0, LONDON.1, 10.0);
        let created = expect_json(
            app.post("/v1/providers", Some(token), &body).await,
            StatusCode::CREATED,
        )
        .await;
        created["id"].as_i64().unwrap()
    };
    assert_invalid_field(
        answer(&app, &c.matt, id, plumber, false).await,
        "provider_id",
    )
    .await;
    let long = json!({ "provider_id": c.rossi, "note": "x".repeat(1001) });
    let response = app
        .post(
            &format!("/v1/requests/{id}/answers"),
            Some(&c.matt.token),
            &long,
        )
        .await;
    assert_invalid_field(response, "note").await;
    let response = app
        .post(&format!("/v1/requests/{id}/answers"), None, &long)
        .await;
    assert_problem(response, StatusCode::UNAUTHORIZED).await;
}

#[sqlx::test]
async fn the_asker_closes_the_request_and_the_helper_is_thanked(pool: PgPool) {
    let app = spawn_app(pool).await;
    let c = circle(&app).await;
    let id = ask(&app, &c.anna).await;
    expect_json(
        answer(&app, &c.matt, id, c.rossi, false).await,
        StatusCode::CREATED,
    )
    .await;
    let path = format!("/v1/requests/{id}/close");

    let by_matt = app
        .post(&path, Some(&c.matt.token), &json!({ "solved": true }))
        .await;
    assert_problem(by_matt, StatusCode::FORBIDDEN).await;
    let by_cara = app
        .post(&path, Some(&c.cara.token), &json!({ "solved": true }))
        .await;
    assert_problem(by_cara, StatusCode::NOT_FOUND).await;
    let stranger = app
        .post(
            &path,
            Some(&c.anna.token),
            &json!({ "solved": true, "helped_by": [c.cara.id] }),
        )
        .await;
    assert_invalid_field(stranger, "helped_by").await;

    let closed = expect_json(
        app.post(
            &path,
            Some(&c.anna.token),
            &json!({ "solved": true, "helped_by": [c.matt.id] }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(closed["helped_by"], json!([c.matt.id]));
    assert_problem(
        app.post(&path, Some(&c.anna.token), &json!({ "solved": true }))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    // A closed request leaves the inbox and takes no more answers.
    assert!(inbox(&app, &c.matt).await.is_empty());
    assert_problem(
        answer(&app, &c.dora, id, c.pronto, false).await,
        StatusCode::CONFLICT,
    )
    .await;
    // Matt's help counts in his track record: his vouches now weigh more than a newcomer's.
    let strength: f32 = sqlx::query_scalar(
        "select (payload->>'strength')::real from graph_changes
         where kind = 'vouch.set' and (payload->>'person')::int8 = $1 order by seq desc limit 1",
    )
    .bind(c.matt.id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(strength > 1.0, "{strength}");
}

#[sqlx::test]
async fn a_muted_trade_reaches_no_one_who_muted_it(pool: PgPool) {
    let app = spawn_app(pool).await;
    let c = circle(&app).await;
    let response = app
        .put(
            "/v1/me/request-mutes/tiler",
            Some(&c.matt.token),
            &json!(null),
        )
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let body = json!({ "trade": "tiler" });
    let asked = expect_json(
        app.post("/v1/requests", Some(&c.anna.token), &body).await,
        StatusCode::CREATED,
    )
    .await;
    // Dora is still reached through Matt: muting stops Matt being asked, not his circle.
    assert_eq!(asked["recipients"], 1);
    assert!(inbox(&app, &c.matt).await.is_empty());
    let response = app
        .delete("/v1/me/request-mutes/tiler", Some(&c.matt.token))
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let response = app
        .put(
            "/v1/me/request-mutes/wizard",
            Some(&c.matt.token),
            &json!(null),
        )
        .await;
    assert_invalid_field(response, "trade").await;
}

#[sqlx::test]
async fn a_request_with_bad_fields_is_a_422_naming_each(pool: PgPool) {
    let app = spawn_app(pool).await;
    let c = circle(&app).await;
    for (field, body) in [
        ("trade", json!({ "trade": "wizard" })),
        (
            "note",
            json!({ "trade": "tiler", "note": "x".repeat(1001) }),
        ),
        ("deadline", json!({ "trade": "tiler", "deadline": "soon" })),
        (
            "deadline",
            json!({ "trade": "tiler", "deadline": "2001-01-01" }),
        ),
        (
            "visibility",
            json!({ "trade": "tiler", "visibility": "everyone" }),
        ),
        ("near", json!({ "trade": "tiler", "near": "Clifton" })),
    ] {
        let response = app.post("/v1/requests", Some(&c.anna.token), &body).await;
        assert_invalid_field(response, field).await;
    }
    let none: i64 = sqlx::query_scalar("select count(*) from requests")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(none, 0);
    let response = app
        .post("/v1/requests", None, &json!({ "trade": "tiler" }))
        .await;
    assert_problem(response, StatusCode::UNAUTHORIZED).await;
    let response = app
        .get("/v1/requests?role=everything", Some(&c.anna.token))
        .await;
    assert_invalid_field(response, "role").await;
}

#[sqlx::test]
async fn a_place_is_kept_as_the_gazetteer_names_it(pool: PgPool) {
    let app = spawn_app(pool).await;
    let c = circle(&app).await;
    let body = json!({ "trade": "tiler", "near": "  redland " });
    let asked = expect_json(
        app.post("/v1/requests", Some(&c.anna.token), &body).await,
        StatusCode::CREATED,
    )
    .await;
    let id = asked["id"].as_i64().unwrap();
    let seen = expect_json(
        app.get(&format!("/v1/requests/{id}"), Some(&c.matt.token))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(seen["place"], "Redland, Bristol", "{seen}");
    // A control character is never a place, nor stored.
    let body = json!({ "trade": "tiler", "near": "Redland\u{0}" });
    assert_invalid_field(
        app.post("/v1/requests", Some(&c.anna.token), &body).await,
        "near",
    )
    .await;
}

#[sqlx::test]
async fn the_asker_takes_an_answer_and_it_becomes_an_accepted_referral_in_the_providers_book(
    pool: PgPool,
) {
    let app = spawn_app(pool).await;
    let c = circle(&app).await;
    let id = ask(&app, &c.anna).await;
    let answered = expect_json(
        answer(&app, &c.matt, id, c.rossi, false).await,
        StatusCode::CREATED,
    )
    .await;
    let answer_id = answered["id"].as_i64().unwrap();
    let take = format!("/v1/requests/{id}/answers/{answer_id}/take");
    let contact = json!({ "share_email": true, "phone": "07700 900123, evenings" });

    // Only Anna may take it: Matt answered (403), Cara was never reached (404); a phone that
    // is not one is refused by name and nothing is made.
    assert_problem(
        app.post(&take, Some(&c.matt.token), &contact).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        app.post(&take, Some(&c.cara.token), &contact).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let bad = json!({ "phone": "call me" });
    assert_invalid_field(app.post(&take, Some(&c.anna.token), &bad).await, "phone").await;
    let missing = format!("/v1/requests/{id}/answers/999999/take");
    assert_problem(
        app.post(&missing, Some(&c.anna.token), &contact).await,
        StatusCode::NOT_FOUND,
    )
    .await;

    let taken = expect_json(
        app.post(&take, Some(&c.anna.token), &contact).await,
        StatusCode::CREATED,
    )
    .await;
    let referral = taken["referral_id"].as_i64().unwrap();
    // A referral from Matt to Anna, already accepted, with what she chose to share, which
    // Olga sees and Matt does not.
    let as_olga = expect_json(
        app.get(&format!("/v1/referrals/{referral}"), Some(&c.olga.token))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(as_olga["status"], "accepted", "{as_olga}");
    assert_eq!(as_olga["referrer_id"], c.matt.id, "{as_olga}");
    assert_eq!(as_olga["contact"]["email"], "anna@example.com", "{as_olga}");
    assert_eq!(as_olga["contact"]["phone"], "07700 900123, evenings");
    let as_matt = expect_json(
        app.get(&format!("/v1/referrals/{referral}"), Some(&c.matt.token))
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(as_matt["contact"].is_null(), "{as_matt}");
    // Anna is a customer in Olga's book, waiting for her call, referred by Matt.
    let book = expect_json(
        app.get(
            &format!("/v1/providers/{}/customers?filter=waiting", c.rossi),
            Some(&c.olga.token),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(book["items"][0]["name"], "Anna Berg", "{book}");
    assert_eq!(book["items"][0]["referred_by"], json!(["Matt Hughes"]));
    // The request shows the answer taken, and taking it twice is refused.
    let shown = expect_json(
        app.get(&format!("/v1/requests/{id}"), Some(&c.anna.token))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        shown["answers_shown"][0]["referral_id"], referral,
        "{shown}"
    );
    assert_problem(
        app.post(&take, Some(&c.anna.token), &contact).await,
        StatusCode::CONFLICT,
    )
    .await;
    let referrals: i64 = sqlx::query_scalar("select count(*) from referrals")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(referrals, 1);
}
