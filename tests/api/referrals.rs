//! Referrals: `POST /v1/referrals` (with `Idempotency-Key` and email invitations), the lifecycle
//! through `POST /v1/referrals/{id}/transitions`, attribution of a hire, expiry by the
//! background job, and the lists `GET /v1/me/referrals` and `GET /v1/providers/{id}/referrals`.
//!
//! The helpers at the top are shared with `notifications` and `insights`.

use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::common::{
    assert_invalid_field, assert_problem, count, expect_json, spawn_app, TestApp, TestUser, LONDON,
};

/// The people of most referral tests.
pub struct Cast {
    /// Owns Rossi Tiling.
    pub olga: TestUser,
    /// Refers Rossi Tiling to people.
    pub rita: TestUser,
    /// Receives Rita's referrals.
    pub rob: TestUser,
    /// Has nothing to do with any referral.
    pub sam: TestUser,
    /// Rossi Tiling (tiler and plasterer), owned by Olga.
    pub rossi: i64,
}

/// Olga owns Rossi Tiling; Rita, Rob and Sam have accounts.
pub async fn cast(app: &TestApp) -> Cast {
    let olga = app.signup("Olga Rossi", "olga@example.com").await;
    let rita = app.signup("Rita Moreno", "rita@example.com").await;
    let rob = app.signup("Rob Quinn", "rob@example.com").await;
    let sam = app.signup("Sam Tate", "sam@example.com").await;
    let (lat, lon) = LONDON;
    let rossi = app
        .create_provider(
            &olga,
            "Rossi Tiling",
            &["tiler", "plasterer"],
            lat,
            lon,
            25.0,
        )
        .await;
    Cast {
        olga,
        rita,
        rob,
        sam,
        rossi,
    }
}

/// The body of a referral of `provider` for `trade` to an account.
pub fn referral_to(provider: i64, trade: &str, recipient: &TestUser) -> Value {
    json!({
        "provider_id": provider,
        "trade": trade,
        "recipient_id": recipient.id,
        "note": "Olga did our bathroom; call her.",
    })
}

/// The body of a referral of `provider` for `trade` to an email address.
pub fn invitation_to(provider: i64, trade: &str, email: &str) -> Value {
    json!({ "provider_id": provider, "trade": trade, "recipient_email": email })
}

/// `POST /v1/referrals` as `referrer`.
pub async fn refer(app: &TestApp, referrer: &TestUser, body: &Value) -> Response {
    app.post("/v1/referrals", Some(&referrer.token), body).await
}

/// `POST /v1/referrals` as `referrer` with an `Idempotency-Key`.
pub async fn refer_with_key(
    app: &TestApp,
    referrer: &TestUser,
    key: &str,
    body: &Value,
) -> Response {
    app.request(Method::POST, "/v1/referrals", Some(&referrer.token))
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .expect("the request reaches the server")
}

/// `referrer` refers `provider` as a tiler to `recipient`; returns the created referral.
pub async fn send_referral(
    app: &TestApp,
    referrer: &TestUser,
    provider: i64,
    recipient: &TestUser,
) -> Value {
    let body = referral_to(provider, "tiler", recipient);
    expect_json(refer(app, referrer, &body).await, StatusCode::CREATED).await
}

/// The id of a referral document.
pub fn id_of(referral: &Value) -> i64 {
    referral["id"].as_i64().expect("the referral has an id")
}

/// `POST /v1/referrals/{id}/transitions` as `who`.
pub async fn post_move(app: &TestApp, who: &TestUser, id: i64, body: &Value) -> Response {
    let path = format!("/v1/referrals/{id}/transitions");
    app.post(&path, Some(&who.token), body).await
}

/// A move's body. A completion carries an outcome, so that a refusal of it is about who moves
/// and from where, never about a missing outcome.
pub fn move_body(to: &str) -> Value {
    if to == "completed" {
        json!({ "to": to, "outcome": "good", "rating": 4 })
    } else {
        json!({ "to": to })
    }
}

/// `who` moves referral `id` to `to`; asserts it succeeded and returns the referral after.
pub async fn make_move(app: &TestApp, who: &TestUser, id: i64, to: &str) -> Value {
    let referral = expect_json(
        post_move(app, who, id, &move_body(to)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(referral["status"], to, "{referral}");
    referral
}

/// `GET /v1/referrals/{id}` as `who`, expecting it to be readable.
pub async fn read_referral(app: &TestApp, who: &TestUser, id: i64) -> Value {
    let path = format!("/v1/referrals/{id}");
    expect_json(app.get(&path, Some(&who.token)).await, StatusCode::OK).await
}

/// The stored status of a referral, straight from the database.
pub async fn stored_status(pool: &PgPool, id: i64) -> String {
    sqlx::query_scalar("select status from referrals where id = $1")
        .bind(id)
        .fetch_one(pool)
        .await
        .expect("the referral exists")
}

/// Moves a referral's creation (and so its 30-day expiry clock) `days` into the past.
pub async fn backdate(pool: &PgPool, id: i64, days: i32) {
    sqlx::query(
        "update referrals set created_at = now() - make_interval(days => $2) where id = $1",
    )
    .bind(id)
    .bind(days)
    .execute(pool)
    .await
    .expect("backdating a referral");
}

/// The ids of a page of referrals.
pub fn item_ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .expect("a page has items")
        .iter()
        .map(id_of)
        .collect()
}

/// Every status, so that loops can try every move.
const STATUSES: [&str; 7] = [
    "sent",
    "accepted",
    "contacted",
    "hired",
    "completed",
    "declined",
    "expired",
];

/// The moves each party may make from each status, as the issue lists them: the recipient
/// accepts, declines and hires (from accepted or contacted); the owner marks contacted; only
/// the recipient completes, saying how it went; the referrer only watches.
fn moves_for(status: &str, role: &str) -> Vec<&'static str> {
    match (status, role) {
        ("sent", "recipient") => vec!["accepted", "declined"],
        ("accepted", "recipient") => vec!["hired", "declined"],
        ("accepted", "owner") => vec!["contacted"],
        ("contacted", "recipient") => vec!["hired", "declined"],
        ("hired", "recipient") => vec!["completed"],
        _ => vec![],
    }
}

