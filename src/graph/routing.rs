//! Who a request for recommendations ("does anyone know a good tiler?") goes to: the people
//! best placed to answer, found on the trust graph from the asker.
//!
//! 1. First, people the asker trusts who have vouched in the trade, strongest trust first.
//! 2. Then, at two hops, people who vouched in the trade and are trusted by someone the asker
//!    trusts: reached "through" that person, ranked by the weaker of the two levels.
//!
//! **Privacy.** A request travels only along trust edges that are public or network-only:
//! never along a private one, not the asker's and not anyone else's. Along a network-only edge
//! u -> v it reaches v, who may see that edge by the visibility rule (`visibility.rs`: u's
//! network edges are visible to the people u trusts directly). A vouch picks a recipient only
//! if the asker may see it, so the recipients (and their count) depend on nothing the asker may
//! not see. A two-hop recipient is told only whom they were reached through, never the asker.
//!
//! Plain synchronous Rust: O(out-degree of the asker + the out-degrees of their trustees +
//! the vouches of the people met), microseconds.

use petgraph::visit::EdgeRef;
use rustc_hash::FxHashMap;

use crate::domain::{PersonId, Stance, TradeId, Visibility};

use super::trust_graph::TrustGraph;
use super::visibility::Viewer;
use super::weights::EdgeKind;

/// One recipient of a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Routed {
    /// Who receives it.
    pub person: PersonId,
    /// For a two-hop recipient, the person the asker trusts who trusts them; `None` for the
    /// asker's own trustees.
    pub via: Option<PersonId>,
    /// How strongly the request reaches them: the trust level (1 to 3), or for two hops the
    /// weaker of the two levels.
    pub strength: u8,
}

/// Whether a trust edge may carry a request: public or network-only, never private.
fn routes(visibility: Visibility) -> bool {
    visibility != Visibility::Private
}

