//! Referrals, their transitions, and attribution.

use sqlx::{PgConnection, PgExecutor};
use time::OffsetDateTime;

use crate::domain::{PartnerId, PersonId, ProviderId, ReferralId, ReferralStatus, TradeId};

/// A referral row with the names a list shows.
#[derive(sqlx::FromRow, Clone)]
pub struct ReferralRow {
    /// The referral.
    pub id: ReferralId,
    /// Who sent it.
    pub referrer_id: PersonId,
    /// Their name.
    pub referrer_name: String,
    /// The provider referred.
    pub provider_id: ProviderId,
    /// The provider's name.
    pub provider_name: String,
    /// The provider's owner.
    pub owner_id: PersonId,
    /// The trade's slug.
    pub trade: String,
    /// The trade's id.
    pub trade_id: TradeId,
    /// The recipient, once known.
    pub recipient_id: Option<PersonId>,
    /// The recipient's name, once known.
    pub recipient_name: Option<String>,
    /// The invited email, for invitations.
    pub recipient_email: Option<String>,
    /// The referrer's note.
    pub note: String,
    /// The status, decoded here once (the column's check keeps it one of them).
    #[sqlx(try_from = "String")]
    pub status: ReferralStatus,
    /// "good" or "bad" once completed.
    pub outcome: Option<String>,
    /// 1..5, optional, once completed.
    pub rating: Option<i16>,
    /// Whether this referral is credited with the hire.
    pub credited: bool,
    /// When it was sent.
    pub created_at: OffsetDateTime,
    /// When it last changed.
    pub updated_at: OffsetDateTime,
    /// When it was accepted.
    pub accepted_at: Option<OffsetDateTime>,
    /// The customer's account address, if they shared it when accepting (read live).
    pub contact_email: Option<String>,
    /// The phone number the customer shared when accepting, if any.
    pub contact_phone: Option<String>,
}

const SELECT: &str = "select r.id, r.referrer_id, rp.display_name as referrer_name, r.provider_id,
        pr.name as provider_name, pr.owner_id, t.slug as trade, r.trade_id, r.recipient_id,
        cp.display_name as recipient_name, r.recipient_email, r.note, r.status, r.outcome,
        r.rating, r.credited, r.created_at, r.updated_at, r.accepted_at,
        case when r.share_email then ca.email end as contact_email, r.contact_phone
    from referrals r
    join people rp on rp.id = r.referrer_id
    join providers pr on pr.id = r.provider_id
    join trades t on t.id = r.trade_id
    left join people cp on cp.id = r.recipient_id
    left join accounts ca on ca.person_id = r.recipient_id";

/// What a new referral stores.
pub struct NewReferral<'a> {
    /// Who sends it.
    pub referrer: PersonId,
    /// The provider.
    pub provider: ProviderId,
    /// The trade.
    pub trade: TradeId,
    /// A known recipient.
    pub recipient: Option<PersonId>,
    /// Or an invited email.
    pub recipient_email: Option<&'a str>,
    /// SHA-256 of the invitation token.
    pub invite_token_hash: Option<Vec<u8>>,
    /// When the invitation lapses.
    pub invite_expires_at: Option<OffsetDateTime>,
    /// The note.
    pub note: &'a str,
    /// The partner site it came through, if any.
    pub partner: Option<PartnerId>,
}

/// Inserts a referral and its first transition.
pub async fn create(tx: &mut PgConnection, new: &NewReferral<'_>) -> sqlx::Result<ReferralId> {
    let id: ReferralId = sqlx::query_scalar(
        "insert into referrals (referrer_id, provider_id, trade_id, recipient_id, recipient_email,
            invite_token_hash, invite_expires_at, note, partner_id)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id",
    )
    .bind(new.referrer)
    .bind(new.provider)
    .bind(new.trade)
    .bind(new.recipient)
    .bind(new.recipient_email)
    .bind(new.invite_token_hash.as_deref())
    .bind(new.invite_expires_at)
    .bind(new.note)
    .bind(new.partner)
    .fetch_one(&mut *tx)
    .await?;
    record_transition(tx, id, None, ReferralStatus::Sent, Some(new.referrer), "").await?;
    Ok(id)
}

/// Appends a transition to a referral's history.
pub async fn record_transition(
    tx: &mut PgConnection,
    referral: ReferralId,
    from: Option<ReferralStatus>,
    to: ReferralStatus,
    actor: Option<PersonId>,
    note: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into referral_transitions (referral_id, from_status, to_status, actor_id, note)
         values ($1, $2, $3, $4, $5)",
    )
    .bind(referral)
    .bind(from.map(|s| s.as_str()))
    .bind(to.as_str())
    .bind(actor)
    .bind(note)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Reads one referral.
