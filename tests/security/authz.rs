//! The authorization matrix (broken object-level authorization): every operation with a
//! `security` requirement in `/openapi.json`, its path filled with A's ids, called as B (bearer
//! token), as B's partner (secret key), and with no credentials.

use std::fmt::Write as _;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::common::{expect_json, spawn_app_with, LONDON};
use crate::seed::{self, Party};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Credential {
    BBearer,
    BSecretKey,
    Anonymous,
}

impl Credential {
    fn label(self) -> &'static str {
        match self {
            Credential::BBearer => "B bearer",
            Credential::BSecretKey => "B sk_live",
            Credential::Anonymous => "none",
        }
    }
}

/// One documented operation.
pub struct Operation {
    pub method: Method,
    pub template: String,
    /// The security requirement includes `{}`: credentials are optional.
    pub optional: bool,
    required_query: Vec<String>,
}

/// The operations with a `security` requirement.
fn operations(doc: &Value) -> Vec<Operation> {
    operations_where(doc, true)
}

/// Every documented operation (`secured_only`: those with a `security` requirement), deletes
/// last.
pub fn operations_where(doc: &Value, secured_only: bool) -> Vec<Operation> {
    let mut ops = Vec::new();
    for (template, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("a path item") {
            let Ok(method) = method.to_uppercase().parse::<Method>() else {
                continue;
            };
            let empty = |s: &Value| s.as_object().is_some_and(|o| o.is_empty());
            let security = op["security"].as_array().cloned().unwrap_or_default();
            if secured_only && (security.is_empty() || security.iter().all(empty)) {
                continue;
            }
            let required_query = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "query" && p["required"] == true)
                .map(|p| p["name"].as_str().expect("a name").to_string())
                .collect();
            ops.push(Operation {
                method,
                template: template.clone(),
                optional: security.iter().any(empty),
                required_query,
            });
        }
    }
    // Deletes last (B's own session very last), so B can still act for the rest.
    ops.sort_by_key(|op| {
        (
            op.template == "/v1/sessions" && op.method == Method::DELETE,
            op.method == Method::DELETE,
            op.template.clone(),
            op.method.to_string(),
        )
    });
    ops
}

/// `template` with A's ids; panics on a parameter it does not know, so that a new route's
/// parameter has to be mapped here before the test passes.
pub fn fill(template: &str, a: &Party) -> String {
    let mut out = String::new();
    let mut previous = "";
    for segment in template.split('/').skip(1) {
        out.push('/');
        let value = match segment {
            "{id}" => match previous {
                "referrals" => a.referral.to_string(),
                "requests" => a.request.to_string(),
                "offers" => a.offer.to_string(),
                "providers" => a.provider.to_string(),
                "people" => a.user.id.to_string(),
                "partners" => a.partner.to_string(),
                "notifications" => a.notification.to_string(),
                "exports" => a.archive.to_string(),
                other => panic!("no id of A for {{id}} after {other:?} in {template}"),
            },
            "{person_id}" => a.user.id.to_string(),
            "{trade}" => a.trade.to_string(),
            "{key_id}" => a.key_id.to_string(),
            "{wid}" => a.webhook.to_string(),
            // A's request has no answer: any id, under A's request.
            "{answer_id}" => "1".to_string(),
            // A's endpoint has no delivery yet: any id, under A's partner and endpoint.
            "{did}" => "1".to_string(),
            s if s.starts_with('{') => panic!("unknown path parameter {s} in {template}"),
            s => s.to_string(),
        };
        out.push_str(&value);
        previous = segment;
    }
    out
}

pub fn query(op: &Operation, a: &Party) -> Vec<(String, String)> {
    let (lat, lon) = LONDON;
    op.required_query
        .iter()
        .map(|name| {
            let value = match name.as_str() {
                "trade" => a.trade.to_string(),
                "lat" => lat.to_string(),
                "lon" => lon.to_string(),
                "provider" | "provider_id" => a.provider.to_string(),
                _ => "1".to_string(),
            };
            (name.clone(), value)
        })
        .collect()
}

