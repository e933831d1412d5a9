//! Finding the session a token opens: the one lookup both the API's caller extractor and the
//! pages' visitor extractor make. Starting and ending sessions are use cases
//! (`app::sessions`); this only reads.

use sqlx::PgPool;
use time::OffsetDateTime;

use crate::domain::PersonId;
use crate::store;

/// A session that has not expired.
#[derive(Debug, Clone)]
pub struct LiveSession {
    /// Whose it is.
    pub person: PersonId,
    /// Its CSRF token, which cookie-authenticated writes must echo.
    pub csrf: String,
    /// When it ends.
    pub expires_at: OffsetDateTime,
}

/// The live session whose token hashes to `token_hash`, if there is one. The database is
/// always asked (a logout anywhere takes effect at once); the caller decides what a database
/// failure means for it.
pub async fn find_live(pool: &PgPool, token_hash: &[u8]) -> sqlx::Result<Option<LiveSession>> {
    Ok(store::sessions::find_live(pool, token_hash)
        .await?
        .map(|(person, csrf, expires_at)| LiveSession {
            person,
            csrf,
            expires_at,
        }))
}
