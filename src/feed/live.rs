//! The live graph: the trust engine's graph behind a lock, current up to a change-feed seq.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use parking_lot::{Mutex, RwLock};
use sqlx::PgPool;

use crate::domain::GraphChange;
use crate::domain::{PersonId, TradeId};
use crate::graph::{self, LiveTrust, Prior, RankParams, TrustGraph};
use crate::seeds::SeedSet;
use crate::store;

/// Trades by slug and by id. They change only with migrations, so they are read once.
#[derive(Default)]
struct Trades {
    by_slug: HashMap<String, TradeId>,
    by_id: HashMap<TradeId, (String, String)>,
}

/// The in-memory trust graph of this instance, with the global prior and the seq up to which
/// it reflects the database.
pub struct LiveGraph {
    graph: RwLock<TrustGraph>,
    prior: RwLock<Arc<Prior>>,
    /// Global trust, kept within `prior_live_tolerance` of exact by local pushes as trust
    /// edges change (`graph/live_trust.rs`); `None` until the first prior, and after a load.
    /// Locked after `graph` wherever both are held.
    trust: Mutex<Option<LiveTrust>>,
    /// The operator's seeds and the founders; the prior restarts on `for_prior()`.
    seeds: RwLock<SeedSet>,
    trades: RwLock<Trades>,
    params: RankParams,
    /// The walk cache's budget, given to every graph this instance loads.
    walk_cache_bytes: u64,
    applied_seq: AtomicI64,
    prior_seq: AtomicI64,
    loaded: AtomicBool,
    /// One catch-up at a time, so changes are applied exactly in seq order.
    catching_up: tokio::sync::Mutex<()>,
}

impl Default for LiveGraph {
    fn default() -> Self {
        LiveGraph::new(RankParams::default())
    }
}

impl LiveGraph {
    /// An empty, not-yet-loaded graph.
    pub fn new(params: RankParams) -> LiveGraph {
        LiveGraph {
            graph: RwLock::new(TrustGraph::new()),
            prior: RwLock::new(Arc::new(Prior::default())),
            trust: Mutex::new(None),
            seeds: RwLock::new(SeedSet::default()),
            trades: RwLock::new(Trades::default()),
            params,
            walk_cache_bytes: crate::graph::DEFAULT_WALK_CACHE_BYTES,
            applied_seq: AtomicI64::new(0),
            prior_seq: AtomicI64::new(-1),
            loaded: AtomicBool::new(false),
            catching_up: tokio::sync::Mutex::new(()),
        }
    }

    /// Sets the byte budget of remembered walks for the graphs this instance will load.
    pub fn with_walk_cache_bytes(mut self, bytes: u64) -> LiveGraph {
        self.walk_cache_bytes = bytes;
        self
    }

    /// Whether the initial load has finished (readiness).
    pub fn is_loaded(&self) -> bool {
        self.loaded.load(Ordering::Acquire)
    }

    /// The last change-feed seq reflected in memory.
    pub fn applied_seq(&self) -> i64 {
        self.applied_seq.load(Ordering::Acquire)
    }

    /// The ranking parameters.
    pub fn params(&self) -> &RankParams {
        &self.params
    }

    /// Loads everything from Postgres in one consistent snapshot, then computes the prior.
    pub async fn load(&self, pool: &PgPool) -> anyhow::Result<()> {
        let started = Instant::now();
        let _guard = self.catching_up.lock().await;
        let snapshot = store::graph_load::load_snapshot(pool).await?;
        let trades = Trades {
            by_slug: snapshot
                .trades
                .iter()
                .map(|t| (t.slug.clone(), t.id))
                .collect(),
            by_id: snapshot
                .trades
                .iter()
                .map(|t| (t.id, (t.slug.clone(), t.name.clone())))
                .collect(),
        };
        *self.trades.write() = trades;
        *self.seeds.write() = snapshot.seed_set;
        let mut graph = snapshot.graph;
        graph.set_walk_cache_bytes(self.walk_cache_bytes);
        *self.graph.write() = graph;
        // Global trust of the old graph means nothing for the new one: start again.
        *self.trust.lock() = None;
        self.applied_seq.store(snapshot.seq, Ordering::Release);
        self.recompute_prior();
        // Ready only once the prior exists too, and before any catch-up can run.
        self.loaded.store(true, Ordering::Release);
        drop(_guard);
        let graph = self.graph.read();
        tracing::info!(
            people = graph.person_count(),
            providers = graph.provider_count(),
            trust_edges = graph.trust_edge_count(),
            vouches = graph.vouch_count(),
            memory_bytes = graph.memory_bytes(),
            seq = snapshot.seq,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "trust graph loaded"
        );
        Ok(())
    }