/// A body the operation would accept from A: so that a refusal is about who calls, not what.
pub fn body(op: &Operation, a: &Party) -> Value {
    match (op.method.as_str(), op.template.as_str()) {
        ("PATCH", "/v1/providers/{id}") => json!({ "name": "Hijacked by B" }),
        ("POST", "/v1/referrals/{id}/transitions") => json!({ "to": "declined" }),
        ("POST", "/v1/requests") => json!({ "trade": a.trade, "note": "B asks too" }),
        ("POST", "/v1/requests/{id}/answers") => {
            json!({ "provider_id": a.provider, "note": "B answers A's request", "vouch": true })
        }
        ("POST", "/v1/requests/{id}/close") => json!({ "solved": true, "helped_by": [] }),
        ("POST", "/v1/me/circle/invitations") => json!({ "email": "b-invites@sec.test" }),
        ("POST", "/v1/me/circle/joined") => json!({ "token": "not-a-link-of-anyone" }),
        ("POST", "/v1/me/contacts/match") => json!({ "contacts": "someone@sec.test" }),
        ("PATCH", "/v1/partners/{id}") => json!({ "name": "Hijacked by B" }),
        ("POST", "/v1/partners/{id}/keys") => json!({ "kind": "secret" }),
        ("POST", "/v1/partners/{id}/keys/{key_id}/rotate") => json!({ "grace_period_secs": 0 }),
        ("POST", "/v1/partners/{id}/webhooks") => {
            json!({ "url": "http://127.0.0.1:9/evil", "event_types": ["referral.created"] })
        }
        ("PATCH", "/v1/partners/{id}/webhooks/{wid}") => {
            json!({ "url": "http://127.0.0.1:9/evil", "enabled": false })
        }
        ("PUT", "/v1/trust/{person_id}") => json!({ "level": 1, "visibility": "public" }),
        ("PUT", "/v1/providers/{id}/vouches/{trade}") => {
            json!({ "stance": "warn", "note": "B's own note", "visibility": "public" })
        }
        ("POST", "/v1/referrals") => json!({
            "provider_id": a.provider, "trade": a.trade, "recipient_id": a.trusted.id
        }),
        ("POST", "/v1/partners") => {
            json!({ "name": "B's second shop", "allowed_origins": ["https://b.example"] })
        }
        ("POST", "/v1/providers") => json!({
            "name": "B's second business", "description": "x", "trades": ["roofer"],
            "lat": LONDON.0, "lon": LONDON.1, "radius_km": 5.0
        }),
        ("POST", "/v1/embed-tokens") => {
            json!({ "link_token": a.link_token, "scope": ["read", "refer"] })
        }
        ("POST", "/v1/widget/referrals") => json!({
            "provider_id": a.provider, "trade": a.trade, "recipient_email": "w@sec.test"
        }),
        _ => json!({}),
    }
}

/// Operations whose meaning is "the caller's own": B may succeed, but only about B.
fn callers_own(op: &Operation) -> bool {
    let t = op.template.as_str();
    let m = op.method.as_str();
    t.starts_with("/v1/me")
        || t.starts_with("/partners/") // the consent pages link the caller's own account
        || t.starts_with("/v1/widget/") // the partner's own widget, public data only
        || matches!(
            (m, t),
            ("POST", "/v1/referrals")
                | ("POST" | "GET", "/v1/requests")
                | ("POST", "/v1/partners")
                | ("GET", "/v1/partners")
                | ("POST", "/v1/providers")
                | ("DELETE", "/v1/sessions")
                | ("PUT" | "DELETE", "/v1/trust/{person_id}")
                | ("PUT" | "DELETE", "/v1/providers/{id}/vouches/{trade}")
        )
}

/// A's secrets and private data: none may appear in what B (or nobody) gets.
fn secrets(a: &Party) -> Vec<(&'static str, String)> {
    vec![
        ("A's email", a.user.email.clone()),
        ("A's private note", a.private_note.clone()),
        ("A's invited email", a.invited_email.clone()),
        ("A's session token", a.user.token[..16].to_string()),
        ("A's secret key prefix", a.secret_key[..20].to_string()),
        (
            "A's publishable key prefix",
            a.publishable_key[..20].to_string(),
        ),
        ("A's webhook secret", a.webhook_secret.clone()),
        ("A's link token", a.link_token[..16].to_string()),
    ]
}

