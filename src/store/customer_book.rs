//! The provider's relationship book: one row per customer who reached them through a
//! referral, every step with its date, and the times responsiveness is measured from.

use sqlx::{PgConnection, PgExecutor};
use time::OffsetDateTime;

use crate::domain::{PersonId, ProviderId, ReferralId};

/// Which customers a page of the book shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BookFilter {
    /// Everyone.
    All,
    /// Sent or accepted: the customer or the provider has still to act.
    Waiting,
    /// Contacted or hired.
    InProgress,
    /// Completed, declined or expired.
    Done,
    /// Completed, and the customer said it went well.
    WentWell,
}

impl BookFilter {
    /// The statuses it keeps, and whether only good outcomes count.
    fn statuses(self) -> (&'static [&'static str], bool) {
        match self {
            BookFilter::All => (
                &[
                    "sent",
                    "accepted",
                    "contacted",
                    "hired",
                    "completed",
                    "declined",
                    "expired",
                ],
                false,
            ),
            BookFilter::Waiting => (&["sent", "accepted"], false),
            BookFilter::InProgress => (&["contacted", "hired"], false),
            BookFilter::Done => (&["completed", "declined", "expired"], false),
            BookFilter::WentWell => (&["completed"], true),
        }
    }
}

/// One customer in the book: their latest referral to the provider (by when it was sent), with
/// its steps.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct CustomerRow {
    /// The latest referral (the book's cursor).
    pub referral_id: ReferralId,
    /// The customer.
    pub customer_id: PersonId,
    /// Their name.
    pub customer_name: String,
    /// Everyone who referred them to this provider, by name.
    pub referred_by: Vec<String>,
    /// How many referrals brought them here.
    pub referrals: i64,
    /// The latest referral's status.
    pub status: String,
    /// "good" or "bad", once completed.
    pub outcome: Option<String>,
    /// When it was sent.
    pub sent_at: OffsetDateTime,
    /// When the customer accepted it.
    pub accepted_at: Option<OffsetDateTime>,
    /// When the provider marked the customer contacted.
    pub contacted_at: Option<OffsetDateTime>,
    /// When the customer hired the provider.
    pub hired_at: Option<OffsetDateTime>,
    /// When the job was marked done.
    pub completed_at: Option<OffsetDateTime>,
    /// The customer's public vouch for the provider, if any: "recommend" or "warn". Only public
    /// ones: a network or private vouch is the customer's to show, not the book's.
    pub vouch: Option<String>,
    /// The owner's private note about the customer.
    pub note: Option<String>,
}

/// A page of `provider`'s customers, latest referral first, before the cursor.
pub async fn page(
    db: impl PgExecutor<'_>,
    provider: ProviderId,
    filter: BookFilter,
    before: Option<ReferralId>,
    limit: i64,
) -> sqlx::Result<Vec<CustomerRow>> {
    let (statuses, good_only) = filter.statuses();
    sqlx::query_as(
        "with latest as (
             select distinct on (r.recipient_id) r.*
             from referrals r
             where r.provider_id = $1 and r.recipient_id is not null
             order by r.recipient_id, r.created_at desc, r.id desc
         )
         select r.id as referral_id, r.recipient_id as customer_id,
                cp.display_name as customer_name,
                array(select distinct p.display_name from referrals o
                      join people p on p.id = o.referrer_id
                      where o.provider_id = r.provider_id and o.recipient_id = r.recipient_id
                      order by p.display_name) as referred_by,
                (select count(*) from referrals o
                 where o.provider_id = r.provider_id and o.recipient_id = r.recipient_id)
                    as referrals,
                r.status, r.outcome, r.created_at as sent_at, r.accepted_at,
                (select min(t.created_at) from referral_transitions t
                 where t.referral_id = r.id and t.to_status = 'contacted') as contacted_at,
                (select min(t.created_at) from referral_transitions t
                 where t.referral_id = r.id and t.to_status = 'hired') as hired_at,
                (select min(t.created_at) from referral_transitions t
                 where t.referral_id = r.id and t.to_status = 'completed') as completed_at,
                (select v.stance from offered_vouches v
                 where v.person_id = r.recipient_id and v.provider_id = r.provider_id
                   and v.visibility = 'public'
                 order by v.stance = 'warn' desc limit 1) as vouch,
                (select n.body from customer_notes n
                 where n.provider_id = r.provider_id and n.customer_id = r.recipient_id) as note
         from latest r
         join people cp on cp.id = r.recipient_id
         where r.status = any($2) and (not $3 or r.outcome = 'good')
           and ($4::bigint is null or r.id < $4)
         order by r.id desc
         limit $5",
    )
    .bind(provider)
    .bind(statuses)
    .bind(good_only)
    .bind(before)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// A referral accepted and not yet marked contacted.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct WaitingRow {
    /// The referral.
    pub referral_id: ReferralId,
    /// The customer.
    pub customer_id: PersonId,
    /// Their name.
    pub customer_name: String,
    /// When they accepted.
    pub accepted_at: OffsetDateTime,
}

