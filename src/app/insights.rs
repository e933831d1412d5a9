//! A provider's insights, for its owner only: who refers them, how far referrals get, how far
//! their good name reaches and their vouch counts. The API's `GET /v1/providers/{id}/insights`
//! and the dashboard page read the same figures through here.

use time::OffsetDateTime;

use crate::graph::{self, REACH_HOPS};
use crate::state::AppState;
use crate::store;

use super::providers::Owned;
use super::AppResult;

/// A referrer and their record; one week of the funnel. Adapters name them through here.
pub use crate::store::insights::{FunnelWeek, ReferrerRow};

/// Recommend and warn counts in one trade.
pub struct TradeVouches {
    /// The trade's slug.
    pub trade: String,
    /// Recommendations.
    pub recommend: i64,
    /// Warnings.
    pub warn: i64,
}

/// What the owner sees of a provider over a span of time.
pub struct Insights {
    /// Referrers ranked by jobs that went well, then accepted, then sent (at most 50). A
    /// referrer's vouch shows only as the owner may see it.
    pub referrers: Vec<ReferrerRow>,
    /// The funnel, week by week, oldest first.
    pub weeks: Vec<FunnelWeek>,
    /// Vouch counts by trade, counting only the vouches the owner may see.
    pub vouches: Vec<TradeVouches>,
    /// How many people reach the provider's vouchers in 1, 2, 3... hops (the live graph).
    pub reach: [u32; REACH_HOPS],
}

/// The insights of `provider` for referrals sent from `start` (inclusive) to `end`
/// (exclusive). Taking an [`Owned`] provider means only its owner gets here.
pub async fn insights(
    state: &AppState,
    provider: &Owned,
    start: OffsetDateTime,
    end: OffsetDateTime,
) -> AppResult<Insights> {
    let (id, owner) = (provider.id, provider.owner_id);
    let referrers = store::insights::referrers(&state.pool, id, owner, start, end).await?;
    let weeks = store::insights::funnel(&state.pool, id, start, end).await?;
    let vouches = store::insights::vouch_counts(&state.pool, id, owner)
        .await?
        .into_iter()
        .map(|(trade, recommend, warn)| TradeVouches {
            trade,
            recommend,
            warn,
        })
        .collect();
    let reach = state.live.read(|g, _| graph::reach_by_hops(g, id));
    Ok(Insights {
        referrers,
        weeks,
        vouches,
        reach,
    })
}
