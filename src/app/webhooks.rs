//! Partners' webhook endpoints: registering one, listing them, changing one, deleting it,
//! sending a test event, reading the delivery log and sending a delivery again. Only the
//! partner's owner account may.

use std::collections::HashMap;

use crate::domain::{DeliveryId, PartnerId, PersonId, WebhookEndpointId};
use crate::state::AppState;
use crate::store::webhooks as store;
use crate::webhooks::{signing, ssrf, EVENT_TYPES};

use super::partners::owned_partner;
use super::validate::Fields;
use super::{AppError, AppResult};

/// An endpoint, a delivery in its log, an attempt at one: adapters name them through here.
pub use crate::store::webhooks::{AttemptRow, DeliveryRow, EndpointRow};

/// Registers an endpoint for `partner`. Returns it with its signing secret (`whsec_…`), which
/// is shown this once.
pub async fn register_endpoint(
    state: &AppState,
    person: PersonId,
    partner: PartnerId,
    url: &str,
    event_types: &[String],
) -> AppResult<(EndpointRow, String)> {
    owned_partner(state, person, partner).await?;
    let mut fields = Fields::new();
    let url = fields.check("url", ssrf::check_url(url, state.config.webhooks.policy()));
    let types = check_types(&mut fields, event_types);
    fields.finish()?;
    let url = url.expect("checked");
    let secret = signing::generate_secret();
    let row = store::create(&state.pool, partner, url.as_str(), &types, &secret).await?;
    Ok((row, secret))
}

/// The endpoint `id` of `partner`, for the partner's owner.
pub async fn endpoint(
    state: &AppState,
    person: PersonId,
    partner: PartnerId,
    id: WebhookEndpointId,
) -> AppResult<EndpointRow> {
    owned_partner(state, person, partner).await?;
    store::get(&state.pool, partner, id)
        .await?
        .ok_or(AppError::NotFound("webhook endpoint"))
}

/// The endpoints of `partner`, for the partner's owner.
pub async fn endpoints(
    state: &AppState,
    person: PersonId,
    partner: PartnerId,
) -> AppResult<Vec<EndpointRow>> {
    owned_partner(state, person, partner).await?;
    Ok(store::list(&state.pool, partner).await?)
}

/// A delivery in an endpoint's log, with its attempts, oldest first.
pub struct Delivery {
    /// The delivery.
    pub row: DeliveryRow,
    /// Its attempts.
    pub attempts: Vec<AttemptRow>,
}

/// A page of an endpoint's delivery log.
pub struct LogPage {
    /// Newest first.
    pub deliveries: Vec<Delivery>,
    /// Whether older deliveries follow.
    pub more: bool,
}

/// The most deliveries one page of the log holds.
pub const MOST_PER_PAGE: i64 = 100;

/// The deliveries of endpoint `id` of `partner`, newest first, before the delivery `before`,
/// at most `limit` (1 to [`MOST_PER_PAGE`]), for the partner's owner.
pub async fn deliveries(
    state: &AppState,
    person: PersonId,
    partner: PartnerId,
    id: WebhookEndpointId,
    before: Option<DeliveryId>,
    limit: i64,
) -> AppResult<LogPage> {
    endpoint(state, person, partner, id).await?;
    if !(1..=MOST_PER_PAGE).contains(&limit) {
        return Err(AppError::field(
            "limit",
            format!("must be between 1 and {MOST_PER_PAGE}"),
        ));
    }
    // One more than asked says whether another page follows.
    let mut deliveries = deliveries_of(state, id, before, limit + 1).await?;
    let more = deliveries.len() as i64 > limit;
    deliveries.truncate(limit as usize);
    Ok(LogPage { deliveries, more })
}

/// Each endpoint of `partner` with its newest `per_endpoint` deliveries, for the partner's
/// owner: the log as the partner page shows it.
pub async fn log(
    state: &AppState,
    person: PersonId,
    partner: PartnerId,
    per_endpoint: i64,
) -> AppResult<Vec<(EndpointRow, Vec<Delivery>)>> {
    let mut log = Vec::new();
    for endpoint in endpoints(state, person, partner).await? {
        let deliveries = deliveries_of(state, endpoint.id, None, per_endpoint).await?;
        log.push((endpoint, deliveries));
    }
    Ok(log)
}

