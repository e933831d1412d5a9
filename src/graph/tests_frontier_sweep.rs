//! How the frontier floor trades the top-10 overlap with an almost exact ranking against the
//! people a search reads, on the benchmark's generated network. Not a check: a measurement,
//! run by hand (docs/performance.md, "The overlap, met"):
//!
//! ```text
//! cargo test --release --lib -- --ignored frontier_floor_sweep --nocapture
//! VG_SWEEP_PEOPLE=100000 VG_SWEEP_SEEKERS=200 cargo test --release --lib -- --ignored frontier_floor_sweep --nocapture
//! ```

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::domain::seed_set::FOUNDING_SEEDS;
use crate::domain::{PersonId, ProviderId, TradeId};
use crate::synth::{generate, SynthConfig};

use super::push::personalized_pagerank;
use super::visibility::{Audience, Viewer};
use super::{compute_prior, rank_providers_for, RankParams, SearchQuery};

fn from_env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

#[test]
#[ignore = "a measurement on a million people; run by hand"]
fn frontier_floor_sweep() {
    let people = from_env("VG_SWEEP_PEOPLE", 1_000_000);
    let seekers = from_env("VG_SWEEP_SEEKERS", 60);
    let mut config = SynthConfig::benchmark_scaled(people);
    config.seed = 42;
    let net = generate(&config);
    let (graph, _) = net.build_graph().expect("the generated network builds");
    let params = RankParams::default();
    // As the service and the benchmark: the prior restarts on the founders.
    let founders: Vec<PersonId> = net.people[..FOUNDING_SEEDS.min(net.people.len())].to_vec();
    let prior = compute_prior(&graph, &founders, &params);
    // The benchmark's seekers: people who trust someone, drawn with its seed.
    let mut trusting: Vec<PersonId> = net.trust_edges.iter().map(|edge| edge.from).collect();
    trusting.dedup();
    let mut rng = ChaCha8Rng::seed_from_u64(42 ^ 0x5eed_5eed);
    let chosen: Vec<PersonId> = trusting
        .choose_multiple(&mut rng, seekers)
        .copied()
        .collect();

    let top = |seeker: PersonId, params: &RankParams| -> Vec<ProviderId> {
        let query = SearchQuery {
            seeker: Some(seeker),
            trade: TradeId(1),
            near: None,
            limit: 10,
            audience: Audience::Seeker,
        };
        rank_providers_for(&graph, &prior, &query, params)
            .into_iter()
            .map(|ranked| ranked.provider)
            .collect()
    };
    // The reference: a push a thousand times finer, every waiting person counted.
    let exact_params = RankParams {
        epsilon: 1e-8,
        frontier_floor: 0.0,
        ..params
    };
    let exact: Vec<Vec<ProviderId>> = chosen.iter().map(|&s| top(s, &exact_params)).collect();

    println!("| frontier floor | top-10 overlap (mean; worst) | identical sets | people counted a search |");
    println!("|---:|---:|---:|---:|");
    for floor in [0.0, 1.0, 2.0, 4.0, 8.0, f64::INFINITY] {
        let swept = RankParams {
            frontier_floor: floor,
            ..params
        };
        let (mut sum, mut worst, mut identical, mut counted) = (0.0, 1.0_f64, 0, 0);
        for (&seeker, exact) in chosen.iter().zip(&exact) {
            let got = top(seeker, &swept);
            let shared = got.iter().filter(|p| exact.contains(p)).count();
            let overlap = shared as f64 / exact.len().max(1) as f64;
            sum += overlap;
            worst = worst.min(overlap);
            identical += usize::from(shared == exact.len());
            counted +=
                personalized_pagerank(&graph, &Viewer::new(&graph, Some(seeker)), &swept).len();
        }
        let n = chosen.len().max(1);
        println!(
            "| {floor} | {:.3}; {worst:.1} | {identical} of {n} | {} |",
            sum / n as f64,
            counted / n
        );
    }
}
