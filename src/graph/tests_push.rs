//! The forward push against exact personalized PageRank by power iteration.

use petgraph::graph::NodeIndex;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::domain::{PersonId, TrustLevel, Visibility};

use super::fixtures::*;
use super::push::{personalized_pagerank, push_with_residuals};
use super::visibility::Viewer;
use super::walk::{out_weight, walk_edges};
use super::{RankParams, TrustGraph};

/// The stopping distribution of the walk that starts at `start`, restarts at the viewer's
/// seeker when dangling, by power iteration to machine precision.
fn exact_ppr(
    graph: &TrustGraph,
    viewer: &Viewer,
    start: NodeIndex,
    params: &RankParams,
) -> Vec<f64> {
    let seeker = viewer.seeker().unwrap();
    let n = graph.node_bound();
    // x(k) is the distribution of where the walk is after k steps, if it has not stopped.
    let mut at = vec![0.0; n];
    at[start.index()] = 1.0;
    let mut stopped = vec![0.0; n];
    for _ in 0..2_000 {
        let mut next = vec![0.0; n];
        for (i, &mass) in at.iter().enumerate() {
            if mass == 0.0 {
                continue;
            }
            stopped[i] += params.alpha * mass;
            let node = NodeIndex::new(i);
            let access = viewer.access_to(node);
            let (total, degree) = out_weight(graph, node, access, params);
            let moving = (1.0 - params.alpha) * mass;
            if degree == 0 {
                next[seeker.index()] += moving;
            } else {
                for (target, weight, _) in walk_edges(graph, node, access, params) {
                    next[target.index()] += moving * weight / total;
                }
            }
        }
        at = next;
        if at.iter().sum::<f64>() < 1e-17 {
            break;
        }
    }
    stopped
}

/// A random graph of 30 people: 120 trust edges of random levels and visibilities, so some
/// people are dangling and some edges invisible to the seeker.
fn random_graph(seed: u64) -> TrustGraph {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut graph = TrustGraph::new();
    for _ in 0..120 {
        let from = PersonId(rng.gen_range(0..30));
        let to = PersonId(rng.gen_range(0..30));
        let level = TrustLevel::new(rng.gen_range(1..=3)).unwrap();
        let visibility =
            [Visibility::Public, Visibility::Network, Visibility::Private][rng.gen_range(0..3)];
        let _ = graph.set_trust(from, to, level, visibility);
    }
    graph
}

#[test]
fn push_leaves_exactly_what_the_residuals_explain() {
    for seed in 0..20 {
        let graph = random_graph(seed);
        let viewer = Viewer::new(&graph, Some(PersonId(seed as i64 % 30)));
        let Some(seeker) = viewer.seeker() else {
            continue;
        };
        // A coarse epsilon leaves residuals worth checking.
        let params = RankParams {
            epsilon: 1e-3,
            ..RankParams::default()
        };

        let pushed = push_with_residuals(&graph, &viewer, &params);

        // The invariant: exact = p + sum over u of r(u) * ppr(u).
        let mut explained = vec![0.0; graph.node_bound()];
        let mut residual_total = 0.0;
        let mut bound = 0.0;
        for &(node, p, r) in &pushed {
            explained[node.index()] += p;
            residual_total += r;
            let degree = out_weight(&graph, node, viewer.access_to(node), &params).1;
            assert!(
                r < params.epsilon * f64::from(degree.max(1)),
                "a due push was left"
            );
            bound += params.epsilon * f64::from(degree.max(1));
            if r > 0.0 {
                for (i, value) in exact_ppr(&graph, &viewer, node, &params)
                    .into_iter()
                    .enumerate()
                {
                    explained[i] += r * value;
                }
            }
        }
        let exact = exact_ppr(&graph, &viewer, seeker, &params);
        let p_total: f64 = pushed.iter().map(|&(_, p, _)| p).sum();
        assert!(
            (p_total + residual_total - 1.0).abs() < 1e-12,
            "mass is conserved"
        );
        assert!(
            residual_total <= bound,
            "the residual left is within epsilon per degree"
        );
        for (i, &value) in exact.iter().enumerate() {
            assert!(
                (explained[i] - value).abs() < 1e-12,
                "seed {seed}, node {i}"
            );
            let p = pushed
                .iter()
                .find(|e| e.0.index() == i)
                .map_or(0.0, |e| e.1);
            assert!(p <= value + 1e-12 && value - p <= residual_total + 1e-12);
        }
    }
}

