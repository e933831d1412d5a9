//! `/partners/{id}/webhooks`: a partner's webhook endpoints (owner only): register one (its
//! `whsec_` signing secret is shown once), and each endpoint's recent deliveries with their
//! attempts, status codes and latency, and a button to send one again. The same use cases
//! (`app::webhooks`) as the webhook API in `src/http/webhooks.rs`.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use crate::app::partners::PartnerRow;
use crate::app::webhooks::{self, AttemptRow};
use crate::app::{AppError, FieldError};
use crate::domain::{DeliveryId, PartnerId, WebhookEndpointId};
use crate::state::AppState;
use crate::webhooks::EVENT_TYPES;

use super::page::{day, render, see_other, Chrome, WebError};
use super::partners::{owned, partner_notice, path_id, when};
use super::session::{Posted, SignedIn, Visitor};

/// How many deliveries each endpoint's log shows.
const LOG_LENGTH: i64 = 10;

/// One attempt in the log.
struct AttemptItem {
    started: String,
    status: String,
    latency_ms: i32,
    manual: bool,
}

/// One delivery in the log.
struct DeliveryItem {
    id: DeliveryId,
    event_type: String,
    event_id: String,
    status: String,
    queued: String,
    attempts: Vec<AttemptItem>,
}

/// An endpoint with its log.
struct EndpointItem {
    id: WebhookEndpointId,
    url: String,
    events: String,
    created: String,
    enabled: bool,
    disabled_reason: Option<String>,
    failures: i32,
    deliveries: Vec<DeliveryItem>,
}

/// An event type checkbox.
struct EventChoice {
    name: &'static str,
    checked: bool,
}

/// A new endpoint's secret, shown once.
struct NewSecret {
    url: String,
    secret: String,
}

#[derive(Template)]
#[template(path = "partner_webhooks.html")]
struct WebhooksPage {
    chrome: Chrome,
    csrf: String,
    message: Option<&'static str>,
    id: PartnerId,
    name: String,
    endpoints: Vec<EndpointItem>,
    url: String,
    events: Vec<EventChoice>,
    url_error: Option<String>,
    events_error: Option<String>,
    new_secret: Option<NewSecret>,
}

/// The create form, as typed.
#[derive(Default)]
struct Typed {
    url: String,
    events: Vec<String>,
}

#[derive(Default)]
struct Problems {
    url: Option<String>,
    events: Option<String>,
}

/// A delivery's state as the partner reads it. One delivered before and sent again by hand
/// stays "delivered" in words while the new attempt waits, so a redelivery never looks like a
/// delivery that has not arrived yet.
fn status_in_words(status: &str, delivered_before: bool) -> &'static str {
    match (status, delivered_before) {
        ("pending", true) => "delivered; sending again",
        ("pending", false) => "pending",
        ("delivered", _) => "delivered",
        ("failed", _) => "failed: given up",
        _ => "unknown",
    }
}

async fn endpoints(
    state: &AppState,
    me: &SignedIn,
    partner: PartnerId,
) -> Result<Vec<EndpointItem>, WebError> {
    let mut items = Vec::new();
    for (e, log) in webhooks::log(state, me.person, partner, LOG_LENGTH).await? {
        let deliveries = log
            .into_iter()
            .map(|d| DeliveryItem {
                attempts: d.attempts.into_iter().map(attempt_item).collect(),
                id: d.row.id,
                event_type: d.row.event_type,
                event_id: d.row.event_id,
                status: status_in_words(&d.row.status, d.row.delivered_at.is_some()).to_string(),
                queued: when(d.row.created_at),
            })
            .collect();
        items.push(EndpointItem {
            id: e.id,
            url: e.url,
            events: e.event_types.join(", "),
            created: day(e.created_at),
            enabled: e.disabled_at.is_none(),
            disabled_reason: e.disabled_reason,
            failures: e.consecutive_failures,
            deliveries,
        });
    }
    Ok(items)
}

fn attempt_item(a: AttemptRow) -> AttemptItem {
    let status = match (a.status_code, a.error) {
        (Some(code), _) => code.to_string(),
        (None, Some(error)) => error,
        (None, None) => "no response".into(),
    };
    AttemptItem {
        started: when(a.started_at),
        status,
        latency_ms: a.latency_ms,
        manual: a.manual,
    }
}

