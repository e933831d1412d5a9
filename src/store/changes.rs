//! Recording and reading the change feed (`graph_changes`).

use sqlx::{PgConnection, PgExecutor};

use crate::domain::GraphChange;
use crate::domain::PersonId;

/// The advisory-lock key that orders appends to `graph_changes` ("vouchgraph changes").
pub const CHANGES_LOCK: i64 = 7_001_001;

/// Takes the append lock for the rest of the caller's transaction. Every writer of
/// `graph_changes` (handlers, importers, the demo seeder) takes it right before appending, so
/// sequence numbers are handed out in commit order.
pub async fn lock_for_append(tx: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query("select pg_advisory_xact_lock($1)")
        .bind(CHANGES_LOCK)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Appends `change` inside the caller's transaction and returns its sequence number.
///
/// Call it as the last statement before commit: the advisory lock it takes is held until the
/// transaction ends, so sequence numbers are handed out in commit order and a follower that
/// has read up to seq N can never later see a smaller seq appear.
pub async fn record(
    tx: &mut PgConnection,
    actor: Option<PersonId>,
    change: &GraphChange,
) -> sqlx::Result<i64> {
    lock_for_append(tx).await?;
    let payload = serde_json::to_value(change).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    sqlx::query_scalar(
        "insert into graph_changes (kind, actor_id, payload) values ($1, $2, $3) returning seq",
    )
    .bind(change.kind())
    .bind(actor)
    .bind(payload)
    .fetch_one(&mut *tx)
    .await
}

/// Reads up to `limit` changes after `after_seq`, oldest first.
pub async fn since(
    db: impl PgExecutor<'_>,
    after_seq: i64,
    limit: i64,
) -> sqlx::Result<Vec<(i64, GraphChange)>> {
    let rows: Vec<(i64, serde_json::Value)> = sqlx::query_as(
        "select seq, payload from graph_changes where seq > $1 order by seq limit $2",
    )
    .bind(after_seq)
    .bind(limit)
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|(seq, payload)| {
            serde_json::from_value(payload)
                .map(|change| (seq, change))
                .map_err(|e| sqlx::Error::Decode(Box::new(e)))
        })
        .collect()
}

/// The newest sequence number, or 0 when the feed is empty.
pub async fn latest_seq(db: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar("select coalesce(max(seq), 0) from graph_changes")
        .fetch_one(db)
        .await
}
