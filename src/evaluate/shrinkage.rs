//! How far an item's raters are taken at their word: the crowd's pseudo-count, estimated from
//! the ratings themselves (empirical Bayes), not chosen once for every network.
//!
//! Read a rating as `x(v, i) = mu + theta(i) + e(v, i)`: the item's own worth `theta`, spread
//! `tau^2` across items, and each rater's noise `e`, spread `sigma^2`. The estimate of an item
//! from raters of total weight `W` that errs least on average (the posterior mean of the
//! normal model, as in James and Stein) moves from the prior by `W / (W + sigma^2 / tau^2)`:
//! the pseudo-count is `sigma^2 / tau^2` raters. Where items differ far more than their raters
//! disagree (Advogato's certifications: a master is a master) one rater is nearly enough;
//! where raters disagree about one item as much as items differ (Bitcoin Alpha, where nearly
//! everyone gets +1 and a few get a −10 from someone), many are needed.
//!
//! Both spreads come from the one-way random-effects analysis of variance with weighted
//! observations (Searle, Casella and McCulloch, *Variance Components*, 1992, ch. 3), each
//! rating weighted by its rater's credit. The caller weights by the credit of a crowd fake
//! accounts cannot buy (the seeds', or the founders'), so that however many ratings they add,
//! they move the estimate only by the credit their attack edges let in.

use rustc_hash::FxHashMap;

/// Within-item degrees of freedom below which the spreads are not estimated: a variance from
/// fewer than 30 is too unsure to set every item's shrinkage by.
const LEAST_DEGREES: f64 = 30.0;

/// The two spreads of the ratings, on the scale they were given in.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Spreads {
    /// `sigma^2`: how far one rater's rating of an item strays from the item's worth.
    pub within: f64,
    /// `tau^2`: how far items' worths differ; at most 0 when items differ no more than their
    /// raters' noise explains.
    pub between: f64,
}

impl Spreads {
    /// Estimates both from `(item, weight, rating)`; `None` when the weighted ratings give fewer
    /// than [`LEAST_DEGREES`] degrees of freedom within items.
    ///
    /// With weights `w`, per item `W = sum w`, `V = sum w^2` and weighted mean `m`:
    /// `sigma^2 = sum_i sum_v w (x - m_i)^2 / sum_i (W_i - V_i / W_i)`, and, with `m` the
    /// weighted grand mean, `E[sum_i W_i (m_i - m)^2] = tau^2 (W - sum W_i^2 / W) + sigma^2
    /// sum_i (V_i / W_i) (1 - W_i / W)`, solved for `tau^2`. With unit weights these are the
    /// textbook unbalanced estimators.
    ///
    /// # Complexity
    /// O(ratings), one hash entry per item rated with positive weight.
    pub(super) fn estimate(ratings: impl IntoIterator<Item = (u32, f64, f64)>) -> Option<Spreads> {
        #[derive(Default)]
        struct Item {
            weight: f64,
            squares: f64,
            sum: f64,
            sum_of_squares: f64,
        }
        let mut items: FxHashMap<u32, Item> = FxHashMap::default();
        for (item, weight, rating) in ratings {
            if !(weight > 0.0 && weight.is_finite() && rating.is_finite()) {
                continue;
            }
            let entry = items.entry(item).or_default();
            entry.weight += weight;
            entry.squares += weight * weight;
            entry.sum += weight * rating;
            entry.sum_of_squares += weight * rating * rating;
        }
        let (mut within, mut degrees) = (0.0, 0.0);
        let (mut total, mut grand) = (0.0, 0.0);
        for item in items.values() {
            let mean = item.sum / item.weight;
            // sum w (x - m)^2, never below 0 from rounding.
            within += (item.sum_of_squares - item.sum * mean).max(0.0);
            degrees += item.weight - item.squares / item.weight;
            total += item.weight;
            grand += item.sum;
        }
        if degrees < LEAST_DEGREES {
            return None;
        }
        let within = within / degrees;
        let grand = grand / total;
        let (mut between_squares, mut noise, mut spread) = (0.0, 0.0, total);
        for item in items.values() {
            let mean = item.sum / item.weight;
            between_squares += item.weight * (mean - grand).powi(2);
            noise += item.squares / item.weight * (1.0 - item.weight / total);
            spread -= item.weight * item.weight / total;
        }
        let between = if spread > 0.0 {
            (between_squares - within * noise) / spread
        } else {
            0.0
        };
        Some(Spreads { within, between })
    }

