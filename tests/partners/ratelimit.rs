//! Rate limits: the IETF headers, 429s in problem+json with Retry-After, buckets per key,
//! and X-Forwarded-For believed only from a trusted proxy.

use reqwest::{Method, StatusCode};
use sqlx::PgPool;

use crate::common::{assert_problem, spawn_app, spawn_app_with};
use crate::helpers::SHOP;

fn header(response: &reqwest::Response, name: &str) -> String {
    response.headers()[name].to_str().unwrap().to_string()
}

#[sqlx::test]
async fn every_response_carries_the_ratelimit_headers(pool: PgPool) {
    let app = spawn_app_with(pool, |c| c.rate_limits.anonymous_per_minute = 100).await;
    let first = app.get("/v1/trades", None).await;
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(
        header(&first, "ratelimit-policy"),
        "\"anonymous\";q=100;w=60"
    );
    let second = app.get("/v1/trades", None).await;
    let value = header(&second, "ratelimit");
    assert!(value.starts_with("\"anonymous\";r=9"), "{value}");
    assert!(value.contains(";t="), "{value}");
    // Health probes are not counted.
    assert!(app
        .get("/healthz", None)
        .await
        .headers()
        .get("ratelimit")
        .is_none());
    // Sessions have a class of their own.
    let user = app.signup("Sam Session", "sam.session@example.com").await;
    let me = app.get("/v1/me", Some(&user.token)).await;
    assert!(header(&me, "ratelimit-policy").starts_with("\"session\";"));
}

#[sqlx::test]
async fn a_flood_from_one_key_leaves_another_key_unaffected(pool: PgPool) {
    let app = spawn_app_with(pool, |c| c.rate_limits.secret_per_minute = 5).await;
    let (owner, provider, partner) = app.shop_and_tiler().await;
    let (_, flooder) = app.create_key(&owner, partner, "secret").await;
    let (_, quiet) = app.create_key(&owner, partner, "secret").await;
    let path = format!("/v1/widget/badge?provider={provider}");
    let call = |key: String| app.widget(Method::GET, &path, &key, None, None).send();

    let mut statuses = Vec::new();
    let mut refused = None;
    for _ in 0..20 {
        let response = call(flooder.clone()).await.unwrap();
        statuses.push(response.status().as_u16());
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            refused = Some(response);
        }
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        5,
        "{statuses:?}"
    );
    let refused = refused.expect("the flood was refused");
    let retry_after: u64 = header(&refused, "retry-after").parse().unwrap();
    assert!((1..=12).contains(&retry_after), "{retry_after}");
    assert_eq!(header(&refused, "ratelimit-policy"), "\"secret\";q=5;w=60");
    assert!(header(&refused, "ratelimit").starts_with("\"secret\";r=0;t="));
    let problem = assert_problem(refused, StatusCode::TOO_MANY_REQUESTS).await;
    assert_eq!(
        problem["type"],
        "https://vouchgraph.dev/problems/rate-limited"
    );

    let other = call(quiet.clone()).await.unwrap();
    assert_eq!(other.status(), StatusCode::OK);
    assert!(header(&other, "ratelimit").starts_with("\"secret\";r=4;"));
    // Anonymous callers from the same address are a bucket of their own too.
    assert_eq!(app.get("/v1/trades", None).await.status(), StatusCode::OK);
}

#[sqlx::test]
async fn publishable_keys_are_limited_per_visitor(pool: PgPool) {
    let app = spawn_app_with(pool, |c| c.rate_limits.publishable_per_minute = 3).await;
    let (owner, provider, partner) = app.shop_and_tiler().await;
    let (_, pk) = app.create_key(&owner, partner, "publishable").await;
    let path = format!("/v1/widget/badge?provider={provider}");
    let mut last = None;
    for _ in 0..4 {
        last = Some(
            app.widget(Method::GET, &path, &pk, Some(SHOP), None)
                .send()
                .await
                .unwrap(),
        );
    }
    let last = last.unwrap();
    assert_eq!(last.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(header(&last, "ratelimit-policy").starts_with("\"publishable\";q=3;"));
}

#[sqlx::test]
async fn forwarded_for_is_believed_only_from_a_trusted_proxy(pool: PgPool) {
    // Untrusted: a client cannot buy new buckets by making up addresses.
    let app = spawn_app_with(pool.clone(), |c| c.rate_limits.anonymous_per_minute = 2).await;
    let mut statuses = Vec::new();
    for i in 0..3 {
        let response = app
            .client
            .get(app.url("/v1/trades"))
            .header("x-forwarded-for", format!("203.0.113.{i}"))
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
    }
    assert_eq!(statuses, [200, 200, 429]);
    drop(app);

    // Behind a trusted proxy (here, the test itself on 127.0.0.1), each client has its bucket.
    let app = spawn_app_with(pool, |c| {
        c.rate_limits.anonymous_per_minute = 2;
        c.rate_limits.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    let from = |ip: &'static str| {
        app.client
            .get(app.url("/v1/trades"))
            .header("x-forwarded-for", ip)
            .send()
    };
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(from("203.0.113.1").await.unwrap().status().as_u16());
    }
    assert_eq!(statuses, [200, 200, 429]);
    assert_eq!(from("203.0.113.2").await.unwrap().status(), StatusCode::OK);
}

#[sqlx::test]
async fn the_test_defaults_never_limit(pool: PgPool) {
    let app = spawn_app(pool).await;
    for _ in 0..300 {
        assert_eq!(app.get("/v1/trades", None).await.status(), StatusCode::OK);
    }
}
