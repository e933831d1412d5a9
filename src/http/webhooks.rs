//! The webhook API: a partner's endpoints, their delivery log, and manual redelivery.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::app::webhooks::{self, Delivery, EndpointRow};
use crate::domain::{DeliveryId, PartnerId, WebhookEndpointId};
use crate::error::ApiResult;
use crate::http::auth::Caller;
use crate::http::extract::{Json, Path, Query};
use crate::state::AppState;

#[derive(utoipa::OpenApi)]
#[openapi(tags((name = "webhooks", description = "Partner webhook endpoints and their delivery log")))]
struct WebhookDoc;

/// Every webhook route, with its OpenAPI description.
pub fn router() -> OpenApiRouter<AppState> {
    use utoipa::OpenApi as _;
    OpenApiRouter::with_openapi(WebhookDoc::openapi())
        .routes(routes!(create_endpoint, list_endpoints))
        .routes(routes!(get_endpoint, update_endpoint, delete_endpoint))
        .routes(routes!(list_deliveries))
        .routes(routes!(redeliver))
        .routes(routes!(send_test))
}

/// A new endpoint.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEndpointBody {
    /// Where to post events: an https URL on the public internet.
    pub url: String,
    /// Which events: `referral.created`, `referral.status_changed`, `vouch.created`,
    /// `vouch.revoked`, `person.deleted`.
    pub event_types: Vec<String>,
}

/// Changes to an endpoint.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointPatch {
    /// A new URL.
    pub url: Option<String>,
    /// A new list of event types.
    pub event_types: Option<Vec<String>>,
    /// `true` re-enables a disabled endpoint (and clears its failure count); `false` pauses it.
    pub enabled: Option<bool>,
}

/// An endpoint.
#[derive(Serialize, ToSchema)]
pub struct EndpointView {
    /// The endpoint.
    pub id: WebhookEndpointId,
    /// Its partner.
    pub partner_id: PartnerId,
    /// Where events go.
    pub url: String,
    /// Which events.
    pub event_types: Vec<String>,
    /// Whether deliveries are being made.
    pub enabled: bool,
    /// When and why it was disabled.
    #[serde(with = "time::serde::rfc3339::option")]
    pub disabled_at: Option<OffsetDateTime>,
    /// Why it was disabled.
    pub disabled_reason: Option<String>,
    /// Failed attempts since the last success.
    pub consecutive_failures: i32,
    /// When it was made.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// The signing secret (`whsec_…`), shown only when the endpoint is made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

fn view(e: EndpointRow, secret: Option<String>) -> EndpointView {
    EndpointView {
        enabled: e.disabled_at.is_none(),
        id: e.id,
        partner_id: e.partner_id,
        url: e.url,
        event_types: e.event_types,
        disabled_at: e.disabled_at,
        disabled_reason: e.disabled_reason,
        consecutive_failures: e.consecutive_failures,
        created_at: e.created_at,
        secret,
    }
}

async fn endpoint(
    state: &AppState,
    caller: &Caller,
    partner: PartnerId,
    id: WebhookEndpointId,
) -> ApiResult<EndpointRow> {
    Ok(webhooks::endpoint(state, caller.person, partner, id).await?)
}

/// Registers an endpoint. The response carries its signing secret, this once.
#[utoipa::path(post, path = "/v1/partners/{id}/webhooks", tag = "webhooks", request_body = NewEndpointBody,
    params(("id" = i64, Path, description = "The partner")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 201, description = "Registered, with its secret", body = EndpointView)))]
async fn create_endpoint(
    State(state): State<AppState>,
    caller: Caller,
    Path(partner): Path<PartnerId>,
    Json(body): Json<NewEndpointBody>,
) -> ApiResult<(StatusCode, axum::Json<EndpointView>)> {
    let (row, secret) =
        webhooks::register_endpoint(&state, caller.person, partner, &body.url, &body.event_types)
            .await?;
    Ok((StatusCode::CREATED, axum::Json(view(row, Some(secret)))))
}

/// The partner's endpoints.
#[utoipa::path(get, path = "/v1/partners/{id}/webhooks", tag = "webhooks",
    params(("id" = i64, Path, description = "The partner")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "The endpoints", body = Vec<EndpointView>)))]
