//! The engine's side: build the graph, measure its memory, rank for each seeker on one thread.

use std::hint::black_box;
use std::time::{Duration, Instant};

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use vouchgraph::domain::{PersonId, ProviderId, TradeId};
use vouchgraph::graph::{rank_providers_for, Audience, Prior, RankParams, SearchQuery, TrustGraph};
use vouchgraph::synth::SynthNetwork;

/// Queries run before timing, on seekers outside the measured ones, so that the first timed
/// query does not pay for page faults in the per-thread workspace.
const WARM_UP_QUERIES: usize = 50;

/// The results a search returns.
pub const LIMIT: usize = 10;

/// The process's resident set, from /proc/self/status (VmRSS is in kB).
pub fn resident_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.split_whitespace().next()?.parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// How the graph came to be and what it costs.
pub struct Built {
    pub graph: TrustGraph,
    pub build: Duration,
    pub resident_growth: u64,
}

/// Builds the engine's graph through `GraphBuilder`, timing it and measuring the resident set
/// before and after (the builder's temporary arrays are freed by then).
pub fn build(net: &SynthNetwork) -> anyhow::Result<Built> {
    let before = resident_bytes();
    let started = Instant::now();
    let (graph, report) = net.build_graph()?;
    let build = started.elapsed();
    let resident_growth = resident_bytes().saturating_sub(before);
    anyhow::ensure!(
        report.duplicates_replaced == 0 && report.vouches_for_unknown_providers == 0,
        "the builder dropped generated data: {report:?}"
    );
    Ok(Built {
        graph,
        build,
        resident_growth,
    })
}

/// `count` distinct random people who trust someone (a seeker with no edges out only sees the
/// prior), plus `WARM_UP_QUERIES` more for the warm-up, from a fixed seed.
pub fn pick_seekers(net: &SynthNetwork, count: usize, seed: u64) -> (Vec<PersonId>, Vec<PersonId>) {
    let mut candidates: Vec<PersonId> = net.trust_edges.iter().map(|edge| edge.from).collect();
    candidates.dedup();
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed_5eed);
    let chosen: Vec<PersonId> = candidates
        .choose_multiple(&mut rng, count + WARM_UP_QUERIES)
        .copied()
        .collect();
    let split = chosen.len().saturating_sub(WARM_UP_QUERIES).min(count);
    (chosen[..split].to_vec(), chosen[split..].to_vec())
}

/// The heaviest trusters: everyone in the top 1% by trust out-degree, and `count` of them drawn
/// from a fixed seed (all of them if fewer). Returns them and the smallest and largest
/// out-degree among the top 1%.
pub fn pick_heaviest(net: &SynthNetwork, count: usize, seed: u64) -> (Vec<PersonId>, usize, usize) {
    let mut degrees: Vec<(usize, PersonId)> = Vec::new();
    // The edges are sorted by source, so each person's edges are one run.
    for run in net.trust_edges.chunk_by(|a, b| a.from == b.from) {
        degrees.push((run.len(), run[0].from));
    }
    degrees.sort_unstable_by(|a, b| b.cmp(a));
    let top = (net.people.len() / 100).clamp(1, degrees.len().max(1));
    degrees.truncate(top);
    let floor = degrees.last().map_or(0, |&(degree, _)| degree);
    let top = degrees.first().map_or(0, |&(degree, _)| degree);
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x4ea5_1e57);
    let chosen = degrees
        .choose_multiple(&mut rng, count)
        .map(|&(_, person)| person)
        .collect();
    (chosen, floor, top)
}

/// One timed query per seeker.
pub struct Run {
    pub times: Vec<Duration>,
    /// Each seeker's second search, in another trade, right after the first: the walk is
    /// remembered (`graph/walk_cache.rs`), so this is what a seeker's next search costs.
    pub repeat_times: Vec<Duration>,
    pub tops: Vec<Vec<ProviderId>>,
    /// Results that came with at least one explanation path.
    pub explained: usize,
    pub results: usize,
}

/// Ranks `trade` for each seeker, on this thread, after a warm-up.
pub fn run_queries(
    graph: &TrustGraph,
    prior: &Prior,
    seekers: &[PersonId],
    warm_up: &[PersonId],
    trade: TradeId,
    params: &RankParams,
) -> Run {
    let query = |seeker: PersonId| SearchQuery {
        seeker: Some(seeker),
        trade,
        near: None,
        limit: LIMIT,
        audience: Audience::Seeker,
    };
    let other_trade = TradeId(if trade.0 == 2 { 3 } else { 2 });
    for &seeker in warm_up {
        black_box(rank_providers_for(graph, prior, &query(seeker), params));
    }
    let mut run = Run {
        times: Vec::with_capacity(seekers.len()),
        repeat_times: Vec::with_capacity(seekers.len()),
        tops: Vec::with_capacity(seekers.len()),
        explained: 0,
        results: 0,
    };
    for &seeker in seekers {
        let q = query(seeker);
        let started = Instant::now();
        let ranked = black_box(rank_providers_for(graph, prior, &q, params));
        run.times.push(started.elapsed());
        let again = SearchQuery {
            trade: other_trade,
            ..q.clone()
        };
        let started = Instant::now();
        black_box(rank_providers_for(graph, prior, &again, params));
        run.repeat_times.push(started.elapsed());
        run.results += ranked.len();
        run.explained += ranked.iter().filter(|r| !r.paths.is_empty()).count();
        run.tops.push(ranked.iter().map(|r| r.provider).collect());
    }
    run
}

/// Summary statistics of a set of durations, in seconds.
#[derive(Clone, Copy, Debug)]
pub struct Stats {
    pub p50: f64,
    pub p99: f64,
    pub mean: f64,
    pub max: f64,
}

impl Stats {
    /// Nearest-rank percentiles (p99 of 1,000 is the 990th smallest), mean and max.
    pub fn of(seconds: &[f64]) -> Stats {
        assert!(!seconds.is_empty(), "no timings");
        let mut sorted = seconds.to_vec();
        sorted.sort_by(f64::total_cmp);
        let rank =
            |p: f64| sorted[((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1];
        Stats {
            p50: rank(0.50),
            p99: rank(0.99),
            mean: sorted.iter().sum::<f64>() / sorted.len() as f64,
            max: sorted[sorted.len() - 1],
        }
    }

    /// Of durations.
    pub fn of_durations(times: &[Duration]) -> Stats {
        Stats::of(&times.iter().map(Duration::as_secs_f64).collect::<Vec<_>>())
    }
}
