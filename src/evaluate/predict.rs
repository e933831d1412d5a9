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
    /// Queries that got a score (their item has ratings).
    pub scored: usize,
    /// Queries the seeker's network covered.
    pub covered: usize,
    /// Seconds spent reading, building the graph and prior, predicting, and writing.
    pub seconds: [f64; 4],
}

impl std::fmt::Display for PredictSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (people, edges, ratings, queries) = self.sizes;
        let [read, build, predict, write] = self.seconds;
        write!(
            f,
            "{people} people, {edges} trust edges, {ratings} ratings, {queries} queries: \
             {} scored, {} covered by the seeker's network\n\
             read {read:.2} s, build {build:.2} s, predict {predict:.2} s, write {write:.2} s",
            self.scored, self.covered
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
        scored: predictions.iter().flatten().count(),
        covered: predictions.iter().flatten().filter(|p| p.covered).count(),
        seconds: [read, build, predict, write],
    })
}

/// A key as a CSV field: quoted if it holds a comma, a quote or a line end.
fn csv_field(key: &str) -> String {
    if key.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", key.replace('"', "\"\""))
    } else {
        key.to_string()
    }
}
