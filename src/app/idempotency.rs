//! Doing a request's work once when it is sent again: a form reloaded, a call retried with its
//! `Idempotency-Key`. The key is claimed (or the answer stored) in the same transaction as the
//! work, so two requests racing with one key do the work once.

use crate::domain::PersonId;
use crate::state::AppState;
use crate::store;

use super::AppResult;

/// Claims `key` for `person` once: true the first time, false for every repeat (a reloaded
/// form that would otherwise do its work again). Nothing of the work is stored with it.
pub async fn claim(state: &AppState, person: PersonId, key: &str) -> AppResult<bool> {
    Ok(store::idempotency::claim(&state.pool, person, key).await?)
}
