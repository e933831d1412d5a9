//! Operator seeds: the pre-trusted people (`people.pre_trusted`) and their history
//! (`seed_changes`).

use sqlx::PgExecutor;

use crate::domain::person_ref::PersonRef;
use crate::domain::PersonId;

/// A person as the seed commands see them.
#[derive(Debug, sqlx::FromRow)]
pub struct SeedCandidate {
    /// The person.
    pub id: PersonId,
    /// Their display name (the feed's person.upsert carries it).
    pub display_name: String,
    /// Whether they are a seed now.
    pub pre_trusted: bool,
}

/// Finds the person and locks their row until the transaction ends, so two operators adding
/// or removing the same seed at once are applied one after the other.
pub async fn find_for_update(
    db: impl PgExecutor<'_>,
    person: &PersonRef,
) -> sqlx::Result<Option<SeedCandidate>> {
    match person {
        PersonRef::Id(id) => {
            sqlx::query_as(
                "select id, display_name, pre_trusted from people where id = $1 for no key update",
            )
            .bind(id)
            .fetch_optional(db)
            .await
        }
        PersonRef::Email(email) => {
            sqlx::query_as(
                "select p.id, p.display_name, p.pre_trusted
                 from people p join accounts a on a.person_id = p.id
                 where lower(a.email) = lower($1)
                 for no key update of p",
            )
            .bind(email)
            .fetch_optional(db)
            .await
        }
    }
}

/// Marks or unmarks a person as pre-trusted.
pub async fn set_pre_trusted(
    db: impl PgExecutor<'_>,
    person: PersonId,
    pre_trusted: bool,
) -> sqlx::Result<()> {
    sqlx::query("update people set pre_trusted = $2 where id = $1")
        .bind(person)
        .bind(pre_trusted)
        .execute(db)
        .await?;
    Ok(())
}

/// Whether a seed was added or removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeedAction {
    /// The person became a seed.
    Added,
    /// The person stopped being one.
    Removed,
}

impl SeedAction {
    /// The `seed_changes.action` value.
    pub fn as_str(self) -> &'static str {
        match self {
            SeedAction::Added => "added",
            SeedAction::Removed => "removed",
        }
    }
}

/// Appends one row to the seed history, naming the feed change that carried it.
pub async fn record_change(
    db: impl PgExecutor<'_>,
    person: PersonId,
    action: SeedAction,
    reason: &str,
    change_seq: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into seed_changes (person_id, action, reason, change_seq) values ($1, $2, $3, $4)",
    )
    .bind(person)
    .bind(action.as_str())
    .bind(reason)
    .bind(change_seq)
    .execute(db)
    .await?;
    Ok(())
}

/// A current seed, with since when and why (from its latest history row).
#[derive(Debug, sqlx::FromRow)]
pub struct SeedRow {
    /// The person.
    pub id: PersonId,
    /// Their display name.
    pub display_name: String,
    /// When an operator added them; `None` for seeds marked before the history existed (the
    /// demo town, an Advogato import).
    pub since: Option<time::OffsetDateTime>,
    /// The operator's note when adding them.
    pub reason: Option<String>,
}

/// Every current seed, by id.
pub async fn list(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<SeedRow>> {
    // Only a latest row that added the person explains why they are a seed now.
    sqlx::query_as(
        "select p.id, p.display_name, c.created_at as since, c.reason
         from people p
         left join lateral (
             select action, reason, created_at from seed_changes s
             where s.person_id = p.id order by s.id desc limit 1
         ) c on c.action = 'added'
         where p.pre_trusted
         order by p.id",
    )
    .fetch_all(db)
    .await
}

/// The `limit` earliest people (smallest id first), with their names.
pub async fn earliest(
    db: impl PgExecutor<'_>,
    limit: usize,
) -> sqlx::Result<Vec<(PersonId, String)>> {
    sqlx::query_as("select id, display_name from people order by id limit $1")
        .bind(limit as i64)
        .fetch_all(db)
        .await
}
