//! Trust edges out of each node, counted by visibility and level, in 18 bytes a node.
//!
//! A walk needs a node's total visible out-weight, which these counts give in O(1). Nine `u32`
//! counters were 36 bytes a person, 2.6 bytes of every graph edge at a million people. Almost
//! no one trusts 65,535 people at one level and visibility, so the counts are `u16`, and the
//! rare node past that keeps its full tally in a side map.

use petgraph::graph::NodeIndex;
use rustc_hash::FxHashMap;

use super::trade_table::hash_map_bytes;

/// Trust edges out of one node, counted by visibility (public, network, private) and level
/// (1, 2, 3): index `3 * visibility + level - 1`.
pub(super) type TrustTally = [u32; 9];

/// Marks, in a node's first narrow counter, that its tally lives in the side map. Narrow
/// counters stay below it.
const WIDE: u16 = u16::MAX;

/// The tallies of every node, by node index (missing = none).
#[derive(Clone, Debug, Default)]
pub(super) struct TrustTallies {
    narrow: Vec<[u16; 9]>,
    wide: FxHashMap<u32, TrustTally>,
}

impl TrustTallies {
    /// Room for `nodes` nodes without growing, as a graph is built.
    pub(super) fn with_capacity(nodes: usize) -> TrustTallies {
        TrustTallies {
            narrow: Vec::with_capacity(nodes),
            wide: FxHashMap::default(),
        }
    }

    /// A node's tally. O(1).
    pub(super) fn get(&self, node: NodeIndex) -> TrustTally {
        match self.narrow.get(node.index()) {
            None => TrustTally::default(),
            Some(narrow) if narrow[0] == WIDE => self.wide[&(node.index() as u32)],
            Some(narrow) => narrow.map(u32::from),
        }
    }

    /// Counts one edge in or out of a node's `slot`.
    pub(super) fn step(&mut self, node: NodeIndex, slot: usize, added: bool) {
        let index = node.index();
        if self.narrow.len() <= index {
            self.narrow.resize(index + 1, [0; 9]);
        }
        let narrow = &mut self.narrow[index];
        if narrow[0] == WIDE {
            let wide = self.wide.get_mut(&(index as u32)).expect("a wide tally");
            wide[slot] = stepped(wide[slot], added);
            return;
        }
        let count = stepped(u32::from(narrow[slot]), added);
        match u16::try_from(count) {
            Ok(count) if count != WIDE => narrow[slot] = count,
            _ => {
                let mut wide = narrow.map(u32::from);
                wide[slot] = count;
                self.wide.insert(index as u32, wide);
                narrow[0] = WIDE;
            }
        }
    }

    /// Heap bytes held, estimated from capacities.
    pub(super) fn memory_bytes(&self) -> usize {
        self.narrow.capacity() * std::mem::size_of::<[u16; 9]>()
            + hash_map_bytes::<u32, TrustTally>(self.wide.capacity())
    }
}

fn stepped(count: u32, up: bool) -> u32 {
    if up {
        count + 1
    } else {
        // The graph removes only edges it found, so each was counted when it was added.
        debug_assert!(count > 0, "a trust tally went below zero");
        count.saturating_sub(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_node_past_the_narrow_counters_keeps_counting_exactly_both_ways() {
        let mut tallies = TrustTallies::default();
        let heavy = NodeIndex::new(3);
        // 70,000 public level-2 edges out of one node: past what a u16 holds.
        for _ in 0..70_000 {
            tallies.step(heavy, 1, true);
        }
        tallies.step(heavy, 0, true); // and one public level-1 edge
        let mut expected = TrustTally::default();
        expected[0] = 1;
        expected[1] = 70_000;
        assert_eq!(tallies.get(heavy), expected);
        for _ in 0..69_999 {
            tallies.step(heavy, 1, false);
        }
        expected[1] = 1;
        assert_eq!(tallies.get(heavy), expected);
        assert_eq!(tallies.get(NodeIndex::new(2)), TrustTally::default());
        assert_eq!(tallies.get(NodeIndex::new(99)), TrustTally::default());
    }

    #[test]
    fn the_count_just_below_the_marker_stays_narrow_and_the_next_goes_wide() {
        let mut tallies = TrustTallies::default();
        let node = NodeIndex::new(0);
        for _ in 0..u32::from(WIDE - 1) {
            tallies.step(node, 0, true);
        }
        assert!(tallies.wide.is_empty());
        assert_eq!(tallies.get(node)[0], u32::from(WIDE - 1));
        tallies.step(node, 0, true);
        assert_eq!(tallies.wide.len(), 1);
        assert_eq!(tallies.get(node)[0], u32::from(WIDE));
    }
}
