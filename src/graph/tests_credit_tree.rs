//! The crowd's capacities: however many fake accounts lie behind the attack edges and however
//! they trust each other, together they lend one item no more than the attack edges' tickets
//! plus one rater's credit per edge; honest raters in different subtrees are not clipped.

use proptest::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::domain::{PersonId, Visibility};

use super::anchor::{anchored_trust, SeedTrust};
use super::builder::GraphBuilder;
use super::credit_tree::CreditTree;
use super::fixtures::level;
use super::params::RankParams;
use super::tests_anchor::{world, Edge};

/// Everyone's breadth-first level from `seeker` over `edges`, through people in `reached`.
fn levels(seeker: i64, edges: &[Edge], reached: &FxHashSet<i64>) -> FxHashMap<i64, u32> {
    let mut level = FxHashMap::from_iter([(seeker, 0)]);
    let mut frontier = vec![seeker];
    let mut depth = 0;
    while !frontier.is_empty() {
        depth += 1;
        let mut next = Vec::new();
        for &from in &frontier {
            for &(a, b, _) in edges {
                if a == from && reached.contains(&b) && !level.contains_key(&b) {
                    level.insert(b, depth);
                    next.push(b);
                }
            }
        }
        frontier = next;
    }
    level
}

/// Checks that the fake accounts `honest..honest + sybils`, rating one item at the top, lend it
/// no more than the attack edges' capacities, alone or beside `honest_raters`. `tree_edges`
/// are the edges the tree grows along from `root` (for a tree rooted at seeds, the root's
/// edges are to the seeds).
#[allow(clippy::too_many_arguments)]
fn fake_accounts_lend_within_the_attack_edges(
    tree: &CreditTree,
    credit: &[(PersonId, f64)],
    root: i64,
    tree_edges: &[Edge],
    attack: &[Edge],
    (honest, sybils): (i64, i64),
    honest_raters: &[i64],
    params: &RankParams,
) -> Result<(), TestCaseError> {
    let of: FxHashMap<i64, f64> = credit.iter().map(|&(p, c)| (p.0, c)).collect();
    let fakes = || {
        (honest..honest + sybils)
            .map(|s| (PersonId(s), of.get(&s).copied().unwrap_or(0.0), 1.0, 1.0))
    };
    // Every fake account rates the item, fully informative, at the top.
    let fake = tree.lend(fakes());
    // Honest raters beside them do not raise what the fake accounts can lend.
    let both = tree.lend(
        fakes().chain(
            honest_raters
                .iter()
                .map(|&h| (PersonId(h), of.get(&h).copied().unwrap_or(0.0), 1.0, 0.0)),
        ),
    );
    let reached: FxHashSet<i64> = of.keys().copied().collect();
    let depth = levels(root, tree_edges, &reached);
    let next_weight = |from: i64| -> f64 {
        tree_edges
            .iter()
            .filter(|e| e.0 == from && e.1 != root && reached.contains(&e.1))
            .filter(|e| depth.get(&e.1) == depth.get(&from).map(|l| l + 1).as_ref())
            .map(|e| params.level_weight(level(e.2)))
            .sum()
    };
    let bound: f64 = attack
        .iter()
        .filter(|&&(from, to, _)| depth.contains_key(&from) && reached.contains(&to))
        .map(|&(from, _, l)| {
            let tickets = tree.tickets_of(PersonId(from)).unwrap_or(0.0);
            let share = params.level_weight(level(l)) / next_weight(from).max(f64::MIN_POSITIVE);
            params.anchor_cap + tickets * share.min(1.0)
        })
        .sum();
    prop_assert!(
        fake.value <= bound + 1e-9,
        "fake accounts lent {} above the bound {bound}",
        fake.value
    );
    prop_assert!(
        both.value <= bound + 1e-9,
        "with honest raters, {} above {bound}",
        both.value
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn sybils_together_lend_an_item_no_more_than_the_attack_edges_tickets(
        honest_edges in prop::collection::vec((0i64..40, 0i64..40, 1u8..=3), 40..160),
        sybil_edges in prop::collection::vec((0i64..30, 0i64..30, 1u8..=3), 0..200),
        attack in prop::collection::vec((0i64..40, 0i64..30, 1u8..=3), 1..4),
        seeker in 0i64..40,
        seeds in prop::collection::vec(0i64..40, 1..5),
        honest_raters in prop::collection::vec(0i64..40, 0..10),
        tickets in prop::sample::select(vec![0.0, 0.1, 1.0]),
    ) {
        let (honest, sybils) = (40, 30);
        let (graph, all, attack) = world(honest, sybils, &honest_edges, &sybil_edges, &attack);
        let params = RankParams {
            anchor_epsilon: 1e-10,
            crowd_tickets: tickets,
            ..RankParams::default()
        };
        // The seeker's own crowd.
        let credit = anchored_trust(&graph, PersonId(seeker), &SeedTrust::default(), &params);
        let tree = CreditTree::build(&graph, PersonId(seeker), &credit, &params);
        fake_accounts_lend_within_the_attack_edges(
            &tree, &credit, seeker, &all, &attack, (honest, sybils), &honest_raters, &params,
        )?;
        // The crowd of honest seeds, which a seeker who trusts no one gets instead. Its tree
        // grows from the seeker to the seeds, then along everyone's edges but the seeker's
        // own, which it does not follow.
        let seeds: Vec<PersonId> = seeds.into_iter().map(PersonId).collect();
        let stand_in = SeedTrust::compute(&graph, &seeds, &params);
        let credit = stand_in.credit(&graph, &params);
        let tree = CreditTree::build_from_seeds(&graph, PersonId(seeker), &seeds, &credit, &params);
        let tree_edges: Vec<Edge> = stand_in
            .seeds()
            .iter()
            .map(|seed| (seeker, seed.0, 1))
            .chain(all.iter().copied().filter(|e| e.0 != seeker))
            .collect();
        fake_accounts_lend_within_the_attack_edges(
            &tree, &credit, seeker, &tree_edges, &attack, (honest, sybils), &honest_raters, &params,
        )?;
    }
}

#[test]
fn a_thousand_accounts_behind_one_edge_lend_no_more_than_one_rater() {
    let mut builder = GraphBuilder::new();
    for id in 0..1_006 {
        builder.person(PersonId(id), "");
    }
    let mut trust = |from: i64, to: i64, l: u8| {
        builder
            .trust(PersonId(from), PersonId(to), level(l), Visibility::Public)
            .expect("no self edges");
    };
    // 0 is the seeker; 0 trusts 1 and 2, who trust each other and 3, 4 and 5.
    for (from, to) in [
        (0, 1),
        (0, 2),
        (1, 2),
        (2, 1),
        (1, 3),
        (2, 4),
        (1, 5),
        (3, 4),
        (4, 5),
    ] {
        trust(from, to, 3);
    }
    // 1, the best trusted, trusts fake account 6 once; 6 to 1005 trust each other in a ring
    // of chords, holding everything that enters them.
    trust(1, 6, 3);
    for fake in 6..1_006 {
        for step in [1, 7, 31] {
            trust(fake, 6 + (fake - 6 + step) % 1_000, 3);
        }
    }
    let (graph, _) = builder.build();
    let params = RankParams::default();
    let credit = anchored_trust(&graph, PersonId(0), &SeedTrust::default(), &params);
    let tree = CreditTree::build(&graph, PersonId(0), &credit, &params);
    let of: FxHashMap<i64, f64> = credit.iter().map(|&(p, c)| (p.0, c)).collect();
    let raw: f64 = (6..1_006).map(|s| of.get(&s).copied().unwrap_or(0.0)).sum();
    let lent =
        tree.lend((6..1_006).map(|s| (PersonId(s), of.get(&s).copied().unwrap_or(0.0), 1.0, 1.0)));
    let edge = params.anchor_cap + tree.tickets_of(PersonId(6)).expect("6 is reached");
    // At the defaults no tickets are handed out: the edge carries one rater's credit.
    assert_eq!(edge, params.anchor_cap);
    assert!(raw > 5.0 * edge, "the region holds {raw}, its edge {edge}");
    assert!(
        lent.weight <= edge + 1e-12,
        "lent {} through an edge of {edge}",
        lent.weight
    );
}

#[test]
fn honest_raters_in_different_subtrees_lend_their_full_credit() {
    let mut builder = GraphBuilder::new();
    for id in 0..7 {
        builder.person(PersonId(id), "");
    }
    let mut trust = |from: i64, to: i64| {
        builder
            .trust(PersonId(from), PersonId(to), level(2), Visibility::Public)
            .expect("no self edges");
    };
    // 0 is the seeker and trusts 1, 2 and 3; each of them trusts one more: 4, 5 and 6.
    for (from, to) in [(0, 1), (0, 2), (0, 3), (1, 4), (2, 5), (3, 6)] {
        trust(from, to);
    }
    let (graph, _) = builder.build();
    let params = RankParams::default();
    let credit = anchored_trust(&graph, PersonId(0), &SeedTrust::default(), &params);
    let tree = CreditTree::build(&graph, PersonId(0), &credit, &params);
    let raters: Vec<(PersonId, f64, f64, f64)> = credit
        .iter()
        .filter(|(p, _)| [4, 5, 6].contains(&p.0))
        .map(|&(p, c)| (p, c, 1.0, 0.5))
        .collect();
    assert_eq!(raters.len(), 3, "the walk reaches 4, 5 and 6");
    let full: f64 = raters.iter().map(|r| r.1).sum();
    let lent = tree.lend(raters);
    assert!(
        (lent.weight - full).abs() < 1e-15,
        "lent {} of {full}",
        lent.weight
    );
    assert!((lent.value - 0.5 * full).abs() < 1e-15);
}
