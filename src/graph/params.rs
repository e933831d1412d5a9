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
    /// A person the push reached but did not push counts `alpha` times the mass still waiting
    /// there (part of what it will settle there, so still a lower bound; `push.rs`) when at
    /// least `frontier_floor * epsilon` waits. Counting a person costs reading their vouches,
    /// and most of the frontier holds crumbs. On the benchmark's million people, against a
    /// push a thousand times finer (`tests_frontier_sweep.rs`, 60 seekers): floor 0 counts
    /// 3,501 people a search for a top-10 overlap of 0.977, 2 counts 1,439 for 0.972, and
    /// pushed people only (infinity) 512 for 0.928; docs/performance.md, "The overlap, met".
    /// A speed knob like `epsilon`, not a judgement of trust: every setting moves the
    /// estimates towards the exact values, and what is left uncounted stays in the stated
    /// error bound.
    #[serde(default = "defaults::frontier_floor")]
    pub frontier_floor: f64,
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
    /// The L1 distance from exact global trust that the live prior may drift to between
    /// changes (`live_trust.rs`): each trust change is settled by local pushes until the
    /// residual proves the values within this of a full recompute. 1e-6 of a total of 1: a
    /// millionth of all trust. A change by someone holding trust `p(u)` costs at most
    /// `2 * (1 - alpha) * p(u) * (E + N) / (alpha^2 * tolerance)` degree-weighted pushes (the
    /// module's bound; the measured cost, far below it, is in docs/performance.md).
    #[serde(default = "defaults::prior_live_tolerance")]
    pub prior_live_tolerance: f64,
    /// The most global trust one voucher lends a provider's prior, as a multiple of an even
    /// share (1 / people), or no limit. Global trust piles up near the seeds; without a cap a
    /// provider's prior is whatever the few best-placed vouchers said. With one, every voucher
    /// trusted at least that much counts the same, so the prior becomes a count of trusted
    /// vouches, while a ring's total stays what flows into it. Three shares: 1 to 10 gave the
    /// same offline accuracy (docs/quality.md), and three keeps a little of the difference
    /// between well and barely trusted vouchers.
    #[serde(default)]
    pub voucher_trust_cap: Option<f64>,
    /// Restart probability of the anchored walk (`anchor.rs`), which credits raters beyond the
    /// seeker's circle. PageRank's 0.15: long enough to reach the honest region around the
    /// seeker, while a sybil region still holds at most 1 / 0.15 times what its attack edges
    /// let in.
    #[serde(default = "defaults::anchor_alpha")]
    pub anchor_alpha: f64,
    /// Residual threshold of the anchored walk's push, as `epsilon` is for the personal walk.
    #[serde(default = "defaults::anchor_epsilon")]
    pub anchor_epsilon: f64,
    /// The most anchored trust one person counts for as a rater, as a probability of the
    /// anchored walk stopping at them: 1e-4, so everyone the walk reaches at least one time in
    /// ten thousand counts the same, as in the anonymous mean. Absolute, not a share of the
    /// people: a crowd of fake accounts must not be able to shrink it by joining.
    #[serde(default = "defaults::anchor_cap")]
    pub anchor_cap: f64,
    /// Convexity of a rater's credit below the cap: `cap * (mass / cap)^gamma`. With 2, mass
    /// spread thinly over many accounts counts for far less than the same mass on a few well
    /// reached people, while the total any set of accounts gets stays below the mass the walk
    /// put there (the bound in `anchor.rs` is unchanged).
    #[serde(default = "defaults::anchor_gamma")]
    pub anchor_gamma: f64,
    /// How many times the anchored credit of everyone reached the seeker hands out as tickets
    /// (`credit_tree.rs`): what any subtree of the crowd, fake accounts behind an attack edge
    /// included, may lend one item is its tickets plus one rater's credit (`anchor_cap`). 0:
    /// none, so every subtree lends at most one rater's worth, and all fake accounts together
    /// lend an item at most one rater per attack edge, wherever the edges start. Handing out
    /// the whole crowd's credit (1) left attack edges from the best trusted people a share of
    /// many raters; on sparse trust that cost up to 0.18 of order accuracy on attacked items,
    /// against 0.02 with none, and clean accuracy was no better (docs/quality.md).
    #[serde(default = "defaults::crowd_tickets")]
    pub crowd_tickets: f64,
    /// The pseudo-count of the estimate: how much personal walk mass the crowd's estimate
    /// counts for against the seeker's own circle, in absolute mass, never normalised away. A
    /// sybil region holding personal mass M moves an estimate by at most M / (M + 0.05) of the
    /// scale through the circle. 0.05: a friend the seeker trusts among ten carries about that.
    #[serde(default = "defaults::pseudo_count")]
    pub pseudo_count: f64,
    /// The pseudo-count of the crowd's estimate towards "as the rater usually rates", in fully
    /// credited raters (`anchor_cap` each), where the ratings are too few to estimate it: an
    /// item two such raters liked moves half way. Otherwise it is estimated from the ratings
    /// (`evaluate::shrinkage`): how much raters disagree about one item over how much items
    /// differ, the shrinkage that errs least on average, kept within
    /// `[baseline_pseudo_floor, baseline_pseudo_ceiling]`.
    #[serde(default = "defaults::baseline_pseudo_count")]
    pub baseline_pseudo_count: f64,
    /// The least the estimated pseudo-count may be, in fully credited raters. It carries the
    /// crowd's bound: fake accounts behind k attack edges lend an item at most k raters
    /// (`crowd_tickets`), so they move the crowd's estimate of an item no credited honest
    /// rater rated by at most k / (k + floor) of the way. 1: one attack edge, half way at most,
    /// however much the ratings say a lone rater is to be believed.
    #[serde(default = "defaults::baseline_pseudo_floor")]
    pub baseline_pseudo_floor: f64,
    /// The most the estimated pseudo-count may be, in fully credited raters: where items
    /// differ no more than their raters' noise explains, the estimate is unbounded, and the
    /// crowd would say nothing at all. 100: an item a hundred such raters liked still moves
    /// half way.
    #[serde(default = "defaults::baseline_pseudo_ceiling")]
    pub baseline_pseudo_ceiling: f64,
    /// How many ratings at the middle of the scale a rater's habit (their mean rating) starts
    /// from. A rater's habit is what their ratings are read against, as far as
    /// `relative_ratings` says, and what the seeker's crowd usually gives (`level_prior`). 10:
    /// a rater with a handful of ratings is taken to rate near the middle of the scale (their
    /// few ratings say little about their habit), one with a hundred at their own mean.
    #[serde(default = "defaults::habit_prior")]
    pub habit_prior: f64,
    /// How many ratings the seeker's level (the point their predictions start at, and every
    /// weakly known item stays near) takes from their crowd's habit before their own mean:
    /// `(sum of own ratings + level_prior * crowd habit) / (own count + level_prior)`. The
    /// crowd's habit is its raters' habits weighted by anchored credit and passed through the
    /// same capacities as any item's estimate, so accounts behind k attack edges hold at most
    /// k fully credited raters' worth of it, not a share by head count (a plain crowd mean
    /// would be theirs to move). 30: the crowd's habit is an informed prior, unlike the middle
    /// of the scale it replaced, and a seeker's first few ratings, often the extremes that made
    /// them write, say less about where the rest of their ratings will fall. From 10 to 100,
    /// clean order accuracy rose with it on both Bitcoin networks (by 0.01 on Alpha) and fell
    /// by at most 0.002 on Advogato, and MAE was lowest near 30 (docs/quality.md, "The level's
    /// prior").
    #[serde(default = "defaults::level_prior")]
    pub level_prior: f64,
    /// How far a rating is read against its rater's own habit rather than against the seeker's
    /// level: a rating r by v of an item counts as `r - (rho * habit(v) + (1 - rho) *
    /// level(seeker))`, and a prediction is the seeker's level plus the evidence's weighted
    /// mean of that. 0: every estimate is a weighted mean of the ratings themselves, shrunk
    /// towards the seeker's level. 1: fully relative ratings, as in Iolaus (Molavi Kakhki,
    /// Kliman-Silver and Mislove, WWW 2013), the model before this parameter. Relative ratings
    /// were a defence against accounts that rate everything at the top; informativeness (below)
    /// is the stronger one, since an account that rates its targets at the top and other items
    /// at the bottom stands as far above its own habit as above the middle. Against relative
    /// ratings, 0 gained 0.01 to 0.03 of clean order accuracy on every shared network and lost
    /// nothing under attack (docs/quality.md): a rater's mean says as much about which items
    /// they chose to rate as about how they rate.
    #[serde(default = "defaults::relative_ratings")]
    pub relative_ratings: f64,
    /// How many ratings at the middle of the scale a rater's mean starts from when measuring how
    /// far their ratings spread around it (for `informative_spread`). 0.2: the spread is the
    /// rater's own, and one rating alone says almost nothing of it.
    #[serde(default = "defaults::rater_prior")]
    pub rater_prior: f64,
    /// The spread of a rater's ratings around their habit at and above which they count fully
    /// in a prediction, as a share of the variance of a rater who rates at random (1/12 on
    /// [0, 1]); below it they count in proportion. 0.1: a rater who gave one item in ten a
    /// rating a full point off their habit counts fully, while an account that rates all its
    /// targets alike counts about a tenth (with 20 ratings; less, the more it rates).
    #[serde(default = "defaults::informative_spread")]
    pub informative_spread: f64,
    /// Convexity of informativeness below `informative_spread`: a rater counts
    /// `min(1, spread / informative_spread)^power`. 4: an account whose ratings spread a tenth
    /// of what counts fully counts a ten-thousandth, so a thousand accounts that rate their
    /// targets alike weigh a tenth of one honest rater, in an item's estimate and in the share
    /// of agreement they take from the honest raters of an item the seeker rated; honest
    /// raters, whose ratings differ, count fully. With 2, a thousand such accounts weighed ten
    /// raters, as much as all the honest raters of a typical item in the sparse networks.
    #[serde(default = "defaults::informative_power")]
    pub informative_power: f64,
    /// How much kindred raters count where the seeker's walks reach no one who rated an item:
    /// the crowd's estimate is shrunk towards what raters who agree with the seeker's own
    /// ratings say (`evaluate::kindred`), at this weight, instead of towards "no opinion". 1:
    /// fully; 0 turns it off.
    #[serde(default = "defaults::kindred_weight")]
    pub kindred_weight: f64,
    /// How informative a rater must be (their weight in a prediction, from
    /// `informative_spread` and `informative_power`) to take kindred agreement at all. An
    /// account that rates its 20 targets alike counts about a ten-thousandth of a rater, so
    /// ten thousand of them held a whole rater's share of every target and, with it, agreement
    /// with every seeker who liked one: on Alpha they took 0.024 of order accuracy on their
    /// targets (docs/quality.md). 0.01, a hundredth of a rater: such accounts take nothing,
    /// while an honest rater below it gives nearly everyone the same rating, and its
    /// deviations would lend almost no agreement anyway.
    #[serde(default = "defaults::kindred_least_informative")]
    pub kindred_least_informative: f64,
    /// The pseudo-count of the kindred estimate, in agreement, where the ratings are too few
    /// to read it from (`evaluate::kindred_fit`): one item the seeker and a rater both rated a
    /// fifth of the scale from their habits, with no one else rating it, lends 0.04. 0.05: an
    /// item about which kindred raters hold that much agreement moves half way.
    #[serde(default = "defaults::kindred_pseudo_count")]
    pub kindred_pseudo_count: f64,
    /// The least pseudo-count of the kindred estimate that the ratings may choose, and so the
    /// one its bound is stated with: fake accounts holding agreement W(S) pull an estimate at
    /// most `W(S) / (W(S) + W_honest + kindred_pseudo_floor)`. 0.005, a tenth of the fallback.
    /// Set it and the ceiling to one value to fix the pseudo-count.
    #[serde(default = "defaults::kindred_pseudo_floor")]
    pub kindred_pseudo_floor: f64,
    /// The greatest pseudo-count of the kindred estimate that the ratings may choose. 0.5, ten
    /// times the fallback: there kindred raters move an item half way only with a dozen
    /// items' worth of agreement.
    #[serde(default = "defaults::kindred_pseudo_ceiling")]
    pub kindred_pseudo_ceiling: f64,
    /// How much the agreement of kindred raters whom no walk from the seeker reaches counts,
    /// against those it reaches. Nothing in the trust graph tells such an outsider from a fake
    /// account, so accounts that copy honest ratings take outsiders' agreement by head count:
    /// at 1, kindred agreement is bounded per item of the seeker's, not per attack edge. 0
    /// bounds it by attack edges (only raters the anchored walk reaches agree) and costs 0.02
    /// to 0.04 of clean order accuracy where trust is sparse; any weight in between was
    /// taken by such a crowd all the same (docs/quality.md, "Camouflage"). 1, the default: the
    /// four attacks of the evaluation stay under 0.011 either way, and clean accuracy where
    /// trust is sparse needs the outsiders.
    #[serde(default = "defaults::kindred_outsiders")]
    pub kindred_outsiders: f64,
}

