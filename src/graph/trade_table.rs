//! Maps database trade ids to the dense slots stored on edges, and lists each trade's providers.

use petgraph::graph::NodeIndex;
use rustc_hash::FxHashMap;

use crate::domain::{ProviderId, TradeId};

use super::error::GraphError;
use super::weights::TradeSlot;

/// The trades the graph has seen, each with a dense slot and the providers that offer it.
#[derive(Clone, Debug, Default)]
pub(super) struct TradeTable {
    ids: Vec<TradeId>,
    slots: FxHashMap<TradeId, TradeSlot>,
    /// Indexed by slot: the providers offering that trade, so that a search for tilers never
    /// looks at plumbers. Sorted by provider id: where scores tie, results go by id, so a
    /// search that needs the first few tied providers can stop reading early.
    providers: Vec<Vec<(ProviderId, NodeIndex)>>,
}

impl TradeTable {
    /// The slot of a trade already seen.
    pub(super) fn slot(&self, trade: TradeId) -> Option<TradeSlot> {
        self.slots.get(&trade).copied()
    }

    /// The slot of a trade, handing out a new one the first time.
    pub(super) fn intern(&mut self, trade: TradeId) -> Result<TradeSlot, GraphError> {
        if let Some(slot) = self.slot(trade) {
            return Ok(slot);
        }
        let next = u32::try_from(self.ids.len()).map_err(|_| GraphError::TooManyTrades)?;
        if next > TradeSlot::MAX {
            return Err(GraphError::TooManyTrades);
        }
        let slot = TradeSlot(next);
        self.ids.push(trade);
        self.slots.insert(trade, slot);
        self.providers.push(Vec::new());
        Ok(slot)
    }

    /// The database id of a slot.
    ///
    /// # Panics
    /// If the slot was not handed out by this table.
    pub(super) fn id(&self, slot: TradeSlot) -> TradeId {
        self.ids[slot.0 as usize]
    }

    /// The providers offering a trade, by ascending provider id.
    pub(super) fn providers(&self, slot: TradeSlot) -> &[(ProviderId, NodeIndex)] {
        &self.providers[slot.0 as usize]
    }

    /// Lists a provider under a trade (once), keeping the list in id order.
    ///
    /// # Complexity
    /// O(log n) to find the place, plus moving the providers after it.
    pub(super) fn add_provider(&mut self, slot: TradeSlot, id: ProviderId, provider: NodeIndex) {
        let list = &mut self.providers[slot.0 as usize];
        if let Err(at) = list.binary_search_by_key(&id, |&(listed, _)| listed) {
            list.insert(at, (id, provider));
        }
    }

    /// Removes a provider from a trade's list.
    pub(super) fn remove_provider(&mut self, slot: TradeSlot, id: ProviderId) {
        let list = &mut self.providers[slot.0 as usize];
        if let Ok(at) = list.binary_search_by_key(&id, |&(listed, _)| listed) {
            list.remove(at);
        }
    }

    /// Heap bytes held, estimated from capacities.
    pub(super) fn memory_bytes(&self) -> usize {
        let lists: usize = self
            .providers
            .iter()
            .map(|list| list.capacity() * std::mem::size_of::<(ProviderId, NodeIndex)>())
            .sum();
        self.ids.capacity() * std::mem::size_of::<TradeId>()
            + self.providers.capacity() * std::mem::size_of::<Vec<(ProviderId, NodeIndex)>>()
            + lists
            + hash_map_bytes::<TradeId, TradeSlot>(self.slots.capacity())
    }
}

/// Heap bytes of a hashbrown map that can hold `capacity` entries: it keeps one bucket per
/// entry plus one control byte, at a load factor of at most 7/8.
pub(super) fn hash_map_bytes<K, V>(capacity: usize) -> usize {
    if capacity == 0 {
        return 0;
    }
    let buckets = (capacity * 8 / 7).next_power_of_two();
    buckets * (std::mem::size_of::<(K, V)>() + 1)
}
