//! The SSRF guard (issue 14, item 10): every IANA special-purpose range, in every form an IPv6
//! literal can carry an IPv4 address in, and every name that always resolves locally, is
//! refused when a webhook is registered; and the delivery log never says what a name resolved
//! to.

use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::common::{expect_json, spawn_app, spawn_app_with, TestApp, TestUser, LONDON};

/// IANA's IPv4 special-purpose ranges (and multicast, reserved and broadcast).
const SPECIAL_V4: &[(&str, u8)] = &[
    ("0.0.0.0", 8),
    ("10.0.0.0", 8),
    ("100.64.0.0", 10),
    ("127.0.0.0", 8),
    ("169.254.0.0", 16),
    ("172.16.0.0", 12),
    ("192.0.0.0", 24),
    ("192.0.2.0", 24),
    ("192.31.196.0", 24),
    ("192.52.193.0", 24),
    ("192.88.99.0", 24),
    ("192.168.0.0", 16),
    ("192.175.48.0", 24),
    ("198.18.0.0", 15),
    ("198.51.100.0", 24),
    ("203.0.113.0", 24),
    ("224.0.0.0", 4),
    ("240.0.0.0", 4),
];

/// IANA's IPv6 special-purpose ranges that carry no IPv4 address, one address of each.
const SPECIAL_V6: &[&str] = &[
    "::",
    "::1",
    "64:ff9b:1::1",
    "100::1",
    "100:0:0:1::1",
    "2001::1",
    "2001:2::1",
    "2001:20::1",
    "2001:db8::1",
    "2002:808:808::1",
    "2620:4f:8000::1",
    "3fff::1",
    "5f00::1",
    "fc00::1",
    "fd12:3456::1",
    "fe80::1",
    "fec0::1",
    "ff02::1",
];

/// The first, second and last address of each IPv4 range.
fn v4_samples() -> Vec<Ipv4Addr> {
    SPECIAL_V4
        .iter()
        .flat_map(|(net, len)| {
            let base = u32::from(net.parse::<Ipv4Addr>().unwrap());
            let last = base | (u32::MAX >> len);
            [base, base + 1, last].map(Ipv4Addr::from)
        })
        .collect()
}

/// Every way a URL's host can name `ip`: the literal, its number form, and each IPv6 form that
/// carries an IPv4 address.
fn forms(ip: Ipv4Addr) -> Vec<String> {
    let [a, b, c, d] = ip.octets();
    let (hi, lo) = (u16::from_be_bytes([a, b]), u16::from_be_bytes([c, d]));
    vec![
        format!("https://{ip}/hook"),
        format!("https://{}/hook", u32::from(ip)), // 2130706433 is 127.0.0.1
        format!("https://[::ffff:{ip}]/hook"),     // IPv4-mapped
        format!("https://[::ffff:{hi:x}:{lo:x}]/hook"),
        format!("https://[::ffff:0:{hi:x}:{lo:x}]/hook"), // IPv4-translated
        format!("https://[::{ip}]/hook"),                 // IPv4-compatible
        format!("https://[64:ff9b::{ip}]/hook"),          // NAT64
        format!("https://[64:ff9b:1::{hi:x}:{lo:x}]/hook"), // local-use NAT64
        format!("https://[2002:{hi:x}:{lo:x}::1]/hook"),  // 6to4
        format!(
            "https://[2001:0:4136:e378:8000:63bf:{:x}:{:x}]/hook",
            !hi, !lo
        ), // Teredo
    ]
}

