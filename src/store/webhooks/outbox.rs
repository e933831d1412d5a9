//! SQL for the fan-out of the outbox: events not yet fanned out, the partner an event belongs
//! to, and the deliveries queued for them; and a test event for one endpoint.

use crate::domain::{DeliveryId, PartnerId, ReferralId, WebhookEndpointId};
use sqlx::PgConnection;

/// A test event for one endpoint: an outbox event `webhook.test` that the fan-out and the mail
/// never pick up (it is marked fanned out and mailed as it is written), and one delivery of it
/// to this endpoint only. Returns the delivery.
pub async fn queue_test(
    tx: &mut PgConnection,
    endpoint: WebhookEndpointId,
    payload: &serde_json::Value,
) -> sqlx::Result<DeliveryId> {
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
pub async fn referral_partner(
    tx: &mut PgConnection,
    referral: ReferralId,
) -> sqlx::Result<Option<PartnerId>> {
    Ok(
        sqlx::query_scalar::<_, Option<PartnerId>>(
            "select partner_id from referrals where id = $1",
        )
        .bind(referral)
        .fetch_optional(&mut *tx)
        .await?
        .flatten(),
    )
}

/// The partner whose `ask` widget request `request` came through, if any.
pub async fn request_partner(
    tx: &mut PgConnection,
    request: i64,
) -> sqlx::Result<Option<PartnerId>> {
    Ok(
        sqlx::query_scalar::<_, Option<PartnerId>>("select partner_id from requests where id = $1")
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
    partner: Option<PartnerId>,
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
