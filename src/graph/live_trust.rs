//! Global trust kept current as trust edges change, by local pushes instead of a new power
//! iteration (the dynamic forward push of Zhang, Lofgren and Goel, "Approximate Personalized
//! PageRank on Dynamic Graphs", KDD 2016).
//!
//! Global trust is the solution of `x = alpha * s + (1 - alpha) * Q * x`, where `s` spreads one
//! unit evenly over the seeds and column `u` of `Q` is where a walk at `u` goes next: along
//! `u`'s public trust edges in proportion to their level weights, or back to the seeds when
//! `u` has none. For any estimate `p`, the residual `r = alpha * s + (1 - alpha) * Q * p - p`
//! satisfies `x - p = (I - (1 - alpha) * Q)^-1 * r`, and since `Q` is column-stochastic that
//! inverse has L1 norm `1 / alpha`. So:
//!
//! **Bound.** `|x - p|_1 <= |r|_1 / alpha`, whatever sequence of changes led here.
//!
//! A change to `u`'s trust edges replaces column `u` of `Q`, which changes the residual only
//! at `u`'s old and new neighbours (or the seeds), by `(1 - alpha) * p(u)` times the
//! difference of the two columns. Pushing then moves residual into `p` near the change: a
//! push at `v` adds `r(v)` to `p(v)` and spreads `(1 - alpha) * r(v)` along column `v`. Every
//! node is pushed while `|r(v)| >= theta * max(d(v), 1)` (`d` its public trust out-degree),
//! with `theta = alpha * tolerance / (E + N)`, so once settled `|r|_1 < alpha * tolerance`
//! and the bound above gives `|x - p|_1 < tolerance`. A push removes at least
//! `alpha * |r(v)|` of residual, so a change costs at most
//! `(1 - alpha) * p(u) * 2 / (alpha * theta)` degree-weighted pushes: proportional to the
//! global trust of the person whose edges changed, and near them. For the few people who hold
//! much of it (the seeds and their friends) that can exceed a full recompute, so the pushes
//! stop at a full recompute's work and one is done instead.

use std::collections::VecDeque;

use petgraph::graph::NodeIndex;

use crate::domain::PersonId;

use super::access::Access;
use super::params::RankParams;
use super::prior::{global_trust, prior_from_trust, GlobalTrust, Prior};
use super::trust_graph::TrustGraph;
use super::walk::{out_weight, walk_edges};

/// Where a walk at one node goes next: (node, probability) pairs summing to 1, or empty when
/// the node is dangling (its walk returns to the seeds).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Column(Vec<(NodeIndex, f64)>);

/// Global trust with its residual, updated change by change.
pub struct LiveTrust {
    trust: GlobalTrust,
    residual: Vec<f64>,
    residual_l1: f64,
    /// The seeds as given, sorted, to tell whether a new seed set needs a new start.
    seed_ids: Vec<PersonId>,
    seeds: Vec<NodeIndex>,
    queued: Vec<bool>,
    /// First in, first out: a node waits while more residual reaches it, so it is pushed
    /// fewer times than last in, first out would push it.
    queue: VecDeque<NodeIndex>,
    /// Pushes and edge reads since the start, for `SettleWork`.
    pushes: u64,
    edge_reads: u64,
}

/// What settling cost.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SettleWork {
    /// Pushes made.
    pub pushes: u64,
    /// Trust edges read by those pushes.
    pub edge_reads: u64,
    /// Whether the pushes reached their budget, so global trust was computed afresh.
    pub restarted: bool,
}

impl LiveTrust {
    /// Global trust from scratch: a power iteration, then its exact residual, then a settle,
    /// so the bound holds from the start.
    ///
    /// # Complexity
    /// O(iterations * (N + E)), like [`super::compute_prior`].
    pub fn new(graph: &TrustGraph, seeds: &[PersonId], params: &RankParams) -> LiveTrust {
        let trust = global_trust(graph, seeds, params);
        let mut seed_nodes: Vec<NodeIndex> =
            seeds.iter().filter_map(|&s| graph.person_node(s)).collect();
        seed_nodes.sort_unstable();
        seed_nodes.dedup();
        let n = trust.values.len();
        let mut live = LiveTrust {
            trust,
            residual: vec![0.0; n],
            residual_l1: 0.0,
            seed_ids: sorted_ids(seeds),
            seeds: seed_nodes,
            queued: vec![false; n],
            queue: VecDeque::new(),
            pushes: 0,
            edge_reads: 0,
        };
        if live.seeds.is_empty() {
            // No seeds: global trust is 0 everywhere, exactly (see `compute_prior`).
            return live;
        }
        // r = alpha * s + (1 - alpha) * Q * p - p, term by term.
        let share = params.alpha / live.seeds.len() as f64;
        for seed in live.seeds.clone() {
            live.residual[seed.index()] += share;
        }
        for index in 0..n {
            let mass = live.trust.values[index];
            if mass == 0.0 {
                continue;
            }
            live.residual[index] -= mass;
            let column = column(graph, NodeIndex::new(index), params);
            live.spread(&column, (1.0 - params.alpha) * mass);
        }
        live.residual_l1 = live.residual.iter().map(|r| r.abs()).sum();
        live.settle_everywhere(graph, params);
        live
    }

