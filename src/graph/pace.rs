//! Pace: how a provider's habit of leaving customers waiting lowers its place in a search.
//!
//! A customer who accepted a referral and waits weeks for a call loses trust in the person who
//! referred them. So a provider who leaves accepted referrals uncontacted for more than a week
//! keeps only part of its score: `factor = 1 - MAX_PACE_PENALTY * (1 - share contacted within
//! a week)`, at least 0.75. The factor only ever lowers a score, and by at most a quarter, so:
//!
//! * a provider is never lifted by it: one that calls everyone back keeps its score;
//! * trust evidence stays first: a provider whose score (from who vouches for it) is more than
//!   4/3 of another's stays above it, however slow it is;
//! * of two providers, the one with strictly stronger trust evidence is passed only if it is
//!   itself slower to get in touch than the other.
//!
//! The share comes from the referral history (a disputed "contacted" mark counts as none);
//! providers without enough history to say keep factor 1.

use crate::domain::ProviderId;

use super::rank::RankedProvider;

/// The most of its score a provider can lose for leaving customers waiting.
pub const MAX_PACE_PENALTY: f64 = 0.25;

/// How much of its score a provider keeps, given the share of accepted referrals it contacted
/// within a week.
pub fn pace_factor(within_week: f64) -> f64 {
    let share = if within_week.is_finite() {
        within_week.clamp(0.0, 1.0)
    } else {
        1.0
    };
    1.0 - MAX_PACE_PENALTY * (1.0 - share)
}

/// Applies each provider's pace factor to its score (`factor` is clamped to
/// [1 - MAX_PACE_PENALTY, 1]), orders the results again (by score, then prior, then id, as a
/// search does) and keeps the best `limit`.
pub fn rerank_by_pace(
    mut results: Vec<RankedProvider>,
    factor: impl Fn(ProviderId) -> f64,
    limit: usize,
) -> Vec<RankedProvider> {
    for result in &mut results {
        let f = factor(result.provider);
        let f = if f.is_finite() {
            f.clamp(1.0 - MAX_PACE_PENALTY, 1.0)
        } else {
            1.0
        };
        result.score *= f;
    }
    results.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(b.prior.total_cmp(&a.prior))
            .then(a.provider.cmp(&b.provider))
    });
    results.truncate(limit);
    results
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::graph::VouchCounts;

    fn result(id: i64, score: f64) -> RankedProvider {
        RankedProvider {
            provider: ProviderId(id),
            name: format!("provider {id}"),
            score,
            personal: score,
            prior: 0.0,
            counts: VouchCounts::default(),
            paths: Vec::new(),
        }
    }

    #[test]
    fn a_provider_that_calls_everyone_back_keeps_its_score_and_one_that_calls_no_one_keeps_three_quarters(
    ) {
        assert_eq!(pace_factor(1.0), 1.0);
        assert_eq!(pace_factor(0.0), 0.75);
        assert_eq!(pace_factor(0.5), 0.875);
        assert_eq!(pace_factor(f64::NAN), 1.0);
    }

    #[test]
    fn between_two_equally_vouched_providers_the_quick_one_comes_first() {
        // Provider 1 and 2 have the same trust evidence; 1 leaves every customer waiting.
        let ranked = rerank_by_pace(
            vec![result(1, 0.4), result(2, 0.4)],
            |p| {
                if p == ProviderId(1) {
                    pace_factor(0.0)
                } else {
                    1.0
                }
            },
            2,
        );
        assert_eq!(ranked[0].provider, ProviderId(2));
    }

    proptest! {
        /// Pace never lifts a provider over one with strictly stronger trust evidence, unless
        /// that one is itself slower; and one with more than 4/3 of another's score always
        /// stays above it.
        #[test]
        fn pace_never_lifts_a_provider_over_one_with_strictly_stronger_evidence(
            scores in prop::collection::vec(0.0f64..10.0, 1..30),
            shares in prop::collection::vec(prop::option::of(0.0f64..=1.0), 30),
        ) {
            let results: Vec<RankedProvider> = scores
                .iter()
                .enumerate()
                .map(|(i, &s)| result(i as i64, s))
                .collect();
            let factor = |p: ProviderId| shares[p.0 as usize].map_or(1.0, pace_factor);
            let ranked = rerank_by_pace(results, factor, scores.len());
            let position = |id: usize| {
                ranked.iter().position(|r| r.provider == ProviderId(id as i64)).unwrap()
            };
            for a in 0..scores.len() {
                for b in 0..scores.len() {
                    let (fa, fb) = (factor(ProviderId(a as i64)), factor(ProviderId(b as i64)));
                    if scores[a] > scores[b] && fa >= fb {
                        prop_assert!(position(a) < position(b), "{a} fell below {b}");
                    }
                    if scores[a] > scores[b] * 4.0 / 3.0 {
                        prop_assert!(position(a) < position(b), "{a} fell below {b}");
                    }
                }
            }
        }
    }
}
