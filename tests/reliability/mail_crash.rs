//! Email survives a crash: `kill -9` the real server binary twice while it is sending a batch
//! of emails to a slow SMTP relay (a real SMTP listener in this process), restart it, and
//! count at the relay that every event's email arrived, each exactly once by Message-ID.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use sqlx::PgPool;
use vouchgraph::mail::catcher::{self, Caught};

use crate::common::server::{self, Server};
use crate::common::PASSWORD;

/// How many sign-ups, each of which sends one verification email.
const PEOPLE: usize = 40;

async fn start_server(pool: &PgPool, smtp: &str) -> Server {
    server::start(
        pool,
        "127.0.0.1",
        &[
            ("VOUCHGRAPH_ARGON2_MEMORY_KIB", "1024"),
            ("VOUCHGRAPH_SIGNUP_PER_IP", "100000"),
            ("VOUCHGRAPH_RATE_ANONYMOUS", "1000000"),
            ("VOUCHGRAPH_SMTP_URL", smtp),
            // A killed sender's claims come back quickly, and so do retries.
            ("VOUCHGRAPH_MAIL_LEASE_SECS", "2"),
            ("VOUCHGRAPH_MAIL_RETRY_SECS", "1"),
        ],
    )
    .await
}

#[sqlx::test]
async fn every_email_is_sent_once_though_the_server_is_killed_twice_mid_send(pool: PgPool) {
    // A relay that takes 40 ms to accept each message, so that the kills land mid-send.
    let (memory, inbox) = catcher::memory();
    let slow: catcher::Sink = Arc::new(move |caught: Caught| {
        std::thread::sleep(Duration::from_millis(40));
        memory(caught)
    });
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let smtp = format!("smtp://127.0.0.1:{}", listener.local_addr().unwrap().port());
    catcher::spawn(listener, slow).unwrap();

    let mut server = start_server(&pool, &smtp).await;
    let client = reqwest::Client::new();
    for i in 0..PEOPLE {
        let body = json!({
            "email": format!("person{i}@example.com"),
            "password": PASSWORD,
            "display_name": format!("Person {i}"),
        });
        let response = client
            .post(format!("{}/v1/accounts", server.address))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), reqwest::StatusCode::CREATED);
    }

    // Two crashes while the queue drains (40 emails take about 1.6 s at the relay).
    let mut kills = 0;
    for pause in [300, 400] {
        tokio::time::sleep(Duration::from_millis(pause)).await;
        server.kill();
        kills += 1;
        server = start_server(&pool, &smtp).await;
    }

    let started = Instant::now();
    loop {
        let unsent: i64 = sqlx::query_scalar("select count(*) from emails where status <> 'sent'")
            .fetch_one(&pool)
            .await
            .unwrap();
        let queued: i64 = sqlx::query_scalar("select count(*) from emails")
            .fetch_one(&pool)
            .await
            .unwrap();
        if unsent == 0 && queued == PEOPLE as i64 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{unsent} of {queued} emails still unsent"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drop(server);

    // The relay may hand the last messages to its inbox a moment after it said 250 (on a busy
    // machine): wait for every address, then check that each got one email only.
    let started = Instant::now();
    let (by_address, caught) = loop {
        let caught = inbox.lock().clone();
        let mut by_address: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for c in &caught {
            let id = c.header("Message-ID").expect("a Message-ID");
            for to in &c.to {
                by_address.entry(to.clone()).or_default().insert(id.clone());
            }
        }
        if by_address.len() >= PEOPLE || started.elapsed() > Duration::from_secs(20) {
            break (by_address, caught);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(
        by_address.len(),
        PEOPLE,
        "every address got its email ({} messages caught)",
        caught.len()
    );
    for (address, ids) in &by_address {
        assert_eq!(ids.len(), 1, "{address} got {} different emails", ids.len());
    }
    // A second delivery of the same message can only come from a kill landing between the
    // relay's "250 OK" and the commit that records it: at most one per kill.
    assert!(
        caught.len() <= PEOPLE + kills,
        "{} deliveries for {PEOPLE} emails and {kills} kills",
        caught.len()
    );
}
