//! Vouching: recommending, or warning against, a provider for one of its trades, and
//! withdrawing that vouch.

use sqlx::PgConnection;

use crate::domain::values::parse_note;
use crate::domain::GraphChange;
use crate::domain::{PersonId, ProviderId, Stance, TradeId, Visibility};
use crate::state::AppState;
use crate::store;
/// A vouch as listed; adapters name it through here.
pub use crate::store::vouches::{PublicVouch, VouchRow};

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
    let mut tx = state.pool.begin().await?;
    let stored = set_vouch_in(state, &mut tx, voucher, input).await?;
    tx.commit().await?;
    state.live.catch_up_after_write(&state.pool).await;
    Ok(stored)
}

/// [`set_vouch`] inside the caller's transaction (an answer to a request that is also a
/// vouch); the caller commits, then brings the live graph up to date.
pub async fn set_vouch_in(
    state: &AppState,
    tx: &mut sqlx::PgConnection,
    voucher: PersonId,
    input: VouchInput<'_>,
) -> AppResult<VouchRow> {
    let note = parse_note(input.note).map_err(|m| AppError::field("note", m))?;
    let (owner, trade) = provider_trade(state, &mut *tx, input.provider, input.trade).await?;
    if owner == voucher {
        return Err(AppError::Forbidden(
            "you cannot vouch for your own business".into(),
        ));
    }
    let was_public = store::vouches::is_public(&mut *tx, voucher, input.provider, trade).await?;
    store::vouches::set(
        &mut *tx,
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
    // A public vouch made network-only or private leaves partners' view: they hear that it
    // is gone (as if withdrawn), and nothing of what it now says.
    if was_public && input.visibility != Visibility::Public {
        announce_gone(&mut *tx, voucher, input.provider, input.trade, true).await?;
    }
    let shown = Shown {
        stance: input.stance.as_str(),
        note: &note,
        visibility: input.visibility.as_str(),
    };
    announce(&mut *tx, voucher, input.provider, input.trade, shown).await?;
    let change = GraphChange::VouchSet {
        person: voucher,
        provider: input.provider,
        trade,
        stance: input.stance,
        visibility: input.visibility,
        note,
        strength,
    };
    store::changes::record(&mut *tx, Some(voucher), &change).await?;
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
    let was_public = store::vouches::is_public(&mut *tx, voucher, provider, trade).await?;
    if !store::vouches::revoke(&mut tx, voucher, provider, trade).await? {
        return Err(AppError::NotFound("vouch"));
    }
    announce_gone(&mut tx, voucher, provider, trade_slug, was_public).await?;
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

/// What a vouch says, as partners may be told it.
pub(super) struct Shown<'a> {
    pub(super) stance: &'a str,
    pub(super) note: &'a str,
    pub(super) visibility: &'a str,
}

/// Partners' `vouch.created`: the vouch as it now stands (the worker sends it only when it is
/// public).
pub(super) async fn announce(
    tx: &mut PgConnection,
    voucher: PersonId,
    provider: ProviderId,
    trade: &str,
    shown: Shown<'_>,
) -> AppResult<()> {
    let event = serde_json::json!({
        "person_id": voucher, "provider_id": provider, "trade": trade,
        "stance": shown.stance, "note": shown.note, "visibility": shown.visibility,
    });
    store::notifications::outbox(tx, "vouch.created", &event).await?;
    Ok(())
}

/// Partners' `vouch.revoked`: the vouch is gone from their view, marked `public` only when they
/// could see it (so a restricted vouch's withdrawal reveals nothing), and nothing of its content.
pub(super) async fn announce_gone(
    tx: &mut PgConnection,
    voucher: PersonId,
    provider: ProviderId,
    trade: &str,
    was_public: bool,
) -> AppResult<()> {
    let event = serde_json::json!({
        "person_id": voucher, "provider_id": provider, "trade": trade,
        "visibility": if was_public { "public" } else { "restricted" },
    });
    store::notifications::outbox(tx, "vouch.revoked", &event).await?;
    Ok(())
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

/// How many public vouches a provider's badge shows.
pub const TOP_PUBLIC: i64 = 3;

/// A provider's strongest public vouches (in one trade, or all), at most [`TOP_PUBLIC`]:
/// recommendations first, then by how many people publicly trust the voucher. Public only,
/// whoever asks, as the partner's badge widget shows them.
pub async fn top_public(
    state: &AppState,
    provider: ProviderId,
    trade: Option<TradeId>,
) -> AppResult<Vec<PublicVouch>> {
    Ok(store::vouches::top_public(&state.pool, provider, trade, TOP_PUBLIC).await?)
}

/// The vouches for `provider` that `viewer` (anyone, when `None`) may see: public ones, the
/// viewer's own, and network ones whose voucher trusts the viewer directly (by an edge that is
/// not private), newest first. [`AppError::NotFound`] when there is no such provider.
pub async fn visible(
    state: &AppState,
    provider: ProviderId,
    viewer: Option<PersonId>,
) -> AppResult<Vec<VouchRow>> {
    // The store, not `providers::profile`: providers.rs announces vouches through this file,
    // and the two should not lean on each other.
    store::providers::get(&state.pool, provider)
        .await?
        .ok_or(AppError::NotFound("provider"))?;
    Ok(store::vouches::visible_for_provider(&state.pool, provider, viewer).await?)
}