/// `provider`'s referrals that are accepted and wait for the provider to get in touch, oldest
/// first.
pub async fn waiting(
    db: impl PgExecutor<'_>,
    provider: ProviderId,
) -> sqlx::Result<Vec<WaitingRow>> {
    sqlx::query_as(
        "select r.id as referral_id, r.recipient_id as customer_id,
                p.display_name as customer_name, r.accepted_at
         from referrals r join people p on p.id = r.recipient_id
         where r.provider_id = $1 and r.status = 'accepted' and r.accepted_at is not null
         order by r.accepted_at, r.id",
    )
    .bind(provider)
    .fetch_all(db)
    .await
}

/// For each referral accepted since `since` (to `provider`, or to any provider): its provider,
/// when it was accepted, and when the provider first marked the customer contacted, if they
/// did and the customer has not disputed it (a disputed mark counts as no contact).
pub async fn contact_times(
    db: impl PgExecutor<'_>,
    provider: Option<ProviderId>,
    since: OffsetDateTime,
) -> sqlx::Result<Vec<(ProviderId, OffsetDateTime, Option<OffsetDateTime>)>> {
    sqlx::query_as(
        "select r.provider_id, r.accepted_at,
                case when r.contact_disputed_at is null then
                    (select min(t.created_at) from referral_transitions t
                     where t.referral_id = r.id and t.to_status = 'contacted')
                end
         from referrals r
         where ($1::bigint is null or r.provider_id = $1) and r.accepted_at >= $2",
    )
    .bind(provider)
    .bind(since)
    .fetch_all(db)
    .await
}

/// Whether `person` is a customer of `provider`: someone referred to it.
pub async fn is_customer(
    db: impl PgExecutor<'_>,
    provider: ProviderId,
    person: PersonId,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "select exists(select 1 from referrals where provider_id = $1 and recipient_id = $2)",
    )
    .bind(provider)
    .bind(person)
    .fetch_one(db)
    .await
}

/// Sets (or, when `body` is `None`, removes) the owner's note about a customer.
pub async fn set_note(
    db: impl PgExecutor<'_>,
    provider: ProviderId,
    customer: PersonId,
    body: Option<&str>,
) -> sqlx::Result<()> {
    match body {
        Some(body) => sqlx::query(
            "insert into customer_notes (provider_id, customer_id, body) values ($1, $2, $3)
             on conflict (provider_id, customer_id)
             do update set body = excluded.body, updated_at = now()",
        )
        .bind(provider)
        .bind(customer)
        .bind(body),
        None => {
            sqlx::query("delete from customer_notes where provider_id = $1 and customer_id = $2")
                .bind(provider)
                .bind(customer)
        }
    }
    .execute(db)
    .await?;
    Ok(())
}

/// Whether `customer` completed a job with `provider` and said it went well.
pub async fn job_went_well(
    db: impl PgExecutor<'_>,
    provider: ProviderId,
    customer: PersonId,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "select exists(select 1 from referrals where provider_id = $1 and recipient_id = $2
                       and status = 'completed' and outcome = 'good')",
    )
    .bind(provider)
    .bind(customer)
    .fetch_one(db)
    .await
}

