//! `GET /v1/widget/list`: the top providers for a trade near a place, for the `list` widget;
//! ranked for the visitor when an embed token is sent.

use axum::extract::State;
use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::partners;
use crate::app::places::PlaceInput;
use crate::app::search::{self, Search};
use crate::domain::{GeoPoint, ProviderId};
use crate::error::ApiResult;
use crate::graph::Audience;
use crate::http::extract::Query;
use crate::partners::auth::WidgetKey;
use crate::partners::embed::SCOPE_READ;
use crate::state::AppState;

use super::{counts, seeker, WidgetCounts, WidgetPath};

/// Which providers.
#[derive(Deserialize, IntoParams)]
pub struct ListParams {
    /// The trade slug.
    pub trade: String,
    /// Latitude of the place; with `lon`, only providers covering it.
    pub lat: Option<f64>,
    /// Longitude of the place.
    pub lon: Option<f64>,
    /// How many (1 to 10, default 5).
    pub limit: Option<usize>,
}

/// One provider in the list.
#[derive(Serialize, ToSchema)]
pub struct ListItem {
    /// The provider.
    pub provider_id: ProviderId,
    /// Its name.
    pub name: String,
    /// Its score for the visitor (or for anyone, when not personalized).
    pub score: f64,
    /// How many recommend and warn.
    pub counts: WidgetCounts,
    /// The visitor's strongest trust path to a voucher (personalized only).
    pub path: Option<WidgetPath>,
    /// Where it is, in words ("2.1 km, Redland").
    pub whereabouts: Option<String>,
}

/// The top providers for a trade near a place.
#[derive(Serialize, ToSchema)]
pub struct ListView {
    /// The trade.
    pub trade: String,
    /// Whether this is one visitor's ranking.
    pub personalized: bool,
    /// Best first.
    pub results: Vec<ListItem>,
}

/// The top providers for a trade near a place, for the `list` widget.
#[utoipa::path(get, path = "/v1/widget/list", tag = "widgets", params(ListParams,
        ("X-Vouchgraph-Embed-Token" = Option<String>, Header, description = "A visitor's embed token")),
    security(("pk" = []), ("sk" = [])),
    responses((status = 200, description = "Ranked providers", body = ListView)))]
pub(super) async fn list(
    State(state): State<AppState>,
    WidgetKey(key): WidgetKey,
    headers: HeaderMap,
    Query(params): Query<ListParams>,
) -> ApiResult<axum::Json<ListView>> {
    let seeker = seeker(&state, &headers, &key, SCOPE_READ)
        .await?
        .map(|c| c.person);
    let search = Search {
        audience: Audience::Partner,
        seeker,
        trade: &params.trade,
        near: PlaceInput::Point(GeoPoint::parse_optional(params.lat, params.lon)),
        limit: params.limit.unwrap_or(5),
        most: 10,
    };
    let found = search::search(&state, search).await?;
    if !key.preview {
        partners::widget_shown(&state, key.partner, "list").await?;
    }
    Ok(axum::Json(ListView {
        trade: params.trade,
        personalized: seeker.is_some(),
        results: found
            .into_iter()
            .map(|f| {
                (
                    search::whereabouts(f.distance_km, f.area.as_deref()),
                    f.ranked,
                )
            })
            .map(|(whereabouts, r)| ListItem {
                whereabouts,
                path: r.paths.first().map(|p| WidgetPath {
                    text: p.in_words(&r.name),
                    strength: p.strength,
                }),
                counts: counts(seeker.is_some(), &r.counts),
                provider_id: r.provider,
                score: r.score,
                name: r.name,
            })
            .collect(),
    }))
}
