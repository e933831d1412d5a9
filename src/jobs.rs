//! Background jobs that keep data honest over time.

use std::time::Duration;

use serde_json::json;
use sqlx::PgPool;
use tokio_util::sync::CancellationToken;

use crate::app::referrals::{event, REFERRAL_TTL_DAYS};
use crate::domain::ReferralStatus;
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

/// Runs `expire_referrals`, then the retention purge (`store::retention`, keeping
/// `retention_days`), every `every` until stopped.
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
        match store::retention::purge(&pool, retention_days).await {
            Ok(purged) if purged != store::retention::Purged::default() => {
                tracing::info!(?purged, "retention purge")
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(?error, "retention purge failed; will retry"),
        }
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(every) => {}
        }
    }
}
