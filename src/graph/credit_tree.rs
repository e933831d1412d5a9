//! Capacities on the anchored crowd: however much anchored credit a region holds, what it can
//! say about one item is limited by tickets handed out from the seeker along trust edges.
//!
//! The bound in `anchor.rs` limits the credit of all fake accounts together by the walk's mass
//! at the attack edges' honest ends. When an attack edge leaves one of the most trusted people,
//! that mass is large, and a thousand accounts behind it may hold more credit than the few
//! honest raters of an item the walk reaches. SumUp (Tran, Min, Li and Subramanian, NSDI 2009)
//! bounds collected votes by link capacities instead: the collector hands out tickets level by
//! level of a breadth-first search, and a link carries at most the tickets it received plus one
//! vote. A region entered by few links can send few votes, however many accounts it holds.
//!
//! Here the seeker hands out as tickets `crowd_tickets` times the anchored credit of everyone
//! the anchored walk reached; by default none (`crowd_tickets` 0), so that every subtree, near
//! the seeker or far, lends at most one fully credited rater's worth. Everyone hangs under the person who first reached them in a
//! breadth-first search over visible trust edges. Each person keeps their own credit's worth
//! of the tickets that reached them and splits the rest over all their visible trust edges to
//! the next level, by level weight, as SumUp does; only the edge to a child in the tree
//! delivers its share (the others are people someone else reached first, and counting a ticket
//! twice would void the bound). The credit an item's raters in one subtree lend it together is
//! clipped at the subtree's capacity: `anchor_cap` (one fully credited rater) plus the tickets
//! its root received.
//!
//! **The bound.** A fake account is first reached along an attack edge, so every fake account
//! lies in the subtree of some account whose parent is honest, and what such a subtree lends an
//! item is at most its capacity. All fake accounts together lend one item at most
//!
//! ```text
//! sum over attack edges (u -> x) of ( anchor_cap + t(u -> x) )
//! ```
//!
//! which at the defaults (no tickets) is `anchor_cap` per attack edge: a thousand fake
//! accounts behind two edges count as two honest raters at most, before informativeness and
//! relative ratings shrink them further. In general `t(u -> x)` is the tickets the attack edge
//! carried, at most
//! `t(u) * w(u -> x) / (weight of u's edges to the next level)`, however many accounts lie
//! behind it and however they trust each other
//! (`tests_credit_tree.rs` tests it as a property). An item's honest raters mostly lie in
//! different subtrees of the seeker's trustees, so clipping seldom touches them; measured in
//! docs/quality.md, clipping at one rater per subtree changed clean order accuracy on the dense
//! networks by at most 0.003 and raised it on sparse ones.

use std::collections::VecDeque;

use petgraph::graph::NodeIndex;
use rustc_hash::FxHashMap;

use crate::domain::PersonId;

use super::params::RankParams;
use super::trust_graph::TrustGraph;
use super::visibility::Viewer;
use super::walk::walk_edges;

/// No parent: the seeker, the tree's root.
const ROOT: u32 = u32::MAX;

/// No level or place yet: a node the breadth-first search has not reached.
const ABSENT: u32 = u32::MAX;

/// The breadth-first tree of one seeker's anchored crowd, with each subtree's capacity.
#[derive(Clone, Debug, Default)]
pub struct CreditTree {
    /// Each person's place, in breadth-first order: a parent always comes before its children.
    slot: FxHashMap<PersonId, u32>,
    /// Per place, the parent's place (`ROOT` for the seeker).
    parent: Vec<u32>,
    /// Per place, the tickets its root received: its subtree may lend one item `unit` more.
    tickets: Vec<f64>,
    /// One fully credited rater's credit (`anchor_cap`).
    unit: f64,
}

/// What an item's raters lend it, after clipping: credit times informativeness, and that
/// times each rater's deviation.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Lent {
    /// Sum of clipped credit times informativeness.
    pub weight: f64,
    /// Sum of clipped credit times informativeness times deviation.
    pub value: f64,
}

