//! `vouchgraph predict`: one predicted rating per query, written as `seeker,item,score,covered`.

use std::io::{BufWriter, Write};
use std::time::Instant;

use anyhow::Context;

use crate::graph::RankParams;
use crate::import::read_network;

use super::data::{read_queries, read_ratings};
use super::model::{Model, ModelInput};
use super::{choose_seeds, PredictArgs};

/// How long each phase took and how much was predicted, for the command to print.
#[derive(Debug)]
pub struct PredictSummary {
    /// People, trust edges, ratings and queries read.
    pub sizes: (usize, usize, usize, usize),
    /// Distinct seekers among the queries: each costs one search.
    pub seekers: usize,
    /// Queries that got a score (their item has ratings).
    pub scored: usize,
    /// Queries the seeker's network covered.
    pub covered: usize,
    /// How many fully credited raters the crowd's estimate is shrunk by, as read from the
    /// ratings ([`Model::crowd_pseudo_count`]).
    pub crowd_pseudo: f64,
    /// How much agreement the kindred estimate is shrunk by, as read from the ratings
    /// ([`Model::kindred_pseudo_count`]).
    pub kindred_pseudo: f64,
    /// Seconds spent reading, building the graph and prior, predicting, and writing.
    pub seconds: [f64; 4],
}

impl std::fmt::Display for PredictSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (people, edges, ratings, queries) = self.sizes;
        let [read, build, predict, write] = self.seconds;
        writeln!(
            f,
            "{people} people, {edges} trust edges, {ratings} ratings, {queries} queries from {} \
             seekers: {} scored, {} covered by the seeker's network; the crowd shrunk by {:.2} \
             raters, kindred raters by {:.3} of agreement",
            self.seekers, self.scored, self.covered, self.crowd_pseudo, self.kindred_pseudo
        )?;
        write!(
            f,
            "read {read:.2} s, build {build:.2} s, predict {predict:.2} s ({:.2} ms per \
             seeker), write {write:.2} s",
            1000.0 * predict / self.seekers.max(1) as f64
        )
    }
}