    /// Whether these values restart on exactly `seeds` (in any order). A change of seeds
    /// changes every value, so it calls for [`LiveTrust::new`], not a settle.
    pub fn has_seeds(&self, seeds: &[PersonId]) -> bool {
        self.seed_ids == sorted_ids(seeds)
    }

    /// The values, one per node index (0 for providers and for people no walk reaches).
    pub fn values(&self) -> &[f64] {
        &self.trust.values
    }

    /// The prior these values give the providers.
    ///
    /// # Complexity
    /// O(N + E).
    pub fn prior(&self, graph: &TrustGraph, params: &RankParams) -> Prior {
        prior_from_trust(graph, &self.trust, params)
    }

    /// The stated bound on the L1 distance from exact global trust: `|r|_1 / alpha`.
    pub fn error_bound(&self, params: &RankParams) -> f64 {
        self.residual_l1.max(0.0) / params.alpha
    }

    /// Where the walk goes from `person` now (empty when the graph does not know them). Take
    /// it before a change to their trust edges and pass it to [`LiveTrust::record_change`]
    /// after.
    pub fn column_of(&self, graph: &TrustGraph, person: PersonId, params: &RankParams) -> Column {
        graph
            .person_node(person)
            .map_or_else(Column::default, |node| column(graph, node, params))
    }

    /// Records that `person`'s trust edges changed, given their column from before: the
    /// residual changes at the old and new targets by `(1 - alpha) * p(person) * (new - old)`.
    /// Nodes the graph gained since are added with no trust. Call [`LiveTrust::settle`] after
    /// a batch.
    pub fn record_change(
        &mut self,
        graph: &TrustGraph,
        person: PersonId,
        old: &Column,
        params: &RankParams,
    ) {
        self.grow_to(graph.node_bound());
        let Some(node) = graph.person_node(person) else {
            return;
        };
        let new = column(graph, node, params);
        let mass = (1.0 - params.alpha) * self.trust.values[node.index()];
        if mass == 0.0 || self.seeds.is_empty() || *old == new {
            return;
        }
        self.spread(old, -mass);
        self.spread(&new, mass);
    }

    /// Pushes until every node's residual is under its threshold, starting from the nodes the
    /// last changes touched. If the work reaches what a fresh start costs (a change by someone
    /// near the seeds moves trust everywhere), it starts afresh instead, as
    /// [`LiveTrust::new`] with the same seeds. Either way the bound holds afterwards, a
    /// change never costs more than about two full recomputes, and a typical one costs a few
    /// thousand edge reads.
    pub fn settle(&mut self, graph: &TrustGraph, params: &RankParams) -> SettleWork {
        let work = self.push_within_budget(graph, params);
        if !work.restarted {
            return work;
        }
        *self = LiveTrust::new(graph, &self.seed_ids, params);
        work
    }

    /// The pushes of `settle`, stopping at the budget with `restarted` set.
    fn push_within_budget(&mut self, graph: &TrustGraph, params: &RankParams) -> SettleWork {
        self.grow_to(graph.node_bound());
        let before = (self.pushes, self.edge_reads);
        let theta = self.theta(graph, params);
        let budget = self.budget(graph);
        let mut restarted = false;
        while let Some(node) = self.queue.pop_front() {
            if self.edge_reads - before.1 > budget {
                restarted = true;
                break;
            }
            self.queued[node.index()] = false;
            let value = self.residual[node.index()];
            if value.abs() < theta * threshold_degree(graph, node, params) {
                continue;
            }
            self.residual[node.index()] = 0.0;
            self.residual_l1 -= value.abs();
            self.trust.values[node.index()] += value;
            let column = column(graph, node, params);
            self.pushes += 1;
            self.edge_reads += column.0.len() as u64;
            self.spread_with(
                &column,
                (1.0 - params.alpha) * value,
                Some((graph, params, theta)),
            );
        }
        SettleWork {
            pushes: self.pushes - before.0,
            edge_reads: self.edge_reads - before.1,
            restarted,
        }
    }