impl CreditTree {
    /// The tree of everyone in `credit` (the seeker's anchored credit, `anchored_trust`) whom
    /// the seeker reaches over visible trust edges through people in it, with tickets as the
    /// module documentation says. Empty for a seeker the graph does not know.
    ///
    /// # Complexity
    /// O(people in `credit` plus their visible trust edges), plus O(N) for its per-node
    /// arrays: meant for a crowd the anchored walk spread over much of the graph.
    pub fn build(
        graph: &TrustGraph,
        seeker: PersonId,
        credit: &[(PersonId, f64)],
        params: &RankParams,
    ) -> CreditTree {
        CreditTree::grow(graph, seeker, None, credit, params)
    }

    /// The tree of a seeker who trusts no one yet, over `credit` from their seeds' walk alone
    /// (`SeedTrust::credit`): the seeds stand in for the circle the seeker does not have,
    /// each hanging under the seeker as if the seeker trusted them all equally, and the
    /// breadth-first search goes on from them. The bound is unchanged: the seeds are honest
    /// (operators name them, or they are the founders, whom no later account can become), so
    /// a fake account still lies in the subtree of some account whose parent is honest.
    ///
    /// # Complexity
    /// As [`CreditTree::build`].
    pub fn build_from_seeds(
        graph: &TrustGraph,
        seeker: PersonId,
        seeds: &[PersonId],
        credit: &[(PersonId, f64)],
        params: &RankParams,
    ) -> CreditTree {
        let seeds: Vec<NodeIndex> = seeds
            .iter()
            .filter_map(|&seed| graph.person_node(seed))
            .collect();
        CreditTree::grow(graph, seeker, Some(&seeds), credit, params)
    }

    /// The breadth-first tree from `seeker`, whose first level is their visible trust edges,
    /// or `seeds` (each at weight 1) when given.
    fn grow(
        graph: &TrustGraph,
        seeker: PersonId,
        seeds: Option<&[NodeIndex]>,
        credit: &[(PersonId, f64)],
        params: &RankParams,
    ) -> CreditTree {
        let viewer = Viewer::new(graph, Some(seeker));
        let Some(root) = viewer.seeker() else {
            return CreditTree::default();
        };
        // Per node, dense: the anchored walk reaches most of the graph, and with three hash
        // lookups per trust edge growing this tree took an eighth of a prediction's time.
        // NaN marks no credit, `ABSENT` no level and no place.
        let bound = graph.node_bound();
        let mut own = vec![f64::NAN; bound];
        for &(person, value) in credit {
            if let Some(node) = graph.person_node(person) {
                own[node.index()] = value;
            }
        }
        let total = params.crowd_tickets * credit.iter().map(|&(_, value)| value).sum::<f64>();
        // Breadth-first, level by level: tickets reach a level only from the one before.
        let mut tree = CreditTree::default();
        let mut level_of = vec![ABSENT; bound];
        let mut place_of = vec![ABSENT; bound];
        let mut nodes: Vec<NodeIndex> = Vec::new();
        let mut tickets: Vec<f64> = Vec::new();
        let mut queue = VecDeque::from([root]);
        level_of[root.index()] = 0;
        place_of[root.index()] = 0;
        tree.parent.push(ROOT);
        nodes.push(root);
        tickets.push(total);
        // A node's steps, and those of them to the next level; reused, node after node.
        let mut steps: Vec<(NodeIndex, f64)> = Vec::new();
        let mut next: Vec<(NodeIndex, f64)> = Vec::new();
        while let Some(node) = queue.pop_front() {
            let place = place_of[node.index()] as usize;
            let level = level_of[node.index()];
            steps.clear();
            match seeds {
                Some(seeds) if node == root => steps.extend(seeds.iter().map(|&seed| (seed, 1.0))),
                _ => steps.extend(
                    walk_edges(graph, node, viewer.access_to(node), params)
                        .map(|(target, weight, _)| (target, weight)),
                ),
            }
            next.clear();
            for &(target, weight) in &steps {
                let t = target.index();
                if own[t].is_nan() || target == root {
                    continue;
                }
                match level_of[t] {
                    ABSENT => {
                        level_of[t] = level + 1;
                        place_of[t] = nodes.len() as u32;
                        tree.parent.push(place as u32);
                        nodes.push(target);
                        tickets.push(0.0);
                        queue.push_back(target);
                    }
                    seen if seen != level + 1 => continue,
                    _ => {}
                }
                next.push((target, weight));
            }
            let kept = if node == root { 0.0 } else { own[node.index()] };
            let passed = (tickets[place] - kept).max(0.0);
            let weights: f64 = next.iter().map(|&(_, weight)| weight).sum();
            for &(target, weight) in &next {
                // Only the tree edge delivers its share: a person's tickets then come from
                // one edge, so no ticket is counted in two subtrees' capacities.
                let slot = place_of[target.index()] as usize;
                if tree.parent[slot] == place as u32 {
                    tickets[slot] += passed * weight / weights;
                }
            }
        }
        tree.slot = nodes
            .iter()
            .enumerate()
            .map(|(place, &node)| (graph.person_id(node), place as u32))
            .collect();
        tree.tickets = tickets;
        tree.unit = params.anchor_cap;
        tree
    }

