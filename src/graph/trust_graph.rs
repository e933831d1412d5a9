//! The trust graph held in memory: people, providers, and the edges between them.
//!
//! Nodes in one array, edges in a compressed sparse row with a live overlay (`adjacency.rs`),
//! and the id maps that turn database ids into petgraph node indices. Changes live in
//! `mutate.rs`, bulk loading in `builder.rs`.

use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use rustc_hash::FxHashMap;

use crate::domain::{PersonId, ProviderId, Stance, TradeId, TrustLevel, Visibility};

use super::adjacency::{Adjacency, Edge, EdgeSlot, MAX_NODES};
use super::provider::ProviderInfo;
use super::service_areas::ServiceArea;
use super::trade_table::{hash_map_bytes, TradeTable};
use super::trust_tallies::{TrustTallies, TrustTally};
use super::walk_cache::{ChangeLog, WalkCache, WalkCacheStats};
use super::weights::{EdgeKind, EdgeWeight, NodeWeight, TradeSlot};

/// People, providers, trust edges and vouches, held compactly for ranking.
#[derive(Clone, Default)]
pub struct TrustGraph {
    /// People and providers, by node index.
    pub(super) nodes: Vec<NodeWeight>,
    /// Every edge, both directions.
    pub(super) edges: Adjacency,
    pub(super) people: FxHashMap<PersonId, NodeIndex>,
    pub(super) providers: FxHashMap<ProviderId, NodeIndex>,
    pub(super) trades: TradeTable,
    pub(super) trust_edges: usize,
    pub(super) vouch_edges: usize,
    pub(super) distrust_edges: usize,
    /// Trust edges out of each node by visibility and level, by node index (missing = none).
    /// A walk's transition weights need a node's total visible out-weight, which these counts
    /// give in O(1) instead of a scan of the node's edges (`walk::out_weight`); and the walk
    /// stops reading a node's out-list once it has seen all its trust edges, so the vouches
    /// and distrust edges the builder puts after them are never read by a push.
    pub(super) trust_out: TrustTallies,
    /// Public vouches per (provider, trade), kept up to date so that a search can show them
    /// without walking a popular provider's whole in-list.
    pub(super) public_by_trade: FxHashMap<(NodeIndex, TradeSlot), PublicTally>,
    /// Public vouches per provider, all trades together.
    pub(super) public_all_trades: FxHashMap<NodeIndex, PublicTally>,
    /// Counts trust-edge changes and remembers their sources, for `walks`.
    pub(super) changes: ChangeLog,
    /// The same for vouches, for the evidence remembered with `walks`.
    pub(super) vouch_changes: ChangeLog,
    /// Seekers' walks, remembered until a change reaches them (`walk_cache.rs`).
    pub(super) walks: WalkCache,
    /// How many nodes live changes may grow the graph to: `adjacency::MAX_NODES`, lower only
    /// in tests, which cannot build a quarter of a billion nodes to reach it.
    pub(super) node_limit: NodeLimit,
}

/// The most nodes a graph may hold; [`MAX_NODES`] unless a test lowers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct NodeLimit(pub(super) usize);

impl Default for NodeLimit {
    fn default() -> NodeLimit {
        NodeLimit(MAX_NODES)
    }
}

/// Counts of public vouches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct PublicTally {
    pub(super) recommend: u32,
    pub(super) warn: u32,
}

impl std::fmt::Debug for TrustGraph {
    // A derived Debug would print millions of nodes; the counts say what a log needs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrustGraph")
            .field("people", &self.person_count())
            .field("providers", &self.provider_count())
            .field("trust_edges", &self.trust_edges)
            .field("vouches", &self.vouch_edges)
            .field("distrust_edges", &self.distrust_edges)
            .finish()
    }
}

impl TrustGraph {
    /// An empty graph.
    pub fn new() -> TrustGraph {
        TrustGraph::default()
    }

    /// Sets the byte budget of remembered walks, forgetting those remembered so far. The
    /// default is [`DEFAULT_WALK_CACHE_BYTES`](super::DEFAULT_WALK_CACHE_BYTES).
    pub fn set_walk_cache_bytes(&mut self, bytes: u64) {
        self.walks = WalkCache::with_budget(bytes);
    }

    /// What the walk cache holds, and how often it has answered.
    pub fn walk_cache_stats(&self) -> WalkCacheStats {
        self.walks.stats()
    }

    /// How many people the graph holds. O(1).
    pub fn person_count(&self) -> usize {
        self.people.len()
    }

    /// How many providers the graph holds. O(1).
    pub fn provider_count(&self) -> usize {
        self.providers.len()
    }

