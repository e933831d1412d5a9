//! Bulk loading: collect everything in any order, then build the graph in one pass.
//!
//! The edges become compressed sparse rows (`adjacency.rs`), each node's out-edges side by
//! side, its trust edges in arrays of their own: the walk, which needs only them, reads those
//! alone (`Adjacency::trust_out`). A rater of a hundred items pushes in the time of their few
//! trust edges, not of their hundred vouches.

use petgraph::graph::NodeIndex;
use rustc_hash::FxHashMap;

use crate::domain::{PersonId, ProviderId, Stance, TradeId, TrustLevel, Visibility};

use super::adjacency::Adjacency;
use super::error::{check_strength, GraphError};
use super::provider::ProviderInfo;
use super::service_areas::ServiceArea;
use super::trade_table::TradeTable;
use super::trust_graph::TrustGraph;
use super::trust_tallies::TrustTallies;
use super::weights::{EdgeKind, EdgeWeight, NodeWeight};

/// Collects people, providers, trust edges and vouches in any order, then builds a
/// [`TrustGraph`] with each node's out-edges contiguous. A later fact about the same edge
/// replaces an earlier one, as it would in the live graph.
#[derive(Default)]
pub struct GraphBuilder {
    people: Vec<(PersonId, Box<str>)>,
    person_slots: FxHashMap<PersonId, u32>,
    providers: Vec<(ProviderId, Option<ProviderInfo>)>,
    provider_slots: FxHashMap<ProviderId, u32>,
    trades: TradeTable,
    edges: Vec<PendingEdge>,
}

/// What the builder had to drop or merge, for the caller to log.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BuildReport {
    /// Edges given more than once; the last one was kept.
    pub duplicates_replaced: usize,
    /// Vouches for a provider that was never given; they were dropped.
    pub vouches_for_unknown_providers: usize,
}

/// An edge between builder slots (people and providers are numbered separately until build).
#[derive(Clone, Copy)]
struct PendingEdge {
    from: u32,
    to: Target,
    weight: EdgeWeight,
}

#[derive(Clone, Copy)]
enum Target {
    Person(u32),
    Provider(u32),
}

impl GraphBuilder {
    /// An empty builder.
    pub fn new() -> GraphBuilder {
        GraphBuilder::default()
    }

    /// An empty builder with room for this many people and edges, to avoid regrowing.
    pub fn with_capacity(people: usize, edges: usize) -> GraphBuilder {
        GraphBuilder {
            people: Vec::with_capacity(people),
            person_slots: FxHashMap::with_capacity_and_hasher(people, Default::default()),
            edges: Vec::with_capacity(edges),
            ..GraphBuilder::default()
        }
    }

    /// Adds a person or renames them.
    pub fn person(&mut self, id: PersonId, name: &str) {
        let slot = self.person_slot(id);
        self.people[slot as usize].1 = name.into();
    }

    /// Adds a provider or replaces its details.
    ///
    /// # Errors
    /// [`GraphError::TooManyTrades`].
    pub fn provider(&mut self, info: ProviderInfo) -> Result<(), GraphError> {
        for &trade in &info.trades {
            self.trades.intern(trade)?;
        }
        let slot = self.provider_slot(info.id);
        self.providers[slot as usize].1 = Some(info);
        Ok(())
    }

    /// Adds a trust edge, as [`TrustGraph::set_trust`] would.
    ///
    /// # Errors
    /// [`GraphError::SelfEdge`].
    pub fn trust(
        &mut self,
        from: PersonId,
        to: PersonId,
        level: TrustLevel,
        visibility: Visibility,
    ) -> Result<(), GraphError> {
        if from == to {
            return Err(GraphError::SelfEdge(from));
        }
        let weight = EdgeWeight::trust(level, visibility);
        let (from, to) = (self.person_slot(from), self.person_slot(to));
        self.edges.push(PendingEdge {
            from,
            to: Target::Person(to),
            weight,
        });
        Ok(())
    }

    /// Adds a distrust edge, as [`TrustGraph::set_distrust`] would.
    ///
    /// # Errors
    /// [`GraphError::SelfEdge`], [`GraphError::InvalidStrength`].
    pub fn distrust(
        &mut self,
        from: PersonId,
        to: PersonId,
        strength: f32,
    ) -> Result<(), GraphError> {
        let weight = EdgeWeight::distrust(check_strength(strength)?);
        if from == to {
            return Err(GraphError::SelfEdge(from));
        }
        let (from, to) = (self.person_slot(from), self.person_slot(to));
        self.edges.push(PendingEdge {
            from,
            to: Target::Person(to),
            weight,
        });
        Ok(())
    }

