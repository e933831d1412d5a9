//! The first two layers of a seeker's explanation paths, as data: who the seeker reaches in
//! one hop and in two, by their strongest path, and the best paths already found from them.
//! Built by `paths.rs`; remembered with the seeker's walk by `walk_cache.rs`, which needs to
//! know which nodes' edges they were read from (hence this small module apart, depending on
//! neither).

use std::sync::{Arc, Mutex};

use petgraph::graph::NodeIndex;
use rustc_hash::FxHashMap;

use crate::domain::TrustLevel;

/// The best way found to reach a person: its strength, the person before, and the edge level.
#[derive(Clone, Copy, Debug)]
pub(super) struct Step {
    pub(super) strength: f64,
    pub(super) via: NodeIndex,
    pub(super) level: TrustLevel,
}

/// The strongest path of at most three hops to a person, as (person, level of the edge into
/// them) hops and strength; `None` when every path is longer.
pub(super) type FoundPath = Option<(Arc<[(NodeIndex, TrustLevel)]>, f64)>;

/// Layers 1 and 2 of one seeker's paths, over the trust edges their viewer may see, and the
/// best paths found from them so far.
#[derive(Debug)]
pub(super) struct PathLayers {
    pub(super) seeker: NodeIndex,
    /// The seeker's visible out-neighbours.
    pub(super) layer1: FxHashMap<NodeIndex, Step>,
    /// The best 2-hop reach of each person.
    pub(super) layer2: FxHashMap<NodeIndex, Step>,
    /// Best paths found, by the person they lead to; at most `most_found` of them.
    found: Mutex<FxHashMap<NodeIndex, FoundPath>>,
    most_found: usize,
}

impl PathLayers {
    /// Layers as built, with no paths found yet. They remember at most as many paths as they
    /// hold people, and at least 64, so that their size stays proportional to what was built.
    pub(super) fn new(
        seeker: NodeIndex,
        layer1: FxHashMap<NodeIndex, Step>,
        layer2: FxHashMap<NodeIndex, Step>,
    ) -> PathLayers {
        let most_found = (layer1.len() + layer2.len()).max(64);
        PathLayers {
            seeker,
            layer1,
            layer2,
            found: Mutex::default(),
            most_found,
        }
    }

    /// Whether anything here was read from `node`'s trust edges out (or its out-weight, or
    /// whether it trusts the seeker): the seeker's, and those of the people in layers 1 and 2
    /// (a 3-hop path's last step is an edge out of a layer-2 person). A change to any other
    /// node's edges leaves the layers and every path found from them exact.
    pub(super) fn read_edges_of(&self, node: NodeIndex) -> bool {
        node == self.seeker || self.layer1.contains_key(&node) || self.layer2.contains_key(&node)
    }

    /// The best path to `target`, if it was found before.
    pub(super) fn found(&self, target: NodeIndex) -> Option<FoundPath> {
        self.found.lock().ok()?.get(&target).cloned()
    }

    /// Remembers the best path to `target`, while there is room.
    pub(super) fn remember(&self, target: NodeIndex, path: FoundPath) {
        if let Ok(mut found) = self.found.lock() {
            if found.len() < self.most_found {
                found.insert(target, path);
            }
        }
    }

    /// A rough size in bytes, for the walk cache's budget, counting the paths it may yet
    /// remember as if they were all there (the budget is weighed when the layers are stored).
    pub(super) fn bytes(&self) -> u64 {
        // A hash-map slot holds the key, the value and a control byte, at a load of 7/8.
        let step = (std::mem::size_of::<(NodeIndex, Step)>() + 1) as u64 * 8 / 7;
        let path = (std::mem::size_of::<(NodeIndex, FoundPath)>() + 1) as u64 * 8 / 7
            + 3 * std::mem::size_of::<(NodeIndex, TrustLevel)>() as u64
            + 16;
        64 + step * (self.layer1.capacity() + self.layer2.capacity()) as u64
            + path * self.most_found as u64
    }
}
