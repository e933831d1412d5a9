//! A recommender's track record: how the jobs their referrals led to turned out, and how much
//! their vouches count because of it.
//!
//! Beta reputation (Jøsang and Ismail, "The Beta reputation system", 2002): after `good` good
//! and `bad` bad outcomes, the expected chance that the next recommendation goes well is
//! `(good + a) / (good + bad + a + b)`. Dividing by the prior mean `a / (a + b)` makes a
//! newcomer's strength exactly 1, so a vouch counts as it always did until there is evidence;
//! clamping to [0.5, 1.5] keeps any track record from silencing or doubling a voice.
//!
//! a = b = 2 (two imaginary good and two imaginary bad outcomes) rather than the uniform
//! prior's 1 and 1: one outcome then moves a strength by 20% (1.2 or 0.8), not by a third, so
//! no single job decides a reputation. The clamp is reached after 5 unanswered outcomes of one
//! kind (5 good: 7/9 / 0.5 = 1.56 -> 1.5; 5 bad: 2/9 / 0.5 = 0.44 -> 0.5).

/// Imaginary good outcomes every recommender starts with.
pub const PRIOR_GOOD: f64 = 2.0;
/// Imaginary bad outcomes every recommender starts with.
pub const PRIOR_BAD: f64 = 2.0;
/// The weakest a track record can make a vouch.
pub const MIN_STRENGTH: f32 = 0.5;
/// The strongest a track record can make a vouch.
pub const MAX_STRENGTH: f32 = 1.5;

/// The strength of every vouch of a recommender whose completed referrals turned out `good`
/// and `bad` times: 1.0 with no record, above 1 for a good one, below for a bad one.
pub fn vouch_strength(good: u32, bad: u32) -> f32 {
    let expected =
        (f64::from(good) + PRIOR_GOOD) / (f64::from(good + bad) + PRIOR_GOOD + PRIOR_BAD);
    let prior_mean = PRIOR_GOOD / (PRIOR_GOOD + PRIOR_BAD);
    ((expected / prior_mean) as f32).clamp(MIN_STRENGTH, MAX_STRENGTH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_record_leaves_a_vouch_at_full_strength() {
        assert_eq!(vouch_strength(0, 0), 1.0);
        assert_eq!(vouch_strength(3, 3), 1.0);
    }

    #[test]
    fn one_outcome_moves_a_strength_by_a_fifth_only() {
        assert!((vouch_strength(1, 0) - 1.2).abs() < 1e-6);
        assert!((vouch_strength(0, 1) - 0.8).abs() < 1e-6);
    }

    #[test]
    fn good_outcomes_raise_and_bad_ones_lower_it_within_bounds() {
        let mut last = vouch_strength(0, 0);
        for good in 1..20 {
            let strength = vouch_strength(good, 0);
            assert!(strength >= last && strength <= MAX_STRENGTH);
            last = strength;
        }
        assert_eq!(vouch_strength(5, 0), MAX_STRENGTH);
        let mut last = vouch_strength(0, 0);
        for bad in 1..20 {
            let strength = vouch_strength(0, bad);
            assert!(strength <= last && strength >= MIN_STRENGTH);
            last = strength;
        }
        assert_eq!(vouch_strength(0, 5), MIN_STRENGTH);
    }
}
