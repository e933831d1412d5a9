//! The widget API: what `widget.js` reads and sends. A partner key (publishable from the
//! partner's allowed origins, or secret from its server) reads public data; with a visitor's
//! embed token the same calls answer for that visitor (their ranking and trust paths), and a
//! referral can be sent in their name, attributed to the partner.
//!
//! | file | what |
//! |---|---|
//! | `mod.rs` | the router, behind the widget CORS policy, and what the widgets share: the visitor's embed token, the trade, trust paths and counts as the widgets show them |
//! | `badge.rs` | `GET /v1/widget/badge`: a provider's trust summary |
//! | `list.rs` | `GET /v1/widget/list`: the top providers for a trade near a place |
//! | `refer.rs` | `GET /v1/widget/refer`, `POST /v1/widget/referrals`: the refer form, and a referral sent |
//! | `ask.rs` | `GET /v1/widget/ask`, `POST /v1/widget/requests`: the ask form, and a request asked |

mod ask;
mod badge;
mod list;
mod refer;

use axum::http::HeaderMap;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::domain::TradeId;
use crate::error::{ApiError, ApiResult};
use crate::graph::VouchCounts;
use crate::state::AppState;

use super::auth::{embed_visitor, preflight, widget_cors};
use super::embed::EmbedClaims;

// The request and response types keep their paths under `partners::widget`.
pub use ask::{AskContext, AskTrade, WidgetAskBody, WidgetAskedView};
pub use badge::{BadgeParams, BadgeView, WidgetVouch};
pub use list::{ListItem, ListParams, ListView};
pub use refer::{ReferContext, ReferParams, TradeOption, WidgetReferralBody, WidgetReferralView};

/// The routes of this module, behind the widget CORS policy.
pub fn router() -> OpenApiRouter<AppState> {
    let preflight = || axum::routing::options(preflight);
    OpenApiRouter::new()
        .routes(routes!(badge::badge))
        .routes(routes!(list::list))
        .routes(routes!(refer::refer_context))
        .routes(routes!(refer::refer))
        .routes(routes!(ask::ask_context))
        .routes(routes!(ask::ask))
        .route("/v1/widget/ask", preflight())
        .route("/v1/widget/requests", preflight())
        .route("/v1/widget/badge", preflight())
        .route("/v1/widget/list", preflight())
        .route("/v1/widget/refer", preflight())
        .route("/v1/widget/referrals", preflight())
        .layer(axum::middleware::from_fn(widget_cors))
}

/// The visitor, when the embed token allows `scope`.
async fn seeker(
    state: &AppState,
    headers: &HeaderMap,
    key: &super::auth::PartnerKey,
    scope: &str,
) -> ApiResult<Option<EmbedClaims>> {
    let claims = embed_visitor(state, headers, key).await?;
    match claims {
        Some(c) if !c.allows(scope) => Err(ApiError::Forbidden(format!(
            "this embed token does not allow {scope:?}"
        ))),
        other => Ok(other),
    }
}

fn trade(state: &AppState, slug: Option<&str>) -> ApiResult<Option<TradeId>> {
    match slug {
        None => Ok(None),
        Some(slug) => state.live.trade_by_slug(slug).map(Some).ok_or_else(|| {
            ApiError::field(
                "trade",
                format!("unknown trade {slug:?}; see GET /v1/trades"),
            )
        }),
    }
}

/// A trust path, in words.
#[derive(Serialize, ToSchema)]
pub struct WidgetPath {
    /// "you → Matt Hughes → recommends Rossi Tiling".
    pub text: String,
    /// How much of the visitor's trust reaches the voucher (0 to 1).
    pub strength: f64,
}

/// Counts for the badge and the list.
#[derive(Serialize, ToSchema)]
pub struct WidgetCounts {
    /// Public recommendations.
    pub recommend: u32,
    /// Public warnings.
    pub warn: u32,
    /// Recommendations from the visitor's network (personalized only).
    pub network_recommend: Option<u32>,
    /// Warnings from the visitor's network (personalized only).
    pub network_warn: Option<u32>,
}

fn counts(personal: bool, c: &VouchCounts) -> WidgetCounts {
    WidgetCounts {
        recommend: c.public_recommend,
        warn: c.public_warn,
        network_recommend: personal.then_some(c.network_recommend),
        network_warn: personal.then_some(c.network_warn),
    }
}
