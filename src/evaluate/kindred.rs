//! Kindred raters: people whose ratings agree with the seeker's own, for the items the
//! seeker's walks say nothing about.
//!
//! Where trust is sparse, most of an item's raters are reached by no walk from the seeker, and
//! the anchored crowd has nothing to say: every such item would tie at the seeker's level,
//! where the anonymous mean still orders them. The seeker's own past ratings are evidence a
//! fake account cannot see in the graph: a rater who rated the seeker's items the way the
//! seeker did is likely to agree with them again (user-based collaborative filtering, with
//! relative ratings as in Iolaus).
//!
//! **Agreement, and its bound.** Each item j the seeker rated lends agreement
//! `d_s(j) * d_v(j) * f(v) / F(j)` to each other rater v of it, where d are deviations from
//! each person's habit (on [-1, 1]), f(v) how informative v is, and F(j) the sum of f over
//! j's raters. A rater's weight is the sum over the items they share with the seeker, if
//! positive. So all the raters of j together gain at most |d_s(j)| from it: a set S of
//! accounts, however many and however alike their ratings, holds at most
//!
//! ```text
//! W(S) <= sum over items j the seeker rated and S rated of |d_s(j)| * F_S(j) / F(j)
//! ```
//!
//! of agreement, at most one item's worth per item of the seeker's they also rated. To hold
//! more, a crowd must rate more of the seeker's own items the way the seeker did. Its pull on
//! an estimate is then at most `W(S) / (W(S) + W_honest + k3)`, where k3, the pseudo-count
//! read from the ratings (`kindred_fit.rs`), is at least `kindred_pseudo_floor`.
//!
//! **Accounts that rate alike take none.** Informativeness shrinks an account that rates its
//! targets alike to about a ten-thousandth of a rater, but by head count: ten thousand of them
//! hold a whole rater's share of every target they rated, and with it agreement with every
//! seeker who liked one. So raters below `kindred_least_informative` take no agreement at all.
//! Honest raters that uninformative give nearly everything the same rating, and their
//! deviations lend almost nothing anyway. To take agreement, an account must spread its
//! ratings, and so rate items other than its targets: the bound above then holds as stated.

use rustc_hash::FxHashMap;

/// One item's raters: (rater, deviation from their habit on [-1, 1], informativeness).
pub(super) type Raters = [(u32, f64, f64)];

/// One seeker's kindred raters and their agreement with the seeker.
pub(super) struct Kindred {
    weights: FxHashMap<u32, f64>,
}

impl Kindred {
    /// The agreement of every rater who shares an item with `seeker`, from the seeker's own
    /// ratings `rated` (item, deviation) and every item's raters `raters`. Raters less
    /// informative than `least` take none (`RankParams::kindred_least_informative`), though
    /// they still count in each item's total, so that they dilute no one's share.
    ///
    /// # Complexity
    /// O(sum of the raters of the items the seeker rated).
    pub(super) fn of(
        seeker: u32,
        rated: &[(u32, f64)],
        raters: &[Vec<(u32, f64, f64)>],
        least: f64,
    ) -> Self {
        let mut weights = sums(seeker, rated, raters, least);
        weights.retain(|_, weight| *weight > 0.0);
        Kindred { weights }
    }

    /// Scales each rater's agreement by `factor(rater)`, dropping those it sets to 0.
    pub(super) fn scale_by(&mut self, factor: impl Fn(u32) -> f64) {
        for (rater, weight) in self.weights.iter_mut() {
            *weight *= factor(*rater);
        }
        self.weights.retain(|_, weight| *weight > 0.0);
    }

    /// A rater's agreement with the seeker (0 when none).
    pub(super) fn weight(&self, rater: u32) -> f64 {
        self.weights.get(&rater).copied().unwrap_or(0.0)
    }

