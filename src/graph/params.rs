//! The tunable numbers of the ranking, each with the reason for its default.

use serde::{Deserialize, Serialize};

use crate::domain::TrustLevel;

/// Parameters of the personalized walk, the global prior and the final score.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RankParams {
    /// Restart probability of the walk: at each step it stops (and credits the current person)
    /// with this probability. 0.3 keeps about 70% of the trust within 3 hops of the seeker
    /// (1 - 0.7^3 = 0.66 of the walks have stopped by then), which matches how referrals work:
    /// a friend of a friend counts, a stranger six hops away does not. It also bounds what a
    /// sybil ring can collect through an attack edge: mass that enters the ring stays there, so
    /// it is worth (1 - alpha) / alpha = 2.3 times the flow through the edge; a smaller alpha
    /// (PageRank's 0.15) would give 5.7.
    pub alpha: f64,
    /// Residual threshold of the forward push: a node is pushed while its residual is at least
    /// `epsilon * max(out_degree, 1)`. The total error of every score is at most the residual
    /// left, and the work is O(1 / (alpha * epsilon)) pushes' worth of edges, independent of the
    /// graph's size. 1e-5 leaves errors around a thousandth of a typical friend's weight and
    /// keeps a query to a few tens of thousands of edge visits.
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
    /// are probabilities of a walk stopping at someone who vouched, so they are comparable;
    /// 0.25 lets the seeker's own network lead and the public reputation break ties and rank
    /// providers the network has not reached.
    pub lambda: f64,
    /// The global prior's power iteration stops once the L1 change of one iteration is below
    /// this; 1e-9 is far below any difference the ranking can show.
    pub prior_tolerance: f64,
    /// ... or after this many iterations: with alpha = 0.3 the error shrinks by 0.7 per
    /// iteration, so 50 iterations reach 0.7^50 = 2e-8 even if the tolerance is not met.
    pub prior_max_iterations: u32,
}

impl Default for RankParams {
    fn default() -> RankParams {
        RankParams {
            alpha: 0.3,
            epsilon: 1e-5,
            level_weights: [1.0, 2.0, 4.0],
            gamma: 2.0,
            lambda: 0.25,
            prior_tolerance: 1e-9,
            prior_max_iterations: 50,
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
