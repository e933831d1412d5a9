//! Doing a request's work once when it is sent again: a form reloaded, a call retried with its
//! `Idempotency-Key`. The key is claimed (or the answer stored) in the same transaction as the
//! work, so two requests racing with one key do the work once.

use sqlx::PgConnection;

use crate::domain::PersonId;
use crate::state::AppState;
use crate::store;

use super::{AppError, AppResult};

/// Claims `key` for `person` once: true the first time, false for every repeat (a reloaded
/// form that would otherwise do its work again). Nothing of the work is stored with it.
pub async fn claim(state: &AppState, person: PersonId, key: &str) -> AppResult<bool> {
    Ok(store::idempotency::claim(&state.pool, person, key).await?)
}

/// The answer stored for a request made before with the same key.
pub struct Replay {
    /// Its status.
    pub status: u16,
    /// Its body.
    pub body: serde_json::Value,
}

/// The answer `person` got for the request they sent before with `key`, if they did: a retry
/// gets it back instead of doing the work again. The same key with another body (another
/// `request_hash`) is refused, as an invalid `Idempotency-Key`.
pub async fn replay(
    state: &AppState,
    person: PersonId,
    key: &str,
    request_hash: &[u8],
) -> AppResult<Option<Replay>> {
    let Some(stored) = store::idempotency::find(&state.pool, person, key).await? else {
        return Ok(None);
    };
    if stored.request_hash != request_hash {
        return Err(AppError::field(
            "Idempotency-Key",
            "this key was already used with a different body",
        ));
    }
    Ok(Some(Replay {
        status: stored.status,
        body: stored.body,
    }))
}

/// Stores the answer to a request sent with `key`, in the transaction of the work it
/// describes. A concurrent request with the same key fails on the primary key (a conflict),
/// and its caller replays the winner's answer.
pub(super) async fn remember(
    tx: &mut PgConnection,
    person: PersonId,
    key: &str,
    request_hash: &[u8],
    status: u16,
    body: &serde_json::Value,
) -> AppResult<()> {
    Ok(store::idempotency::store(tx, person, key, request_hash, status, body).await?)
}
