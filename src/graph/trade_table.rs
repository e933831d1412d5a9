//! Maps database trade ids to the dense slots stored on edges, and lists each trade's providers
//! with an index of where they work.

use petgraph::graph::NodeIndex;
use rustc_hash::FxHashMap;

use crate::domain::{ProviderId, TradeId};

use super::error::GraphError;
use super::service_areas::{AreaIndex, ServiceArea};
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
    /// Indexed by slot: the same providers' service areas, so that a search near a place reads
    /// only the providers who may work there (`service_areas.rs`).
    areas: Vec<AreaIndex>,
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
        self.areas.push(AreaIndex::default());
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

    /// The service areas of a trade's providers that may cover the point: every one that
    /// serves it, and perhaps a few more (`ServiceArea::serves` decides), in no particular
    /// order.
    pub(super) fn providers_near(
        &self,
        slot: TradeSlot,
        lat: f64,
        lon: f64,
    ) -> impl Iterator<Item = &ServiceArea> + '_ {
        self.areas[slot.0 as usize].may_serve(lat, lon)
    }

    /// Lists a provider under a trade (once), keeping the list in id order, and indexes its
    /// service area.
    ///
    /// # Complexity
    /// O(log n) to find the place, plus moving the providers after it.
    pub(super) fn add_provider(&mut self, slot: TradeSlot, area: ServiceArea) {
        let list = &mut self.providers[slot.0 as usize];
        if let Err(at) = list.binary_search_by_key(&area.provider, |&(listed, _)| listed) {
            list.insert(at, (area.provider, area.node));
            self.areas[slot.0 as usize].insert(area);
        }
    }

    /// Lists many providers at once, as a graph is built, and indexes their areas in one
    /// pass per trade. Providers listed before stay; each must be listed at most once per
    /// trade.
    pub(super) fn add_providers(
        &mut self,
        listed: impl IntoIterator<Item = (TradeSlot, ServiceArea)>,
    ) {
        let mut areas: Vec<Vec<ServiceArea>> = vec![Vec::new(); self.ids.len()];
        for (slot, area) in listed {
            self.providers[slot.0 as usize].push((area.provider, area.node));
            areas[slot.0 as usize].push(area);
        }
        for (slot, mut new) in areas.into_iter().enumerate() {
            if new.is_empty() {
                continue;
            }
            new.sort_unstable_by_key(|area| area.provider);
            new.dedup_by_key(|area| area.provider);
            self.providers[slot].sort_unstable_by_key(|&(id, _)| id);
            self.providers[slot].dedup_by_key(|&mut (id, _)| id);
            let index = &mut self.areas[slot];
            if index.len() == 0 {
                *index = AreaIndex::bulk(new);
            } else {
                new.into_iter().for_each(|area| index.insert(area));
            }
        }
    }

    /// Removes a provider, whose service area was `area`, from a trade's list and index.
    pub(super) fn remove_provider(&mut self, slot: TradeSlot, area: &ServiceArea) {
        let list = &mut self.providers[slot.0 as usize];
        if let Ok(at) = list.binary_search_by_key(&area.provider, |&(listed, _)| listed) {
            list.remove(at);
            self.areas[slot.0 as usize].remove(area);
        }
    }

    /// Heap bytes held, estimated from capacities.
    pub(super) fn memory_bytes(&self) -> usize {
        let lists: usize = self
            .providers
            .iter()
            .map(|list| list.capacity() * std::mem::size_of::<(ProviderId, NodeIndex)>())
            .sum();
        let areas: usize = self.areas.iter().map(AreaIndex::memory_bytes).sum();
        self.ids.capacity() * std::mem::size_of::<TradeId>()
            + self.providers.capacity() * std::mem::size_of::<Vec<(ProviderId, NodeIndex)>>()
            + lists
            + areas
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
