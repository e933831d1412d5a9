//! People: public profiles.

use sqlx::{PgConnection, PgExecutor};

use crate::domain::PersonId;

/// A person's public profile, with public trust counts.
#[derive(sqlx::FromRow)]
pub struct ProfileRow {
    /// The person.
    pub id: PersonId,
    /// Their display name.
    pub display_name: String,
    /// How many people publicly trust them.
    pub trusted_by: i64,
    /// How many people they publicly trust.
    pub trusts: i64,
    /// How many public vouches they have made.
    pub vouches: i64,
    /// When they joined.
    pub created_at: time::OffsetDateTime,
}

/// Reads a public profile. Only public edges are counted: a private or network edge must not
/// be inferable from a count.
pub async fn profile(db: impl PgExecutor<'_>, id: PersonId) -> sqlx::Result<Option<ProfileRow>> {
    sqlx::query_as(
        "select p.id, p.display_name, p.created_at,
            (select count(*) from trust_edges t where t.trustee_id = p.id and t.visibility = 'public') as trusted_by,
            (select count(*) from trust_edges t where t.truster_id = p.id and t.visibility = 'public') as trusts,
            (select count(*) from offered_vouches v where v.person_id = p.id and v.visibility = 'public') as vouches
         from people p where p.id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Whether a person exists.
pub async fn exists(db: impl PgExecutor<'_>, id: PersonId) -> sqlx::Result<bool> {
    sqlx::query_scalar("select exists(select 1 from people where id = $1)")
        .bind(id)
        .fetch_one(db)
        .await
}

/// A person found by name.
#[derive(sqlx::FromRow)]
pub struct PersonHit {
    /// The person.
    pub id: PersonId,
    /// Their display name.
    pub display_name: String,
}

/// Someone found by name, as the person searching sees them: told apart from namesakes by a
/// person the searcher trusts who publicly trusts them, and by when they joined.
#[derive(sqlx::FromRow)]
pub struct NamedHit {
    /// The person.
    pub id: PersonId,
    /// Their display name.
    pub display_name: String,
    /// Someone the searcher trusts (their own edge, any visibility) who trusts this person
    /// publicly: the strongest such edge of the searcher's, then the lowest id.
    pub known_through: Option<String>,
    /// When they joined.
    pub created_at: time::OffsetDateTime,
}

/// Finds people whose name contains `q` (case-insensitive) for `searcher`, with what tells
/// namesakes apart ([`NamedHit`]). Only the searcher's own edges and public edges are read, so
/// nothing private of anyone else's shows.
pub async fn search_for(
    db: impl PgExecutor<'_>,
    searcher: PersonId,
    q: &str,
    limit: i64,
) -> sqlx::Result<Vec<NamedHit>> {
    let pattern = super::contains_pattern(q);
    sqlx::query_as(
        "select p.id, p.display_name, p.created_at,
                (select m.display_name
                 from trust_edges mine
                 join trust_edges theirs on theirs.truster_id = mine.trustee_id
                 join people m on m.id = mine.trustee_id
                 where mine.truster_id = $3 and theirs.trustee_id = p.id
                   and theirs.visibility = 'public'
                 order by mine.level desc, m.id limit 1) as known_through
         from people p where p.display_name ilike $1
         order by length(p.display_name), p.id limit $2",
    )
    .bind(pattern)
    .bind(limit)
    .bind(searcher)
    .fetch_all(db)
    .await
}

/// Finds people whose name contains `q` (case-insensitive), for "find someone to trust".
pub async fn search(db: impl PgExecutor<'_>, q: &str, limit: i64) -> sqlx::Result<Vec<PersonHit>> {
    let pattern = super::contains_pattern(q);
    sqlx::query_as(
        "select id, display_name from people where display_name ilike $1
         order by length(display_name), id limit $2",
    )
    .bind(pattern)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// The partners a person linked their account to.
pub async fn linked_partners(db: impl PgExecutor<'_>, person: PersonId) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar("select partner_id from partner_links where person_id = $1")
        .bind(person)
        .fetch_all(db)
        .await
}

/// Erases a person with the database's own `erase_person` (migration 0009), which deletes
/// what is theirs and renames them `placeholder` where others' records must keep a name.
pub async fn erase(tx: &mut PgConnection, person: PersonId, placeholder: &str) -> sqlx::Result<()> {
    sqlx::query("select erase_person($1, $2)")
        .bind(person)
        .bind(placeholder)
        .execute(&mut *tx)
        .await?;
    Ok(())
}