/// An endpoint's deliveries with their attempts, for a caller already checked.
async fn deliveries_of(
    state: &AppState,
    id: WebhookEndpointId,
    before: Option<DeliveryId>,
    limit: i64,
) -> AppResult<Vec<Delivery>> {
    let rows = store::deliveries(&state.pool, id, before, limit).await?;
    let ids: Vec<DeliveryId> = rows.iter().map(|r| r.id).collect();
    let mut attempts: HashMap<DeliveryId, Vec<AttemptRow>> = HashMap::new();
    for a in store::attempts(&state.pool, &ids).await? {
        attempts.entry(a.delivery_id).or_default().push(a);
    }
    Ok(rows
        .into_iter()
        .map(|row| Delivery {
            attempts: attempts.remove(&row.id).unwrap_or_default(),
            row,
        })
        .collect())
}

/// Changes an endpoint's URL or events, or enables or disables it; `None` keeps what is there.
pub async fn update_endpoint(
    state: &AppState,
    person: PersonId,
    partner: PartnerId,
    id: WebhookEndpointId,
    url: Option<&str>,
    event_types: Option<&[String]>,
    enabled: Option<bool>,
) -> AppResult<EndpointRow> {
    endpoint(state, person, partner, id).await?;
    let mut fields = Fields::new();
    let url = match url {
        Some(url) => fields.check("url", ssrf::check_url(url, state.config.webhooks.policy())),
        None => None,
    };
    let types = event_types.map(|t| check_types(&mut fields, t));
    fields.finish()?;
    let url = url.as_ref().map(|u| u.as_str());
    Ok(store::update(&state.pool, id, url, types.as_deref(), enabled).await?)
}

/// Queues a delivery to be sent again now, whatever its state (receivers deduplicate on
/// `webhook-id`). A disabled endpoint gets nothing, so it is a conflict.
pub async fn redeliver(
    state: &AppState,
    person: PersonId,
    partner: PartnerId,
    endpoint_id: WebhookEndpointId,
    delivery: DeliveryId,
) -> AppResult<()> {
    let row = endpoint(state, person, partner, endpoint_id).await?;
    if row.disabled_at.is_some() {
        return Err(AppError::Conflict(
            "the endpoint is disabled, so nothing can be sent to it; enable it first".into(),
        ));
    }
    if !store::redeliver(&state.pool, endpoint_id, delivery).await? {
        return Err(AppError::NotFound("delivery"));
    }
    Ok(())
}

/// Deletes an endpoint and its delivery log.
pub async fn delete_endpoint(
    state: &AppState,
    person: PersonId,
    partner: PartnerId,
    id: WebhookEndpointId,
) -> AppResult<()> {
    owned_partner(state, person, partner).await?;
    if !store::delete(&state.pool, partner, id).await? {
        return Err(AppError::NotFound("webhook endpoint"));
    }
    Ok(())
}

/// Sends the endpoint a test event (`webhook.test`, signed like every other), so a partner can
/// check their receiver before any real event comes; it shows in the delivery log like any
/// delivery. Returns the delivery. A disabled endpoint gets nothing, so it is a conflict.
pub async fn send_test(
    state: &AppState,
    person: PersonId,
    partner: PartnerId,
    id: WebhookEndpointId,
) -> AppResult<DeliveryId> {
    let row = endpoint(state, person, partner, id).await?;
    if row.disabled_at.is_some() {
        return Err(AppError::Conflict(
            "the endpoint is disabled, so nothing can be sent to it; enable it first".into(),
        ));
    }
    let payload = serde_json::json!({
        "partner_id": partner,
        "endpoint_id": id,
        "message": "A test event from vouchgraph: your endpoint receives and verifies our webhooks.",
    });
    let mut tx = state.pool.begin().await?;
    let delivery = store::queue_test(&mut tx, id, &payload).await?;
    tx.commit().await?;
    Ok(delivery)
}

/// At least one event type, each one of [`EVENT_TYPES`]; returns them sorted, once each.
fn check_types(fields: &mut Fields, types: &[String]) -> Vec<String> {
    if types.is_empty() {
        fields.push("event_types", "name at least one event type");
    }
    for t in types {
        if !EVENT_TYPES.contains(&t.as_str()) {
            fields.push(
                "event_types",
                format!("unknown event type {t:?}; use one of {EVENT_TYPES:?}"),
            );
        }
    }
    let mut types = types.to_vec();
    types.sort();
    types.dedup();
    types
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_types_are_known_sorted_and_named_once() {
        let mut fields = Fields::new();
        let asked = ["vouch.revoked", "vouch.created", "vouch.revoked"].map(String::from);
        assert_eq!(
            check_types(&mut fields, &asked),
            ["vouch.created", "vouch.revoked"]
        );
        assert!(fields.finish().is_ok());

        let mut fields = Fields::new();
        check_types(&mut fields, &["vouch.eaten".to_string()]);
        assert!(fields.finish().is_err());

        let mut fields = Fields::new();
        check_types(&mut fields, &[]);
        assert!(fields.finish().is_err());
    }
}
