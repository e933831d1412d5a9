//! The kindred estimate's pseudo-count, read from the ratings by leaving each out in turn.
//!
//! How far an item's kindred estimate should move from the seeker's level depends on how well
//! agreement on past items foretells the next one, and that differs from network to network:
//! where an item's level is largely agreed on (Advogato's certifications), a few kindred raters
//! already say much; where a rare rating carries the signal (Bitcoin-Alpha's few negative
//! ones), a single kindred rater says little. A constant would be tuned to whichever network it
//! was measured on. So the pseudo-count is chosen where every deployment can measure it: on
//! its own ratings, by predicting each rating of every seeker from their kindred raters with
//! that rating left out, and keeping the pseudo-count of least squared error (leave-one-out
//! cross-validation, as for the crowd's shrinkage in `shrinkage.rs`).
//!
//! **Its bound.** The choice is confined to `[kindred_pseudo_floor, kindred_pseudo_ceiling]`,
//! so the kindred estimate's bound (`kindred.rs`) holds with the floor in place of the
//! pseudo-count however the ratings, fake ones among them, steer it: a set S of accounts pulls
//! an estimate at most `W(S) / (W(S) + W_honest + kindred_pseudo_floor)`. Seekers below
//! `kindred_least_informative`, such as accounts that rate their targets alike, take no part.

use super::kindred::{shares, sums};

/// Fewer left-out ratings than this, and the ratings say too little: the caller falls back on
/// `kindred_pseudo_count`.
const LEAST_HELD_OUT: usize = 30;

/// How many raters the fit reads at the most (`FitInput::most_read`), counted once per
/// (seeker, item) pair; beyond it, an evenly spaced sample of seekers. Reading all costs the
/// sum over items of their raters squared, which grows with the square of the most rated
/// items' raters. Each candidate's error is a sum over seekers, so a sample of seekers
/// estimates every candidate's error in proportion; the three shared networks read 1.4 to 3
/// million raters at most, and are read whole.
pub(super) const MOST_READ: u64 = 20_000_000;

/// Candidates per tenfold step between the floor and the ceiling.
const STEPS_PER_DECADE: f64 = 3.0;

/// What the fit reads: every person's rated items, every item's raters, and per person their
/// habit (standing in for their level) and informativeness, as `Model::build` holds them.
pub(super) struct FitInput<'a> {
    /// Per person, `(item, deviation)` for every item they rated.
    pub rated: &'a [Vec<(u32, f64)>],
    /// Per item, `(rater, deviation, informativeness)`.
    pub raters: &'a [Vec<(u32, f64, f64)>],
    /// Per person, the habit on [0, 1] their predictions would start from.
    pub levels: &'a [f64],
    /// Per person, how informative their ratings are.
    pub info: &'a [f64],
    /// `RankParams::kindred_least_informative`.
    pub least: f64,
    /// `RankParams::relative_ratings`: how deviations are moved to the seeker's level.
    pub relative_ratings: f64,
    /// How many raters to read at the most, counted once per (seeker, item): [`MOST_READ`].
    pub most_read: u64,
}

/// The candidate pseudo-counts: thirds of a decade from `floor` up to `ceiling`, both
/// included (only `floor` if the ceiling is not above it).
pub(super) fn candidates(floor: f64, ceiling: f64) -> Vec<f64> {
    let mut grid = vec![floor];
    if ceiling > floor && floor > 0.0 {
        let steps = (STEPS_PER_DECADE * (ceiling / floor).log10()).ceil() as i32;
        grid.extend((1..steps).map(|k| floor * 10f64.powf(f64::from(k) / STEPS_PER_DECADE)));
        grid.push(ceiling);
    }
    grid
}

