//! Adding and removing operator seeds: validate, write the person, the feed change and the
//! history row in one transaction.

use sqlx::PgPool;

use crate::domain::GraphChange;
use crate::domain::PersonId;
use crate::seeds::PersonRef;
use crate::store;
use crate::store::seeds::SeedAction;

/// The longest operator note `seed_changes` accepts (its `seed_reason_not_blank` check).
const MAX_REASON: usize = 500;

/// Why a seed could not be added or removed.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// Nobody has this id or email.
    #[error("no person with {0}")]
    UnknownPerson(PersonRef),
    /// Adding someone who is a seed already.
    #[error("{name} (person {id}) is already a seed")]
    AlreadySeed {
        /// The person.
        id: PersonId,
        /// Their name.
        name: String,
    },
    /// Removing someone who is not a seed.
    #[error("{name} (person {id}) is not a seed")]
    NotASeed {
        /// The person.
        id: PersonId,
        /// Their name.
        name: String,
    },
    /// The operator's note is blank or too long.
    #[error("--reason must say why, in 1 to {MAX_REASON} characters")]
    BadReason,
    /// The database failed.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// A seed change as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedChange {
    /// The person.
    pub id: PersonId,
    /// Their name.
    pub name: String,
    /// Added or removed.
    pub action: SeedAction,
    /// The feed seq that carries it to every instance.
    pub seq: i64,
}

/// Makes `person` a seed of the global prior, recorded with the operator's `reason`.
pub async fn add(pool: &PgPool, person: &PersonRef, reason: &str) -> Result<SeedChange, SeedError> {
    change(pool, person, SeedAction::Added, reason).await
}

/// Stops `person` seeding the global prior, recorded with the operator's `reason`. When the
/// last seed goes, the founders seed the prior again.
pub async fn remove(
    pool: &PgPool,
    person: &PersonRef,
    reason: &str,
) -> Result<SeedChange, SeedError> {
    change(pool, person, SeedAction::Removed, reason).await
}

async fn change(
    pool: &PgPool,
    person: &PersonRef,
    action: SeedAction,
    reason: &str,
) -> Result<SeedChange, SeedError> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > MAX_REASON {
        return Err(SeedError::BadReason);
    }
    let make_seed = action == SeedAction::Added;
    let mut tx = pool.begin().await?;
    let found = store::seeds::find_for_update(&mut *tx, person)
        .await?
        .ok_or_else(|| SeedError::UnknownPerson(person.clone()))?;
    let (id, name) = (found.id, found.display_name);
    match (make_seed, found.pre_trusted) {
        (true, true) => return Err(SeedError::AlreadySeed { id, name }),
        (false, false) => return Err(SeedError::NotASeed { id, name }),
        _ => {}
    }
    store::seeds::set_pre_trusted(&mut *tx, id, make_seed).await?;
    // A person.upsert carries the person's whole new state, seed or not, so every instance's
    // live graph updates its seed set from the feed as it does for any other change. No
    // account makes it: an operator acts from the command line.
    let feed_change = GraphChange::PersonUpsert {
        id,
        name: name.clone(),
        pre_trusted: make_seed,
    };
    let seq = store::changes::record(&mut tx, None, &feed_change).await?;
    // After the feed append, to name its seq: one small insert under the append lock, which
    // is held to commit either way.
    store::seeds::record_change(&mut *tx, id, action, reason, seq).await?;
    tx.commit().await?;
    tracing::info!(person = %id, action = action.as_str(), seq, "seed changed");
    Ok(SeedChange {
        id,
        name,
        action,
        seq,
    })
}