    /// The kindred raters' agreement-weighted mean deviation about an item, each deviation
    /// moved by `shift` (to the seeker's reference, see `RankParams::relative_ratings`), shrunk
    /// towards none by `pseudo` of agreement.
    pub(super) fn estimate(&self, seeker: u32, raters: &Raters, pseudo: f64, shift: f64) -> f64 {
        let (sum, weight) = raters
            .iter()
            .filter(|&&(rater, _, _)| rater != seeker)
            .fold((0.0, pseudo), |(sum, weight), &(rater, deviation, _)| {
                let agreement = self.weight(rater);
                (sum + agreement * (deviation + shift), weight + agreement)
            });
        if weight > 0.0 {
            sum / weight
        } else {
            0.0
        }
    }
}

/// Every rater's agreement with `seeker` before negatives are dropped (see [`Kindred::of`]).
pub(super) fn sums(
    seeker: u32,
    rated: &[(u32, f64)],
    raters: &[Vec<(u32, f64, f64)>],
    least: f64,
) -> FxHashMap<u32, f64> {
    let mut weights: FxHashMap<u32, f64> = FxHashMap::default();
    for &(item, mine) in rated {
        let Some(raters) = raters.get(item as usize) else {
            continue;
        };
        for (rater, share, _) in shares(seeker, mine, raters, least) {
            *weights.entry(rater).or_default() += share;
        }
    }
    weights
}

