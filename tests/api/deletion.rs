//! `DELETE /v1/me`: a person who deletes their account leaves every search at once, and their
//! email, name, notes and location leave every table, the append-only history included.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::common::{assert_invalid_field, expect_json, spawn_app, TestApp, TestUser, LONDON};

/// Anna, who is about to leave; Ben and Cara, who stay; Olga, who owns Rossi Tiling.
struct Street {
    anna: TestUser,
    ben: TestUser,
    cara: TestUser,
    rossi: i64,
    annas_business: i64,
}

const ANNA_NOTE: &str = "anna-vouch-note-4711";
const ANNA_REFERRAL_NOTE: &str = "anna-referral-note-4712";
const ANNA_REQUEST_NOTE: &str = "anna-request-note-4713";
const ANNAS_CIRCLE_INVITEE: &str = "annas.circle@example.com";

async fn street(app: &TestApp) -> Street {
    let (lat, lon) = LONDON;
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    let ben = app.signup("Ben Okoro", "ben@example.com").await;
    let cara = app.signup("Cara Diaz", "cara@example.com").await;
    let olga = app.signup("Olga Rossi", "olga@example.com").await;
    let rossi = app
        .create_provider(&olga, "Rossi Tiling", &["tiler"], lat, lon, 30.0)
        .await;
    let annas_business = app
        .create_provider(&anna, "Berg Plumbing", &["plumber"], lat, lon, 30.0)
        .await;
    // Cara -> Anna, level 3, public: Cara finds tilers through Anna.
    app.trust(&cara, &anna, 3, "public").await;
    // Anna -> Ben, level 2, network; Ben -> Anna, level 1, public.
    app.trust(&anna, &ben, 2, "network").await;
    app.trust(&ben, &anna, 1, "public").await;
    // Anna recommends Rossi Tiling, publicly, in her own words.
    let body = json!({ "stance": "recommend", "note": ANNA_NOTE, "visibility": "public" });
    let path = format!("/v1/providers/{rossi}/vouches/tiler");
    expect_json(
        app.put(&path, Some(&anna.token), &body).await,
        StatusCode::OK,
    )
    .await;
    // Ben recommends Anna's business.
    app.vouch(&ben, annas_business, "plumber", "recommend", "public")
        .await;
    // Anna refers Rossi Tiling to Ben, with a note; Ben accepts.
    let body = json!({ "provider_id": rossi, "trade": "tiler", "recipient_id": ben.id,
        "note": ANNA_REFERRAL_NOTE });
    let referral = app.post("/v1/referrals", Some(&anna.token), &body).await;
    let referral = expect_json(referral, StatusCode::CREATED).await;
    // Anna also invites a friend by email: the address is hers to have typed, and goes too.
    let body = json!({ "provider_id": rossi, "trade": "tiler",
        "recipient_email": "annas.friend@example.com" });
    let invited = app.post("/v1/referrals", Some(&anna.token), &body).await;
    expect_json(invited, StatusCode::CREATED).await;
    // Anna asks her circle for a tiler, in her own words, and invites a friend into her circle.
    let body = json!({ "trade": "tiler", "note": ANNA_REQUEST_NOTE });
    expect_json(
        app.post("/v1/requests", Some(&anna.token), &body).await,
        StatusCode::CREATED,
    )
    .await;
    let body = json!({ "email": ANNAS_CIRCLE_INVITEE, "note": "come and join" });
    let invited = app
        .post("/v1/me/circle/invitations", Some(&anna.token), &body)
        .await;
    assert_eq!(invited.status(), StatusCode::ACCEPTED);
    let path = format!("/v1/referrals/{}/transitions", referral["id"]);
    expect_json(
        app.post(&path, Some(&ben.token), &json!({ "to": "accepted" }))
            .await,
        StatusCode::OK,
    )
    .await;
    // Anna has an archive of her data waiting to be downloaded: it holds her address too.
    let asked = app
        .post("/v1/me/exports", Some(&anna.token), &json!({}))
        .await;
    let asked = expect_json(asked, StatusCode::ACCEPTED).await;
    let path = format!("/v1/me/exports/{}", asked["id"]);
    let started = std::time::Instant::now();
    while expect_json(app.get(&path, Some(&anna.token)).await, StatusCode::OK).await["status"]
        != "ready"
    {
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    Street {
        anna,
        ben,
        cara,
        rossi,
        annas_business,
    }
}

/// Every table that still holds `needle` anywhere in a row, with how many rows.
async fn tables_holding(pool: &PgPool, needle: &str) -> Vec<(String, i64)> {
    let tables: Vec<String> = sqlx::query_scalar(
        "select table_name::text from information_schema.tables
         where table_schema = 'public' and table_type = 'BASE TABLE' order by 1",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut found = Vec::new();
    for table in tables {
        let rows: i64 = sqlx::query_scalar(&format!(
            "select count(*) from \"{table}\" x where strpos(lower(x::text), lower($1)) > 0"
        ))
        .bind(needle)
        .fetch_one(pool)
        .await
        .unwrap();
        if rows > 0 {
            found.push((table, rows));
        }
    }
    found
}

async fn delete(app: &TestApp, who: &TestUser, password: &str) -> reqwest::Response {
    app.request(Method::DELETE, "/v1/me", Some(&who.token))
        .json(&json!({ "password": password }))
        .send()
        .await
        .unwrap()
}

#[sqlx::test]
async fn a_deleted_person_leaves_every_search_and_every_table(pool: PgPool) {
    let app = spawn_app(pool).await;
    let s = street(&app).await;
    let before = app.search("tiler", Some(&s.cara.token)).await.to_string();
    assert!(before.contains("Anna Berg"), "{before}");
    let plumbers = app.search("plumber", Some(&s.ben.token)).await.to_string();
    assert!(plumbers.contains("Berg Plumbing"), "{plumbers}");
    for needle in [
        "anna@example.com",
        "Anna Berg",
        ANNA_NOTE,
        ANNA_REFERRAL_NOTE,
        ANNA_REQUEST_NOTE,
        ANNAS_CIRCLE_INVITEE,
    ] {
        assert!(
            !tables_holding(&app.pool, needle).await.is_empty(),
            "{needle}"
        );
    }

    let deleted = delete(&app, &s.anna, crate::common::PASSWORD).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);

    // Gone from every table, history and outbox included.
    for needle in [
        "anna@example.com",
        "Anna Berg",
        ANNA_NOTE,
        ANNA_REFERRAL_NOTE,
        ANNA_REQUEST_NOTE,
        ANNAS_CIRCLE_INVITEE,
    ] {
        assert_eq!(tables_holding(&app.pool, needle).await, [], "{needle}");
    }
    // Out of every search at once: no path through her, no business of hers.
    let after = app.search("tiler", Some(&s.cara.token)).await;
    assert!(!after.to_string().contains("former member"), "{after}");
    let rossi = after["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["provider_id"] == s.rossi);
    if let Some(rossi) = rossi {
        assert_eq!(rossi["paths"], json!([]), "{rossi}");
    }
    let plumbers = app.search("plumber", Some(&s.ben.token)).await;
    let listed = plumbers["results"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["provider_id"] == s.annas_business);
    assert!(!listed, "{plumbers}");
    // Her sessions end and her password opens nothing.
    assert_eq!(
        app.get("/v1/me", Some(&s.anna.token)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let login = json!({ "email": "anna@example.com", "password": crate::common::PASSWORD });
    assert_eq!(
        app.post("/v1/sessions", None, &login).await.status(),
        StatusCode::UNAUTHORIZED
    );
    // Ben's referral stays his, from "a former member".
    let received = app
        .get("/v1/me/referrals?role=received", Some(&s.ben.token))
        .await;
    let received = expect_json(received, StatusCode::OK).await;
    assert_eq!(received["items"][0]["referrer_name"], "A former member");
    // The history is still append-only for everyone else, and the erasure is on record.
    let edit = sqlx::query(
        "update graph_changes set kind = kind where seq = (select min(seq) from graph_changes)",
    )
    .execute(&app.pool)
    .await;
    assert!(edit.is_err(), "history became editable");
    let wipe = sqlx::query("delete from graph_changes")
        .execute(&app.pool)
        .await;
    assert!(wipe.is_err(), "history became deletable");
    let erasures: i64 = sqlx::query_scalar("select count(*) from erasures where person_id = $1")
        .bind(s.anna.id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(erasures, 1);
}

#[sqlx::test]
async fn a_wrong_password_deletes_nothing(pool: PgPool) {
    let app = spawn_app(pool).await;
    let s = street(&app).await;

    assert_invalid_field(delete(&app, &s.anna, "not my password").await, "password").await;

    let me: Value = expect_json(app.get("/v1/me", Some(&s.anna.token)).await, StatusCode::OK).await;
    assert_eq!(me["display_name"], "Anna Berg");
    let after = app.search("tiler", Some(&s.cara.token)).await.to_string();
    assert!(after.contains("Anna Berg"), "{after}");
}

#[sqlx::test]
async fn guessing_the_password_on_the_delete_form_counts_against_the_login_throttle(pool: PgPool) {
    // A stolen session must not turn "delete my account" into a faster password oracle than
    // the login page: both share the same per-account budget.
    let app = crate::common::spawn_app_with(pool, |config| {
        config.login_limits = vouchgraph::auth::throttle::LoginLimits {
            per_account: 3,
            per_ip: 1000,
        };
    })
    .await;
    let anna = app.signup("Anna", "anna@example.com").await; // one attempt: the sign-up's login
    for _ in 0..2 {
        assert_invalid_field(delete(&app, &anna, "not my password").await, "password").await;
    }
    // The fourth attempt is refused before the password is checked, the right one included,
    // and the account stays.
    let response = delete(&app, &anna, &anna.password).await;
    assert!(response.headers().contains_key("retry-after"));
    crate::common::assert_problem(response, StatusCode::TOO_MANY_REQUESTS).await;
    let me: Value = expect_json(app.get("/v1/me", Some(&anna.token)).await, StatusCode::OK).await;
    assert_eq!(me["display_name"], "Anna");
}

/// How many vouches are stored for a provider.
async fn vouches_for(pool: &PgPool, provider: i64) -> i64 {
    sqlx::query_scalar("select count(*) from vouches where provider_id = $1")
        .bind(provider)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test]
async fn a_departed_owners_business_keeps_its_vouches_hidden_for_thirty_days_then_ends_them(
    pool: PgPool,
) {
    let app = spawn_app(pool).await;
    let s = street(&app).await;
    // A second owner, Dan, who leaves too, but only ten days ago.
    let (lat, lon) = LONDON;
    let dan = app.signup("Dan Price", "dan@example.com").await;
    let dans = app
        .create_provider(&dan, "Price Roofing", &["roofer"], lat, lon, 30.0)
        .await;
    // Cara recommends Dan's business, publicly.
    app.vouch(&s.cara, dans, "roofer", "recommend", "public")
        .await;
    assert_eq!(
        delete(&app, &s.anna, crate::common::PASSWORD)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    let gone = delete(&app, &dan, crate::common::PASSWORD).await;
    assert_eq!(
        gone.status(),
        StatusCode::NO_CONTENT,
        "{}",
        gone.text().await.unwrap()
    );
    // Ben's vouch for Anna's business is hidden, not deleted: it is Ben's; partners heard it
    // is gone, marked public as it was.
    assert_eq!(vouches_for(&app.pool, s.annas_business).await, 1);
    let told: i64 = sqlx::query_scalar(
        "select count(*) from outbox_events where event_type = 'vouch.revoked'
           and (payload->>'person_id')::bigint = $1 and (payload->>'provider_id')::bigint = $2
           and payload->>'visibility' = 'public'",
    )
    .bind(s.ben.id)
    .bind(s.annas_business)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(told, 1);

    // Anna left 31 days ago, Dan 10: only the vouches for Anna's business end. (The erasure
    // record is append-only; the test moves it back in time with triggers off.)
    for (who, days) in [(s.anna.id, 31), (dan.id, 10)] {
        let mut tx = app.pool.begin().await.unwrap();
        sqlx::query("set local session_replication_role = replica")
            .execute(&mut *tx)
            .await
            .unwrap();
        sqlx::query(
            "update erasures set erased_at = now() - make_interval(days => $2) where person_id = $1",
        )
        .bind(who)
        .bind(days)
        .execute(&mut *tx)
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    let ended = vouchgraph::app::account_deletion::end_hidden_vouches(&app.pool, 30)
        .await
        .unwrap();
    assert_eq!(ended, 1);
    assert_eq!(vouches_for(&app.pool, s.annas_business).await, 0);
    assert_eq!(vouches_for(&app.pool, dans).await, 1);
    // The history says so, with no actor, and stays append-only.
    let recorded: i64 = sqlx::query_scalar(
        "select count(*) from graph_changes where kind = 'vouch.revoke' and actor_id is null
           and (payload->>'person')::bigint = $1 and (payload->>'provider')::bigint = $2",
    )
    .bind(s.ben.id)
    .bind(s.annas_business)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(recorded, 1);
    // Running it again ends nothing more.
    assert_eq!(
        vouchgraph::app::account_deletion::end_hidden_vouches(&app.pool, 30)
            .await
            .unwrap(),
        0
    );
}
