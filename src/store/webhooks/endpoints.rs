//! SQL for webhook endpoints: registering, reading, changing and deleting them.

use crate::domain::{PartnerId, WebhookEndpointId};
use sqlx::PgExecutor;
use time::OffsetDateTime;

/// An endpoint (without its secret).
#[derive(sqlx::FromRow, Clone)]
pub struct EndpointRow {
    /// The endpoint.
    pub id: WebhookEndpointId,
    /// Its partner.
    pub partner_id: PartnerId,
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
    partner: PartnerId,
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
pub async fn list(db: impl PgExecutor<'_>, partner: PartnerId) -> sqlx::Result<Vec<EndpointRow>> {
    sqlx::query_as(&format!("{ENDPOINT} where partner_id = $1 order by id"))
        .bind(partner)
        .fetch_all(db)
        .await
}

/// One endpoint of a partner.
pub async fn get(
    db: impl PgExecutor<'_>,
    partner: PartnerId,
    id: WebhookEndpointId,
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
    id: WebhookEndpointId,
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
pub async fn delete(
    db: impl PgExecutor<'_>,
    partner: PartnerId,
    id: WebhookEndpointId,
) -> sqlx::Result<bool> {
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
