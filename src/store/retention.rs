//! Retention: what is kept only as long as it is needed, then purged (docs/privacy.md).

use sqlx::PgExecutor;

/// How many rows one purge removed, by kind.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Purged {
    /// Invitations expired `days` ago or more whose address (a non-member's) was blanked.
    pub invitation_addresses: u64,
    /// Outbox events fanned out `days` ago or more, with their deliveries and attempts.
    pub outbox_events: u64,
    /// Delivery attempts logged `days` ago or more.
    pub delivery_attempts: u64,
    /// Idempotency records older than a day: a retry comes within minutes, not days.
    pub idempotency_keys: u64,
    /// Data archives past their day, downloaded or not.
    pub export_archives: u64,
    /// Emails settled (sent, failed, capped) or held `days` ago or more: an address and a
    /// subject line, kept only for the per-address daily cap (a day) and for support.
    pub emails: u64,
    /// Email links (verification, password reset) used or expired `days` ago or more.
    pub email_tokens: u64,
}

/// Purges what has outlived its use: see [`Purged`]. Each statement stands alone, so a purge
/// interrupted half-way loses nothing that should stay.
pub async fn purge<'c, E>(db: E, days: i32) -> sqlx::Result<Purged>
where
    E: PgExecutor<'c> + Copy,
{
    let invitation_addresses = sqlx::query(
        "update referrals set recipient_email = null, invite_token_hash = null,
                              invite_email_token_hash = null
         where recipient_id is null and recipient_email is not null
           and invite_expires_at < now() - make_interval(days => $1)",
    )
    .bind(days)
    .execute(db)
    .await?
    .rows_affected();
    // An event whose every delivery is settled (delivered or given up) is history the
    // partners already have; pending ones stay whatever their age.
    let outbox_events = sqlx::query(
        "delete from outbox_events e
         where e.fanned_out_at < now() - make_interval(days => $1) and e.mailed_at is not null
           and not exists (select 1 from webhook_deliveries d
                           where d.event_id = e.id and d.status = 'pending')",
    )
    .bind(days)
    .execute(db)
    .await?
    .rows_affected();
    let delivery_attempts = sqlx::query(
        "delete from webhook_attempts where started_at < now() - make_interval(days => $1)",
    )
    .bind(days)
    .execute(db)
    .await?
    .rows_affected();
    let idempotency_keys =
        sqlx::query("delete from idempotency_keys where created_at < now() - interval '1 day'")
            .execute(db)
            .await?
            .rows_affected();
    let export_archives = sqlx::query("delete from export_archives where expires_at < now()")
        .execute(db)
        .await?
        .rows_affected();
    // A held email waits for its sender to verify their address; one still held after `days`
    // never will be sent, and names a non-member's address.
    let emails = sqlx::query(
        "delete from emails where status in ('sent', 'failed', 'capped', 'held')
           and created_at < now() - make_interval(days => $1)",
    )
    .bind(days)
    .execute(db)
    .await?
    .rows_affected();
    let email_tokens = sqlx::query(
        "delete from email_tokens where expires_at < now() - make_interval(days => $1)
            or used_at < now() - make_interval(days => $1)",
    )
    .bind(days)
    .execute(db)
    .await?
    .rows_affected();
    Ok(Purged {
        emails,
        email_tokens,
        export_archives,
        invitation_addresses,
        outbox_events,
        delivery_attempts,
        idempotency_keys,
    })
}
