//! A database outage: the instance's connections to Postgres go through a TCP proxy that the
//! test cuts and restores, as a crashed or restarted database would look to it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use vouchgraph::config::Config;
use vouchgraph::startup::connect_lazy;

use crate::common::{assert_problem, spawn_app};

/// A TCP proxy to Postgres that can be cut (dropping every open connection and refusing new
/// ones) and restored.
struct Proxy {
    port: u16,
    up: Arc<AtomicBool>,
    generation: watch::Sender<u64>,
}

impl Proxy {
    async fn start(upstream: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = Arc::new(AtomicBool::new(true));
        let (generation, _) = watch::channel(0u64);
        let (accept_up, accept_generation) = (up.clone(), generation.clone());
        tokio::spawn(async move {
            loop {
                let Ok((mut client, _)) = listener.accept().await else {
                    return;
                };
                if !accept_up.load(Ordering::SeqCst) {
                    continue; // dropped: the connection is refused
                }
                let upstream = upstream.clone();
                let mut cut = accept_generation.subscribe();
                tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(&upstream).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = cut.changed() => {}
                    }
                });
            }
        });
        Proxy {
            port,
            up,
            generation,
        }
    }

    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        self.generation.send_modify(|g| *g += 1);
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

async fn get(client: &Client, url: &str, token: Option<&str>) -> (StatusCode, Value) {
    let mut request = client.get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    (
        response.status(),
        response.json().await.unwrap_or(Value::Null),
    )
}

async fn eventually(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let started = Instant::now();
    while !check().await {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{what} never happened"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[sqlx::test]
async fn while_the_database_is_down_searches_are_served_writes_get_503_and_all_recovers(
    pool: PgPool,
) {
    let options = pool.connect_options();
    let proxy = Proxy::start(format!("{}:{}", options.get_host(), options.get_port())).await;
    let url = format!(
        "postgres://{}@127.0.0.1:{}/{}",
        options.get_username(),
        proxy.port,
        options.get_database().unwrap()
    );
    // The pool the server would make for itself from the URL, as in production; the harness
    // starts the application over it and waits until it is ready.
    let through_proxy = connect_lazy(&Config::for_tests(url)).expect("a pool through the proxy");
    let app = spawn_app(through_proxy).await;
    let (client, base) = (&app.client, &app.address);

    // A second instance talks to the database directly and stays up throughout.
    let other = spawn_app(pool.clone()).await;
    let seeker = other.signup("Seeker", "seeker@example.com").await;
    let friend = other.signup("Friend", "friend@example.com").await;
    let owner = other.signup("Owner", "owner@example.com").await;
    let provider = other.create_provider(&owner, "Tiles").await;
    other.trust(&seeker, &friend, 3, "public").await;
    other.vouch(&friend, provider, "recommend").await;
    let search = format!("{base}/v1/search?trade=tiler&lat=51.5074&lon=-0.1278");
    // The seeker's session is checked once while the database is up.
    eventually("the write reaching this instance", async || {
        get(client, &search, Some(&seeker.token)).await.1["results"][0]["counts"]
            ["network_recommend"]
            == 1
    })
    .await;

    proxy.cut();
    eventually("/readyz turning 503", async || {
        get(client, &format!("{base}/readyz"), None).await.0 == StatusCode::SERVICE_UNAVAILABLE
    })
    .await;
    let (status, body) = get(client, &search, Some(&seeker.token)).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a signed-in search during the outage: {body}"
    );
    assert_eq!(body["results"][0]["provider_id"], provider);
    assert_eq!(get(client, &search, None).await.0, StatusCode::OK);

    let started = Instant::now();
    let write = client
        .put(format!("{base}/v1/trust/{}", owner.id))
        .bearer_auth(&seeker.token)
        .json(&json!({ "level": 2, "visibility": "public" }))
        .send()
        .await
        .unwrap();
    let answered = started.elapsed();
    assert_problem(write, StatusCode::SERVICE_UNAVAILABLE).await;
    assert!(
        answered < Duration::from_secs(10),
        "the write hung for {answered:?}"
    );

    // Meanwhile the other instance keeps writing.
    let second = other
        .signup("Second friend", "second.friend@example.com")
        .await;
    other.trust(&seeker, &second, 3, "public").await;
    other.vouch(&second, provider, "recommend").await;

    proxy.restore();
    eventually("/readyz recovering", async || {
        get(client, &format!("{base}/readyz"), None).await.0 == StatusCode::OK
    })
    .await;
    eventually("the change feed catching up", async || {
        get(client, &search, Some(&seeker.token)).await.1["results"][0]["counts"]
            ["network_recommend"]
            == 2
    })
    .await;
    let write = client
        .put(format!("{base}/v1/trust/{}", owner.id))
        .bearer_auth(&seeker.token)
        .json(&json!({ "level": 2, "visibility": "public" }))
        .send()
        .await
        .unwrap();
    assert_eq!(write.status(), StatusCode::OK);
}
