//! Sessions: opaque tokens stored only as their SHA-256.

use sqlx::PgExecutor;
use time::OffsetDateTime;

use crate::domain::PersonId;

/// Stores a new session.
pub async fn create(
    db: impl PgExecutor<'_>,
    token_hash: &[u8],
    person: PersonId,
    csrf_token: &str,
    expires_at: OffsetDateTime,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into sessions (token_hash, person_id, csrf_token, expires_at) values ($1, $2, $3, $4)",
    )
    .bind(token_hash)
    .bind(person)
    .bind(csrf_token)
    .bind(expires_at)
    .execute(db)
    .await?;
    Ok(())
}

/// Finds the live (unexpired) session with this token hash: its person and CSRF token.
pub async fn find_live(
    db: impl PgExecutor<'_>,
    token_hash: &[u8],
) -> sqlx::Result<Option<(PersonId, String, OffsetDateTime)>> {
    sqlx::query_as(
        "select person_id, csrf_token, expires_at from sessions
         where token_hash = $1 and expires_at > now()",
    )
    .bind(token_hash)
    .fetch_optional(db)
    .await
}

/// Revokes one session server-side.
pub async fn delete(db: impl PgExecutor<'_>, token_hash: &[u8]) -> sqlx::Result<bool> {
    let done = sqlx::query("delete from sessions where token_hash = $1")
        .bind(token_hash)
        .execute(db)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Removes expired sessions; run periodically so the table does not grow forever.
pub async fn delete_expired(db: impl PgExecutor<'_>) -> sqlx::Result<u64> {
    Ok(
        sqlx::query("delete from sessions where expires_at <= now()")
            .execute(db)
            .await?
            .rows_affected(),
    )
}

/// The token hashes of every session a person has open.
pub async fn token_hashes_of(
    db: impl PgExecutor<'_>,
    person: PersonId,
) -> sqlx::Result<Vec<Vec<u8>>> {
    sqlx::query_scalar("select token_hash from sessions where person_id = $1")
        .bind(person)
        .fetch_all(db)
        .await
}
