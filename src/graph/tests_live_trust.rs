//! The live global trust (`live_trust.rs`): after any sequence of trust changes, settled by
//! local pushes, it stays within its stated bound of a full recompute.

use proptest::collection::vec;
use proptest::prelude::*;

use crate::domain::{PersonId, TrustLevel, Visibility};

use super::prior::global_trust;
use super::{LiveTrust, RankParams, TrustGraph};

/// The exact values: a power iteration run far past the service's tolerance.
fn exact(graph: &TrustGraph, seeds: &[PersonId], params: &RankParams) -> Vec<f64> {
    let strict = RankParams {
        prior_tolerance: 1e-15,
        prior_max_iterations: 200,
        ..*params
    };
    global_trust(graph, seeds, &strict).values
}

fn l1(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().max(b.len());
    (0..n)
        .map(|i| (a.get(i).unwrap_or(&0.0) - b.get(i).unwrap_or(&0.0)).abs())
        .sum()
}

fn person(id: i64) -> PersonId {
    PersonId(id)
}

fn level(value: u8) -> TrustLevel {
    TrustLevel::new(value).expect("levels 1 to 3")
}

/// One change to the graph: (from, to, level; 0 removes the edge, visibility).
type Change = (i64, i64, u8, usize);

const VISIBILITIES: [Visibility; 3] =
    [Visibility::Public, Visibility::Network, Visibility::Private];

/// Applies `change` the way the live graph does: the truster's column before, the change, then
/// the record of it.
fn apply(graph: &mut TrustGraph, live: &mut LiveTrust, change: Change, params: &RankParams) {
    let (from, to, value, visibility) = change;
    if from == to {
        return;
    }
    let before = live.column_of(graph, person(from), params);
    if value == 0 {
        graph.remove_trust(person(from), person(to));
    } else {
        graph
            .set_trust(
                person(from),
                person(to),
                level(value),
                VISIBILITIES[visibility],
            )
            .expect("a trust edge between two people");
    }
    live.record_change(graph, person(from), &before, params);
}

#[test]
fn a_new_edge_far_from_the_seed_moves_trust_as_a_full_recompute_would_within_the_bound() {
    let params = RankParams::default();
    let mut graph = TrustGraph::new();
    for id in 1..=5 {
        graph.upsert_person(person(id), &format!("P{id}")).unwrap();
    }
    // 1 -> 2, completely, public: the seed's only friend.
    graph
        .set_trust(person(1), person(2), level(3), Visibility::Public)
        .unwrap();
    // 2 -> 3, knows, public.
    graph
        .set_trust(person(2), person(3), level(1), Visibility::Public)
        .unwrap();
    // 3 -> 4, knows, private: invisible to global trust.
    graph
        .set_trust(person(3), person(4), level(1), Visibility::Private)
        .unwrap();
    let seeds = [person(1)];
    let mut live = LiveTrust::new(&graph, &seeds, &params);
    assert!(
        l1(live.values(), &exact(&graph, &seeds, &params)) <= live.error_bound(&params) + 1e-12
    );

    // Now 3 -> 5, trusts their judgement, public: 3 was dangling and sent its walk back to the
    // seed; now it passes it on to 5.
    apply(&mut graph, &mut live, (3, 5, 2, 0), &params);
    let work = live.settle(&graph, &params);
    let exact_values = exact(&graph, &seeds, &params);
    let distance = l1(live.values(), &exact_values);
    assert!(exact_values[4] > 0.0, "5 gained trust");
    assert!(
        distance <= live.error_bound(&params) + 1e-12,
        "{distance} over the bound {}",
        live.error_bound(&params)
    );
    assert!(live.error_bound(&params) < params.prior_live_tolerance);
    assert!(work.pushes > 0, "the change was pushed");
}

#[test]
fn with_no_seeds_every_change_leaves_global_trust_at_zero() {
    let params = RankParams::default();
    let mut graph = TrustGraph::new();
    // 1 -> 2, knows, public; nobody is a seed.
    graph
        .set_trust(person(1), person(2), level(1), Visibility::Public)
        .unwrap();
    let mut live = LiveTrust::new(&graph, &[], &params);
    // 2 -> 1, completely, public.
    apply(&mut graph, &mut live, (2, 1, 3, 0), &params);
    live.settle(&graph, &params);
    assert!(live.values().iter().all(|&value| value == 0.0));
}

fn changes() -> impl Strategy<Value = Vec<Change>> {
    // Ids 1 to 12, so edges often meet; level 0 removes; visibility mostly public.
    vec(
        (
            1i64..=12,
            1i64..=12,
            0u8..=3,
            prop_oneof![3 => Just(0usize), 1 => 1usize..3],
        ),
        0..60,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn after_any_changes_live_trust_is_within_its_stated_bound_of_a_full_recompute(
        initial in changes(),
        later in changes(),
        seeds in vec(1i64..=12, 1..4),
        batch in 1usize..8,
    ) {
        let params = RankParams::default();
        let mut graph = TrustGraph::new();
        for id in 1..=12 {
            graph.upsert_person(person(id), &format!("P{id}")).unwrap();
        }
        let mut live = LiveTrust::new(&graph, &[], &params);
        for &change in &initial {
            apply(&mut graph, &mut live, change, &params);
        }
        let seeds: Vec<PersonId> = seeds.into_iter().map(person).collect();
        let mut live = LiveTrust::new(&graph, &seeds, &params);
        for changes in later.chunks(batch) {
            for &change in changes {
                apply(&mut graph, &mut live, change, &params);
            }
            live.settle(&graph, &params);
            let exact_values = exact(&graph, &seeds, &params);
            let distance = l1(live.values(), &exact_values);
            let bound = live.error_bound(&params);
            prop_assert!(distance <= bound + 1e-12, "distance {} over the bound {}", distance, bound);
            prop_assert!(bound < params.prior_live_tolerance, "bound {} over the tolerance", bound);
        }
    }
}
