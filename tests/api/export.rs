//! `GET /v1/me/export`: a person's archive holds everything about them, in the documented
//! shape (docs/privacy.md), and of other people only what the person may see: checked over
//! random small worlds with random visibilities.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::common::{eventually, expect_json, spawn_app, TestApp, TestUser, LONDON};

const VISIBILITIES: [&str; 3] = ["public", "network", "private"];

/// The top-level fields of the archive, in order, and whether each is a list.
const SCHEMA: [(&str, bool); 17] = [
    ("format", false),
    ("version", false),
    ("exported_at", false),
    ("account", false),
    ("trust_given", true),
    ("trust_received", true),
    ("distrust_given", true),
    ("vouches", true),
    ("providers", true),
    ("referrals", true),
    ("notifications", true),
    ("sessions", true),
    ("partner_links", true),
    ("customer_notes", true),
    ("email", false),
    ("requests", false),
    ("circle", false),
];

async fn export(app: &TestApp, who: &TestUser) -> Value {
    let response = app.get("/v1/me/export", Some(&who.token)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    expect_json(response, StatusCode::OK).await
}

#[sqlx::test]
async fn the_archive_has_the_documented_shape_and_the_persons_own_data(pool: PgPool) {
    let app = spawn_app(pool).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    let olga = app.signup("Olga Rossi", "olga@example.com").await;
    let (lat, lon) = LONDON;
    let rossi = app
        .create_provider(&olga, "Rossi Tiling", &["tiler"], lat, lon, 30.0)
        .await;
    // Anna -> Olga, level 2, private: Anna's own, so in her archive.
    app.trust(&anna, &olga, 2, "private").await;
    app.vouch(&anna, rossi, "tiler", "warn", "private").await;
    // Anna asks her circle for a tiler and invites a friend into it.
    let body = json!({ "trade": "tiler", "note": "bathroom re-tile" });
    expect_json(
        app.post("/v1/requests", Some(&anna.token), &body).await,
        StatusCode::CREATED,
    )
    .await;
    let body = json!({ "email": "friend@example.com", "note": "join me" });
    let invited = app
        .post("/v1/me/circle/invitations", Some(&anna.token), &body)
        .await;
    assert_eq!(invited.status(), StatusCode::ACCEPTED);

    let archive = export(&app, &anna).await;

    let keys: Vec<&str> = archive
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected: Vec<&str> = SCHEMA.iter().map(|(name, _)| *name).collect();
    expected.sort_unstable();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, expected);
    for (name, is_list) in SCHEMA {
        assert_eq!(
            archive[name].is_array(),
            is_list,
            "{name}: {}",
            archive[name]
        );
    }
    assert_eq!(archive["format"], "vouchgraph-export");
    assert_eq!(archive["version"], 3);
    assert_eq!(archive["requests"]["asked"][0]["note"], "bathroom re-tile");
    assert_eq!(archive["requests"]["asked"][0]["trade"], "tiler");
    assert_eq!(
        archive["circle"]["invitations_sent"][0]["email"],
        "friend@example.com"
    );
    assert_eq!(archive["account"]["email"], "anna@example.com");
    assert_eq!(archive["account"]["display_name"], "Anna Berg");
    assert_eq!(archive["trust_given"][0]["person_id"], olga.id);
    assert_eq!(archive["trust_given"][0]["visibility"], "private");
    assert_eq!(archive["vouches"][0]["stance"], "warn");
    assert_eq!(archive["vouches"][0]["shown"], true);
    assert_eq!(archive["sessions"].as_array().unwrap().len(), 1);
    let text = archive.to_string();
    assert!(!text.contains("password"), "{text}");
    // Olga's archive has her business, and nothing of Anna's private edges.
    let olgas = export(&app, &olga).await;
    assert_eq!(olgas["providers"][0]["name"], "Rossi Tiling");
    assert_eq!(olgas["trust_received"], json!([]));
}

