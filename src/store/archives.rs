//! Data archives built in the background and downloaded once (`export_archives`, migration
//! 0019; the use case is `app::export`).

use serde_json::Value;
use sqlx::{PgConnection, PgExecutor};

use crate::domain::PersonId;

/// An archive request as its owner sees it (never the archive itself).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ArchiveRow {
    /// The request.
    pub id: i64,
    /// `building`, `ready` or `downloaded`.
    pub status: String,
    /// The archive's size in bytes, once built.
    pub bytes: Option<i64>,
    /// When it was asked for.
    pub requested_at: time::OffsetDateTime,
    /// When it was built.
    pub ready_at: Option<time::OffsetDateTime>,
    /// When it was downloaded.
    pub downloaded_at: Option<time::OffsetDateTime>,
    /// When it goes.
    pub expires_at: time::OffsetDateTime,
}

const COLUMNS: &str = "id, status, bytes, requested_at, ready_at, downloaded_at, expires_at";

/// Asks for an archive of `person`: the one already being built, if any, or a new request.
/// Returns it, and whether it is new.
pub async fn request(tx: &mut PgConnection, person: PersonId) -> sqlx::Result<(ArchiveRow, bool)> {
    let created: Option<ArchiveRow> = sqlx::query_as(&format!(
        "insert into export_archives (person_id) values ($1)
         on conflict (person_id) where status = 'building' do nothing
         returning {COLUMNS}"
    ))
    .bind(person)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(row) = created {
        return Ok((row, true));
    }
    let building = sqlx::query_as(&format!(
        "select {COLUMNS} from export_archives where person_id = $1 and status = 'building'"
    ))
    .bind(person)
    .fetch_one(&mut *tx)
    .await?;
    Ok((building, false))
}

/// How many archives `person` asked for in the last day.
pub async fn asked_today(db: impl PgExecutor<'_>, person: PersonId) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "select count(*) from export_archives
         where person_id = $1 and requested_at > now() - interval '1 day'",
    )
    .bind(person)
    .fetch_one(db)
    .await
}

/// Claims the oldest archive waiting to be built, locked until `tx` ends (other builders skip
/// it); its id and owner.
pub async fn claim(tx: &mut PgConnection) -> sqlx::Result<Option<(i64, PersonId)>> {
    sqlx::query_as(
        "select id, person_id from export_archives where status = 'building'
         order by id limit 1 for update skip locked",
    )
    .fetch_optional(&mut *tx)
    .await
}

/// Stores a built archive: ready to download for a day.
pub async fn store_built(
    tx: &mut PgConnection,
    id: i64,
    body: &Value,
    bytes: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "update export_archives set status = 'ready', body = $2, bytes = $3, ready_at = now(),
                expires_at = now() + interval '1 day'
         where id = $1",
    )
    .bind(id)
    .bind(body)
    .bind(bytes)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// One of `person`'s archive requests, if it is theirs and has not expired.
pub async fn get(
    db: impl PgExecutor<'_>,
    person: PersonId,
    id: i64,
) -> sqlx::Result<Option<ArchiveRow>> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from export_archives
         where id = $1 and person_id = $2 and expires_at > now()"
    ))
    .bind(id)
    .bind(person)
    .fetch_optional(db)
    .await
}

/// `person`'s latest archive request that has not expired.
pub async fn latest(db: impl PgExecutor<'_>, person: PersonId) -> sqlx::Result<Option<ArchiveRow>> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from export_archives where person_id = $1 and expires_at > now()
         order by requested_at desc, id desc limit 1"
    ))
    .bind(person)
    .fetch_optional(db)
    .await
}

/// Hands over a ready archive of `person`'s once: returns it and clears it, marking the
/// request downloaded. `None` if it is not theirs, not ready, already taken or expired.
pub async fn take(tx: &mut PgConnection, person: PersonId, id: i64) -> sqlx::Result<Option<Value>> {
    let body: Option<Value> = sqlx::query_scalar(
        "select body from export_archives
         where id = $1 and person_id = $2 and status = 'ready' and expires_at > now()
         for update",
    )
    .bind(id)
    .bind(person)
    .fetch_optional(&mut *tx)
    .await?
    .flatten();
    if body.is_some() {
        sqlx::query(
            "update export_archives set status = 'downloaded', body = null, downloaded_at = now()
             where id = $1",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
    }
    Ok(body)
}