    /// Applies every change after the applied seq, in order. Safe to call from anywhere at any
    /// time: concurrent calls queue, and changes are absolute states, so re-reading is harmless.
    pub async fn catch_up(&self, pool: &PgPool) -> anyhow::Result<usize> {
        let _guard = self.catching_up.lock().await;
        if !self.is_loaded() {
            // The load will include everything committed so far.
            return Ok(0);
        }
        let mut applied = 0;
        loop {
            let after = self.applied_seq();
            let batch = store::changes::since(pool, after, 10_000).await?;
            let Some(&(last, _)) = batch.last() else {
                break;
            };
            {
                let mut graph = self.graph.write();
                let mut seeds = self.seeds.write();
                let mut trust = self.trust.lock();
                let used_founders = seeds.uses_founders();
                for (_, change) in &batch {
                    // A change to someone's trust edges changes where global trust flows
                    // from them: recorded here, settled with the next prior.
                    let truster = match change {
                        GraphChange::TrustSet { truster, .. }
                        | GraphChange::TrustRevoke { truster, .. } => Some(*truster),
                        _ => None,
                    };
                    let before = match (&*trust, truster) {
                        (Some(live), Some(truster)) => {
                            Some(live.column_of(&graph, truster, &self.params))
                        }
                        _ => None,
                    };
                    apply(&mut graph, &mut seeds.operator, change);
                    if let (Some(live), Some(truster), Some(before)) =
                        (trust.as_mut(), truster, before)
                    {
                        live.record_change(&graph, truster, &before, &self.params);
                    }
                    if let GraphChange::PersonUpsert { id, .. } = change {
                        seeds.admit(*id);
                    }
                }
                log_seed_source_change(used_founders, &seeds);
            }
            applied += batch.len();
            self.applied_seq.store(last, Ordering::Release);
        }
        Ok(applied)
    }

    /// Called by a handler right after its transaction commits, so the instance that made a
    /// write shows it at once. A failure here is logged, not returned: the write did commit,
    /// and the follower will apply it on its next wake-up.
    pub async fn catch_up_after_write(&self, pool: &PgPool) {
        if let Err(error) = self.catch_up(pool).await {
            tracing::warn!(
                ?error,
                "could not apply a committed change yet; the follower will"
            );
        }
    }

    /// Recomputes the global prior if the graph changed since the last time.
    pub fn recompute_prior(&self) {
        let seq = self.applied_seq();
        if self.prior_seq.load(Ordering::Acquire) == seq {
            return;
        }
        let started = Instant::now();
        let seeds = self.prior_seeds();
        let (prior, pushes, full) = {
            let graph = self.graph.read();
            let mut trust = self.trust.lock();
            let (live, pushes, full) = match trust.take() {
                // The usual case: settle the changes recorded since, near where they were made.
                Some(mut live) if live.has_seeds(&seeds) => {
                    let mut work = live.settle(&graph, &self.params);
                    if live.error_bound(&self.params) >= self.params.prior_live_tolerance {
                        // The graph grew enough to lower every node's threshold.
                        work = live.settle_everywhere(&graph, &self.params);
                    }
                    (live, work.pushes, work.restarted)
                }
                // The first time, after a load, or with other seeds: from scratch.
                _ => (LiveTrust::new(&graph, &seeds, &self.params), 0, true),
            };
            let prior = live.prior(&graph, &self.params);
            *trust = Some(live);
            (prior, pushes, full)
        };
        *self.prior.write() = Arc::new(prior);
        self.prior_seq.store(seq, Ordering::Release);
        tracing::debug!(
            seeds = seeds.len(),
            full,
            pushes,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "global prior recomputed"
        );
    }

