//! Explanations: the strongest short trust path from the seeker to each voucher, as in
//! "you -> Matt -> Mario's recommender".
//!
//! A path's strength is the product of the walk's transition probabilities along it, i.e. the
//! chance that a walk which never stops follows exactly this path. Paths have at most 3 hops:
//! longer chains explain nothing a person would act on.
//!
//! The search is layered, and its layers are built once per seeker and remembered with their
//! walk (`walk_cache.rs`): layer 1 holds the seeker's visible
//! out-neighbours, layer 2 the best 2-hop reach of each person. The best path to a voucher is
//! then the best of its layer-1 entry, its layer-2 entry, and, over its incoming visible trust
//! edges y -> voucher, layer-2 entry of y times the edge's probability. One search serves the
//! paths of every provider in the results.

use std::sync::Arc;

use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::domain::{PersonId, Stance, TrustLevel};

use super::found::ReachedVoucher;
use super::params::RankParams;
use super::path_layers::{FoundPath, PathLayers, Step};
use super::trust_graph::TrustGraph;
use super::visibility::Viewer;
use super::walk::{out_weight, walk_edges};

/// Paths longer than this are not shown; the people at the end are counted instead.
pub const MAX_PATH_HOPS: usize = 3;

/// One step of a path: the person reached and how much the previous person trusts them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PathHop {
    /// The person reached.
    pub person: PersonId,
    /// Their name.
    pub name: String,
    /// The level of the trust edge into them.
    pub level: TrustLevel,
}

/// A chain of trust from the seeker to someone who vouched for a provider.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TrustPath {
    /// The people after the seeker, in order; the last is the voucher. Empty when the seeker
    /// vouched themself.
    pub hops: Vec<PathHop>,
    /// Who vouched.
    pub voucher: PersonId,
    /// Whether they recommend or warn.
    pub stance: Stance,
    /// The product of the walk's transition probabilities along the path (1 for no hops).
    pub strength: f64,
}

impl TrustPath {
    /// The path in words, as every page and widget shows it: "you → Matt Hughes → recommends
    /// Rossi Tiling", or "you recommend Rossi Tiling" for the seeker's own vouch.
    pub fn in_words(&self, provider: &str) -> String {
        let mut text = String::from("you");
        for hop in &self.hops {
            text.push_str(" → ");
            text.push_str(&hop.name);
        }
        let verb = match (self.stance, self.hops.is_empty()) {
            (Stance::Recommend, true) => " recommend ",
            (Stance::Warn, true) => " warn against ",
            (Stance::Recommend, false) => " → recommends ",
            (Stance::Warn, false) => " → warns against ",
        };
        format!("{text}{verb}{provider}")
    }
}

/// Best paths of at most [`MAX_PATH_HOPS`] hops from one seeker, over visible trust edges.
pub(crate) struct PathFinder<'a> {
    graph: &'a TrustGraph,
    viewer: &'a Viewer,
    params: &'a RankParams,
    seeker: NodeIndex,
    /// Layers 1 and 2, and the best paths found from them (by this search or, when the
    /// layers are remembered with the walk, an earlier one).
    layers: Arc<PathLayers>,
}

