//! Referrals (issue 14, items 4 to 6): a person sees only their own referrals' details; no
//! answer, notification or partner event tells a sender whether an email address has an
//! account; and an emailed invitation reaches only whoever holds its token.

use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::common::{assert_invalid_field, expect_json, spawn_app, TestApp, TestUser, LONDON};

/// Olga owns Rossi Tiling (tiler); Rob is a homeowner with an account.
struct Cast {
    olga: TestUser,
    rob: TestUser,
    rossi: i64,
}

async fn cast(app: &TestApp) -> Cast {
    let olga = app.signup("Olga Rossi", "olga@example.com").await;
    let rob = app.signup("Rob Quinn", "rob@example.com").await;
    let (lat, lon) = LONDON;
    let rossi = app
        .create_provider(&olga, "Rossi Tiling", &["tiler"], lat, lon, 30.0)
        .await;
    Cast { olga, rob, rossi }
}

async fn refer(app: &TestApp, from: &TestUser, body: &Value) -> Value {
    let response = app.post("/v1/referrals", Some(&from.token), body).await;
    expect_json(response, StatusCode::CREATED).await
}

async fn read(app: &TestApp, who: &TestUser, id: &Value) -> Value {
    let response = app
        .get(&format!("/v1/referrals/{id}"), Some(&who.token))
        .await;
    expect_json(response, StatusCode::OK).await
}

#[sqlx::test]
async fn a_referral_shows_no_party_who_else_referred_the_same_person(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cast = cast(&app).await;
    let alice = app.signup("Alice Ng", "alice@example.com").await;
    let bruno = app.signup("Bruno Sala", "bruno@example.com").await;
    let body = json!({ "provider_id": cast.rossi, "trade": "tiler", "recipient_id": cast.rob.id });
    // Alice -> Rob, then Bruno -> Rob: the same provider, trade and recipient.
    let alices = refer(&app, &alice, &body).await;
    let brunos = refer(&app, &bruno, &body).await;
    // Rob accepts both and hires through Alice's: the credit goes to one of them.
    for id in [&alices["id"], &brunos["id"]] {
        let path = format!("/v1/referrals/{id}/transitions");
        let moved = app
            .post(&path, Some(&cast.rob.token), &json!({ "to": "accepted" }))
            .await;
        expect_json(moved, StatusCode::OK).await;
    }
    let path = format!("/v1/referrals/{}/transitions", alices["id"]);
    let hired = app
        .post(&path, Some(&cast.rob.token), &json!({ "to": "hired" }))
        .await;
    expect_json(hired, StatusCode::OK).await;

    // Neither sender, nor the owner, learns anything of the other's referral.
    for (who, id, other) in [
        (&alice, &alices["id"], &bruno),
        (&bruno, &brunos["id"], &alice),
        (&cast.olga, &alices["id"], &bruno),
    ] {
        let seen = read(&app, who, id).await.to_string();
        assert!(
            !seen.contains(&other.name),
            "{} sees {}: {seen}",
            who.name,
            other.name
        );
        assert!(!seen.contains("also_referred"), "{seen}");
        let listed = app
            .get("/v1/me/referrals?role=sent", Some(&who.token))
            .await;
        let listed = expect_json(listed, StatusCode::OK).await.to_string();
        assert!(!listed.contains(&other.name), "{listed}");
    }
    // The recipient sees that one other person referred the same provider: a number only.
    let robs = read(&app, &cast.rob, &alices["id"]).await;
    assert_eq!(robs["also_referred"], 1, "{robs}");
    assert!(!robs.to_string().contains("Bruno"), "{robs}");
}

#[sqlx::test]
async fn an_email_referral_answers_alike_whether_or_not_the_address_has_an_account(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cast = cast(&app).await;
    let rita = app.signup("Rita Moreno", "rita@example.com").await;
    let to = |email: &str| json!({ "provider_id": cast.rossi, "trade": "tiler", "recipient_email": email });

    // rob@example.com has an account, nobody@example.com none, olga@example.com is the
    // provider's owner: each is an invitation, and the answers differ only where their
    // inputs do.
    let mut answers = Vec::new();
    for email in ["rob@example.com", "nobody@example.com", "olga@example.com"] {
        let mut created = refer(&app, &rita, &to(email)).await;
        assert!(created["invite_token"].is_string(), "{created}");
        for varying in [
            "id",
            "recipient_email",
            "invite_token",
            "created_at",
            "updated_at",
        ] {
            created[varying] = Value::Null;
        }
        answers.push(created);
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[1], answers[2]);
    assert_eq!(answers[0]["recipient_id"], Value::Null);
    assert_eq!(answers[0]["recipient_name"], Value::Null);

    // Rob is told nothing until he claims it, and partners' events name no recipient.
    let robs: i64 = sqlx::query_scalar("select count(*) from notifications where person_id = $1")
        .bind(cast.rob.id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(robs, 0);
    let named: i64 = sqlx::query_scalar(
        "select count(*) from outbox_events
         where event_type = 'referral.created' and payload->>'recipient_id' is not null",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(named, 0);
}

#[sqlx::test]
async fn signing_up_as_the_invited_address_without_the_token_reads_nothing_of_the_invitation(
    pool: PgPool,
) {
    let app = spawn_app(pool).await;
    let cast = cast(&app).await;
    let rita = app.signup("Rita Moreno", "rita@example.com").await;
    let body = json!({ "provider_id": cast.rossi, "trade": "tiler",
        "recipient_email": "anna@example.com", "note": "for Anna's eyes only" });
    let invitation = refer(&app, &rita, &body).await;

    // Mallory gets to anna@example.com first; nobody proved the address.
    let mallory = app.signup("Mallory", "anna@example.com").await;

    let received = app
        .get("/v1/me/referrals?role=received", Some(&mallory.token))
        .await;
    let received = expect_json(received, StatusCode::OK).await;
    assert_eq!(received["items"], json!([]), "{received}");
    let direct = app
        .get(
            &format!("/v1/referrals/{}", invitation["id"]),
            Some(&mallory.token),
        )
        .await;
    assert_eq!(direct.status(), StatusCode::NOT_FOUND);
    let inbox = app.get("/v1/me/notifications", Some(&mallory.token)).await;
    let inbox = expect_json(inbox, StatusCode::OK).await.to_string();
    assert!(!inbox.contains("Anna's eyes"), "{inbox}");
    // A made-up token claims nothing either.
    let guess = app
        .post(
            "/v1/me/invitations",
            Some(&mallory.token),
            &json!({ "invite_token": "A".repeat(43) }),
        )
        .await;
    assert_invalid_field(guess, "invite_token").await;
    let recipient: Option<i64> =
        sqlx::query_scalar("select recipient_id from referrals where id = $1")
            .bind(invitation["id"].as_i64().unwrap())
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(recipient, None);
}

#[sqlx::test]
async fn an_invitation_cannot_be_claimed_by_its_sender_or_the_providers_owner(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cast = cast(&app).await;
    let rita = app.signup("Rita Moreno", "rita@example.com").await;
    let to_olga = json!({ "provider_id": cast.rossi, "trade": "tiler", "recipient_email": "olga@example.com" });
    let invitation = refer(&app, &rita, &to_olga).await;
    let token = invitation["invite_token"].clone();

    for who in [&rita, &cast.olga] {
        let claim = app
            .post(
                "/v1/me/invitations",
                Some(&who.token),
                &json!({ "invite_token": token }),
            )
            .await;
        assert_invalid_field(claim, "invite_token").await;
    }
}
