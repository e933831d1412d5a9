//! Trust: how much one person trusts another, and who may see it; the people one trusts.

use crate::domain::GraphChange;
use crate::domain::{PersonId, TrustLevel, Visibility};
use crate::state::AppState;
use crate::store;
/// A trust edge as its truster sees it; adapters name it through here.
pub use crate::store::trust::TrustRow;

use super::{AppError, AppResult};

/// The most people one person may trust. Nobody knows five thousand people well enough to
/// vouch for their judgement, and the cap bounds what one seeker's search costs: the seeker's
/// walk touches at most this many first steps, and its explanations' path search starts from
/// them (docs/security.md). Imported networks (`vouchgraph import`) are not capped.
pub const MOST_TRUSTED: i64 = 5_000;

/// Sets `truster`'s trust in `trustee` (creating or changing the edge) and returns the edge as
/// stored. The history records `trust.set`; trust is private to the graph, so partners'
/// webhooks hear nothing of it.
pub async fn set_trust(
    state: &AppState,
    truster: PersonId,
    trustee: PersonId,
    level: TrustLevel,
    visibility: Visibility,
) -> AppResult<TrustRow> {
    if trustee == truster {
        return Err(AppError::field("person_id", "you cannot trust yourself"));
    }
    let mut tx = state.pool.begin().await?;
    if !store::people::exists(&mut *tx, trustee).await? {
        return Err(AppError::NotFound("person"));
    }
    // Counted under a lock on the truster, so two racing requests cannot both pass the cap.
    store::trust::lock_truster(&mut tx, truster).await?;
    let (given, already) = store::trust::given_and_whether(&mut tx, truster, trustee).await?;
    if !already && given >= MOST_TRUSTED {
        return Err(AppError::Conflict(format!(
            "you already trust {MOST_TRUSTED} people, the most anyone may; revoke some first"
        )));
    }
    store::trust::set(&mut tx, truster, trustee, level, visibility).await?;
    let stored = store::trust::list_from(&mut *tx, truster)
        .await?
        .into_iter()
        .find(|row| row.trustee_id == trustee)
        .ok_or(AppError::NotFound("trust edge"))?;
    let change = GraphChange::TrustSet {
        truster,
        trustee,
        level,
        visibility,
    };
    store::changes::record(&mut tx, Some(truster), &change).await?;
    tx.commit().await?;
    state.live.catch_up_after_write(&state.pool).await;
    Ok(stored)
}

/// Revokes `truster`'s trust in `trustee`. The history records `trust.revoke`, keeping the
/// edge that was.
pub async fn revoke_trust(state: &AppState, truster: PersonId, trustee: PersonId) -> AppResult<()> {
    let mut tx = state.pool.begin().await?;
    if !store::trust::revoke(&mut tx, truster, trustee).await? {
        return Err(AppError::NotFound("trust edge"));
    }
    let change = GraphChange::TrustRevoke { truster, trustee };
    store::changes::record(&mut tx, Some(truster), &change).await?;
    tx.commit().await?;
    state.live.catch_up_after_write(&state.pool).await;
    Ok(())
}

/// Everyone `truster` trusts, with the level and visibility of each edge: their own edges, so
/// all of them, whatever their visibility.
pub async fn list(state: &AppState, truster: PersonId) -> AppResult<Vec<TrustRow>> {
    Ok(store::trust::list_from(&state.pool, truster).await?)
}