/// The three parties of Rita's referrals to Rob, by role.
fn parties(cast: &Cast) -> [(&'static str, &TestUser); 3] {
    [
        ("referrer", &cast.rita),
        ("recipient", &cast.rob),
        ("owner", &cast.olga),
    ]
}

// ---------------------------------------------------------------------------------------------
// Sending a referral
// ---------------------------------------------------------------------------------------------

#[sqlx::test]
async fn a_person_refers_a_provider_to_someone_and_every_party_can_read_it(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cast = cast(&app).await;

    let body = referral_to(cast.rossi, "tiler", &cast.rob);
    let created = expect_json(refer(&app, &cast.rita, &body).await, StatusCode::CREATED).await;

    assert_eq!(created["referrer_id"], cast.rita.id);
    assert_eq!(created["referrer_name"], "Rita Moreno");
    assert_eq!(created["provider_id"], cast.rossi);
    assert_eq!(created["provider_name"], "Rossi Tiling");
    assert_eq!(created["trade"], "tiler");
    assert_eq!(created["recipient_id"], cast.rob.id);
    assert_eq!(created["recipient_name"], "Rob Quinn");
    assert_eq!(created["note"], "Olga did our bathroom; call her.");
    assert_eq!(created["status"], "sent");
    assert_eq!(created["outcome"], Value::Null);
    assert_eq!(created["credited"], false);
    // The referrer only watches; a referral to an account carries no invitation.
    assert_eq!(created["allowed_moves"], json!([]));
    assert!(created.get("invite_token").is_none(), "{created}");
    let id = id_of(&created);
    for (role, who) in parties(&cast) {
        let seen = read_referral(&app, who, id).await;
        assert_eq!(seen["status"], "sent", "{role}: {seen}");
        assert_eq!(
            seen["allowed_moves"],
            json!(moves_for("sent", role)),
            "{role}"
        );
        let history = seen["transitions"].as_array().expect("a history");
        assert_eq!(history.len(), 1, "{seen}");
        assert_eq!(history[0]["from"], Value::Null);
        assert_eq!(history[0]["to"], "sent");
        assert_eq!(history[0]["actor_id"], cast.rita.id);
        assert!(history[0]["at"].is_string(), "{seen}");
    }
}

#[sqlx::test]
async fn referring_yourself_or_a_provider_to_its_owner_is_refused_and_writes_nothing(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cast = cast(&app).await;

    let to_self = refer(
        &app,
        &cast.rita,
        &referral_to(cast.rossi, "tiler", &cast.rita),
    )
    .await;
    assert_invalid_field(to_self, "recipient_id").await;
    // Your own address is you, too.
    // The error names the field the caller filled in.
    let body = invitation_to(cast.rossi, "tiler", "RITA@example.com");
    assert_invalid_field(refer(&app, &cast.rita, &body).await, "recipient_email").await;
    let to_owner = refer(
        &app,
        &cast.rita,
        &referral_to(cast.rossi, "tiler", &cast.olga),
    )
    .await;
    assert_invalid_field(to_owner, "recipient_id").await;
    // (An invitation to the owner's address is an invitation like any other: refusing it would
    // tell Rita whose address it is. The owner cannot claim it: see the security tests.)

    assert_eq!(count(&app.pool, "referrals").await, 0);
    assert_eq!(count(&app.pool, "referral_transitions").await, 0);
    assert_eq!(count(&app.pool, "notifications").await, 0);
    assert_eq!(
        count(
            &app.pool,
            "outbox_events where event_type not like 'account.%'"
        )
        .await,
        0
    );
}

#[sqlx::test]
async fn a_referral_naming_a_missing_provider_trade_or_recipient_is_a_422_on_that_field(
    pool: PgPool,
) {
    let app = spawn_app(pool).await;
    let cast = cast(&app).await;
    let good = referral_to(cast.rossi, "tiler", &cast.rob);
    let with = |field: &str, value: Value| {
        let mut body = good.clone();
        body[field] = value;
        body
    };

    let cases = [
        ("provider_id", with("provider_id", json!(999_999))),
        ("trade", with("trade", json!("astronaut"))),
        // Rossi Tiling does not do plumbing.
        ("trade", with("trade", json!("plumber"))),
        ("recipient_id", with("recipient_id", json!(999_999))),
        ("note", with("note", json!("x".repeat(1001)))),
        // Exactly one of recipient_id and recipient_email.
        (
            "recipient_id",
            with("recipient_email", json!("rob@example.com")),
        ),
        ("recipient_id", with("recipient_id", Value::Null)),
        (
            "recipient_email",
            json!({ "provider_id": cast.rossi, "trade": "tiler", "recipient_email": "not-an-email" }),
        ),
    ];
    for (field, body) in cases {
        let response = refer(&app, &cast.rita, &body).await;
        assert_invalid_field(response, field).await;
    }
    assert_eq!(count(&app.pool, "referrals").await, 0);
    assert_eq!(
        count(
            &app.pool,
            "outbox_events where event_type not like 'account.%'"
        )
        .await,
        0
    );
}

#[sqlx::test]
async fn only_a_signed_in_person_can_send_a_referral(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cast = cast(&app).await;

    let body = referral_to(cast.rossi, "tiler", &cast.rob);
    let response = app.post("/v1/referrals", None, &body).await;

    assert_problem(response, StatusCode::UNAUTHORIZED).await;
    assert_eq!(count(&app.pool, "referrals").await, 0);
}

// ---------------------------------------------------------------------------------------------
// Idempotency-Key
// ---------------------------------------------------------------------------------------------

#[sqlx::test]
async fn replaying_a_key_with_the_same_body_returns_the_original_response_and_writes_once(
    pool: PgPool,
) {
    let app = spawn_app(pool).await;
    let cast = cast(&app).await;
    let body = referral_to(cast.rossi, "tiler", &cast.rob);

    let first = refer_with_key(&app, &cast.rita, "retry-1", &body).await;
    let first = expect_json(first, StatusCode::CREATED).await;
    // Rob accepts in between: a replay still answers with the original response.
    make_move(&app, &cast.rob, id_of(&first), "accepted").await;
    let second = refer_with_key(&app, &cast.rita, "retry-1", &body).await;
    let second = expect_json(second, StatusCode::CREATED).await;

    assert_eq!(second, first);
    assert_eq!(count(&app.pool, "referrals").await, 1);
    assert_eq!(count(&app.pool, "idempotency_keys").await, 1);
    // One creation event and one acceptance event: the replay did no work.
    assert_eq!(
        count(
            &app.pool,
            "outbox_events where event_type not like 'account.%'"
        )
        .await,
        2
    );
}

#[sqlx::test]
async fn reusing_a_key_with_another_body_is_a_422_and_writes_nothing(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cast = cast(&app).await;
    let body = referral_to(cast.rossi, "tiler", &cast.rob);
    let first = refer_with_key(&app, &cast.rita, "retry-1", &body).await;
    expect_json(first, StatusCode::CREATED).await;

    let other = referral_to(cast.rossi, "plasterer", &cast.rob);
    let response = refer_with_key(&app, &cast.rita, "retry-1", &other).await;

    assert_invalid_field(response, "Idempotency-Key").await;
    assert_eq!(count(&app.pool, "referrals").await, 1);
    assert_eq!(
        count(
            &app.pool,
            "outbox_events where event_type not like 'account.%'"
        )
        .await,
        1
    );
}

#[sqlx::test]
async fn different_callers_use_the_same_key_independently(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cast = cast(&app).await;

    let rita_body = referral_to(cast.rossi, "tiler", &cast.rob);
    let ritas = refer_with_key(&app, &cast.rita, "same-key", &rita_body).await;
    let ritas = expect_json(ritas, StatusCode::CREATED).await;
    let sam_body = referral_to(cast.rossi, "plasterer", &cast.rob);
    let sams = refer_with_key(&app, &cast.sam, "same-key", &sam_body).await;
    let sams = expect_json(sams, StatusCode::CREATED).await;

    assert_ne!(id_of(&ritas), id_of(&sams));
    assert_eq!(ritas["referrer_id"], cast.rita.id);
    assert_eq!(sams["referrer_id"], cast.sam.id);
    assert_eq!(sams["trade"], "plasterer");
    assert_eq!(count(&app.pool, "referrals").await, 2);
    assert_eq!(count(&app.pool, "idempotency_keys").await, 2);
}

#[sqlx::test]
async fn two_concurrent_requests_with_one_key_create_one_referral(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cast = cast(&app).await;
    let body = referral_to(cast.rossi, "tiler", &cast.rob);

    let (a, b) = tokio::join!(
        refer_with_key(&app, &cast.rita, "double-click", &body),
        refer_with_key(&app, &cast.rita, "double-click", &body),
    );

    let a = expect_json(a, StatusCode::CREATED).await;
    let b = expect_json(b, StatusCode::CREATED).await;
    assert_eq!(a, b);
    assert_eq!(count(&app.pool, "referrals").await, 1);
    assert_eq!(
        count(
            &app.pool,
            "outbox_events where event_type not like 'account.%'"
        )
        .await,
        1
    );
}

#[sqlx::test]
async fn an_empty_or_overlong_idempotency_key_is_a_422(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cast = cast(&app).await;
    let body = referral_to(cast.rossi, "tiler", &cast.rob);

    for key in [String::new(), "   ".to_string(), "k".repeat(201)] {
        let response = refer_with_key(&app, &cast.rita, &key, &body).await;
        assert_invalid_field(response, "Idempotency-Key").await;
    }
    assert_eq!(count(&app.pool, "referrals").await, 0);
}

// ---------------------------------------------------------------------------------------------
// Invitations by email
// ---------------------------------------------------------------------------------------------

/// Rita invites anna@example.com (no account yet); returns the referral with its token.
async fn invite_anna(app: &TestApp, cast: &Cast) -> Value {
    let body = invitation_to(cast.rossi, "tiler", "Anna@Example.com");
    expect_json(refer(app, &cast.rita, &body).await, StatusCode::CREATED).await
}

/// Signs up Anna, with an invitation token or without, and returns the raw response.
async fn anna_signs_up(app: &TestApp, invite_token: Option<&str>) -> Response {
    let mut body = json!({
        "email": "anna@example.com",
        "password": crate::common::PASSWORD,
        "display_name": "Anna Berg",
    });
    if let Some(token) = invite_token {
        body["invite_token"] = json!(token);
    }
    app.post("/v1/accounts", None, &body).await
}

/// Logs in as someone who signed up through `anna_signs_up`.
async fn log_in(app: &TestApp, id: i64, name: &str, email: &str) -> TestUser {
    let session = app.login(email, crate::common::PASSWORD).await;
    TestUser::signed_in(id, name, email, &session)
}

#[sqlx::test]
async fn an_invitation_returns_its_token_once_and_keeps_only_its_hash(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cast = cast(&app).await;

    let invitation = invite_anna(&app, &cast).await;

    assert_eq!(invitation["recipient_id"], Value::Null);
    assert_eq!(invitation["recipient_email"], "anna@example.com");
    let token = invitation["invite_token"].as_str().expect("a token");
    assert!(token.len() >= 32, "a guessable token: {token}");
    let id = id_of(&invitation);
    let (hash_matches, expires_in_days): (bool, f64) = sqlx::query_as(
        "select invite_token_hash = sha256(convert_to($2, 'UTF8')),
                (extract(epoch from invite_expires_at - now()) / 86400)::float8
         from referrals where id = $1",
    )
    .bind(id)
    .bind(token)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(hash_matches, "the stored hash is not the token's SHA-256");
    assert!(
        (29.9..=30.0).contains(&expires_in_days),
        "{expires_in_days}"
    );
    let stored_anywhere: bool = sqlx::query_scalar(
        "select exists (select 1 from referrals r where strpos(r::text, $1) > 0)",
    )
    .bind(token)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(!stored_anywhere, "the token itself was stored");
    // Shown once: reading the referral again does not show it.
    let again = read_referral(&app, &cast.rita, id).await;
    assert!(again.get("invite_token").is_none(), "{again}");
    // The invited address is the referrer's to know, not the provider's.
    assert_eq!(again["recipient_email"], "anna@example.com");
    let owners = read_referral(&app, &cast.olga, id).await;
    assert_eq!(owners["recipient_email"], Value::Null, "{owners}");
}

#[sqlx::test]
async fn an_invitation_sent_with_an_idempotency_key_keeps_no_plaintext_token_either(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cast = cast(&app).await;
    let body = invitation_to(cast.rossi, "tiler", "anna@example.com");

    let first = refer_with_key(&app, &cast.rita, "invite-anna", &body).await;
    let first = expect_json(first, StatusCode::CREATED).await;
    let replay = refer_with_key(&app, &cast.rita, "invite-anna", &body).await;
    let replay = expect_json(replay, StatusCode::CREATED).await;

    assert_eq!(id_of(&replay), id_of(&first));
    let token = first["invite_token"].as_str().expect("a token");
    // Only the token's hash may be kept: not in the referral, nor in the stored response that
    // a replay is answered from.
    let stored_anywhere: bool = sqlx::query_scalar(
        "select exists (select 1 from referrals r where strpos(r::text, $1) > 0)
             or exists (select 1 from idempotency_keys k where strpos(k::text, $1) > 0)",
    )
    .bind(token)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(
        !stored_anywhere,
        "the invitation token is stored in plaintext"
    );
}

#[sqlx::test]
async fn signing_up_with_the_invitation_token_attaches_the_referral_to_the_new_account(
    pool: PgPool,
) {
    let app = spawn_app(pool).await;
    let cast = cast(&app).await;
    let invitation = invite_anna(&app, &cast).await;
    let token = invitation["invite_token"].as_str().unwrap();

    let account = expect_json(anna_signs_up(&app, Some(token)).await, StatusCode::CREATED).await;

    let anna_id = account["id"].as_i64().unwrap();
    let anna = log_in(&app, anna_id, "Anna Berg", "anna@example.com").await;
    let id = id_of(&invitation);
    let seen = read_referral(&app, &anna, id).await;
    assert_eq!(seen["recipient_id"], anna_id);
    assert_eq!(seen["recipient_name"], "Anna Berg");
    assert_eq!(seen["allowed_moves"], json!(["accepted", "declined"]));
    let received = expect_json(
        app.get("/v1/me/referrals?role=received", Some(&anna.token))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(item_ids(&received), [id]);
    let used: bool =
        sqlx::query_scalar("select invite_used_at is not null from referrals where id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(used, "the token was not marked used");
    // Anna can now take it through its lifecycle.
    make_move(&app, &anna, id, "accepted").await;
}

#[sqlx::test]
async fn signing_up_with_the_invited_email_but_no_token_leaves_the_invitation_waiting(
    pool: PgPool,
) {
    let app = spawn_app(pool).await;
    let cast = cast(&app).await;
    let invitation = invite_anna(&app, &cast).await;

    expect_json(anna_signs_up(&app, None).await, StatusCode::CREATED).await;

    // Nobody proved the address: the token alone hands the invitation over.
    let recipient: Option<i64> =
        sqlx::query_scalar("select recipient_id from referrals where id = $1")
            .bind(id_of(&invitation))
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(recipient, None);
}

#[sqlx::test]
async fn a_wrong_token_or_one_for_another_email_refuses_the_sign_up_and_writes_nothing(
    pool: PgPool,
) {
    let app = spawn_app(pool).await;
    let cast = cast(&app).await;
    let invitation = invite_anna(&app, &cast).await;
    let accounts_before = count(&app.pool, "accounts").await;

    let wrong = anna_signs_up(&app, Some("not-the-token")).await;
    assert_invalid_field(wrong, "invite_token").await;
    // Anna's token is hers: Ben cannot sign up with it.
    let bens = json!({
        "email": "ben@example.com",
        "password": crate::common::PASSWORD,
        "display_name": "Ben Okoro",
        "invite_token": invitation["invite_token"],
    });
    let response = app.post("/v1/accounts", None, &bens).await;
    assert_invalid_field(response, "invite_token").await;

    assert_eq!(count(&app.pool, "accounts").await, accounts_before);
    let (recipient, used): (Option<i64>, bool) = sqlx::query_as(
        "select recipient_id, invite_used_at is not null from referrals where id = $1",
    )
    .bind(id_of(&invitation))
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!((recipient, used), (None, false));
}

#[sqlx::test]
async fn a_used_invitation_token_cannot_sign_up_anyone_again(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cast = cast(&app).await;
    let invitation = invite_anna(&app, &cast).await;
    let token = invitation["invite_token"].as_str().unwrap();
    expect_json(anna_signs_up(&app, Some(token)).await, StatusCode::CREATED).await;
    // Anna's first account moves to another address, so the invited one is free again and
    // only the token's having been used stands in the way.
    sqlx::query(
        "update accounts set email = 'anna.old@example.com' where email = 'anna@example.com'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let accounts_before = count(&app.pool, "accounts").await;

    let response = anna_signs_up(&app, Some(token)).await;

    assert_invalid_field(response, "invite_token").await;
    assert_eq!(count(&app.pool, "accounts").await, accounts_before);
}

#[sqlx::test]
async fn an_expired_invitation_neither_accepts_its_token_nor_attaches(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cast = cast(&app).await;
    let invitation = invite_anna(&app, &cast).await;
    let token = invitation["invite_token"].as_str().unwrap();
    sqlx::query("update referrals set invite_expires_at = now() - interval '1 day' where id = $1")
        .bind(id_of(&invitation))
        .execute(&app.pool)
        .await
        .unwrap();

    assert_invalid_field(anna_signs_up(&app, Some(token)).await, "invite_token").await;
    expect_json(anna_signs_up(&app, None).await, StatusCode::CREATED).await;

    let recipient: Option<i64> =
        sqlx::query_scalar("select recipient_id from referrals where id = $1")
            .bind(id_of(&invitation))
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(recipient, None);
}

#[sqlx::test]
async fn an_account_holder_claims_an_invitation_to_their_address_with_its_token(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cast = cast(&app).await;
    let body = invitation_to(cast.rossi, "tiler", "ROB@example.com");
    let created = expect_json(refer(&app, &cast.rita, &body).await, StatusCode::CREATED).await;
    assert_eq!(created["recipient_id"], Value::Null, "{created}");
    let token = created["invite_token"].as_str().expect("a token");

    let claimed = app
        .post(
            "/v1/me/invitations",
            Some(&cast.rob.token),
            &json!({ "invite_token": token }),
        )
        .await;
    let claimed = expect_json(claimed, StatusCode::OK).await;

    assert_eq!(claimed["id"], created["id"]);
    assert_eq!(claimed["recipient_id"], cast.rob.id);
    assert_eq!(claimed["allowed_moves"], json!(["accepted", "declined"]));
    let robs: Vec<String> =
        sqlx::query_scalar("select kind from notifications where person_id = $1")
            .bind(cast.rob.id)
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(robs, ["referral.received"]);
    // Once only.
    let again = app
        .post(
            "/v1/me/invitations",
            Some(&cast.rob.token),
            &json!({ "invite_token": token }),
        )
        .await;
    assert_invalid_field(again, "invite_token").await;
}

// ---------------------------------------------------------------------------------------------
// The lifecycle
// ---------------------------------------------------------------------------------------------

/// Who may make each move.
fn entitled(to: &str) -> &'static [&'static str] {
    match to {
        "accepted" | "declined" | "hired" => &["recipient"],
        "contacted" => &["owner"],
        "completed" => &["recipient"],
        _ => &[],
    }
}

/// Takes a fresh referral from Rita to Rob along `path` of (status, party who moves). Before
/// each move every party not entitled to it is refused with 403 and nothing changes; then the
/// named party makes it, and every party sees the moves now open to them.
async fn walk(app: &TestApp, cast: &Cast, path: &[(&str, &str)]) -> Value {
    let id = id_of(&send_referral(app, &cast.rita, cast.rossi, &cast.rob).await);
    let mut from = "sent";
    let mut referral = Value::Null;
    for &(to, mover) in path {
        for (role, who) in parties(cast) {
            if entitled(to).contains(&role) {
                continue;
            }
            let response = post_move(app, who, id, &move_body(to)).await;
            let problem = assert_problem(response, StatusCode::FORBIDDEN).await;
            assert!(
                problem["detail"].as_str().unwrap().contains(to),
                "{role} {from}->{to}: {problem}"
            );
            assert_eq!(stored_status(&app.pool, id).await, from, "{role} moved it");
        }
        let (_, who) = parties(cast)
            .into_iter()
            .find(|(role, _)| *role == mover)
            .unwrap();
        referral = make_move(app, who, id, to).await;
        assert_eq!(referral["allowed_moves"], json!(moves_for(to, mover)));
        let last = referral["transitions"].as_array().unwrap().last().unwrap();
        assert_eq!(last["from"], from, "{referral}");
        assert_eq!(last["to"], to, "{referral}");
        assert_eq!(last["actor_id"], who.id, "{referral}");
        for (role, who) in parties(cast) {
            let seen = read_referral(app, who, id).await;
            assert_eq!(seen["allowed_moves"], json!(moves_for(to, role)), "{role}");
        }
        from = to;
    }
    // The whole history, in order, with who made each move.
    let history: Vec<(Value, Value)> = referral["transitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["to"].clone(), t["actor_id"].clone()))
        .collect();
    let mut expected = vec![(json!("sent"), json!(cast.rita.id))];
    for &(to, mover) in path {
        let (_, who) = parties(cast)
            .into_iter()
            .find(|(r, _)| *r == mover)
            .unwrap();
        expected.push((json!(to), json!(who.id)));
    }
    assert_eq!(history, expected);
    referral
}

#[sqlx::test]
async fn every_legal_move_is_made_by_its_party_and_refused_to_the_others_with_403(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cast = cast(&app).await;

    // The whole way, the owner marking contact and the recipient completion.
    let done = walk(
        &app,
        &cast,
        &[
            ("accepted", "recipient"),
            ("contacted", "owner"),
            ("hired", "recipient"),
            ("completed", "recipient"),
        ],
    )
    .await;
    assert_eq!(done["outcome"], "good");
    assert_eq!(done["rating"], 4);
    // A hire straight from accepted, completed by the recipient.
    let done = walk(
        &app,
        &cast,
        &[
            ("accepted", "recipient"),
            ("hired", "recipient"),
            ("completed", "recipient"),
        ],
    )
    .await;
    assert_eq!(done["status"], "completed");
    // Declining, from each status it is open from.
    walk(&app, &cast, &[("declined", "recipient")]).await;
    walk(
        &app,
        &cast,
        &[("accepted", "recipient"), ("declined", "recipient")],
    )
    .await;
    walk(
        &app,
        &cast,
        &[
            ("accepted", "recipient"),
            ("contacted", "owner"),
            ("declined", "recipient"),
        ],
    )
    .await;
}

#[sqlx::test]
async fn a_completion_stores_a_bad_outcome_and_an_optional_rating(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cast = cast(&app).await;
    let id = id_of(&send_referral(&app, &cast.rita, cast.rossi, &cast.rob).await);
    make_move(&app, &cast.rob, id, "accepted").await;
    make_move(&app, &cast.rob, id, "hired").await;

    let body = json!({ "to": "completed", "outcome": "bad", "note": "Left a mess." });
    let done = expect_json(post_move(&app, &cast.rob, id, &body).await, StatusCode::OK).await;

    assert_eq!(done["status"], "completed");
    assert_eq!(done["outcome"], "bad");
    assert_eq!(done["rating"], Value::Null);
    let last = done["transitions"].as_array().unwrap().last().unwrap();
    assert_eq!(last["note"], "Left a mess.");
}

#[sqlx::test]
async fn an_impossible_move_is_a_409_listing_the_moves_the_caller_may_make(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cast = cast(&app).await;
    let id = id_of(&send_referral(&app, &cast.rita, cast.rossi, &cast.rob).await);

    // Visit each open status; from each, try every move that does not exist as every party.
    for (status, next_move) in [
        ("sent", Some(("accepted", &cast.rob))),
        ("accepted", Some(("contacted", &cast.olga))),
        ("contacted", Some(("hired", &cast.rob))),
        ("hired", None),
    ] {
        let open: &[&str] = match status {
            "sent" => &["accepted", "declined", "expired"],
            "accepted" => &["contacted", "hired", "declined"],
            "contacted" => &["hired", "declined"],
            _ => &["completed"],
        };
        for to in STATUSES.into_iter().filter(|to| !open.contains(to)) {
            for (role, who) in parties(&cast) {
                let response = post_move(&app, who, id, &move_body(to)).await;
                let problem = assert_problem(response, StatusCode::CONFLICT).await;
                assert_eq!(
                    problem["allowed"],
                    json!(moves_for(status, role)),
                    "{role} {status}->{to}"
                );
                assert_eq!(stored_status(&app.pool, id).await, status);
            }
        }
        if let Some((to, who)) = next_move {
            make_move(&app, who, id, to).await;
        }
    }
}

#[sqlx::test]
async fn a_completed_declined_or_expired_referral_refuses_every_move_with_409(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cast = cast(&app).await;
    let completed = id_of(&send_referral(&app, &cast.rita, cast.rossi, &cast.rob).await);
    for (to, who) in [
        ("accepted", &cast.rob),
        ("hired", &cast.rob),
        ("completed", &cast.rob),
    ] {
        make_move(&app, who, completed, to).await;
    }
    let declined = id_of(&send_referral(&app, &cast.rita, cast.rossi, &cast.rob).await);
    make_move(&app, &cast.rob, declined, "declined").await;
    let expired = id_of(&send_referral(&app, &cast.rita, cast.rossi, &cast.rob).await);
    backdate(&app.pool, expired, 31).await;
    vouchgraph::jobs::expire_referrals(&app.pool)
        .await
        .expect("the expiry job runs");

    for (id, status) in [
        (completed, "completed"),
        (declined, "declined"),
        (expired, "expired"),
    ] {
        for to in STATUSES {
            for (role, who) in parties(&cast) {
                let response = post_move(&app, who, id, &move_body(to)).await;
                let problem = assert_problem(response, StatusCode::CONFLICT).await;
                assert_eq!(problem["allowed"], json!([]), "{role} {status}->{to}");
            }
        }
        assert_eq!(stored_status(&app.pool, id).await, status);
    }
}

#[sqlx::test]
async fn a_move_with_a_missing_or_misplaced_outcome_or_rating_is_a_422_and_writes_nothing(
    pool: PgPool,
) {
    let app = spawn_app(pool).await;
    let cast = cast(&app).await;
    let hired = id_of(&send_referral(&app, &cast.rita, cast.rossi, &cast.rob).await);
    make_move(&app, &cast.rob, hired, "accepted").await;
    make_move(&app, &cast.rob, hired, "hired").await;
    let sent = id_of(&send_referral(&app, &cast.rita, cast.rossi, &cast.rob).await);
    let transitions = count(&app.pool, "referral_transitions").await;
    let events = count(
        &app.pool,
        "outbox_events where event_type not like 'account.%'",
    )
    .await;
    let notifications = count(&app.pool, "notifications").await;

    for (id, field, body) in [
        // Completing needs an outcome.
        (hired, "outcome", json!({ "to": "completed" })),
        (hired, "outcome", json!({ "to": "completed", "rating": 5 })),
        (
            hired,
            "outcome",
            json!({ "to": "completed", "outcome": "great" }),
        ),
        // Ratings are 1 to 5.
        (
            hired,
            "rating",
            json!({ "to": "completed", "outcome": "good", "rating": 6 }),
        ),
        (
            hired,
            "rating",
            json!({ "to": "completed", "outcome": "good", "rating": 0 }),
        ),
        // Only a completion carries an outcome or a rating.
        (
            sent,
            "outcome",
            json!({ "to": "accepted", "outcome": "good" }),
        ),
        (sent, "rating", json!({ "to": "accepted", "rating": 3 })),
        (sent, "to", json!({ "to": "paid" })),
    ] {
        let response = post_move(&app, &cast.rob, id, &body).await;
        assert_invalid_field(response, field).await;
    }

    assert_eq!(stored_status(&app.pool, hired).await, "hired");
    assert_eq!(stored_status(&app.pool, sent).await, "sent");
    assert_eq!(count(&app.pool, "referral_transitions").await, transitions);
    assert_eq!(
        count(
            &app.pool,
            "outbox_events where event_type not like 'account.%'"
        )
        .await,
        events
    );
    assert_eq!(count(&app.pool, "notifications").await, notifications);
}

// ---------------------------------------------------------------------------------------------
// Attribution
// ---------------------------------------------------------------------------------------------

#[sqlx::test]
async fn the_first_referral_accepted_is_credited_with_a_hire_made_through_another(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cast = cast(&app).await;
    let alice = app.signup("Alice Ng", "alice@example.com").await;
    let bruno = app.signup("Bruno Sala", "bruno@example.com").await;
    let tess = app.signup("Tess Ward", "tess@example.com").await;
    // Alice -> Rob: Rossi Tiling, tiler
    let alices = id_of(&send_referral(&app, &alice, cast.rossi, &cast.rob).await);
    // Bruno -> Rob: Rossi Tiling, tiler
    let brunos = id_of(&send_referral(&app, &bruno, cast.rossi, &cast.rob).await);
    // Rita -> Rob: Rossi Tiling, plasterer (another trade: not a rival)
    let plastering = referral_to(cast.rossi, "plasterer", &cast.rob);
    let plastering = expect_json(
        refer(&app, &cast.rita, &plastering).await,
        StatusCode::CREATED,
    )
    .await;
    // Rita -> Tess: Rossi Tiling, tiler (another recipient: not a rival)
    let to_tess = id_of(&send_referral(&app, &cast.rita, cast.rossi, &tess).await);
    // Rob accepts Bruno's first, then Alice's, and hires through Alice's.
    make_move(&app, &cast.rob, brunos, "accepted").await;
    make_move(&app, &cast.rob, alices, "accepted").await;
    make_move(&app, &cast.rob, alices, "hired").await;

    let hired = read_referral(&app, &alice, alices).await;
    assert_eq!(hired["status"], "hired");
    assert_eq!(hired["credited"], false, "{hired}");
    let credited = read_referral(&app, &bruno, brunos).await;
    assert_eq!(credited["status"], "accepted");
    assert_eq!(credited["credited"], true, "{credited}");
    // Each sender sees their own credit, and nothing of the other's referral; the recipient
    // sees how many others referred the same provider, and no more.
    for seen in [&hired, &credited] {
        assert!(seen.get("also_referred").is_none(), "{seen}");
    }
    let owners = read_referral(&app, &cast.olga, alices).await;
    assert!(owners.get("also_referred").is_none(), "{owners}");
    let robs = read_referral(&app, &cast.rob, alices).await;
    assert_eq!(robs["also_referred"], 1, "{robs}");
    for other in [id_of(&plastering), to_tess] {
        let seen = read_referral(&app, &cast.rita, other).await;
        assert!(seen.get("also_referred").is_none(), "{seen}");
        assert_eq!(seen["credited"], false);
    }
    let tess_sees = read_referral(&app, &tess, to_tess).await;
    assert_eq!(tess_sees["also_referred"], 0, "{tess_sees}");
}

#[sqlx::test]
async fn a_lone_referral_is_credited_with_its_own_hire(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cast = cast(&app).await;
    let id = id_of(&send_referral(&app, &cast.rita, cast.rossi, &cast.rob).await);

    make_move(&app, &cast.rob, id, "accepted").await;
    let hired = make_move(&app, &cast.rob, id, "hired").await;

    assert_eq!(hired["credited"], true, "{hired}");
    assert_eq!(hired["also_referred"], 0, "{hired}");
}

// ---------------------------------------------------------------------------------------------
// Expiry
// ---------------------------------------------------------------------------------------------

#[sqlx::test]
async fn a_referral_not_accepted_within_30_days_expires_with_a_notification_and_an_event(
    pool: PgPool,
) {
    let app = spawn_app(pool).await;
    let cast = cast(&app).await;
    let tess = app.signup("Tess Ward", "tess@example.com").await;
    // Rita -> Rob, sent 31 days ago and never answered: expires.
    let stale = id_of(&send_referral(&app, &cast.rita, cast.rossi, &cast.rob).await);
    backdate(&app.pool, stale, 31).await;
    // Rita -> Tess, sent 29 days ago: still has a day.
    let fresh = id_of(&send_referral(&app, &cast.rita, cast.rossi, &tess).await);
    backdate(&app.pool, fresh, 29).await;
    // Rita -> Tess, sent 31 days ago but accepted: no longer waiting, so never expires.
    let accepted = id_of(&send_referral(&app, &cast.rita, cast.rossi, &tess).await);
    make_move(&app, &tess, accepted, "accepted").await;
    backdate(&app.pool, accepted, 31).await;
    let events_before = count(
        &app.pool,
        "outbox_events where event_type not like 'account.%'",
    )
    .await;

    let expired = vouchgraph::jobs::expire_referrals(&app.pool)
        .await
        .expect("the expiry job runs");

    assert_eq!(expired, 1);
    assert_eq!(stored_status(&app.pool, stale).await, "expired");
    assert_eq!(stored_status(&app.pool, fresh).await, "sent");
    assert_eq!(stored_status(&app.pool, accepted).await, "accepted");
    let seen = read_referral(&app, &cast.rita, stale).await;
    let last = seen["transitions"].as_array().unwrap().last().unwrap();
    assert_eq!(last["from"], "sent", "{seen}");
    assert_eq!(last["to"], "expired", "{seen}");
    // The job, not a person, made the move.
    assert_eq!(last["actor_id"], Value::Null, "{seen}");
    let inbox = expect_json(
        app.get("/v1/me/notifications", Some(&cast.rita.token))
            .await,
        StatusCode::OK,
    )
    .await;
    let about_expiry: Vec<&Value> = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["payload"]["referral_id"] == stale)
        .collect();
    assert_eq!(about_expiry.len(), 1, "{inbox}");
    assert_eq!(about_expiry[0]["kind"], "referral.status_changed");
    assert_eq!(about_expiry[0]["payload"]["status"], "expired");
    assert_eq!(about_expiry[0]["read"], false);
    let events: Vec<(String, Value)> =
        sqlx::query_as("select event_type, payload from outbox_events where event_type not like 'account.%' order by id offset $1")
            .bind(events_before)
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].0, "referral.status_changed");
    assert_eq!(events[0].1["referral_id"], stale);
    assert_eq!(events[0].1["status"], "expired");
    // Running the job again finds nothing more to do.
    let again = vouchgraph::jobs::expire_referrals(&app.pool).await.unwrap();
    assert_eq!(again, 0);
    assert_eq!(
        count(
            &app.pool,
            "outbox_events where event_type not like 'account.%'"
        )
        .await,
        events_before + 1
    );
    // Rob can no longer accept it.
    let response = post_move(&app, &cast.rob, stale, &move_body("accepted")).await;
    let problem = assert_problem(response, StatusCode::CONFLICT).await;
    assert_eq!(problem["allowed"], json!([]));
}

#[sqlx::test]
async fn an_expiry_notification_names_the_provider_and_referrer_like_any_other_change(
    pool: PgPool,
) {
    let app = spawn_app(pool).await;
    let cast = cast(&app).await;
    let accepted = id_of(&send_referral(&app, &cast.rita, cast.rossi, &cast.rob).await);
    make_move(&app, &cast.rob, accepted, "accepted").await;
    let stale = id_of(&send_referral(&app, &cast.rita, cast.rossi, &cast.rob).await);
    backdate(&app.pool, stale, 31).await;

    vouchgraph::jobs::expire_referrals(&app.pool).await.unwrap();

    let payloads: Vec<(i64, Value)> = sqlx::query_as(
        "select (payload->>'referral_id')::bigint, payload from notifications
         where person_id = $1 and kind = 'referral.status_changed' order by id",
    )
    .bind(cast.rita.id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(payloads.len(), 2, "{payloads:?}");
    let (moved, expired) = (&payloads[0].1, &payloads[1].1);
    assert_eq!(payloads[1].0, stale);
    // An inbox renders both the same way: "Rita's referral of Rossi Tiling ...".
    for key in ["provider_name", "referrer_name", "trade", "from", "status"] {
        assert!(moved.get(key).is_some(), "a move's payload lacks {key}");
        assert!(
            expired.get(key).is_some(),
            "the expiry's payload lacks {key}: {expired}"
        );
    }
}

#[sqlx::test]
async fn no_party_can_expire_a_referral_by_hand(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cast = cast(&app).await;
    let id = id_of(&send_referral(&app, &cast.rita, cast.rossi, &cast.rob).await);

    for (role, who) in parties(&cast) {
        let response = post_move(&app, who, id, &move_body("expired")).await;
        let problem = assert_problem(response, StatusCode::FORBIDDEN).await;
        assert!(problem["detail"].is_string(), "{role}");
    }

    assert_eq!(stored_status(&app.pool, id).await, "sent");
}

// ---------------------------------------------------------------------------------------------
// Who may see what
// ---------------------------------------------------------------------------------------------

#[sqlx::test]
async fn a_third_account_can_neither_read_nor_move_a_referral_and_cannot_tell_it_exists(
    pool: PgPool,
) {
    let app = spawn_app(pool).await;
    let cast = cast(&app).await;
    let id = id_of(&send_referral(&app, &cast.rita, cast.rossi, &cast.rob).await);
    let missing = id + 1000;

    let read = app
        .get(&format!("/v1/referrals/{id}"), Some(&cast.sam.token))
        .await;
    let read = assert_problem(read, StatusCode::NOT_FOUND).await;
    let read_missing = app
        .get(&format!("/v1/referrals/{missing}"), Some(&cast.sam.token))
        .await;
    let read_missing = assert_problem(read_missing, StatusCode::NOT_FOUND).await;
    // Same answer for a referral that exists and one that does not.
    assert_eq!(read, read_missing);
    for to in ["accepted", "declined", "contacted"] {
        let moved = post_move(&app, &cast.sam, id, &move_body(to)).await;
        let moved = assert_problem(moved, StatusCode::NOT_FOUND).await;
        let moved_missing = post_move(&app, &cast.sam, missing, &move_body(to)).await;
        let moved_missing = assert_problem(moved_missing, StatusCode::NOT_FOUND).await;
        assert_eq!(moved, moved_missing);
    }
    assert_eq!(stored_status(&app.pool, id).await, "sent");
    assert_eq!(count(&app.pool, "referral_transitions").await, 1);
    // Nor does an anonymous visitor get anything.
    let anonymous = app.get(&format!("/v1/referrals/{id}"), None).await;
    assert_problem(anonymous, StatusCode::UNAUTHORIZED).await;
}

/// Rita sends three referrals to Rob and two to Tess; Sam sends one to Tess. Returns the
/// ids, oldest first: Rita's to Rob, Rita's to Tess, Sam's.
async fn a_few_referrals(app: &TestApp, cast: &Cast, tess: &TestUser) -> [Vec<i64>; 3] {
    let mut ritas_to_rob = Vec::new();
    let mut ritas_to_tess = Vec::new();
    for _ in 0..3 {
        ritas_to_rob.push(id_of(
            &send_referral(app, &cast.rita, cast.rossi, &cast.rob).await,
        ));
    }
    for _ in 0..2 {
        ritas_to_tess.push(id_of(
            &send_referral(app, &cast.rita, cast.rossi, tess).await,
        ));
    }
    let sams = vec![id_of(
        &send_referral(app, &cast.sam, cast.rossi, tess).await,
    )];
    [ritas_to_rob, ritas_to_tess, sams]
}

async fn list(app: &TestApp, who: &TestUser, path: &str) -> Value {
    expect_json(app.get(path, Some(&who.token)).await, StatusCode::OK).await
}

fn newest_first(ids: &[&[i64]]) -> Vec<i64> {
    let mut all: Vec<i64> = ids.iter().flat_map(|s| s.iter().copied()).collect();
    all.sort_unstable_by(|a, b| b.cmp(a));
    all
}

#[sqlx::test]
async fn each_list_shows_only_the_callers_own_referrals(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cast = cast(&app).await;
    let tess = app.signup("Tess Ward", "tess@example.com").await;
    let [to_rob, to_tess, sams] = a_few_referrals(&app, &cast, &tess).await;
    let dan = app.signup("Dan Ode", "dan@example.com").await;

    let sent = list(&app, &cast.rita, "/v1/me/referrals?role=sent").await;
    assert_eq!(item_ids(&sent), newest_first(&[&to_rob, &to_tess]));
    // "received" is the default role.
    let robs = list(&app, &cast.rob, "/v1/me/referrals").await;
    assert_eq!(item_ids(&robs), newest_first(&[&to_rob]));
    let tesss = list(&app, &tess, "/v1/me/referrals?role=received").await;
    assert_eq!(item_ids(&tesss), newest_first(&[&to_tess, &sams]));
    let ritas_received = list(&app, &cast.rita, "/v1/me/referrals?role=received").await;
    assert_eq!(item_ids(&ritas_received), Vec::<i64>::new());
    let olgas = list(
        &app,
        &cast.olga,
        &format!("/v1/providers/{}/referrals", cast.rossi),
    )
    .await;
    assert_eq!(item_ids(&olgas), newest_first(&[&to_rob, &to_tess, &sams]));
    for role in ["sent", "received"] {
        let dans = list(&app, &dan, &format!("/v1/me/referrals?role={role}")).await;
        assert_eq!(dans, json!({ "items": [], "next_cursor": null }));
    }
    // Only the owner lists a provider's referrals.
    for who in [&cast.rita, &cast.rob, &dan] {
        let path = format!("/v1/providers/{}/referrals", cast.rossi);
        assert_problem(
            app.get(&path, Some(&who.token)).await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    let unknown = app
        .get("/v1/providers/999999/referrals", Some(&cast.olga.token))
        .await;
    assert_problem(unknown, StatusCode::NOT_FOUND).await;
    let anonymous = app.get("/v1/me/referrals", None).await;
    assert_problem(anonymous, StatusCode::UNAUTHORIZED).await;
}

#[sqlx::test]
async fn a_list_pages_newest_first_through_next_cursor(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cast = cast(&app).await;
    let tess = app.signup("Tess Ward", "tess@example.com").await;
    let [to_rob, to_tess, sams] = a_few_referrals(&app, &cast, &tess).await;

    let mut seen = Vec::new();
    let mut pages = 0;
    let mut path = format!("/v1/providers/{}/referrals?limit=4", cast.rossi);
    loop {
        let page = list(&app, &cast.olga, &path).await;
        pages += 1;
        seen.extend(item_ids(&page));
        match page["next_cursor"].as_str() {
            Some(cursor) => {
                path = format!(
                    "/v1/providers/{}/referrals?limit=4&cursor={cursor}",
                    cast.rossi
                )
            }
            None => break,
        }
    }

    assert_eq!(pages, 2);
    assert_eq!(seen, newest_first(&[&to_rob, &to_tess, &sams]));
    // A page exactly the size of what is left has no next page.
    let exact = list(&app, &cast.rob, "/v1/me/referrals?limit=3").await;
    assert_eq!(item_ids(&exact).len(), 3);
    assert_eq!(exact["next_cursor"], Value::Null);
}

#[sqlx::test]
async fn a_list_filters_by_status(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cast = cast(&app).await;
    let tess = app.signup("Tess Ward", "tess@example.com").await;
    let [to_rob, to_tess, _sams] = a_few_referrals(&app, &cast, &tess).await;
    make_move(&app, &cast.rob, to_rob[0], "accepted").await;
    make_move(&app, &tess, to_tess[1], "declined").await;

    let accepted = list(&app, &cast.rob, "/v1/me/referrals?status=accepted").await;
    assert_eq!(item_ids(&accepted), [to_rob[0]]);
    let declined = list(
        &app,
        &cast.rita,
        "/v1/me/referrals?role=sent&status=declined",
    )
    .await;
    assert_eq!(item_ids(&declined), [to_tess[1]]);
    let path = format!("/v1/providers/{}/referrals?status=sent&limit=2", cast.rossi);
    let first_page = list(&app, &cast.olga, &path).await;
    assert_eq!(item_ids(&first_page).len(), 2);
    let cursor = first_page["next_cursor"].as_str().expect("a second page");
    let second_page = list(&app, &cast.olga, &format!("{path}&cursor={cursor}")).await;
    // Six referrals, two of them moved on: four still sent.
    assert_eq!(item_ids(&second_page).len(), 2);
    assert_eq!(second_page["next_cursor"], Value::Null);
    for page in [&first_page, &second_page] {
        for item in page["items"].as_array().unwrap() {
            assert_eq!(item["status"], "sent");
        }
    }
}

#[sqlx::test]
async fn a_list_with_a_bad_role_status_cursor_or_limit_is_a_422_naming_it(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cast = cast(&app).await;

    for (query, field) in [
        ("role=owner", "role"),
        ("status=paid", "status"),
        ("cursor=yesterday", "cursor"),
        ("limit=0", "limit"),
        ("limit=101", "limit"),
    ] {
        let path = format!("/v1/me/referrals?{query}");
        let response = app.get(&path, Some(&cast.rita.token)).await;
        assert_invalid_field(response, field).await;
        let path = format!("/v1/providers/{}/referrals?{query}", cast.rossi);
        if field != "role" {
            let response = app.get(&path, Some(&cast.olga.token)).await;
            assert_invalid_field(response, field).await;
        }
    }
}

#[sqlx::test]
async fn a_list_shows_the_invited_email_to_the_referrer_only(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cast = cast(&app).await;
    let body = invitation_to(cast.rossi, "tiler", "anna@example.com");
    expect_json(refer(&app, &cast.rita, &body).await, StatusCode::CREATED).await;

    let ritas = list(&app, &cast.rita, "/v1/me/referrals?role=sent").await;
    let olgas = list(
        &app,
        &cast.olga,
        &format!("/v1/providers/{}/referrals", cast.rossi),
    )
    .await;

    assert_eq!(ritas["items"][0]["recipient_email"], "anna@example.com");
    assert_eq!(olgas["items"][0]["recipient_email"], Value::Null);
    for page in [&ritas, &olgas] {
        assert!(page["items"][0].get("invite_token").is_none(), "{page}");
    }
}

// ---------------------------------------------------------------------------------------------
// How the customer may be reached
// ---------------------------------------------------------------------------------------------

#[sqlx::test]
async fn the_provider_sees_the_contact_the_customer_shared_on_accepting_and_the_referrer_does_not(
    pool: PgPool,
) {
    let app = spawn_app(pool).await;
    let cast = cast(&app).await;
    let id = id_of(&send_referral(&app, &cast.rita, cast.rossi, &cast.rob).await);

    // Contact details belong to an acceptance, and a phone number must look like one.
    let early = json!({ "to": "declined", "phone": "07700 900123" });
    assert_invalid_field(post_move(&app, &cast.rob, id, &early).await, "contact").await;
    let garbled = json!({ "to": "accepted", "phone": "ring me maybe" });
    assert_invalid_field(post_move(&app, &cast.rob, id, &garbled).await, "phone").await;
    assert_eq!(stored_status(&app.pool, id).await, "sent");

    let accept =
        json!({ "to": "accepted", "share_email": true, "phone": "07700 900123, evenings" });
    let accepted = expect_json(
        post_move(&app, &cast.rob, id, &accept).await,
        StatusCode::OK,
    )
    .await;
    let shared = json!({ "email": "rob@example.com", "phone": "07700 900123, evenings" });
    assert_eq!(accepted["contact"], shared);

    let path = format!("/v1/referrals/{id}");
    let as_owner = expect_json(app.get(&path, Some(&cast.olga.token)).await, StatusCode::OK).await;
    assert_eq!(as_owner["contact"], shared);
    let as_referrer =
        expect_json(app.get(&path, Some(&cast.rita.token)).await, StatusCode::OK).await;
    assert!(as_referrer.get("contact").is_none(), "{as_referrer}");
    // Nor in any event, notification or webhook payload.
    let leaked: i64 = sqlx::query_scalar(
        "select (select count(*) from outbox_events where payload::text like '%07700%')
              + (select count(*) from notifications where payload::text like '%07700%')",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(leaked, 0);

    // Rob changes his address: the provider sees the new one, never a stale copy.
    sqlx::query("update accounts set email = 'rob.q@example.com' where email = 'rob@example.com'")
        .execute(&app.pool)
        .await
        .unwrap();
    let moved = expect_json(app.get(&path, Some(&cast.olga.token)).await, StatusCode::OK).await;
    assert_eq!(moved["contact"]["email"], "rob.q@example.com");

    // Rob deletes his account: what he shared goes with him.
    let deleted = app
        .request(Method::DELETE, "/v1/me", Some(&cast.rob.token))
        .json(&json!({ "password": crate::common::PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let after = expect_json(app.get(&path, Some(&cast.olga.token)).await, StatusCode::OK).await;
    assert!(after.get("contact").is_none(), "{after}");
    let kept: i64 = sqlx::query_scalar(
        "select count(*) from referrals where contact_phone is not null or share_email",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(kept, 0);
}

#[sqlx::test]
async fn only_the_customer_says_how_the_job_went(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cast = cast(&app).await;
    let id = id_of(&send_referral(&app, &cast.rita, cast.rossi, &cast.rob).await);
    make_move(&app, &cast.rob, id, "accepted").await;
    make_move(&app, &cast.rob, id, "hired").await;
    // Olga may not rate her own job.
    let own = post_move(&app, &cast.olga, id, &move_body("completed")).await;
    assert_problem(own, StatusCode::FORBIDDEN).await;
    assert_eq!(stored_status(&app.pool, id).await, "hired");
    make_move(&app, &cast.rob, id, "completed").await;
}