/// The candidate pseudo-count whose leave-one-out kindred estimates are closest, in squared
/// error, to the ratings left out; `None` when fewer than [`LEAST_HELD_OUT`] ratings could be
/// left out. Ties go to the larger pseudo-count, the more cautious.
///
/// # Complexity
/// O(sum over items of their raters squared), once for all candidates, but at most
/// `most_read` raters read.
pub(super) fn fitted_pseudo_count(input: &FitInput<'_>, candidates: &[f64]) -> Option<f64> {
    // One rating alone leaves no agreement to predict it from.
    let seekers: Vec<usize> = (0..input.rated.len())
        .filter(|&seeker| {
            input.rated[seeker].len() >= 2
                && input.info.get(seeker).is_some_and(|&f| f >= input.least)
        })
        .collect();
    let reads = |seeker: usize| -> u64 {
        input.rated[seeker]
            .iter()
            .filter_map(|&(item, _)| input.raters.get(item as usize))
            .map(|raters| raters.len() as u64)
            .sum()
    };
    let total: u64 = seekers.iter().map(|&seeker| reads(seeker)).sum();
    let stride = usize::try_from(total.div_ceil(input.most_read.max(1)))
        .unwrap_or(usize::MAX)
        .max(1);
    let mut errors = vec![0.0; candidates.len()];
    let mut held_out = 0usize;
    for &seeker in seekers.iter().step_by(stride) {
        let rated = &input.rated[seeker];
        let seeker = seeker as u32;
        let agreement = sums(seeker, rated, input.raters, input.least);
        let level = input.levels[seeker as usize];
        // As in `Model::predict`: deviations read at the seeker's level.
        let shift = (1.0 - input.relative_ratings) * (0.5 - level);
        for &(item, mine) in rated {
            let Some(raters) = input.raters.get(item as usize) else {
                continue;
            };
            // Each rater's agreement without what this very rating lent them.
            let (weight, sum) = shares(seeker, mine, raters, input.least).fold(
                (0.0, 0.0),
                |(weight, sum), (rater, share, theirs)| {
                    let without = agreement.get(&rater).copied().unwrap_or(0.0) - share;
                    if without > 0.0 {
                        (weight + without, sum + without * (theirs + shift))
                    } else {
                        (weight, sum)
                    }
                },
            );
            held_out += 1;
            let truth = mine + shift;
            for (error, &pseudo) in errors.iter_mut().zip(candidates) {
                let guess = if weight + pseudo > 0.0 {
                    sum / (weight + pseudo)
                } else {
                    0.0
                };
                *error += (truth - guess).powi(2);
            }
        }
    }
    if held_out < LEAST_HELD_OUT {
        return None;
    }
    errors
        .iter()
        .zip(candidates)
        .rev()
        .min_by(|a, b| a.0.total_cmp(b.0))
        .map(|(_, &pseudo)| pseudo)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn the_candidates_run_from_the_floor_to_the_ceiling_in_thirds_of_a_decade() {
        let grid = candidates(0.005, 0.5);
        assert_eq!(grid.len(), 7);
        assert!((grid[0] - 0.005).abs() < 1e-12);
        assert!((grid[3] - 0.05).abs() < 1e-12);
        assert!((grid[6] - 0.5).abs() < 1e-12);
        assert_eq!(candidates(0.05, 0.05), vec![0.05]);
        assert_eq!(candidates(0.05, 0.01), vec![0.05]);
    }

    const PEOPLE: u32 = 20;

    /// One item's raters: `(rater, deviation, informativeness)`.
    type RaterList = Vec<(u32, f64, f64)>;

    /// Twenty people and twenty items; everyone rates everything, person p item i at
    /// deviation `rate(p, i)`. Returns what each rated and each item's raters.
    fn everyone_rates_everything(
        rate: impl Fn(u32, u32) -> f64,
    ) -> (Vec<Vec<(u32, f64)>>, Vec<RaterList>) {
        let rated = (0..PEOPLE)
            .map(|p| (0..PEOPLE).map(|i| (i, rate(p, i))).collect())
            .collect();
        let raters = (0..PEOPLE)
            .map(|i| (0..PEOPLE).map(|p| (p, rate(p, i), 1.0)).collect())
            .collect();
        (rated, raters)
    }

    fn fit(rated: &[Vec<(u32, f64)>], raters: &[Vec<(u32, f64, f64)>]) -> Option<f64> {
        fit_reading(rated, raters, MOST_READ)
    }

    fn fit_reading(
        rated: &[Vec<(u32, f64)>],
        raters: &[Vec<(u32, f64, f64)>],
        most_read: u64,
    ) -> Option<f64> {
        let people = rated.len();
        let input = FitInput {
            rated,
            raters,
            levels: &vec![0.5; people],
            info: &vec![1.0; people],
            least: 0.01,
            relative_ratings: 0.0,
            most_read,
        };
        fitted_pseudo_count(&input, &candidates(0.005, 0.5))
    }

    #[test]
    fn where_everyone_agrees_on_each_item_the_fit_trusts_kindred_raters_most() {
        // Every person rates item i the same: +0.4 for even items, -0.4 for odd ones. Kindred
        // raters foretell each left-out rating exactly, so the least shrinkage wins.
        let (rated, raters) = everyone_rates_everything(|_, i| if i % 2 == 0 { 0.4 } else { -0.4 });
        assert_eq!(fit(&rated, &raters), Some(0.005));
    }

    #[test]
    fn a_fit_that_may_read_only_a_sample_of_seekers_chooses_as_the_whole_does() {
        // As above, but the fit may read 2,000 raters of the 8,000 (20 seekers, 20 items, 20
        // raters each): it reads every fourth seeker, still plenty to leave out.
        let (rated, raters) = everyone_rates_everything(|_, i| if i % 2 == 0 { 0.4 } else { -0.4 });
        assert_eq!(fit_reading(&rated, &raters, 2_000), Some(0.005));
        // One seeker's 20 ratings fall short of the 30 the fit needs.
        assert_eq!(fit_reading(&rated, &raters, 400), None);
    }

    #[test]
    fn where_agreement_foretells_nothing_the_fit_shrinks_most() {
        // Ratings are a fixed pseudo-random sign per (person, item): agreeing on some items
        // says nothing of the next, and every kindred estimate is noise.
        let (rated, raters) = everyone_rates_everything(|p, i| {
            // A 64-bit mix (splitmix64's finaliser) of the pair: no pattern over p or i.
            let mut x = (u64::from(p) << 32 | u64::from(i)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            x ^= x >> 31;
            x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
            x ^= x >> 29;
            if x & 1 == 0 {
                0.4
            } else {
                -0.4
            }
        });
        assert_eq!(fit(&rated, &raters), Some(0.5));
    }

    #[test]
    fn with_too_few_ratings_to_leave_out_the_fit_says_nothing() {
        // Two people who both rated item 0, and nothing else: no seeker has two ratings.
        let rated = [vec![(0, 0.4)], vec![(0, 0.4)]];
        let raters = [vec![(0, 0.4, 1.0), (1, 0.4, 1.0)]];
        assert_eq!(fit(&rated, &raters), None);
    }

    proptest! {
        #[test]
        fn whatever_the_ratings_the_fit_stays_between_the_floor_and_the_ceiling(
            ratings in proptest::collection::vec((0u32..12, 0u32..8, -1.0f64..1.0), 40..200),
        ) {
            let mut rated = vec![Vec::new(); 12];
            let mut raters = vec![Vec::new(); 8];
            for &(person, item, deviation) in &ratings {
                rated[person as usize].push((item, deviation));
                raters[item as usize].push((person, deviation, 1.0));
            }
            if let Some(pseudo) = fit(&rated, &raters) {
                prop_assert!((0.005..=0.5).contains(&pseudo));
            }
        }
    }
}