    /// The edge reads of a fresh start: its power iteration's rounds over every node and edge.
    fn budget(&self, graph: &TrustGraph) -> u64 {
        let size = (graph.trust_edge_count() + graph.node_bound()) as u64;
        u64::from(self.trust.iterations.max(1)) * size
    }

    /// Queues every node over its threshold and settles: for the start, and for when the
    /// graph grew enough that old residuals may sit over the smaller threshold.
    pub fn settle_everywhere(&mut self, graph: &TrustGraph, params: &RankParams) -> SettleWork {
        self.grow_to(graph.node_bound());
        let theta = self.theta(graph, params);
        for index in 0..self.residual.len() {
            let node = NodeIndex::new(index);
            if !self.queued[index]
                && self.residual[index].abs() >= theta * threshold_degree(graph, node, params)
            {
                self.queued[index] = true;
                self.queue.push_back(node);
            }
        }
        // Recount the sum the pushes keep, so rounding cannot pile up over many changes.
        self.residual_l1 = self.residual.iter().map(|r| r.abs()).sum();
        self.settle(graph, params)
    }

    /// `alpha * tolerance / (E + N)`: see the module documentation.
    fn theta(&self, graph: &TrustGraph, params: &RankParams) -> f64 {
        let size = (graph.trust_edge_count() + graph.node_bound()).max(1) as f64;
        params.alpha * params.prior_live_tolerance / size
    }

    fn grow_to(&mut self, n: usize) {
        if self.residual.len() < n {
            self.residual.resize(n, 0.0);
            self.queued.resize(n, false);
            self.trust.values.resize(n, 0.0);
        }
    }

    /// Adds `mass` along `column`, keeping the L1 sum and queueing every node it touches.
    fn spread(&mut self, column: &Column, mass: f64) {
        self.spread_with(column, mass, None);
    }

    /// Like `spread`; with a graph and a threshold, it queues only the nodes over it.
    fn spread_with(
        &mut self,
        column: &Column,
        mass: f64,
        check: Option<(&TrustGraph, &RankParams, f64)>,
    ) {
        let add = |live: &mut LiveTrust, target: NodeIndex, amount: f64| {
            let slot = &mut live.residual[target.index()];
            let before = slot.abs();
            *slot += amount;
            live.residual_l1 += slot.abs() - before;
            let over = match check {
                Some((graph, params, theta)) => {
                    slot.abs() >= theta * threshold_degree(graph, target, params)
                }
                None => true,
            };
            if over && !live.queued[target.index()] {
                live.queued[target.index()] = true;
                live.queue.push_back(target);
            }
        };
        if column.0.is_empty() {
            let share = mass / self.seeds.len() as f64;
            for index in 0..self.seeds.len() {
                let seed = self.seeds[index];
                add(self, seed, share);
            }
        } else {
            for &(target, probability) in &column.0 {
                add(self, target, mass * probability);
            }
        }
    }
}

fn sorted_ids(ids: &[PersonId]) -> Vec<PersonId> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// `max(d(v), 1)`, where `d` counts public trust edges out of `v`.
fn threshold_degree(graph: &TrustGraph, node: NodeIndex, params: &RankParams) -> f64 {
    f64::from(out_weight(graph, node, Access::PUBLIC, params).1.max(1))
}

/// Column `node` of `Q`: its public trust edges by level weight, or empty when it has none.
fn column(graph: &TrustGraph, node: NodeIndex, params: &RankParams) -> Column {
    if node.index() >= graph.node_bound() {
        return Column::default();
    }
    let (total, _) = out_weight(graph, node, Access::PUBLIC, params);
    if total == 0.0 {
        return Column::default();
    }
    let mut targets: Vec<(NodeIndex, f64)> = walk_edges(graph, node, Access::PUBLIC, params)
        .map(|(target, weight, _)| (target, weight / total))
        .collect();
    // Edge order changes when an edge is replaced; sorted, equal columns compare equal.
    targets.sort_unstable_by_key(|&(target, _)| target);
    Column(targets)
}