#[sqlx::test]
async fn an_archive_holds_no_one_elses_private_or_unseen_data_in_random_worlds(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (lat, lon) = LONDON;
    let mut rng = StdRng::seed_from_u64(20261205);
    let mut people = Vec::new();
    for n in 0..6 {
        people.push(
            app.signup(&format!("Person {n}"), &format!("p{n}@example.com"))
                .await,
        );
    }
    let provider = app
        .create_provider(&people[0], "Shared Tiling", &["tiler"], lat, lon, 30.0)
        .await;
    // Random trust edges with random visibilities: (truster, trustee, visibility).
    let mut edges = Vec::new();
    for truster in 0..people.len() {
        for trustee in 0..people.len() {
            if truster != trustee && rng.gen_bool(0.4) {
                let visibility = VISIBILITIES[rng.gen_range(0..3)];
                let level = rng.gen_range(1..=3);
                app.trust(&people[truster], &people[trustee], level, visibility)
                    .await;
                edges.push((truster, trustee, visibility));
            }
        }
    }
    // Random vouches, each with a note that names it, so a leak is found by its text.
    let mut notes = Vec::new();
    for (voucher, person) in people.iter().enumerate().skip(1) {
        if rng.gen_bool(0.7) {
            let visibility = VISIBILITIES[rng.gen_range(0..3)];
            let note = format!("note-of-{voucher}-{visibility}");
            let body = json!({ "stance": "recommend", "note": note, "visibility": visibility });
            let path = format!("/v1/providers/{provider}/vouches/tiler");
            expect_json(
                app.put(&path, Some(&person.token), &body).await,
                StatusCode::OK,
            )
            .await;
            notes.push((voucher, note));
        }
    }

    for (me, person) in people.iter().enumerate() {
        let archive = export(&app, person).await;
        let text = archive.to_string();
        // Every vouch note but the person's own stays out: vouches are their authors'.
        for (voucher, note) in &notes {
            assert_eq!(text.contains(note.as_str()), *voucher == me, "{me}: {note}");
        }
        // Trust received: exactly the public and network-only edges towards them.
        let mut expected: Vec<i64> = edges
            .iter()
            .filter(|(_, trustee, visibility)| *trustee == me && *visibility != "private")
            .map(|(truster, _, _)| people[*truster].id)
            .collect();
        expected.sort_unstable();
        let received: Vec<i64> = archive["trust_received"]
            .as_array()
            .unwrap()
            .iter()
            .map(|edge| edge["person_id"].as_i64().unwrap())
            .collect();
        assert_eq!(received, expected, "person {me}");
        // Trust given: all of their own, whatever the visibility.
        let given = archive["trust_given"].as_array().unwrap().len();
        assert_eq!(given, edges.iter().filter(|(t, _, _)| *t == me).count());
        // No one else's address.
        for (other, someone) in people.iter().enumerate() {
            if other != me {
                assert!(
                    !text.contains(&someone.email),
                    "{me} holds {}",
                    someone.email
                );
            }
        }
    }
}

