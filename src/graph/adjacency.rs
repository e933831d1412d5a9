//! The edges: every edge as loaded in compressed sparse row (CSR) form, in both directions, and
//! a small overlay of the edges added since, folded into a new CSR once it grows.
//!
//! A CSR keeps each node's out-edges side by side in flat arrays, so a walk reads them in one
//! sweep. Trust edges, twelve in fourteen of all edges, need only their other end, a level and
//! a visibility: one `u32` each way, the node in the low 28 bits, the level (0 for a removed
//! edge) and the visibility in the top four. So a trust edge costs 8 bytes. Vouches and
//! distrust edges carry an 8-byte weight (trade, stance, strength), and cost 20: the target
//! and the weight forward, and the source and the edge's place in the forward arrays back.
//! Edges cannot be inserted into a CSR in place, so a live change goes elsewhere:
//! - a changed edge (a new level, a vouch turned into a warning) is overwritten in place;
//! - a removed edge of the CSR is marked removed (a tombstone) and skipped;
//! - a new edge goes to the overlay, a hash map from node to its new edges, read after the
//!   CSR's.
//!
//! When overlay edges and tombstones together pass an eighth of the CSR, everything is
//! rebuilt into a new CSR (`fold`): O(E), so O(8) per change amortised. The order of a node's
//! edges never changes except by a fold, which keeps sums over them stable. A node's trust
//! edges come before its other edges in `out_edges`, and the walk, which needs only them,
//! reads them alone (`trust_out`), straight from their packed entries.

use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use rustc_hash::FxHashMap;

use crate::domain::{TrustLevel, Visibility};

use super::weights::{EdgeKind, EdgeWeight};

/// Node ids in a packed trust entry take the low 28 bits: 268 million nodes.
const NODE_BITS: u32 = 28;
const NODE_MASK: u32 = (1 << NODE_BITS) - 1;

/// The most nodes a graph may hold, for the packed trust entries.
pub(super) const MAX_NODES: usize = 1 << NODE_BITS;

/// Where an edge is stored, to overwrite or remove it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum EdgeSlot {
    /// Position in the trust CSR's forward array.
    Trust(u32),
    /// Position in the other edges' CSR forward arrays.
    Other(u32),
    /// The `index`th overlay edge of `source`.
    Extra { source: u32, index: u32 },
    /// A trust edge of the CSR read from its target's side; not a handle to change it by.
    TrustIn,
}

/// One edge as the algorithms see it: petgraph's `EdgeRef`, so they read it as they would a
/// petgraph edge.
#[derive(Clone, Copy, Debug)]
pub(super) struct Edge {
    source: NodeIndex,
    target: NodeIndex,
    weight: EdgeWeight,
    slot: EdgeSlot,
}

impl EdgeRef for Edge {
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
        &self.weight
    }

    fn id(&self) -> EdgeSlot {
        self.slot
    }
}

/// A trust edge's other end, level and visibility in one `u32`.
fn pack(node: u32, weight: EdgeWeight) -> u32 {
    let visibility = match weight.visibility() {
        Visibility::Public => 0,
        Visibility::Network => 1,
        Visibility::Private => 2,
    };
    node | (u32::from(weight.level().get()) << NODE_BITS) | (visibility << (NODE_BITS + 2))
}

/// The node of a packed entry, and its weight, or `None` for a removed edge.
fn unpack(entry: u32) -> (u32, Option<EdgeWeight>) {
    let node = entry & NODE_MASK;
    let visibility = match entry >> (NODE_BITS + 2) {
        0 => Visibility::Public,
        1 => Visibility::Network,
        _ => Visibility::Private,
    };
    let weight = TrustLevel::new(((entry >> NODE_BITS) & 0b11) as u8)
        .map(|level| EdgeWeight::trust(level, visibility));
    (node, weight)
}

/// A removed trust entry: level 0, which no trust edge has.
fn removed(entry: u32) -> u32 {
    entry & !(0b11 << NODE_BITS)
}

/// `start[i]..start[i + 1]`, or nothing for a node added after the CSR.
fn range(start: &[u32], node: usize) -> std::ops::Range<usize> {
    if node + 1 < start.len() {
        start[node] as usize..start[node + 1] as usize
    } else {
        0..0
    }
}

/// Prefix sums of per-node counts, shifted by one: the start of each node's run.
fn starts(counts: &[u32]) -> Vec<u32> {
    let mut start = Vec::with_capacity(counts.len() + 1);
    let mut total = 0u32;
    start.push(0);
    for &count in counts {
        total += count;
        start.push(total);
    }
    start
}