/// Runs `vouchgraph predict`.
///
/// # Errors
/// An unreadable or malformed input (named by file and line), or an unwritable output.
pub fn run(args: &PredictArgs) -> anyhow::Result<PredictSummary> {
    let started = Instant::now();
    let mut network = read_network(args.trust_format, &args.trust)
        .with_context(|| format!("reading {}", args.trust.display()))?;
    let mut ratings = read_ratings(&args.ratings, &mut network)?;
    let queries = read_queries(&args.queries, &mut network, &mut ratings)?;
    let seeds = choose_seeds(&network, &args.seeds)?;
    let read = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let input = ModelInput {
        people: network.people().len(),
        items: ratings.items().len(),
        edges: network.edges(),
        ratings: ratings.rows(),
        scale: ratings.scale().expect("read_ratings refuses an empty file"),
        seeds: &seeds,
    };
    let model = Model::build(&input, RankParams::default())?;
    let build = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let predictions = model.predict_all(&queries);
    let predict = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let file = std::fs::File::create(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let mut out = BufWriter::new(file);
    writeln!(out, "seeker,item,score,covered")?;
    for (&(seeker, item), prediction) in queries.iter().zip(&predictions) {
        let seeker = csv_field(&network.people()[seeker as usize].key);
        let item = csv_field(&ratings.items()[item as usize]);
        match prediction {
            Some(p) => writeln!(out, "{seeker},{item},{:.4},{}", p.score, p.covered)?,
            // No one rated the item: there is nothing to predict from.
            None => writeln!(out, "{seeker},{item},,false")?,
        }
    }
    out.flush()
        .with_context(|| format!("writing {}", args.out.display()))?;
    let write = started.elapsed().as_secs_f64();

    Ok(PredictSummary {
        sizes: (
            network.people().len(),
            network.edges().len(),
            ratings.rows().len(),
            queries.len(),
        ),
        seekers: queries
            .iter()
            .map(|&(seeker, _)| seeker)
            .collect::<rustc_hash::FxHashSet<u32>>()
            .len(),
        scored: predictions.iter().flatten().count(),
        covered: predictions.iter().flatten().filter(|p| p.covered).count(),
        crowd_pseudo: model.crowd_pseudo_count(),
        kindred_pseudo: model.kindred_pseudo_count(),
        seconds: [read, build, predict, write],
    })
}

/// A key as a CSV field: quoted if it holds a comma, a quote or a line end.
pub(super) fn csv_field(key: &str) -> String {
    if key.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", key.replace('"', "\"\""))
    } else {
        key.to_string()
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::import::table::tests::TempFile;
    use crate::import::Format;

    /// A network of `people` in communities of 100, each trusting 5 others (4 in their own
    /// community) and rating `per_person` items of a catalogue as big as the population (popular
    /// items more often); the first `seekers` people ask about 5 items each.
    fn synthetic(
        people: usize,
        per_person: usize,
        seekers: usize,
        seed: u64,
    ) -> (String, String, String) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let (mut trust, mut ratings, mut queries) = (String::new(), String::new(), String::new());
        let items = people;
        let quality: Vec<f64> = (0..items).map(|_| rng.gen_range(1.0..5.0)).collect();
        for person in 0..people {
            let community = person / 100 * 100;
            for k in 0..5 {
                let other = if k < 4 {
                    community + rng.gen_range(0..100)
                } else {
                    rng.gen_range(0..people)
                };
                if other != person && other < people {
                    let _ = writeln!(trust, "{person},{other},{}", rng.gen_range(1..=3));
                }
            }
            for _ in 0..per_person {
                // Squaring a uniform draw favours low item numbers: a few popular items.
                let item = (rng.gen::<f64>().powi(2) * items as f64) as usize;
                let taste = if community % 200 == 0 { 0.5 } else { -0.5 };
                let rating = (quality[item] + taste + rng.gen_range(-1.0..1.0)).clamp(1.0, 5.0);
                let _ = writeln!(ratings, "{person},item{item},{}", rating.round());
            }
            if person < seekers {
                for _ in 0..5 {
                    let _ = writeln!(queries, "{person},item{}", rng.gen_range(0..items));
                }
            }
        }
        (trust, ratings, queries)
    }

    fn predict_synthetic(
        people: usize,
        per_person: usize,
        seekers: usize,
    ) -> (PredictSummary, String) {
        let (trust, ratings, queries) = synthetic(people, per_person, seekers, 7);
        let files = [trust, ratings, queries].map(|text| TempFile::with(text.as_bytes()).unwrap());
        let out = TempFile::with(b"").unwrap();
        let args = PredictArgs {
            trust: files[0].0.clone(),
            trust_format: Format::Csv,
            ratings: files[1].0.clone(),
            queries: files[2].0.clone(),
            out: out.0.clone(),
            seeds: Vec::new(),
        };
        let summary = run(&args).unwrap();
        (summary, std::fs::read_to_string(&out.0).unwrap())
    }

    #[test]
    fn every_query_gets_a_row_and_known_items_a_score_on_the_input_scale() {
        let (summary, out) = predict_synthetic(300, 20, 300);
        let rows: Vec<&str> = out.lines().collect();
        assert_eq!(rows[0], "seeker,item,score,covered");
        assert_eq!(rows.len() - 1, summary.sizes.3);
        assert!(summary.covered > 0 && summary.scored >= summary.covered);
        for row in &rows[1..] {
            let fields: Vec<&str> = row.split(',').collect();
            if let Ok(score) = fields[2].parse::<f64>() {
                assert!((1.0..=5.0).contains(&score), "{row}");
            } else {
                assert_eq!(fields[3], "false", "{row}");
            }
        }
    }

    /// The scale: 100k trust edges and 1M ratings, with 1,000 seekers asking 5 queries
    /// each, then with every one of the 20,000 people doing so. Run it with
    /// `cargo test --release --lib -- --ignored predict_at_scale --nocapture`.
    #[test]
    #[ignore = "a timing run: about 160 s in release, far longer in debug"]
    fn predict_at_scale_100k_trust_edges_1m_ratings() {
        for seekers in [1_000, 20_000] {
            let (summary, _) = predict_synthetic(20_000, 50, seekers);
            println!("{summary}");
            assert!(summary.sizes.1 >= 95_000, "{summary}");
            assert!(summary.sizes.2 >= 900_000, "{summary}");
        }
    }
}