async fn list_endpoints(
    State(state): State<AppState>,
    caller: Caller,
    Path(partner): Path<PartnerId>,
) -> ApiResult<axum::Json<Vec<EndpointView>>> {
    let rows = webhooks::endpoints(&state, caller.person, partner).await?;
    Ok(axum::Json(
        rows.into_iter().map(|e| view(e, None)).collect(),
    ))
}

/// One endpoint.
#[utoipa::path(get, path = "/v1/partners/{id}/webhooks/{wid}", tag = "webhooks",
    params(("id" = i64, Path, description = "The partner"), ("wid" = i64, Path, description = "The endpoint")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "The endpoint", body = EndpointView)))]
async fn get_endpoint(
    State(state): State<AppState>,
    caller: Caller,
    Path((partner, id)): Path<(PartnerId, WebhookEndpointId)>,
) -> ApiResult<axum::Json<EndpointView>> {
    Ok(axum::Json(view(
        endpoint(&state, &caller, partner, id).await?,
        None,
    )))
}

/// Changes an endpoint's URL or events, or enables or disables it.
#[utoipa::path(patch, path = "/v1/partners/{id}/webhooks/{wid}", tag = "webhooks", request_body = EndpointPatch,
    params(("id" = i64, Path, description = "The partner"), ("wid" = i64, Path, description = "The endpoint")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "The endpoint as changed", body = EndpointView)))]
async fn update_endpoint(
    State(state): State<AppState>,
    caller: Caller,
    Path((partner, id)): Path<(PartnerId, WebhookEndpointId)>,
    Json(body): Json<EndpointPatch>,
) -> ApiResult<axum::Json<EndpointView>> {
    let row = webhooks::update_endpoint(
        &state,
        caller.person,
        partner,
        id,
        body.url.as_deref(),
        body.event_types.as_deref(),
        body.enabled,
    )
    .await?;
    Ok(axum::Json(view(row, None)))
}

/// Deletes an endpoint and its delivery log.
#[utoipa::path(delete, path = "/v1/partners/{id}/webhooks/{wid}", tag = "webhooks",
    params(("id" = i64, Path, description = "The partner"), ("wid" = i64, Path, description = "The endpoint")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 204, description = "Deleted")))]
async fn delete_endpoint(
    State(state): State<AppState>,
    caller: Caller,
    Path((partner, id)): Path<(PartnerId, WebhookEndpointId)>,
) -> ApiResult<StatusCode> {
    webhooks::delete_endpoint(&state, caller.person, partner, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A page of the log.
#[derive(Deserialize, IntoParams)]
pub struct DeliveryParams {
    /// The `next_cursor` of the previous page.
    pub cursor: Option<i64>,
    /// Page size, 1 to 100 (default 20).
    pub limit: Option<i64>,
}

/// One attempt.
#[derive(Serialize, ToSchema)]
pub struct AttemptView {
    /// When it started.
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    /// The endpoint's status code, if it answered.
    pub status_code: Option<i16>,
    /// What went wrong: a status, a timeout, a refused address.
    pub error: Option<String>,
    /// How long it took, in milliseconds.
    pub latency_ms: i32,
    /// Whether it was a manual redelivery.
    pub manual: bool,
}

/// One event's delivery to the endpoint.
#[derive(Serialize, ToSchema)]
pub struct DeliveryView {
    /// The delivery.
    pub id: DeliveryId,
    /// The event's stable id: the `webhook-id` header, to deduplicate on.
    pub event_id: String,
    /// The event type.
    pub event_type: String,
    /// `pending` (retrying), `delivered` or `failed` (gave up).
    pub status: String,
    /// Attempts so far.
    pub attempts: i32,
    /// The last status code.
    pub last_status: Option<i16>,
    /// When the next attempt is due, while pending.
    #[serde(with = "time::serde::rfc3339::option")]
    pub next_attempt_at: Option<OffsetDateTime>,
    /// When it was queued.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When it succeeded.
    #[serde(with = "time::serde::rfc3339::option")]
    pub delivered_at: Option<OffsetDateTime>,
    /// Every attempt, oldest first.
    pub attempt_log: Vec<AttemptView>,
}

/// A page of deliveries.
#[derive(Serialize, ToSchema)]
pub struct DeliveryPage {
    /// Newest first.
    pub items: Vec<DeliveryView>,
    /// Pass as `cursor` for the next page; null on the last.
    pub next_cursor: Option<i64>,
}

/// The endpoint's delivery log: each event, its attempts, status codes and latency.
#[utoipa::path(get, path = "/v1/partners/{id}/webhooks/{wid}/deliveries", tag = "webhooks",
    params(("id" = i64, Path, description = "The partner"), ("wid" = i64, Path, description = "The endpoint"), DeliveryParams),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "A page of deliveries", body = DeliveryPage)))]
