//! The graph's bookkeeping: changes, bulk loading, the edge dump and memory.

use std::time::Instant;

use petgraph::visit::EdgeRef;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::domain::{PersonId, ProviderId, Stance, TradeId};

use super::fixtures::*;
use super::push::personalized_pagerank;
use super::visibility::Viewer;
use super::{
    compute_prior, rank_providers_for, EdgeRecord, GraphBuilder, GraphError, Prior, ProviderInfo,
    RankParams, TrustGraph,
};

#[test]
fn the_graph_and_prior_can_be_shared_between_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<TrustGraph>();
    shareable::<Prior>();
}

#[test]
fn setting_a_trust_edge_again_replaces_it() {
    let mut graph = cast();
    trust(&mut graph, ANNA, MATT, 1, PUBLIC); // Anna -> Matt, knows him
    trust(&mut graph, ANNA, MATT, 3, NETWORK); // Anna -> Matt again: now completely, network

    assert_eq!(graph.trust_edge_count(), 1);
    let edges: Vec<_> = graph.edges().collect();
    assert_eq!(
        edges,
        vec![EdgeRecord::Trust {
            from: ANNA,
            to: MATT,
            level: level(3),
            visibility: NETWORK
        }]
    );
}

#[test]
fn trusting_yourself_is_refused_and_changes_nothing() {
    let mut graph = TrustGraph::new();

    let refused = graph.set_trust(ANNA, ANNA, level(3), PUBLIC);

    assert_eq!(refused, Err(GraphError::SelfEdge(ANNA)));
    assert_eq!(graph.person_count(), 0);
    assert_eq!(
        graph.set_distrust(ANNA, ANNA, 1.0),
        Err(GraphError::SelfEdge(ANNA))
    );
}

#[test]
fn people_first_met_on_an_edge_are_added_without_a_name() {
    let mut graph = TrustGraph::new();
    graph.upsert_person(ANNA, "Anna").unwrap();
    trust(&mut graph, ANNA, MATT, 2, PUBLIC); // Anna -> Matt, Matt unknown so far

    assert_eq!(graph.person_name(MATT), Some(""));
    graph.upsert_person(MATT, "Matt").unwrap();
    assert_eq!(graph.person_name(MATT), Some("Matt"));
    assert_eq!(graph.person_count(), 2);
}

#[test]
fn a_vouch_for_an_unknown_provider_or_with_a_bad_strength_is_refused() {
    let mut graph = cast();

    let unknown = graph.set_vouch(ANNA, ProviderId(5), TILING, Stance::Recommend, PUBLIC, 1.0);
    let negative = graph.set_vouch(ANNA, MARIO_TILES, TILING, Stance::Recommend, PUBLIC, -1.0);
    let not_a_number = graph.set_vouch(
        ANNA,
        MARIO_TILES,
        TILING,
        Stance::Recommend,
        PUBLIC,
        f32::NAN,
    );

    assert_eq!(unknown, Err(GraphError::UnknownProvider(ProviderId(5))));
    assert_eq!(negative, Err(GraphError::InvalidStrength(-1.0)));
    assert!(matches!(not_a_number, Err(GraphError::InvalidStrength(_))));
    assert_eq!(graph.vouch_count(), 0);
}

#[test]
fn a_vouch_is_replaced_per_provider_and_trade_and_removed_once() {
    let mut graph = cast();
    recommend(&mut graph, ANNA, MARIO_TILES, PUBLIC); // Anna -> Mario Tiles, recommends tiling
    warn(&mut graph, ANNA, MARIO_TILES, PRIVATE); // Anna -> Mario Tiles, now warns privately
    graph
        .set_vouch(ANNA, MARIO_TILES, PLUMBING, Stance::Recommend, PUBLIC, 0.5)
        .unwrap(); // Anna -> Mario Tiles, recommends plumbing: a separate vouch

    assert_eq!(graph.vouch_count(), 2);
    assert!(graph.remove_vouch(ANNA, MARIO_TILES, TILING));
    assert!(!graph.remove_vouch(ANNA, MARIO_TILES, TILING));
    assert_eq!(graph.vouch_count(), 1);
    assert!(!graph.remove_trust(ANNA, MATT));
}

