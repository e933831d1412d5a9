//! Your data is yours (UK GDPR Art. 15 and 20): everything vouchgraph holds about a person, as
//! one machine-readable archive. Its schema is in docs/privacy.md; each section is cut to what
//! the person may see (`store::export`), so the archive never holds another person's private
//! or network-only data that its owner did not already show them.

use serde_json::{json, Map, Value};

use crate::domain::PersonId;
use crate::state::AppState;
use crate::store;

use super::{AppError, AppResult};

/// The archive's format name and version, its first two fields.
pub const FORMAT: &str = "vouchgraph-export";
/// Bumped whenever a section changes shape.
pub const VERSION: u32 = 3;

/// The archive of `person`, read in one consistent snapshot.
pub async fn export(state: &AppState, person: PersonId) -> AppResult<Value> {
    let mut tx = state.pool.begin().await?;
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