/// Defaults of the fields added after parameters were first stored.
mod defaults {
    pub(super) fn frontier_floor() -> f64 {
        super::RankParams::default().frontier_floor
    }
    pub(super) fn prior_live_tolerance() -> f64 {
        super::RankParams::default().prior_live_tolerance
    }
    pub(super) fn anchor_alpha() -> f64 {
        super::RankParams::default().anchor_alpha
    }
    pub(super) fn anchor_epsilon() -> f64 {
        super::RankParams::default().anchor_epsilon
    }
    pub(super) fn anchor_cap() -> f64 {
        super::RankParams::default().anchor_cap
    }
    pub(super) fn anchor_gamma() -> f64 {
        super::RankParams::default().anchor_gamma
    }
    pub(super) fn rater_prior() -> f64 {
        super::RankParams::default().rater_prior
    }
    pub(super) fn relative_ratings() -> f64 {
        super::RankParams::default().relative_ratings
    }
    pub(super) fn habit_prior() -> f64 {
        super::RankParams::default().habit_prior
    }
    pub(super) fn level_prior() -> f64 {
        super::RankParams::default().level_prior
    }
    pub(super) fn informative_power() -> f64 {
        super::RankParams::default().informative_power
    }
    pub(super) fn informative_spread() -> f64 {
        super::RankParams::default().informative_spread
    }
    pub(super) fn kindred_weight() -> f64 {
        super::RankParams::default().kindred_weight
    }
    pub(super) fn kindred_least_informative() -> f64 {
        super::RankParams::default().kindred_least_informative
    }
    pub(super) fn kindred_outsiders() -> f64 {
        super::RankParams::default().kindred_outsiders
    }
    pub(super) fn kindred_pseudo_count() -> f64 {
        super::RankParams::default().kindred_pseudo_count
    }
    pub(super) fn kindred_pseudo_floor() -> f64 {
        super::RankParams::default().kindred_pseudo_floor
    }
    pub(super) fn kindred_pseudo_ceiling() -> f64 {
        super::RankParams::default().kindred_pseudo_ceiling
    }
    pub(super) fn crowd_tickets() -> f64 {
        super::RankParams::default().crowd_tickets
    }
    pub(super) fn pseudo_count() -> f64 {
        super::RankParams::default().pseudo_count
    }
    pub(super) fn baseline_pseudo_count() -> f64 {
        super::RankParams::default().baseline_pseudo_count
    }
    pub(super) fn baseline_pseudo_floor() -> f64 {
        super::RankParams::default().baseline_pseudo_floor
    }
    pub(super) fn baseline_pseudo_ceiling() -> f64 {
        super::RankParams::default().baseline_pseudo_ceiling
    }
}

