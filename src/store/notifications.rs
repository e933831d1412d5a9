//! The in-app inbox and the transactional outbox.

use sqlx::{PgConnection, PgExecutor};

use crate::domain::PersonId;

/// Adds a notification for `person` inside the caller's transaction.
pub async fn notify(
    tx: &mut PgConnection,
    person: PersonId,
    kind: &str,
    payload: &serde_json::Value,
) -> sqlx::Result<()> {
    sqlx::query("insert into notifications (person_id, kind, payload) values ($1, $2, $3)")
        .bind(person)
        .bind(kind)
        .bind(payload)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Appends an event to the outbox inside the caller's transaction: it exists if and only if
/// the change it describes committed.
pub async fn outbox(
    tx: &mut PgConnection,
    event_type: &str,
    payload: &serde_json::Value,
) -> sqlx::Result<()> {
    sqlx::query("insert into outbox_events (event_type, payload) values ($1, $2)")
        .bind(event_type)
        .bind(payload)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// A notification.
#[derive(sqlx::FromRow)]
pub struct NotificationRow {
    /// The notification.
    pub id: i64,
    /// What happened, e.g. `referral.received`.
    pub kind: String,
    /// The details.
    pub payload: serde_json::Value,
    /// When.
    pub created_at: time::OffsetDateTime,
    /// When it was read.
    pub read_at: Option<time::OffsetDateTime>,
}

/// A page of a person's notifications, newest first.
pub async fn list(
    db: impl PgExecutor<'_>,
    person: PersonId,
    unread_only: bool,
    before_id: Option<i64>,
    limit: i64,
) -> sqlx::Result<Vec<NotificationRow>> {
    sqlx::query_as(
        "select id, kind, payload, created_at, read_at from notifications
         where person_id = $1 and (not $2 or read_at is null) and ($3::bigint is null or id < $3)
         order by id desc limit $4",
    )
    .bind(person)
    .bind(unread_only)
    .bind(before_id)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Marks one notification read; false when it is not the person's.
pub async fn mark_read(db: impl PgExecutor<'_>, person: PersonId, id: i64) -> sqlx::Result<bool> {
    Ok(sqlx::query(
        "update notifications set read_at = coalesce(read_at, now()) where id = $1 and person_id = $2",
    )
    .bind(id)
    .bind(person)
    .execute(db)
    .await?
    .rows_affected()
        > 0)
}

/// Marks the person's notifications among `ids` read (others' ids change nothing).
pub async fn mark_listed_read(
    db: impl PgExecutor<'_>,
    person: PersonId,
    ids: &[i64],
) -> sqlx::Result<u64> {
    if ids.is_empty() {
        return Ok(0);
    }
    Ok(sqlx::query(
        "update notifications set read_at = now()
         where person_id = $1 and id = any($2) and read_at is null",
    )
    .bind(person)
    .bind(ids)
    .execute(db)
    .await?
    .rows_affected())
}

/// Marks all of a person's notifications read; returns how many changed.
pub async fn mark_all_read(db: impl PgExecutor<'_>, person: PersonId) -> sqlx::Result<u64> {
    Ok(sqlx::query(
        "update notifications set read_at = now() where person_id = $1 and read_at is null",
    )
    .bind(person)
    .execute(db)
    .await?
    .rows_affected())
}