async fn partner_owner(app: &TestApp) -> (TestUser, i64) {
    let owner = app.signup("Hook Owner", "hooks@sec.test").await;
    let body = json!({ "name": "Hook Shop", "allowed_origins": ["https://shop.example"] });
    let partner = expect_json(
        app.post("/v1/partners", Some(&owner.token), &body).await,
        StatusCode::CREATED,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    (owner, partner)
}

async fn register(app: &TestApp, owner: &TestUser, partner: i64, url: &str) -> reqwest::Response {
    let body = json!({ "url": url, "event_types": ["vouch.created"] });
    app.post(
        &format!("/v1/partners/{partner}/webhooks"),
        Some(&owner.token),
        &body,
    )
    .await
}

#[sqlx::test]
async fn every_special_purpose_range_in_every_ipv4_in_ipv6_form_is_refused_at_registration(
    pool: PgPool,
) {
    let app = spawn_app(pool).await;
    let (owner, partner) = partner_owner(&app).await;
    let mut urls: Vec<String> = v4_samples().into_iter().flat_map(forms).collect();
    urls.extend(SPECIAL_V6.iter().map(|ip| format!("https://[{ip}]/hook")));
    let mut accepted = Vec::new();
    for url in &urls {
        let response = register(&app, &owner, partner, url).await;
        if response.status() != StatusCode::UNPROCESSABLE_ENTITY {
            accepted.push(format!("{url}: {}", response.status()));
        }
    }
    assert!(
        accepted.is_empty(),
        "{} of {} internal URLs not refused:\n{}",
        accepted.len(),
        urls.len(),
        accepted.join("\n")
    );
    // Public addresses, also through NAT64 (how an IPv6-only host reaches them), still register.
    for url in ["https://[64:ff9b::808:808]/hook", "https://8.8.8.8/hook"] {
        let response = register(&app, &owner, partner, url).await;
        assert_eq!(response.status(), StatusCode::CREATED, "{url}");
    }
}

#[sqlx::test]
async fn names_that_always_resolve_locally_are_refused_at_registration(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (owner, partner) = partner_owner(&app).await;
    let mut accepted = Vec::new();
    for url in [
        "https://localhost/hook",
        "https://localhost./hook",
        "https://LocalHost:8443/hook",
        "https://api.localhost/hook",
        "https://localhost.localdomain/hook",
        "https://ip6-localhost/hook",
        "https://printer.local/hook",
        "https://metadata.google.internal/computeMetadata/v1/",
        "https://router.home.arpa/hook",
        "https://intranet/hook",
    ] {
        let response = register(&app, &owner, partner, url).await;
        if response.status() != StatusCode::UNPROCESSABLE_ENTITY {
            accepted.push(format!("{url}: {}", response.status()));
        }
    }
    assert!(accepted.is_empty(), "accepted:\n{}", accepted.join("\n"));
}

#[sqlx::test]
async fn the_delivery_log_never_shows_what_a_name_resolved_to(pool: PgPool) {
    let app = spawn_app_with(pool, |config| {
        config.webhooks.allow_http = true;
        config.webhooks.poll_interval = Duration::from_millis(50);
    })
    .await;
    let (owner, partner) = partner_owner(&app).await;
    let endpoint = expect_json(
        register(&app, &owner, partner, "https://hooks.example.com/hook").await,
        StatusCode::CREATED,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    // The endpoint's name now points at this machine, as a DNS change (or an endpoint stored
    // before today's rules) would make it.
    sqlx::query("update webhook_endpoints set url = 'http://localhost:9/hook' where id = $1")
        .bind(endpoint)
        .execute(&app.pool)
        .await
        .unwrap();
    let (lat, lon) = LONDON;
    let provider = app
        .create_provider(&owner, "Hook Tiling", &["tiler"], lat, lon, 20.0)
        .await;
    let voucher = app.signup("Vera Voucher", "vera@sec.test").await;
    app.vouch(&voucher, provider, "tiler", "recommend", "public")
        .await;

    let path = format!("/v1/partners/{partner}/webhooks/{endpoint}/deliveries");
    let started = Instant::now();
    let error = loop {
        let page: Value =
            expect_json(app.get(&path, Some(&owner.token)).await, StatusCode::OK).await;
        if let Some(error) = page["items"][0]["attempt_log"][0]["error"].as_str() {
            break error.to_string();
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no attempt logged: {page}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    println!("the delivery log says: {error}");
    assert!(error.contains("refused"), "{error}");
    for revealing in ["127.0.0.1", "::1", "loopback", "resolves to 1"] {
        assert!(
            !error.contains(revealing),
            "the log shows {revealing:?}: {error}"
        );
    }
}
