//! `GET /v1/places?q=`: place suggestions as a person types, for every place field.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::app::places;
use crate::error::ApiResult;
use crate::http::extract::Query;
use crate::places::Place;
use crate::state::AppState;

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(suggest))
}

/// What has been typed so far.
#[derive(Deserialize, IntoParams)]
pub struct PlacesParams {
    /// A town, a neighbourhood or a postcode district, or the start of one ("Redl", "BS6").
    pub q: String,
    /// How many suggestions (1 to 10, default 5).
    pub limit: Option<usize>,
}

/// Suggestions.
#[derive(Serialize, ToSchema)]
pub struct PlacesView {
    /// Best first. Each `label` can be sent back as `near` (or a sign-up's `home`) as it is.
    pub places: Vec<Place>,
}

/// Place suggestions, best first: exact names, then names that start with what was typed.
/// Rate-limited like every route.
#[utoipa::path(get, path = "/v1/places", tag = "search", params(PlacesParams),
    responses((status = 200, description = "Suggestions", body = PlacesView)))]
async fn suggest(
    State(state): State<AppState>,
    Query(params): Query<PlacesParams>,
) -> ApiResult<axum::Json<PlacesView>> {
    let found = places::suggest(&state, &params.q, params.limit.unwrap_or(5)).await?;
    Ok(axum::Json(PlacesView { places: found }))
}
