//! Building a circle: people you may know (`GET /v1/me/suggestions`), invitations by email
//! that offer a trust edge back (`/v1/me/circle/invitations`, `/joined`, `/offers`), an
//! address book matched against proved addresses (`POST /v1/me/contacts/match`), and the
//! emails a request sends.

use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::common::{
    assert_invalid_field, assert_problem, expect_json, spawn_app, TestApp, TestUser, LONDON,
    PASSWORD,
};
use crate::email::{spawn_with_mail, token_in, verify};

async fn suggestions(app: &TestApp, who: &TestUser) -> Vec<Value> {
    let list = expect_json(
        app.get("/v1/me/suggestions", Some(&who.token)).await,
        StatusCode::OK,
    )
    .await;
    list["suggestions"].as_array().unwrap().clone()
}

fn names(list: &[Value]) -> Vec<&str> {
    list.iter()
        .map(|s| s["display_name"].as_str().unwrap())
        .collect()
}

/// Marks an address proved, as following the emailed link would.
async fn prove(app: &TestApp, who: &TestUser) {
    sqlx::query("update accounts set email_verified_at = now() where person_id = $1")
        .bind(who.id)
        .execute(&app.pool)
        .await
        .unwrap();
}

/// The offers waiting for `who`.
async fn offers(app: &TestApp, who: &TestUser) -> Vec<Value> {
    let list = expect_json(
        app.get("/v1/me/circle/offers", Some(&who.token)).await,
        StatusCode::OK,
    )
    .await;
    list["offers"].as_array().unwrap().clone()
}

/// Gives the newest invitation of `inviter` a known link token, as the mail fan-out does
/// when it writes the email (for tests that do not read mail).
async fn link_token(app: &TestApp, inviter: &TestUser, secret: &str) {
    sqlx::query(
        "update circle_invitations set token_hash = sha256(convert_to($2, 'UTF8'))
         where id = (select max(id) from circle_invitations where inviter_id = $1)",
    )
    .bind(inviter.id)
    .bind(secret)
    .execute(&app.pool)
    .await
    .unwrap();
}