    /// The people the global prior restarts on: the operator's seeds, or the founders while
    /// there are none.
    pub fn prior_seeds(&self) -> Vec<PersonId> {
        self.seeds.read().for_prior().to_vec()
    }

    /// Runs `f` with read access to the graph and the current prior.
    pub fn read<T>(&self, f: impl FnOnce(&TrustGraph, &Prior) -> T) -> T {
        let prior = self.prior.read().clone();
        let graph = self.graph.read();
        f(&graph, &prior)
    }

    /// The id of a trade slug.
    pub fn trade_by_slug(&self, slug: &str) -> Option<TradeId> {
        self.trades.read().by_slug.get(slug).copied()
    }

    /// The slug of a trade id.
    pub fn trade_slug(&self, id: TradeId) -> Option<String> {
        self.trades
            .read()
            .by_id
            .get(&id)
            .map(|(slug, _)| slug.clone())
    }
}

/// Says at info level when the prior's restarts move between the founders and the operator's
/// seeds (`seeds add` of the first seed, `seeds remove` of the last).
fn log_seed_source_change(used_founders: bool, seeds: &SeedSet) {
    match (used_founders, seeds.uses_founders()) {
        (true, false) => tracing::info!(
            seeds = seeds.operator.len(),
            "an operator seed exists: the global prior restarts on the operator's seeds"
        ),
        (false, true) => tracing::info!(
            founders = ?seeds.founders,
            "no operator seed exists: the global prior restarts on the founding members"
        ),
        _ => {}
    }
}

/// Applies one change to the graph (and the operator's seeds).
pub fn apply(graph: &mut TrustGraph, seeds: &mut Vec<PersonId>, change: &GraphChange) {
    match change {
        GraphChange::PersonUpsert {
            id,
            name,
            pre_trusted,
        } => {
            if let Err(error) = graph.upsert_person(*id, name) {
                tracing::error!(%error, person = %id, "person change not applied");
                return;
            }
            seeds.retain(|s| s != id);
            if *pre_trusted {
                seeds.push(*id);
            }
        }
        GraphChange::ProviderUpsert {
            id,
            name,
            owner,
            trades,
            lat,
            lon,
            radius_km,
        } => {
            let info = graph::ProviderInfo {
                id: *id,
                name: name.clone(),
                owner: *owner,
                trades: trades.clone(),
                lat: *lat,
                lon: *lon,
                radius_km: *radius_km,
            };
            if let Err(error) = graph.upsert_provider(info) {
                tracing::error!(%error, provider = %id, "provider change not applied");
            }
        }
        GraphChange::TrustSet {
            truster,
            trustee,
            level,
            visibility,
        } => {
            if let Err(error) = graph.set_trust(*truster, *trustee, *level, *visibility) {
                tracing::error!(%error, "trust change not applied");
            }
        }
        GraphChange::TrustRevoke { truster, trustee } => {
            graph.remove_trust(*truster, *trustee);
        }
        GraphChange::VouchSet {
            person,
            provider,
            trade,
            stance,
            visibility,
            strength,
            ..
        } => {
            if let Err(error) =
                graph.set_vouch(*person, *provider, *trade, *stance, *visibility, *strength)
            {
                tracing::error!(%error, "vouch change not applied");
            }
        }
        GraphChange::VouchRevoke {
            person,
            provider,
            trade,
        } => {
            graph.remove_vouch(*person, *provider, *trade);
        }
        GraphChange::DistrustSet {
            truster,
            trustee,
            strength,
        } => {
            if let Err(error) = graph.set_distrust(*truster, *trustee, *strength) {
                tracing::error!(%error, "distrust change not applied");
            }
        }
        GraphChange::DistrustRevoke { truster, trustee } => {
            graph.remove_distrust(*truster, *trustee);
        }
    }
}