impl<'a> PathFinder<'a> {
    /// The path finder for the viewer's seeker, with layers 1 and 2 remembered with their walk
    /// (`walk_cache.rs`) or built; `None` for an anonymous viewer.
    ///
    /// # Complexity
    /// O(1) when the layers are remembered; otherwise O(out-degree of the seeker + sum of the
    /// out-degrees of the people they trust).
    pub(crate) fn new(
        graph: &'a TrustGraph,
        viewer: &'a Viewer,
        params: &'a RankParams,
    ) -> Option<PathFinder<'a>> {
        let seeker = viewer.seeker()?;
        let owner = viewer.walk_owner();
        let layers = match graph.walks.layers(owner, params, &graph.changes) {
            Some(layers) => layers,
            None => {
                let layers = Arc::new(build_layers(graph, viewer, params, seeker));
                graph
                    .walks
                    .remember_layers(owner, params, &graph.changes, Arc::clone(&layers));
                layers
            }
        };
        Some(PathFinder {
            graph,
            viewer,
            params,
            seeker,
            layers,
        })
    }

    /// The strongest path of at most 3 hops to `target`, as (person, level) hops and strength;
    /// `None` if every path is longer. Ties go to the shorter path, then to the smaller id of
    /// the person before the last hop, so the answer does not depend on storage order.
    ///
    /// # Complexity
    /// O(1) for a target whose path the layers remember; otherwise O(in-degree of `target`).
    pub(crate) fn best_path(&mut self, target: NodeIndex) -> FoundPath {
        if let Some(found) = self.layers.found(target) {
            return found;
        }
        let found = self.search_path(target);
        self.layers.remember(target, found.clone());
        found
    }

    fn search_path(&mut self, target: NodeIndex) -> FoundPath {
        if target == self.seeker {
            return Some((Arc::from([]), 1.0));
        }
        // (strength, hops, step into target)
        let mut best: Option<(f64, usize, Step)> = None;
        let mut consider = |finder: &Self, strength: f64, hops: usize, step: Step| {
            let wins = match best {
                None => true,
                Some((s, h, current)) => {
                    strength > s
                        || (strength == s && hops < h)
                        || (strength == s
                            && hops == h
                            && finder.id_of(step.via) < finder.id_of(current.via))
                }
            };
            if wins {
                best = Some((strength, hops, step));
            }
        };
        if let Some(&step) = self.layers.layer1.get(&target) {
            consider(self, step.strength, 1, step);
        }
        if let Some(&step) = self.layers.layer2.get(&target) {
            consider(self, step.strength, 2, step);
        }
        let incoming = self.graph.trust_in_edges(target).filter_map(|edge| {
            let second = self.layers.layer2.get(&edge.source())?;
            self.viewer
                .can_see(edge.source(), edge.weight().visibility())
                .then(|| (edge.source(), edge.weight().level(), *second))
        });
        for (middle, level, second) in incoming {
            let probability = self.params.level_weight(level)
                / visible_out_weight(self.graph, self.viewer, self.params, middle);
            let step = Step {
                strength: second.strength * probability,
                via: middle,
                level,
            };
            consider(self, step.strength, 3, step);
        }
        let (strength, hops, last) = best?;
        let path: Arc<[(NodeIndex, TrustLevel)]> = match hops {
            1 => Arc::from([(target, last.level)]),
            2 => {
                let first = self.layers.layer1[&last.via];
                Arc::from([(last.via, first.level), (target, last.level)])
            }
            _ => {
                let second = self.layers.layer2[&last.via];
                let first = self.layers.layer1[&second.via];
                Arc::from([
                    (second.via, first.level),
                    (last.via, second.level),
                    (target, last.level),
                ])
            }
        };
        Some((path, strength))
    }

    /// The `keep` strongest of the best paths to reached vouchers, strongest first, and how
    /// many vouchers are further than [`MAX_PATH_HOPS`].
    pub(crate) fn paths_to(
        &mut self,
        vouchers: &[ReachedVoucher],
        keep: usize,
    ) -> (Vec<TrustPath>, u32) {
        let graph = self.graph;
        let mut found = Vec::with_capacity(vouchers.len());
        let mut beyond = 0;
        for voucher in vouchers {
            match self.best_path(voucher.person) {
                Some((hops, strength)) => found.push((
                    hops,
                    strength,
                    graph.person_id(voucher.person),
                    voucher.stance,
                )),
                None => beyond += 1,
            }
        }
        // Ordered before the names are looked up, so that only the paths kept cost strings.
        found.sort_by(|a, b| {
            b.1.total_cmp(&a.1)
                .then(a.0.len().cmp(&b.0.len()))
                .then(a.2.cmp(&b.2))
                .then((a.3 == Stance::Warn).cmp(&(b.3 == Stance::Warn)))
        });
        found.truncate(keep);
        let paths = found
            .into_iter()
            .map(|(hops, strength, voucher, stance)| TrustPath {
                hops: hops
                    .iter()
                    .map(|&(person, level)| PathHop {
                        person: graph.person_id(person),
                        name: graph.name(person).to_owned(),
                        level,
                    })
                    .collect(),
                voucher,
                stance,
                strength,
            })
            .collect();
        (paths, beyond)
    }

    fn id_of(&self, node: NodeIndex) -> PersonId {
        self.graph.person_id(node)
    }
}

/// Layers 1 and 2 for `seeker`: their visible out-neighbours, and everyone's best 2-hop reach
/// (ties to the smaller id of the person before, so storage order does not matter).
fn build_layers(
    graph: &TrustGraph,
    viewer: &Viewer,
    params: &RankParams,
    seeker: NodeIndex,
) -> PathLayers {
    let mut layer1 = FxHashMap::default();
    for (person, probability, level) in steps_from(graph, viewer, params, seeker) {
        layer1.insert(
            person,
            Step {
                strength: probability,
                via: seeker,
                level,
            },
        );
    }
    let mut layer2: FxHashMap<NodeIndex, Step> = FxHashMap::default();
    for (&middle, first) in &layer1 {
        for (person, probability, level) in steps_from(graph, viewer, params, middle) {
            if person == seeker {
                continue;
            }
            let candidate = Step {
                strength: first.strength * probability,
                via: middle,
                level,
            };
            let better = layer2.get(&person).is_none_or(|current| {
                candidate.strength > current.strength
                    || (candidate.strength == current.strength
                        && graph.person_id(candidate.via) < graph.person_id(current.via))
            });
            if better {
                layer2.insert(person, candidate);
            }
        }
    }
    PathLayers::new(seeker, layer1, layer2)
}

/// The visible walk steps out of `node`, with their transition probabilities.
fn steps_from(
    graph: &TrustGraph,
    viewer: &Viewer,
    params: &RankParams,
    node: NodeIndex,
) -> Vec<(NodeIndex, f64, TrustLevel)> {
    let total = visible_out_weight(graph, viewer, params, node);
    walk_edges(graph, node, viewer.access_to(node), params)
        .map(|(target, weight, level)| (target, weight / total, level))
        .collect()
}

/// The total weight of `node`'s trust edges the viewer may see. O(1) (`walk::out_weight`).
fn visible_out_weight(
    graph: &TrustGraph,
    viewer: &Viewer,
    params: &RankParams,
    node: NodeIndex,
) -> f64 {
    out_weight(graph, node, viewer.access_to(node), params).0
}