#[test]
fn distrust_is_stored_but_never_walked() {
    let mut graph = cast();
    graph.set_distrust(ANNA, MATT, 1.0).unwrap(); // Anna -> Matt, distrusts
    recommend(&mut graph, MATT, MARIO_TILES, PUBLIC); // Matt -> Mario Tiles, recommends

    let results = tilers_for(&graph, Some(ANNA), &[]);

    assert_eq!(graph.distrust_edge_count(), 1);
    assert_eq!(result_for(&results, MARIO_TILES).personal, 0.0);
    assert!(graph.remove_distrust(ANNA, MATT));
    assert_eq!(graph.distrust_edge_count(), 0);
}

#[test]
fn upserting_a_provider_moves_it_between_trades() {
    let mut graph = cast();
    let plumber = ProviderInfo {
        trades: vec![PLUMBING],
        ..tiler(MARIO_TILES, "Mario Plumbing", MARIO)
    };
    graph.upsert_provider(plumber).unwrap();

    let tilers = tilers_for(&graph, Some(ANNA), &[]);
    assert!(tilers.iter().all(|r| r.provider != MARIO_TILES));
    assert_eq!(graph.provider(MARIO_TILES).unwrap().name, "Mario Plumbing");
    assert_eq!(graph.provider_count(), 3);
}

#[test]
fn the_builder_keeps_the_last_of_repeated_edges_and_drops_vouches_for_unknown_providers() {
    let mut builder = GraphBuilder::new();
    builder.trust(ANNA, MATT, level(1), PUBLIC).unwrap(); // Anna -> Matt, knows him
    builder
        .vouch(MATT, MARIO_TILES, TILING, Stance::Warn, PUBLIC, 1.0)
        .unwrap(); // Matt -> Mario Tiles, before Mario Tiles is given
    builder
        .provider(tiler(MARIO_TILES, "Mario Tiles", MARIO))
        .unwrap();
    builder.trust(ANNA, MATT, level(3), PUBLIC).unwrap(); // Anna -> Matt again: completely
    builder
        .vouch(MATT, ProviderId(5), TILING, Stance::Recommend, PUBLIC, 1.0)
        .unwrap(); // Matt -> provider 5, which is never given
    builder.person(ANNA, "Anna");
    assert_eq!(
        builder.trust(ANNA, ANNA, level(3), PUBLIC),
        Err(GraphError::SelfEdge(ANNA))
    );

    let (graph, report) = builder.build();

    assert_eq!(report.duplicates_replaced, 1);
    assert_eq!(report.vouches_for_unknown_providers, 1);
    assert_eq!(graph.trust_edge_count(), 1);
    assert_eq!(graph.vouch_count(), 1);
    assert_eq!(graph.person_name(ANNA), Some("Anna"));
    assert_eq!(graph.person_name(MATT), Some(""));
    assert!(graph.edges().any(|edge| edge
        == EdgeRecord::Trust {
            from: ANNA,
            to: MATT,
            level: level(3),
            visibility: PUBLIC
        }));
}

#[test]
fn the_builder_puts_each_nodes_trust_edges_before_its_other_edges() {
    let (graph, _) = random_builder(7, 300, 3_000).build();

    for node in 0..graph.node_bound() {
        let kinds: Vec<bool> = graph
            .out_edges(petgraph::graph::NodeIndex::new(node))
            .map(|edge| edge.weight().kind() == super::weights::EdgeKind::Trust)
            .collect();
        assert!(
            kinds.windows(2).all(|pair| pair[0] || !pair[1]),
            "node {node}: a trust edge after another kind"
        );
    }
}