#[sqlx::test]
async fn no_credential_of_b_reaches_anything_of_a(pool: PgPool) {
    let app = spawn_app_with(pool, |config| {
        config.webhooks.allow_http = true;
        config.webhooks.allow_loopback = true;
    })
    .await;
    let world = seed::world(&app).await;
    let (a, b) = (&world.a, &world.b);
    assert_ne!(world.carol_provider, a.provider);

    let doc = expect_json(app.get("/openapi.json", None).await, StatusCode::OK).await;
    let ops = operations(&doc);
    assert!(
        ops.len() >= 30,
        "only {} secured operations found in /openapi.json",
        ops.len()
    );
    let before = seed::snapshot(&app, a).await;
    let leaks = secrets(a);

    let mut matrix = String::new();
    let mut failures = Vec::new();
    writeln!(
        matrix,
        "{:<7} {:<58} {:>9} {:>9} {:>5}",
        "method", "route", "B bearer", "B sk_live", "none"
    )
    .unwrap();
    for op in &ops {
        let path = fill(&op.template, a);
        // Optional credentials mean a public read (search, a provider's public vouches and
        // explanations): anyone may succeed, but nothing of A's private data may show.
        let own = callers_own(op) || op.optional;
        let mut row = Vec::new();
        // Anonymous first and B's bearer last: B's DELETE /v1/sessions ends B's session.
        for credential in [
            Credential::Anonymous,
            Credential::BSecretKey,
            Credential::BBearer,
        ] {
            let mut request = app
                .client
                .request(op.method.clone(), app.url(&path))
                .query(&query(op, a));
            request = match credential {
                Credential::BBearer => request.bearer_auth(&b.user.token),
                Credential::BSecretKey => request.header("x-vouchgraph-key", &b.secret_key),
                Credential::Anonymous => request,
            };
            if op.method != Method::GET && op.method != Method::DELETE {
                request = request.json(&body(op, a));
            }
            let response = request
                .send()
                .await
                .expect("the request reaches the server");
            let status = response.status();
            let text = response.text().await.unwrap_or_default();
            row.push(status.as_u16());
            let what = format!(
                "{} {} as {} -> {status}",
                op.method,
                op.template,
                credential.label()
            );

            if status.is_server_error() {
                failures.push(format!("{what}: a server error: {text}"));
            }
            for (name, secret) in &leaks {
                if text.contains(secret.as_str()) {
                    failures.push(format!("{what}: the body holds {name}: {text}"));
                }
            }
            let anonymous_ok = credential == Credential::Anonymous && op.optional;
            if status.is_success() && !own && !anonymous_ok {
                // A's resource, changed or read by someone else.
                failures.push(format!("{what}: accepted: {text}"));
            }
            if status.is_success() && credential == Credential::Anonymous && !op.optional {
                failures.push(format!("{what}: accepted without credentials: {text}"));
            }
            if !own
                && op.method == Method::GET
                && credential == Credential::BBearer
                && !matches!(status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN)
            {
                failures.push(format!("{what}: a private read must be 404 or 403"));
            }
        }
        writeln!(
            matrix,
            "{:<7} {:<58} {:>9} {:>9} {:>5}{}",
            op.method.as_str(),
            op.template,
            row[2],
            row[1],
            row[0],
            if op.optional {
                "  (public, credentials optional)"
            } else if own {
                "  (caller's own)"
            } else {
                ""
            }
        )
        .unwrap();
    }
    println!("authorization matrix ({} operations):\n{matrix}", ops.len());

    // Nothing of A's changed: the same answers to A as before.
    let after = seed::snapshot(&app, a).await;
    for ((path, was), (_, is)) in before.iter().zip(&after) {
        if was != is {
            failures.push(format!(
                "A's {path} changed:\n  before: {was}\n  after:  {is}"
            ));
        }
    }
    // A's own credentials still work.
    let response = app
        .client
        .get(app.url("/v1/widget/badge"))
        .query(&[("provider", a.provider.to_string())])
        .header("x-vouchgraph-key", &a.secret_key)
        .send()
        .await
        .expect("sent");
    assert_ne!(
        response.status(),
        StatusCode::UNAUTHORIZED,
        "A's key was revoked"
    );
    assert!(
        failures.is_empty(),
        "{} authorization failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
