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
//! **Evidence.** What the walk's people vouched for, per trade (`ReachedEvidence`), is kept
//! with the walk too: reading every reached person's vouches was most of a remembered search's
//! remaining work. It also depends on vouches, which the push never reads, so the graph counts
//! vouch changes in a second log; a trade's evidence is served while every vouch change since
//! it was collected came from someone the walk did not touch (the reached people are among the
//! touched), exactly as walks are checked against trust changes.
//!
//! **Memory** is bounded by a byte budget over all remembered walks (16 bytes per reached
//! person and 4 per touched one), with `quick_cache`'s eviction choosing what to forget.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use petgraph::graph::NodeIndex;
use quick_cache::sync::Cache;
use quick_cache::Weighter;

use rustc_hash::FxHashMap;

use super::access::Access;
use super::found::{ReachedEvidence, TradeFilter};
use super::params::RankParams;
use super::path_layers::PathLayers;

/// How many recent trust-edge changes the graph remembers the source of.
pub(super) const LOG_CAPACITY: usize = 4096;

/// A walk older than this many changes is recomputed rather than checked: checking costs one
/// scan of its touched nodes per change.
const MOST_CHANGES_CHECKED: u64 = 32;

/// The default budget of all remembered walks together. At a million people, the realistic
/// load mix's 1,000 seekers (drawn by activity, so heavy trusters are many) need about 300 MiB
/// by this measure; at 64 or 256 MiB they evicted each other and the mix ran at 480 and 1,420
/// requests/s instead of 3,300 (docs/performance.md). It is a bound: a small network's walks
/// take far less.
pub const DEFAULT_WALK_CACHE_BYTES: u64 = 512 * 1024 * 1024;

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
    /// `alpha`, `epsilon`, `frontier_floor` and the three level weights, as bits.
    params: [u64; 6],
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
                params.frontier_floor.to_bits(),
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
    /// What the reached people vouched for, per trade a search has asked about, each with the
    /// vouch-change version it is known to be exact at.
    evidence: Arc<FxHashMap<TradeFilter, (u64, Arc<ReachedEvidence>)>>,
}

impl Walk {
    /// The same walk, with other layers or evidence: the cache's entries are shared and never
    /// changed in place.
    fn with(
        &self,
        version: u64,
        layers: Option<Arc<PathLayers>>,
        evidence: Arc<FxHashMap<TradeFilter, (u64, Arc<ReachedEvidence>)>>,
    ) -> Walk {
        Walk {
            version,
            mass: Arc::clone(&self.mass),
            touched: Arc::clone(&self.touched),
            layers,
            evidence,
        }
    }

    /// Whether a vouch change by `node` leaves this walk's evidence exact: only the vouches of
    /// people the walk reached are read, and those are all touched.
    fn evidence_unaffected_by(&self, node: NodeIndex) -> bool {
        !self.touched.contains(&node)
    }

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
            + walk
                .evidence
                .values()
                .map(|(_, evidence)| 32 + evidence.bytes())
                .sum::<u64>()
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
            let restamped = walk.with(
                log.version(),
                walk.layers.clone(),
                Arc::clone(&walk.evidence),
            );
            self.walks.insert(key, Arc::new(restamped));
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
            let with_layers = walk.with(walk.version, Some(layers), Arc::clone(&walk.evidence));
            self.walks.insert(key, Arc::new(with_layers));
        }
    }

    /// The evidence for `trade` remembered with this owner's walk, if the walk is remembered
    /// exact at `log`'s version (as [`get`](Self::get) has just made it) and the evidence is
    /// exact at `vouches`' version. Evidence older than that is checked against the vouch
    /// changes since, and re-stamped when none reached the walk. Not counted as a hit or a
    /// miss: the walk's lookup was.
    pub(super) fn evidence(
        &self,
        owner: Option<(NodeIndex, Access)>,
        params: &RankParams,
        log: &ChangeLog,
        vouches: &ChangeLog,
        trade: TradeFilter,
    ) -> Option<Arc<ReachedEvidence>> {
        let key = WalkKey::of(owner, params)?;
        let walk = self.walks.get(&key)?;
        if walk.version != log.version() {
            return None;
        }
        let (at, evidence) = walk.evidence.get(&trade)?;
        if *at == vouches.version() {
            return Some(Arc::clone(evidence));
        }
        let fresh = vouches.version() - at <= MOST_CHANGES_CHECKED
            && vouches
                .sources_since(*at)
                .is_some_and(|mut sources| sources.all(|node| walk.evidence_unaffected_by(node)));
        if !fresh {
            return None;
        }
        let evidence = Arc::clone(evidence);
        self.remember(key, &walk, vouches.version(), trade, Arc::clone(&evidence));
        Some(evidence)
    }

    /// Remembers `evidence` for `trade`, collected at `log`'s version and `vouch_version`, with
    /// this owner's walk, if that walk is remembered at the same version.
    pub(super) fn remember_evidence(
        &self,
        owner: Option<(NodeIndex, Access)>,
        params: &RankParams,
        log: &ChangeLog,
        vouch_version: u64,
        trade: TradeFilter,
        evidence: Arc<ReachedEvidence>,
    ) {
        let Some(key) = WalkKey::of(owner, params) else {
            return;
        };
        let Some(walk) = self.walks.get(&key) else {
            return;
        };
        if walk.version == log.version() {
            self.remember(key, &walk, vouch_version, trade, evidence);
        }
    }

    fn remember(
        &self,
        key: WalkKey,
        walk: &Walk,
        vouch_version: u64,
        trade: TradeFilter,
        evidence: Arc<ReachedEvidence>,
    ) {
        let mut by_trade = (*walk.evidence).clone();
        by_trade.insert(trade, (vouch_version, evidence));
        let with_evidence = walk.with(walk.version, walk.layers.clone(), Arc::new(by_trade));
        self.walks.insert(key, Arc::new(with_evidence));
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
                evidence: Arc::default(),
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