    /// Whether the tree holds anyone but the seeker: a seeker whose anchored walk reaches no
    /// one over their own trust edges has an empty crowd.
    pub fn reaches_anyone(&self) -> bool {
        self.parent.len() > 1
    }

    /// The tickets `person` received, if the tree holds them.
    #[cfg(test)]
    pub(super) fn tickets_of(&self, person: PersonId) -> Option<f64> {
        self.slot
            .get(&person)
            .map(|&place| self.tickets[place as usize])
    }

    /// What `raters` lend one item: each rater's `(person, credit, informativeness,
    /// deviation)`, summed up the tree with every subtree's credit clipped at its capacity
    /// (a clipped subtree's sums shrink in proportion). Raters outside the tree lend nothing.
    ///
    /// # Complexity
    /// O(r * depth + r log r) for r raters in the tree.
    pub fn lend(&self, raters: impl IntoIterator<Item = (PersonId, f64, f64, f64)>) -> Lent {
        // Per place: credit, credit * info, credit * info * deviation.
        let mut sums: FxHashMap<u32, [f64; 3]> = FxHashMap::default();
        for (person, credit, info, deviation) in raters {
            let Some(&place) = self.slot.get(&person) else {
                continue;
            };
            if credit <= 0.0 || place == 0 {
                continue;
            }
            let sum = sums.entry(place).or_default();
            sum[0] += credit;
            sum[1] += credit * info;
            sum[2] += credit * info * deviation;
        }
        // Children come after their parents in breadth-first order: from the deepest place
        // up, each subtree is complete when it is clipped and handed to its parent.
        let mut pending: std::collections::BinaryHeap<u32> = sums.keys().copied().collect();
        let mut total = [0.0; 3];
        while let Some(place) = pending.pop() {
            let Some(mut sum) = sums.remove(&place) else {
                continue;
            };
            let capacity = self.unit + self.tickets[place as usize];
            if sum[0] > capacity {
                let scale = capacity / sum[0];
                sum.iter_mut().for_each(|value| *value *= scale);
            }
            let parent = self.parent[place as usize];
            if parent == 0 || parent == ROOT {
                total.iter_mut().zip(sum).for_each(|(t, s)| *t += s);
                continue;
            }
            let entry = sums.entry(parent).or_insert_with(|| {
                pending.push(parent);
                [0.0; 3]
            });
            entry.iter_mut().zip(sum).for_each(|(t, s)| *t += s);
        }
        Lent {
            weight: total[1],
            value: total[2],
        }
    }
}
