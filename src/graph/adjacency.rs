//! The edges: every edge as loaded in compressed sparse row (CSR) form, in both directions, and
//! a small overlay of the edges added since, folded into a new CSR once it grows.
//!
//! A CSR keeps each node's out-edges side by side in two flat arrays (targets as `u32`, packed
//! 8-byte weights), so a walk reads them in one sweep, and costs 12 bytes per edge; the
//! reverse direction adds 8 (the source and the edge's place in the forward arrays), 20 in
//! all, against 24 for petgraph's linked adjacency lists plus their slack. Edges cannot be
//! inserted into a CSR in place, so a live change goes elsewhere:
//! - a changed edge (a new level, a vouch turned into a warning) is overwritten in place;
//! - a removed edge of the CSR is marked removed (its weight becomes a tombstone) and skipped;
//! - a new edge goes to the overlay, a hash map from node to its new edges, read after the
//!   CSR's.
//!
//! When overlay edges and tombstones together pass an eighth of the CSR, everything is
//! rebuilt into a new CSR (`fold`): O(E), so O(8) per change amortised. The order of a node's
//! edges never changes except by a fold, which keeps sums over them stable.

use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use rustc_hash::FxHashMap;

use super::weights::{EdgeKind, EdgeWeight};

/// Where an edge is stored, to overwrite or remove it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum EdgeSlot {
    /// Position in the CSR's forward arrays.
    Base(u32),
    /// The `index`th overlay edge of `source`.
    Extra { source: u32, index: u32 },
}

/// One edge as the algorithms see it: petgraph's `EdgeRef`, so they read it as they would a
/// petgraph edge.
#[derive(Clone, Copy, Debug)]
pub(super) struct Edge<'a> {
    source: NodeIndex,
    target: NodeIndex,
    weight: &'a EdgeWeight,
    slot: EdgeSlot,
}

impl EdgeRef for Edge<'_> {
    type NodeId = NodeIndex;
    type EdgeId = EdgeSlot;
    type Weight = EdgeWeight;

    fn source(&self) -> NodeIndex {
        self.source
    }

    fn target(&self) -> NodeIndex {
        self.target
    }

    fn weight(&self) -> &EdgeWeight {
        self.weight
    }

    fn id(&self) -> EdgeSlot {
        self.slot
    }
}

/// The edges of a graph of `node_bound` nodes.
#[derive(Clone, Debug, Default)]
pub(super) struct Adjacency {
    /// Out-edges of CSR node `i`: `out_target` and `out_weight` over
    /// `out_start[i]..out_start[i + 1]`. Nodes added since the CSR have none there.
    out_start: Vec<u32>,
    out_target: Vec<u32>,
    out_weight: Vec<EdgeWeight>,
    /// In-edges of CSR node `i`: `in_source` and `in_position` (the edge's place in the
    /// forward arrays, for its weight) over `in_start[i]..in_start[i + 1]`.
    in_start: Vec<u32>,
    in_source: Vec<u32>,
    in_position: Vec<u32>,
    /// Edges added since the CSR was built, by source, in the order added.
    extra_out: FxHashMap<u32, Vec<(u32, EdgeWeight)>>,
    /// For each target, the sources with at least one overlay edge to it, once each.
    extra_in: FxHashMap<u32, Vec<u32>>,
    extra_edges: usize,
    removed: usize,
}

