//! Crash safety: `kill -9` the real server binary while over a thousand writes are in flight,
//! then check that every acknowledged write survived, that nothing is half-written, and that
//! the graph rebuilt at start equals the database edge by edge.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Client;
use serde_json::{json, Value};
use sqlx::PgPool;
use tokio::sync::Mutex;

use crate::common::server::{self, Server};
use crate::common::{sign_up, spawn_app, TestUser};
use crate::{database_edges, memory_edges, settled};

/// Starts the server binary over the test's database with the limits that would turn this
/// test's one client away lifted: fifty sign-ups and logins and 1,200 writes at once from one
/// address are the test, not an attack.
pub(crate) async fn start_server(pool: &PgPool) -> Server {
    server::start(
        pool,
        "127.0.0.1",
        &[
            ("VOUCHGRAPH_ARGON2_MEMORY_KIB", "1024"),
            ("VOUCHGRAPH_LOGIN_PER_IP", "100000"),
            ("VOUCHGRAPH_SIGNUP_PER_IP", "100000"),
            ("VOUCHGRAPH_CONNECTIONS_PER_IP", "100000"),
            ("VOUCHGRAPH_RATE_ANONYMOUS", "1000000"),
            ("VOUCHGRAPH_RATE_SESSION", "1000000"),
        ],
    )
    .await
}

/// Lists a tiler near London for the bearer of `token`; its id.
pub(crate) async fn list_tiler(client: &Client, base: &str, token: &str) -> i64 {
    let body = json!({ "name": "Tiles", "trades": ["tiler"], "lat": 51.5, "lon": -0.12, "radius_km": 20.0 });
    let provider = post(client, &format!("{base}/v1/providers"), Some(token), &body).await;
    provider["id"].as_i64().unwrap()
}

/// Posts `body` as JSON (with a bearer token, if given) and reads the answer's JSON.
async fn post(client: &Client, url: &str, token: Option<&str>, body: &Value) -> Value {
    let mut request = client.post(url).json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap().json().await.unwrap()
}

/// One write and what acknowledging it promised.
#[derive(Debug, Clone)]
enum Acked {
    Trust { from: i64, to: i64, level: i64 },
    Vouch { person: i64, provider: i64 },
    Referral { id: i64 },
}

#[sqlx::test]
async fn every_write_acknowledged_before_a_kill_9_survives_and_nothing_is_half_written(
    pool: PgPool,
) {
    let mut server = start_server(&pool).await;
    let client = Client::builder()
        .pool_max_idle_per_host(64)
        .build()
        .unwrap();
    let base = server.address.clone();

    // Fifty accounts and one tiler, set up before the storm.
    let mut users = Vec::new();
    for i in 0..50 {
        users.push(
            sign_up(
                &client,
                &base,
                &format!("Person {i}"),
                &format!("crash{i}@example.com"),
            )
            .await,
        );
    }
    let provider = list_tiler(&client, &base, &users[0].token).await;

    // 1,200 writes at once: trust edges, vouches and referrals from many accounts.
    let acked = Arc::new(Mutex::new(Vec::<Acked>::new()));
    let acks = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for n in 0..1200usize {
        let (client, base, acked, acks) =
            (client.clone(), base.clone(), acked.clone(), acks.clone());
        let TestUser { id: me, token, .. } = users[1 + n % 49].clone();
        let other = users[1 + (n / 49 + n) % 49].id;
        tasks.push(tokio::spawn(async move {
            let (request, promise) = match n % 3 {
                0 if other != me => {
                    let level = 1 + (n % 3) as i64;
                    (
                        client.put(format!("{base}/v1/trust/{other}")).json(&json!({ "level": level, "visibility": "public" })),
                        Some(Acked::Trust { from: me, to: other, level }),
                    )
                }
                1 => (
                    client.put(format!("{base}/v1/providers/{provider}/vouches/tiler")).json(&json!({ "stance": "recommend" })),
                    Some(Acked::Vouch { person: me, provider }),
                ),
                _ => (
                    client.post(format!("{base}/v1/referrals")).json(&json!({ "provider_id": provider, "trade": "tiler", "recipient_id": other })),
                    None,
                ),
            };
            let Ok(response) = request.bearer_auth(token).send().await else { return };
            if !response.status().is_success() {
                return;
            }
            let promise = match promise {
                Some(p) => p,
                None => match response.json::<Value>().await {
                    Ok(body) => Acked::Referral { id: body["id"].as_i64().unwrap() },
                    Err(_) => return,
                },
            };
            acked.lock().await.push(promise);
            acks.fetch_add(1, Ordering::SeqCst);
        }));
    }
    // Kill once a few hundred are acknowledged, with the rest still in flight.
    let started = Instant::now();
    while acks.load(Ordering::SeqCst) < 300 && started.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    server.kill();
    for task in tasks {
        let _ = task.await;
    }
    let acked = acked.lock().await.clone();
    assert!(
        acked.len() >= 300,
        "only {} writes were acknowledged",
        acked.len()
    );
    assert!(
        acked.len() < 1200,
        "the kill came after every write had finished"
    );

    // Every acknowledged write is in the database.
    for promise in &acked {
        let present: bool = match promise {
            Acked::Trust { from, to, level } => sqlx::query_scalar("select exists(select 1 from trust_edges where truster_id = $1 and trustee_id = $2 and level = $3)").bind(from).bind(to).bind(*level as i16),
            Acked::Vouch { person, provider } => sqlx::query_scalar("select exists(select 1 from vouches where person_id = $1 and provider_id = $2)").bind(person).bind(provider),
            Acked::Referral { id } => sqlx::query_scalar("select exists(select 1 from referrals where id = $1)").bind(id),
        }
        .fetch_one(&pool)
        .await
        .unwrap();
        assert!(present, "an acknowledged write was lost: {promise:?}");
    }

    // Nothing is half-written: each row has its history, its first transition and its event.
    let orphans: i64 = sqlx::query_scalar(
        "select (select count(*) from trust_edges t where not exists (
                    select 1 from graph_changes c where c.kind = 'trust.set'
                      and (c.payload->>'truster')::bigint = t.truster_id
                      and (c.payload->>'trustee')::bigint = t.trustee_id
                      and (c.payload->>'level')::int = t.level))
              + (select count(*) from vouches v where not exists (
                    select 1 from graph_changes c where c.kind = 'vouch.set'
                      and (c.payload->>'person')::bigint = v.person_id
                      and (c.payload->>'provider')::bigint = v.provider_id))
              + (select count(*) from referrals r where not exists (
                    select 1 from referral_transitions t where t.referral_id = r.id and t.to_status = 'sent'))
              + abs((select count(*) from referrals) - (select count(*) from outbox_events where event_type = 'referral.created'))",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        orphans, 0,
        "some rows lack their history, transition or event"
    );

    // A restarted instance rebuilds its graph from the database: edge for edge the same.
    let restarted = spawn_app(pool.clone()).await;
    settled(&restarted, &pool).await;
    assert_eq!(memory_edges(&restarted), database_edges(&pool).await);
}