    /// How many trust edges the graph holds. O(1).
    pub fn trust_edge_count(&self) -> usize {
        self.trust_edges
    }

    /// How many vouches the graph holds. O(1).
    pub fn vouch_count(&self) -> usize {
        self.vouch_edges
    }

    /// How many distrust edges the graph holds. O(1).
    pub fn distrust_edge_count(&self) -> usize {
        self.distrust_edges
    }

    /// A person's display name, if the graph knows them. O(1) expected.
    pub fn person_name(&self, person: PersonId) -> Option<&str> {
        self.people.get(&person).map(|&node| self.name(node))
    }

    /// How many people `person` trusts, of every visibility (0 for someone the graph does not
    /// know). O(1) expected.
    pub fn trusted_count(&self, person: PersonId) -> usize {
        self.person_node(person)
            .map_or(0, |node| self.trust_out_degree(node) as usize)
    }

    /// A provider's details, if the graph knows it. O(1) expected.
    pub fn provider(&self, provider: ProviderId) -> Option<&ProviderInfo> {
        self.providers
            .get(&provider)
            .map(|&node| self.provider_info(node))
    }

    /// An estimate of the bytes held, from the capacities of every array and map.
    ///
    /// # Complexity
    /// O(N) in the number of nodes, to add up names and provider details.
    pub fn memory_bytes(&self) -> usize {
        let arrays =
            self.nodes.capacity() * std::mem::size_of::<NodeWeight>() + self.edges.memory_bytes();
        let node_heap: usize = self
            .nodes
            .iter()
            .map(|node| match node {
                NodeWeight::Person { name, .. } => name.len(),
                NodeWeight::Provider(info) => {
                    std::mem::size_of::<ProviderInfo>()
                        + info.name.capacity()
                        + info.trades.capacity() * std::mem::size_of::<TradeId>()
                }
            })
            .sum();
        std::mem::size_of::<TrustGraph>()
            + arrays
            + node_heap
            + hash_map_bytes::<PersonId, NodeIndex>(self.people.capacity())
            + hash_map_bytes::<ProviderId, NodeIndex>(self.providers.capacity())
            + hash_map_bytes::<(NodeIndex, TradeSlot), PublicTally>(self.public_by_trade.capacity())
            + hash_map_bytes::<NodeIndex, PublicTally>(self.public_all_trades.capacity())
            + self.trust_out.memory_bytes()
            + self.trades.memory_bytes()
    }

    // ----- crate-internal views used by the algorithms -----

    /// The number of node slots, for sizing dense per-node arrays.
    pub(super) fn node_bound(&self) -> usize {
        self.nodes.len()
    }

    /// The node of a person.
    pub(super) fn person_node(&self, person: PersonId) -> Option<NodeIndex> {
        self.people.get(&person).copied()
    }

    /// The node of a provider.
    pub(super) fn provider_node(&self, provider: ProviderId) -> Option<NodeIndex> {
        self.providers.get(&provider).copied()
    }

    /// The slot of a trade, if any provider or vouch has used it.
    pub(super) fn trade_slot(&self, trade: TradeId) -> Option<TradeSlot> {
        self.trades.slot(trade)
    }

    /// The database id of a trade slot.
    pub(super) fn trade_id(&self, slot: TradeSlot) -> TradeId {
        self.trades.id(slot)
    }

    /// The providers offering a trade, by ascending provider id.
    pub(super) fn providers_offering(&self, slot: TradeSlot) -> &[(ProviderId, NodeIndex)] {
        self.trades.providers(slot)
    }

