//! Providers and trades.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::app::providers::{self, ProviderDraft, ProviderPatch, ProviderRow};
use crate::domain::{PersonId, ProviderId};
use crate::error::ApiResult;
use crate::http::auth::Caller;
use crate::http::extract::{Json, Path};
use crate::state::AppState;

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_provider))
        .routes(routes!(get_provider, update_provider))
        .routes(routes!(list_trades))
}

/// A trade.
#[derive(Serialize, ToSchema)]
pub struct TradeView {
    /// URL-safe name, used in the API.
    #[schema(example = "tiler")]
    pub slug: String,
    /// Human name.
    #[schema(example = "Tiler")]
    pub name: String,
}

/// All trades.
#[utoipa::path(get, path = "/v1/trades", tag = "providers",
    responses((status = 200, description = "All trades", body = Vec<TradeView>)))]
async fn list_trades(State(state): State<AppState>) -> ApiResult<axum::Json<Vec<TradeView>>> {
    let trades = providers::trades(&state).await?;
    Ok(axum::Json(
        trades
            .into_iter()
            .map(|t| TradeView {
                slug: t.slug,
                name: t.name,
            })
            .collect(),
    ))
}

/// A new provider.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProviderBody {
    /// Business name.
    #[schema(example = "Mario's Tiling")]
    pub name: String,
    /// What the business does.
    #[serde(default)]
    pub description: String,
    /// Trade slugs, at least one (see `GET /v1/trades`).
    #[schema(example = json!(["tiler"]))]
    pub trades: Vec<String>,
    /// Service-area centre latitude (or give `base`).
    pub lat: Option<f64>,
    /// Service-area centre longitude (or give `base`).
    pub lon: Option<f64>,
    /// Where the business is based, as a person types it ("Redland, Bristol", "BS6"), instead
    /// of `lat`/`lon`. Ambiguous or unknown: a 422 on `base` with `candidates`.
    #[schema(example = "Redland, Bristol")]
    pub base: Option<String>,
    /// Service-area radius in km (0 < r ≤ 500).
    pub radius_km: f64,
    /// Contact phone.
    pub phone: Option<String>,
    /// Contact email.
    pub email: Option<String>,
    /// Website.
    pub website: Option<String>,
}

/// Changes to a provider; absent fields stay as they are.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ProviderPatchBody {
    /// Business name.
    pub name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Trade slugs (replaces the list).
    pub trades: Option<Vec<String>>,
    /// Centre latitude.
    pub lat: Option<f64>,
    /// Centre longitude.
    pub lon: Option<f64>,
    /// Where it is based, as typed; replaces `lat`/`lon`.
    pub base: Option<String>,
    /// Radius in km.
    pub radius_km: Option<f64>,
    /// Phone.
    pub phone: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Website.
    pub website: Option<String>,
}

/// A provider's public profile.
#[derive(Serialize, ToSchema)]
pub struct ProviderView {
    /// The provider.
    pub id: ProviderId,
    /// The owning account.
    pub owner_id: PersonId,
    /// Business name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Trade slugs.
    pub trades: Vec<String>,
    /// Service-area centre latitude.
    pub lat: f64,
    /// Service-area centre longitude.
    pub lon: f64,
    /// Service-area radius in km.
    pub radius_km: f64,
    /// The neighbourhood its base is in ("Redland"), when the gazetteer knows it.
    pub area: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Website.
    pub website: Option<String>,
    /// When it was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: time::OffsetDateTime,
    /// When it was last edited.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: time::OffsetDateTime,
}

impl From<ProviderRow> for ProviderView {
    fn from(r: ProviderRow) -> Self {
        ProviderView {
            id: r.id,
            owner_id: r.owner_id,
            name: r.name,
            description: r.description,
            trades: r.trades,
            lat: r.lat,
            lon: r.lon,
            radius_km: r.radius_km,
            area: crate::places::neighbourhood(r.lat, r.lon),
            phone: r.phone,
            email: r.email,
            website: r.website,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

impl From<NewProviderBody> for ProviderDraft {
    fn from(body: NewProviderBody) -> Self {
        ProviderDraft {
            name: body.name,
            description: body.description,
            trades: body.trades,
            lat: body
                .lat
                .ok_or_else(|| "required, unless base is given".to_string()),
            lon: body
                .lon
                .ok_or_else(|| "required, unless base is given".to_string()),
            base: body.base,
            radius_km: Ok(body.radius_km),
            phone: body.phone,
            email: body.email,
            website: body.website,
        }
    }
}

impl From<ProviderPatchBody> for ProviderPatch {
    fn from(body: ProviderPatchBody) -> Self {
        ProviderPatch {
            name: body.name,
            description: body.description,
            trades: body.trades,
            lat: body.lat.map(Ok),
            lon: body.lon.map(Ok),
            base: body.base,
            radius_km: body.radius_km.map(Ok),
            phone: body.phone,
            email: body.email,
            website: body.website,
        }
    }
}

/// Creates a provider owned by the caller.
#[utoipa::path(post, path = "/v1/providers", tag = "providers", request_body = NewProviderBody,
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 201, description = "Created", body = ProviderView)))]
async fn create_provider(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewProviderBody>,
) -> ApiResult<impl IntoResponse> {
    let row = providers::create_provider(&state, caller.person, body.into()).await?;
    Ok((StatusCode::CREATED, axum::Json(ProviderView::from(row))))
}

/// A provider's public profile.
#[utoipa::path(get, path = "/v1/providers/{id}", tag = "providers",
    params(("id" = i64, Path, description = "The provider")),
    responses((status = 200, description = "The provider", body = ProviderView)))]
async fn get_provider(
    State(state): State<AppState>,
    Path(id): Path<ProviderId>,
) -> ApiResult<axum::Json<ProviderView>> {
    Ok(axum::Json(providers::profile(&state, id).await?.into()))
}

/// Edits a provider; only its owner may.
#[utoipa::path(patch, path = "/v1/providers/{id}", tag = "providers", request_body = ProviderPatchBody,
    params(("id" = i64, Path, description = "The provider")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "The provider as stored", body = ProviderView)))]
async fn update_provider(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<ProviderId>,
    Json(patch): Json<ProviderPatchBody>,
) -> ApiResult<axum::Json<ProviderView>> {
    let row = providers::update_provider(&state, caller.person, id, patch.into()).await?;
    Ok(axum::Json(row.into()))
}
