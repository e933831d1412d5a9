//! Maps database trade ids to the dense slots stored on edges, and lists each trade's providers.

use petgraph::graph::NodeIndex;
use rustc_hash::FxHashMap;

use crate::domain::TradeId;

use super::error::GraphError;
use super::weights::TradeSlot;

/// The trades the graph has seen, each with a dense slot and the providers that offer it.
#[derive(Clone, Debug, Default)]
pub(super) struct TradeTable {
    ids: Vec<TradeId>,
    slots: FxHashMap<TradeId, TradeSlot>,
    /// Indexed by slot: the provider nodes offering that trade, so that a search for tilers
    /// never looks at plumbers.
    providers: Vec<Vec<NodeIndex>>,
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

    /// The providers offering a trade.
    pub(super) fn providers(&self, slot: TradeSlot) -> &[NodeIndex] {
        &self.providers[slot.0 as usize]
    }

    /// Lists a provider under a trade (once).
    pub(super) fn add_provider(&mut self, slot: TradeSlot, provider: NodeIndex) {
        let list = &mut self.providers[slot.0 as usize];
        if !list.contains(&provider) {
            list.push(provider);
        }
    }

    /// Removes a provider from a trade's list.
    pub(super) fn remove_provider(&mut self, slot: TradeSlot, provider: NodeIndex) {
        self.providers[slot.0 as usize].retain(|&node| node != provider);
    }

    /// Heap bytes held, estimated from capacities.
    pub(super) fn memory_bytes(&self) -> usize {
        let lists: usize = self
            .providers
            .iter()
            .map(|list| list.capacity() * std::mem::size_of::<NodeIndex>())
            .sum();
        self.ids.capacity() * std::mem::size_of::<TradeId>()
            + self.providers.capacity() * std::mem::size_of::<Vec<NodeIndex>>()
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
