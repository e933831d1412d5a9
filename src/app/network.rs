//! A person's trust neighbourhood two hops out, and the vouches in it, as they may see it:
//! their own edges, and others' edges that are public or (network ones) whose owner trusts
//! them directly. The rule is `graph/visibility.rs`'s, written in SQL in
//! `store/neighbourhood.rs`; the network page draws what this returns.

use crate::domain::PersonId;
use crate::state::AppState;
use crate::store;

use super::AppResult;

/// An edge of the second ring; a vouch by someone in the neighbourhood. Adapters name them
/// through here.
pub use crate::store::neighbourhood::{NearbyVouch, SecondHop};

/// The edges out of `first_ring` (people `seeker` trusts) that `seeker` may see, other than
/// those back to the seeker.
pub async fn second_hops(
    state: &AppState,
    seeker: PersonId,
    first_ring: &[PersonId],
) -> AppResult<Vec<SecondHop>> {
    Ok(store::neighbourhood::second_hops(&state.pool, seeker, first_ring).await?)
}

/// The vouches by `people` that `seeker` may see.
pub async fn vouches_by(
    state: &AppState,
    seeker: PersonId,
    people: &[PersonId],
) -> AppResult<Vec<NearbyVouch>> {
    Ok(store::neighbourhood::vouches_by(&state.pool, seeker, people).await?)
}
