//! Slow clients (issue 14, item 9): a client that sends half a request and waits is cut off by
//! the header-read timeout, a kept-alive connection that sends nothing more is closed, and one
//! address holds at most a bounded number of connections, while everyone else is served.
//!
//! The limits are tight here (2 s, 8 connections) so the test is quick; the assertions leave
//! ten times that for a loaded machine.

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use sqlx::PgPool;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use vouchgraph::config::ServerLimits;

use crate::common::{spawn_app_with, TestApp};

/// Far more than the 2 s timeout: a connection still open after it was not cut off.
const GIVE_UP: Duration = Duration::from_secs(20);

async fn app_with(pool: PgPool, header_timeout: Duration, connections_per_ip: usize) -> TestApp {
    spawn_app_with(pool, |config| {
        config.server = ServerLimits {
            header_timeout,
            connections_per_ip,
        };
    })
    .await
}

fn server_addr(app: &TestApp) -> SocketAddr {
    app.address
        .trim_start_matches("http://")
        .parse()
        .expect("an ip:port")
}

/// A raw connection to the server from `from` (any 127.x.y.z address is this machine).
async fn connect_from(app: &TestApp, from: &str) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket
        .bind(SocketAddr::new(from.parse::<IpAddr>().unwrap(), 0))
        .unwrap();
    socket.connect(server_addr(app)).await.expect("connected")
}

/// Reads until the server closes the connection (or resets it); what it sent, or `None` if it
/// was still open after [`GIVE_UP`].
async fn read_until_closed(stream: &mut TcpStream) -> Option<String> {
    let mut received = Vec::new();
    let read = tokio::time::timeout(GIVE_UP, async {
        let mut buffer = [0u8; 4096];
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(n) => received.extend_from_slice(&buffer[..n]),
            }
        }
    })
    .await;
    read.ok()
        .map(|()| String::from_utf8_lossy(&received).into_owned())
}

/// Twenty ordinary requests from a client of their own: all answered.
async fn others_are_served(app: &TestApp) {
    let client = reqwest::Client::builder()
        .local_address("127.0.0.2".parse::<IpAddr>().unwrap())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    for _ in 0..20 {
        let response = client.get(app.url("/v1/trades")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
}

#[sqlx::test]
async fn a_client_that_sends_half_a_request_and_waits_is_cut_off_while_others_are_served(
    pool: PgPool,
) {
    let app = app_with(pool, Duration::from_secs(2), 256).await;
    let mut slow = connect_from(&app, "127.0.0.1").await;
    let started = Instant::now();
    slow.write_all(b"GET /v1/trades HTTP/1.1\r\nHost: vouchgraph\r\n")
        .await
        .unwrap();
    // While it waits, others are served.
    others_are_served(&app).await;
    let answer = read_until_closed(&mut slow)
        .await
        .unwrap_or_else(|| panic!("a half-sent request was still open after {GIVE_UP:?}"));
    let waited = started.elapsed();
    assert!(
        !answer.contains(" 200 "),
        "the half request was served: {answer}"
    );
    assert!(
        waited >= Duration::from_secs(1),
        "cut off after only {waited:?}"
    );
    println!("a half-sent request was cut off after {waited:?}: {answer:?}");
    // The rest of the request, sent late, is not served.
    let _ = slow.write_all(b"\r\n").await;
    let late = read_until_closed(&mut slow).await.unwrap_or_default();
    assert!(!late.contains("HTTP/1.1 200"), "served late: {late}");
}

#[sqlx::test]
async fn a_kept_alive_connection_that_sends_nothing_more_is_closed(pool: PgPool) {
    let app = app_with(pool, Duration::from_secs(2), 256).await;
    let mut idle = connect_from(&app, "127.0.0.1").await;
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: vouchgraph\r\n\r\n")
        .await
        .unwrap();
    let mut first = [0u8; 12];
    idle.read_exact(&mut first).await.unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");
    let started = Instant::now();
    read_until_closed(&mut idle)
        .await
        .unwrap_or_else(|| panic!("an idle kept-alive connection was open after {GIVE_UP:?}"));
    println!(
        "an idle kept-alive connection was closed after {:?}",
        started.elapsed()
    );
}

#[sqlx::test]
async fn one_address_holds_a_bounded_number_of_connections_while_another_is_served(pool: PgPool) {
    // A long header timeout, so that only the cap closes anything here.
    let app = app_with(pool, Duration::from_secs(120), 8).await;
    let mut held = Vec::new();
    for _ in 0..8 {
        held.push(connect_from(&app, "127.0.0.1").await);
    }
    // Give the server time to accept all eight before the ninth.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut ninth = connect_from(&app, "127.0.0.1").await;
    let _ = ninth
        .write_all(b"GET /v1/trades HTTP/1.1\r\nHost: vouchgraph\r\n\r\n")
        .await;
    let answer = read_until_closed(&mut ninth)
        .await
        .unwrap_or_else(|| panic!("the ninth connection was still open after {GIVE_UP:?}"));
    assert!(
        answer.is_empty(),
        "the ninth connection was answered: {answer}"
    );
    // Another address is served meanwhile.
    others_are_served(&app).await;
    // Its connections closed, the address may open others. (All of them: the test client's
    // own pooled connection from 127.0.0.1 may have taken one of the eight places.)
    held.clear();
    let started = Instant::now();
    loop {
        let mut again = connect_from(&app, "127.0.0.1").await;
        let _ = again
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: vouchgraph\r\nConnection: close\r\n\r\n")
            .await;
        let answer = read_until_closed(&mut again).await.unwrap_or_default();
        if answer.starts_with("HTTP/1.1 200") {
            break;
        }
        assert!(
            started.elapsed() < GIVE_UP,
            "no connection served after one closed"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
