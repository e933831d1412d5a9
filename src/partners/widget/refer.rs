//! The `refer` widget: `GET /v1/widget/refer`, the provider and whether the visitor may refer
//! it; `POST /v1/widget/referrals`, a referral sent in the visitor's name, attributed to the
//! partner.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::referrals::{self, Recipient, ReferralInput};
use crate::app::{partners, providers};
use crate::domain::{Email, ProviderId, ReferralId};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{Json, Query};
use crate::partners::auth::{embed_visitor, WidgetKey};
use crate::partners::embed::SCOPE_REFER;
use crate::state::AppState;

use super::seeker;

/// Which provider to refer.
#[derive(Deserialize, IntoParams)]
pub struct ReferParams {
    /// The provider.
    pub provider: ProviderId,
}

/// A trade a provider offers.
#[derive(Serialize, ToSchema)]
pub struct TradeOption {
    /// The slug.
    pub slug: String,
}

/// What the `refer` widget needs to show its form.
#[derive(Serialize, ToSchema)]
pub struct ReferContext {
    /// The provider.
    pub provider_id: ProviderId,
    /// Its name.
    pub name: String,
    /// The trades it offers.
    pub trades: Vec<TradeOption>,
    /// Whether the visitor may refer (an embed token with the `refer` scope was sent).
    pub can_refer: bool,
}

/// The provider and whether the visitor may refer it, for the `refer` widget.
#[utoipa::path(get, path = "/v1/widget/refer", tag = "widgets", params(ReferParams,
        ("X-Vouchgraph-Embed-Token" = Option<String>, Header, description = "A visitor's embed token")),
    security(("pk" = []), ("sk" = [])),
    responses((status = 200, description = "The form's context", body = ReferContext)))]
pub(super) async fn refer_context(
    State(state): State<AppState>,
    WidgetKey(key): WidgetKey,
    headers: HeaderMap,
    Query(params): Query<ReferParams>,
) -> ApiResult<axum::Json<ReferContext>> {
    let visitor = embed_visitor(&state, &headers, &key).await?;
    let provider = providers::profile(&state, params.provider).await?;
    let trades = providers::offered_trades(&state, params.provider)
        .await?
        .into_iter()
        .map(|slug| TradeOption { slug })
        .collect();
    if !key.preview {
        partners::widget_shown(&state, key.partner, "refer").await?;
    }
    Ok(axum::Json(ReferContext {
        provider_id: params.provider,
        name: provider.name,
        trades,
        can_refer: visitor.is_some_and(|c| c.allows(SCOPE_REFER)),
    }))
}

/// A referral from a widget.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WidgetReferralBody {
    /// The provider.
    pub provider_id: ProviderId,
    /// The trade slug.
    pub trade: String,
    /// Who to refer them to: an email (they get the referral when they sign up, or at once
    /// if they have an account).
    pub recipient_email: String,
    /// A note, at most 1,000 characters.
    #[serde(default)]
    pub note: String,
}

/// A referral sent.
#[derive(Serialize, ToSchema)]
pub struct WidgetReferralView {
    /// The referral.
    pub referral_id: ReferralId,
    /// `sent`.
    pub status: String,
}

/// Sends a referral in the visitor's name, attributed to the partner. Needs the visitor's
/// embed token with the `refer` scope: a key alone cannot write.
#[utoipa::path(post, path = "/v1/widget/referrals", tag = "widgets", request_body = WidgetReferralBody,
    params(("X-Vouchgraph-Embed-Token" = String, Header, description = "The visitor's embed token (scope refer)")),
    security(("pk" = []), ("sk" = [])),
    responses((status = 201, description = "Sent", body = WidgetReferralView)))]
pub(super) async fn refer(
    State(state): State<AppState>,
    WidgetKey(key): WidgetKey,
    headers: HeaderMap,
    Json(body): Json<WidgetReferralBody>,
) -> ApiResult<(StatusCode, axum::Json<WidgetReferralView>)> {
    let visitor = seeker(&state, &headers, &key, SCOPE_REFER)
        .await?
        .ok_or_else(|| {
            ApiError::Unauthorized("a referral needs the visitor's embed token".into())
        })?;
    let referral = referrals::check(
        &state,
        ReferralInput {
            provider: body.provider_id,
            trade: &body.trade,
            note: &body.note,
            recipient: Email::parse(&body.recipient_email).map(Recipient::Email),
            recipient_field: "recipient_email",
            partner: Some(key.partner),
        },
    )?;
    let id = referrals::send_now(&state, visitor.person, &referral)
        .await?
        .row
        .id;
    Ok((
        StatusCode::CREATED,
        axum::Json(WidgetReferralView {
            referral_id: id,
            status: "sent".into(),
        }),
    ))
}
