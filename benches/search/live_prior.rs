//! The live prior's side: what keeping global trust current costs per trust change, beside a
//! full recompute, and how far the kept values end from a recompute.

use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use vouchgraph::domain::{PersonId, TrustLevel, Visibility};
use vouchgraph::graph::{compute_prior, LiveTrust, RankParams, TrustGraph};
use vouchgraph::synth::SynthNetwork;

use crate::engine::Stats;

/// A change to apply to the graph.
type Change = Box<dyn FnOnce(&mut TrustGraph)>;

/// The figures of the live-prior phase.
pub struct LivePrior {
    /// Trust changes applied, one at a time, each settled before the next.
    pub changes: usize,
    /// `LiveTrust::new`: the power iteration, its exact residual and the first settle.
    pub start: Duration,
    /// A full `compute_prior` on the changed graph, the work a change used to trigger.
    pub full_recompute: Duration,
    /// Per change: recording it and settling the pushes it causes, in seconds.
    pub per_change: Stats,
    /// Mean pushes and trust-edge reads per change.
    pub pushes: f64,
    pub edge_reads: f64,
    /// Changes whose pushes reached a full recompute's work, so one was done instead.
    pub restarts: usize,
    /// Deriving the providers' prior from the kept values (once per refresh, not per change).
    pub derive: Duration,
    /// The stated bound after the last change, and the measured L1 distance from a power
    /// iteration run to 1e-13.
    pub bound: f64,
    pub distance: f64,
    /// The largest difference of any provider's prior from a full recompute.
    pub prior_difference: f64,
}

/// Applies `changes` random trust changes to `graph`, half new public edges inside a
/// community and half revocations of existing edges, keeping global trust on `seeds` live.
pub fn run(
    graph: &mut TrustGraph,
    net: &SynthNetwork,
    seeds: &[PersonId],
    params: &RankParams,
    changes: usize,
    seed: u64,
) -> LivePrior {
    let started = Instant::now();
    let mut live = LiveTrust::new(graph, seeds, params);
    let start = started.elapsed();
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x11fe);
    let mut times = Vec::with_capacity(changes);
    let (mut pushes, mut edge_reads, mut restarts) = (0u64, 0u64, 0usize);
    for _ in 0..changes {
        let (from, change): (PersonId, Change) = if rng.gen_bool(0.5) {
            let edge = &net.trust_edges[rng.gen_range(0..net.trust_edges.len())];
            let (from, to) = (edge.from, edge.to);
            (
                from,
                Box::new(move |g: &mut TrustGraph| {
                    g.remove_trust(from, to);
                }),
            )
        } else {
            let community = &net.communities[rng.gen_range(0..net.communities.len())];
            let from = net.people[rng.gen_range(community.clone())];
            let to = net.people[rng.gen_range(community.clone())];
            let level = TrustLevel::new(rng.gen_range(1..=3)).expect("a level");
            (
                from,
                Box::new(move |g: &mut TrustGraph| {
                    // A self-edge is refused; that change then changes nothing.
                    let _ = g.set_trust(from, to, level, Visibility::Public);
                }),
            )
        };
        let started = Instant::now();
        let before = live.column_of(graph, from, params);
        change(graph);
        live.record_change(graph, from, &before, params);
        let work = live.settle(graph, params);
        times.push(started.elapsed());
        pushes += work.pushes;
        edge_reads += work.edge_reads;
        restarts += usize::from(work.restarted);
    }
    let started = Instant::now();
    let kept = live.prior(graph, params);
    let derive = started.elapsed();
    let started = Instant::now();
    let full = compute_prior(graph, seeds, params);
    let full_recompute = started.elapsed();
    let exact = LiveTrust::new(
        graph,
        seeds,
        &RankParams {
            prior_tolerance: 1e-13,
            prior_max_iterations: 200,
            ..*params
        },
    );
    let distance = live
        .values()
        .iter()
        .zip(exact.values())
        .map(|(a, b)| (a - b).abs())
        .sum();
    LivePrior {
        changes,
        start,
        full_recompute,
        per_change: Stats::of_durations(&times),
        pushes: pushes as f64 / changes.max(1) as f64,
        edge_reads: edge_reads as f64 / changes.max(1) as f64,
        restarts,
        derive,
        bound: live.error_bound(params),
        distance,
        prior_difference: kept.max_difference(&full),
    }
}
