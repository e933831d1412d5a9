//! The tunable numbers of the ranking, each with the reason for its default.

use serde::{Deserialize, Serialize};

use crate::domain::TrustLevel;

/// Parameters of the personalized walk, the global prior and the final score.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RankParams {
    /// Restart probability of the walk: at each step it stops (and credits the current person)
    /// with this probability. 0.5, not PageRank's 0.15 nor the 0.3 first planned, for two
    /// reasons. Explanations show paths of at most 3 hops, and with 0.5, 1 - 0.5^3 = 87.5% of
    /// the walk stops within 3 hops, so a score is almost entirely made of what its paths can
    /// show. And a sybil ring is a sink: all mass that enters it through an attack edge stops
    /// inside it, worth (1 - alpha) / alpha times what the attacked person passes on: 1 at 0.5,
    /// 2.3 at 0.3, 5.7 at 0.15. With 0.3 the sybil test (`tests_sybil.rs`) put the ring's tiler
    /// in the top 10 of up to 11% of honest seekers (the whole community around each attacked
    /// person); with 0.5 and `lambda` = 1, at most 2.8% over 20 generated worlds
    /// (`cargo test --release -- --ignored sybil_sweep --nocapture` prints the grid).
    pub alpha: f64,
    /// Residual threshold of the forward push: a node is pushed while its residual is at least
    /// `epsilon * max(out_degree, 1)`. The total error of every score is at most the residual
    /// left, and the work is at most 1 / (alpha * epsilon) degree-weighted pushes, independent
    /// of the graph's size. 1e-5 keeps errors about a thousand times below the weight of a
    /// friend of a friend; the sybil figures above hardly change at 1e-6 (worst 2.8%), so the
    /// defence does not rest on the push stopping early.
    pub epsilon: f64,
    /// Transition weight of a trust edge by level 1, 2, 3 ("knows", "trusts their judgement",
    /// "trusts completely"). Doubling per level makes one "completely" worth four "knows",
    /// so a few close friends outweigh a long contact list.
    pub level_weights: [f64; 3],
    /// How much a warning counts against a recommendation of the same weight. 2.0: hiring a bad
    /// tradesperson costs more than missing a good one, so one trusted warning cancels two
    /// equally trusted recommendations.
    pub gamma: f64,
    /// Weight of the global prior in the final score, `personal + lambda * prior`. Both parts
    /// are probabilities of a walk stopping at someone who vouched, but the personal walk stays
    /// near the seeker while the prior's mass is spread over everyone, so a prior is typically
    /// a hundred times smaller: even at equal weight a direct friend's recommendation outweighs
    /// nearly any public reputation, and the prior decides where the seeker's network says
    /// little. 3.0 rather than the 0.25 first planned: the prior is the sybil-resistant part
    /// (its restarts land on seed people only), and at 0.25 a ring hanging off one person in
    /// the seeker's community outranked the public's well-reviewed tilers (see `alpha`). It
    /// went from 1.0 to 3.0 with `voucher_trust_cap`, which makes every prior smaller: with the
    /// cap, 3.0 fools fewer honest seekers than 1.0 did without it (worst of 20 worlds 2.0%
    /// against 2.8%) while the seeker's own network still leads more top results (67% against
    /// 49%); docs/ranking.md §7 has the grid.
    pub lambda: f64,
    /// The global prior's power iteration stops once the L1 change of one iteration is below
    /// this; 1e-9 is far below any difference the ranking can show.
    pub prior_tolerance: f64,
    /// ... or after this many iterations: the error shrinks by (1 - alpha) per iteration, so
    /// with alpha = 0.5 the tolerance is met after about 30, and the cap only matters for a
    /// much smaller alpha (at 0.3, 50 iterations reach 0.7^50 = 2e-8).
    pub prior_max_iterations: u32,
    /// The most global trust one voucher lends a provider's prior, as a multiple of an even
    /// share (1 / people), or no limit. Global trust piles up near the seeds; without a cap a
    /// provider's prior is whatever the few best-placed vouchers said. With one, every voucher
    /// trusted at least that much counts the same, so the prior becomes a count of trusted
    /// vouches, while a ring's total stays what flows into it. Three shares: 1 to 10 gave the
    /// same offline accuracy (docs/quality.md), and three keeps a little of the difference
    /// between well and barely trusted vouchers.
    #[serde(default)]
    pub voucher_trust_cap: Option<f64>,
}

impl Default for RankParams {
    fn default() -> RankParams {
        RankParams {
            alpha: 0.5,
            epsilon: 1e-5,
            level_weights: [1.0, 2.0, 4.0],
            gamma: 2.0,
            lambda: 3.0,
            prior_tolerance: 1e-9,
            prior_max_iterations: 50,
            voucher_trust_cap: Some(3.0),
        }
    }
}

impl RankParams {
    /// The transition weight of a trust edge of this level.
    pub fn level_weight(&self, level: TrustLevel) -> f64 {
        self.level_weights[usize::from(level.get() - 1)]
    }

    /// Evidence net of warnings, never below zero: `max(0, recommend - gamma * warn)`.
    pub fn net_evidence(&self, recommend: f64, warn: f64) -> f64 {
        let net = recommend - self.gamma * warn;
        // Written out rather than `max` so that the result is never -0.0.
        if net > 0.0 {
            net
        } else {
            0.0
        }
    }
}
