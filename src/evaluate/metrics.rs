//! The measures: mean absolute error, coverage, and pairwise order accuracy, for vouchgraph and
//! the anonymous mean over the same held-out ratings and the same pairs.

use std::fmt;

use rustc_hash::FxHashMap;

use super::data::Rating;
use super::model::Prediction;

/// One method's measures.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Measures {
    /// Mean absolute error over the ratings both methods predict.
    pub mae: f64,
    /// Share of the ratings this method covers: for vouchgraph, those where the seeker's
    /// network reached a rater; for the mean, those whose item has any rating.
    pub coverage: f64,
    /// Share of pairs ordered as the seeker ordered them (a tie counts half).
    pub order_accuracy: f64,
}

/// Both methods' measures over one set of held-out ratings.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    /// What the set is, for the heading.
    pub title: String,
    /// Held-out ratings in the set.
    pub ratings: usize,
    /// Of those, predicted by both methods (their item has a rating to go on).
    pub predicted: usize,
    /// Pairs of the same seeker's held-out items rated differently, both predicted.
    pub pairs: usize,
    /// vouchgraph.
    pub vouchgraph: Measures,
    /// The anonymous mean.
    pub mean: Measures,
}

/// Predictions of both methods for the held-out ratings, index for index.
pub struct Predictions<'a> {
    /// The held-out ratings.
    pub test: &'a [Rating],
    /// vouchgraph's.
    pub vouchgraph: &'a [Option<Prediction>],
    /// The anonymous mean's.
    pub mean: &'a [Option<f64>],
}

impl Predictions<'_> {
    /// Measures over the ratings `in_set` admits, and over the pairs of predicted ratings
    /// (same seeker, rated differently) that `pair_in_set` admits, whether or not `in_set`
    /// admits both.
    ///
    /// # Complexity
    /// O(R + sum over seekers of their held-out ratings squared).
    pub fn table(
        &self,
        title: &str,
        in_set: impl Fn(usize) -> bool,
        pair_in_set: impl Fn(usize, usize) -> bool,
    ) -> Table {
        let mut table = Table {
            title: title.to_string(),
            ..Table::default()
        };
        let (mut vg_error, mut mean_error, mut covered, mut known) = (0.0, 0.0, 0usize, 0usize);
        let mut by_seeker: FxHashMap<u32, Vec<usize>> = FxHashMap::default();
        for (i, rating) in self.test.iter().enumerate() {
            let (Some(vg), Some(mean)) = (self.vouchgraph[i], self.mean[i]) else {
                table.ratings += usize::from(in_set(i));
                continue;
            };
            by_seeker.entry(rating.rater).or_default().push(i);
            if !in_set(i) {
                continue;
            }
            table.ratings += 1;
            table.predicted += 1;
            known += 1;
            covered += usize::from(vg.covered);
            vg_error += (vg.score - rating.value).abs();
            mean_error += (mean - rating.value).abs();
        }
        let (mut vg_right, mut mean_right) = (0.0, 0.0);
        for indices in by_seeker.values() {
            for (a, &i) in indices.iter().enumerate() {
                for &j in &indices[a + 1..] {
                    let truth = self.test[i].value - self.test[j].value;
                    if truth == 0.0 || !pair_in_set(i, j) {
                        continue;
                    }
                    table.pairs += 1;
                    let vg = |k: usize| self.vouchgraph[k].map_or(0.0, |p| p.score);
                    let mean = |k: usize| self.mean[k].unwrap_or(0.0);
                    vg_right += agreement(truth, vg(i) - vg(j));
                    mean_right += agreement(truth, mean(i) - mean(j));
                }
            }
        }
        let share = |part: f64, whole: usize| if whole == 0 { 0.0 } else { part / whole as f64 };
        table.vouchgraph = Measures {
            mae: share(vg_error, table.predicted),
            coverage: share(covered as f64, table.ratings),
            order_accuracy: share(vg_right, table.pairs),
        };
        table.mean = Measures {
            mae: share(mean_error, table.predicted),
            coverage: share(known as f64, table.ratings),
            order_accuracy: share(mean_right, table.pairs),
        };
        table
    }
}

/// 1 when a prediction orders a pair as the truth does, 0 when it reverses it, half for a tie.
fn agreement(truth: f64, predicted: f64) -> f64 {
    if predicted == 0.0 {
        0.5
    } else if (truth > 0.0) == (predicted > 0.0) {
        1.0
    } else {
        0.0
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}: {} held-out ratings, {} predicted, {} pairs",
            self.title, self.ratings, self.predicted, self.pairs
        )?;
        writeln!(f)?;
        writeln!(f, "| method | MAE | coverage | order accuracy |")?;
        writeln!(f, "|---|---:|---:|---:|")?;
        for (name, m) in [
            ("vouchgraph", self.vouchgraph),
            ("anonymous mean", self.mean),
        ] {
            writeln!(
                f,
                "| {name} | {:.3} | {:.1}% | {:.4} |",
                m.mae,
                100.0 * m.coverage,
                m.order_accuracy
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rating(rater: u32, item: u32, value: f64) -> Rating {
        Rating { rater, item, value }
    }

    #[test]
    fn pairs_count_agreements_and_ties_count_half() {
        // Seeker 0 rated item 0 at 5 and items 1 and 2 at 1.
        let test = [rating(0, 0, 5.0), rating(0, 1, 1.0), rating(0, 2, 1.0)];
        let vouchgraph = [4.0, 2.0, 3.0].map(|score| {
            Some(Prediction {
                score,
                covered: true,
            })
        });
        let mean = [Some(2.0), Some(2.0), Some(3.0)];
        let predictions = Predictions {
            test: &test,
            vouchgraph: &vouchgraph,
            mean: &mean,
        };
        let table = predictions.table("all", |_| true, |_, _| true);
        // Pairs (0, 1) and (0, 2); (1, 2) were rated alike and do not count.
        assert_eq!(table.pairs, 2);
        assert_eq!(table.vouchgraph.order_accuracy, 1.0);
        // The mean ties (0, 1) and reverses (0, 2).
        assert_eq!(table.mean.order_accuracy, 0.25);
        assert!((table.vouchgraph.mae - (1.0 + 1.0 + 2.0) / 3.0).abs() < 1e-12);
        assert_eq!(table.vouchgraph.coverage, 1.0);
    }
}
