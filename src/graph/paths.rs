//! Explanations: the strongest short trust path from the seeker to each voucher, as in
//! "you -> Matt -> Mario's recommender".
//!
//! A path's strength is the product of the walk's transition probabilities along it, i.e. the
//! chance that a walk which never stops follows exactly this path. Paths have at most 3 hops:
//! longer chains explain nothing a person would act on.
//!
//! The search is layered and done once per query: layer 1 holds the seeker's visible
//! out-neighbours, layer 2 the best 2-hop reach of each person. The best path to a voucher is
//! then the best of its layer-1 entry, its layer-2 entry, and, over its incoming visible trust
//! edges y -> voucher, layer-2 entry of y times the edge's probability. One search serves the
//! paths of every provider in the results.

use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::domain::{PersonId, Stance, TrustLevel};

use super::evidence::ReachedVoucher;
use super::params::RankParams;
use super::trust_graph::TrustGraph;
use super::visibility::Viewer;
use super::walk::{out_weight, walk_edges};
use super::weights::EdgeKind;

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

/// The best way found to reach a person: its strength, the person before, and the edge level.
#[derive(Clone, Copy, Debug)]
struct Step {
    strength: f64,
    via: NodeIndex,
    level: TrustLevel,
}

/// Best paths of at most [`MAX_PATH_HOPS`] hops from one seeker, over visible trust edges.
pub(crate) struct PathFinder<'a> {
    graph: &'a TrustGraph,
    viewer: &'a Viewer,
    params: &'a RankParams,
    seeker: NodeIndex,
    layer1: FxHashMap<NodeIndex, Step>,
    layer2: FxHashMap<NodeIndex, Step>,
    out_weights: FxHashMap<NodeIndex, f64>,
}

impl<'a> PathFinder<'a> {
    /// Builds layers 1 and 2 for the viewer's seeker; `None` for an anonymous viewer.
    ///
    /// # Complexity
    /// O(out-degree of the seeker + sum of the out-degrees of the people they trust).
    pub(crate) fn new(
        graph: &'a TrustGraph,
        viewer: &'a Viewer,
        params: &'a RankParams,
    ) -> Option<PathFinder<'a>> {
        let seeker = viewer.seeker()?;
        let mut finder = PathFinder {
            graph,
            viewer,
            params,
            seeker,
            layer1: FxHashMap::default(),
            layer2: FxHashMap::default(),
            out_weights: FxHashMap::default(),
        };
        for (person, probability, level) in finder.steps_from(seeker) {
            finder.layer1.insert(
                person,
                Step {
                    strength: probability,
                    via: seeker,
                    level,
                },
            );
        }
        let layer1: Vec<(NodeIndex, Step)> = finder.layer1.iter().map(|(&n, &s)| (n, s)).collect();
        for (middle, first) in layer1 {
            for (person, probability, level) in finder.steps_from(middle) {
                if person == seeker {
                    continue;
                }
                let candidate = Step {
                    strength: first.strength * probability,
                    via: middle,
                    level,
                };
                let better = match finder.layer2.get(&person) {
                    Some(current) => finder.beats(candidate, *current),
                    None => true,
                };
                if better {
                    finder.layer2.insert(person, candidate);
                }
            }
        }
        Some(finder)
    }

    /// The strongest path of at most 3 hops to `target`, as (person, level) hops and strength;
    /// `None` if every path is longer. Ties go to the shorter path, then to the smaller id of
    /// the person before the last hop, so the answer does not depend on storage order.
    ///
    /// # Complexity
    /// O(in-degree of `target`), plus the out-degree of each layer-2 person it meets the first
    /// time (their total weight is remembered for later targets).
    pub(crate) fn best_path(
        &mut self,
        target: NodeIndex,
    ) -> Option<(Vec<(NodeIndex, TrustLevel)>, f64)> {
        if target == self.seeker {
            return Some((Vec::new(), 1.0));
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
        if let Some(&step) = self.layer1.get(&target) {
            consider(self, step.strength, 1, step);
        }
        if let Some(&step) = self.layer2.get(&target) {
            consider(self, step.strength, 2, step);
        }
        let incoming: Vec<_> = self
            .graph
            .in_edges(target)
            .filter(|edge| edge.weight().kind() == EdgeKind::Trust)
            .filter(|edge| self.layer2.contains_key(&edge.source()))
            .filter(|edge| {
                self.viewer
                    .can_see(edge.source(), edge.weight().visibility())
            })
            .map(|edge| (edge.source(), edge.weight().level()))
            .collect();
        for (middle, level) in incoming {
            let second = self.layer2[&middle];
            let probability = self.params.level_weight(level) / self.out_weight_of(middle);
            let step = Step {
                strength: second.strength * probability,
                via: middle,
                level,
            };
            consider(self, step.strength, 3, step);
        }
        let (strength, hops, last) = best?;
        let path = match hops {
            1 => vec![(target, last.level)],
            2 => {
                let first = self.layer1[&last.via];
                vec![(last.via, first.level), (target, last.level)]
            }
            _ => {
                let second = self.layer2[&last.via];
                let first = self.layer1[&second.via];
                vec![
                    (second.via, first.level),
                    (last.via, second.level),
                    (target, last.level),
                ]
            }
        };
        Some((path, strength))
    }

    /// Best paths to reached vouchers, strongest first, and how many of them are further than
    /// [`MAX_PATH_HOPS`].
    pub(crate) fn paths_to(&mut self, vouchers: &[ReachedVoucher]) -> (Vec<TrustPath>, u32) {
        let mut paths = Vec::with_capacity(vouchers.len());
        let mut beyond = 0;
        for voucher in vouchers {
            let Some((hops, strength)) = self.best_path(voucher.person) else {
                beyond += 1;
                continue;
            };
            let graph = self.graph;
            paths.push(TrustPath {
                hops: hops
                    .into_iter()
                    .map(|(person, level)| PathHop {
                        person: graph.person_id(person),
                        name: graph.name(person).to_owned(),
                        level,
                    })
                    .collect(),
                voucher: graph.person_id(voucher.person),
                stance: voucher.stance,
                strength,
            });
        }
        paths.sort_by(|a, b| {
            b.strength
                .total_cmp(&a.strength)
                .then(a.hops.len().cmp(&b.hops.len()))
                .then(a.voucher.cmp(&b.voucher))
                .then((a.stance == Stance::Warn).cmp(&(b.stance == Stance::Warn)))
        });
        (paths, beyond)
    }

    /// The visible walk steps out of `node`, with their transition probabilities.
    fn steps_from(&mut self, node: NodeIndex) -> Vec<(NodeIndex, f64, TrustLevel)> {
        let total = self.out_weight_of(node);
        let access = self.viewer.access_to(node);
        walk_edges(self.graph, node, access, self.params)
            .map(|(target, weight, level)| (target, weight / total, level))
            .collect()
    }

    fn out_weight_of(&mut self, node: NodeIndex) -> f64 {
        let (graph, viewer, params) = (self.graph, self.viewer, self.params);
        *self
            .out_weights
            .entry(node)
            .or_insert_with(|| out_weight(graph, node, viewer.access_to(node), params).0)
    }

    fn beats(&self, candidate: Step, current: Step) -> bool {
        candidate.strength > current.strength
            || (candidate.strength == current.strength
                && self.id_of(candidate.via) < self.id_of(current.via))
    }

    fn id_of(&self, node: NodeIndex) -> PersonId {
        self.graph.person_id(node)
    }
}