impl Adjacency {
    /// A CSR over `node_count` nodes from `edges` sorted by source; a source's edges keep the
    /// order given.
    ///
    /// # Panics
    /// If the edges are not sorted by source, or there are 2^32 of them or more.
    pub(super) fn from_sorted(node_count: usize, edges: &[(u32, u32, EdgeWeight)]) -> Adjacency {
        assert!(
            u32::try_from(edges.len()).is_ok(),
            "too many edges for u32 positions"
        );
        let mut out_start = Vec::with_capacity(node_count + 1);
        let mut out_target = Vec::with_capacity(edges.len());
        let mut out_weight = Vec::with_capacity(edges.len());
        let mut in_count = vec![0u32; node_count + 1];
        out_start.push(0);
        let mut at = 0;
        for node in 0..node_count as u32 {
            while at < edges.len() && edges[at].0 == node {
                let (_, target, weight) = edges[at];
                out_target.push(target);
                out_weight.push(weight);
                in_count[target as usize + 1] += 1;
                at += 1;
            }
            out_start.push(out_target.len() as u32);
        }
        assert_eq!(
            at,
            edges.len(),
            "edges must be sorted by source, within the nodes"
        );
        // Counting sort into the reverse direction: prefix sums give each target's start.
        for i in 1..in_count.len() {
            in_count[i] += in_count[i - 1];
        }
        let in_start = in_count.clone();
        let mut fill = in_count;
        let mut in_source = vec![0u32; edges.len()];
        let mut in_position = vec![0u32; edges.len()];
        for source in 0..node_count {
            for position in out_start[source]..out_start[source + 1] {
                let target = out_target[position as usize] as usize;
                let place = fill[target] as usize;
                in_source[place] = source as u32;
                in_position[place] = position;
                fill[target] += 1;
            }
        }
        Adjacency {
            out_start,
            out_target,
            out_weight,
            in_start,
            in_source,
            in_position,
            ..Adjacency::default()
        }
    }

