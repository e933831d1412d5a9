//! `evaluate --predictions FILE`: every clean held-out rating with both methods' predictions,
//! one row each, to find where vouchgraph and the anonymous mean part ways (by how many
//! ratings an item had to learn from, or whether the seeker still trusts anyone, say).

use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::Context;

use crate::import::network::{SourceEdge, SourcePerson};
use crate::import::Fact;

use super::data::{Rating, Ratings};
use super::model::Prediction;
use super::predict::csv_field;

/// What one file holds: the held-out ratings and, index for index, both predictions, with the
/// trust edges and training ratings they were made from.
pub(super) struct Held<'a> {
    /// The held-out ratings.
    pub(super) test: &'a [Rating],
    /// vouchgraph's prediction of each.
    pub(super) vouchgraph: &'a [Option<Prediction>],
    /// The anonymous mean's.
    pub(super) mean: &'a [Option<f64>],
    /// The trust and distrust edges the model was built from.
    pub(super) edges: &'a [SourceEdge],
    /// The ratings it learned from.
    pub(super) train: &'a [Rating],
}

/// Writes `seeker,item,rating,vouchgraph,anonymous_mean,covered,seeker_trusts,item_raters`:
/// people and items by their ids in the input files; a prediction left empty where its method
/// had nothing to go on; `seeker_trusts` the seeker's trust edges left in the graph, and
/// `item_raters` the item's ratings left to learn from.
///
/// # Errors
/// An unwritable file.
pub(super) fn write(
    path: &Path,
    people: &[SourcePerson],
    ratings: &Ratings,
    held: &Held,
) -> anyhow::Result<()> {
    let mut trusts = vec![0u32; people.len()];
    for edge in held.edges {
        if matches!(edge.fact, Fact::Trust(_)) {
            trusts[edge.from as usize] += 1;
        }
    }
    let mut raters = vec![0u32; ratings.items().len()];
    for rating in held.train {
        raters[rating.item as usize] += 1;
    }
    let file =
        std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut out = BufWriter::new(file);
    writeln!(
        out,
        "seeker,item,rating,vouchgraph,anonymous_mean,covered,seeker_trusts,item_raters"
    )?;
    for ((rating, vouchgraph), mean) in held.test.iter().zip(held.vouchgraph).zip(held.mean) {
        let seeker = csv_field(&people[rating.rater as usize].key);
        let item = csv_field(&ratings.items()[rating.item as usize]);
        let (score, covered) = vouchgraph.map_or((String::new(), false), |p| {
            (format!("{:.4}", p.score), p.covered)
        });
        let mean = mean.map_or(String::new(), |m| format!("{m:.4}"));
        writeln!(
            out,
            "{seeker},{item},{},{score},{mean},{covered},{},{}",
            rating.value, trusts[rating.rater as usize], raters[rating.item as usize]
        )?;
    }
    out.flush()
        .with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use crate::evaluate::protocol::run;
    use crate::evaluate::EvaluateArgs;
    use crate::import::table::tests::TempFile;
    use crate::import::Format;

    /// Forty people in two circles of twenty: each trusts the next three of their own circle
    /// (person p -> p+1, p+2, p+3, wrapping within the circle), and each rates eight of twelve
    /// items, the first circle liking low-numbered items and the second high-numbered ones.
    fn files() -> (TempFile, TempFile) {
        let (mut trust, mut ratings) = (String::new(), String::new());
        for person in 0..40 {
            let circle = person / 20 * 20;
            for step in 1..=3 {
                let _ = writeln!(trust, "{person},{},2", circle + (person + step) % 20);
            }
            for k in 0..8 {
                let item = (person * 5 + k * 3) % 12;
                let liked = if circle == 0 { item < 6 } else { item >= 6 };
                let rating = if liked {
                    4 + person % 2
                } else {
                    1 + person % 2
                };
                let _ = writeln!(ratings, "{person},item{item},{rating}");
            }
        }
        (
            TempFile::with(trust.as_bytes()).unwrap(),
            TempFile::with(ratings.as_bytes()).unwrap(),
        )
    }

    #[test]
    fn the_predictions_file_has_one_row_per_held_out_rating_matching_the_printed_tables() {
        let (trust, ratings) = files();
        let out = TempFile::with(b"").unwrap();
        let args = EvaluateArgs {
            trust: trust.0.clone(),
            trust_format: Format::Csv,
            ratings: ratings.0.clone(),
            holdout: 0.2,
            seed: 3,
            items_are_people: false,
            trust_sample: 1.0,
            attack: None,
            sybil: 1000,
            attack_edges: 2,
            targets: 20,
            seeds: Vec::new(),
            params: Vec::new(),
            predictions: Some(out.0.clone()),
        };
        let evaluation = run(&args).unwrap();
        let text = std::fs::read_to_string(&out.0).unwrap();
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some("seeker,item,rating,vouchgraph,anonymous_mean,covered,seeker_trusts,item_raters")
        );
        let rows: Vec<Vec<&str>> = lines.map(|line| line.split(',').collect()).collect();
        let [all, covered] = evaluation.clean.as_slice() else {
            panic!("two clean tables");
        };
        assert!(all.ratings > 0);
        assert_eq!(rows.len(), all.ratings);
        let both = rows
            .iter()
            .filter(|row| !row[3].is_empty() && !row[4].is_empty())
            .count();
        assert_eq!(both, all.predicted);
        let covered_rows = rows.iter().filter(|row| row[5] == "true").count();
        assert_eq!(covered_rows, covered.ratings);
        for row in &rows {
            // Everyone here trusts three people; an item has a mean exactly when some
            // rating of it is left to learn from.
            assert_eq!(row[6], "3", "{row:?}");
            assert_eq!(row[4].is_empty(), row[7] == "0", "{row:?}");
            let rating: f64 = row[2].parse().unwrap();
            assert!((1.0..=5.0).contains(&rating), "{row:?}");
        }
    }
}
