//! The steps the ranking walk may take: visible trust edges, weighted by level.
//!
//! Vouches and distrust edges are never steps: a vouch ends in a provider, who vouches for no
//! one, and distrust is evidence against, not a path of trust.

use petgraph::graph::NodeIndex;

use crate::domain::{TrustLevel, Visibility};

use super::access::Access;
use super::params::RankParams;
use super::trust_graph::{tally_slot, TrustGraph};

/// The visible trust edges out of `node`: target, transition weight and level, in storage
/// order (which is stable under unrelated changes, so sums over it are too). Reads only the
/// node's trust edges, never its vouches (`Adjacency::trust_out`).
pub(crate) fn walk_edges<'g>(
    graph: &'g TrustGraph,
    node: NodeIndex,
    access: Access,
    params: &'g RankParams,
) -> impl Iterator<Item = (NodeIndex, f64, TrustLevel)> + 'g {
    graph
        .trust_out_edges(node)
        .filter(move |&(_, _, visibility)| access.allows(visibility))
        .map(|(target, level, _)| (target, params.level_weight(level), level))
}

/// The total transition weight and the number of visible trust edges out of `node`; a node
/// with none is "dangling".
///
/// # Complexity
/// O(1): from the graph's per-node counts of trust edges by visibility and level, kept as
/// edges change. The sum is of whole counts times level weights, so it does not depend on the
/// order edges were stored in.
pub(crate) fn out_weight(
    graph: &TrustGraph,
    node: NodeIndex,
    access: Access,
    params: &RankParams,
) -> (f64, u32) {
    let tally = graph.trust_tally(node);
    let mut weight = 0.0;
    let mut count = 0;
    for visibility in [Visibility::Public, Visibility::Network, Visibility::Private] {
        if !access.allows(visibility) {
            continue;
        }
        for level in TrustLevel::ALL {
            let edges = tally[tally_slot(visibility, level)];
            weight += f64::from(edges) * params.level_weight(level);
            count += edges;
        }
    }
    (weight, count)
}