async fn page_with(
    state: &AppState,
    visitor: &Visitor,
    partner: PartnerRow,
    typed: Typed,
    problems: Option<Problems>,
    new_secret: Option<NewSecret>,
) -> Result<Response, WebError> {
    let me = visitor.require()?;
    let status = if problems.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else if new_secret.is_some() {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let (url_error, events_error) = problems.map(|p| (p.url, p.events)).unwrap_or_default();
    let page = WebhooksPage {
        chrome: Chrome::new(state, visitor, "partners", "Webhooks").await?,
        csrf: me.csrf.clone(),
        message: partner_notice(visitor),
        id: partner.id,
        name: partner.name,
        endpoints: endpoints(state, me, partner.id).await?,
        url: typed.url,
        events: EVENT_TYPES
            .iter()
            .map(|name| EventChoice {
                name,
                checked: typed.events.iter().any(|e| e == name),
            })
            .collect(),
        url_error,
        events_error,
        new_secret,
    };
    render(status, &page)
}

/// `GET /partners/{id}/webhooks`.
pub async fn webhooks(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(raw): Path<String>,
) -> Result<Response, WebError> {
    let id = PartnerId(path_id(&raw, "partner")?);
    let me = visitor.require()?;
    let partner = owned(&state, me, id).await?;
    page_with(&state, &visitor, partner, Typed::default(), None, None).await
}

/// `POST /partners/{id}/webhooks`: registers an endpoint and shows its secret this once.
pub async fn create_endpoint(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    Posted { visitor, form }: Posted<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let id = PartnerId(path_id(&raw, "partner")?);
    let me = visitor.require_for(&format!("/partners/{id}/webhooks"))?;
    let partner = owned(&state, me, id).await?;
    let mut typed = Typed::default();
    for (key, value) in form {
        match key.as_str() {
            "url" => typed.url = value,
            "event_types" => typed.events.push(value),
            _ => {}
        }
    }
    let registered =
        webhooks::register_endpoint(&state, me.person, id, &typed.url, &typed.events).await;
    let (row, secret) = match registered {
        Ok(registered) => registered,
        Err(AppError::Invalid(refused)) => {
            let mut problems = Problems::default();
            for FieldError { field, message, .. } in refused {
                if field == "url" {
                    problems.url = Some(format!("The URL {message}."));
                } else {
                    problems.events =
                        Some("Choose at least one of the event types listed.".to_string());
                }
            }
            return page_with(&state, &visitor, partner, typed, Some(problems), None).await;
        }
        Err(other) => return Err(other.into()),
    };
    let shown = NewSecret {
        url: row.url,
        secret,
    };
    page_with(
        &state,
        &visitor,
        partner,
        Typed::default(),
        None,
        Some(shown),
    )
    .await
}

/// `POST /partners/{id}/webhooks/{endpoint}/deliveries/{delivery}/redeliver`: sends a delivery
/// again now, whatever its state (receivers deduplicate on `webhook-id`).
pub async fn redeliver(
    State(state): State<AppState>,
    Path((raw, raw_endpoint, raw_delivery)): Path<(String, String, String)>,
    Posted { visitor, .. }: Posted<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let id = PartnerId(path_id(&raw, "partner")?);
    let endpoint = WebhookEndpointId(path_id(&raw_endpoint, "webhook endpoint")?);
    let delivery = DeliveryId(path_id(&raw_delivery, "delivery")?);
    let me = visitor.require_for(&format!("/partners/{id}/webhooks"))?;
    webhooks::redeliver(&state, me.person, id, endpoint, delivery).await?;
    Ok(see_other(&format!(
        "/partners/{id}/webhooks?done=redelivered"
    )))
}

/// The endpoint a form names, for its partner's owner (after the CSRF check).
fn endpoint_path(
    raw: &str,
    raw_endpoint: &str,
) -> Result<(PartnerId, WebhookEndpointId), WebError> {
    Ok((
        PartnerId(path_id(raw, "partner")?),
        WebhookEndpointId(path_id(raw_endpoint, "webhook endpoint")?),
    ))
}

/// `POST /partners/{id}/webhooks/{endpoint}/test`: sends the endpoint a test event.
pub async fn send_test(
    State(state): State<AppState>,
    Path((raw, raw_endpoint)): Path<(String, String)>,
    Posted { visitor, .. }: Posted<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let (id, endpoint) = endpoint_path(&raw, &raw_endpoint)?;
    let me = visitor.require_for(&format!("/partners/{id}/webhooks"))?;
    webhooks::send_test(&state, me.person, id, endpoint).await?;
    Ok(see_other(&format!(
        "/partners/{id}/webhooks?done=test-sent"
    )))
}

/// `POST /partners/{id}/webhooks/{endpoint}/enabled`: enables (`enabled=true`) or disables it.
pub async fn set_enabled(
    State(state): State<AppState>,
    Path((raw, raw_endpoint)): Path<(String, String)>,
    Posted { visitor, form }: Posted<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let (id, endpoint) = endpoint_path(&raw, &raw_endpoint)?;
    let me = visitor.require_for(&format!("/partners/{id}/webhooks"))?;
    let enabled = form.iter().any(|(k, v)| k == "enabled" && v == "true");
    webhooks::update_endpoint(&state, me.person, id, endpoint, None, None, Some(enabled)).await?;
    let done = if enabled {
        "endpoint-enabled"
    } else {
        "endpoint-disabled"
    };
    Ok(see_other(&format!("/partners/{id}/webhooks?done={done}")))
}

/// `POST /partners/{id}/webhooks/{endpoint}/delete`: deletes it, with its delivery log.
pub async fn delete_endpoint(
    State(state): State<AppState>,
    Path((raw, raw_endpoint)): Path<(String, String)>,
    Posted { visitor, .. }: Posted<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let (id, endpoint) = endpoint_path(&raw, &raw_endpoint)?;
    let me = visitor.require_for(&format!("/partners/{id}/webhooks"))?;
    webhooks::delete_endpoint(&state, me.person, id, endpoint).await?;
    Ok(see_other(&format!(
        "/partners/{id}/webhooks?done=endpoint-deleted"
    )))
}
