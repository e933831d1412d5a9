//! Your data is yours (UK GDPR Art. 15 and 20): everything vouchgraph holds about a person, as
//! one machine-readable archive. Its schema is in docs/privacy.md; each section is cut to what
//! the person may see (`store::export`), so the archive never holds another person's private
//! or network-only data that its owner did not already show them.
//!
//! Two ways to get it: at once ([`export`], `GET /v1/me/export`), or built in the background
//! and downloaded once ([`request_archive`], [`build_waiting`], [`download`]), which is what
//! the pages use, since a large account's archive should not be built inside one request.

use serde_json::{json, Map, Value};
use sqlx::PgPool;

use crate::domain::PersonId;
use crate::state::AppState;
use crate::store;
/// A requested archive as stored; adapters name it through here.
pub use crate::store::archives::ArchiveRow;

use super::{AppError, AppResult};

/// The archive's format name and version, its first two fields.
pub const FORMAT: &str = "vouchgraph-export";
/// Bumped whenever a section changes shape.
pub const VERSION: u32 = 3;

/// How many archives one person may ask for in a day: each reads every row about them, so a
/// stolen session must not turn the button into a way to keep the database busy.
pub const ARCHIVES_PER_DAY: i64 = 5;

/// The archive of `person`, read in one consistent snapshot.
pub async fn export(state: &AppState, person: PersonId) -> AppResult<Value> {
    build(&state.pool, person).await
}

/// Builds `person`'s archive in one read-only, repeatable-read snapshot.
async fn build(pool: &PgPool, person: PersonId) -> AppResult<Value> {
    let mut tx = pool.begin().await?;
    let sections = store::export::sections(&mut tx, person).await?;
    tx.commit().await?;
    let mut archive = Map::new();
    archive.insert("format".into(), json!(FORMAT));
    archive.insert("version".into(), json!(VERSION));
    archive.insert(
        "exported_at".into(),
        json!(time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .map_err(|e| AppError::Internal(e.into()))?),
    );
    for (name, value) in sections {
        if name == "account" && value.is_null() {
            return Err(AppError::NotFound("account"));
        }
        archive.insert(name.into(), value);
    }
    Ok(Value::Object(archive))
}

/// Asks for `person`'s archive to be built in the background; returns the request (the one
/// already being built, if any) and whether it is new. A new request starts [`build_waiting`]
/// at once (the expiry job also runs it, for requests an instance stopped before building);
/// the person hears `export.ready` in their inbox when it is ready.
///
/// # Errors
/// [`AppError::TooManyAttempts`] after [`ARCHIVES_PER_DAY`] requests in a day.
pub async fn request_archive(state: &AppState, person: PersonId) -> AppResult<(ArchiveRow, bool)> {
    let mut tx = state.pool.begin().await?;
    // One request at a time per person (the lock), so the daily count cannot be raced past.
    // `no key update`, not `update`: a builder inserting the person's `export.ready`
    // notification takes a key-share lock on this row for its foreign key while it holds the
    // archive row this insert would wait for; `update` would deadlock with it.
    sqlx::query("select 1 from people where id = $1 for no key update")
        .bind(person)
        .execute(&mut *tx)
        .await?;
    let (row, new) = store::archives::request(&mut tx, person).await?;
    if new && store::archives::asked_today(&mut *tx, person).await? > ARCHIVES_PER_DAY {
        return Err(AppError::TooManyAttempts {
            retry_after_secs: 3600,
        });
    }
    tx.commit().await?;
    if new {
        let pool = state.pool.clone();
        tokio::spawn(async move {
            if let Err(error) = build_waiting(&pool).await {
                tracing::warn!(
                    ?error,
                    "building data archives failed; the expiry job retries"
                );
            }
        });
    }
    Ok((row, new))
}

/// Builds every archive waiting to be built, oldest first, one at a time; returns how many.
/// Each is claimed with `for update skip locked`, so instances never build the same one, and a
/// builder that dies leaves its claim to the next.
pub async fn build_waiting(pool: &PgPool) -> AppResult<u32> {
    let mut built = 0;
    loop {
        let mut claim = pool.begin().await?;
        let Some((id, person)) = store::archives::claim(&mut claim).await? else {
            return Ok(built);
        };
        let archive = build(pool, person).await?;
        let bytes = i64::try_from(archive.to_string().len()).unwrap_or(i64::MAX);
        store::archives::store_built(&mut claim, id, &archive, bytes).await?;
        let payload = json!({ "archive_id": id, "bytes": bytes });
        store::notifications::notify(&mut claim, person, "export.ready", &payload).await?;
        claim.commit().await?;
        built += 1;
    }
}

/// One of `person`'s archive requests.
pub async fn archive_status(state: &AppState, person: PersonId, id: i64) -> AppResult<ArchiveRow> {
    store::archives::get(&state.pool, person, id)
        .await?
        .ok_or(AppError::NotFound("archive"))
}

/// `person`'s latest archive request that has not expired, if any.
pub async fn latest_archive(state: &AppState, person: PersonId) -> AppResult<Option<ArchiveRow>> {
    Ok(store::archives::latest(&state.pool, person).await?)
}

/// Hands over `person`'s ready archive, once: the first download clears it.
///
/// # Errors
/// [`AppError::NotFound`] if it is not theirs or has expired; [`AppError::Conflict`] while it
/// is being built, or once it was downloaded.
pub async fn download(state: &AppState, person: PersonId, id: i64) -> AppResult<Value> {
    let mut tx = state.pool.begin().await?;
    let taken = store::archives::take(&mut tx, person, id).await?;
    tx.commit().await?;
    if let Some(archive) = taken {
        return Ok(archive);
    }
    let row = archive_status(state, person, id).await?;
    Err(AppError::Conflict(match row.status.as_str() {
        "building" => "the archive is still being built; try again in a moment".into(),
        _ => "this archive was downloaded already: a link works once; ask for a new one".into(),
    }))
}