    /// The edges leaving `node`: the CSR's, then the overlay's.
    pub(super) fn out_edges(&self, node: NodeIndex) -> impl Iterator<Item = Edge<'_>> {
        let index = node.index();
        let range = if index + 1 < self.out_start.len() {
            self.out_start[index] as usize..self.out_start[index + 1] as usize
        } else {
            0..0
        };
        let base = range.filter_map(move |position| {
            let weight = &self.out_weight[position];
            (!weight.is_removed()).then(|| Edge {
                source: node,
                target: NodeIndex::new(self.out_target[position] as usize),
                weight,
                slot: EdgeSlot::Base(position as u32),
            })
        });
        let extra = self
            .extra_out
            .get(&(index as u32))
            .into_iter()
            .flat_map(move |list| {
                list.iter()
                    .enumerate()
                    .map(move |(i, (target, weight))| Edge {
                        source: node,
                        target: NodeIndex::new(*target as usize),
                        weight,
                        slot: EdgeSlot::Extra {
                            source: index as u32,
                            index: i as u32,
                        },
                    })
            });
        base.chain(extra)
    }

    /// The edges entering `node`: the CSR's, then the overlay's.
    pub(super) fn in_edges(&self, node: NodeIndex) -> impl Iterator<Item = Edge<'_>> {
        let index = node.index();
        let range = if index + 1 < self.in_start.len() {
            self.in_start[index] as usize..self.in_start[index + 1] as usize
        } else {
            0..0
        };
        let base = range.filter_map(move |place| {
            let position = self.in_position[place] as usize;
            let weight = &self.out_weight[position];
            (!weight.is_removed()).then(|| Edge {
                source: NodeIndex::new(self.in_source[place] as usize),
                target: node,
                weight,
                slot: EdgeSlot::Base(position as u32),
            })
        });
        let extra = self
            .extra_in
            .get(&(index as u32))
            .into_iter()
            .flatten()
            .flat_map(move |&source| {
                self.extra_out[&source]
                    .iter()
                    .enumerate()
                    .filter(move |(_, (target, _))| *target as usize == index)
                    .map(move |(i, (_, weight))| Edge {
                        source: NodeIndex::new(source as usize),
                        target: node,
                        weight,
                        slot: EdgeSlot::Extra {
                            source,
                            index: i as u32,
                        },
                    })
            });
        base.chain(extra)
    }

    /// Adds an edge to the overlay. It may fold the overlay into a new CSR, so slots taken
    /// before are stale afterwards.
    pub(super) fn add(
        &mut self,
        node_bound: usize,
        from: NodeIndex,
        to: NodeIndex,
        weight: EdgeWeight,
    ) {
        let (from, to) = (from.index() as u32, to.index() as u32);
        self.extra_out.entry(from).or_default().push((to, weight));
        let sources = self.extra_in.entry(to).or_default();
        if !sources.contains(&from) {
            sources.push(from);
        }
        self.extra_edges += 1;
        self.fold_if_due(node_bound);
    }

    /// Overwrites the weight of the edge at `slot` and returns the old one.
    pub(super) fn replace(&mut self, slot: EdgeSlot, weight: EdgeWeight) -> EdgeWeight {
        match slot {
            EdgeSlot::Base(position) => {
                std::mem::replace(&mut self.out_weight[position as usize], weight)
            }
            EdgeSlot::Extra { source, index } => {
                let list = self
                    .extra_out
                    .get_mut(&source)
                    .expect("a stored overlay edge");
                std::mem::replace(&mut list[index as usize].1, weight)
            }
        }
    }

    /// Removes the edge at `slot` and returns its weight. It may fold, like `add`.
    pub(super) fn remove(&mut self, node_bound: usize, slot: EdgeSlot) -> EdgeWeight {
        let weight = match slot {
            EdgeSlot::Base(position) => {
                self.removed += 1;
                std::mem::replace(&mut self.out_weight[position as usize], EdgeWeight::REMOVED)
            }
            EdgeSlot::Extra { source, index } => {
                let list = self
                    .extra_out
                    .get_mut(&source)
                    .expect("a stored overlay edge");
                // `remove`, not `swap_remove`: the node's other edges keep their order.
                let (target, weight) = list.remove(index as usize);
                let still_linked = list.iter().any(|&(other, _)| other == target);
                if list.is_empty() {
                    self.extra_out.remove(&source);
                }
                if !still_linked {
                    if let Some(sources) = self.extra_in.get_mut(&target) {
                        sources.retain(|&s| s != source);
                        if sources.is_empty() {
                            self.extra_in.remove(&target);
                        }
                    }
                }
                self.extra_edges -= 1;
                weight
            }
        };
        self.fold_if_due(node_bound);
        weight
    }

    /// Every edge, node by node.
    pub(super) fn all(&self, node_bound: usize) -> impl Iterator<Item = Edge<'_>> {
        (0..node_bound).flat_map(move |node| self.out_edges(NodeIndex::new(node)))
    }

    /// Bytes held by the arrays and maps.
    pub(super) fn memory_bytes(&self) -> usize {
        use std::mem::size_of;
        let overlay: usize = self
            .extra_out
            .values()
            .map(|list| list.capacity() * size_of::<(u32, EdgeWeight)>())
            .sum::<usize>()
            + self
                .extra_in
                .values()
                .map(|list| list.capacity() * size_of::<u32>())
                .sum::<usize>();
        (self.out_start.capacity() + self.in_start.capacity()) * size_of::<u32>()
            + self.out_target.capacity() * size_of::<u32>()
            + self.out_weight.capacity() * size_of::<EdgeWeight>()
            + (self.in_source.capacity() + self.in_position.capacity()) * size_of::<u32>()
            + super::trade_table::hash_map_bytes::<u32, Vec<(u32, EdgeWeight)>>(
                self.extra_out.capacity(),
            )
            + super::trade_table::hash_map_bytes::<u32, Vec<u32>>(self.extra_in.capacity())
            + overlay
    }

    /// Folds when the overlay and the tombstones pass an eighth of the CSR (and a floor, so a
    /// small graph is not rebuilt on every change).
    fn fold_if_due(&mut self, node_bound: usize) {
        if self.extra_edges + self.removed > (self.out_target.len() / 8).max(4096) {
            self.fold(node_bound);
        }
    }

    /// Rebuilds one CSR from the live edges, each node's trust edges first (the walk stops
    /// reading a node once it has seen them all; see `walk::walk_edges`).
    pub(super) fn fold(&mut self, node_bound: usize) {
        let mut edges: Vec<(u32, u32, EdgeWeight)> = self
            .all(node_bound)
            .map(|edge| {
                (
                    edge.source.index() as u32,
                    edge.target.index() as u32,
                    *edge.weight,
                )
            })
            .collect();
        edges.sort_by_key(|&(from, _, weight)| (from, weight.kind() != EdgeKind::Trust));
        *self = Adjacency::from_sorted(node_bound, &edges);
    }
}
