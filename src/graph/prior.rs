//! The global prior: each provider's public reputation, weighted by EigenTrust-style global
//! trust (Kamvar, Schlosser and Garcia-Molina, "The EigenTrust algorithm", WWW 2003).
//!
//! Global trust is PageRank over public trust edges with restart to a set of pre-trusted seed
//! people: the same walk as the personalized one (same level weights and alpha, dangling
//! people restart), but every restart lands on the seeds. A sybil ring can only gain the mass
//! that flows in along the few edges honest people give it, so the seeds should be people
//! known to be real (staff, verified early members). With no seeds the restart is uniform over
//! everyone, which is weaker: each sybil then gets its own share of restarts, so a ring of a
//! thousand collects a thousand shares however isolated it is.
//!
//! A provider's prior in a trade is `max(0, R - gamma * W)`, where R and W sum the global trust
//! of the people with a public recommending / warning vouch, times the vouch's strength.

use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use rustc_hash::FxHashMap;

use crate::domain::{PersonId, ProviderId, Stance, TradeId, Visibility};

use super::access::Access;
use super::params::RankParams;
use super::trust_graph::TrustGraph;
use super::walk::{out_weight, walk_edges};
use super::weights::EdgeKind;

/// Public reputation per provider and trade, computed in the background and swapped in whole
/// (e.g. behind an `Arc`) by the caller. It is keyed by database ids, so it stays meaningful
/// for a graph rebuilt since.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Prior {
    by_trade: FxHashMap<(ProviderId, TradeId), f64>,
    /// Per trade, the providers with a positive prior, highest first (ties by id), so a search
    /// can take the best providers its walk did not reach without scoring every provider.
    ranked: FxHashMap<TradeId, Vec<(ProviderId, f64)>>,
    all_trades: FxHashMap<ProviderId, f64>,
    iterations: u32,
    last_change: f64,
}

impl Prior {
    /// A prior with no information: every provider's prior is 0.
    pub fn empty() -> Prior {
        Prior::default()
    }

    /// A provider's prior in one trade (0 if it has no net public support there).
    pub fn get(&self, provider: ProviderId, trade: TradeId) -> f64 {
        self.by_trade
            .get(&(provider, trade))
            .copied()
            .unwrap_or(0.0)
    }