/// The edges of a graph.
#[derive(Clone, Debug, Default)]
pub(super) struct Adjacency {
    /// Trust edges out of CSR node `i`: packed targets over `trust_start[i]..trust_start[i + 1]`.
    trust_start: Vec<u32>,
    trust_out: Vec<u32>,
    /// Trust edges into CSR node `i`: packed sources over `trust_in_start`.
    trust_in_start: Vec<u32>,
    trust_in: Vec<u32>,
    /// Other edges out of CSR node `i`: `other_target` and `other_weight` over
    /// `other_start[i]..other_start[i + 1]`.
    other_start: Vec<u32>,
    other_target: Vec<u32>,
    other_weight: Vec<EdgeWeight>,
    /// Other edges into CSR node `i`: `other_source` and `other_position` (the edge's place in
    /// the forward arrays, for its weight) over `other_in_start`.
    other_in_start: Vec<u32>,
    other_source: Vec<u32>,
    other_position: Vec<u32>,
    /// Edges added since the CSR was built, by source, in the order added.
    extra_out: FxHashMap<u32, Vec<(u32, EdgeWeight)>>,
    /// For each target, the sources with at least one overlay edge to it, once each.
    extra_in: FxHashMap<u32, Vec<u32>>,
    extra_edges: usize,
    removed: usize,
}

impl Adjacency {
    /// A CSR over `node_count` nodes from `edges` sorted by source; a source's edges keep the
    /// order given, within its trust edges and within its others.
    ///
    /// # Panics
    /// If the edges are not sorted by source, there are 2^32 of them or more, or more than
    /// [`MAX_NODES`] nodes.
    pub(super) fn from_sorted(node_count: usize, edges: &[(u32, u32, EdgeWeight)]) -> Adjacency {
        assert!(
            u32::try_from(edges.len()).is_ok(),
            "too many edges for u32 positions"
        );
        assert!(
            node_count <= MAX_NODES,
            "too many nodes for packed trust edges"
        );
        assert!(
            edges.windows(2).all(|pair| pair[0].0 <= pair[1].0),
            "edges must be sorted by source"
        );
        let mut trust_count = vec![0u32; node_count];
        let mut other_count = vec![0u32; node_count];
        let mut trust_in_count = vec![0u32; node_count];
        let mut other_in_count = vec![0u32; node_count];
        for &(from, to, weight) in edges {
            if weight.kind() == EdgeKind::Trust {
                trust_count[from as usize] += 1;
                trust_in_count[to as usize] += 1;
            } else {
                other_count[from as usize] += 1;
                other_in_count[to as usize] += 1;
            }
        }
        let trust_start = starts(&trust_count);
        let other_start = starts(&other_count);
        let trust_in_start = starts(&trust_in_count);
        let other_in_start = starts(&other_in_count);
        let mut trust_out = Vec::with_capacity(trust_start[node_count] as usize);
        let mut other_target = Vec::with_capacity(other_start[node_count] as usize);
        let mut other_weight = Vec::with_capacity(other_start[node_count] as usize);
        for &(_, to, weight) in edges {
            if weight.kind() == EdgeKind::Trust {
                trust_out.push(pack(to, weight));
            } else {
                other_target.push(to);
                other_weight.push(weight);
            }
        }
        // Counting sort into the reverse direction.
        let mut trust_in = vec![0u32; trust_out.len()];
        let mut fill: Vec<u32> = trust_in_start[..node_count].to_vec();
        for source in 0..node_count {
            for &entry in &trust_out[range(&trust_start, source)] {
                let target = (entry & NODE_MASK) as usize;
                trust_in[fill[target] as usize] = (entry & !NODE_MASK) | source as u32;
                fill[target] += 1;
            }
        }
        let mut other_source = vec![0u32; other_target.len()];
        let mut other_position = vec![0u32; other_target.len()];
        let mut fill: Vec<u32> = other_in_start[..node_count].to_vec();
        for source in 0..node_count {
            for position in range(&other_start, source) {
                let target = other_target[position] as usize;
                let place = fill[target] as usize;
                other_source[place] = source as u32;
                other_position[place] = position as u32;
                fill[target] += 1;
            }
        }
        Adjacency {
            trust_start,
            trust_out,
            trust_in_start,
            trust_in,
            other_start,
            other_target,
            other_weight,
            other_in_start,
            other_source,
            other_position,
            ..Adjacency::default()
        }
    }

