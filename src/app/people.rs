//! People as others see them: a public profile, and finding someone by name. Only public
//! edges are counted or shown, and a search shows the searcher nothing private of anyone
//! else's (the rules are in the queries of `store/people.rs`).

use crate::domain::PersonId;
use crate::state::AppState;
use crate::store;

use super::{AppError, AppResult};

/// A public profile; someone found by name; someone found by name as the searcher sees them.
/// Adapters name them through here.
pub use crate::store::people::{NamedHit, PersonHit, ProfileRow};

/// A person's public profile, if there is such a person.
pub async fn find(state: &AppState, id: PersonId) -> AppResult<Option<ProfileRow>> {
    Ok(store::people::profile(&state.pool, id).await?)
}

/// A person's public profile; [`AppError::NotFound`] when there is no such person.
pub async fn profile(state: &AppState, id: PersonId) -> AppResult<ProfileRow> {
    find(state, id).await?.ok_or(AppError::NotFound("person"))
}

/// People whose name contains `q` (any case), shortest names first, at most `limit`.
pub async fn search(state: &AppState, q: &str, limit: i64) -> AppResult<Vec<PersonHit>> {
    Ok(store::people::search(&state.pool, q, limit).await?)
}

/// People whose name contains `q`, as `searcher` sees them: each told apart from namesakes by
/// someone the searcher trusts who publicly trusts them, and by when they joined.
pub async fn search_for(
    state: &AppState,
    searcher: PersonId,
    q: &str,
    limit: i64,
) -> AppResult<Vec<NamedHit>> {
    Ok(store::people::search_for(&state.pool, searcher, q, limit).await?)
}
