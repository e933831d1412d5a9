//! Vouching: recommending, or warning against, a provider for one of its trades, and
//! withdrawing that vouch.

use sqlx::PgConnection;

use crate::domain::values::parse_note;
use crate::domain::{PersonId, ProviderId, Stance, TradeId, Visibility};
use crate::feed::GraphChange;
use crate::state::AppState;
use crate::store;
use crate::store::vouches::VouchRow;

use super::{AppError, AppResult};

/// A vouch as the voucher gives it, before validation.
pub struct VouchInput<'a> {
    /// The provider vouched for.
    pub provider: ProviderId,
    /// The trade's slug.
    pub trade: &'a str,
    /// Recommend or warn.
    pub stance: Stance,
    /// What happened, as typed.
    pub note: &'a str,
    /// Who may see the vouch.
    pub visibility: Visibility,
}

/// Sets `voucher`'s vouch for a provider in a trade, replacing their earlier one, and returns
/// it as stored.
///
/// Partners' webhooks hear of it as `vouch.created` (the worker sends it only to those allowed
/// to see it); the graph's history records it as `vouch.set`.
pub async fn set_vouch(
    state: &AppState,
    voucher: PersonId,
    input: VouchInput<'_>,
) -> AppResult<VouchRow> {
    let note = parse_note(input.note).map_err(|m| AppError::field("note", m))?;
    let mut tx = state.pool.begin().await?;
    let (owner, trade) = provider_trade(state, &mut tx, input.provider, input.trade).await?;
    if owner == voucher {
        return Err(AppError::Forbidden(
            "you cannot vouch for your own business".into(),
        ));
    }
    let was_public = is_public(&mut tx, voucher, input.provider, input.trade).await?;
    store::vouches::set(
        &mut tx,
        voucher,
        input.provider,
        trade,
        input.stance,
        &note,
        input.visibility,
    )
    .await?;
    let stored = store::vouches::visible_for_provider(&mut *tx, input.provider, Some(voucher))
        .await?
        .into_iter()
        .find(|v| v.person_id == voucher && v.trade == input.trade)
        .ok_or(AppError::NotFound("vouch"))?;
    // The voucher's track record weighs this vouch as it weighs all of theirs.
    let strength = store::track_records::strength_of(&mut *tx, voucher).await?;
    let event = serde_json::json!({
        "person_id": voucher, "provider_id": input.provider, "trade": input.trade,
        "stance": input.stance.as_str(), "note": note,
        "visibility": input.visibility.as_str(),
    });
    // A public vouch made network-only or private leaves partners' view: they hear that it
    // is gone (as if withdrawn), and nothing of what it now says.
    if was_public && input.visibility != Visibility::Public {
        let gone = serde_json::json!({
            "person_id": voucher, "provider_id": input.provider, "trade": input.trade,
            "visibility": "public",
        });
        store::notifications::outbox(&mut tx, "vouch.revoked", &gone).await?;
    }
    store::notifications::outbox(&mut tx, "vouch.created", &event).await?;
    let change = GraphChange::VouchSet {
        person: voucher,
        provider: input.provider,
        trade,
        stance: input.stance,
        visibility: input.visibility,
        note,
        strength,
    };
    store::changes::record(&mut tx, Some(voucher), &change).await?;
    tx.commit().await?;
    state.live.catch_up_after_write(&state.pool).await;
    Ok(stored)
}

/// Withdraws `voucher`'s vouch for a provider in a trade.
///
/// Partners' webhooks hear of it as `vouch.revoked`, marked `public` only when the vouch was
/// public (so a restricted vouch's withdrawal reveals nothing about it); the history records
/// `vouch.revoke`.
pub async fn withdraw_vouch(
    state: &AppState,
    voucher: PersonId,
    provider: ProviderId,
    trade_slug: &str,
) -> AppResult<()> {
    let mut tx = state.pool.begin().await?;
    // A vouch hidden because its provider dropped the trade is still its voucher's to
    // withdraw: only the provider and the trade need to exist.
    store::providers::owner_for_update(&mut tx, provider)
        .await?
        .ok_or(AppError::NotFound("provider"))?;
    let trade = state
        .live
        .trade_by_slug(trade_slug)
        .ok_or_else(|| AppError::field("trade", format!("unknown trade {trade_slug:?}")))?;
    let was_public = is_public(&mut tx, voucher, provider, trade_slug).await?;
    if !store::vouches::revoke(&mut tx, voucher, provider, trade).await? {
        return Err(AppError::NotFound("vouch"));
    }
    let visibility = if was_public { "public" } else { "restricted" };
    let event = serde_json::json!({
        "person_id": voucher, "provider_id": provider, "trade": trade_slug,
        "visibility": visibility,
    });
    store::notifications::outbox(&mut tx, "vouch.revoked", &event).await?;
    let change = GraphChange::VouchRevoke {
        person: voucher,
        provider,
        trade,
    };
    store::changes::record(&mut tx, Some(voucher), &change).await?;
    tx.commit().await?;
    state.live.catch_up_after_write(&state.pool).await;
    Ok(())
}

/// Whether `voucher`'s vouch for the provider in this trade is public now (and so seen by
/// partners).
async fn is_public(
    tx: &mut PgConnection,
    voucher: PersonId,
    provider: ProviderId,
    trade: &str,
) -> AppResult<bool> {
    Ok(
        store::vouches::visible_for_provider(&mut *tx, provider, None)
            .await?
            .iter()
            .any(|v| v.person_id == voucher && v.trade == trade),
    )
}

/// Checks that the provider exists and offers the trade; returns its owner and the trade. The
/// provider's row stays locked until the transaction ends, so an owner editing it waits.
async fn provider_trade(
    state: &AppState,
    tx: &mut PgConnection,
    provider: ProviderId,
    slug: &str,
) -> AppResult<(PersonId, TradeId)> {
    let owner = store::providers::owner_for_update(tx, provider)
        .await?
        .ok_or(AppError::NotFound("provider"))?;
    let trade = state
        .live
        .trade_by_slug(slug)
        .ok_or_else(|| AppError::field("trade", format!("unknown trade {slug:?}")))?;
    if !store::providers::trade_ids(&mut *tx, provider)
        .await?
        .contains(&trade)
    {
        return Err(AppError::field(
            "trade",
            format!("this provider does not offer {slug:?}"),
        ));
    }
    Ok((owner, trade))
}
