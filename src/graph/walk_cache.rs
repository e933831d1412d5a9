//! Remembered walks: a seeker's personalized walk is the same for every trade, every page of
//! results and every "why" until the graph changes where the walk went, so it is kept and
//! handed out again.
//!
//! **What a walk depends on.** The forward push (`push.rs`) reads, for each node it touches
//! (every node that got a residual), that node's visible trust edges out and their count; the
//! seeker's view also depends on who trusts the seeker, which is an edge out of those people.
//! So a walk can change only when a trust edge *out of a touched node* changes. Vouches and
//! distrust edges are never read by the push, and edges out of untouched nodes are never read.
//!
//! **How staleness is detected, exactly.** The graph counts its trust-edge changes (a version)
//! and keeps the source node of the last [`LOG_CAPACITY`] of them. A remembered walk carries
//! the version it was computed at and the nodes it touched. On a lookup, every change since
//! then is checked against those nodes: if none touched the walk, it is still exact and is
//! served (and re-stamped with the current version); otherwise, or when more changes have
//! happened than are worth checking, it is dropped and the walk is computed afresh. Serving a
//! remembered walk therefore never changes a result; the property test in `tests_walk_cache.rs`
//! compares every cached answer with a fresh one.
//!
//! **Explanation layers.** The first two layers of the seeker's explanation paths
//! (`path_layers.rs`), and the best paths found from them, are the same for every search too;
//! at a heavy truster's they were most of a remembered search's work (everyone two trust hops
//! out, then the in-edges of every voucher reached). They are kept with the walk once a search
//! has built them, and dropped with it; the changes checked against a walk are checked
//! against the nodes they were read from as well (the seeker and layers 1 and 2).
//!
//! **Memory** is bounded by a byte budget over all remembered walks (16 bytes per reached
//! person and 4 per touched one), with `quick_cache`'s eviction choosing what to forget.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use petgraph::graph::NodeIndex;
use quick_cache::sync::Cache;
use quick_cache::Weighter;

use super::access::Access;
use super::params::RankParams;
use super::path_layers::PathLayers;

/// How many recent trust-edge changes the graph remembers the source of.
pub(super) const LOG_CAPACITY: usize = 4096;

/// A walk older than this many changes is recomputed rather than checked: checking costs one
/// scan of its touched nodes per change.
const MOST_CHANGES_CHECKED: u64 = 32;

/// The default budget of all remembered walks together.
pub const DEFAULT_WALK_CACHE_BYTES: u64 = 64 * 1024 * 1024;

/// The graph's trust-edge change counter and the sources of its latest changes.
#[derive(Clone, Debug, Default)]
pub(super) struct ChangeLog {
    version: u64,
    /// (version after the change, the node whose trust edges out changed), oldest first.
    recent: VecDeque<(u64, NodeIndex)>,
}

impl ChangeLog {
    /// Records that `source`'s trust edges out changed.
    pub(super) fn record(&mut self, source: NodeIndex) {
        self.version += 1;
        if self.recent.len() == LOG_CAPACITY {
            self.recent.pop_front();
        }
        self.recent.push_back((self.version, source));
    }

    /// The current version.
    pub(super) fn version(&self) -> u64 {
        self.version
    }

    /// The sources of the changes after `since`, or `None` if they are no longer all known.
    fn sources_since(&self, since: u64) -> Option<impl Iterator<Item = NodeIndex> + '_> {
        let missing = self.version - since;
        if missing > self.recent.len() as u64 {
            return None;
        }
        let skip = self.recent.len() - missing as usize;
        Some(self.recent.iter().skip(skip).map(|&(_, node)| node))
    }
}

/// Whose walk, seen how, with which push settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct WalkKey {
    seeker: NodeIndex,
    own: Access,
    /// `alpha`, `epsilon` and the three level weights, as bits.
    params: [u64; 5],
}

impl WalkKey {
    /// The key of a walk; `None` for an anonymous viewer, whose walk is empty anyway.
    fn of(owner: Option<(NodeIndex, Access)>, params: &RankParams) -> Option<WalkKey> {
        let (seeker, own) = owner?;
        let [a, b, c] = params.level_weights;
        Some(WalkKey {
            seeker,
            own,
            params: [
                params.alpha.to_bits(),
                params.epsilon.to_bits(),
                a.to_bits(),
                b.to_bits(),
                c.to_bits(),
            ],
        })
    }
}

/// A remembered walk.
struct Walk {
    /// The graph version it is known to be exact at.
    version: u64,
    /// Every person with a positive estimate, in push order (as `personalized_pagerank`).
    mass: Arc<[(NodeIndex, f64)]>,
    /// Every node the push touched: the only nodes whose edges it read.
    touched: Arc<[NodeIndex]>,
    /// The seeker's first two layers of explanation paths, once a search has needed them.
    layers: Option<Arc<PathLayers>>,
}

impl Walk {
    /// Whether a change to `node`'s trust edges out leaves this walk (and its layers) exact.
    fn unaffected_by(&self, node: NodeIndex) -> bool {
        !self.touched.contains(&node)
            && self
                .layers
                .as_ref()
                .is_none_or(|layers| !layers.read_edges_of(node))
    }
}

#[derive(Clone)]
struct WalkBytes;

