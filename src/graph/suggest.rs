//! People you may know: whom a person might add to their circle, found on the trust graph.
//!
//! Three signals, each computed from edges the person may see (`visibility.rs`), so that a
//! suggestion never reveals an edge its owner kept from them:
//! - **they trust you**: a public or network-only trust edge to the person (a private one is
//!   not shown: its owner chose that the person should not know);
//! - **you trust the same people**: they trust, visibly, someone the person trusts;
//! - **you recommend the same providers**: their visible recommendation of a provider the
//!   person recommends too.
//!
//! People already trusted or distrusted by the person are never suggested.
//!
//! # Complexity
//! O(out-degree of the person + the edges read), and at most [`SCAN_BUDGET`] edges are read
//! in all: the strongest trustees and the person's own recommendations are scanned first, so
//! a heavy truster's suggestions cost no more than anyone's.

use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::domain::{PersonId, ProviderId, Stance, TrustLevel, Visibility};

use super::trust_graph::TrustGraph;
use super::visibility::Viewer;
use super::weights::EdgeKind;

/// The most in-edges one suggestion query reads, over all the nodes it scans.
pub const SCAN_BUDGET: usize = 100_000;

/// How many examples of shared people or providers a suggestion names.
const EXAMPLES: usize = 2;

/// One person the seeker may know, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Suggestion {
    /// Whom to suggest.
    pub person: PersonId,
    /// Their trust in the seeker, when the seeker may see it.
    pub trusts_you: Option<TrustLevel>,
    /// How many people the seeker trusts they visibly trust too.
    pub shared_people: u32,
    /// Up to two of them, strongest first.
    pub shared_people_examples: Vec<PersonId>,
    /// How many providers the seeker recommends they visibly recommend too.
    pub shared_providers: u32,
    /// Up to two of them.
    pub shared_provider_examples: Vec<ProviderId>,
    /// The order of suggestions: trust in the seeker counts most (an edge waiting to be
    /// returned), then each shared person, then each shared provider.
    pub score: f64,
}

impl Suggestion {
    fn new(person: PersonId) -> Suggestion {
        Suggestion {
            person,
            trusts_you: None,
            shared_people: 0,
            shared_people_examples: Vec::new(),
            shared_providers: 0,
            shared_provider_examples: Vec::new(),
            score: 0.0,
        }
    }
}

fn entry<'a>(
    found: &'a mut FxHashMap<NodeIndex, Suggestion>,
    graph: &TrustGraph,
    node: NodeIndex,
) -> &'a mut Suggestion {
    found
        .entry(node)
        .or_insert_with(|| Suggestion::new(graph.person_id(node)))
}

