//! Deleting accounts under `kill -9`: the real server binary is killed while many deletions
//! are in flight, and every person is then either wholly there or wholly gone, never half.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::future::join_all;
use reqwest::{Client, StatusCode};
use serde_json::json;
use sqlx::PgPool;
use tokio::sync::Mutex;

use crate::common::{sign_up, spawn_app, TestUser, PASSWORD};
use crate::crash::{list_tiler, start_server};
use crate::{database_edges, memory_edges, settled};

const PEOPLE: usize = 24;

fn name(i: usize) -> String {
    format!("Deletable Person {i:02}")
}

fn email(i: usize) -> String {
    format!("deletable{i:02}@example.com")
}

fn note(i: usize) -> String {
    format!("vouch-note-of-{i:02}")
}

/// How many rows of `table` mention `needle` anywhere.
async fn mentions(pool: &PgPool, table: &str, needle: &str) -> i64 {
    sqlx::query_scalar(&format!(
        "select count(*) from {table} x where strpos(x::text, $1) > 0"
    ))
    .bind(needle)
    .fetch_one(pool)
    .await
    .unwrap()
}

#[sqlx::test]
async fn a_kill_9_during_deletions_leaves_each_person_wholly_there_or_wholly_gone(pool: PgPool) {
    let mut server = start_server(&pool).await;
    let base = server.address.clone();
    let client = Client::new();

    // Everyone signs up; person 0 lists a tiler and stays. (The server's limits on sign-ups
    // and writes per address are lifted: this one client is the test, not an attack.)
    let mut people = Vec::new();
    for i in 0..PEOPLE {
        people.push(sign_up(&client, &base, &name(i), &email(i)).await);
    }
    let provider = list_tiler(&client, &base, &people[0].token).await;
    // Everyone trusts everyone else, publicly, and recommends the tiler in words of their own:
    // each deletion has dozens of edges, a vouch and history to take away.
    let mut writes = Vec::new();
    for (i, TestUser { token, .. }) in people.iter().enumerate() {
        for (j, other) in people.iter().enumerate() {
            if i != j {
                writes.push(
                    client
                        .put(format!("{base}/v1/trust/{}", other.id))
                        .bearer_auth(token)
                        .json(&json!({ "level": 2, "visibility": "public" })),
                );
            }
        }
        // (Person 0 owns it, and may not vouch for their own business.)
        if i > 0 {
            writes.push(
                client
                    .put(format!("{base}/v1/providers/{provider}/vouches/tiler"))
                    .bearer_auth(token)
                    .json(
                        &json!({ "stance": "recommend", "note": note(i), "visibility": "public" }),
                    ),
            );
        }
    }
    for write in writes {
        let status = write.send().await.unwrap().status();
        assert!(status.is_success(), "a set-up write failed: {status}");
    }

    // Everyone but person 0 deletes their account at once; the server is killed once a few
    // deletions are acknowledged, with the rest in flight.
    let acked = Arc::new(Mutex::new(BTreeSet::<i64>::new()));
    let acks = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for TestUser { id, token, .. } in people.iter().skip(1).cloned() {
        let (client, base, acked, acks) =
            (client.clone(), base.clone(), acked.clone(), acks.clone());
        tasks.push(tokio::spawn(async move {
            let deleted = client
                .delete(format!("{base}/v1/me"))
                .bearer_auth(token)
                .json(&json!({ "password": PASSWORD }))
                .send()
                .await;
            if matches!(&deleted, Ok(r) if r.status() == StatusCode::NO_CONTENT) {
                acked.lock().await.insert(id);
                acks.fetch_add(1, Ordering::SeqCst);
            }
        }));
    }
    let started = Instant::now();
    while acks.load(Ordering::SeqCst) < 3 && started.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    server.kill();
    join_all(tasks).await;
    let acked = acked.lock().await.clone();

    let erased: BTreeSet<i64> = sqlx::query_scalar("select person_id from erasures")
        .fetch_all(&pool)
        .await
        .unwrap()
        .into_iter()
        .collect();
    assert!(
        acked.len() >= 3,
        "only {} deletions were acknowledged",
        acked.len()
    );
    assert!(
        acked.is_subset(&erased),
        "an acknowledged deletion was lost: acked {acked:?}, erased {erased:?}"
    );
    assert!(
        erased.len() < PEOPLE - 1,
        "the kill came after every deletion had finished"
    );

    for (i, &TestUser { id, .. }) in people.iter().enumerate() {
        let (stored_email, stored_name): (String, String) = sqlx::query_as(
            "select a.email, p.display_name from accounts a join people p on p.id = a.person_id
             where a.person_id = $1",
        )
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
        let edges: i64 = sqlx::query_scalar(
            "select count(*) from trust_edges where truster_id = $1 or trustee_id = $1",
        )
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
        let vouches: i64 = sqlx::query_scalar("select count(*) from vouches where person_id = $1")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
        let sessions: i64 =
            sqlx::query_scalar("select count(*) from sessions where person_id = $1")
                .bind(id)
                .fetch_one(&pool)
                .await
                .unwrap();
        let history_name = mentions(&pool, "graph_changes", &name(i)).await;
        let history_note = mentions(&pool, "graph_changes", &note(i)).await;
        if erased.contains(&id) {
            // Wholly gone: no address, name, words, edges, vouch or session anywhere.
            assert_eq!(
                stored_email,
                format!("erased-{id}@erased.invalid"),
                "person {i}"
            );
            assert_eq!(stored_name, "A former member", "person {i}");
            assert_eq!((edges, vouches, sessions), (0, 0, 0), "person {i}");
            assert_eq!((history_name, history_note), (0, 0), "person {i}");
            for table in ["outbox_events", "notifications", "referrals"] {
                assert_eq!(
                    mentions(&pool, table, &email(i)).await,
                    0,
                    "{table}, person {i}"
                );
            }
        } else {
            // Wholly there: their address, name, session, vouch and history, and a trust edge
            // each way with everyone else still there.
            assert_eq!(stored_email, email(i), "person {i}");
            assert_eq!(stored_name, name(i), "person {i}");
            let staying = (PEOPLE - erased.len()) as i64;
            assert_eq!(edges, 2 * (staying - 1), "person {i}");
            let vouched = i64::from(i > 0);
            assert_eq!(vouches, vouched, "person {i}");
            assert!(sessions >= 1, "person {i}");
            assert!(history_name > 0, "person {i}");
            assert_eq!(history_note > 0, i > 0, "person {i}");
        }
    }

    // A restarted instance rebuilds its graph from the database: edge for edge the same.
    let restarted = spawn_app(pool.clone()).await;
    settled(&restarted, &pool).await;
    assert_eq!(memory_edges(&restarted), database_edges(&pool).await);
}
