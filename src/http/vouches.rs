//! Vouches: recommending, or warning against, a provider for a trade.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::domain::values::parse_note;
use crate::domain::{PersonId, ProviderId, Stance, TradeId, Visibility};
use crate::error::{ApiError, ApiResult};
use crate::feed::GraphChange;
use crate::http::auth::{Caller, MaybeCaller};
use crate::http::extract::{Json, Path};
use crate::state::AppState;
use crate::store;

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

/// Checks that the provider exists and offers the trade; returns the trade's id.
async fn provider_trade(
    state: &AppState,
    tx: &mut sqlx::PgConnection,
    provider: ProviderId,
    slug: &str,
) -> ApiResult<(PersonId, TradeId)> {
    let owner = store::providers::owner_for_update(tx, provider)
        .await?
        .ok_or(ApiError::NotFound("provider"))?;
    let trade = state.live.trade_by_slug(slug).ok_or_else(|| {
        ApiError::field(
            "trade",
            format!("unknown trade {slug:?}; see GET /v1/trades"),
        )
    })?;
    if !store::providers::trade_ids(&mut *tx, provider)
        .await?
        .contains(&trade)
    {
        return Err(ApiError::field(
            "trade",
            format!("this provider does not offer {slug:?}"),
        ));
    }
    Ok((owner, trade))
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
    let note = parse_note(&body.note).map_err(|m| ApiError::field("note", m))?;
    let mut tx = state.pool.begin().await?;
    let (owner, trade) = provider_trade(&state, &mut tx, provider, &slug).await?;
    if owner == caller.person {
        return Err(ApiError::Forbidden(
            "you cannot vouch for your own business".into(),
        ));
    }
    store::vouches::set(
        &mut tx,
        caller.person,
        provider,
        trade,
        body.stance,
        &note,
        body.visibility,
    )
    .await?;
    // The voucher's track record weighs this vouch as it weighs all of theirs.
    let strength = store::track_records::strength_of(&mut *tx, caller.person).await?;
    // For partners' webhooks (src/webhooks), in this transaction: sent only for public vouches.
    let event = serde_json::json!({
        "person_id": caller.person, "provider_id": provider, "trade": slug,
        "stance": body.stance.as_str(), "note": note, "visibility": body.visibility.as_str(),
    });
    store::notifications::outbox(&mut tx, "vouch.created", &event).await?;
    let change = GraphChange::VouchSet {
        person: caller.person,
        provider,
        trade,
        stance: body.stance,
        visibility: body.visibility,
        note,
        strength,
    };
    store::changes::record(&mut tx, Some(caller.person), &change).await?;
    tx.commit().await?;
    state.live.catch_up_after_write(&state.pool).await;

    let mine = store::vouches::visible_for_provider(&state.pool, provider, Some(caller.person))
        .await?
        .into_iter()
        .find(|v| v.person_id == caller.person && v.trade == slug)
        .ok_or(ApiError::NotFound("vouch"))?;
    Ok(axum::Json(vouch_view(provider, mine)))
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
    let mut tx = state.pool.begin().await?;
    let (_, trade) = provider_trade(&state, &mut tx, provider, &slug).await?;
    // Whether it was public decides whether partners' webhooks may hear of its withdrawal.
    let was_public = store::vouches::visible_for_provider(&mut *tx, provider, None)
        .await?
        .iter()
        .any(|v| v.person_id == caller.person && v.trade == slug);
    if !store::vouches::revoke(&mut tx, caller.person, provider, trade).await? {
        return Err(ApiError::NotFound("vouch"));
    }
    let visibility = if was_public { "public" } else { "restricted" };
    let event = serde_json::json!({
        "person_id": caller.person, "provider_id": provider, "trade": slug, "visibility": visibility,
    });
    store::notifications::outbox(&mut tx, "vouch.revoked", &event).await?;
    let change = GraphChange::VouchRevoke {
        person: caller.person,
        provider,
        trade,
    };
    store::changes::record(&mut tx, Some(caller.person), &change).await?;
    tx.commit().await?;
    state.live.catch_up_after_write(&state.pool).await;
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
    if store::providers::get(&state.pool, provider)
        .await?
        .is_none()
    {
        return Err(ApiError::NotFound("provider"));
    }
    let rows =
        store::vouches::visible_for_provider(&state.pool, provider, caller.map(|c| c.person))
            .await?;
    Ok(axum::Json(
        rows.into_iter().map(|r| vouch_view(provider, r)).collect(),
    ))
}

fn vouch_view(provider: ProviderId, r: store::vouches::VouchRow) -> VouchView {
    VouchView {
        person_id: r.person_id,
        display_name: r.display_name,
        provider_id: provider,
        trade: r.trade,
        stance: Stance::parse(&r.stance).unwrap_or(Stance::Warn),
        note: r.note,
        visibility: Visibility::parse(&r.visibility).unwrap_or(Visibility::Private),
        updated_at: r.updated_at,
    }
}