#[test]
fn after_sets_and_removals_past_several_folds_both_directions_hold_exactly_the_live_edges() {
    use std::collections::BTreeSet;
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let (mut graph, _) = random_builder(5, 150, 1_500).build();
    let record = |graph: &TrustGraph| -> BTreeSet<String> {
        graph.edges().map(|edge| format!("{edge:?}")).collect()
    };
    // 12,000 changes, a third of them removals: the overlay and the tombstones pass the fold
    // threshold (4,096) more than once.
    for step in 0..12_000 {
        let from = PersonId(rng.gen_range(0..150));
        let to = PersonId(rng.gen_range(0..150));
        let provider = ProviderId(1_000 + rng.gen_range(0..10));
        let trade = if provider.0 % 2 == 0 {
            TILING
        } else {
            PLUMBING
        };
        match rng.gen_range(0..6) {
            0 | 1 => {
                let _ = graph.set_trust(from, to, level(rng.gen_range(1..=3)), PUBLIC);
            }
            2 => {
                graph.remove_trust(from, to);
            }
            3 => {
                graph
                    .set_vouch(from, provider, trade, Stance::Recommend, PUBLIC, 1.0)
                    .unwrap();
            }
            4 => {
                graph.remove_vouch(from, provider, trade);
            }
            _ => {
                let _ = graph.set_distrust(from, to, 1.0);
            }
        }
        if step % 3_000 == 2_999 {
            // Every edge out is an edge in, and nothing else is.
            let mut out = BTreeSet::new();
            let mut inward = BTreeSet::new();
            for node in 0..graph.node_bound() {
                let node = petgraph::graph::NodeIndex::new(node);
                for edge in graph.out_edges(node) {
                    out.insert((edge.source(), edge.target(), format!("{:?}", edge.weight())));
                }
                for edge in graph.in_edges(node) {
                    inward.insert((edge.source(), edge.target(), format!("{:?}", edge.weight())));
                }
            }
            assert_eq!(out, inward, "after {} changes", step + 1);
            assert_eq!(out.len(), graph.edges().count());
        }
    }
    // And a graph built from those edges holds the same ones.
    let mut rebuilt = GraphBuilder::new();
    for provider in providers() {
        rebuilt.provider(provider).unwrap();
    }
    for edge in graph.edges() {
        let _ = match edge {
            EdgeRecord::Trust {
                from,
                to,
                level,
                visibility,
            } => rebuilt.trust(from, to, level, visibility),
            EdgeRecord::Vouch {
                from,
                provider,
                trade,
                stance,
                visibility,
                strength,
            } => rebuilt.vouch(from, provider, trade, stance, visibility, strength),
            EdgeRecord::Distrust { from, to, strength } => rebuilt.distrust(from, to, strength),
        };
    }
    assert_eq!(record(&rebuilt.build().0), record(&graph));
}

#[test]
fn the_builder_and_live_changes_give_the_same_edges() {
    let seed = 11;
    let (built, _) = random_builder(seed, 200, 2_000).build();
    let mut live = TrustGraph::new();
    for provider in providers() {
        live.upsert_provider(provider).unwrap();
    }
    for change in random_changes(seed, 200, 2_000) {
        change.apply_to(&mut live);
    }

    let sorted = |graph: &TrustGraph| {
        let mut edges: Vec<String> = graph.edges().map(|edge| format!("{edge:?}")).collect();
        edges.sort();
        edges
    };
    assert_eq!(sorted(&built), sorted(&live));
    assert_eq!(built.trust_edge_count(), live.trust_edge_count());
    assert_eq!(built.vouch_count(), live.vouch_count());
}

#[test]
fn a_built_graph_costs_at_most_64_bytes_per_edge() {
    // 20,000 people with 12 edges each: the same shape as 1M people with 12M edges, small
    // enough for a debug test. `million_person_graph_memory` measures the real size.
    let (graph, _) = random_builder(3, 20_000, 240_000).build();
    let edges = graph.trust_edge_count() + graph.vouch_count();

    let per_edge = graph.memory_bytes() as f64 / edges as f64;

    assert!(per_edge <= 64.0, "{per_edge:.1} bytes per edge");
}

