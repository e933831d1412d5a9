//! The delivery worker: fans outbox events out to the endpoints that want them, then delivers
//! due deliveries, signed, with timeouts, retries and a log.
//!
//! All progress lives in the database (which events are fanned out, each delivery's attempts
//! and next_attempt_at), so a restart loses nothing and delivers at least once; rows are
//! claimed with `for update skip locked`, so any number of instances can run workers. The
//! `webhook-id` is the event's stable id, the same on every attempt and endpoint, so receivers
//! can drop duplicates.

use crate::domain::{PartnerId, ReferralId};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use reqwest::redirect::Policy as RedirectPolicy;
use reqwest::{Client, Url};
use serde_json::json;
use sqlx::PgPool;
use time::OffsetDateTime;
use tokio_util::sync::CancellationToken;

use super::schedule::retry_delay;
use super::signing;
use super::ssrf::{self, GuardedResolver};
use super::WebhookSettings;
use crate::store::webhooks::{self as store, AttemptOutcome, Claimed};

/// Events fanned out per transaction.
const FAN_OUT_BATCH: i64 = 200;
/// Deliveries attempted at once by one worker.
const DELIVERY_BATCH: i64 = 16;

/// The HTTP client deliveries go through: no redirects, no proxies from the environment (they
/// would bypass the guard), every name resolved by the SSRF guard.
pub fn client(settings: &WebhookSettings) -> anyhow::Result<Client> {
    Client::builder()
        .redirect(RedirectPolicy::none())
        .no_proxy()
        .timeout(settings.timeout)
        .connect_timeout(settings.timeout.min(Duration::from_secs(5)))
        .dns_resolver(Arc::new(GuardedResolver {
            allow_loopback: settings.allow_loopback,
        }))
        .user_agent(concat!("vouchgraph-webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
        .context("building the webhook client")
}

/// Runs until `stop` is cancelled, finishing the round under way.
pub async fn run(pool: PgPool, settings: WebhookSettings, stop: CancellationToken) {
    let client = match client(&settings) {
        Ok(client) => client,
        Err(error) => {
            tracing::error!(?error, "webhook worker not started");
            return;
        }
    };
    loop {
        if stop.is_cancelled() {
            return;
        }
        // A round runs to its end even when a stop comes during it: the deliveries it claimed
        // are attempted and recorded (each attempt bounded by the timeout). Cut short, they
        // would stay leased for the timeout plus 30 s, and a restarted server would wait that
        // long to retry them.
        let busy = tick(&pool, &client, &settings).await;
        match busy {
            // A full batch: there may be more, go on at once.
            Ok(true) => continue,
            Ok(false) => {}
            Err(error) => tracing::warn!(?error, "webhook worker round failed; retrying"),
        }
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(settings.poll_interval) => {}
        }
    }
}

/// One round: fan out, then deliver. True when either had a full batch.
pub async fn tick(
    pool: &PgPool,
    client: &Client,
    settings: &WebhookSettings,
) -> anyhow::Result<bool> {
    let fanned = fan_out(pool).await.context("fanning out the outbox")?;
    let delivered = deliver_due(pool, client, settings)
        .await
        .context("delivering")?;
    Ok(fanned == FAN_OUT_BATCH as usize || delivered == DELIVERY_BATCH as usize)
}

/// Queues each new outbox event for the endpoints that should hear of it. A referral, or a
/// request for recommendations, concerns only the partner it was sent through; a vouch is public data only when it is public, and
/// is then for every subscribed partner. Returns how many events it took.
pub async fn fan_out(pool: &PgPool) -> anyhow::Result<usize> {
    let mut tx = pool.begin().await?;
    let events = store::claim_events(&mut tx, FAN_OUT_BATCH).await?;
    if events.is_empty() {
        // Nothing new: the transaction is dropped, which rolls it back.
        return Ok(0);
    }
    for event in &events {
        let audience = match event.event_type.as_str() {
            "referral.created" | "referral.status_changed" => {
                let partner = match event.payload.get("partner_id").and_then(|v| v.as_i64()) {
                    Some(p) => Some(PartnerId(p)),
                    None => match event.payload.get("referral_id").and_then(|v| v.as_i64()) {
                        Some(referral) => {
                            store::referral_partner(&mut tx, ReferralId(referral)).await?
                        }
                        None => None,
                    },
                };
                partner.map(Some)
            }
            // A request concerns only the partner whose widget it was asked through; one asked
            // on vouchgraph itself concerns no partner.
            "request.created" | "request.answered" | "request.closed" => {
                match event.payload.get("request_id").and_then(|v| v.as_i64()) {
                    Some(request) => store::request_partner(&mut tx, request).await?.map(Some),
                    None => None,
                }
            }
            // Only to the partner the person had linked: no one else knew them.
            "person.deleted" => event
                .payload
                .get("partner_id")
                .and_then(|v| v.as_i64())
                .map(|p| Some(PartnerId(p))),
            "vouch.created" | "vouch.revoked" => {
                let public =
                    event.payload.get("visibility").and_then(|v| v.as_str()) == Some("public");
                public.then_some(None)
            }
            _ => None,
        };
        if let Some(partner) = audience {
            store::queue_deliveries(&mut tx, event.id, &event.event_type, partner).await?;
        }
    }
    let ids: Vec<i64> = events.iter().map(|e| e.id).collect();
    store::mark_fanned_out(&mut tx, &ids).await?;
    tx.commit().await?;
    Ok(events.len())
}

/// Attempts every due delivery (a batch), concurrently. Returns how many it claimed.
pub async fn deliver_due(
    pool: &PgPool,
    client: &Client,
    settings: &WebhookSettings,
) -> anyhow::Result<usize> {
    // The lease outlasts the attempt's timeout, so a live attempt is never taken twice.
    let lease = settings.timeout.as_secs_f64() + 30.0;
    let claimed = store::claim_due(pool, DELIVERY_BATCH, lease).await?;
    let count = claimed.len();
    let attempts = claimed.into_iter().map(|delivery| async move {
        let outcome = attempt(client, settings, &delivery).await;
        if let Err(error) = record(pool, settings, &delivery, outcome).await {
            // The lease will run out and the delivery be tried again: at least once.
            tracing::warn!(
                ?error,
                delivery = delivery.id.0,
                "could not record a webhook attempt"
            );
        }
    });
    futures::future::join_all(attempts).await;
    Ok(count)
}

/// The result of one attempt.
pub struct Attempt {
    status: Option<u16>,
    error: Option<String>,
    latency: Duration,
}

/// The body: Standard Webhooks' recommended envelope. It is the same on every attempt.
pub fn body(delivery: &Claimed) -> Vec<u8> {
    let timestamp = delivery
        .occurred_at
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    serde_json::to_vec(&json!({
        "type": delivery.event_type,
        "timestamp": timestamp,
        "data": delivery.payload,
    }))
    .expect("JSON values serialize")
}

async fn attempt(client: &Client, settings: &WebhookSettings, delivery: &Claimed) -> Attempt {
    let started = Instant::now();
    let result = send(client, settings, delivery).await;
    let latency = started.elapsed();
    match result {
        Ok(status) if (200..300).contains(&status) => Attempt {
            status: Some(status),
            error: None,
            latency,
        },
        Ok(status) => Attempt {
            status: Some(status),
            error: Some(if (300..400).contains(&status) {
                format!("answered {status}; redirects are not followed")
            } else {
                format!("answered {status}")
            }),
            latency,
        },
        Err(error) => Attempt {
            status: None,
            error: Some(error),
            latency,
        },
    }
}

async fn send(
    client: &Client,
    settings: &WebhookSettings,
    delivery: &Claimed,
) -> Result<u16, String> {
    let url = Url::parse(&delivery.url).map_err(|e| format!("bad URL: {e}"))?;
    // The stored URL passed the check at registration; the policy may have tightened since.
    ssrf::check_url(url.as_str(), settings.policy())?;
    ssrf::check_literal(&url, settings.policy())?;
    let body = body(delivery);
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let signed = signing::sign(&delivery.secret, &delivery.event_id, now, &body)
        .map_err(|e| e.to_string())?;
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .header("webhook-id", signed.id)
        .header("webhook-timestamp", signed.timestamp.to_string())
        .header("webhook-signature", signed.signature)
        .body(body)
        .send()
        .await
        .map_err(|e| error_chain(&e))?;
    Ok(response.status().as_u16())
}

/// reqwest's own message hides the cause ("error sending request"); the log wants it all,
/// down to the guard's own refusal (which never names the address a name resolved to).
fn error_chain(error: &reqwest::Error) -> String {
    let mut text = if error.is_timeout() {
        "timed out".to_string()
    } else {
        error.to_string()
    };
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

async fn record(
    pool: &PgPool,
    settings: &WebhookSettings,
    delivery: &Claimed,
    attempt: Attempt,
) -> anyhow::Result<()> {
    let mut tx = pool.begin().await?;
    let outcome = AttemptOutcome {
        status_code: attempt.status,
        error: attempt.error.as_deref(),
        latency_ms: attempt.latency.as_millis().min(i32::MAX as u128) as i32,
    };
    store::record_attempt(&mut tx, delivery, &outcome).await?;
    if attempt.error.is_none() {
        store::mark_delivered(&mut tx, delivery, attempt.status.unwrap_or(200)).await?;
        tx.commit().await?;
        return Ok(());
    }
    let retry_at = (delivery.attempts < settings.max_attempts as i32).then(|| {
        let delay = retry_delay(
            delivery.attempts as u32,
            settings.retry_base,
            settings.retry_cap,
        );
        OffsetDateTime::now_utc() + delay
    });
    let (failures, since) = store::mark_failed(&mut tx, delivery, attempt.status, retry_at).await?;
    let failing_for = OffsetDateTime::now_utc() - since;
    if failures >= settings.disable_min_failures as i32 && failing_for >= settings.disable_after {
        let reason = format!(
            "disabled after {failures} failed attempts over {} with no success",
            humanize(failing_for)
        );
        if let Some((owner, partner, url)) =
            store::disable_failing(&mut tx, delivery.endpoint_id, &reason).await?
        {
            tracing::warn!(endpoint = delivery.endpoint_id.0, %reason, "webhook endpoint disabled");
            let payload = json!({
                "partner_id": partner,
                "endpoint_id": delivery.endpoint_id,
                "url": url,
                "reason": reason,
            });
            crate::store::notifications::notify(
                &mut tx,
                owner,
                "webhook.endpoint_disabled",
                &payload,
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

fn humanize(d: time::Duration) -> String {
    let secs = d.whole_seconds().max(0);
    if secs >= 3600 {
        format!("{} h", secs / 3600)
    } else if secs >= 60 {
        format!("{} min", secs / 60)
    } else {
        format!("{secs} s")
    }
}
