//! Background jobs that keep data honest over time.

use std::time::Duration;

use serde_json::json;
use sqlx::PgPool;
use tokio_util::sync::CancellationToken;

use crate::app::referrals::{event, REFERRAL_TTL_DAYS};
use crate::domain::{ReferralId, ReferralStatus};
use crate::store;

/// Expires referrals not accepted within 30 days, notifying the referrer and writing the
/// outbox event in the same transaction. Returns how many expired.
pub async fn expire_referrals(pool: &PgPool) -> anyhow::Result<usize> {
    let mut tx = pool.begin().await?;
    let ids = store::referrals::expire_stale(&mut tx, REFERRAL_TTL_DAYS).await?;
    for id in &ids {
        let Some(r) = store::referrals::get(&mut *tx, *id).await? else {
            continue;
        };
        let mut payload = event(&r, ReferralStatus::Expired);
        payload["from"] = json!("sent");
        store::notifications::notify(&mut tx, r.referrer_id, "referral.status_changed", &payload)
            .await?;
        store::notifications::outbox(&mut tx, "referral.status_changed", &payload).await?;
    }
    tx.commit().await?;
    Ok(ids.len())
}

/// Reminds providers' owners in their inbox of each customer who accepted a referral and has
/// waited past its follow-up time (two working days, `domain::follow_up`) without being
/// marked contacted; once per referral. `now` is passed in, so that tests control the clock.
/// Returns how many reminders were sent.
pub async fn remind_follow_ups(pool: &PgPool, now: time::OffsetDateTime) -> anyhow::Result<usize> {
    use crate::domain::follow_up::{follow_up_due, FOLLOW_UP_WORKING_DAYS};
    let mut tx = pool.begin().await?;
    // Two working days are at least two calendar days: older ones are the only candidates.
    // `for update skip locked`: two instances running the job never remind twice.
    let waiting: Vec<(ReferralId, time::OffsetDateTime)> = sqlx::query_as(
        "select id, accepted_at from referrals
         where status = 'accepted' and follow_up_reminded_at is null
           and accepted_at <= $1 - interval '2 days'
         for update skip locked",
    )
    .bind(now)
    .fetch_all(&mut *tx)
    .await?;
    let mut sent = 0;
    for (id, accepted) in waiting {
        if follow_up_due(accepted, FOLLOW_UP_WORKING_DAYS) > now {
            continue;
        }
        let Some(r) = store::referrals::get(&mut *tx, id).await? else {
            continue;
        };
        let mut payload = event(&r, ReferralStatus::Accepted);
        payload["customer_id"] = json!(r.recipient_id);
        payload["customer_name"] = json!(r.recipient_name);
        store::notifications::notify(&mut tx, r.owner_id, "referral.follow_up_due", &payload)
            .await?;
        // The email of the same reminder (`mail::fanout`), which reads the referral itself.
        store::notifications::outbox(
            &mut tx,
            "referral.follow_up_due",
            &json!({ "referral_id": id }),
        )
        .await?;
        sqlx::query("update referrals set follow_up_reminded_at = $2 where id = $1")
            .bind(id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sent += 1;
    }
    tx.commit().await?;
    Ok(sent)
}

/// Runs `expire_referrals`, then the retention purge (`store::retention`, keeping
/// `retention_days`) and the end of departed owners' hidden vouches, every `every` until
/// stopped.
pub async fn run_expiry(
    pool: PgPool,
    every: Duration,
    retention_days: i32,
    stop: CancellationToken,
) {
    loop {
        match expire_referrals(&pool).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(expired = n, "referrals expired"),
            Err(error) => tracing::warn!(?error, "referral expiry failed; will retry"),
        }
        match remind_follow_ups(&pool, time::OffsetDateTime::now_utc()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(reminded = n, "follow-up reminders sent"),
            Err(error) => tracing::warn!(?error, "follow-up reminders failed; will retry"),
        }
        match store::retention::purge(&pool, retention_days).await {
            Ok(purged) if purged != store::retention::Purged::default() => {
                tracing::info!(?purged, "retention purge")
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(?error, "retention purge failed; will retry"),
        }
        match crate::app::export::build_waiting(&pool).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(built = n, "data archives built"),
            Err(error) => tracing::warn!(?error, "building data archives failed; will retry"),
        }
        match crate::app::account_deletion::end_hidden_vouches(&pool, retention_days).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(ended = n, "hidden vouches of departed owners ended"),
            Err(error) => tracing::warn!(?error, "ending hidden vouches failed; will retry"),
        }
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(every) => {}
        }
    }
}