    /// The pseudo-count, in raters of weight 1, clamped to `[floor, ceiling]`: the ceiling when
    /// items differ no more than noise explains.
    pub(super) fn pseudo_count(&self, floor: f64, ceiling: f64) -> f64 {
        if self.between <= 0.0 {
            return ceiling;
        }
        (self.within / self.between).clamp(floor, ceiling)
    }
}

#[cfg(test)]
mod tests {
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    use super::*;

    /// Ratings of `items` items, each rated by `raters` raters at weight 1: the item's worth
    /// drawn uniformly with spread `tau2`, each rating off it by noise of spread `sigma2`.
    fn drawn(items: u32, raters: u32, tau2: f64, sigma2: f64, seed: u64) -> Vec<(u32, f64, f64)> {
        let mut rng = StdRng::seed_from_u64(seed);
        // A uniform draw on [-a, a] has variance a^2 / 3.
        let (a, b) = ((3.0 * tau2).sqrt(), (3.0 * sigma2).sqrt());
        let mut ratings = Vec::new();
        for item in 0..items {
            let worth: f64 = rng.gen_range(-a..=a);
            for _ in 0..raters {
                ratings.push((item, 1.0, 0.5 + worth + rng.gen_range(-b..=b)));
            }
        }
        ratings
    }

    #[test]
    fn the_spreads_come_back_as_they_were_drawn() {
        // 2,000 items of 5 raters: both spreads within a tenth of the truth.
        let spreads = Spreads::estimate(drawn(2_000, 5, 0.02, 0.05, 1)).unwrap();
        assert!((spreads.within - 0.05).abs() < 0.005, "{spreads:?}");
        assert!((spreads.between - 0.02).abs() < 0.002, "{spreads:?}");
    }

    #[test]
    fn items_that_differ_far_more_than_their_raters_disagree_take_one_rater_nearly_at_their_word() {
        let spreads = Spreads::estimate(drawn(500, 3, 0.08, 0.004, 2)).unwrap();
        assert!(spreads.pseudo_count(0.0, 100.0) < 0.1, "{spreads:?}");
    }

    #[test]
    fn items_whose_raters_disagree_more_than_the_items_differ_need_many_raters() {
        let spreads = Spreads::estimate(drawn(500, 3, 0.002, 0.02, 3)).unwrap();
        let pseudo = spreads.pseudo_count(0.0, 100.0);
        assert!(pseudo > 5.0 && pseudo < 20.0, "{pseudo}: {spreads:?}");
    }

    #[test]
    fn items_that_differ_no_more_than_noise_explains_get_the_ceiling() {
        // Every item's worth is the same: any difference between their means is noise.
        let spreads = Spreads::estimate(drawn(500, 4, 0.0, 0.02, 4)).unwrap();
        let pseudo = spreads.pseudo_count(1.0, 100.0);
        // Sampling may leave a sliver of spread between items; it still says "many raters".
        assert!(pseudo > 20.0, "{pseudo}: {spreads:?}");
    }

    #[test]
    fn too_few_items_rated_twice_say_nothing() {
        // 10 items of 3 raters: 20 degrees of freedom.
        assert_eq!(Spreads::estimate(drawn(10, 3, 0.02, 0.02, 5)), None);
        // Items rated once carry no within-item freedom at all, however many there are.
        assert_eq!(Spreads::estimate(drawn(10_000, 1, 0.02, 0.02, 6)), None);
    }

    #[test]
    fn ratings_without_weight_do_not_count_however_many_they_are() {
        let honest = drawn(300, 3, 0.05, 0.005, 7);
        let alone = Spreads::estimate(honest.clone()).unwrap();
        // A thousand accounts rate 3,000 items of their own alike: no credit, no say.
        let mut flooded = honest;
        for account in 0..1_000u32 {
            for item in 0..3 {
                flooded.push((10_000 + 3 * account + item, 0.0, 1.0));
            }
        }
        assert_eq!(Spreads::estimate(flooded), Some(alone));
    }

    #[test]
    fn a_floor_and_a_ceiling_hold_whatever_the_ratings_say() {
        let tight = Spreads {
            within: 0.0001,
            between: 0.1,
        };
        assert_eq!(tight.pseudo_count(1.0, 100.0), 1.0);
        let loose = Spreads {
            within: 0.1,
            between: 0.0001,
        };
        assert_eq!(loose.pseudo_count(1.0, 100.0), 100.0);
    }
}
