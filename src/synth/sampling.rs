//! Random draws the generator needs: heavy-tailed weights and O(1) weighted choice.

use rand::Rng;

/// A weight from a power law with density exponent `exponent` (> 1) and minimum 1, by inverse
/// transform: `P(W > w) = w^-(exponent - 1)`.
pub(super) fn power_law_weight(rng: &mut impl Rng, exponent: f64) -> f64 {
    power_law_quantile(rng.gen(), exponent)
}

/// The weight at quantile `u` in [0, 1) of that power law, for weights drawn from one uniform.
pub(super) fn power_law_quantile(u: f64, exponent: f64) -> f64 {
    // u is in [0, 1), so 1 - u is in (0, 1] and the power is finite.
    (1.0 - u).powf(-1.0 / (exponent - 1.0))
}

/// Caps weights so that none gets more than `max_share` of the expected draws out of `total`,
/// i.e. `weight / sum * total <= max_draws`. Capping lowers the sum, which raises the others'
/// share, so it repeats until nothing changes (a few rounds in practice).
pub(super) fn cap_weights(weights: &mut [f64], total: f64, max_draws: f64) {
    for _ in 0..16 {
        let sum: f64 = weights.iter().sum();
        let cap = max_draws * sum / total;
        let mut capped = false;
        for weight in weights.iter_mut() {
            if *weight > cap {
                *weight = cap;
                capped = true;
            }
        }
        if !capped {
            return;
        }
    }
}

/// Walker's alias method, Vose's variant ("A linear algorithm for generating random numbers
/// with a given distribution", IEEE TSE 1991): O(n) to build, O(1) per draw.
///
/// One table can hold several independent distributions over disjoint index ranges (one per
/// community), each built with [`AliasTable::fill_range`] and drawn from with
/// [`AliasTable::draw_in`].
pub(super) struct AliasTable {
    /// The chance of keeping index i when i is drawn uniformly.
    keep: Vec<f64>,
    /// The index taken instead, within the same range.
    alias: Vec<u32>,
}

impl AliasTable {
    /// A table for one distribution over all of `weights`.
    pub(super) fn new(weights: &[f64]) -> AliasTable {
        let mut table = AliasTable::unfilled(weights.len());
        table.fill_range(weights, 0..weights.len());
        table
    }

    /// A table of `len` entries, every range still to be filled.
    pub(super) fn unfilled(len: usize) -> AliasTable {
        assert!(
            u32::try_from(len).is_ok(),
            "{len} entries do not fit u32 indices"
        );
        AliasTable {
            keep: vec![1.0; len],
            alias: (0..len as u32).collect(),
        }
    }

    /// Builds the distribution of `range` from `weights[range]` (not all zero).
    ///
    /// # Complexity
    /// O(range length).
    pub(super) fn fill_range(&mut self, weights: &[f64], range: std::ops::Range<usize>) {
        let start = range.start;
        let len = range.len();
        let sum: f64 = weights[range.clone()].iter().sum();
        assert!(sum > 0.0, "all weights of range {range:?} are zero");
        let mut scaled: Vec<f64> = weights[range]
            .iter()
            .map(|w| w * len as f64 / sum)
            .collect();
        let (mut small, mut large): (Vec<usize>, Vec<usize>) =
            (0..len).partition(|&i| scaled[i] < 1.0);
        while let (Some(&s), Some(&l)) = (small.last(), large.last()) {
            small.pop();
            self.keep[start + s] = scaled[s];
            self.alias[start + s] = (start + l) as u32;
            scaled[l] -= 1.0 - scaled[s];
            if scaled[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        // What is left is 1 up to rounding: always keep it.
        for i in small.into_iter().chain(large) {
            self.keep[start + i] = 1.0;
            self.alias[start + i] = (start + i) as u32;
        }
    }

    /// Draws an index of the whole table.
    pub(super) fn draw(&self, rng: &mut impl Rng) -> u32 {
        self.draw_in(rng, 0, self.keep.len())
    }

    /// Draws an index in `start..end`, which must be a range filled as one distribution.
    pub(super) fn draw_in(&self, rng: &mut impl Rng, start: usize, end: usize) -> u32 {
        let i = rng.gen_range(start..end);
        if rng.gen::<f64>() < self.keep[i] {
            i as u32
        } else {
            self.alias[i]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn the_alias_table_draws_in_proportion_to_the_weights() {
        let weights = [1.0, 2.0, 0.0, 5.0];
        let table = AliasTable::new(&weights);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut counts = [0u32; 4];
        for _ in 0..80_000 {
            counts[table.draw(&mut rng) as usize] += 1;
        }
        assert_eq!(counts[2], 0, "a zero weight is never drawn");
        for (i, expected) in [(0, 10_000.0), (1, 20_000.0), (3, 50_000.0)] {
            let got = f64::from(counts[i]);
            assert!((got - expected).abs() < 0.03 * expected, "{i}: {got}");
        }
    }

    #[test]
    fn a_range_draws_only_inside_itself() {
        let weights = [3.0, 1.0, 1.0, 1.0, 4.0];
        let mut table = AliasTable::unfilled(5);
        table.fill_range(&weights, 0..2);
        table.fill_range(&weights, 2..5);
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let mut counts = [0u32; 5];
        for _ in 0..60_000 {
            counts[table.draw_in(&mut rng, 2, 5) as usize] += 1;
        }
        assert_eq!(counts[0] + counts[1], 0);
        let share_of_4 = f64::from(counts[4]) / 60_000.0;
        assert!((share_of_4 - 4.0 / 6.0).abs() < 0.02, "{share_of_4}");
    }

    #[test]
    fn capping_keeps_every_weight_under_its_share() {
        let mut weights = vec![1.0; 100];
        weights[0] = 1000.0;
        cap_weights(&mut weights, 1000.0, 50.0);
        let sum: f64 = weights.iter().sum();
        assert!(weights[0] / sum * 1000.0 <= 50.0 + 1e-9);
        assert_eq!(weights[1], 1.0);
    }
}