impl Weighter<WalkKey, Arc<Walk>> for WalkBytes {
    fn weight(&self, _key: &WalkKey, walk: &Arc<Walk>) -> u64 {
        // Never zero: a zero-weight entry would never be evicted.
        64 + 16 * walk.mass.len() as u64
            + 4 * walk.touched.len() as u64
            + walk.layers.as_ref().map_or(0, |layers| layers.bytes())
    }
}

/// Remembered walks, shared by every query on one graph.
pub(super) struct WalkCache {
    walks: Cache<WalkKey, Arc<Walk>, WalkBytes>,
    budget: u64,
    hits: AtomicU64,
    misses: AtomicU64,
}

/// What the cache holds and how often it helped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WalkCacheStats {
    /// Walks remembered now.
    pub walks: usize,
    /// Their bytes, by the budget's measure.
    pub bytes: u64,
    /// The budget.
    pub budget: u64,
    /// Lookups answered from memory since the graph was built.
    pub hits: u64,
    /// Lookups that had to push (nothing remembered, or a change reached the walk).
    pub misses: u64,
}

impl WalkCache {
    /// An empty cache holding at most `budget` bytes of walks.
    pub(super) fn with_budget(budget: u64) -> WalkCache {
        // quick_cache sizes its table from an estimate of the item count; a walk is tens of
        // kilobytes at a million people.
        let estimated_items = (budget / (32 * 1024)).clamp(16, 1 << 20) as usize;
        WalkCache {
            walks: Cache::with_weighter(estimated_items, budget.max(1), WalkBytes),
            budget,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// The remembered walk of this owner (`Viewer::walk_owner`), if it is still exact at `log`'s version.
    pub(super) fn get(
        &self,
        owner: Option<(NodeIndex, Access)>,
        params: &RankParams,
        log: &ChangeLog,
    ) -> Option<Arc<[(NodeIndex, f64)]>> {
        let key = WalkKey::of(owner, params)?;
        let found = self.lookup(key, log);
        let counter = if found.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    fn lookup(&self, key: WalkKey, log: &ChangeLog) -> Option<Arc<[(NodeIndex, f64)]>> {
        let walk = self.walks.get(&key)?;
        if walk.version != log.version() {
            let fresh = log.version() - walk.version <= MOST_CHANGES_CHECKED
                && log
                    .sources_since(walk.version)
                    .is_some_and(|mut sources| sources.all(|node| walk.unaffected_by(node)));
            if !fresh {
                self.walks.remove(&key);
                return None;
            }
            // Still exact: re-stamp it, so the changes just checked are not checked again.
            self.walks.insert(
                key,
                Arc::new(Walk {
                    version: log.version(),
                    mass: Arc::clone(&walk.mass),
                    touched: Arc::clone(&walk.touched),
                    layers: walk.layers.clone(),
                }),
            );
        }
        Some(Arc::clone(&walk.mass))
    }

    /// The path layers remembered with this owner's walk, if the walk is remembered exact at
    /// `log`'s version (as [`get`](Self::get) has just made it, when it answered) and a search
    /// has built them. Not counted as a hit or a miss: the walk's lookup was.
    pub(super) fn layers(
        &self,
        owner: Option<(NodeIndex, Access)>,
        params: &RankParams,
        log: &ChangeLog,
    ) -> Option<Arc<PathLayers>> {
        let walk = self.walks.get(&WalkKey::of(owner, params)?)?;
        if walk.version != log.version() {
            return None;
        }
        walk.layers.clone()
    }

    /// Remembers `layers`, built at `log`'s version, with this owner's walk, if that walk is
    /// remembered at the same version. Otherwise they are not kept: a walk computed at another
    /// version could not vouch for them.
    pub(super) fn remember_layers(
        &self,
        owner: Option<(NodeIndex, Access)>,
        params: &RankParams,
        log: &ChangeLog,
        layers: Arc<PathLayers>,
    ) {
        let Some(key) = WalkKey::of(owner, params) else {
            return;
        };
        let Some(walk) = self.walks.get(&key) else {
            return;
        };
        if walk.version == log.version() && walk.layers.is_none() {
            self.walks.insert(
                key,
                Arc::new(Walk {
                    version: walk.version,
                    mass: Arc::clone(&walk.mass),
                    touched: Arc::clone(&walk.touched),
                    layers: Some(layers),
                }),
            );
        }
    }

    /// Remembers a walk computed at `version`.
    pub(super) fn insert(
        &self,
        owner: Option<(NodeIndex, Access)>,
        params: &RankParams,
        version: u64,
        mass: Arc<[(NodeIndex, f64)]>,
        touched: Arc<[NodeIndex]>,
    ) {
        if let Some(key) = WalkKey::of(owner, params) {
            let walk = Walk {
                version,
                mass,
                touched,
                layers: None,
            };
            self.walks.insert(key, Arc::new(walk));
        }
    }

    /// What is remembered, and the hits and misses so far.
    pub(super) fn stats(&self) -> WalkCacheStats {
        WalkCacheStats {
            walks: self.walks.len(),
            bytes: self.walks.weight(),
            budget: self.budget,
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
        }
    }
}

impl Default for WalkCache {
    fn default() -> WalkCache {
        WalkCache::with_budget(DEFAULT_WALK_CACHE_BYTES)
    }
}

impl Clone for WalkCache {
    /// A copy of a graph starts with no remembered walks: the copy will change on its own, and
    /// the original's walks describe the original.
    fn clone(&self) -> WalkCache {
        WalkCache::with_budget(self.budget)
    }
}
