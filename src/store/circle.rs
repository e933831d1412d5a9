//! Circle invitations, the offers they leave, and address-book look-up counts.

use sqlx::{PgConnection, PgExecutor};

use crate::domain::PersonId;

/// An invitation as its inviter sees it.
#[derive(sqlx::FromRow)]
pub struct SentRow {
    /// The invitation.
    pub id: i64,
    /// The address invited, until the invitation was used.
    pub email: Option<String>,
    /// When it was sent.
    pub created_at: time::OffsetDateTime,
    /// Who used it, and their name.
    pub accepted_by: Option<PersonId>,
    /// Their name.
    pub accepted_name: Option<String>,
    /// Whether it can no longer be used.
    pub expired: bool,
}

/// An offer to trust an inviter back.
#[derive(sqlx::FromRow)]
pub struct OfferRow {
    /// The invitation the offer came from.
    pub id: i64,
    /// Who invited.
    pub inviter_id: PersonId,
    /// Their name.
    pub inviter_name: String,
    /// What they wrote.
    pub note: String,
}

/// What the mail fan-out needs to write an invitation.
#[derive(sqlx::FromRow)]
pub struct ForMail {
    /// Who invited.
    pub inviter_id: PersonId,
    /// Their name.
    pub inviter_name: String,
    /// The address.
    pub email: String,
    /// Their note.
    pub note: String,
}

/// How many invitations `inviter` sent in the last day.
pub async fn sent_last_day(db: impl PgExecutor<'_>, inviter: PersonId) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "select count(*) from circle_invitations
         where inviter_id = $1 and created_at > now() - interval '1 day'",
    )
    .bind(inviter)
    .fetch_one(db)
    .await
}

/// Stores an invitation unless `inviter` has one to this address still waiting; returns its id,
/// or `None` for such a repeat.
pub async fn create(
    tx: &mut PgConnection,
    inviter: PersonId,
    email: &str,
    note: &str,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar(
        "insert into circle_invitations (inviter_id, email, note)
         select $1, $2, $3
         where not exists (select 1 from circle_invitations
                           where inviter_id = $1 and email = $2 and accepted_by is null
                             and expires_at > now())
         returning id",
    )
    .bind(inviter)
    .bind(email)
    .bind(note)
    .fetch_optional(&mut *tx)
    .await
}

/// The invitation `id`, while it can still be sent.
pub async fn for_mail(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<ForMail>> {
    sqlx::query_as(
        "select c.inviter_id, p.display_name as inviter_name, c.email, c.note
         from circle_invitations c join people p on p.id = c.inviter_id
         where c.id = $1 and c.email is not null and c.accepted_by is null
           and c.token_hash is null and c.expires_at > now()",
    )
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Records the hash of the link's token; false if the invitation already has one.
pub async fn set_token(tx: &mut PgConnection, id: i64, hash: &[u8]) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "update circle_invitations set token_hash = $2 where id = $1 and token_hash is null",
    )
    .bind(id)
    .bind(hash)
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Uses the invitation whose token hashes to `hash` for `person`, blanking the address; returns
/// the inviter, or `None` if no unused, unexpired invitation from someone else has it.
pub async fn accept(
    tx: &mut PgConnection,
    hash: &[u8],
    person: PersonId,
) -> sqlx::Result<Option<PersonId>> {
    sqlx::query_scalar(
        "update circle_invitations
         set accepted_by = $2, accepted_at = now(), email = null
         where token_hash = $1 and accepted_by is null and expires_at > now()
           and inviter_id <> $2
         returning inviter_id",
    )
    .bind(hash)
    .bind(person)
    .fetch_optional(&mut *tx)
    .await
}

/// The invitations `inviter` sent, newest first.
pub async fn sent_by(db: impl PgExecutor<'_>, inviter: PersonId) -> sqlx::Result<Vec<SentRow>> {
    sqlx::query_as(
        "select c.id, c.email, c.created_at, c.accepted_by, p.display_name as accepted_name,
                (c.accepted_by is null and c.expires_at <= now()) as expired
         from circle_invitations c left join people p on p.id = c.accepted_by
         where c.inviter_id = $1
         order by c.id desc limit 100",
    )
    .bind(inviter)
    .fetch_all(db)
    .await
}

/// The offers waiting for `person`: inviters whose invitation they used, whom they neither
/// trust yet nor declined.
pub async fn offers(db: impl PgExecutor<'_>, person: PersonId) -> sqlx::Result<Vec<OfferRow>> {
    sqlx::query_as(
        "select c.id, c.inviter_id, p.display_name as inviter_name, c.note
         from circle_invitations c join people p on p.id = c.inviter_id
         where c.accepted_by = $1 and c.offer_closed_at is null
           and not exists (select 1 from trust_edges t
                           where t.truster_id = $1 and t.trustee_id = c.inviter_id)
           and not exists (select 1 from erasures e where e.person_id = c.inviter_id)
         order by c.id",
    )
    .bind(person)
    .fetch_all(db)
    .await
}

/// Declines the offer `id` made to `person`; false if there is no such open offer.
pub async fn decline(tx: &mut PgConnection, id: i64, person: PersonId) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "update circle_invitations set offer_closed_at = now()
         where id = $1 and accepted_by = $2 and offer_closed_at is null",
    )
    .bind(id)
    .bind(person)
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The people whose proved address is one of `addresses` (lower-cased): id, name, address.
pub async fn verified_people(
    db: impl PgExecutor<'_>,
    addresses: &[String],
) -> sqlx::Result<Vec<(PersonId, String, String)>> {
    sqlx::query_as(
        "select a.person_id, p.display_name, lower(a.email)
         from accounts a join people p on p.id = a.person_id
         where lower(a.email) = any($1) and a.email_verified_at is not null
         order by p.display_name, a.person_id",
    )
    .bind(addresses)
    .fetch_all(db)
    .await
}

/// Adds `count` addresses to `person`'s look-ups today; returns the day's total.
pub async fn count_lookups(
    tx: &mut PgConnection,
    person: PersonId,
    count: i32,
) -> sqlx::Result<i32> {
    sqlx::query_scalar(
        "insert into contact_lookups (person_id, addresses) values ($1, $2)
         on conflict (person_id, day) do update
         set addresses = contact_lookups.addresses + excluded.addresses
         returning addresses",
    )
    .bind(person)
    .bind(count)
    .fetch_one(&mut *tx)
    .await
}
