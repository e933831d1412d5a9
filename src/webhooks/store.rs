//! SQL for webhook endpoints, the fan-out of the outbox, deliveries and their attempts.

use sqlx::{PgConnection, PgExecutor};
use time::OffsetDateTime;

use crate::domain::PersonId;

/// An endpoint (without its secret).
#[derive(sqlx::FromRow, Clone)]
pub struct EndpointRow {
    /// The endpoint.
    pub id: i64,
    /// Its partner.
    pub partner_id: i64,
    /// Where events are posted.
    pub url: String,
    /// The event types it receives.
    pub event_types: Vec<String>,
    /// When it was made.
    pub created_at: OffsetDateTime,
    /// When it was disabled, by its owner or after sustained failure.
    pub disabled_at: Option<OffsetDateTime>,
    /// Why.
    pub disabled_reason: Option<String>,
    /// Failed attempts since the last success.
    pub consecutive_failures: i32,
}

const ENDPOINT: &str = "select id, partner_id, url, event_types, created_at, disabled_at,
    disabled_reason, consecutive_failures from webhook_endpoints";

/// Registers an endpoint.
pub async fn create(
    db: impl PgExecutor<'_>,
    partner: i64,
    url: &str,
    event_types: &[String],
    secret: &str,
) -> sqlx::Result<EndpointRow> {
    sqlx::query_as(
        "insert into webhook_endpoints (partner_id, url, event_types, secret) values ($1, $2, $3, $4)
         returning id, partner_id, url, event_types, created_at, disabled_at, disabled_reason,
                   consecutive_failures",
    )
    .bind(partner)
    .bind(url)
    .bind(event_types)
    .bind(secret)
    .fetch_one(db)
    .await
}

/// A partner's endpoints.
pub async fn list(db: impl PgExecutor<'_>, partner: i64) -> sqlx::Result<Vec<EndpointRow>> {
    sqlx::query_as(&format!("{ENDPOINT} where partner_id = $1 order by id"))
        .bind(partner)
        .fetch_all(db)
        .await
}

/// One endpoint of a partner.
pub async fn get(
    db: impl PgExecutor<'_>,
    partner: i64,
    id: i64,
) -> sqlx::Result<Option<EndpointRow>> {
    sqlx::query_as(&format!("{ENDPOINT} where partner_id = $1 and id = $2"))
        .bind(partner)
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Changes an endpoint. Enabling clears the failure streak, so it gets a fresh chance.
pub async fn update(
    db: impl PgExecutor<'_>,
    id: i64,
    url: Option<&str>,
    event_types: Option<&[String]>,
    enabled: Option<bool>,
) -> sqlx::Result<EndpointRow> {
    sqlx::query_as(
        "update webhook_endpoints set
            url = coalesce($2, url),
            event_types = coalesce($3, event_types),
            disabled_at = case when $4 is null then disabled_at
                               when $4 then null
                               else coalesce(disabled_at, now()) end,
            disabled_reason = case when $4 is null then disabled_reason
                                   when $4 then null
                                   else coalesce(disabled_reason, 'disabled by its owner') end,
            consecutive_failures = case when $4 then 0 else consecutive_failures end,
            failing_since = case when $4 then null else failing_since end
         where id = $1
         returning id, partner_id, url, event_types, created_at, disabled_at, disabled_reason,
                   consecutive_failures",
    )
    .bind(id)
    .bind(url)
    .bind(event_types)
    .bind(enabled)
    .fetch_one(db)
    .await
}

/// Deletes an endpoint and its delivery log.
pub async fn delete(db: impl PgExecutor<'_>, partner: i64, id: i64) -> sqlx::Result<bool> {
    Ok(
        sqlx::query("delete from webhook_endpoints where partner_id = $1 and id = $2")
            .bind(partner)
            .bind(id)
            .execute(db)
            .await?
            .rows_affected()
            > 0,
    )
}

/// A test event for one endpoint: an outbox event `webhook.test` that the fan-out and the mail
/// never pick up (it is marked fanned out and mailed as it is written), and one delivery of it
/// to this endpoint only. Returns the delivery.
pub async fn queue_test(
    tx: &mut PgConnection,
    endpoint: i64,
    payload: &serde_json::Value,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "with e as (insert into outbox_events (event_type, payload, fanned_out_at, mailed_at)
                    values ('webhook.test', $2, now(), now()) returning id)
         insert into webhook_deliveries (endpoint_id, event_id, manual)
         select $1, e.id, true from e returning id",
    )
    .bind(endpoint)
    .bind(payload)
    .fetch_one(&mut *tx)
    .await
}

