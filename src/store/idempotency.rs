//! Idempotency keys: a replayed request gets the original response.

use sqlx::{PgConnection, PgExecutor};

use crate::domain::PersonId;

/// A stored response.
pub struct Stored {
    /// SHA-256 of the original request body.
    pub request_hash: Vec<u8>,
    /// Its status code.
    pub status: u16,
    /// Its JSON body.
    pub body: serde_json::Value,
}

/// Finds the response stored for `(person, key)`.
pub async fn find(
    db: impl PgExecutor<'_>,
    person: PersonId,
    key: &str,
) -> sqlx::Result<Option<Stored>> {
    let row: Option<(Vec<u8>, i16, serde_json::Value)> = sqlx::query_as(
        "select request_hash, response_status, response_body from idempotency_keys
         where person_id = $1 and key = $2",
    )
    .bind(person)
    .bind(key)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|(request_hash, status, body)| Stored {
        request_hash,
        status: status as u16,
        body,
    }))
}

/// Claims `key` for `person` once: true the first time, false for every repeat (a reloaded
/// form that would otherwise do its work again). Nothing of the work is stored with it.
pub async fn claim(db: impl PgExecutor<'_>, person: PersonId, key: &str) -> sqlx::Result<bool> {
    let claimed = sqlx::query(
        "insert into idempotency_keys (person_id, key, request_hash, response_status, response_body)
         values ($1, $2, '', 200, '{}') on conflict do nothing",
    )
    .bind(person)
    .bind(key)
    .execute(db)
    .await?;
    Ok(claimed.rows_affected() == 1)
}

/// Stores the response in the same transaction as the work it describes. A concurrent request
/// with the same key fails on the primary key, and its caller replays the winner's response.
pub async fn store(
    tx: &mut PgConnection,
    person: PersonId,
    key: &str,
    request_hash: &[u8],
    status: u16,
    body: &serde_json::Value,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into idempotency_keys (person_id, key, request_hash, response_status, response_body)
         values ($1, $2, $3, $4, $5)",
    )
    .bind(person)
    .bind(key)
    .bind(request_hash)
    .bind(status as i16)
    .bind(body)
    .execute(&mut *tx)
    .await?;
    Ok(())
}