async fn list_deliveries(
    State(state): State<AppState>,
    caller: Caller,
    Path((partner, id)): Path<(PartnerId, WebhookEndpointId)>,
    Query(params): Query<DeliveryParams>,
) -> ApiResult<axum::Json<DeliveryPage>> {
    let limit = params.limit.unwrap_or(20);
    let before = params.cursor.map(DeliveryId);
    let page = webhooks::deliveries(&state, caller.person, partner, id, before, limit).await?;
    let next_cursor = if page.more {
        page.deliveries.last().map(|d| d.row.id.0)
    } else {
        None
    };
    let items = page
        .deliveries
        .into_iter()
        .map(|Delivery { row: r, attempts }| DeliveryView {
            attempt_log: attempts
                .into_iter()
                .map(|a| AttemptView {
                    started_at: a.started_at,
                    status_code: a.status_code,
                    error: a.error,
                    latency_ms: a.latency_ms,
                    manual: a.manual,
                })
                .collect(),
            next_attempt_at: (r.status == "pending").then_some(r.next_attempt_at),
            id: r.id,
            event_id: r.event_id,
            event_type: r.event_type,
            status: r.status,
            attempts: r.attempts,
            last_status: r.last_status,
            created_at: r.created_at,
            delivered_at: r.delivered_at,
        })
        .collect();
    Ok(axum::Json(DeliveryPage { items, next_cursor }))
}

/// Sends a delivery again now, whatever its state (a receiver deduplicates on `webhook-id`).
/// The endpoint must be enabled.
/// A test event queued.
#[derive(Serialize, ToSchema)]
pub struct TestQueued {
    /// Its delivery, in the endpoint's log.
    pub delivery_id: DeliveryId,
}

/// Sends the endpoint a signed `webhook.test` event now (it appears in the delivery log), to
/// check a receiver before any real event comes. A disabled endpoint is a 409.
#[utoipa::path(post, path = "/v1/partners/{id}/webhooks/{wid}/test", tag = "webhooks",
    params(("id" = i64, Path, description = "The partner"), ("wid" = i64, Path, description = "The endpoint")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 202, description = "Queued", body = TestQueued)))]
async fn send_test(
    State(state): State<AppState>,
    caller: Caller,
    Path((partner, id)): Path<(PartnerId, WebhookEndpointId)>,
) -> ApiResult<(StatusCode, axum::Json<TestQueued>)> {
    let delivery_id = webhooks::send_test(&state, caller.person, partner, id).await?;
    Ok((StatusCode::ACCEPTED, axum::Json(TestQueued { delivery_id })))
}

#[utoipa::path(post, path = "/v1/partners/{id}/webhooks/{wid}/deliveries/{did}/redeliver", tag = "webhooks",
    params(("id" = i64, Path, description = "The partner"), ("wid" = i64, Path, description = "The endpoint"),
           ("did" = i64, Path, description = "The delivery")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 202, description = "Queued for an attempt now")))]
async fn redeliver(
    State(state): State<AppState>,
    caller: Caller,
    Path((partner, id, delivery)): Path<(PartnerId, WebhookEndpointId, DeliveryId)>,
) -> ApiResult<StatusCode> {
    webhooks::redeliver(&state, caller.person, partner, id, delivery).await?;
    Ok(StatusCode::ACCEPTED)
}
