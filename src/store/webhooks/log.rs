//! SQL for the delivery log: an endpoint's deliveries and their attempts, and redelivery by
//! hand.

use sqlx::PgExecutor;
use time::OffsetDateTime;

use crate::domain::{DeliveryId, WebhookEndpointId};

/// A delivery in the log.
#[derive(sqlx::FromRow)]
pub struct DeliveryRow {
    /// The delivery.
    pub id: DeliveryId,
    /// The event's stable id.
    pub event_id: String,
    /// Its type.
    pub event_type: String,
    /// pending, delivered or failed.
    pub status: String,
    /// Attempts so far.
    pub attempts: i32,
    /// The last status code.
    pub last_status: Option<i16>,
    /// When the next attempt is due (pending only).
    pub next_attempt_at: OffsetDateTime,
    /// When it was queued.
    pub created_at: OffsetDateTime,
    /// When it succeeded.
    pub delivered_at: Option<OffsetDateTime>,
}

/// An endpoint's deliveries, newest first.
pub async fn deliveries(
    db: impl PgExecutor<'_>,
    endpoint: WebhookEndpointId,
    before: Option<DeliveryId>,
    limit: i64,
) -> sqlx::Result<Vec<DeliveryRow>> {
    sqlx::query_as(
        "select d.id, o.event_id::text as event_id, o.event_type, d.status, d.attempts, d.last_status,
                d.next_attempt_at, d.created_at, d.delivered_at
         from webhook_deliveries d join outbox_events o on o.id = d.event_id
         where d.endpoint_id = $1 and ($2::bigint is null or d.id < $2)
         order by d.id desc limit $3",
    )
    .bind(endpoint)
    .bind(before)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// An attempt in the log.
#[derive(sqlx::FromRow)]
pub struct AttemptRow {
    /// Its delivery.
    pub delivery_id: DeliveryId,
    /// When it started.
    pub started_at: OffsetDateTime,
    /// The status code, if a response came.
    pub status_code: Option<i16>,
    /// What went wrong.
    pub error: Option<String>,
    /// How long it took.
    pub latency_ms: i32,
    /// Whether it was asked for by hand.
    pub manual: bool,
}

/// The attempts of some deliveries, oldest first.
pub async fn attempts(
    db: impl PgExecutor<'_>,
    deliveries: &[DeliveryId],
) -> sqlx::Result<Vec<AttemptRow>> {
    sqlx::query_as(
        "select delivery_id, started_at, status_code, error, latency_ms, manual
         from webhook_attempts where delivery_id = any($1) order by id",
    )
    .bind(deliveries)
    .fetch_all(db)
    .await
}

/// Queues a delivery of an endpoint for another attempt now; false if there is no such one.
pub async fn redeliver(
    db: impl PgExecutor<'_>,
    endpoint: WebhookEndpointId,
    delivery: DeliveryId,
) -> sqlx::Result<bool> {
    Ok(sqlx::query(
        "update webhook_deliveries set status = 'pending', next_attempt_at = now(), manual = true
         where id = $1 and endpoint_id = $2",
    )
    .bind(delivery)
    .bind(endpoint)
    .execute(db)
    .await?
    .rows_affected()
        > 0)
}