    /// The providers of `trade` with a positive prior, highest first, ties by provider id.
    pub fn ranked(&self, trade: TradeId) -> &[(ProviderId, f64)] {
        self.ranked
            .get(&trade)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// A provider's prior counting its public vouches in every trade together.
    pub fn all_trades(&self, provider: ProviderId) -> f64 {
        self.all_trades.get(&provider).copied().unwrap_or(0.0)
    }

    /// The largest difference between this prior and `other` for any provider, in one trade
    /// or all together: how far an incrementally kept prior is from a full recompute.
    pub fn max_difference(&self, other: &Prior) -> f64 {
        fn widest<K: std::hash::Hash + Eq>(a: &FxHashMap<K, f64>, b: &FxHashMap<K, f64>) -> f64 {
            let one_way = |x: &FxHashMap<K, f64>, y: &FxHashMap<K, f64>| {
                x.iter()
                    .map(|(key, value)| (value - y.get(key).copied().unwrap_or(0.0)).abs())
                    .fold(0.0, f64::max)
            };
            one_way(a, b).max(one_way(b, a))
        }
        widest(&self.by_trade, &other.by_trade).max(widest(&self.all_trades, &other.all_trades))
    }

    /// How many power iterations the global trust took.
    pub fn iterations(&self) -> u32 {
        self.iterations
    }

    /// The L1 change of the last iteration: below `prior_tolerance` unless the iteration cap
    /// was reached first.
    pub fn last_change(&self) -> f64 {
        self.last_change
    }
}

/// Computes the global prior from public trust edges and public vouches only.
///
/// Seeds unknown to the graph are ignored; if none is known, every prior is 0 (never a uniform
/// restart: see the module documentation).
///
/// # Complexity
/// O(iterations * (N + E)) time, at most `prior_max_iterations`; O(N) extra memory.
pub fn compute_prior(graph: &TrustGraph, seeds: &[PersonId], params: &RankParams) -> Prior {
    let trust = global_trust(graph, seeds, params);
    prior_from_trust(graph, &trust, params)
}

/// The prior that global trust `trust` (one value per node index) gives the providers: one pass
/// over the people's out-edges.
///
/// # Complexity
/// O(N + E) time.
pub(crate) fn prior_from_trust(
    graph: &TrustGraph,
    trust: &GlobalTrust,
    params: &RankParams,
) -> Prior {
    let cap = params
        .voucher_trust_cap
        .map_or(f64::INFINITY, |c| c / graph.person_count().max(1) as f64);
    let mut by_trade: FxHashMap<(ProviderId, TradeId), (f64, f64)> = FxHashMap::default();
    let mut all_trades: FxHashMap<ProviderId, (f64, f64)> = FxHashMap::default();
    // Nodes in index order and edges in list order: the sums come out bit-identical after an
    // unrelated edge is added or removed, so a removed vouch can never raise a prior by rounding.
    for (index, &mass) in trust.values.iter().enumerate() {
        if mass <= 0.0 {
            continue;
        }
        for edge in graph.out_edges(NodeIndex::new(index)) {
            let weight = *edge.weight();
            if weight.kind() != EdgeKind::Vouch || weight.visibility() != Visibility::Public {
                continue;
            }
            let provider = graph.provider_info(edge.target()).id;
            let amount = mass.min(cap) * f64::from(weight.strength());
            let trade = graph.trade_id(weight.trade());
            for sums in [
                by_trade.entry((provider, trade)).or_default(),
                all_trades.entry(provider).or_default(),
            ] {
                match weight.stance() {
                    Stance::Recommend => sums.0 += amount,
                    Stance::Warn => sums.1 += amount,
                }
            }
        }
    }
    let net = |(recommend, warn): (f64, f64)| params.net_evidence(recommend, warn);
    let by_trade: FxHashMap<(ProviderId, TradeId), f64> =
        by_trade.into_iter().map(|(k, v)| (k, net(v))).collect();
    let mut ranked: FxHashMap<TradeId, Vec<(ProviderId, f64)>> = FxHashMap::default();
    for (&(provider, trade), &value) in &by_trade {
        if value > 0.0 {
            ranked.entry(trade).or_default().push((provider, value));
        }
    }
    for list in ranked.values_mut() {
        list.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    }
    Prior {
        by_trade,
        ranked,
        all_trades: all_trades.into_iter().map(|(k, v)| (k, net(v))).collect(),
        iterations: trust.iterations,
        last_change: trust.last_change,
    }
}

/// Global trust per node (0 for providers), summing to 1 over people.
pub(crate) struct GlobalTrust {
    pub(crate) values: Vec<f64>,
    pub(crate) iterations: u32,
    pub(crate) last_change: f64,
}

/// EigenTrust by power iteration over public trust edges.
///
/// # Complexity
/// O(iterations * (N + E)).
pub(crate) fn global_trust(
    graph: &TrustGraph,
    seeds: &[PersonId],
    params: &RankParams,
) -> GlobalTrust {
    let n = graph.node_bound();
    let mut seed_nodes: Vec<NodeIndex> =
        seeds.iter().filter_map(|&s| graph.person_node(s)).collect();
    seed_nodes.sort_unstable();
    seed_nodes.dedup();
    let mut result = GlobalTrust {
        values: vec![0.0; n],
        iterations: 0,
        last_change: 0.0,
    };
    if seed_nodes.is_empty() {
        return result;
    }
    let seed_share = 1.0 / seed_nodes.len() as f64;
    let out_weights: Vec<f64> = (0..n)
        .map(|i| out_weight(graph, NodeIndex::new(i), Access::PUBLIC, params).0)
        .collect();
    let mut current = result.values;
    for &seed in &seed_nodes {
        current[seed.index()] = seed_share;
    }
    let mut next = vec![0.0; n];
    for iteration in 1..=params.prior_max_iterations {
        next.iter_mut().for_each(|value| *value = 0.0);
        let mut dangling = 0.0;
        for (i, &mass) in current.iter().enumerate() {
            if mass <= 0.0 {
                continue;
            }
            if out_weights[i] == 0.0 {
                dangling += mass;
                continue;
            }
            let per_weight = (1.0 - params.alpha) * mass / out_weights[i];
            for (target, weight, _) in walk_edges(graph, NodeIndex::new(i), Access::PUBLIC, params)
            {
                next[target.index()] += per_weight * weight;
            }
        }
        // Restarts (alpha of all mass) and dangling walks both land on the seeds.
        let to_seeds = params.alpha + (1.0 - params.alpha) * dangling;
        for &seed in &seed_nodes {
            next[seed.index()] += to_seeds * seed_share;
        }
        let change: f64 = current.iter().zip(&next).map(|(a, b)| (a - b).abs()).sum();
        std::mem::swap(&mut current, &mut next);
        result.iterations = iteration;
        result.last_change = change;
        if change < params.prior_tolerance {
            break;
        }
    }
    result.values = current;
    result
}
