//! Every provider's responsiveness, kept in memory beside the live graph so that a search can
//! weigh it without a query (`graph::rerank_by_pace`), refreshed from the referral history.

use parking_lot::RwLock;
use rustc_hash::FxHashMap;
use sqlx::PgPool;
use time::{Duration, OffsetDateTime};

use crate::domain::follow_up::{Responsiveness, RESPONSIVENESS_DAYS};
use crate::domain::ProviderId;
use crate::store;

/// Every provider's responsiveness, kept in memory so that a search can weigh it
/// (`graph::rerank_by_pace`) without a query: refreshed for one provider after each move of
/// its referrals, and for all of them on an interval (the 90-day window slides).
#[derive(Default)]
pub struct PaceBoard {
    by_provider: RwLock<FxHashMap<ProviderId, Responsiveness>>,
}

impl PaceBoard {
    /// Recomputes every provider's figure from the referral history.
    pub async fn refresh_all(&self, pool: &PgPool) -> sqlx::Result<()> {
        let now = OffsetDateTime::now_utc();
        let since = now - Duration::days(RESPONSIVENESS_DAYS);
        let mut times: FxHashMap<ProviderId, Vec<_>> = FxHashMap::default();
        for (provider, accepted, contacted) in
            store::customer_book::contact_times(pool, None, since).await?
        {
            times
                .entry(provider)
                .or_default()
                .push((accepted, contacted));
        }
        let measured = times
            .into_iter()
            .filter_map(|(provider, times)| {
                Some((provider, Responsiveness::from_times(&times, now)?))
            })
            .collect();
        *self.by_provider.write() = measured;
        Ok(())
    }

    /// Recomputes one provider's figure (after a move of one of its referrals).
    pub async fn refresh(&self, pool: &PgPool, provider: ProviderId) -> sqlx::Result<()> {
        let now = OffsetDateTime::now_utc();
        let since = now - Duration::days(RESPONSIVENESS_DAYS);
        let times: Vec<_> = store::customer_book::contact_times(pool, Some(provider), since)
            .await?
            .into_iter()
            .map(|(_, accepted, contacted)| (accepted, contacted))
            .collect();
        let mut board = self.by_provider.write();
        match Responsiveness::from_times(&times, now) {
            Some(r) => board.insert(provider, r),
            None => board.remove(&provider),
        };
        Ok(())
    }

    /// The provider's figure, if there is enough history to say.
    pub fn get(&self, provider: ProviderId) -> Option<Responsiveness> {
        self.by_provider.read().get(&provider).copied()
    }

    /// How much of its search score the provider keeps (`graph::pace_factor`; 1 without
    /// enough history).
    pub fn factor(&self, provider: ProviderId) -> f64 {
        self.get(provider)
            .map_or(1.0, |r| crate::graph::pace_factor(r.within_week))
    }
}

/// Refreshes `board` from the history every `every` until stopped (the first time at once).
pub async fn keep_board_fresh(
    board: std::sync::Arc<PaceBoard>,
    pool: PgPool,
    every: std::time::Duration,
    stop: tokio_util::sync::CancellationToken,
) {
    loop {
        if let Err(error) = board.refresh_all(&pool).await {
            tracing::warn!(?error, "responsiveness refresh failed; will retry");
        }
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(every) => {}
        }
    }
}
