//! Trust edges.

use sqlx::{PgConnection, PgExecutor};

use crate::domain::{PersonId, TrustLevel, Visibility};

/// Creates or replaces the edge `truster -> trustee`.
pub async fn set(
    tx: &mut PgConnection,
    truster: PersonId,
    trustee: PersonId,
    level: TrustLevel,
    visibility: Visibility,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into trust_edges (truster_id, trustee_id, level, visibility) values ($1, $2, $3, $4)
         on conflict (truster_id, trustee_id)
         do update set level = excluded.level, visibility = excluded.visibility, updated_at = now()",
    )
    .bind(truster)
    .bind(trustee)
    .bind(level.get() as i16)
    .bind(visibility.as_str())
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Deletes the edge; returns whether there was one.
pub async fn revoke(
    tx: &mut PgConnection,
    truster: PersonId,
    trustee: PersonId,
) -> sqlx::Result<bool> {
    let done = sqlx::query("delete from trust_edges where truster_id = $1 and trustee_id = $2")
        .bind(truster)
        .bind(trustee)
        .execute(&mut *tx)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// An edge as its owner sees it.
#[derive(sqlx::FromRow)]
pub struct TrustRow {
    /// Whom the owner trusts.
    pub trustee_id: PersonId,
    /// Their name.
    pub display_name: String,
    /// The level, 1..3.
    pub level: i16,
    /// The visibility name.
    pub visibility: String,
    /// When it was last set.
    pub updated_at: time::OffsetDateTime,
}

/// The edges `truster` has made, newest first.
pub async fn list_from(db: impl PgExecutor<'_>, truster: PersonId) -> sqlx::Result<Vec<TrustRow>> {
    sqlx::query_as(
        "select t.trustee_id, p.display_name, t.level, t.visibility, t.updated_at
         from trust_edges t join people p on p.id = t.trustee_id
         where t.truster_id = $1 order by t.updated_at desc, t.trustee_id",
    )
    .bind(truster)
    .fetch_all(db)
    .await
}

/// Locks the truster's row until the transaction ends, so edges they add are counted one
/// request at a time. `no key update`: a new edge's foreign key takes a key-share lock on its
/// trustee, which a full `for update` would block, so Ana -> Ben beside Ben -> Ana deadlocked.
pub async fn lock_truster(tx: &mut PgConnection, truster: PersonId) -> sqlx::Result<()> {
    sqlx::query("select 1 from people where id = $1 for no key update")
        .bind(truster)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// How many people `truster` trusts, and whether `trustee` is one of them.
pub async fn given_and_whether(
    tx: &mut PgConnection,
    truster: PersonId,
    trustee: PersonId,
) -> sqlx::Result<(i64, bool)> {
    sqlx::query_as(
        "select count(*), coalesce(bool_or(trustee_id = $2), false) from trust_edges
         where truster_id = $1",
    )
    .bind(truster)
    .bind(trustee)
    .fetch_one(&mut *tx)
    .await
}

/// Every trust edge a person gave or received, as (truster, trustee).
pub async fn edges_touching(
    db: impl PgExecutor<'_>,
    person: PersonId,
) -> sqlx::Result<Vec<(PersonId, PersonId)>> {
    sqlx::query_as(
        "select truster_id, trustee_id from trust_edges where truster_id = $1 or trustee_id = $1",
    )
    .bind(person)
    .fetch_all(db)
    .await
}

/// Every distrust edge a person gave or received, as (truster, trustee).
pub async fn distrust_edges_touching(
    db: impl PgExecutor<'_>,
    person: PersonId,
) -> sqlx::Result<Vec<(PersonId, PersonId)>> {
    sqlx::query_as(
        "select truster_id, trustee_id from distrust_edges
         where truster_id = $1 or trustee_id = $1",
    )
    .bind(person)
    .fetch_all(db)
    .await
}