/// Measures a graph of the target size: memory per edge, build time, prior time and query
/// time. Run with `cargo test --release -- --ignored million --nocapture`.
#[test]
#[ignore = "builds 12M edges: slow outside release builds"]
fn million_person_graph_memory_and_query_time() {
    let start = Instant::now();
    let (graph, _) = random_builder(5, 1_000_000, 12_000_000).build();
    let built = start.elapsed();
    let edges = graph.trust_edge_count() + graph.vouch_count();
    let bytes = graph.memory_bytes();
    println!(
        "{} people, {edges} edges: {:.0} MiB, {:.1} bytes per edge, built in {built:.1?}",
        graph.person_count(),
        bytes as f64 / (1 << 20) as f64,
        bytes as f64 / edges as f64,
    );

    let params = RankParams::default();
    let start = Instant::now();
    let seeds: Vec<PersonId> = (0..100).map(|i| PersonId(i * 9_973)).collect();
    let prior = compute_prior(&graph, &seeds, &params);
    println!(
        "prior: {} iterations in {:.1?}",
        prior.iterations(),
        start.elapsed()
    );

    let start = Instant::now();
    let queries = 50;
    for i in 0..queries {
        let query = search(Some(PersonId(i * 19_997)), TILING);
        assert!(!rank_providers_for(&graph, &prior, &query, &params).is_empty());
    }
    println!("search: {:.2?} per query", start.elapsed() / queries as u32);

    let start = Instant::now();
    let mut reached = 0;
    for i in 0..queries {
        let viewer = Viewer::new(&graph, Some(PersonId(i * 19_997)));
        reached += personalized_pagerank(&graph, &viewer, &params).len();
    }
    println!(
        "of which the push: {:.2?} per query, reaching {} people on average",
        start.elapsed() / queries as u32,
        reached / queries as usize
    );
    assert!(bytes as f64 / edges as f64 <= 64.0);
}

/// Ten tilers and plumbers, owned by the first ten people.
fn providers() -> Vec<ProviderInfo> {
    (0..10)
        .map(|i| ProviderInfo {
            trades: vec![if i % 2 == 0 { TILING } else { PLUMBING }],
            ..tiler(ProviderId(1_000 + i), "Provider", PersonId(i))
        })
        .collect()
}

enum Change {
    Trust(PersonId, PersonId, u8),
    Vouch(PersonId, ProviderId, TradeId, Stance),
}

impl Change {
    fn apply_to(&self, graph: &mut TrustGraph) {
        match *self {
            Change::Trust(from, to, lvl) => {
                let _ = graph.set_trust(from, to, level(lvl), PUBLIC);
            }
            Change::Vouch(from, provider, trade, stance) => {
                graph
                    .set_vouch(from, provider, trade, stance, PUBLIC, 1.0)
                    .unwrap();
            }
        }
    }
}

/// Random trust edges (one in 12 a vouch), with repeats and self-edges among them.
fn random_changes(seed: u64, people: i64, edges: usize) -> Vec<Change> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..edges)
        .map(|_| {
            let from = PersonId(rng.gen_range(0..people));
            if rng.gen_ratio(1, 12) {
                let provider = rng.gen_range(0..10);
                let trade = if provider % 2 == 0 { TILING } else { PLUMBING };
                let stance = if rng.gen_ratio(1, 4) {
                    Stance::Warn
                } else {
                    Stance::Recommend
                };
                Change::Vouch(from, ProviderId(1_000 + provider), trade, stance)
            } else {
                Change::Trust(
                    from,
                    PersonId(rng.gen_range(0..people)),
                    rng.gen_range(1..=3),
                )
            }
        })
        .collect()
}

fn random_builder(seed: u64, people: i64, edges: usize) -> GraphBuilder {
    let mut builder = GraphBuilder::with_capacity(people as usize, edges);
    for provider in providers() {
        builder.provider(provider).unwrap();
    }
    for id in 0..people {
        builder.person(PersonId(id), "Firstname Lastname");
    }
    for change in random_changes(seed, people, edges) {
        let _ = match change {
            Change::Trust(from, to, lvl) => builder.trust(from, to, level(lvl), PUBLIC),
            Change::Vouch(from, provider, trade, stance) => {
                builder.vouch(from, provider, trade, stance, PUBLIC, 1.0)
            }
        };
    }
    builder
}