/// Takes the lock on asking `customer` to vouch for `provider` until the transaction ends (so
/// two requests at once make one), then reads whether they have vouched and whether they
/// were already asked.
pub async fn lock_vouch_request(
    tx: &mut PgConnection,
    provider: ProviderId,
    customer: PersonId,
) -> sqlx::Result<(bool, bool)> {
    sqlx::query("select pg_advisory_xact_lock($1, $2)")
        .bind(provider.0 as i32)
        .bind(customer.0 as i32)
        .execute(&mut *tx)
        .await?;
    sqlx::query_as(
        "select exists(select 1 from offered_vouches where person_id = $2 and provider_id = $1),
                exists(select 1 from notifications where person_id = $2
                       and kind = 'vouch.requested' and payload->>'provider_id' = $1::text)",
    )
    .bind(provider)
    .bind(customer)
    .fetch_one(&mut *tx)
    .await
}

/// One step in a customer's history with a provider.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct TimelineRow {
    /// When.
    pub at: OffsetDateTime,
    /// What: `referred`, a referral status it moved to (`accepted`, `contacted`, `hired`,
    /// `completed`, `declined`, `expired`), `contact_disputed`, `reminded`, `vouch_asked`,
    /// `vouched` or `note`.
    pub kind: String,
    /// The referral it belongs to, if any.
    pub referral_id: Option<ReferralId>,
    /// Who: the referrer for `referred`; nobody otherwise.
    pub who: Option<String>,
    /// `good` or `bad` for `completed`; `recommend` or `warn` for `vouched`.
    pub detail: Option<String>,
}

/// Everything that happened between `provider` and `customer`, oldest first, from the history
/// vouchgraph already keeps: each referral that brought them (who referred them), every step
/// of it, a disputed contact, the reminders the owner got, the vouch the owner asked for, the
/// customer's public vouch (a network or private one is the customer's to show, as in the
/// book), and when the owner last wrote their note. Nobody's words but the owner's note,
/// which the caller reads separately: a referral's notes are its parties'.
pub async fn timeline(
    db: impl PgExecutor<'_>,
    provider: ProviderId,
    customer: PersonId,
) -> sqlx::Result<Vec<TimelineRow>> {
    sqlx::query_as(
        "with mine as (
             select * from referrals where provider_id = $1 and recipient_id = $2
         )
         select * from (
             select r.created_at as at, 'referred' as kind, r.id as referral_id,
                    p.display_name as who, null::text as detail
             from mine r join people p on p.id = r.referrer_id
             union all
             select t.created_at, t.to_status, t.referral_id, null,
                    case when t.to_status = 'completed' then r.outcome end
             from referral_transitions t join mine r on r.id = t.referral_id
             where t.to_status <> 'sent'
             union all
             select r.contact_disputed_at, 'contact_disputed', r.id, null, null
             from mine r where r.contact_disputed_at is not null
             union all
             select r.follow_up_reminded_at, 'reminded', r.id, null, null
             from mine r where r.follow_up_reminded_at is not null
             union all
             select n.created_at, 'vouch_asked', null, null, null
             from notifications n
             where n.person_id = $2 and n.kind = 'vouch.requested'
               and n.payload->>'provider_id' = $1::text
             union all
             select v.created_at, 'vouched', null, null, v.stance
             from offered_vouches v
             where v.person_id = $2 and v.provider_id = $1 and v.visibility = 'public'
             union all
             select n.updated_at, 'note', null, null, null
             from customer_notes n where n.provider_id = $1 and n.customer_id = $2
         ) steps
         order by at, referral_id nulls last, kind",
    )
    .bind(provider)
    .bind(customer)
    .fetch_all(db)
    .await
}

/// A customer of `provider` (someone referred to it): their name and the owner's private note
/// about them. `None` for anyone who is not a customer.
pub async fn customer(
    db: impl PgExecutor<'_>,
    provider: ProviderId,
    customer: PersonId,
) -> sqlx::Result<Option<(String, Option<String>)>> {
    sqlx::query_as(
        "select p.display_name,
                (select n.body from customer_notes n
                 where n.provider_id = $1 and n.customer_id = p.id)
         from people p
         where p.id = $2
           and exists(select 1 from referrals where provider_id = $1 and recipient_id = p.id)",
    )
    .bind(provider)
    .bind(customer)
    .fetch_optional(db)
    .await
}