/// Up to `limit` people `seeker` may know, best first (ties by id, so runs agree).
pub fn people_you_may_know(graph: &TrustGraph, seeker: PersonId, limit: usize) -> Vec<Suggestion> {
    let Some(me) = graph.person_node(seeker) else {
        return Vec::new();
    };
    let viewer = Viewer::new(graph, Some(seeker));
    // Everyone the seeker already has a view on, trusted or distrusted, and their own
    // trustees and recommendations (all visible to the seeker: they are the seeker's own).
    let mut known: FxHashSet<NodeIndex> = FxHashSet::default();
    known.insert(me);
    let mut trustees: Vec<(u8, NodeIndex)> = Vec::new();
    let mut recommended: Vec<NodeIndex> = Vec::new();
    for edge in graph.out_edges(me) {
        let w = edge.weight();
        match w.kind() {
            EdgeKind::Trust => {
                known.insert(edge.target());
                trustees.push((w.level().get(), edge.target()));
            }
            EdgeKind::Distrust => {
                known.insert(edge.target());
            }
            EdgeKind::Vouch if w.stance() == Stance::Recommend => {
                recommended.push(edge.target());
            }
            EdgeKind::Vouch => {}
        }
    }
    // The strongest trustees first, so that the budget is spent where it matters most.
    trustees.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    recommended.sort();
    recommended.dedup();

    let mut found: FxHashMap<NodeIndex, Suggestion> = FxHashMap::default();
    let mut budget = SCAN_BUDGET;
    let mut counted: FxHashSet<(NodeIndex, NodeIndex)> = FxHashSet::default();

    // They trust you.
    for edge in graph.in_edges(me).take(budget) {
        budget -= 1;
        let w = edge.weight();
        let from = edge.source();
        if w.kind() != EdgeKind::Trust || w.visibility() == Visibility::Private {
            continue;
        }
        if known.contains(&from) {
            continue;
        }
        let s = entry(&mut found, graph, from);
        s.trusts_you = Some(w.level());
        s.score += 2.0 + f64::from(w.level().get());
    }

    // You trust the same people.
    'people: for &(_, trustee) in &trustees {
        for edge in graph.in_edges(trustee) {
            if budget == 0 {
                break 'people;
            }
            budget -= 1;
            let w = edge.weight();
            let from = edge.source();
            if w.kind() != EdgeKind::Trust
                || known.contains(&from)
                || !viewer.can_see(from, w.visibility())
            {
                continue;
            }
            let s = entry(&mut found, graph, from);
            s.shared_people += 1;
            s.score += 1.0;
            if s.shared_people_examples.len() < EXAMPLES {
                s.shared_people_examples.push(graph.person_id(trustee));
            }
        }
    }

    // You recommend the same providers.
    'providers: for &provider in &recommended {
        for edge in graph.in_edges(provider) {
            if budget == 0 {
                break 'providers;
            }
            budget -= 1;
            let w = edge.weight();
            let from = edge.source();
            if w.kind() != EdgeKind::Vouch
                || w.stance() != Stance::Recommend
                || known.contains(&from)
                || !viewer.can_see(from, w.visibility())
            {
                continue;
            }
            let id = graph.provider_info(provider).id;
            // One provider counts once, whichever trades both recommend it in.
            if !counted.insert((from, provider)) {
                continue;
            }
            let s = entry(&mut found, graph, from);
            s.shared_providers += 1;
            s.score += 0.5;
            if s.shared_provider_examples.len() < EXAMPLES {
                s.shared_provider_examples.push(id);
            }
        }
    }

    let mut out: Vec<Suggestion> = found.into_values().collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.person.cmp(&b.person)));
    out.truncate(limit);
    out
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;

    fn names(g: &TrustGraph, limit: usize) -> Vec<PersonId> {
        people_you_may_know(g, ANNA, limit)
            .into_iter()
            .map(|s| s.person)
            .collect()
    }

    #[test]
    fn someone_who_trusts_you_comes_first_and_says_how_much() {
        let mut g = cast();
        // Bea -> Anna, level 2, public: Anna may see it
        trust(&mut g, BEA, ANNA, 2, PUBLIC);
        // Anna -> Matt, level 3, public; Carl -> Matt, level 3, public: one shared person
        trust(&mut g, ANNA, MATT, 3, PUBLIC);
        trust(&mut g, CARL, MATT, 3, PUBLIC);
        let found = people_you_may_know(&g, ANNA, 10);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].person, BEA);
        assert_eq!(found[0].trusts_you, Some(level(2)));
        assert_eq!(found[1].person, CARL);
        assert_eq!(found[1].shared_people, 1);
        assert_eq!(found[1].shared_people_examples, [MATT]);
    }

    #[test]
    fn a_private_edge_suggests_no_one() {
        let mut g = cast();
        // Bea -> Anna, level 3, private: Bea chose that Anna should not know
        trust(&mut g, BEA, ANNA, 3, PRIVATE);
        // Anna -> Matt, level 3, public; Carl -> Matt, level 3, private: Carl's secret
        trust(&mut g, ANNA, MATT, 3, PUBLIC);
        trust(&mut g, CARL, MATT, 3, PRIVATE);
        // Dora -> Matt, level 2, network: Dora does not trust Anna, so Anna may not see it
        trust(&mut g, DORA, MATT, 2, NETWORK);
        // Anna and Emil both recommend Mario Tiles, Emil privately
        recommend(&mut g, ANNA, MARIO_TILES, PUBLIC);
        recommend(&mut g, EMIL, MARIO_TILES, PRIVATE);
        assert!(names(&g, 10).is_empty());
    }

    #[test]
    fn a_network_edge_counts_once_its_owner_trusts_you() {
        let mut g = cast();
        // Anna -> Matt, level 3, public
        trust(&mut g, ANNA, MATT, 3, PUBLIC);
        // Dora -> Matt, level 2, network-only
        trust(&mut g, DORA, MATT, 2, NETWORK);
        assert!(names(&g, 10).is_empty());
        // Dora -> Anna, level 1, network-only: now Anna may see Dora's network edges
        trust(&mut g, DORA, ANNA, 1, NETWORK);
        let found = people_you_may_know(&g, ANNA, 10);
        assert_eq!(found[0].person, DORA);
        assert_eq!(found[0].trusts_you, Some(level(1)));
        assert_eq!(found[0].shared_people, 1);
    }

    #[test]
    fn people_you_trust_or_distrust_and_yourself_are_never_suggested() {
        let mut g = cast();
        // Anna -> Matt, level 3, public; Matt -> Anna, level 3, public: already in her circle
        trust(&mut g, ANNA, MATT, 3, PUBLIC);
        trust(&mut g, MATT, ANNA, 3, PUBLIC);
        // Anna distrusts Carl; Carl -> Anna, level 3, public
        g.set_distrust(ANNA, CARL, 1.0).unwrap();
        trust(&mut g, CARL, ANNA, 3, PUBLIC);
        // Anna -> Bea, level 2, public; Anna herself is among Bea's trusters
        trust(&mut g, ANNA, BEA, 2, PUBLIC);
        assert!(names(&g, 10).is_empty());
    }

    #[test]
    fn shared_recommendations_count_each_provider_once() {
        let mut g = cast();
        // Anna recommends Mario Tiles and Luigi Tiles, publicly
        recommend(&mut g, ANNA, MARIO_TILES, PUBLIC);
        recommend(&mut g, ANNA, LUIGI_TILES, PUBLIC);
        // Emil recommends both too, publicly; Dora only Mario Tiles
        recommend(&mut g, EMIL, MARIO_TILES, PUBLIC);
        recommend(&mut g, EMIL, LUIGI_TILES, PUBLIC);
        recommend(&mut g, DORA, MARIO_TILES, PUBLIC);
        // Carl warns against Mario Tiles: a warning is not a shared recommendation
        warn(&mut g, CARL, MARIO_TILES, PUBLIC);
        let found = people_you_may_know(&g, ANNA, 10);
        let ids: Vec<PersonId> = found.iter().map(|s| s.person).collect();
        assert_eq!(ids, [EMIL, DORA]);
        assert_eq!(found[0].shared_providers, 2);
        assert_eq!(found[1].shared_provider_examples, [MARIO_TILES]);
    }

    #[test]
    fn the_limit_is_respected_and_the_order_is_reproducible() {
        let mut g = cast();
        for who in [BEA, CARL, DORA, EMIL] {
            // who -> Anna, level 1, public: four equal suggestions
            trust(&mut g, who, ANNA, 1, PUBLIC);
        }
        assert_eq!(names(&g, 3), [BEA, CARL, DORA]);
        assert!(names(&g, 0).is_empty());
    }

    #[test]
    fn a_stranger_to_the_graph_gets_no_suggestions() {
        let g = cast();
        assert!(people_you_may_know(&g, PersonId(12345), 10).is_empty());
    }

    proptest::proptest! {
        /// Over random graphs with random visibilities: Anna's suggestions are the same as on
        /// the graph of only the edges she may see. So no suggestion, reason or count can
        /// depend on an edge kept from her.
        #[test]
        fn suggestions_depend_only_on_edges_the_seeker_may_see(
            edges in proptest::collection::vec((1i64..=8, 1i64..=8, 1u8..=3, 0u8..3), 0..40),
            vouches in proptest::collection::vec((1i64..=8, 0u8..3, proptest::bool::ANY), 0..16),
        ) {
            // The last edge between two people wins, as in the graph.
            let mut last = std::collections::BTreeMap::new();
            for &(from, to, lvl, vis) in &edges {
                if from != to {
                    last.insert((PersonId(from), PersonId(to)), (lvl, visibility(vis)));
                }
            }
            let mut vouch_of = std::collections::BTreeMap::new();
            for &(who, vis, mario) in &vouches {
                let provider = if mario { MARIO_TILES } else { LUIGI_TILES };
                vouch_of.insert((PersonId(who), provider), visibility(vis));
            }
            // Whose network edges Anna may see: those who trust her, visibly.
            let trusts_anna = |owner: PersonId| {
                matches!(last.get(&(owner, ANNA)), Some((_, v)) if *v != PRIVATE)
            };
            let visible = |owner: PersonId, vis: Visibility| {
                owner == ANNA || vis == PUBLIC || (vis == NETWORK && trusts_anna(owner))
            };
            let (mut all, mut seen) = (cast(), cast());
            for (&(from, to), &(lvl, vis)) in &last {
                trust(&mut all, from, to, lvl, vis);
                // Anna's own view of an edge to her keeps its visibility: she may see it.
                if visible(from, vis) || (to == ANNA && vis != PRIVATE) {
                    trust(&mut seen, from, to, lvl, vis);
                }
            }
            for (&(who, provider), &vis) in &vouch_of {
                all.set_vouch(who, provider, TILING, Stance::Recommend, vis, 1.0).unwrap();
                if visible(who, vis) {
                    seen.set_vouch(who, provider, TILING, Stance::Recommend, vis, 1.0).unwrap();
                }
            }
            let key = |s: &Suggestion| {
                (s.person, s.trusts_you, s.shared_people, s.shared_providers, s.score.to_bits())
            };
            let a: Vec<_> = people_you_may_know(&all, ANNA, 100).iter().map(key).collect();
            let b: Vec<_> = people_you_may_know(&seen, ANNA, 100).iter().map(key).collect();
            proptest::prop_assert_eq!(a, b);
        }
    }
}
