//! The cost of sign-up (issue 14, item 2): sign-ups are limited per client address, on the API
//! and the page alike, and password hashing runs a bounded number at once, so a flood keeps the
//! server's memory under a stated ceiling and gives it back afterwards.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;
use sqlx::PgPool;

use crate::common::server;
use crate::common::{spawn_app_with, TestApp, PASSWORD};
use crate::forms::post_page_form_from;

async fn sign_up_from(app: &TestApp, client: &str, email: &str) -> StatusCode {
    let body = json!({ "email": email, "password": PASSWORD, "display_name": "New Person" });
    app.client
        .post(app.url("/v1/accounts"))
        .header("x-forwarded-for", client)
        .json(&body)
        .send()
        .await
        .expect("sent")
        .status()
}

async fn page_sign_up_from(app: &TestApp, client: &str, email: &str) -> StatusCode {
    post_page_form_from(
        app,
        client,
        "/signup",
        &[
            ("display_name", "Page Person"),
            ("email", email),
            ("password", PASSWORD),
        ],
    )
    .await
}

#[sqlx::test]
async fn sign_ups_are_limited_per_client_address_on_the_api_and_the_page(pool: PgPool) {
    let app = spawn_app_with(pool, |config| {
        config.rate_limits.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
        config.rate_limits.signups_per_hour = 3;
    })
    .await;
    let flooder = "203.0.113.50";
    for n in 0..3 {
        let email = format!("flood{n}@sec.test");
        assert_eq!(
            sign_up_from(&app, flooder, &email).await,
            StatusCode::CREATED
        );
    }
    assert_eq!(
        sign_up_from(&app, flooder, "flood3@sec.test").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        page_sign_up_from(&app, flooder, "flood4@sec.test").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Another address signs up as usual, on either.
    assert_eq!(
        sign_up_from(&app, "198.51.100.30", "other@sec.test").await,
        StatusCode::CREATED
    );
    assert_eq!(
        page_sign_up_from(&app, "198.51.100.31", "page@sec.test").await,
        StatusCode::SEE_OTHER
    );
}

/// The argon2 memory cost of the flood test, KiB: the production default.
const ARGON2_KIB: u64 = 19_456;
/// Hashes at once in the flood test.
const PERMITS: u64 = 2;
/// Room for everything but argon2 that a flood of 64 connections allocates (request buffers,
/// tasks, the allocator's slack).
const SLACK_KIB: u64 = 64 * 1024;

#[sqlx::test]
async fn a_sign_up_flood_keeps_memory_under_the_hashing_ceiling_and_gives_it_back(pool: PgPool) {
    let permits = PERMITS.to_string();
    let server = server::start(
        &pool,
        "127.0.0.1",
        &[
            ("VOUCHGRAPH_HASH_CONCURRENCY", permits.as_str()),
            // The flood must reach the hashing: no per-address sign-up limit here.
            ("VOUCHGRAPH_SIGNUP_PER_IP", "1000000"),
        ],
    )
    .await;
    let base = server.address.clone();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap();
    let sign_up = |n: usize| {
        let (client, base) = (client.clone(), base.clone());
        async move {
            let body = json!({ "email": format!("f{n}@flood.test"), "password": PASSWORD,
                               "display_name": format!("Flood {n}") });
            client
                .post(format!("{base}/v1/accounts"))
                .json(&body)
                .send()
                .await
                .map(|r| r.status())
        }
    };
    // Warm up, two at a time: the first hashes allocate the argon2 memory that every later
    // hash reuses, as any server's first minutes do.
    for pair in 0..2 {
        for result in futures::future::join_all([sign_up(2 * pair), sign_up(2 * pair + 1)]).await {
            assert_eq!(result.unwrap(), StatusCode::CREATED);
        }
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before = server.rss_kib();

    // Sample the resident memory while three waves of 64 concurrent sign-ups go in.
    let peak = Arc::new(AtomicU64::new(before));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, done, pid) = (peak.clone(), done.clone(), server.pid());
        tokio::spawn(async move {
            while !done.load(Ordering::Relaxed) {
                if let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) {
                    if let Some(kib) = status
                        .lines()
                        .find_map(|l| l.strip_prefix("VmRSS:"))
                        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
                    {
                        peak.fetch_max(kib, Ordering::Relaxed);
                    }
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };
    let started = Instant::now();
    let mut created = 0;
    for wave in 0..3 {
        let results =
            futures::future::join_all((0..64).map(|i| sign_up(100 + wave * 64 + i))).await;
        created += results
            .iter()
            .filter(|r| matches!(r, Ok(s) if *s == StatusCode::CREATED))
            .count();
    }
    let flood_time = started.elapsed();
    done.store(true, Ordering::Relaxed);
    sampler.await.unwrap();
    let peak = peak.load(Ordering::Relaxed);

    // Afterwards the memory goes back (allow the allocator a few seconds).
    let mut after = server.rss_kib();
    let settled = Instant::now();
    while after > before + SLACK_KIB / 2 && settled.elapsed() < Duration::from_secs(20) {
        tokio::time::sleep(Duration::from_millis(500)).await;
        after = server.rss_kib();
    }
    let ceiling = PERMITS * ARGON2_KIB + SLACK_KIB;
    println!(
        "sign-up flood: {created} of 192 created in {:.1} s; resident memory {} MiB before, \
         peak {} MiB (+{} MiB; ceiling +{} MiB = {PERMITS} x {} MiB argon2 + {} MiB), \
         {} MiB after",
        flood_time.as_secs_f64(),
        before / 1024,
        peak / 1024,
        (peak - before) / 1024,
        ceiling / 1024,
        ARGON2_KIB / 1024,
        SLACK_KIB / 1024,
        after / 1024
    );
    assert_eq!(created, 192, "every sign-up of the flood was served");
    assert!(
        peak <= before + ceiling,
        "the flood took resident memory from {before} KiB to {peak} KiB, over the ceiling of \
         +{ceiling} KiB"
    );
    assert!(
        after <= before + SLACK_KIB / 2,
        "memory not given back: {before} KiB before the flood, {after} KiB after"
    );
}