#[test]
fn push_with_the_default_epsilon_is_within_its_bound_of_exact_pagerank() {
    let params = RankParams::default();
    for seed in 100..110 {
        let graph = random_graph(seed);
        let viewer = Viewer::new(&graph, Some(PersonId(seed as i64 % 30)));
        let Some(seeker) = viewer.seeker() else {
            continue;
        };

        let pushed = push_with_residuals(&graph, &viewer, &params);
        let exact = exact_ppr(&graph, &viewer, seeker, &params);

        let bound: f64 = pushed
            .iter()
            .map(|&(node, _, _)| {
                let degree = out_weight(&graph, node, viewer.access_to(node), &params).1;
                params.epsilon * f64::from(degree.max(1))
            })
            .sum();
        for &(node, p, _) in &pushed {
            let error = exact[node.index()] - p;
            assert!(
                (-1e-12..=bound).contains(&error),
                "seed {seed}: error {error}"
            );
        }
    }
}

#[test]
fn the_estimates_count_what_waits_at_each_person_and_fall_short_by_the_rest_of_it() {
    for seed in 200..220 {
        let graph = random_graph(seed);
        let viewer = Viewer::new(&graph, Some(PersonId(seed as i64 % 30)));
        let Some(seeker) = viewer.seeker() else {
            continue;
        };
        // Every person counted, the default floor, and pushed people only.
        for frontier_floor in [0.0, RankParams::default().frontier_floor, f64::INFINITY] {
            // A coarse epsilon leaves residuals, so that the estimate differs from p.
            let params = RankParams {
                epsilon: 1e-3,
                frontier_floor,
                ..RankParams::default()
            };

            let estimates = personalized_pagerank(&graph, &viewer, &params);
            let pushed = push_with_residuals(&graph, &viewer, &params);
            let exact = exact_ppr(&graph, &viewer, seeker, &params);

            let mut expected = 0.0;
            let mut shortfall = 0.0;
            for &(node, p, r) in &pushed {
                let estimate = estimates.iter().find(|e| e.0 == node).map_or(0.0, |e| e.1);
                // What the push settled, plus what stops at once of what still waits there,
                // for a person pushed or holding at least the floor.
                let counted = p > 0.0 || r >= frontier_floor * params.epsilon;
                let waiting = if counted { params.alpha * r } else { 0.0 };
                assert!((estimate - (p + waiting)).abs() < 1e-15);
                assert!(
                    estimate <= exact[node.index()] + 1e-12,
                    "seed {seed}: above exact"
                );
                shortfall += exact[node.index()] - estimate;
                expected += r - waiting;
            }
            // People the push never touched have no estimate; their exact mass is part of the
            // shortfall too.
            let untouched: f64 = exact
                .iter()
                .enumerate()
                .filter(|(i, _)| !pushed.iter().any(|e| e.0.index() == *i))
                .map(|(_, value)| value)
                .sum();
            assert!(
                (shortfall + untouched - expected).abs() < 1e-12,
                "seed {seed}, floor {frontier_floor}: short by {} instead of {expected}",
                shortfall + untouched
            );
        }
    }
}

#[test]
fn a_dangling_friend_sends_the_walk_back_to_the_seeker() {
    let mut graph = cast();
    trust(&mut graph, ANNA, MATT, 3, PUBLIC); // Anna -> Matt, trusts completely; Matt trusts no one
    let viewer = Viewer::new(&graph, Some(ANNA));

    let params = RankParams::default();
    let mass = personalized_pagerank(&graph, &viewer, &params);

    // Each round trip Anna -> Matt -> Anna keeps (1 - alpha)^2 of the walk, so
    // p(Anna) = alpha / (1 - (1 - alpha)^2) and Matt has the rest.
    let of = |person| {
        mass.iter()
            .find(|e| graph.person_id(e.0) == person)
            .unwrap()
            .1
    };
    let anna = params.alpha / (1.0 - (1.0 - params.alpha).powi(2));
    assert!((of(ANNA) - anna).abs() < 1e-4);
    assert!((of(MATT) - (1.0 - anna)).abs() < 1e-4);
}

#[test]
fn a_query_is_not_affected_by_the_one_before_it_on_the_same_thread() {
    let graph = random_graph(42);
    let params = RankParams::default();
    let run = |seeker| {
        personalized_pagerank(
            &graph,
            &Viewer::new(&graph, Some(PersonId(seeker))),
            &params,
        )
    };

    let first = run(1);
    let _other = run(2);
    let again = run(1);

    assert_eq!(first, again);
}

#[test]
fn an_anonymous_viewer_gets_no_personal_mass() {
    let graph = random_graph(1);
    assert!(personalized_pagerank(&graph, &Viewer::anonymous(), &RankParams::default()).is_empty());
}