#[sqlx::test]
async fn an_export_needs_a_session(pool: PgPool) {
    let app = spawn_app(pool).await;
    let response = app.get("/v1/me/export", None).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

/// Asks for an archive in the background and waits until it is built; returns its request.
async fn ask_and_wait(app: &TestApp, who: &TestUser) -> Value {
    let asked = app
        .post("/v1/me/exports", Some(&who.token), &json!({}))
        .await;
    assert_eq!(asked.status(), StatusCode::ACCEPTED);
    let location = asked.headers()["location"].to_str().unwrap().to_string();
    let asked = expect_json(asked, StatusCode::ACCEPTED).await;
    assert_eq!(location, format!("/v1/me/exports/{}", asked["id"]));
    eventually("the archive to be built", || async {
        let status = expect_json(app.get(&location, Some(&who.token)).await, StatusCode::OK).await;
        if status["status"] == "ready" {
            return Some(status);
        }
        assert_eq!(status["status"], "building", "{status}");
        None
    })
    .await
}

#[sqlx::test]
async fn an_archive_built_in_the_background_is_the_same_archive_and_downloads_once(pool: PgPool) {
    let app = spawn_app(pool).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    let ben = app.signup("Ben Okoro", "ben@example.com").await;
    // Anna -> Ben, level 2, private; Ben -> Anna, level 3, private (not Anna's to see).
    app.trust(&anna, &ben, 2, "private").await;
    app.trust(&ben, &anna, 3, "private").await;

    let ready = ask_and_wait(&app, &anna).await;
    let url = ready["download_url"].as_str().unwrap().to_string();
    assert!(ready["bytes"].as_i64().unwrap() > 100, "{ready}");
    // Nobody else can see the request or take the archive, not even by guessing its id.
    let id = ready["id"].as_i64().unwrap();
    for path in [format!("/v1/me/exports/{id}"), url.clone()] {
        let theirs = app.get(&path, Some(&ben.token)).await;
        crate::common::assert_problem(theirs, StatusCode::NOT_FOUND).await;
        let stranger = app.get(&path, None).await;
        crate::common::assert_problem(stranger, StatusCode::UNAUTHORIZED).await;
    }
    // Anna's inbox says it is ready.
    let inbox = expect_json(
        app.get("/v1/me/notifications", Some(&anna.token)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(inbox["items"][0]["kind"], "export.ready", "{inbox}");

    let taken = app.get(&url, Some(&anna.token)).await;
    assert!(taken.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    let mut background = expect_json(taken, StatusCode::OK).await;
    let mut at_once = export(&app, &anna).await;
    // The same archive as the one built at once, but for the moment it was made, the
    // notification that it was ready (which came after it), and the sign-up's verification
    // email, which the mail worker composes whenever it runs (before or after either).
    for archive in [&mut background, &mut at_once] {
        archive["exported_at"] = Value::Null;
        archive["notifications"] = Value::Null;
        archive["email"]["messages"] = Value::Null;
    }
    assert_eq!(background, at_once);
    assert!(
        !background.to_string().contains("\"level\":3"),
        "Ben's private trust"
    );

    // The link works once; the request says so.
    let again = app.get(&url, Some(&anna.token)).await;
    crate::common::assert_problem(again, StatusCode::CONFLICT).await;
    let status = expect_json(
        app.get(&format!("/v1/me/exports/{id}"), Some(&anna.token))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(status["status"], "downloaded");
    assert_eq!(status["download_url"], Value::Null);
    let stored: Option<Value> =
        sqlx::query_scalar("select body from export_archives where id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(stored, None, "a downloaded archive is not kept");
}

#[sqlx::test]
async fn asking_again_while_the_builder_holds_the_archive_never_deadlocks(pool: PgPool) {
    // The builder's order: it claims the archive row and stores the archive, then inserts the
    // person's `export.ready` notification (its foreign key takes a key-share lock on the
    // person). A request's order: it holds the person, then its insert waits on that archive
    // row. Played here step by step, the two must both go through: no deadlock, no 503.
    let app = spawn_app(pool).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    sqlx::query("insert into export_archives (person_id) values ($1)")
        .bind(anna.id)
        .execute(&app.pool)
        .await
        .unwrap();
    // The builder has claimed the request and stored the archive, not yet committed: a new
    // request's insert must wait to learn whether the one being built still is.
    let mut builder = app.pool.begin().await.unwrap();
    sqlx::query("select id from export_archives where status = 'building' for update")
        .execute(&mut *builder)
        .await
        .unwrap();
    sqlx::query(
        "update export_archives set status = 'ready', body = '{}', bytes = 2, ready_at = now()
         where status = 'building'",
    )
    .execute(&mut *builder)
    .await
    .unwrap();
    let request = {
        let url = app.url("/v1/me/exports");
        let client = app.client.clone();
        let token = anna.token.clone();
        tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&json!({}))
                .send()
                .await
                .unwrap()
                .status()
        })
    };
    // Let the request take the person and reach the archive row.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let notified = sqlx::query(
        "insert into notifications (person_id, kind, payload) values ($1, 'export.ready', '{}')",
    )
    .bind(anna.id)
    .execute(&mut *builder)
    .await;
    assert!(notified.is_ok(), "the builder was stopped: {notified:?}");
    builder.commit().await.unwrap();
    assert_eq!(request.await.unwrap(), StatusCode::ACCEPTED);
}

#[sqlx::test]
async fn asking_again_while_one_is_built_returns_it_and_a_day_allows_five(pool: PgPool) {
    let app = spawn_app(pool).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    // One waiting to be built (as if the instance had stopped before building it): asking
    // again returns the same request rather than a second one.
    sqlx::query("insert into export_archives (person_id) values ($1)")
        .bind(anna.id)
        .execute(&app.pool)
        .await
        .unwrap();
    let waiting: i64 = sqlx::query_scalar("select id from export_archives")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let again = app
        .post("/v1/me/exports", Some(&anna.token), &json!({}))
        .await;
    let again = expect_json(again, StatusCode::ACCEPTED).await;
    assert_eq!(again["id"], waiting);
    // The expiry job's builder picks it up: this call, or the instance's own expiry job,
    // whose first pass may run after the insert above when the machine is busy (then this
    // call finds it claimed or built, and builds nothing). Either way it ends up ready.
    vouchgraph::app::export::build_waiting(&app.pool)
        .await
        .unwrap();
    let location = format!("/v1/me/exports/{waiting}");
    eventually("the waiting archive to be built", || async {
        let status = expect_json(app.get(&location, Some(&anna.token)).await, StatusCode::OK).await;
        (status["status"] == "ready").then_some(())
    })
    .await;
    for _ in 0..4 {
        ask_and_wait(&app, &anna).await;
    }
    // Five asked for today: the sixth is refused, and nothing is queued.
    let sixth = app
        .post("/v1/me/exports", Some(&anna.token), &json!({}))
        .await;
    crate::common::assert_problem(sixth, StatusCode::TOO_MANY_REQUESTS).await;
    let queued: i64 = sqlx::query_scalar("select count(*) from export_archives")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(queued, 5);
}
