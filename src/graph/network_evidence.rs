//! The first half of a search: the seeker's walk and what it finds out about providers. Kept in
//! one function that [`rank_providers_for`] and offline evaluation (`crate::evaluate`) both
//! call, so that what is measured offline is exactly what a search computes.
//!
//! [`rank_providers_for`]: super::rank::rank_providers_for

use std::sync::Arc;

use petgraph::graph::NodeIndex;

use crate::domain::{PersonId, ProviderId, TradeId};

use super::evidence::{collect_evidence, evidence_for, reached_evidence};
use super::found::{Evidence, ReachedEvidence, TradeFilter};
use super::params::RankParams;
use super::push::remembered_walk;
use super::trust_graph::TrustGraph;
use super::visibility::{Audience, Viewer};

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

/// What the people in the seeker's walk (`mass`, as [`seeker_walk`] gave it) vouched for in
/// `trade`, remembered with the walk until a vouch by one of them changes.
///
/// # Complexity
/// O(1) when remembered; otherwise one scan of the reached people's vouches.
pub(crate) fn remembered_evidence(
    graph: &TrustGraph,
    viewer: &Viewer,
    mass: &[(NodeIndex, f64)],
    trade: TradeFilter,
    params: &RankParams,
) -> Arc<ReachedEvidence> {
    let owner = viewer.walk_owner();
    let (log, vouches) = (&graph.changes, &graph.vouch_changes);
    if let Some(found) = graph.walks.evidence(owner, params, log, vouches, trade) {
        return found;
    }
    let found = Arc::new(reached_evidence(graph, viewer, mass, trade));
    graph.walks.remember_evidence(
        owner,
        params,
        log,
        vouches.version(),
        trade,
        Arc::clone(&found),
    );
    found
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
    let (viewer, mass) = seeker_walk(graph, Some(seeker), Audience::Seeker, params);
    collect_evidence(graph, &viewer, &mass, TradeFilter::One(slot))
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
