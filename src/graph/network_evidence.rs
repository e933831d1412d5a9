//! The first half of a search: the seeker's walk and what it finds out about providers. Kept in
//! one function that [`rank_providers_for`] and offline evaluation (`crate::evaluate`) both
//! call, so that what is measured offline is exactly what a search computes.
//!
//! [`rank_providers_for`]: super::rank::rank_providers_for

use std::sync::Arc;

use petgraph::graph::NodeIndex;
use rustc_hash::FxHashMap;

use crate::domain::{PersonId, ProviderId, TradeId};

use super::evidence::{collect_evidence, evidence_for, Evidence, TradeFilter};
use super::params::RankParams;
use super::push::remembered_walk;
use super::trust_graph::TrustGraph;
use super::visibility::{Audience, Viewer};

/// The seeker's view, walk and evidence, as a search uses them.
pub(crate) struct SeekerWalk {
    pub(crate) viewer: Viewer,
    pub(crate) mass: Arc<[(NodeIndex, f64)]>,
    pub(crate) evidence: FxHashMap<NodeIndex, Evidence>,
}

/// The seeker's view (as `audience` may see it) and their walk, remembered between queries:
/// the one way a search, an explanation and offline evaluation set them up.
pub(crate) fn seeker_walk(
    graph: &TrustGraph,
    seeker: Option<PersonId>,
    audience: Audience,
    params: &RankParams,
) -> (Viewer, Arc<[(NodeIndex, f64)]>) {
    let viewer = Viewer::for_audience(graph, seeker, audience);
    let mass = remembered_walk(graph, &viewer, params);
    (viewer, mass)
}

/// Runs the seeker's personalized walk and collects the evidence it finds for `trade`.
///
/// # Complexity
/// One forward push, then one scan of the reached people's edges (see `push.rs` and
/// `evidence.rs`).
pub(crate) fn walk_and_collect(
    graph: &TrustGraph,
    seeker: Option<PersonId>,
    audience: Audience,
    trade: TradeFilter,
    params: &RankParams,
) -> SeekerWalk {
    let (viewer, mass) = seeker_walk(graph, seeker, audience, params);
    let evidence = collect_evidence(graph, &viewer, &mass, trade);
    SeekerWalk {
        viewer,
        mass,
        evidence,
    }
}

/// The evidence the seeker's own network gives about every provider that someone it reached
/// vouched for in `trade`, in no particular order; providers it says nothing about are absent.
/// The same numbers [`rank_providers_for`] turns into `personal`.
///
/// # Complexity
/// As [`rank_providers_for`] before it sorts: one forward push and one scan of the reached
/// people's edges.
///
/// [`rank_providers_for`]: super::rank::rank_providers_for
pub fn network_evidence(
    graph: &TrustGraph,
    seeker: PersonId,
    trade: TradeId,
    params: &RankParams,
) -> Vec<(ProviderId, Evidence)> {
    let Some(slot) = graph.trade_slot(trade) else {
        return Vec::new();
    };
    let walk = walk_and_collect(
        graph,
        Some(seeker),
        Audience::Seeker,
        TradeFilter::One(slot),
        params,
    );
    walk.evidence
        .into_iter()
        .map(|(node, evidence)| (graph.provider_info(node).id, evidence))
        .collect()
}

/// [`network_evidence`] for the given providers only: the same walk, and the same numbers for
/// each of them, found by reading these providers' vouches rather than every vouch of everyone
/// the walk reached. For a question about a few providers, as in offline evaluation; unknown
/// providers and providers nobody reached vouched for are absent.
///
/// # Complexity
/// One forward push, then O(reached people + the providers' vouches).
pub fn network_evidence_for(
    graph: &TrustGraph,
    seeker: PersonId,
    trade: TradeId,
    providers: &[ProviderId],
    params: &RankParams,
) -> Vec<(ProviderId, Evidence)> {
    let Some(slot) = graph.trade_slot(trade) else {
        return Vec::new();
    };
    let nodes: Vec<NodeIndex> = providers
        .iter()
        .filter_map(|&provider| graph.provider_node(provider))
        .collect();
    let (viewer, mass) = seeker_walk(graph, Some(seeker), Audience::Seeker, params);
    evidence_for(graph, &viewer, &mass, &nodes, slot)
        .into_iter()
        .map(|(node, evidence)| (graph.provider_info(node).id, evidence))
        .collect()
}