/// What each of an item's raters (but the seeker, and those less informative than `least`)
/// gains from the seeker's deviation `mine` about it: `(rater, share, their deviation)`, the
/// share being `mine * theirs * f(v) / F(j)` (see the module documentation).
pub(super) fn shares(
    seeker: u32,
    mine: f64,
    raters: &Raters,
    least: f64,
) -> impl Iterator<Item = (u32, f64, f64)> + '_ {
    let total: f64 = raters.iter().map(|&(_, _, info)| info).sum();
    raters
        .iter()
        .filter(move |&&(rater, _, info)| total > 0.0 && rater != seeker && info >= least)
        .map(move |&(rater, theirs, info)| (rater, mine * theirs * info / total, theirs))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const SEEKER: u32 = 0;

    #[test]
    fn a_rater_who_rated_the_seekers_items_alike_counts_and_one_who_rated_them_opposite_does_not() {
        // Items 0 and 1: the seeker liked 0 (+0.4) and disliked 1 (-0.4).
        // Rater 1 agrees on both; rater 2 disagrees on both; rater 3 agrees on one, disagrees
        // on the other. Item 2 the seeker has not rated: rater 1 likes it, rater 2 hates it.
        let raters = vec![
            vec![
                (SEEKER, 0.4, 1.0),
                (1, 0.3, 1.0),
                (2, -0.3, 1.0),
                (3, 0.3, 1.0),
            ],
            vec![
                (SEEKER, -0.4, 1.0),
                (1, -0.3, 1.0),
                (2, 0.3, 1.0),
                (3, 0.3, 1.0),
            ],
            vec![(1, 0.5, 1.0), (2, -0.5, 1.0)],
        ];
        let rated = [(0, 0.4), (1, -0.4)];
        let kindred = Kindred::of(SEEKER, &rated, &raters, 0.0);
        assert!(kindred.weight(1) > 0.0);
        assert_eq!(kindred.weight(2), 0.0);
        assert_eq!(kindred.weight(3), 0.0);
        // So item 2 leans the way the like-minded rater rated it.
        assert!(kindred.estimate(SEEKER, &raters[2], 0.05, 0.0) > 0.0);
    }

    #[test]
    fn a_thousand_accounts_that_copy_the_seeker_gain_no_more_than_the_items_they_copied() {
        // The seeker rated items 0..5; a thousand accounts rated items 0 and 1 exactly as the
        // seeker did, and all rated item 9 at the top. One honest rater agrees on items 2..5.
        let mut raters: Vec<Vec<(u32, f64, f64)>> = vec![Vec::new(); 10];
        let mine = [0.5, -0.5, 0.3, -0.3, 0.4];
        for (item, &d) in mine.iter().enumerate() {
            raters[item].push((SEEKER, d, 1.0));
        }
        for sybil in 100..1100 {
            for item in 0..2 {
                raters[item].push((sybil, mine[item], 1.0));
            }
            raters[9].push((sybil, 1.0, 1.0));
        }
        for item in 2..5 {
            raters[item].push((1, mine[item], 1.0));
        }
        raters[9].push((1, -0.5, 1.0));
        let rated: Vec<(u32, f64)> = (0..5).map(|i| (i as u32, mine[i])).collect();
        let kindred = Kindred::of(SEEKER, &rated, &raters, 0.0);
        let crowd: f64 = (100..1100).map(|s| kindred.weight(s)).sum();
        // At most |0.5| + |-0.5| times each item's share of raters held by the crowd.
        assert!(crowd <= 1.0 + 1e-9, "the crowd holds {crowd}");
        assert!(kindred.weight(1) > 0.0);
    }

    #[test]
    fn ten_thousand_accounts_that_rate_alike_take_no_agreement_however_many_they_are() {
        // The seeker liked item 0 (+0.4). One honest, informative rater liked it too; ten
        // thousand accounts rated it at the top, as they rate everything (informativeness
        // 1e-4 each: together a whole rater's worth), and item 1, their target, likewise.
        let mut raters: Vec<Vec<(u32, f64, f64)>> = vec![vec![(SEEKER, 0.4, 1.0), (1, 0.3, 1.0)]];
        raters.push(Vec::new());
        for account in 100..10_100 {
            raters[0].push((account, 0.5, 1e-4));
            raters[1].push((account, 0.5, 1e-4));
        }
        let rated = [(0, 0.4)];
        let crowd = |least: f64| -> f64 {
            let kindred = Kindred::of(SEEKER, &rated, &raters, least);
            (100..10_100).map(|a| kindred.weight(a)).sum()
        };
        // Counted by head count they hold a rater's share of the item (a third of its total,
        // with the seeker and the honest rater): 0.4 * 0.5 / 3 of agreement, as much as the
        // honest rater.
        assert!(crowd(0.0) > 0.06, "{}", crowd(0.0));
        // Below a hundredth of a rater each, they hold none, and say nothing of their target.
        assert_eq!(crowd(0.01), 0.0);
        let kindred = Kindred::of(SEEKER, &rated, &raters, 0.01);
        assert!(kindred.weight(1) > 0.0);
        assert_eq!(kindred.estimate(SEEKER, &raters[1], 0.05, 0.0), 0.0);
    }

    proptest! {
        /// However many accounts join, and however they rate, all of them together hold at most
        /// |d_s(j)| of agreement per item j of the seeker's that they rated.
        #[test]
        fn a_crowds_agreement_is_bounded_by_the_seekers_items_it_rated(
            honest in prop::collection::vec((0u32..8, -1.0f64..1.0, 0.01f64..1.0), 0..40),
            crowd in prop::collection::vec((0u32..8, -1.0f64..1.0, 0.0f64..1.0), 0..400),
            mine in prop::collection::vec(-1.0f64..1.0, 8),
            crowd_size in 1u32..200,
        ) {
            let mut raters: Vec<Vec<(u32, f64, f64)>> = vec![Vec::new(); 8];
            for (item, &d) in mine.iter().enumerate() {
                raters[item].push((SEEKER, d, 1.0));
            }
            // Honest raters are people 1..=20, crowd accounts 1000 and up.
            for (n, &(item, d, f)) in honest.iter().enumerate() {
                raters[item as usize].push((1 + (n as u32 % 20), d, f));
            }
            for (n, &(item, d, f)) in crowd.iter().enumerate() {
                raters[item as usize].push((1000 + (n as u32 % crowd_size), d, f));
            }
            let rated: Vec<(u32, f64)> =
                mine.iter().enumerate().map(|(i, &d)| (i as u32, d)).collect();
            let kindred = Kindred::of(SEEKER, &rated, &raters, 0.0);
            let held: f64 = (1000..1000 + crowd_size).map(|s| kindred.weight(s)).sum();
            let bound: f64 = (0..8)
                .filter(|&j| raters[j].iter().any(|&(r, _, _)| r >= 1000))
                .map(|j| mine[j].abs())
                .sum();
            prop_assert!(held <= bound + 1e-9, "held {} > bound {}", held, bound);
        }
    }
}
