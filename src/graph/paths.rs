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

/// A best path found, before its people's names are looked up.
struct UnnamedPath {
    hops: Arc<[(NodeIndex, TrustLevel)]>,
    strength: f64,
    voucher: PersonId,
    stance: Stance,
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
    /// many vouchers are further than [`MAX_PATH_HOPS`]. Searches every voucher, for the count.
    pub(crate) fn paths_to(
        &mut self,
        vouchers: &[ReachedVoucher],
        keep: usize,
    ) -> (Vec<TrustPath>, u32) {
        let mut found = Vec::with_capacity(vouchers.len());
        let mut beyond = 0;
        for voucher in vouchers {
            match self.best_path(voucher.person) {
                Some((hops, strength)) => found.push(self.unnamed(voucher, hops, strength)),
                None => beyond += 1,
            }
        }
        (self.strongest_named(found, keep), beyond)
    }

    /// The same paths as [`PathFinder::paths_to`] keeps, without the count, searching only the
    /// vouchers that can still make them.
    ///
    /// Each voucher's best path is at most [`PathLayers::strength_bound`], read without a
    /// search. Vouchers are searched in order of that bound, and the search stops once `keep`
    /// paths are found that are strictly stronger than the next bound: no voucher left can
    /// reach them, nor tie with them (a tie would be decided by length and id). A provider
    /// with three vouchers close to the seeker then costs three searches, not one per voucher.
    pub(crate) fn strongest_paths(
        &mut self,
        vouchers: &[ReachedVoucher],
        keep: usize,
    ) -> Vec<TrustPath> {
        let mut order: Vec<(f64, &ReachedVoucher)> = vouchers
            .iter()
            .map(|voucher| (self.layers.strength_bound(voucher.person), voucher))
            .collect();
        order.sort_unstable_by(|a, b| b.0.total_cmp(&a.0));
        let mut found = Vec::with_capacity(keep.min(vouchers.len()));
        // The `keep` strongest strengths found so far, weakest first once there are `keep`.
        let mut strongest: Vec<f64> = Vec::with_capacity(keep.saturating_add(1).min(64));
        for (bound, voucher) in order {
            if keep == 0 || (strongest.len() == keep && strongest[0] > bound) {
                break;
            }
            if let Some((hops, strength)) = self.best_path(voucher.person) {
                found.push(self.unnamed(voucher, hops, strength));
                let at = strongest.partition_point(|&s| s < strength);
                strongest.insert(at, strength);
                if strongest.len() > keep {
                    strongest.remove(0);
                }
            }
        }
        self.strongest_named(found, keep)
    }

    fn unnamed(
        &self,
        voucher: &ReachedVoucher,
        hops: Arc<[(NodeIndex, TrustLevel)]>,
        strength: f64,
    ) -> UnnamedPath {
        UnnamedPath {
            hops,
            strength,
            voucher: self.id_of(voucher.person),
            stance: voucher.stance,
        }
    }

    /// The `keep` strongest of `found`, strongest first (ties to the shorter path, then the
    /// smaller voucher id, then a recommendation before a warning), with names.
    fn strongest_named(&self, mut found: Vec<UnnamedPath>, keep: usize) -> Vec<TrustPath> {
        let graph = self.graph;
        // Ordered before the names are looked up, so that only the paths kept cost strings.
        found.sort_by(|a, b| {
            b.strength
                .total_cmp(&a.strength)
                .then(a.hops.len().cmp(&b.hops.len()))
                .then(a.voucher.cmp(&b.voucher))
                .then((a.stance == Stance::Warn).cmp(&(b.stance == Stance::Warn)))
        });
        found.truncate(keep);
        found
            .into_iter()
            .map(|path| TrustPath {
                hops: path
                    .hops
                    .iter()
                    .map(|&(person, level)| PathHop {
                        person: graph.person_id(person),
                        name: graph.name(person).to_owned(),
                        level,
                    })
                    .collect(),
                voucher: path.voucher,
                stance: path.stance,
                strength: path.strength,
            })
            .collect()
    }

    fn id_of(&self, node: NodeIndex) -> PersonId {
        self.graph.person_id(node)
    }
}

/// Layers 1 and 2 for `seeker`: their visible out-neighbours, and everyone's best 2-hop reach
/// (ties to the smaller id of the person before, so storage order does not matter), with the
/// bound on any 3-hop path.
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
    // Sized once for every edge out of layer 1, the most layer 2 can hold, so that it is not
    // rehashed as it grows (a heavy seeker's layer 2 holds thousands).
    let reach: u32 = layer1
        .keys()
        .map(|&middle| out_weight(graph, middle, viewer.access_to(middle), params).1)
        .sum();
    let mut layer2: FxHashMap<NodeIndex, Step> =
        FxHashMap::with_capacity_and_hasher(reach as usize, Default::default());
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
    // A third hop out of y takes at most the heaviest level's share of y's visible out-weight
    // (and never more than all of it), the same division `search_path` makes.
    let heaviest = TrustLevel::ALL
        .into_iter()
        .map(|level| params.level_weight(level))
        .fold(0.0, f64::max);
    let third_hop_bound = layer2
        .iter()
        .map(|(&person, second)| {
            let total = visible_out_weight(graph, viewer, params, person);
            if total > 0.0 {
                second.strength * (heaviest / total).min(1.0)
            } else {
                0.0
            }
        })
        .fold(0.0, f64::max);
    PathLayers::new(seeker, layer1, layer2, third_hop_bound)
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
