//! Changes to a live graph. Each one states the new absolute state ("Anna trusts Matt at level
//! 3"), never a difference, so replaying a change is harmless.

use petgraph::graph::NodeIndex;

use crate::domain::{PersonId, ProviderId, Stance, TradeId, TrustLevel, Visibility};

use super::error::{check_strength, GraphError};
use super::provider::ProviderInfo;
use super::service_areas::ServiceArea;
use super::trust_graph::TrustGraph;
use super::weights::{EdgeWeight, NodeWeight, TradeSlot};

impl TrustGraph {
    /// Adds a person, or renames them.
    ///
    /// # Errors
    /// [`GraphError::TooManyNodes`] if a new person would pass the node limit; the graph is
    /// left unchanged.
    ///
    /// # Complexity
    /// O(1) expected.
    pub fn upsert_person(&mut self, id: PersonId, name: &str) -> Result<(), GraphError> {
        self.room_for(&[id])?;
        let node = self.ensure_person(id);
        if let NodeWeight::Person { name: current, .. } = &mut self.nodes[node.index()] {
            if **current != *name {
                *current = name.into();
            }
        }
        Ok(())
    }

    /// Adds a provider, or replaces its details; the vouches it has received stay.
    ///
    /// # Complexity
    /// O(number of trades, times log of the providers listed under each, plus moving the
    /// list's tail on an insert).
    pub fn upsert_provider(&mut self, info: ProviderInfo) -> Result<(), GraphError> {
        if !self.providers.contains_key(&info.id) && self.nodes.len() >= self.node_limit.0 {
            return Err(GraphError::TooManyNodes);
        }
        // Intern every trade first, so that a refusal leaves the graph as it was.
        let new_slots = info
            .trades
            .iter()
            .map(|&trade| self.trades.intern(trade))
            .collect::<Result<Vec<TradeSlot>, GraphError>>()?;
        let id = info.id;
        let node = match self.providers.get(&id) {
            Some(&node) => {
                let old = self.provider_info(node);
                let old_area = ServiceArea::of(old, node);
                let old_trades = old.trades.clone();
                for trade in old_trades {
                    if let Some(slot) = self.trades.slot(trade) {
                        self.trades.remove_provider(slot, &old_area);
                    }
                }
                *self.provider_info_mut(node) = info;
                node
            }
            None => {
                let node = NodeIndex::new(self.nodes.len());
                self.nodes.push(NodeWeight::Provider(Box::new(info)));
                self.providers.insert(id, node);
                node
            }
        };
        let area = ServiceArea::of(self.provider_info(node), node);
        for slot in new_slots {
            self.trades.add_provider(slot, area);
        }
        Ok(())
    }

    /// Records that `from` trusts `to` at `level`, replacing any earlier trust edge between
    /// them. Unknown people are added with an empty name.
    ///
    /// # Errors
    /// [`GraphError::SelfEdge`] if `from == to`; the graph is left unchanged.
    ///
    /// # Complexity
    /// O(out-degree of `from`), to find an existing edge.
    pub fn set_trust(
        &mut self,
        from: PersonId,
        to: PersonId,
        level: TrustLevel,
        visibility: Visibility,
    ) -> Result<(), GraphError> {
        if from == to {
            return Err(GraphError::SelfEdge(from));
        }
        self.room_for(&[from, to])?;
        let (from, to) = (self.ensure_person(from), self.ensure_person(to));
        self.set_edge(from, to, EdgeWeight::trust(level, visibility));
        Ok(())
    }

    /// Removes the trust edge `from -> to`; returns whether there was one.
    ///
    /// # Complexity
    /// O(out-degree of `from`), and now and then a fold of the overlay (`adjacency.rs`).
    pub fn remove_trust(&mut self, from: PersonId, to: PersonId) -> bool {
        let prototype = EdgeWeight::trust(TrustLevel::KNOW, Visibility::Public);
        self.remove_person_edge(from, to, prototype)
    }

    /// Records that `from` distrusts `to`. Distrust is stored for later use; the ranking ignores
    /// it. It does not touch a trust edge between the same people: the two are separate facts.
    ///
    /// # Errors
    /// [`GraphError::SelfEdge`] if `from == to`, [`GraphError::InvalidStrength`] if the strength
    /// is negative or not finite; the graph is left unchanged.
    ///
    /// # Complexity
    /// O(out-degree of `from`).
    pub fn set_distrust(
        &mut self,
        from: PersonId,
        to: PersonId,
        strength: f32,
    ) -> Result<(), GraphError> {
        let strength = check_strength(strength)?;
        if from == to {
            return Err(GraphError::SelfEdge(from));
        }
        self.room_for(&[from, to])?;
        let (from, to) = (self.ensure_person(from), self.ensure_person(to));
        self.set_edge(from, to, EdgeWeight::distrust(strength));
        Ok(())
    }

