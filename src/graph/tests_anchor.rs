//! The anchored walk's bound: however fake accounts trust each other, all of them together get
//! no more anchored credit than the attack edges let in,
//! `sum over attack edges (u -> x) of q(u) * (1 - alpha) * share(u -> x) / alpha`.

use proptest::prelude::*;
use rustc_hash::FxHashMap;

use crate::domain::{PersonId, TrustLevel, Visibility};

use super::anchor::{anchored_trust, SeedTrust};
use super::builder::GraphBuilder;
use super::params::RankParams;
use super::push::personalized_pagerank;
use super::visibility::Viewer;

/// A trust edge: from, to, level 1 to 3.
pub(super) type Edge = (i64, i64, u8);

fn level(level: u8) -> TrustLevel {
    TrustLevel::new(level).expect("levels 1 to 3")
}

/// `honest` people `0..honest` trusting each other by `honest_edges`, `sybils` fake people
/// after them trusting each other by `sybil_edges` (indices among the sybils), and `attack`
/// edges from honest people into the sybils.
pub(super) fn world(
    honest: i64,
    sybils: i64,
    honest_edges: &[Edge],
    sybil_edges: &[Edge],
    attack: &[Edge],
) -> (super::TrustGraph, Vec<Edge>, Vec<Edge>) {
    let mut builder = GraphBuilder::new();
    for id in 0..honest + sybils {
        builder.person(PersonId(id), "");
    }
    let mut all = Vec::new();
    let mut attack_edges = Vec::new();
    let shifted = sybil_edges
        .iter()
        .map(|&(a, b, l)| (honest + a, honest + b, l));
    let attack = attack.iter().map(|&(a, b, l)| (a, honest + b, l));
    let mut seen = std::collections::HashSet::new();
    for (from, to, l) in honest_edges.iter().copied().chain(shifted) {
        if from != to && seen.insert((from, to)) {
            all.push((from, to, l));
        }
    }
    for (from, to, l) in attack {
        if seen.insert((from, to)) {
            all.push((from, to, l));
            attack_edges.push((from, to, l));
        }
    }
    for &(from, to, l) in &all {
        builder
            .trust(PersonId(from), PersonId(to), level(l), Visibility::Public)
            .expect("no self edges");
    }
    (builder.build().0, all, attack_edges)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn sybils_together_get_no_more_anchored_credit_than_the_attack_edges_let_in(
        honest_edges in prop::collection::vec((0i64..40, 0i64..40, 1u8..=3), 40..160),
        sybil_edges in prop::collection::vec((0i64..30, 0i64..30, 1u8..=3), 0..200),
        attack in prop::collection::vec((0i64..40, 0i64..30, 1u8..=3), 1..4),
        seeker in 0i64..40,
    ) {
        let (honest, sybils) = (40, 30);
        let (graph, all, attack) = world(honest, sybils, &honest_edges, &sybil_edges, &attack);
        let params = RankParams { anchor_epsilon: 1e-10, ..RankParams::default() };
        let credit = anchored_trust(&graph, PersonId(seeker), &SeedTrust::default(), &params);
        let fake: f64 = credit
            .iter()
            .filter(|(person, _)| person.0 >= honest)
            .map(|&(_, value)| value)
            .sum();
        // The walk's own mass at each honest end, and each attack edge's share of its trust.
        let walk = RankParams { alpha: params.anchor_alpha, epsilon: 1e-10, ..params };
        let viewer = Viewer::new(&graph, Some(PersonId(seeker)));
        let mass: FxHashMap<PersonId, f64> = personalized_pagerank(&graph, &viewer, &walk)
            .into_iter()
            .map(|(node, value)| (graph.person_id(node), value))
            .collect();
        let out_weight = |from: i64| -> f64 {
            all.iter()
                .filter(|e| e.0 == from)
                .map(|e| params.level_weight(level(e.2)))
                .sum()
        };
        let bound: f64 = attack
            .iter()
            .map(|&(from, _, l)| {
                let q = mass.get(&PersonId(from)).copied().unwrap_or(0.0);
                let share = params.level_weight(level(l)) / out_weight(from);
                q * (1.0 - params.anchor_alpha) * share / params.anchor_alpha
            })
            .sum();
        prop_assert!(fake <= bound + 1e-7, "sybil credit {fake} above the bound {bound}");
    }
}
