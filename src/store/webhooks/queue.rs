//! SQL for the delivery queue: claiming due deliveries, logging each attempt, and what follows
//! a success or a failure (retry, give up, disable an endpoint that keeps failing).

use sqlx::{PgConnection, PgExecutor};
use time::OffsetDateTime;

use crate::domain::{DeliveryId, PartnerId, PersonId, WebhookEndpointId};

/// A delivery claimed for an attempt, with what sending it needs.
#[derive(sqlx::FromRow, Debug)]
pub struct Claimed {
    /// The delivery.
    pub id: DeliveryId,
    /// Its endpoint.
    pub endpoint_id: WebhookEndpointId,
    /// Attempts so far, this one included.
    pub attempts: i32,
    /// Whether this attempt was asked for by hand.
    pub manual: bool,
    /// The endpoint's URL.
    pub url: String,
    /// The endpoint's secret.
    pub secret: String,
    /// The event's stable id (`webhook-id`).
    pub event_id: String,
    /// Its type.
    pub event_type: String,
    /// Its payload.
    pub payload: serde_json::Value,
    /// When it happened.
    pub occurred_at: OffsetDateTime,
}

/// Claims up to `limit` due deliveries of enabled endpoints: counts the attempt and leases the
/// row for `lease_secs` (pushing next_attempt_at forward), so no other worker takes it, and a
/// worker that dies mid-attempt leaves it to be retried when the lease ends.
pub async fn claim_due(
    db: impl PgExecutor<'_>,
    limit: i64,
    lease_secs: f64,
) -> sqlx::Result<Vec<Claimed>> {
    sqlx::query_as(
        "with due as (
            select d.id from webhook_deliveries d
            join webhook_endpoints e on e.id = d.endpoint_id
            where d.status = 'pending' and d.next_attempt_at <= now() and e.disabled_at is null
            order by d.next_attempt_at
            limit $1
            for update of d skip locked)
         update webhook_deliveries d
         set attempts = d.attempts + 1,
             next_attempt_at = now() + make_interval(secs => $2)
         from due, webhook_endpoints e, outbox_events o
         where d.id = due.id and e.id = d.endpoint_id and o.id = d.event_id
         returning d.id, d.endpoint_id, d.attempts, d.manual, e.url, e.secret, o.event_id::text as event_id,
                   o.event_type, o.payload, o.created_at as occurred_at",
    )
    .bind(limit)
    .bind(lease_secs)
    .fetch_all(db)
    .await
}

/// How one attempt ended.
pub struct AttemptOutcome<'a> {
    /// The HTTP status, if a response came.
    pub status_code: Option<u16>,
    /// What went wrong, if anything (a refused address, a timeout, a non-2xx status).
    pub error: Option<&'a str>,
    /// How long it took.
    pub latency_ms: i32,
}

/// Logs an attempt.
pub async fn record_attempt(
    tx: &mut PgConnection,
    delivery: &Claimed,
    outcome: &AttemptOutcome<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into webhook_attempts (delivery_id, status_code, error, latency_ms, manual, started_at)
         values ($1, $2, $3, $4, $5, now() - make_interval(secs => $4::double precision / 1000))",
    )
    .bind(delivery.id)
    .bind(outcome.status_code.map(|s| s as i16))
    .bind(outcome.error)
    .bind(outcome.latency_ms)
    .bind(delivery.manual)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// A delivery succeeded: it is done, and its endpoint's failure streak ends.
pub async fn mark_delivered(
    tx: &mut PgConnection,
    delivery: &Claimed,
    status: u16,
) -> sqlx::Result<()> {
    sqlx::query(
        "update webhook_deliveries set status = 'delivered', delivered_at = now(), last_status = $2,
                manual = false
         where id = $1",
    )
    .bind(delivery.id)
    .bind(status as i16)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "update webhook_endpoints set consecutive_failures = 0, failing_since = null where id = $1",
    )
    .bind(delivery.endpoint_id)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// A delivery failed: retry it at `retry_at`, or give up when that is `None`. Returns the
/// endpoint's failure streak: its length and when it began.
pub async fn mark_failed(
    tx: &mut PgConnection,
    delivery: &Claimed,
    status: Option<u16>,
    retry_at: Option<OffsetDateTime>,
) -> sqlx::Result<(i32, OffsetDateTime)> {
    sqlx::query(
        "update webhook_deliveries set status = case when $3::timestamptz is null then 'failed' else 'pending' end,
                next_attempt_at = coalesce($3, next_attempt_at), last_status = $2, manual = false
         where id = $1",
    )
    .bind(delivery.id)
    .bind(status.map(|s| s as i16))
    .bind(retry_at)
    .execute(&mut *tx)
    .await?;
    sqlx::query_as(
        "update webhook_endpoints
         set consecutive_failures = consecutive_failures + 1, failing_since = coalesce(failing_since, now())
         where id = $1 returning consecutive_failures, failing_since",
    )
    .bind(delivery.endpoint_id)
    .fetch_one(&mut *tx)
    .await
}

/// Disables an endpoint that has failed for too long; returns its partner's owner and partner
/// if this call disabled it (so the owner is told once).
pub async fn disable_failing(
    tx: &mut PgConnection,
    endpoint: WebhookEndpointId,
    reason: &str,
) -> sqlx::Result<Option<(PersonId, PartnerId, String)>> {
    sqlx::query_as(
        "update webhook_endpoints e set disabled_at = now(), disabled_reason = $2
         from partners p
         where e.id = $1 and p.id = e.partner_id and e.disabled_at is null
         returning p.owner_id, p.id, e.url",
    )
    .bind(endpoint)
    .bind(reason)
    .fetch_optional(&mut *tx)
    .await
}