    /// Removes the distrust edge `from -> to`; returns whether there was one.
    ///
    /// # Complexity
    /// O(out-degree of `from` + in-degree of `to`).
    pub fn remove_distrust(&mut self, from: PersonId, to: PersonId) -> bool {
        self.remove_person_edge(from, to, EdgeWeight::distrust(1.0))
    }

    /// Records `from`'s vouch for `provider` in `trade`, replacing an earlier vouch by `from`
    /// for the same provider and trade. `strength` scales the vouch (1.0 for a plain vouch).
    ///
    /// # Errors
    /// [`GraphError::UnknownProvider`] if the provider was never upserted,
    /// [`GraphError::InvalidStrength`] or [`GraphError::TooManyTrades`]; the graph is left
    /// unchanged.
    ///
    /// # Complexity
    /// O(out-degree of `from`).
    pub fn set_vouch(
        &mut self,
        from: PersonId,
        provider: ProviderId,
        trade: TradeId,
        stance: Stance,
        visibility: Visibility,
        strength: f32,
    ) -> Result<(), GraphError> {
        let strength = check_strength(strength)?;
        let provider = self
            .provider_node(provider)
            .ok_or(GraphError::UnknownProvider(provider))?;
        self.room_for(&[from])?;
        let slot = self.trades.intern(trade)?;
        let from = self.ensure_person(from);
        self.set_edge(
            from,
            provider,
            EdgeWeight::vouch(slot, stance, visibility, strength),
        );
        Ok(())
    }

    /// Removes `from`'s vouch for `provider` in `trade`; returns whether there was one.
    ///
    /// # Complexity
    /// O(out-degree of `from` + in-degree of the provider).
    pub fn remove_vouch(&mut self, from: PersonId, provider: ProviderId, trade: TradeId) -> bool {
        let (Some(from), Some(provider), Some(slot)) = (
            self.person_node(from),
            self.provider_node(provider),
            self.trades.slot(trade),
        ) else {
            return false;
        };
        let prototype = EdgeWeight::vouch(slot, Stance::Recommend, Visibility::Public, 1.0);
        self.remove_edge_like(from, provider, prototype)
    }

    /// Refuses when adding the unknown people among `people` would pass the node limit: a
    /// packed trust edge names its other end in 28 bits, and the next fold of the overlay
    /// would have to refuse the graph it holds. Checked before anything changes, so that an
    /// error leaves the graph as it was.
    fn room_for(&self, people: &[PersonId]) -> Result<(), GraphError> {
        let new = people
            .iter()
            .filter(|id| !self.people.contains_key(id))
            .count();
        if self.nodes.len() + new > self.node_limit.0 {
            return Err(GraphError::TooManyNodes);
        }
        Ok(())
    }

    /// The node of a person, adding them with an empty name if they are new. Callers check
    /// [`room_for`](Self::room_for) first.
    pub(super) fn ensure_person(&mut self, id: PersonId) -> NodeIndex {
        if let Some(&node) = self.people.get(&id) {
            return node;
        }
        let node = NodeIndex::new(self.nodes.len());
        self.nodes.push(NodeWeight::Person {
            id,
            name: "".into(),
        });
        self.people.insert(id, node);
        node
    }

    fn provider_info_mut(&mut self, node: NodeIndex) -> &mut ProviderInfo {
        match &mut self.nodes[node.index()] {
            NodeWeight::Provider(info) => info,
            NodeWeight::Person { id, .. } => panic!("node {} is person {id}", node.index()),
        }
    }

    fn set_edge(&mut self, from: NodeIndex, to: NodeIndex, weight: EdgeWeight) {
        match self.find_edge_like(from, to, weight) {
            Some(edge) => {
                let old = self.edges.replace(from, edge, weight);
                self.count_edge(from, to, old, false);
            }
            None => {
                self.edges.add(self.nodes.len(), from, to, weight);
            }
        }
        self.count_edge(from, to, weight, true);
    }

    fn remove_person_edge(&mut self, from: PersonId, to: PersonId, prototype: EdgeWeight) -> bool {
        match (self.person_node(from), self.person_node(to)) {
            (Some(from), Some(to)) => self.remove_edge_like(from, to, prototype),
            _ => false,
        }
    }

    fn remove_edge_like(&mut self, from: NodeIndex, to: NodeIndex, prototype: EdgeWeight) -> bool {
        let Some(edge) = self.find_edge_like(from, to, prototype) else {
            return false;
        };
        // Nothing outside the graph holds edge slots, so a fold that moves them is safe.
        let removed = self.edges.remove(self.nodes.len(), from, edge);
        self.count_edge(from, to, removed, false);
        true
    }
}