    /// The edges leaving `node`: the CSR's trust edges, its other edges, then the overlay's.
    pub(super) fn out_edges(&self, node: NodeIndex) -> impl Iterator<Item = Edge> + '_ {
        let index = node.index();
        let trust = range(&self.trust_start, index).filter_map(move |position| {
            let (target, weight) = unpack(self.trust_out[position]);
            weight.map(|weight| Edge {
                source: node,
                target: NodeIndex::new(target as usize),
                weight,
                slot: EdgeSlot::Trust(position as u32),
            })
        });
        trust.chain(self.other_and_extra_out(node))
    }

    /// The trust edges leaving `node`: its other end, level and visibility, the CSR's (removed
    /// ones skipped) then the overlay's, in the order [`Adjacency::out_edges`] gives them. What
    /// the walk reads at every push, so it decodes the packed entries directly rather than
    /// building an `Edge` for each and skipping the node's vouches after them.
    pub(super) fn trust_out(
        &self,
        node: NodeIndex,
    ) -> impl Iterator<Item = (NodeIndex, TrustLevel, Visibility)> + '_ {
        let csr = self.trust_out[range(&self.trust_start, node.index())]
            .iter()
            .filter_map(|&entry| {
                let (target, weight) = unpack(entry);
                weight.map(|weight| (NodeIndex::new(target as usize), weight))
            });
        let extra = self
            .extra_out
            .get(&(node.index() as u32))
            .into_iter()
            .flatten()
            .filter(|(_, weight)| weight.kind() == EdgeKind::Trust)
            .map(|&(target, weight)| (NodeIndex::new(target as usize), weight));
        csr.chain(extra)
            .map(|(target, weight)| (target, weight.level(), weight.visibility()))
    }

    /// The edges leaving `node` other than its CSR trust edges: its vouches and distrust edges,
    /// then every overlay edge (trust ones included, which the caller filters by kind). Reading
    /// a person's vouches this way skips their trust edges, which are most of their edges, so
    /// it costs one lookup for someone who vouched for no one.
    pub(super) fn other_and_extra_out(&self, node: NodeIndex) -> impl Iterator<Item = Edge> + '_ {
        let index = node.index();
        let other = range(&self.other_start, index).filter_map(move |position| {
            let weight = self.other_weight[position];
            (!weight.is_removed()).then(|| Edge {
                source: node,
                target: NodeIndex::new(self.other_target[position] as usize),
                weight,
                slot: EdgeSlot::Other(position as u32),
            })
        });
        let extra = self.extra_out_of(node);
        other.chain(extra)
    }

    /// The overlay's edges leaving `node`, in the order added.
    fn extra_out_of(&self, node: NodeIndex) -> impl Iterator<Item = Edge> + '_ {
        let index = node.index();
        self.extra_out
            .get(&(index as u32))
            .into_iter()
            .flat_map(move |list| {
                list.iter()
                    .enumerate()
                    .map(move |(i, &(target, weight))| Edge {
                        source: node,
                        target: NodeIndex::new(target as usize),
                        weight,
                        slot: EdgeSlot::Extra {
                            source: index as u32,
                            index: i as u32,
                        },
                    })
            })
    }

    /// The edges entering `node`: the CSR's trust edges, its other edges, then the overlay's.
    pub(super) fn in_edges(&self, node: NodeIndex) -> impl Iterator<Item = Edge> + '_ {
        let index = node.index();
        let trust = self.csr_trust_in(node);
        let other = range(&self.other_in_start, index).filter_map(move |place| {
            let position = self.other_position[place] as usize;
            let weight = self.other_weight[position];
            (!weight.is_removed()).then(|| Edge {
                source: NodeIndex::new(self.other_source[place] as usize),
                target: node,
                weight,
                slot: EdgeSlot::Other(position as u32),
            })
        });
        trust.chain(other).chain(self.extra_in_of(node))
    }

    /// The trust edges entering `node`: the CSR's, then the overlay's. What a path search
    /// reads, without the vouches and distrust edges [`Adjacency::in_edges`] also walks.
    pub(super) fn trust_in_edges(&self, node: NodeIndex) -> impl Iterator<Item = Edge> + '_ {
        self.csr_trust_in(node).chain(
            self.extra_in_of(node)
                .filter(|edge| edge.weight.kind() == EdgeKind::Trust),
        )
    }

    /// The CSR's trust edges entering `node`, removed ones skipped.
    fn csr_trust_in(&self, node: NodeIndex) -> impl Iterator<Item = Edge> + '_ {
        range(&self.trust_in_start, node.index()).filter_map(move |place| {
            let (source, weight) = unpack(self.trust_in[place]);
            weight.map(|weight| Edge {
                source: NodeIndex::new(source as usize),
                target: node,
                weight,
                slot: EdgeSlot::TrustIn,
            })
        })
    }

    /// The overlay's edges entering `node`.
    fn extra_in_of(&self, node: NodeIndex) -> impl Iterator<Item = Edge> + '_ {
        let index = node.index();
        self.extra_in
            .get(&(index as u32))
            .into_iter()
            .flatten()
            .flat_map(move |&source| {
                self.extra_out[&source]
                    .iter()
                    .enumerate()
                    .filter(move |(_, (target, _))| *target as usize == index)
                    .map(move |(i, &(_, weight))| Edge {
                        source: NodeIndex::new(source as usize),
                        target: node,
                        weight,
                        slot: EdgeSlot::Extra {
                            source,
                            index: i as u32,
                        },
                    })
            })
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

    /// Overwrites the weight of the edge `from ->` at `slot` (an out-edge's slot) with one of
    /// the same kind, and returns the old one.
    ///
    /// # Panics
    /// Given a `TrustIn` slot, which is not a handle to change an edge by.
    pub(super) fn replace(
        &mut self,
        from: NodeIndex,
        slot: EdgeSlot,
        weight: EdgeWeight,
    ) -> EdgeWeight {
        match slot {
            EdgeSlot::Trust(position) => {
                let entry = self.trust_out[position as usize];
                let (target, old) = unpack(entry);
                self.trust_out[position as usize] = pack(target, weight);
                let reverse = self.trust_in_place(from, target);
                self.trust_in[reverse] = pack(from.index() as u32, weight);
                old.expect("a live trust edge")
            }
            EdgeSlot::Other(position) => {
                std::mem::replace(&mut self.other_weight[position as usize], weight)
            }
            EdgeSlot::Extra { source, index } => {
                let list = self
                    .extra_out
                    .get_mut(&source)
                    .expect("a stored overlay edge");
                std::mem::replace(&mut list[index as usize].1, weight)
            }
            EdgeSlot::TrustIn => panic!("an in-edge's slot cannot change it"),
        }
    }

    /// Removes the edge `from ->` at `slot` (an out-edge's slot) and returns its weight. It may
    /// fold, like `add`.
    ///
    /// # Panics
    /// Given a `TrustIn` slot.
    pub(super) fn remove(
        &mut self,
        node_bound: usize,
        from: NodeIndex,
        slot: EdgeSlot,
    ) -> EdgeWeight {
        let weight = match slot {
            EdgeSlot::Trust(position) => {
                let entry = self.trust_out[position as usize];
                let (target, old) = unpack(entry);
                let reverse = self.trust_in_place(from, target);
                self.trust_out[position as usize] = removed(entry);
                self.trust_in[reverse] = removed(self.trust_in[reverse]);
                self.removed += 1;
                old.expect("a live trust edge")
            }
            EdgeSlot::Other(position) => {
                self.removed += 1;
                std::mem::replace(
                    &mut self.other_weight[position as usize],
                    EdgeWeight::REMOVED,
                )
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
            EdgeSlot::TrustIn => panic!("an in-edge's slot cannot change it"),
        };
        self.fold_if_due(node_bound);
        weight
    }

    /// The place in `target`'s trust in-list of the live CSR trust edge from `from`. There is
    /// one at most: a second trust edge between two people replaces the first.
    fn trust_in_place(&self, from: NodeIndex, target: u32) -> usize {
        range(&self.trust_in_start, target as usize)
            .find(|&place| {
                let (source, weight) = unpack(self.trust_in[place]);
                source as usize == from.index() && weight.is_some()
            })
            .expect("every CSR trust edge is in its target's in-list")
    }

    /// Every edge, node by node.
    pub(super) fn all(&self, node_bound: usize) -> impl Iterator<Item = Edge> + '_ {
        (0..node_bound).flat_map(move |node| self.out_edges(NodeIndex::new(node)))
    }

    /// Bytes held by the arrays and maps.
    pub(super) fn memory_bytes(&self) -> usize {
        use std::mem::size_of;
        let words = [
            &self.trust_start,
            &self.trust_out,
            &self.trust_in_start,
            &self.trust_in,
            &self.other_start,
            &self.other_target,
            &self.other_in_start,
            &self.other_source,
            &self.other_position,
        ]
        .iter()
        .map(|array| array.capacity() * size_of::<u32>())
        .sum::<usize>();
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
        words
            + self.other_weight.capacity() * size_of::<EdgeWeight>()
            + super::trade_table::hash_map_bytes::<u32, Vec<(u32, EdgeWeight)>>(
                self.extra_out.capacity(),
            )
            + super::trade_table::hash_map_bytes::<u32, Vec<u32>>(self.extra_in.capacity())
            + overlay
    }

    /// Folds when the overlay and the tombstones pass an eighth of the CSR (and a floor, so a
    /// small graph is not rebuilt on every change).
    fn fold_if_due(&mut self, node_bound: usize) {
        let size = self.trust_out.len() + self.other_target.len();
        if self.extra_edges + self.removed > (size / 8).max(4096) {
            self.fold(node_bound);
        }
    }

    /// Rebuilds one CSR from the live edges.
    pub(super) fn fold(&mut self, node_bound: usize) {
        let edges: Vec<(u32, u32, EdgeWeight)> = self
            .all(node_bound)
            .map(|edge| {
                (
                    edge.source.index() as u32,
                    edge.target.index() as u32,
                    edge.weight,
                )
            })
            .collect();
        *self = Adjacency::from_sorted(node_bound, &edges);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Stance;
    use crate::graph::weights::TradeSlot;

    #[test]
    fn a_packed_trust_entry_keeps_its_node_level_and_visibility() {
        for level in 1..=3 {
            for visibility in [Visibility::Public, Visibility::Network, Visibility::Private] {
                let weight = EdgeWeight::trust(TrustLevel::new(level).unwrap(), visibility);
                let node = (MAX_NODES - 1) as u32;
                assert_eq!(unpack(pack(node, weight)), (node, Some(weight)));
                assert_eq!(unpack(removed(pack(node, weight))), (node, None));
            }
        }
    }

    #[test]
    fn a_trust_edge_costs_8_bytes_and_a_vouch_20() {
        let vouch = EdgeWeight::vouch(TradeSlot(1), Stance::Recommend, Visibility::Public, 1.0);
        let trust = EdgeWeight::trust(TrustLevel::KNOW, Visibility::Public);
        // 0 -> 1, trust; 0 -> 2, a vouch; 1 -> 0, trust.
        let edges = [(0, 1, trust), (0, 2, vouch), (1, 0, trust)];
        let adjacency = Adjacency::from_sorted(3, &edges);
        let per_edge = |a: &Adjacency| {
            (a.trust_out.capacity() + a.trust_in.capacity()) * 4
                + (a.other_target.capacity()
                    + a.other_source.capacity()
                    + a.other_position.capacity())
                    * 4
                + a.other_weight.capacity() * 8
        };
        assert_eq!(per_edge(&adjacency), 2 * 8 + 20);
        let out: Vec<(usize, EdgeWeight)> = adjacency
            .out_edges(NodeIndex::new(0))
            .map(|edge| (edge.target().index(), *edge.weight()))
            .collect();
        assert_eq!(out, vec![(1, trust), (2, vouch)]);
        let into: Vec<usize> = adjacency
            .in_edges(NodeIndex::new(0))
            .map(|edge| edge.source().index())
            .collect();
        assert_eq!(into, vec![1]);
    }

    #[test]
    fn the_trust_edges_out_of_a_node_are_those_out_edges_gives_in_the_same_order() {
        let know = EdgeWeight::trust(TrustLevel::KNOW, Visibility::Public);
        let close = EdgeWeight::trust(TrustLevel::new(3).unwrap(), Visibility::Network);
        let vouch = EdgeWeight::vouch(TradeSlot(1), Stance::Recommend, Visibility::Public, 1.0);
        // 0 -> 1, trust, later removed; 0 -> 2, trust (network only); 0 -> 3, a vouch.
        let edges = [(0, 1, know), (0, 2, close), (0, 3, vouch)];
        let mut adjacency = Adjacency::from_sorted(6, &edges);
        let node = NodeIndex::new(0);
        // Added after the CSR, so kept in the overlay: 0 -> 4, a vouch; 0 -> 5, trust.
        adjacency.add(6, node, NodeIndex::new(4), vouch);
        adjacency.add(6, node, NodeIndex::new(5), know);
        let first = adjacency.out_edges(node).next().unwrap();
        adjacency.remove(6, node, first.id());
        assert_eq!(
            (adjacency.extra_edges, adjacency.removed),
            (2, 1),
            "not folded yet"
        );
        let expected: Vec<(NodeIndex, TrustLevel, Visibility)> = adjacency
            .out_edges(node)
            .filter(|edge| edge.weight().kind() == EdgeKind::Trust)
            .map(|edge| {
                (
                    edge.target(),
                    edge.weight().level(),
                    edge.weight().visibility(),
                )
            })
            .collect();
        let read: Vec<_> = adjacency.trust_out(node).collect();
        assert_eq!(read, expected);
        let targets: Vec<usize> = read.iter().map(|(target, ..)| target.index()).collect();
        assert_eq!(targets, vec![2, 5]);
    }
}