#[sqlx::test]
async fn people_you_may_know_come_with_reasons_and_never_from_a_private_edge(pool: PgPool) {
    let app = spawn_app(pool).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    let matt = app.signup("Matt Hughes", "matt@example.com").await;
    let bea = app.signup("Bea Lund", "bea@example.com").await;
    let cara = app.signup("Cara Diaz", "cara@example.com").await;
    let dora = app.signup("Dora Kent", "dora@example.com").await;
    // Anna -> Matt, level 3, public
    app.trust(&anna, &matt, 3, "public").await;
    // Dora -> Matt, level 2, public: Dora trusts someone Anna trusts
    app.trust(&dora, &matt, 2, "public").await;
    // Cara -> Anna, level 2, public: Cara trusts Anna, who has not trusted her back
    app.trust(&cara, &anna, 2, "public").await;
    // Bea -> Anna, level 3, private: Bea chose that Anna should not know
    app.trust(&bea, &anna, 3, "private").await;
    // Bea -> Matt, level 3, private: and this too
    app.trust(&bea, &matt, 3, "private").await;

    let found = suggestions(&app, &anna).await;
    assert_eq!(names(&found), ["Cara Diaz", "Dora Kent"], "{found:?}");
    assert_eq!(found[0]["trusts_you"], 2);
    assert_eq!(found[0]["reasons"], json!(["trusts your judgement"]));
    assert_eq!(found[1]["reasons"], json!(["also trusts Matt Hughes"]));
    assert_eq!(found[1]["shared_people"], 1);

    // Trusting someone takes them off the list.
    app.trust(&anna, &cara, 2, "network").await;
    assert_eq!(names(&suggestions(&app, &anna).await), ["Dora Kent"]);
    // A stranger asks for nobody's suggestions.
    assert_problem(
        app.get("/v1/me/suggestions", None).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}

#[sqlx::test]
async fn an_emailed_invitation_offers_the_newcomer_a_trust_edge_back(pool: PgPool) {
    let m = spawn_with_mail(pool, |_| {}).await;
    let anna = m.app.signup("Anna Berg", "anna@example.com").await;
    verify(&m, &anna).await;
    let body = json!({ "email": "Ben@Example.com", "note": "you need a good tiler" });
    let sent = m
        .app
        .post("/v1/me/circle/invitations", Some(&anna.token), &body)
        .await;
    assert_eq!(sent.status(), StatusCode::ACCEPTED);
    let mail = m.wait_for("ben@example.com", "Anna Berg invites you").await;
    let text = crate::email::decoded(&mail);
    assert!(text.contains("you need a good tiler"), "{text}");
    assert!(
        mail.header("List-Unsubscribe").is_some(),
        "an invitation can be declined in one click"
    );
    let token = token_in(&mail, "/join");

    // Ben signs up with the link's token: he is offered to trust Anna back.
    let body = json!({ "email": "ben@example.com", "password": PASSWORD,
        "display_name": "Ben Carter", "circle_invitation": token });
    expect_json(
        m.app.post("/v1/accounts", None, &body).await,
        StatusCode::CREATED,
    )
    .await;
    let session = m.app.login("ben@example.com", PASSWORD).await;
    let ben_token = session["token"].as_str().unwrap().to_string();
    let list = expect_json(
        m.app.get("/v1/me/circle/offers", Some(&ben_token)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list["offers"][0]["inviter_name"], "Anna Berg", "{list}");
    assert_eq!(list["offers"][0]["note"], "you need a good tiler");

    // Anna sees that Ben joined, and hears of it in her inbox.
    let mine = expect_json(
        m.app
            .get("/v1/me/circle/invitations", Some(&anna.token))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(mine["invitations"][0]["status"], "joined", "{mine}");
    assert_eq!(mine["invitations"][0]["joined_name"], "Ben Carter");
    assert_eq!(
        mine["invitations"][0]["email"],
        Value::Null,
        "the address is not kept"
    );
    let inbox = expect_json(
        m.app.get("/v1/me/notifications", Some(&anna.token)).await,
        StatusCode::OK,
    )
    .await;
    assert!(inbox.to_string().contains("circle.joined"), "{inbox}");

    // Trusting Anna back answers the offer.
    let path = format!("/v1/trust/{}", anna.id);
    let body = json!({ "level": 2, "visibility": "network" });
    expect_json(
        m.app.put(&path, Some(&ben_token), &body).await,
        StatusCode::OK,
    )
    .await;
    let list = expect_json(
        m.app.get("/v1/me/circle/offers", Some(&ben_token)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list["offers"], json!([]));

    // The link works once.
    let body = json!({ "email": "bea@example.com", "password": PASSWORD,
        "display_name": "Bea Lund", "circle_invitation": token });
    assert_invalid_field(
        m.app.post("/v1/accounts", None, &body).await,
        "circle_invitation",
    )
    .await;
}

#[sqlx::test]
async fn an_invitation_waits_for_the_inviters_own_address_to_be_proved(pool: PgPool) {
    let m = spawn_with_mail(pool, |_| {}).await;
    let rita = m.app.signup("Rita Moss", "rita@example.com").await;
    let body = json!({ "email": "friend@example.com" });
    let sent = m
        .app
        .post("/v1/me/circle/invitations", Some(&rita.token), &body)
        .await;
    assert_eq!(sent.status(), StatusCode::ACCEPTED);
    m.settle().await;
    assert!(
        m.find("friend@example.com", "invites you").is_none(),
        "no mail to a stranger in the name of an unproved address"
    );
    verify(&m, &rita).await;
    m.wait_for("friend@example.com", "Rita Moss invites you")
        .await;
}

#[sqlx::test]
async fn invitations_are_checked_capped_and_never_say_who_has_an_account(pool: PgPool) {
    let app = spawn_app(pool).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    app.signup("Matt Hughes", "matt@example.com").await;
    let invite = |email: &str| json!({ "email": email });
    let path = "/v1/me/circle/invitations";
    assert_invalid_field(
        app.post(path, Some(&anna.token), &invite("not an address"))
            .await,
        "email",
    )
    .await;
    assert_invalid_field(
        app.post(path, Some(&anna.token), &invite("ANNA@example.com"))
            .await,
        "email",
    )
    .await;
    let long = json!({ "email": "x@example.com", "note": "n".repeat(501) });
    assert_invalid_field(app.post(path, Some(&anna.token), &long).await, "note").await;
    // An address with an account and one without get the same answer.
    for address in ["matt@example.com", "nobody@example.com"] {
        let sent = app.post(path, Some(&anna.token), &invite(address)).await;
        assert_eq!(sent.status(), StatusCode::ACCEPTED, "{address}");
    }
    // The same address again, while the first waits: a conflict, not a second email.
    assert_problem(
        app.post(path, Some(&anna.token), &invite("nobody@example.com"))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    // Twenty a day.
    for i in 2..20 {
        let sent = app
            .post(
                path,
                Some(&anna.token),
                &invite(&format!("p{i}@example.com")),
            )
            .await;
        assert_eq!(sent.status(), StatusCode::ACCEPTED, "invitation {i}");
    }
    let refused = app
        .post(path, Some(&anna.token), &invite("one.more@example.com"))
        .await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().get("retry-after").is_some());
    assert_problem(
        app.post(path, None, &invite("x@example.com")).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}

#[sqlx::test]
async fn an_offer_is_only_its_invitees_to_decline_and_a_used_link_is_refused(pool: PgPool) {
    let app = spawn_app(pool).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    let ben = app.signup("Ben Carter", "ben@example.com").await;
    let cara = app.signup("Cara Diaz", "cara@example.com").await;
    let body = json!({ "email": "ben.other@example.com" });
    app.post("/v1/me/circle/invitations", Some(&anna.token), &body)
        .await;
    link_token(&app, &anna, "secret-for-ben").await;

    // Anna cannot use her own invitation.
    let own = json!({ "token": "secret-for-ben" });
    assert_invalid_field(
        app.post("/v1/me/circle/joined", Some(&anna.token), &own)
            .await,
        "circle_invitation",
    )
    .await;
    // Ben, who already has an account, joins from the link while signed in.
    let joined = expect_json(
        app.post("/v1/me/circle/joined", Some(&ben.token), &own)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(joined["inviter_name"], "Anna Berg");
    let offer = joined["offer_id"].as_i64().unwrap();
    // Used once: Cara cannot use it again.
    assert_invalid_field(
        app.post("/v1/me/circle/joined", Some(&cara.token), &own)
            .await,
        "circle_invitation",
    )
    .await;
    // Cara cannot decline Ben's offer, nor learn it exists.
    let path = format!("/v1/me/circle/offers/{offer}");
    assert_problem(
        app.delete(&path, Some(&cara.token)).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(offers(&app, &ben).await.len(), 1);
    let declined = app.delete(&path, Some(&ben.token)).await;
    assert_eq!(declined.status(), StatusCode::NO_CONTENT);
    assert!(offers(&app, &ben).await.is_empty());
    assert_problem(
        app.delete(&path, Some(&ben.token)).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[sqlx::test]
async fn an_address_book_matches_only_proved_addresses_and_keeps_none(pool: PgPool) {
    let app = spawn_app(pool).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    let matt = app.signup("Matt Hughes", "matt@example.com").await;
    let dora = app.signup("Dora Kent", "dora@example.com").await;
    let cara = app.signup("Cara Diaz", "cara@example.com").await;
    // Matt and Cara proved their addresses; Dora has not (anyone may sign up with another's).
    prove(&app, &matt).await;
    prove(&app, &cara).await;
    // Anna already trusts Cara.
    app.trust(&anna, &cara, 2, "public").await;
    let vcf = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Matt\r\nEMAIL;TYPE=HOME:Matt@Example.com\r\nEND:VCARD\r\n\
               BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Dora\r\nEMAIL:dora@example.com\r\nEND:VCARD\r\n\
               BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Cara\r\nEMAIL:cara@example.com\r\nEND:VCARD\r\n\
               BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Stranger\r\nEMAIL:stranger.4711@example.com\r\nEND:VCARD\r\n\
               BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Me\r\nEMAIL:anna@example.com\r\nEND:VCARD\r\n";
    let found = expect_json(
        app.post(
            "/v1/me/contacts/match",
            Some(&anna.token),
            &json!({ "contacts": vcf }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(found["read"], 5);
    let matched: Vec<(&str, bool)> = found["matched"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["display_name"].as_str().unwrap(),
                m["in_circle"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        matched,
        [("Cara Diaz", true), ("Matt Hughes", false)],
        "{found}"
    );
    // Dora's unproved address looks like a stranger's: nothing says she has an account.
    assert_eq!(
        found["unmatched"],
        json!(["dora@example.com", "stranger.4711@example.com"])
    );
    let _ = dora;
    // Nothing of the book was kept, only the day's count.
    let kept: i64 =
        sqlx::query_scalar("select count(*) from circle_invitations where email like '%4711%'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(kept, 0);
    let counted: i32 =
        sqlx::query_scalar("select addresses from contact_lookups where person_id = $1")
            .bind(anna.id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(counted, 5);

    // Not an address book, and too many look-ups in a day, are refused with reasons.
    assert_invalid_field(
        app.post(
            "/v1/me/contacts/match",
            Some(&anna.token),
            &json!({ "contacts": "hello" }),
        )
        .await,
        "contacts",
    )
    .await;
    sqlx::query("update contact_lookups set addresses = 1999 where person_id = $1")
        .bind(anna.id)
        .execute(&app.pool)
        .await
        .unwrap();
    let refused = app
        .post(
            "/v1/me/contacts/match",
            Some(&anna.token),
            &json!({ "contacts": "a@example.com\nb@example.com" }),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[sqlx::test]
async fn a_request_emails_the_people_it_reaches_and_an_answer_emails_the_asker(pool: PgPool) {
    let m = spawn_with_mail(pool, |_| {}).await;
    let app = &m.app;
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    let matt = app.signup("Matt Hughes", "matt@example.com").await;
    let dora = app.signup("Dora Kent", "dora@example.com").await;
    let olga = app.signup("Olga Rossi", "olga@example.com").await;
    for who in [&anna, &matt, &dora] {
        verify(&m, who).await;
    }
    let (lat, lon) = LONDON;
    let rossi = app
        .create_provider(&olga, "Rossi Tiling", &["tiler"], lat, lon, 25.0)
        .await;
    // Anna -> Matt, level 3, public; Matt -> Dora, level 2, public
    app.trust(&anna, &matt, 3, "public").await;
    app.trust(&matt, &dora, 2, "public").await;
    // Matt and Dora both recommend Rossi Tiling, publicly
    app.vouch(&matt, rossi, "tiler", "recommend", "public")
        .await;
    app.vouch(&dora, rossi, "tiler", "recommend", "public")
        .await;
    let body = json!({ "trade": "tiler", "note": "bathroom re-tile, small flat" });
    let asked = expect_json(
        app.post("/v1/requests", Some(&anna.token), &body).await,
        StatusCode::CREATED,
    )
    .await;
    let id = asked["id"].as_i64().unwrap();

    // Matt, whom Anna trusts, is told who asks; Dora, two hops out, only through whom.
    let to_matt = m
        .wait_for("matt@example.com", "Anna Berg is looking for a tiler")
        .await;
    assert!(crate::email::decoded(&to_matt).contains("bathroom re-tile"));
    let to_dora = m
        .wait_for(
            "dora@example.com",
            "Someone in Matt Hughes's circle is looking for a tiler",
        )
        .await;
    let text = crate::email::decoded(&to_dora);
    assert!(
        !text.contains("Anna"),
        "the asker's name reached a two-hop recipient: {text}"
    );

    let body = json!({ "provider_id": rossi, "note": "did my bathroom", "vouch": false });
    let path = format!("/v1/requests/{id}/answers");
    expect_json(
        app.post(&path, Some(&matt.token), &body).await,
        StatusCode::CREATED,
    )
    .await;
    m.wait_for("anna@example.com", "Matt Hughes suggests Rossi Tiling")
        .await;
}