impl Default for RankParams {
    fn default() -> RankParams {
        RankParams {
            alpha: 0.5,
            epsilon: 1e-5,
            frontier_floor: 2.0,
            level_weights: [1.0, 2.0, 4.0],
            gamma: 2.0,
            lambda: 3.0,
            prior_tolerance: 1e-9,
            prior_max_iterations: 50,
            prior_live_tolerance: 1e-6,
            voucher_trust_cap: Some(3.0),
            anchor_alpha: 0.15,
            anchor_epsilon: 1e-6,
            anchor_cap: 1e-4,
            anchor_gamma: 2.0,
            crowd_tickets: 0.0,
            pseudo_count: 0.05,
            baseline_pseudo_count: 2.0,
            baseline_pseudo_floor: 1.0,
            baseline_pseudo_ceiling: 100.0,
            habit_prior: 10.0,
            level_prior: 30.0,
            relative_ratings: 0.0,
            rater_prior: 0.2,
            informative_spread: 0.1,
            informative_power: 4.0,
            kindred_weight: 1.0,
            kindred_least_informative: 0.01,
            kindred_outsiders: 1.0,
            kindred_pseudo_count: 0.05,
            kindred_pseudo_floor: 0.005,
            kindred_pseudo_ceiling: 0.5,
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
