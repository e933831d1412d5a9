//! Vouches: recommending, or warning against, a provider for a trade.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::app::vouches::{self, VouchInput, VouchRow};
use crate::domain::{PersonId, ProviderId, Stance, Visibility};
use crate::error::ApiResult;
use crate::http::auth::{Caller, MaybeCaller};
use crate::http::extract::{Json, Path};
use crate::state::AppState;

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(set_vouch, revoke_vouch))
        .routes(routes!(list_vouches))
}

/// A vouch.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VouchBody {
    /// Recommend or warn.
    pub stance: Stance,
    /// What happened, at most 1,000 characters.
    #[serde(default)]
    pub note: String,
    /// Who may see it. Defaults to `public`: a vouch is usually meant to be seen.
    #[serde(default = "default_visibility")]
    pub visibility: Visibility,
}

fn default_visibility() -> Visibility {
    Visibility::Public
}

/// A vouch as shown on a provider's page.
#[derive(Serialize, ToSchema)]
pub struct VouchView {
    /// The voucher.
    pub person_id: PersonId,
    /// Their name.
    pub display_name: String,
    /// The provider.
    pub provider_id: ProviderId,
    /// The trade slug.
    pub trade: String,
    /// Recommend or warn.
    pub stance: Stance,
    /// The note.
    pub note: String,
    /// Who may see it.
    pub visibility: Visibility,
    /// When it was last set.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: time::OffsetDateTime,
}

/// Recommends or warns against a provider for a trade (replacing the caller's earlier vouch).
#[utoipa::path(put, path = "/v1/providers/{id}/vouches/{trade}", tag = "vouches", request_body = VouchBody,
    params(("id" = i64, Path, description = "The provider"), ("trade" = String, Path, description = "Trade slug")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "The vouch as stored", body = VouchView)))]
async fn set_vouch(
    State(state): State<AppState>,
    caller: Caller,
    Path((provider, slug)): Path<(ProviderId, String)>,
    Json(body): Json<VouchBody>,
) -> ApiResult<axum::Json<VouchView>> {
    let input = VouchInput {
        provider,
        trade: &slug,
        stance: body.stance,
        note: &body.note,
        visibility: body.visibility,
    };
    let stored = vouches::set_vouch(&state, caller.person, input).await?;
    Ok(axum::Json(vouch_view(provider, stored)))
}

/// Withdraws the caller's vouch for a provider in a trade.
#[utoipa::path(delete, path = "/v1/providers/{id}/vouches/{trade}", tag = "vouches",
    params(("id" = i64, Path, description = "The provider"), ("trade" = String, Path, description = "Trade slug")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 204, description = "Withdrawn")))]
async fn revoke_vouch(
    State(state): State<AppState>,
    caller: Caller,
    Path((provider, slug)): Path<(ProviderId, String)>,
) -> ApiResult<StatusCode> {
    vouches::withdraw_vouch(&state, caller.person, provider, &slug).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The vouches for a provider that the caller may see: public ones, their own, and network
/// ones from people who trust the caller directly.
#[utoipa::path(get, path = "/v1/providers/{id}/vouches", tag = "vouches",
    params(("id" = i64, Path, description = "The provider")),
    security((), ("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "Visible vouches", body = Vec<VouchView>)))]
async fn list_vouches(
    State(state): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    Path(provider): Path<ProviderId>,
) -> ApiResult<axum::Json<Vec<VouchView>>> {
    let rows = vouches::visible(&state, provider, caller.map(|c| c.person)).await?;
    Ok(axum::Json(
        rows.into_iter().map(|r| vouch_view(provider, r)).collect(),
    ))
}

fn vouch_view(provider: ProviderId, r: VouchRow) -> VouchView {
    VouchView {
        person_id: r.person_id,
        display_name: r.display_name,
        provider_id: provider,
        trade: r.trade,
        stance: r.stance,
        note: r.note,
        visibility: r.visibility,
        updated_at: r.updated_at,
    }
}
