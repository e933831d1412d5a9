//! A person's notifications: reading them marks them read, on every channel the same way.

use crate::domain::PersonId;
use crate::state::AppState;
use crate::store;
/// A notification as stored; adapters name it through here.
pub use crate::store::notifications::NotificationRow;

use super::error::{AppError, AppResult};

/// Opens the inbox: the newest `limit` notifications, and those of them that were unread are
/// read from now on. They are returned as they were before (unread ones still say so), so the
/// page can show them as new this once; those beyond the page stay unread until listed.
///
/// # Errors
/// The database failed.
pub async fn open_inbox(
    state: &AppState,
    person: PersonId,
    limit: i64,
) -> AppResult<Vec<NotificationRow>> {
    let listed = store::notifications::list(&state.pool, person, false, None, limit).await?;
    let unread: Vec<i64> = listed
        .iter()
        .filter(|n| n.read_at.is_none())
        .map(|n| n.id)
        .collect();
    store::notifications::mark_listed_read(&state.pool, person, &unread).await?;
    Ok(listed)
}

/// Marks one of the person's notifications read.
///
/// # Errors
/// [`AppError::NotFound`] when it is not theirs or does not exist (the same answer for both,
/// so nobody learns which ids are someone else's).
pub async fn read_one(state: &AppState, person: PersonId, id: i64) -> AppResult<()> {
    if store::notifications::mark_read(&state.pool, person, id).await? {
        Ok(())
    } else {
        Err(AppError::NotFound("notification"))
    }
}

/// Marks every notification of the person read; returns how many were unread.
///
/// # Errors
/// The database failed.
pub async fn read_all(state: &AppState, person: PersonId) -> AppResult<u64> {
    Ok(store::notifications::mark_all_read(&state.pool, person).await?)
}

/// A page of the person's notifications, newest first, before the id `before`, at most
/// `limit`; only the unread ones when `unread_only`. Listing them reads nothing: only opening
/// the inbox ([`open_inbox`]) or marking them does.
pub async fn list(
    state: &AppState,
    person: PersonId,
    unread_only: bool,
    before: Option<i64>,
    limit: i64,
) -> AppResult<Vec<NotificationRow>> {
    Ok(store::notifications::list(&state.pool, person, unread_only, before, limit).await?)
}

/// How many of the person's notifications are unread, counting at most `at_most` (a badge
/// needs no more).
pub async fn unread_count(state: &AppState, person: PersonId, at_most: i64) -> AppResult<usize> {
    Ok(list(state, person, true, None, at_most).await?.len())
}
