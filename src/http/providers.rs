//! Providers and trades.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::app::validate::Fields;
use crate::domain::values::parse_radius_km;
use crate::domain::{GeoPoint, Name, PersonId, ProviderId, TradeId};
use crate::error::{ApiError, ApiResult};
use crate::feed::GraphChange;
use crate::http::auth::Caller;
use crate::http::extract::{Json, Path};
use crate::state::AppState;
use crate::store;
use crate::store::providers::{ProviderFields, ProviderRow};

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
    let trades = store::providers::trades(&state.pool).await?;
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
    /// Service-area centre latitude.
    pub lat: f64,
    /// Service-area centre longitude.
    pub lon: f64,
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
            phone: r.phone,
            email: r.email,
            website: r.website,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// Validated provider fields, owned.
struct ValidProvider {
    name: Name,
    description: String,
    trades: Vec<TradeId>,
    point: GeoPoint,
    radius_km: f64,
    phone: Option<String>,
    email: Option<String>,
    website: Option<String>,
}

impl ValidProvider {
    fn fields(&self) -> ProviderFields<'_> {
        ProviderFields {
            name: self.name.as_str(),
            description: &self.description,
            lat: self.point.lat,
            lon: self.point.lon,
            radius_km: self.radius_km,
            phone: self.phone.as_deref(),
            email: self.email.as_deref(),
            website: self.website.as_deref(),
            trades: &self.trades,
        }
    }
}

fn optional_text(
    fields: &mut Fields,
    field: &str,
    value: Option<String>,
    max: usize,
) -> Option<String> {
    let value = value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())?;
    if value.chars().count() > max {
        fields.push(field, format!("must be at most {max} characters"));
    }
    Some(value)
}

fn validate(state: &AppState, body: NewProviderBody) -> ApiResult<ValidProvider> {
    let mut fields = Fields::new();
    let name = fields.check("name", Name::parse(&body.name, 120));
    if body.description.chars().count() > 2000 {
        fields.push("description", "must be at most 2000 characters");
    }
    let mut trades = Vec::new();
    if body.trades.is_empty() {
        fields.push("trades", "name at least one trade");
    }
    for slug in &body.trades {
        match state.live.trade_by_slug(slug) {
            Some(id) if !trades.contains(&id) => trades.push(id),
            Some(_) => {}
            None => fields.push(
                "trades",
                format!("unknown trade {slug:?}; see GET /v1/trades"),
            ),
        }
    }
    let point = match GeoPoint::parse(body.lat, body.lon) {
        Ok(p) => Some(p),
        Err(errors) => {
            errors.into_iter().for_each(|(f, m)| fields.push(f, m));
            None
        }
    };
    let radius_km = fields.check("radius_km", parse_radius_km(body.radius_km));
    let phone = optional_text(&mut fields, "phone", body.phone, 40);
    let email = optional_text(&mut fields, "email", body.email, 254);
    let website = optional_text(&mut fields, "website", body.website, 300);
    if let Some(site) = &website {
        if !(site.starts_with("https://") || site.starts_with("http://")) {
            fields.push("website", "must start with https:// or http://");
        }
    }
    fields.finish()?;
    Ok(ValidProvider {
        name: name.expect("checked"),
        description: body.description.trim().to_string(),
        trades,
        point: point.expect("checked"),
        radius_km: radius_km.expect("checked"),
        phone,
        email,
        website,
    })
}

fn upsert_change(id: ProviderId, owner: PersonId, v: &ValidProvider) -> GraphChange {
    GraphChange::ProviderUpsert {
        id,
        name: v.name.as_str().to_string(),
        owner,
        trades: v.trades.clone(),
        lat: v.point.lat,
        lon: v.point.lon,
        radius_km: v.radius_km,
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
    let valid = validate(&state, body)?;
    let mut tx = state.pool.begin().await?;
    let id = store::providers::create(&mut tx, caller.person, &valid.fields()).await?;
    store::changes::record(
        &mut tx,
        Some(caller.person),
        &upsert_change(id, caller.person, &valid),
    )
    .await?;
    tx.commit().await?;
    state.live.catch_up_after_write(&state.pool).await;
    let row = store::providers::get(&state.pool, id)
        .await?
        .ok_or(ApiError::NotFound("provider"))?;
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
    let row = store::providers::get(&state.pool, id)
        .await?
        .ok_or(ApiError::NotFound("provider"))?;
    Ok(axum::Json(row.into()))
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
    let mut tx = state.pool.begin().await?;
    let owner = store::providers::owner_for_update(&mut tx, id)
        .await?
        .ok_or(ApiError::NotFound("provider"))?;
    if owner != caller.person {
        return Err(ApiError::Forbidden(
            "only the provider's owner may edit it".into(),
        ));
    }
    let current = store::providers::get(&mut *tx, id)
        .await?
        .ok_or(ApiError::NotFound("provider"))?;
    // Merge the patch over the current row, then validate the whole as if new: one rule set.
    let merged = NewProviderBody {
        name: patch.name.unwrap_or(current.name),
        description: patch.description.unwrap_or(current.description),
        trades: patch.trades.unwrap_or(current.trades),
        lat: patch.lat.unwrap_or(current.lat),
        lon: patch.lon.unwrap_or(current.lon),
        radius_km: patch.radius_km.unwrap_or(current.radius_km),
        phone: patch.phone.or(current.phone),
        email: patch.email.or(current.email),
        website: patch.website.or(current.website),
    };
    let valid = validate(&state, merged)?;
    // Vouches for a dropped trade go with it; their revocation is recorded like any other.
    let dropped = store::vouches::revoke_for_dropped_trades(&mut tx, id, &valid.trades).await?;
    store::providers::update(&mut tx, id, &valid.fields()).await?;
    for (person, trade) in dropped {
        let revoke = GraphChange::VouchRevoke {
            person,
            provider: id,
            trade,
        };
        store::changes::record(&mut tx, Some(caller.person), &revoke).await?;
    }
    store::changes::record(
        &mut tx,
        Some(caller.person),
        &upsert_change(id, owner, &valid),
    )
    .await?;
    tx.commit().await?;
    state.live.catch_up_after_write(&state.pool).await;
    let row = store::providers::get(&state.pool, id)
        .await?
        .ok_or(ApiError::NotFound("provider"))?;
    Ok(axum::Json(row.into()))
}
