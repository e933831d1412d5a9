//! How far a provider's good name travels: how many people could get a referral through a
//! short chain of public trust ("42 people are within 2 hops of someone who recommends them").

use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use rustc_hash::FxHashSet;

use crate::domain::{ProviderId, Stance, Visibility};

use super::trust_graph::TrustGraph;
use super::weights::EdgeKind;

/// How many hops [`reach_by_hops`] looks.
pub const REACH_HOPS: usize = 3;

/// How many people are within 1, 2 and 3 public trust hops of someone who publicly recommends
/// `provider` (in any trade).
///
/// Entry `k - 1` counts the people whose shortest path of public trust edges to a recommending
/// voucher has between 1 and `k` hops, so the entries never decrease. The vouchers themselves
/// (0 hops) are not counted: they are already the public recommend count, and counting them
/// again would let a provider with many vouchers but no one trusting them look well connected.
/// A voucher who also trusts another voucher stays at 0 hops and is still not counted. All
/// zeros for an unknown provider.
///
/// # Complexity
/// A reverse breadth-first search over public trust edges, stopped at 3 hops: O(vouchers +
/// the in-degrees of the people found within 2 hops), with a hash set of the people found.
pub fn reach_by_hops(graph: &TrustGraph, provider: ProviderId) -> [u32; REACH_HOPS] {
    let mut within = [0u32; REACH_HOPS];
    let Some(provider) = graph.provider_node(provider) else {
        return within;
    };
    let mut seen: FxHashSet<NodeIndex> = FxHashSet::default();
    let mut frontier: Vec<NodeIndex> = Vec::new();
    for edge in graph.in_edges(provider) {
        let weight = edge.weight();
        if weight.kind() == EdgeKind::Vouch
            && weight.visibility() == Visibility::Public
            && weight.stance() == Stance::Recommend
            && seen.insert(edge.source())
        {
            frontier.push(edge.source());
        }
    }
    let mut total = 0;
    for count in within.iter_mut() {
        let mut next = Vec::new();
        for &person in &frontier {
            for edge in graph.in_edges(person) {
                let weight = edge.weight();
                // Only "x trusts person" edges the public may see: x's edge, x's choice.
                if weight.kind() == EdgeKind::Trust
                    && weight.visibility() == Visibility::Public
                    && seen.insert(edge.source())
                {
                    next.push(edge.source());
                }
            }
        }
        total += next.len() as u32;
        *count = total;
        frontier = next;
    }
    within
}