pub async fn get(db: impl PgExecutor<'_>, id: ReferralId) -> sqlx::Result<Option<ReferralRow>> {
    sqlx::query_as(&format!("{SELECT} where r.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Locks a referral for a transition.
pub async fn lock(tx: &mut PgConnection, id: ReferralId) -> sqlx::Result<bool> {
    Ok(
        sqlx::query("select 1 from referrals where id = $1 for no key update")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .is_some(),
    )
}

/// Moves a referral to `to`, with the outcome and rating when completing.
pub async fn set_status(
    tx: &mut PgConnection,
    id: ReferralId,
    to: ReferralStatus,
    outcome: Option<&str>,
    rating: Option<i16>,
) -> sqlx::Result<()> {
    sqlx::query(
        "update referrals set status = $2, outcome = $3, rating = $4, updated_at = now(),
            accepted_at = case when $2 = 'accepted' then now() else accepted_at end
         where id = $1",
    )
    .bind(id)
    .bind(to.as_str())
    .bind(outcome)
    .bind(rating)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Stores how the customer may be reached, chosen as they accept.
pub async fn set_contact(
    tx: &mut PgConnection,
    id: ReferralId,
    share_email: bool,
    phone: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query("update referrals set share_email = $2, contact_phone = $3 where id = $1")
        .bind(id)
        .bind(share_email)
        .bind(phone)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Credits a hire: of the referrals of the same provider to the same recipient for the same
/// trade in the 90 days before this one was hired, the first one accepted gets the credit;
/// the others keep theirs cleared and show as "also referred by".
pub async fn attribute_hire(tx: &mut PgConnection, hired: &ReferralRow) -> sqlx::Result<()> {
    sqlx::query(
        "with candidates as (
            select id, accepted_at from referrals
            where provider_id = $1 and trade_id = $2 and recipient_id = $3
              and created_at >= now() - interval '90 days' and accepted_at is not null
              and status not in ('declined', 'expired')),
         winner as (select id from candidates order by accepted_at, id limit 1)
         update referrals set credited = (id in (select id from winner))
         where id in (select id from candidates)",
    )
    .bind(hired.provider_id)
    .bind(hired.trade_id)
    .bind(hired.recipient_id)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// How many other people referred the same provider to the same recipient for the same trade
/// within 90 days of this referral: the recipient's to know, as a number only.
pub async fn also_referred_count(db: impl PgExecutor<'_>, r: &ReferralRow) -> sqlx::Result<i64> {
    let Some(recipient) = r.recipient_id else {
        return Ok(0);
    };
    sqlx::query_scalar(
        "select count(distinct x.referrer_id) from referrals x
         where x.provider_id = $1 and x.trade_id = $2 and x.recipient_id = $3 and x.id <> $4
           and x.referrer_id <> $6
           and x.created_at between $5 - interval '90 days' and $5 + interval '90 days'",
    )
    .bind(r.provider_id)
    .bind(r.trade_id)
    .bind(recipient)
    .bind(r.id)
    .bind(r.created_at)
    .bind(r.referrer_id)
    .fetch_one(db)
    .await
}

/// A transition as listed.
#[derive(sqlx::FromRow)]
pub struct TransitionRow {
    /// From this status (null for creation).
    pub from_status: Option<String>,
    /// To this status.
    pub to_status: String,
    /// Who moved it (null for the expiry job).
    pub actor_id: Option<PersonId>,
    /// Their note.
    pub note: String,
    /// When.
    pub created_at: OffsetDateTime,
}

/// A referral's transitions, oldest first.
pub async fn transitions(
    db: impl PgExecutor<'_>,
    id: ReferralId,
) -> sqlx::Result<Vec<TransitionRow>> {
    sqlx::query_as(
        "select from_status, to_status, actor_id, note, created_at from referral_transitions
         where referral_id = $1 order by id",
    )
    .bind(id)
    .fetch_all(db)
    .await
}

/// Which referrals a list shows.
pub enum ListScope {
    /// Sent by this person.
    SentBy(PersonId),
    /// Received by this person.
    ReceivedBy(PersonId),
    /// For this provider.
    ForProvider(ProviderId),
}

/// A page of referrals, newest first, after the cursor id.
pub async fn list(
    db: impl PgExecutor<'_>,
    scope: ListScope,
    status: Option<ReferralStatus>,
    before_id: Option<ReferralId>,
    limit: i64,
) -> sqlx::Result<Vec<ReferralRow>> {
    let (column, id) = match scope {
        ListScope::SentBy(p) => ("r.referrer_id", p.0),
        ListScope::ReceivedBy(p) => ("r.recipient_id", p.0),
        ListScope::ForProvider(p) => ("r.provider_id", p.0),
    };
    sqlx::query_as(&format!(
        "{SELECT} where {column} = $1 and ($2::text is null or r.status = $2)
           and ($3::bigint is null or r.id < $3)
         order by r.id desc limit $4"
    ))
    .bind(id)
    .bind(status.map(|s| s.as_str()))
    .bind(before_id)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Replaces the token of an invitation that is still pending; false when it was used, has
/// expired or already attached to an account.
pub async fn replace_invite_token(
    db: impl PgExecutor<'_>,
    id: ReferralId,
    token_hash: &[u8],
) -> sqlx::Result<bool> {
    Ok(sqlx::query(
        "update referrals set invite_token_hash = $2
         where id = $1 and recipient_id is null and invite_used_at is null
           and invite_expires_at > now()",
    )
    .bind(id)
    .bind(token_hash)
    .execute(db)
    .await?
    .rows_affected()
        > 0)
}

/// Hands an invitation to `person` through its token: only while it is live and unused, when
/// it was sent to `email` (the claimer's own address), and never to its referrer or the
/// provider's owner. Marks the token used; returns the referral's id, or `None` when the
/// token does not qualify.
pub async fn claim_invitation(
    tx: &mut PgConnection,
    token_hash: &[u8],
    email: &str,
    person: PersonId,
) -> sqlx::Result<Option<ReferralId>> {
    sqlx::query_scalar(
        "update referrals r set recipient_id = $3, invite_used_at = now(), updated_at = now()
         from providers p
         where p.id = r.provider_id and r.invite_used_at is null
           and (r.invite_token_hash = $1 or r.invite_email_token_hash = $1)
           and r.invite_expires_at > now() and r.recipient_id is null
           and lower(r.recipient_email) = lower($2)
           and r.referrer_id <> $3 and p.owner_id <> $3
         returning r.id",
    )
    .bind(token_hash)
    .bind(email)
    .bind(person)
    .fetch_optional(&mut *tx)
    .await
}

/// Expires referrals still `sent` after `days` days; returns the expired rows' ids.
pub async fn expire_stale(tx: &mut PgConnection, days: i32) -> sqlx::Result<Vec<ReferralId>> {
    let ids: Vec<ReferralId> = sqlx::query_scalar(
        "update referrals set status = 'expired', updated_at = now()
         where status = 'sent' and created_at < now() - make_interval(days => $1)
         returning id",
    )
    .bind(days)
    .fetch_all(&mut *tx)
    .await?;
    for id in &ids {
        record_transition(
            tx,
            *id,
            Some(ReferralStatus::Sent),
            ReferralStatus::Expired,
            None,
            "",
        )
        .await?;
    }
    Ok(ids)
}

/// Whether the referral was ever moved to `contacted`.
pub async fn was_marked_contacted(db: impl PgExecutor<'_>, id: ReferralId) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "select exists(select 1 from referral_transitions
                       where referral_id = $1 and to_status = 'contacted')",
    )
    .bind(id)
    .fetch_one(db)
    .await
}

/// Records that the recipient disputes the contact; returns whether this is the first time.
pub async fn mark_contact_disputed(tx: &mut PgConnection, id: ReferralId) -> sqlx::Result<bool> {
    let changed = sqlx::query(
        "update referrals set contact_disputed_at = now()
         where id = $1 and contact_disputed_at is null",
    )
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    Ok(changed > 0)
}

/// Sets the token of an invitation's email link (its hash), while the invitation is open;
/// false when it is not (claimed, erased or expired meanwhile).
pub async fn set_email_token(
    tx: &mut PgConnection,
    id: ReferralId,
    token_hash: &[u8],
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "update referrals set invite_email_token_hash = $2
         where id = $1 and recipient_id is null and recipient_email is not null
           and invite_used_at is null and invite_expires_at > now()",
    )
    .bind(id)
    .bind(token_hash)
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Who made a referral's latest move to `status`.
pub async fn last_actor(
    db: impl PgExecutor<'_>,
    id: ReferralId,
    status: &str,
) -> sqlx::Result<Option<PersonId>> {
    Ok(sqlx::query_scalar(
        "select actor_id from referral_transitions where referral_id = $1 and to_status = $2
         order by id desc limit 1",
    )
    .bind(id)
    .bind(status)
    .fetch_optional(db)
    .await?
    .flatten())
}

/// Hands every open invitation addressed to `email` to `person`, whose account has just proved
/// that address; returns their ids.
pub async fn claim_by_verified_address(
    tx: &mut PgConnection,
    email: &str,
    person: PersonId,
) -> sqlx::Result<Vec<ReferralId>> {
    sqlx::query_scalar(
        "update referrals r set recipient_id = $2, invite_used_at = now(), updated_at = now()
         from providers p
         where p.id = r.provider_id and r.recipient_id is null and r.invite_used_at is null
           and r.invite_expires_at > now() and lower(r.recipient_email) = lower($1)
           and r.referrer_id <> $2 and p.owner_id <> $2
         returning r.id",
    )
    .bind(email)
    .bind(person)
    .fetch_all(&mut *tx)
    .await
}

/// Marks referral `id` as the one an answer to a request became.
pub async fn link_answer(tx: &mut PgConnection, id: ReferralId, answer: i64) -> sqlx::Result<()> {
    sqlx::query("update referrals set request_answer_id = $2 where id = $1")
        .bind(id)
        .bind(answer)
        .execute(&mut *tx)
        .await?;
    Ok(())
}