    /// Adds a vouch, as [`TrustGraph::set_vouch`] would. The provider may be given later; a
    /// vouch whose provider never is given is dropped at build and counted in the report.
    ///
    /// # Errors
    /// [`GraphError::InvalidStrength`], [`GraphError::TooManyTrades`].
    pub fn vouch(
        &mut self,
        from: PersonId,
        provider: ProviderId,
        trade: TradeId,
        stance: Stance,
        visibility: Visibility,
        strength: f32,
    ) -> Result<(), GraphError> {
        let strength = check_strength(strength)?;
        let weight = EdgeWeight::vouch(self.trades.intern(trade)?, stance, visibility, strength);
        let (from, to) = (self.person_slot(from), self.provider_slot(provider));
        self.edges.push(PendingEdge {
            from,
            to: Target::Provider(to),
            weight,
        });
        Ok(())
    }

    /// Builds the graph: people first, then providers, then edges sorted by source node.
    ///
    /// # Complexity
    /// O(N + E log E) time; about 16 bytes per pending edge of extra memory while sorting.
    pub fn build(self) -> (TrustGraph, BuildReport) {
        let mut report = BuildReport::default();
        let person_count = self.people.len();
        // Provider slots become node indices after the people; unknown providers get none.
        let mut provider_nodes = Vec::with_capacity(self.providers.len());
        let mut next = person_count;
        for (_, info) in &self.providers {
            provider_nodes.push(info.as_ref().map(|_| {
                next += 1;
                (next - 1) as u32
            }));
        }

        let mut edges: Vec<(u32, u32, EdgeWeight)> = Vec::with_capacity(self.edges.len());
        for edge in self.edges {
            let to = match edge.to {
                Target::Person(slot) => slot,
                Target::Provider(slot) => match provider_nodes[slot as usize] {
                    Some(node) => node,
                    None => {
                        report.vouches_for_unknown_providers += 1;
                        continue;
                    }
                },
            };
            edges.push((edge.from, to, edge.weight));
        }
        // A stable sort keeps the order of repeats, so the last one given is last in its run.
        // Trust edges sort before a node's other edges (see the module comment); repeats of one
        // edge have the same kind, so they stay side by side.
        edges.sort_by_key(|&(from, to, weight)| {
            (
                from,
                weight.kind() != EdgeKind::Trust,
                to,
                weight.identity(),
            )
        });
        let mut kept: Vec<(u32, u32, EdgeWeight)> = Vec::with_capacity(edges.len());
        for edge in edges {
            match kept.last_mut() {
                Some(last)
                    if (last.0, last.1, last.2.identity())
                        == (edge.0, edge.1, edge.2.identity()) =>
                {
                    *last = edge;
                    report.duplicates_replaced += 1;
                }
                _ => kept.push(edge),
            }
        }

        let node_count = next;
        let mut nodes = Vec::with_capacity(node_count);
        let mut people = FxHashMap::with_capacity_and_hasher(person_count, Default::default());
        for (id, name) in self.people {
            people.insert(id, NodeIndex::new(nodes.len()));
            nodes.push(NodeWeight::Person { id, name });
        }
        let mut trades = self.trades;
        let mut providers = FxHashMap::default();
        let mut listed = Vec::new();
        for (id, info) in self.providers {
            let Some(info) = info else { continue };
            let node = NodeIndex::new(nodes.len());
            let area = ServiceArea::of(&info, node);
            listed.extend(
                info.trades
                    .iter()
                    .filter_map(|&t| Some((trades.slot(t)?, area))),
            );
            nodes.push(NodeWeight::Provider(Box::new(info)));
            providers.insert(id, node);
        }
        trades.add_providers(listed);

        let mut built = TrustGraph {
            edges: Adjacency::from_sorted(node_count, &kept),
            nodes,
            people,
            providers,
            trades,
            trust_out: TrustTallies::with_capacity(node_count),
            ..TrustGraph::default()
        };
        for (from, to, weight) in kept {
            let (from, to) = (NodeIndex::new(from as usize), NodeIndex::new(to as usize));
            built.count_edge(from, to, weight, true);
        }
        (built, report)
    }

    fn person_slot(&mut self, id: PersonId) -> u32 {
        let next = self.people.len() as u32;
        let slot = *self.person_slots.entry(id).or_insert(next);
        if slot == next {
            self.people.push((id, "".into()));
        }
        slot
    }

    fn provider_slot(&mut self, id: ProviderId) -> u32 {
        let next = self.providers.len() as u32;
        let slot = *self.provider_slots.entry(id).or_insert(next);
        if slot == next {
            self.providers.push((id, None));
        }
        slot
    }
}
