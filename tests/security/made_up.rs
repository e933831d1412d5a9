//! Made-up credentials (issue 14, item 1): a credential that does not verify never earns a
//! rate-limit bucket of its own, whatever its kind; it counts against the client address,
//! exactly as if the request carried none. Checked on every operation of `/openapi.json`.

use std::time::Instant;

use rand::Rng;
use reqwest::{Method, RequestBuilder, StatusCode};
use sqlx::PgPool;

use crate::authz::{body, fill, operations_where, query, Operation};
use crate::common::{expect_json, spawn_app_with, TestApp};
use crate::seed::{self, Party};

/// The kinds of made-up credential, each well-formed enough to pass for real.
#[derive(Debug, Clone, Copy)]
enum MadeUp {
    Bearer,
    Cookie,
    SecretKey,
    PublishableKey,
    /// A real key's prefix (B's), with a secret of the attacker's.
    RealPrefixWrongSecret,
}

const KINDS: [MadeUp; 5] = [
    MadeUp::Bearer,
    MadeUp::Cookie,
    MadeUp::SecretKey,
    MadeUp::PublishableKey,
    MadeUp::RealPrefixWrongSecret,
];

fn hex(n: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..n)
        .map(|_| char::from_digit(rng.gen_range(0..16), 16).unwrap())
        .collect()
}

impl MadeUp {
    /// `request` with a fresh made-up credential of this kind.
    fn attach(self, request: RequestBuilder, b: &Party) -> RequestBuilder {
        match self {
            MadeUp::Bearer => request.bearer_auth(hex(43)),
            MadeUp::Cookie => request.header("cookie", format!("vg_session={}", hex(43))),
            MadeUp::SecretKey => request.header("x-vouchgraph-key", format!("sk_live_{}", hex(60))),
            MadeUp::PublishableKey => request
                .header("x-vouchgraph-key", format!("pk_live_{}", hex(60)))
                .header("origin", "https://shop.example"),
            MadeUp::RealPrefixWrongSecret => request.header(
                "x-vouchgraph-key",
                format!("{}{}", &b.secret_key[..20], hex(48)),
            ),
        }
    }
}

fn request(app: &TestApp, op: &Operation, a: &Party) -> RequestBuilder {
    let mut request = app
        .client
        .request(op.method.clone(), app.url(&fill(&op.template, a)))
        .query(&query(op, a));
    if op.method != Method::GET && op.method != Method::DELETE {
        request = request.json(&body(op, a));
    }
    request
}

/// Webhooks may go to plain http on this machine, so the seeded world can register some.
fn config(config: &mut vouchgraph::config::Config) {
    config.webhooks.allow_http = true;
    config.webhooks.allow_loopback = true;
}

#[sqlx::test]
async fn a_made_up_credential_of_each_kind_gets_no_more_than_anonymous(pool: PgPool) {
    let app = spawn_app_with(pool.clone(), config).await;
    let world = seed::world(&app).await;
    let (a, b) = (&world.a, &world.b);
    let doc = expect_json(app.get("/openapi.json", None).await, StatusCode::OK).await;
    let ops = operations_where(&doc, false);
    assert!(ops.len() >= 40, "only {} operations", ops.len());

    // 1. Access: whatever a made-up credential gets, an anonymous caller gets too, and it is
    //    counted as anonymous.
    let mut failures = Vec::new();
    for op in &ops {
        let anonymous = request(&app, op, a).send().await.expect("sent");
        // Health probes are not rate-limited at all, with or without credentials.
        let counted = anonymous.headers().contains_key("ratelimit-policy");
        let anonymous = anonymous.status();
        for kind in KINDS {
            let response = kind
                .attach(request(&app, op, a), b)
                .send()
                .await
                .expect("sent");
            let what = format!("{} {} with a made-up {kind:?}", op.method, op.template);
            let policy = response
                .headers()
                .get("ratelimit-policy")
                .map(|v| v.to_str().unwrap().to_string())
                .unwrap_or_default();
            if counted && !policy.starts_with("\"anonymous\";") {
                failures.push(format!("{what}: counted as {policy}"));
            }
            if response.status().is_success() && !anonymous.is_success() {
                failures.push(format!(
                    "{what}: {} where anonymous got {anonymous}",
                    response.status()
                ));
            }
        }
    }
    drop(app);

    // 2. Quota: once the address's anonymous quota is spent, no made-up credential buys more.
    let app = spawn_app_with(pool, |c| {
        config(c);
        c.rate_limits.anonymous_per_minute = 1;
    })
    .await;
    let spent = app.get("/v1/trades", None).await;
    assert_eq!(spent.status(), StatusCode::OK);
    assert_eq!(
        app.get("/v1/trades", None).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    let started = Instant::now();
    let mut served = Vec::new();
    // Health probes are never counted (a load balancer must not lock itself out).
    let counted = ops
        .iter()
        .filter(|op| !matches!(op.template.as_str(), "/healthz" | "/readyz"));
    for op in counted {
        for kind in KINDS {
            let response = kind
                .attach(request(&app, op, a), b)
                .send()
                .await
                .expect("sent");
            if response.status() != StatusCode::TOO_MANY_REQUESTS {
                served.push(format!(
                    "{} {} with a made-up {kind:?}: {}",
                    op.method,
                    op.template,
                    response.status()
                ));
            }
        }
    }
    // One request a minute comes back to the address: allow those, however slow this run was.
    let allowed = started.elapsed().as_secs() as usize / 60 + 1;
    if served.len() > allowed {
        failures.push(format!(
            "{} requests with made-up credentials served after the address's quota was spent \
             (at most {allowed} may be, one a minute):\n  {}",
            served.len(),
            served.join("\n  ")
        ));
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