#[test]
fn the_walk_follows_every_trust_edge_however_trust_edges_and_vouches_were_interleaved() {
    let mut builder = GraphBuilder::new();
    for provider in [
        tiler(MARIO_TILES, "Mario Tiles", MARIO),
        tiler(LUIGI_TILES, "Luigi Tiles", LUIGI),
        tiler(STRANGER_TILES, "Stranger Tiles", PersonId(99)),
    ] {
        builder.provider(provider).unwrap();
    }
    let recommend_at_load = |builder: &mut GraphBuilder, provider| {
        builder
            .vouch(ANNA, provider, TILING, Stance::Recommend, PUBLIC, 1.0)
            .unwrap();
    };
    recommend_at_load(&mut builder, MARIO_TILES); // Anna recommends Mario Tiles
    builder.trust(ANNA, MATT, level(2), PUBLIC).unwrap(); // Anna -> Matt, well
    builder.distrust(ANNA, CARL, 0.5).unwrap(); // Anna distrusts Carl: never a step
    builder.trust(ANNA, BEA, level(1), PRIVATE).unwrap(); // Anna -> Bea, privately
    recommend_at_load(&mut builder, LUIGI_TILES); // Anna recommends Luigi Tiles
    let (mut graph, _) = builder.build();

    // Changes after the load land at the head of Anna's out-list, before her trust edges.
    recommend(&mut graph, ANNA, STRANGER_TILES, PUBLIC); // Anna recommends Stranger Tiles
    trust(&mut graph, ANNA, DORA, 3, PUBLIC); // Anna -> Dora, completely
    warn(&mut graph, ANNA, MARIO_TILES, PUBLIC); // Anna now warns about Mario Tiles
    assert!(graph.remove_trust(ANNA, MATT)); // Anna no longer trusts Matt
    trust(&mut graph, ANNA, EMIL, 1, NETWORK); // Anna -> Emil, her network may see it

    let params = RankParams::default();
    let reached = |graph: &TrustGraph| {
        let viewer = Viewer::new(graph, Some(ANNA));
        let mut ids: Vec<PersonId> = personalized_pagerank(graph, &viewer, &params)
            .into_iter()
            .filter(|&(node, _)| graph.is_person(node))
            .map(|(node, _)| graph.person_id(node))
            .collect();
        ids.sort();
        ids
    };
    // Anna sees her own private edge; distrust and vouches are never steps.
    assert_eq!(reached(&graph), vec![ANNA, BEA, DORA, EMIL]);

    // Someone else walking through Anna never follows her private edge.
    let mut stranger = graph.clone();
    trust(&mut stranger, CARL, ANNA, 3, PUBLIC); // Carl -> Anna, completely
    let viewer = Viewer::new(&stranger, Some(CARL));
    let mut from_carl: Vec<PersonId> = personalized_pagerank(&stranger, &viewer, &params)
        .into_iter()
        .map(|(node, _)| stranger.person_id(node))
        .collect();
    from_carl.sort();
    assert!(from_carl.contains(&DORA), "{from_carl:?}");
    assert!(!from_carl.contains(&BEA), "private to Anna: {from_carl:?}");
}

#[test]
fn at_the_node_limit_new_people_and_providers_are_refused_and_the_graph_is_unchanged() {
    let mut graph = cast();
    // Room for exactly one more node.
    graph.node_limit = super::trust_graph::NodeLimit(graph.node_bound() + 1);
    let (newcomer, another) = (PersonId(100), PersonId(101));

    // Two new people at once: refused whole, not half added.
    let refused = graph.set_trust(newcomer, another, level(2), PUBLIC);
    assert_eq!(refused, Err(GraphError::TooManyNodes));
    assert!(graph.person_node(newcomer).is_none());

    // One new person fits; then no one else does, in any kind of change.
    graph.set_trust(ANNA, newcomer, level(2), PUBLIC).unwrap(); // Anna -> newcomer
    assert_eq!(
        graph.upsert_person(another, "Another"),
        Err(GraphError::TooManyNodes)
    );
    assert_eq!(
        graph.set_distrust(ANNA, another, 1.0),
        Err(GraphError::TooManyNodes)
    );
    let vouch = graph.set_vouch(another, MARIO_TILES, TILING, Stance::Recommend, PUBLIC, 1.0);
    assert_eq!(vouch, Err(GraphError::TooManyNodes));
    let shop = tiler(ProviderId(999), "New Tiles", ANNA);
    assert_eq!(graph.upsert_provider(shop), Err(GraphError::TooManyNodes));
    assert!(graph.provider(ProviderId(999)).is_none());

    // People and providers already there still change freely.
    graph.set_trust(newcomer, ANNA, level(1), PUBLIC).unwrap(); // newcomer -> Anna
    graph
        .upsert_provider(tiler(MARIO_TILES, "Mario's Tiles", MARIO))
        .unwrap();
}
