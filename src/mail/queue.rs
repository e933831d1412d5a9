//! The mail queue (`emails`) and the mail fan-out's view of the outbox: every SQL statement of
//! the mail workers.

use std::time::Duration;

use sqlx::{PgConnection, PgExecutor};

use crate::domain::PersonId;

/// An email to queue.
pub struct NewEmail<'a> {
    /// The outbox event it was composed for.
    pub event_id: i64,
    /// The recipient's account, when they have one.
    pub person: Option<PersonId>,
    /// Whose verification it waits for, for an invitation.
    pub sender: Option<PersonId>,
    /// Where to.
    pub to: &'a str,
    /// The letter.
    pub letter: &'a super::compose::Letter,
    /// The one-click unsubscribe URL, for mail that can be declined.
    pub unsubscribe_url: Option<&'a str>,
    /// `pending`, `held` (until the sender verifies) or `capped` (over the daily cap: kept
    /// as a record, never sent).
    pub status: &'a str,
    /// The Message-ID, the same on every attempt.
    pub message_id: &'a str,
}

/// Queues an email; false when this event already has this kind of email for this address.
pub async fn enqueue(tx: &mut PgConnection, e: &NewEmail<'_>) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "insert into emails (event_id, person_id, sender_id, to_address, kind, category, subject,
                             text_body, html_body, unsubscribe_url, message_id, status)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         on conflict (event_id, kind, to_address) do nothing",
    )
    .bind(e.event_id)
    .bind(e.person)
    .bind(e.sender)
    .bind(e.to)
    .bind(e.letter.kind)
    .bind(e.letter.category)
    .bind(&e.letter.subject)
    .bind(&e.letter.text)
    .bind(&e.letter.html)
    .bind(e.unsubscribe_url)
    .bind(e.message_id)
    .bind(e.status)
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// How much mail that could be declined went to `address` in the last 24 hours (the daily
/// cap counts it; verification and reset do not count and are never capped).
pub async fn sent_today(db: impl PgExecutor<'_>, address: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "select count(*) from emails
         where lower(to_address) = lower($1) and category is not null and status <> 'capped'
           and created_at > now() - interval '1 day'",
    )
    .bind(address)
    .fetch_one(db)
    .await
}

/// Releases the invitations held for `sender`'s verification.
pub async fn release_held(tx: &mut PgConnection, sender: PersonId) -> sqlx::Result<u64> {
    Ok(sqlx::query(
        "update emails set status = 'pending', next_attempt_at = now()
         where sender_id = $1 and status = 'held'",
    )
    .bind(sender)
    .execute(&mut *tx)
    .await?
    .rows_affected())
}

/// An outbox event the mail fan-out has not handled yet.
#[derive(sqlx::FromRow)]
pub struct UnmailedEvent {
    /// The event's row.
    pub id: i64,
    /// Its type, e.g. `referral.created`.
    pub event_type: String,
    /// Its payload.
    pub payload: serde_json::Value,
}

/// Claims up to `limit` unmailed events, oldest first, for this transaction.
pub async fn claim_events(tx: &mut PgConnection, limit: i64) -> sqlx::Result<Vec<UnmailedEvent>> {
    sqlx::query_as(
        "select id, event_type, payload from outbox_events where mailed_at is null
         order by id limit $1 for update skip locked",
    )
    .bind(limit)
    .fetch_all(&mut *tx)
    .await
}

/// Marks events mailed.
pub async fn mark_mailed(tx: &mut PgConnection, ids: &[i64]) -> sqlx::Result<()> {
    sqlx::query("update outbox_events set mailed_at = now() where id = any($1)")
        .bind(ids)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// An email claimed for sending.
#[derive(sqlx::FromRow, Debug)]
pub struct Due {
    /// Its row.
    pub id: i64,
    /// Where to.
    pub to_address: String,
    /// The subject.
    pub subject: String,
    /// The plain-text part.
    pub text_body: String,
    /// The HTML part.
    pub html_body: String,
    /// The one-click unsubscribe URL, if any.
    pub unsubscribe_url: Option<String>,
    /// The Message-ID.
    pub message_id: String,
    /// Attempts so far, this one included.
    pub attempts: i32,
}

/// Claims up to `limit` due emails, leasing each for `lease`: a sender that dies mid-send
/// leaves them to be tried again once the lease runs out.
pub async fn claim_due(
    db: impl PgExecutor<'_>,
    limit: i64,
    lease: Duration,
) -> sqlx::Result<Vec<Due>> {
    sqlx::query_as(
        "update emails e set next_attempt_at = now() + make_interval(secs => $2),
                             attempts = e.attempts + 1
         where e.id in (select id from emails where status = 'pending' and next_attempt_at <= now()
                        order by next_attempt_at limit $1 for update skip locked)
         returning e.id, e.to_address, e.subject, e.text_body, e.html_body, e.unsubscribe_url,
                   e.message_id, e.attempts",
    )
    .bind(limit)
    .bind(lease.as_secs_f64())
    .fetch_all(db)
    .await
}

/// Marks an email sent, and blanks its bodies: they may carry a one-time link, and the
/// recipient has their copy.
pub async fn mark_sent(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<()> {
    sqlx::query(
        "update emails set status = 'sent', sent_at = now(), text_body = '', html_body = '',
                           last_error = null
         where id = $1",
    )
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}

/// Records a failed attempt: tried again after `retry_in`, or given up (`failed`) when
/// `retry_in` is `None`.
pub async fn mark_failed_attempt(
    db: impl PgExecutor<'_>,
    id: i64,
    error: &str,
    retry_in: Option<Duration>,
) -> sqlx::Result<()> {
    sqlx::query(
        "update emails set last_error = left($2, 500),
            status = case when $3::float8 is null then 'failed' else status end,
            next_attempt_at = case when $3::float8 is null then next_attempt_at
                                   else now() + make_interval(secs => $3) end
         where id = $1",
    )
    .bind(id)
    .bind(error)
    .bind(retry_in.map(|d| d.as_secs_f64()))
    .execute(db)
    .await?;
    Ok(())
}
