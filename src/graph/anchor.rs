//! Anchored trust: how much credit each person gets as a rater for one seeker, from a longer
//! walk that starts at the seeker (and, where an operator has named seed people, partly at the
//! seeds), capped per person.
//!
//! The personal walk (`push.rs`, restart 0.5) stays within about three hops: it says what the
//! seeker's own circle thinks. Beyond it, the anonymous crowd knows more but can be faked by
//! the thousand. Anchored trust is the middle ground: a walk with restart `anchor_alpha`
//! (0.15, PageRank's) reaches the honest region around the seeker, and each person's credit is
//! `min(mass, anchor_cap / people)`, so every honest person the walk reaches reasonably well
//! counts the same, as in the anonymous mean, however near or far.
//!
//! **The bound.** The walk starts at the seeker, never at a sybil, so the mass it can place
//! on a sybil region is what flows in along the attack edges, each worth the mass at its honest
//! end times its share of that person's trust, times at most `1 / anchor_alpha` for the walk
//! circling inside the region. Capping can only lower any sybil's credit. So the total credit
//! of all sybils is at most `sum over attack edges (u -> x) of p(u) * share(u -> x) / alpha`,
//! however many sybils there are and however they trust each other. Without seeds nothing
//! restarts anywhere but the seeker, so there is no uniform restart for a crowd of fake
//! accounts to collect shares of.

use petgraph::graph::NodeIndex;

use crate::domain::PersonId;

use super::params::RankParams;
use super::prior::global_trust;
use super::push::personalized_pagerank;
use super::trust_graph::TrustGraph;
use super::visibility::Viewer;

/// Operator seeds' global trust, computed once with the anchored walk's restart, to mix into
/// every seeker's anchored trust.
#[derive(Clone, Debug, Default)]
pub struct SeedTrust {
    values: Vec<f64>,
    /// The seeds the graph knows, in the order given.
    seeds: Vec<PersonId>,
}

impl SeedTrust {
    /// Global trust from `seeds` (unknown ones ignored), with the anchored walk's restart; no
    /// trust at all when no seed is known (never a uniform restart).
    ///
    /// # Complexity
    /// O(iterations * (N + E)), at most `prior_max_iterations`.
    pub fn compute(graph: &TrustGraph, seeds: &[PersonId], params: &RankParams) -> SeedTrust {
        let known: Vec<PersonId> = seeds
            .iter()
            .copied()
            .filter(|&seed| graph.person_node(seed).is_some())
            .collect();
        if known.is_empty() {
            return SeedTrust::default();
        }
        let anchored = RankParams {
            alpha: params.anchor_alpha,
            ..*params
        };
        SeedTrust {
            values: global_trust(graph, &known, &anchored).values,
            seeds: known,
        }
    }

    /// Whether any seed is known.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The seeds the graph knows.
    pub fn seeds(&self) -> &[PersonId] {
        &self.seeds
    }

    /// Each person's credit as a rater from the seeds' walk alone, capped and convex as in
    /// [`anchored_trust`]: the crowd of a seeker who trusts no one yet, whose seeds stand in
    /// for the circle they do not have (see `CreditTree::build_from_seeds`). Empty without
    /// seeds.
    ///
    /// # Complexity
    /// O(N).
    pub fn credit(&self, graph: &TrustGraph, params: &RankParams) -> Vec<(PersonId, f64)> {
        self.values
            .iter()
            .enumerate()
            .filter(|&(index, &value)| value > 0.0 && graph.is_person(NodeIndex::new(index)))
            .map(|(index, &value)| {
                let node = NodeIndex::new(index);
                (graph.person_id(node), capped(value, params))
            })
            .collect()
    }
}

/// A walk's mass as rater credit: `anchor_cap * (min(mass, cap) / cap)^anchor_gamma`.
fn capped(value: f64, params: &RankParams) -> f64 {
    let cap = params.anchor_cap;
    cap * (value.min(cap) / cap).powf(params.anchor_gamma)
}

/// Each reached person's credit as a rater for `seeker`: `min(q, cap)`, where `q` is the
/// anchored walk's mass (restart `anchor_alpha` at the seeker; half of it at the seeds'
/// global trust when there are seeds), and `cap = anchor_cap / people`. Uses the edges the
/// seeker may see, as the personal walk does. Empty for a seeker the graph does not know.
///
/// # Complexity
/// One forward push with restart `anchor_alpha` and threshold `anchor_epsilon`:
/// O(1 / (anchor_alpha * anchor_epsilon)) edge visits; plus O(N) with seeds.
pub fn anchored_trust(
    graph: &TrustGraph,
    seeker: PersonId,
    seeds: &SeedTrust,
    params: &RankParams,
) -> Vec<(PersonId, f64)> {
    let viewer = Viewer::new(graph, Some(seeker));
    if viewer.seeker().is_none() {
        return Vec::new();
    }
    let walk = RankParams {
        alpha: params.anchor_alpha,
        epsilon: params.anchor_epsilon,
        ..*params
    };
    let mut mass = personalized_pagerank(graph, &viewer, &walk);
    if !seeds.is_empty() {
        // Half the restarts land on the seeker, half on the seeds: by linearity that is the
        // average of the two walks, and seeds can only add honest mass.
        let mut dense = vec![0.0; graph.node_bound()];
        for &(node, value) in &mass {
            dense[node.index()] = 0.5 * value;
        }
        for (index, &value) in seeds.values.iter().enumerate() {
            dense[index] += 0.5 * value;
        }
        mass = dense
            .into_iter()
            .enumerate()
            .filter(|&(_, value)| value > 0.0)
            .map(|(index, value)| (NodeIndex::new(index), value))
            .collect();
    }
    mass.into_iter()
        .filter(|&(node, _)| graph.is_person(node))
        .map(|(node, value)| (graph.person_id(node), capped(value, params)))
        .collect()
}