/// The recipients of `asker`'s request in `trade`, best placed first, at most `cap`: direct
/// trustees before two-hop people, then by strength, then by how many providers of the trade
/// they vouched for, then by id (so the order is reproducible). The asker never receives their
/// own request, and nobody is reached twice.
pub fn route_request(
    graph: &TrustGraph,
    asker: PersonId,
    trade: TradeId,
    cap: usize,
) -> Vec<Routed> {
    let (Some(asker_node), Some(slot)) = (graph.person_node(asker), graph.trade_slot(trade)) else {
        return Vec::new();
    };
    let viewer = Viewer::new(graph, Some(asker));
    // How many providers of the trade a person recommends, counting only vouches the asker may
    // see; zero means they are not asked.
    let vouched = |node| {
        graph
            .out_edges(node)
            .filter(|e| {
                let w = e.weight();
                w.kind() == EdgeKind::Vouch
                    && w.trade() == slot
                    && w.stance() == Stance::Recommend
                    && viewer.can_see(node, w.visibility())
            })
            .count()
    };

    let mut direct: Vec<(u8, usize, PersonId, petgraph::graph::NodeIndex)> = Vec::new();
    for edge in graph.out_edges(asker_node) {
        let w = edge.weight();
        if w.kind() != EdgeKind::Trust || !routes(w.visibility()) {
            continue;
        }
        let node = edge.target();
        direct.push((w.level().get(), vouched(node), graph.person_id(node), node));
    }

    let mut chosen: Vec<(Routed, usize)> = direct
        .iter()
        .filter(|(_, count, _, _)| *count > 0)
        .map(|&(level, count, person, _)| {
            (
                Routed {
                    person,
                    via: None,
                    strength: level,
                },
                count,
            )
        })
        .collect();

    // Two hops: the best route to each person, through the strongest pair of edges.
    let mut second: FxHashMap<PersonId, (Routed, usize)> = FxHashMap::default();
    for &(first_level, _, via, via_node) in &direct {
        for edge in graph.out_edges(via_node) {
            let w = edge.weight();
            if w.kind() != EdgeKind::Trust || !routes(w.visibility()) {
                continue;
            }
            let node = edge.target();
            let person = graph.person_id(node);
            if node == asker_node || direct.iter().any(|d| d.3 == node) {
                continue;
            }
            let count = vouched(node);
            if count == 0 {
                continue;
            }
            let strength = first_level.min(w.level().get());
            // The strongest route wins; between equals, the lowest id, so runs agree.
            let better = second.get(&person).is_none_or(|(r, _)| {
                strength > r.strength || (strength == r.strength && Some(via) < r.via)
            });
            if better {
                second.insert(
                    person,
                    (
                        Routed {
                            person,
                            via: Some(via),
                            strength,
                        },
                        count,
                    ),
                );
            }
        }
    }

    let order = |a: &(Routed, usize), b: &(Routed, usize)| {
        b.0.strength
            .cmp(&a.0.strength)
            .then(b.1.cmp(&a.1))
            .then(a.0.person.cmp(&b.0.person))
    };
    chosen.sort_by(order);
    let mut two_hop: Vec<(Routed, usize)> = second.into_values().collect();
    two_hop.sort_by(order);
    chosen
        .into_iter()
        .chain(two_hop)
        .map(|(routed, _)| routed)
        .take(cap)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::fixtures::*;

    fn recipients(graph: &TrustGraph, cap: usize) -> Vec<(PersonId, Option<PersonId>)> {
        route_request(graph, ANNA, TILING, cap)
            .into_iter()
            .map(|r| (r.person, r.via))
            .collect()
    }

    #[test]
    fn those_the_asker_trusts_who_vouched_come_first_then_their_trusted_vouchers() {
        let mut g = cast();
        // Anna -> Matt, level 3, public
        trust(&mut g, ANNA, MATT, 3, PUBLIC);
        // Anna -> Bea, level 1, public
        trust(&mut g, ANNA, BEA, 1, PUBLIC);
        // Anna -> Carl, level 3, public: Carl vouched for nothing, so he is not asked
        trust(&mut g, ANNA, CARL, 3, PUBLIC);
        // Matt -> Dora, level 2, public
        trust(&mut g, MATT, DORA, 2, PUBLIC);
        // Carl -> Emil, level 3, public
        trust(&mut g, CARL, EMIL, 3, PUBLIC);
        // Matt, Bea, Dora and Emil recommend Mario Tiles, publicly
        for who in [MATT, BEA, DORA, EMIL] {
            recommend(&mut g, who, MARIO_TILES, PUBLIC);
        }
        assert_eq!(
            recipients(&g, 10),
            [
                (MATT, None),
                (BEA, None),
                // Carl trusts Emil at 3 and Anna trusts Carl at 3: the strongest second hop.
                (EMIL, Some(CARL)),
                (DORA, Some(MATT)),
            ]
        );
    }

    #[test]
    fn a_private_edge_never_routes_a_request() {
        let mut g = cast();
        // Anna -> Matt, level 3, private: Anna's own private edge carries nothing
        trust(&mut g, ANNA, MATT, 3, PRIVATE);
        // Anna -> Bea, level 3, public
        trust(&mut g, ANNA, BEA, 3, PUBLIC);
        // Bea -> Dora, level 3, private: Bea's private edge carries nothing either
        trust(&mut g, BEA, DORA, 3, PRIVATE);
        // Bea -> Emil, level 2, network: Emil may see it (Bea trusts him), so it carries
        trust(&mut g, BEA, EMIL, 2, NETWORK);
        for who in [MATT, DORA, EMIL] {
            recommend(&mut g, who, MARIO_TILES, PUBLIC);
        }
        assert_eq!(recipients(&g, 10), [(EMIL, Some(BEA))]);
    }

    #[test]
    fn a_vouch_the_asker_may_not_see_picks_no_one() {
        let mut g = cast();
        // Anna -> Matt, level 3, public
        trust(&mut g, ANNA, MATT, 3, PUBLIC);
        // Anna -> Bea, level 3, public
        trust(&mut g, ANNA, BEA, 3, PUBLIC);
        // Matt recommends Mario Tiles privately: Anna may not know, so the request may not
        // tell her by reaching him.
        recommend(&mut g, MATT, MARIO_TILES, PRIVATE);
        // Bea recommends it network-only, and Bea does not trust Anna: invisible to Anna too.
        recommend(&mut g, BEA, MARIO_TILES, NETWORK);
        assert!(recipients(&g, 10).is_empty());
        // Once Bea trusts Anna (publicly), Anna may see Bea's network vouch.
        trust(&mut g, BEA, ANNA, 2, PUBLIC);
        assert_eq!(recipients(&g, 10), [(BEA, None)]);
    }

    #[test]
    fn the_asker_is_never_a_recipient_and_nobody_is_reached_twice() {
        let mut g = cast();
        // Anna -> Matt, level 3, public; Matt -> Anna, level 3, public
        trust(&mut g, ANNA, MATT, 3, PUBLIC);
        trust(&mut g, MATT, ANNA, 3, PUBLIC);
        // Anna -> Bea, level 2, public; Matt -> Bea, level 3, public: Bea is a direct trustee
        trust(&mut g, ANNA, BEA, 2, PUBLIC);
        trust(&mut g, MATT, BEA, 3, PUBLIC);
        // Anna recommends too; so do Matt and Bea
        for who in [ANNA, MATT, BEA] {
            recommend(&mut g, who, MARIO_TILES, PUBLIC);
        }
        assert_eq!(recipients(&g, 10), [(MATT, None), (BEA, None)]);
    }

    #[test]
    fn recipients_are_capped() {
        let mut g = cast();
        for (who, lvl) in [(MATT, 3), (BEA, 2), (CARL, 1)] {
            // Anna -> who, at descending levels, public
            trust(&mut g, ANNA, who, lvl, PUBLIC);
            recommend(&mut g, who, MARIO_TILES, PUBLIC);
        }
        assert_eq!(recipients(&g, 2), [(MATT, None), (BEA, None)]);
        assert!(recipients(&g, 0).is_empty());
    }

    proptest::proptest! {
        /// Over random graphs with random visibilities: every hop a request takes is a trust
        /// edge that is public, or network-only (which its target may see); never a private
        /// one; and every recipient vouched where the asker may see it.
        #[test]
        fn no_request_travels_along_an_edge_its_recipient_may_not_see(
            edges in proptest::collection::vec((1i64..=8, 1i64..=8, 1u8..=3, 0u8..3), 0..40),
            vouches in proptest::collection::vec((1i64..=8, 0u8..3), 0..12),
        ) {
            let mut g = cast();
            for &(from, to, lvl, vis) in &edges {
                if from != to {
                    trust(&mut g, PersonId(from), PersonId(to), lvl, visibility(vis));
                }
            }
            for &(who, vis) in &vouches {
                recommend(&mut g, PersonId(who), MARIO_TILES, visibility(vis));
            }
            // A second edge between the same two people replaces the first, as in the graph.
            let mut last = std::collections::HashMap::new();
            for &(from, to, _, vis) in &edges {
                if from != to {
                    last.insert((PersonId(from), PersonId(to)), visibility(vis));
                }
            }
            let mut vouch_of = std::collections::HashMap::new();
            for &(who, vis) in &vouches {
                vouch_of.insert(PersonId(who), visibility(vis));
            }
            let edge = |from: PersonId, to: PersonId| last.get(&(from, to)).copied();
            for routed in route_request(&g, ANNA, TILING, 100) {
                let hops = match routed.via {
                    None => vec![(ANNA, routed.person)],
                    Some(via) => vec![(ANNA, via), (via, routed.person)],
                };
                for (from, to) in hops {
                    let vis = edge(from, to);
                    proptest::prop_assert!(
                        matches!(vis, Some(Visibility::Public | Visibility::Network)),
                        "{from} -> {to} is {vis:?}"
                    );
                }
                proptest::prop_assert!(routed.person != ANNA);
                let seen = match vouch_of.get(&routed.person) {
                    Some(Visibility::Public) => true,
                    Some(Visibility::Network) => matches!(
                        edge(routed.person, ANNA),
                        Some(Visibility::Public | Visibility::Network)
                    ),
                    _ => false,
                };
                proptest::prop_assert!(seen, "{} was asked without a vouch Anna may see", routed.person);
            }
        }
    }
}