/// An outbox event waiting to be fanned out.
#[derive(sqlx::FromRow)]
pub struct PendingEvent {
    /// Its row id.
    pub id: i64,
    /// Its type.
    pub event_type: String,
    /// Its payload.
    pub payload: serde_json::Value,
}

/// Locks up to `limit` events not yet fanned out, oldest first, skipping those another worker
/// holds.
pub async fn claim_events(tx: &mut PgConnection, limit: i64) -> sqlx::Result<Vec<PendingEvent>> {
    sqlx::query_as(
        "select id, event_type, payload from outbox_events where fanned_out_at is null
         order by id limit $1 for update skip locked",
    )
    .bind(limit)
    .fetch_all(&mut *tx)
    .await
}

/// The partner a referral was sent through, if any.
pub async fn referral_partner(tx: &mut PgConnection, referral: i64) -> sqlx::Result<Option<i64>> {
    Ok(
        sqlx::query_scalar::<_, Option<i64>>("select partner_id from referrals where id = $1")
            .bind(referral)
            .fetch_optional(&mut *tx)
            .await?
            .flatten(),
    )
}

/// The partner whose `ask` widget request `request` came through, if any.
pub async fn request_partner(tx: &mut PgConnection, request: i64) -> sqlx::Result<Option<i64>> {
    Ok(
        sqlx::query_scalar::<_, Option<i64>>("select partner_id from requests where id = $1")
            .bind(request)
            .fetch_optional(&mut *tx)
            .await?
            .flatten(),
    )
}

/// Queues `event` for every enabled endpoint subscribed to its type: of `partner` only, or of
/// every partner when `partner` is `None`.
pub async fn queue_deliveries(
    tx: &mut PgConnection,
    event: i64,
    event_type: &str,
    partner: Option<i64>,
) -> sqlx::Result<u64> {
    Ok(sqlx::query(
        "insert into webhook_deliveries (endpoint_id, event_id)
         select e.id, $1 from webhook_endpoints e
         where e.disabled_at is null and $2 = any(e.event_types)
           and ($3::bigint is null or e.partner_id = $3)
         on conflict (endpoint_id, event_id) do nothing",
    )
    .bind(event)
    .bind(event_type)
    .bind(partner)
    .execute(&mut *tx)
    .await?
    .rows_affected())
}

/// Marks events fanned out.
pub async fn mark_fanned_out(tx: &mut PgConnection, ids: &[i64]) -> sqlx::Result<()> {
    sqlx::query("update outbox_events set fanned_out_at = now() where id = any($1)")
        .bind(ids)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// A delivery claimed for an attempt, with what sending it needs.
#[derive(sqlx::FromRow, Debug)]
pub struct Claimed {
    /// The delivery.
    pub id: i64,
    /// Its endpoint.
    pub endpoint_id: i64,
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
    endpoint: i64,
    reason: &str,
) -> sqlx::Result<Option<(PersonId, i64, String)>> {
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

/// A delivery in the log.
#[derive(sqlx::FromRow)]
pub struct DeliveryRow {
    /// The delivery.
    pub id: i64,
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
    endpoint: i64,
    before: Option<i64>,
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
    pub delivery_id: i64,
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
    deliveries: &[i64],
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
    endpoint: i64,
    delivery: i64,
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
