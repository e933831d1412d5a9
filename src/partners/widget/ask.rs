//! The `ask` widget: `GET /v1/widget/ask`, the trades and whether the visitor may ask;
//! `POST /v1/widget/requests`, a request to the visitor's circle in their name, attributed to
//! the partner.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::places::PlaceInput;
use crate::app::{partners, providers};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::Json;
use crate::partners::auth::{embed_visitor, WidgetKey};
use crate::partners::embed::SCOPE_ASK;
use crate::state::AppState;

use super::seeker;

/// A trade the `ask` widget offers.
#[derive(Serialize, ToSchema)]
pub struct AskTrade {
    /// The slug.
    pub slug: String,
    /// Its name.
    pub name: String,
}

/// What the `ask` widget needs to draw its form.
#[derive(Serialize, ToSchema)]
pub struct AskContext {
    /// Whether the visitor's embed token allows asking in their name.
    pub can_ask: bool,
    /// The trades one may ask about.
    pub trades: Vec<AskTrade>,
}

/// The `ask` widget's context: the trades, and whether this visitor may ask.
#[utoipa::path(get, path = "/v1/widget/ask", tag = "widgets",
    params(("X-Vouchgraph-Embed-Token" = Option<String>, Header, description = "A visitor's embed token")),
    security(("pk" = []), ("sk" = [])),
    responses((status = 200, description = "The form's context", body = AskContext)))]
pub(super) async fn ask_context(
    State(state): State<AppState>,
    WidgetKey(key): WidgetKey,
    headers: HeaderMap,
) -> ApiResult<axum::Json<AskContext>> {
    let visitor = embed_visitor(&state, &headers, &key).await?;
    let trades = providers::trades(&state)
        .await?
        .into_iter()
        .map(|t| AskTrade {
            slug: t.slug,
            name: t.name,
        })
        .collect();
    if !key.preview {
        partners::widget_shown(&state, key.partner, "ask").await?;
    }
    Ok(axum::Json(AskContext {
        can_ask: visitor.is_some_and(|c| c.allows(SCOPE_ASK)),
        trades,
    }))
}

/// A request from the `ask` widget.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WidgetAskBody {
    /// The trade's slug.
    pub trade: String,
    /// Where the work is, as typed ("Redland, Bristol", "BS6"); or give `lat` and `lon`.
    pub near: Option<String>,
    /// Latitude of the work.
    pub lat: Option<f64>,
    /// Longitude of the work.
    pub lon: Option<f64>,
    /// A short note, at most 1,000 characters.
    #[serde(default)]
    pub note: String,
    /// By when, `YYYY-MM-DD`.
    pub deadline: Option<String>,
}

/// A request asked.
#[derive(Serialize, ToSchema)]
pub struct WidgetAskedView {
    /// The request.
    pub request_id: i64,
    /// How many people in the visitor's circle it reached.
    pub recipients: usize,
}

/// Asks the visitor's circle for a recommendation, in their name, as `POST /v1/requests`
/// does, attributed to the partner (whose webhooks then hear `request.*` for it). Needs the
/// visitor's embed token with the `ask` scope: a key alone cannot write. Always to the
/// visitor's circle, never public: the visitor chose this site, not their neighbourhood.
#[utoipa::path(post, path = "/v1/widget/requests", tag = "widgets", request_body = WidgetAskBody,
    params(("X-Vouchgraph-Embed-Token" = String, Header, description = "The visitor's embed token (scope ask)")),
    security(("pk" = []), ("sk" = [])),
    responses((status = 201, description = "Asked", body = WidgetAskedView)))]
pub(super) async fn ask(
    State(state): State<AppState>,
    WidgetKey(key): WidgetKey,
    headers: HeaderMap,
    Json(body): Json<WidgetAskBody>,
) -> ApiResult<(StatusCode, axum::Json<WidgetAskedView>)> {
    let visitor = seeker(&state, &headers, &key, SCOPE_ASK)
        .await?
        .ok_or_else(|| ApiError::Unauthorized("asking needs the visitor's embed token".into()))?;
    let near = PlaceInput::from_parts("near", body.near.as_deref(), body.lat, body.lon);
    let asked = crate::app::requests::ask(
        &state,
        visitor.person,
        crate::app::requests::Ask {
            trade: &body.trade,
            near,
            note: &body.note,
            deadline: body.deadline.as_deref(),
            visibility: Some("circle"),
            partner: Some(key.partner),
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(WidgetAskedView {
            request_id: asked.id,
            recipients: asked.recipients,
        }),
    ))
}
