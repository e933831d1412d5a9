//! `GET /v1/widget/badge`: a provider's trust summary for the `badge` widget. Its counts and
//! strongest public vouches; for a visitor with an embed token, also their trust paths.

use axum::extract::State;
use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::{partners, search, vouches};
use crate::domain::{ProviderId, Stance};
use crate::error::ApiResult;
use crate::graph::Audience;
use crate::http::extract::Query;
use crate::partners::auth::WidgetKey;
use crate::partners::embed::SCOPE_READ;
use crate::state::AppState;

use super::{counts, seeker, trade, WidgetCounts, WidgetPath};

/// A public vouch.
#[derive(Serialize, ToSchema)]
pub struct WidgetVouch {
    /// The voucher's name.
    pub name: String,
    /// Recommend or warn.
    pub stance: Stance,
    /// What they said.
    pub note: String,
    /// How many people publicly trust the voucher: what makes a vouch strong.
    pub trusted_by: i64,
}

/// Which provider.
#[derive(Deserialize, IntoParams)]
pub struct BadgeParams {
    /// The provider.
    pub provider: ProviderId,
    /// A trade slug, to count only that trade's vouches.
    pub trade: Option<String>,
}

/// A provider's trust summary.
#[derive(Serialize, ToSchema)]
pub struct BadgeView {
    /// The provider.
    pub provider_id: ProviderId,
    /// Its name.
    pub name: String,
    /// Whether this is one visitor's view (an embed token was sent).
    pub personalized: bool,
    /// How many recommend and warn.
    pub counts: WidgetCounts,
    /// The strongest public vouches (at most 3), recommendations first.
    pub top_vouches: Vec<WidgetVouch>,
    /// The visitor's strongest trust paths to vouchers (personalized only).
    pub paths: Vec<WidgetPath>,
}

/// A provider's trust summary, for the `badge` widget.
#[utoipa::path(get, path = "/v1/widget/badge", tag = "widgets", params(BadgeParams,
        ("X-Vouchgraph-Embed-Token" = Option<String>, Header, description = "A visitor's embed token")),
    security(("pk" = []), ("sk" = [])),
    responses((status = 200, description = "The summary", body = BadgeView)))]
pub(super) async fn badge(
    State(state): State<AppState>,
    WidgetKey(key): WidgetKey,
    headers: HeaderMap,
    Query(params): Query<BadgeParams>,
) -> ApiResult<axum::Json<BadgeView>> {
    let seeker = seeker(&state, &headers, &key, SCOPE_READ)
        .await?
        .map(|c| c.person);
    let trade = trade(&state, params.trade.as_deref())?;
    // The partner's server sees the visitor's view only as far as the visitor consented.
    let explanation = search::explain(&state, seeker, Audience::Partner, params.provider, trade)?;
    let top = vouches::top_public(&state, params.provider, trade)
        .await?
        .into_iter()
        .map(|v| WidgetVouch {
            name: v.display_name,
            stance: v.stance,
            note: v.note,
            trusted_by: v.trusted_by,
        })
        .collect();
    if !key.preview {
        partners::widget_shown(&state, key.partner, "badge").await?;
    }
    Ok(axum::Json(BadgeView {
        provider_id: params.provider,
        personalized: seeker.is_some(),
        counts: counts(seeker.is_some(), &explanation.counts),
        paths: explanation
            .paths
            .iter()
            .take(3)
            .map(|p| WidgetPath {
                text: p.in_words(&explanation.name),
                strength: p.strength,
            })
            .collect(),
        top_vouches: top,
        name: explanation.name,
    }))
}