    /// The service areas of a trade's providers that may cover the point: all that serve it
    /// and perhaps a few that do not (`ServiceArea::serves` decides), in no particular order.
    pub(super) fn providers_near(
        &self,
        slot: TradeSlot,
        lat: f64,
        lon: f64,
    ) -> impl Iterator<Item = &ServiceArea> + '_ {
        self.trades.providers_near(slot, lat, lon)
    }

    /// Whether a node is a person.
    pub(super) fn is_person(&self, node: NodeIndex) -> bool {
        matches!(self.nodes[node.index()], NodeWeight::Person { .. })
    }

    /// The id of a person node.
    ///
    /// # Panics
    /// If the node is a provider.
    pub(super) fn person_id(&self, node: NodeIndex) -> PersonId {
        match &self.nodes[node.index()] {
            NodeWeight::Person { id, .. } => *id,
            NodeWeight::Provider(info) => panic!("node {} is provider {}", node.index(), info.id),
        }
    }

    /// The name of a person or provider node.
    pub(super) fn name(&self, node: NodeIndex) -> &str {
        match &self.nodes[node.index()] {
            NodeWeight::Person { name, .. } => name,
            NodeWeight::Provider(info) => &info.name,
        }
    }

    /// The details of a provider node.
    ///
    /// # Panics
    /// If the node is a person.
    pub(super) fn provider_info(&self, node: NodeIndex) -> &ProviderInfo {
        match &self.nodes[node.index()] {
            NodeWeight::Provider(info) => info,
            NodeWeight::Person { id, .. } => panic!("node {} is person {id}", node.index()),
        }
    }

    /// The edges leaving a node, of every kind.
    pub(super) fn out_edges(&self, node: NodeIndex) -> impl Iterator<Item = Edge> + '_ {
        self.edges.out_edges(node)
    }

    /// The trust edges leaving a node: other end, level and visibility, in storage order.
    pub(super) fn trust_out_edges(
        &self,
        node: NodeIndex,
    ) -> impl Iterator<Item = (NodeIndex, TrustLevel, Visibility)> + '_ {
        self.edges.trust_out(node)
    }

    /// The edges leaving a node other than trust edges: its vouches and distrust edges.
    /// Cheaper than [`TrustGraph::out_edges`] filtered, since it does not read the CSR's trust
    /// edges, most of a person's edges; only the small overlay needs filtering.
    pub(super) fn non_trust_out_edges(&self, node: NodeIndex) -> impl Iterator<Item = Edge> + '_ {
        self.edges
            .other_and_extra_out(node)
            .filter(|edge| edge.weight().kind() != EdgeKind::Trust)
    }

    /// The trust edges entering a node.
    pub(super) fn trust_in_edges(&self, node: NodeIndex) -> impl Iterator<Item = Edge> + '_ {
        self.edges.trust_in_edges(node)
    }

    /// The edges entering a node, of every kind.
    pub(super) fn in_edges(&self, node: NodeIndex) -> impl Iterator<Item = Edge> + '_ {
        self.edges.in_edges(node)
    }

    /// The edge `from -> to` of the same identity (kind, and trade for a vouch) as `weight`.
    ///
    /// # Complexity
    /// O(out-degree of `from`).
    pub(super) fn find_edge_like(
        &self,
        from: NodeIndex,
        to: NodeIndex,
        weight: EdgeWeight,
    ) -> Option<EdgeSlot> {
        let identity = weight.identity();
        self.out_edges(from)
            .find(|edge| edge.target() == to && edge.weight().identity() == identity)
            .map(|edge| edge.id())
    }

    /// How many trust edges leave `node`, of every visibility. O(1).
    pub(super) fn trust_out_degree(&self, node: NodeIndex) -> u32 {
        self.trust_tally(node).iter().sum()
    }

    /// The trust edges leaving `node`, counted by visibility and level. O(1).
    pub(super) fn trust_tally(&self, node: NodeIndex) -> TrustTally {
        self.trust_out.get(node)
    }

    /// Keeps the edge counters and public vouch tallies in step with an edge `source ->
    /// target` added or removed.
    pub(super) fn count_edge(
        &mut self,
        source: NodeIndex,
        target: NodeIndex,
        weight: EdgeWeight,
        added: bool,
    ) {
        let counter = match weight.kind() {
            EdgeKind::Trust => &mut self.trust_edges,
            EdgeKind::Vouch => &mut self.vouch_edges,
            EdgeKind::Distrust => &mut self.distrust_edges,
        };
        step(counter, added);
        if weight.kind() == EdgeKind::Trust {
            self.changes.record(source);
            let slot = tally_slot(weight.visibility(), weight.level());
            self.trust_out.step(source, slot, added);
        }
        if weight.kind() == EdgeKind::Vouch {
            self.vouch_changes.record(source);
        }
        if weight.kind() == EdgeKind::Vouch && weight.visibility() == Visibility::Public {
            for tally in [
                self.public_by_trade
                    .entry((target, weight.trade()))
                    .or_default(),
                self.public_all_trades.entry(target).or_default(),
            ] {
                match weight.stance() {
                    Stance::Recommend => step(&mut tally.recommend, added),
                    Stance::Warn => step(&mut tally.warn, added),
                }
            }
        }
    }
}

/// The place of an edge's (visibility, level) in a [`TrustTally`].
pub(super) fn tally_slot(visibility: Visibility, level: TrustLevel) -> usize {
    let row = match visibility {
        Visibility::Public => 0,
        Visibility::Network => 1,
        Visibility::Private => 2,
    };
    3 * row + usize::from(level.get() - 1)
}

fn step<T: std::ops::AddAssign + std::ops::SubAssign + From<u8>>(counter: &mut T, up: bool) {
    if up {
        *counter += T::from(1);
    } else {
        *counter -= T::from(1);
    }
}
