//! Personalized PageRank from one seeker by local forward push (Andersen, Chung and Lang,
//! "Local graph partitioning using PageRank vectors", FOCS 2006).
//!
//! The walk starts at the seeker; at each step it stops with probability `alpha`, crediting
//! the person it is at, or else follows one of that person's visible trust edges with
//! probability proportional to the edge's level weight. A person with no visible trust edges
//! out ("dangling") sends the walk back to the seeker, so no mass is lost.
//!
//! The push keeps a settled estimate `p` and a residual `r`, starting from `r = 1` at the
//! seeker. Pushing u settles `alpha * r(u)` into `p(u)` and spreads the rest over u's edges.
//! Throughout, the exact answer is `p + sum over u of r(u) * ppr(u)`, so stopping when every
//! `r(u) < epsilon * max(outdeg(u), 1)` bounds the error by the residual left, and the work
//! depends on epsilon, not on the size of the graph.
//!
//! The push hands out `p + alpha * r` rather than `p`. A walk still waiting at u stops there at
//! once with probability alpha, so `ppr(u)` gives u itself at least `alpha * r(u)`, and the
//! estimate stays at most the exact value while its error shrinks. That lifts the top-10
//! overlap with the exact ranking (docs/performance.md, "The overlap, met"): the residual sits
//! at the walk's frontier, where providers with many vouchers a little further out collect
//! their score. A person the push never pushed is counted only when at least
//! `frontier_floor * epsilon` waits there, since counting them means reading their vouches and
//! most of the frontier holds crumbs. In all, the estimates fall short of the exact values by
//! `sum of r - alpha * (sum of r over the counted)`, at most the residual left.

use std::sync::Arc;

use petgraph::graph::NodeIndex;

use super::params::RankParams;
use super::trust_graph::TrustGraph;
use super::visibility::Viewer;
use super::walk::{out_weight, walk_edges};
use super::workspace::{with_workspace, PushWorkspace, UNKNOWN_DEGREE};

/// The seeker's personalized PageRank, approximated by forward push: every person with a
/// positive estimate `p + alpha * r` (`r` counted only from `frontier_floor * epsilon` up for
/// people never pushed), in the order the push first reached them. Empty for an anonymous
/// viewer.
///
/// Each estimate is at most the exact value, and the exact values exceed the estimates by
/// `sum of r - alpha * (sum of r over the counted)` in total, which is at most
/// `epsilon * sum of max(outdeg(u), 1)` over the nodes left with residual.
///
/// # Complexity
/// O(1 / (alpha * epsilon)) visible-edge visits: each push settles at least
/// `alpha * epsilon * max(outdeg, 1)` mass and at most 1 can be settled. A pushed node's
/// vouches and invisible edges are skipped over, so they add their count too. Never O(N):
/// the dense arrays come from a per-thread workspace cleared through its touched list.
pub(crate) fn personalized_pagerank(
    graph: &TrustGraph,
    viewer: &Viewer,
    params: &RankParams,
) -> Vec<(NodeIndex, f64)> {
    push(graph, viewer, params, |workspace| {
        estimates(workspace, params).collect()
    })
}

/// [`personalized_pagerank`], remembered between queries on the same graph: the same walk is
/// handed out again until a trust edge out of a node it touched changes (`walk_cache.rs`),
/// so a seeker's second search, next page or "why" does not push again. Exactly the result
/// of a fresh push. Shared, not copied: a remembered walk costs nothing to hand out.
pub(crate) fn remembered_walk(
    graph: &TrustGraph,
    viewer: &Viewer,
    params: &RankParams,
) -> Arc<[(NodeIndex, f64)]> {
    if let Some(mass) = graph.walks.get(viewer.walk_owner(), params, &graph.changes) {
        return mass;
    }
    let (mass, touched) = push(graph, viewer, params, |workspace| {
        let mass: Arc<[(NodeIndex, f64)]> = estimates(workspace, params).collect();
        let touched: Arc<[NodeIndex]> = workspace.touched.as_slice().into();
        (mass, touched)
    });
    graph.walks.insert(
        viewer.walk_owner(),
        params,
        graph.changes.version(),
        Arc::clone(&mass),
        touched,
    );
    mass
}

/// Every touched node with a positive estimate, in push order: what the push settled there,
/// plus the part of what still waits there that stops there at once, counted for a node never
/// pushed only from `frontier_floor * epsilon` up.
fn estimates<'w>(
    workspace: &'w PushWorkspace,
    params: &RankParams,
) -> impl Iterator<Item = (NodeIndex, f64)> + 'w {
    let alpha = params.alpha;
    let floor = params.frontier_floor * params.epsilon;
    workspace.touched.iter().filter_map(move |&node| {
        let (p, r) = (workspace.p[node.index()], workspace.r[node.index()]);
        let waiting = if p > 0.0 || r >= floor {
            alpha * r
        } else {
            0.0
        };
        (p + waiting > 0.0).then_some((node, p + waiting))
    })
}

/// Like [`personalized_pagerank`], but every touched node with its settled `p` and its residual
/// `r`, apart.
#[cfg(test)]
pub(crate) fn push_with_residuals(
    graph: &TrustGraph,
    viewer: &Viewer,
    params: &RankParams,
) -> Vec<(NodeIndex, f64, f64)> {
    push(graph, viewer, params, |workspace| {
        workspace
            .touched
            .iter()
            .map(|&node| (node, workspace.p[node.index()], workspace.r[node.index()]))
            .collect()
    })
}

fn push<R>(
    graph: &TrustGraph,
    viewer: &Viewer,
    params: &RankParams,
    read: impl FnOnce(&PushWorkspace) -> R,
) -> R {
    with_workspace(graph.node_bound(), |workspace| {
        if let Some(seeker) = viewer.seeker() {
            workspace.add_residual(seeker, 1.0);
            enqueue_if_due(workspace, seeker, params);
            while let Some(node) = workspace.queue.pop_front() {
                push_node(graph, viewer, params, workspace, seeker, node);
            }
        }
        read(workspace)
    })
}

/// Pushes one node if its residual is still at or above its threshold.
fn push_node(
    graph: &TrustGraph,
    viewer: &Viewer,
    params: &RankParams,
    workspace: &mut PushWorkspace,
    seeker: NodeIndex,
    node: NodeIndex,
) {
    let i = node.index();
    workspace.queued[i] = false;
    let access = viewer.access_to(node);
    if workspace.out_degree[i] == UNKNOWN_DEGREE {
        let (weight, degree) = out_weight(graph, node, access, params);
        workspace.out_weight[i] = weight;
        workspace.out_degree[i] = degree;
    }
    let degree = workspace.out_degree[i];
    let residual = workspace.r[i];
    if residual < params.epsilon * f64::from(degree.max(1)) {
        return;
    }
    workspace.r[i] = 0.0;
    workspace.p[i] += params.alpha * residual;
    let spread = (1.0 - params.alpha) * residual;
    if degree == 0 {
        // Dangling: the walk restarts at the seeker.
        workspace.add_residual(seeker, spread);
        enqueue_if_due(workspace, seeker, params);
        return;
    }
    let per_weight = spread / workspace.out_weight[i];
    for (target, weight, _) in walk_edges(graph, node, access, params) {
        workspace.add_residual(target, per_weight * weight);
        enqueue_if_due(workspace, target, params);
    }
}

/// Queues a node whose residual may be above its threshold. The threshold's degree is not
/// known until the node is popped, so this uses its lower bound `epsilon`; the pop re-checks.
fn enqueue_if_due(workspace: &mut PushWorkspace, node: NodeIndex, params: &RankParams) {
    let i = node.index();
    if !workspace.queued[i] && workspace.r[i] >= params.epsilon {
        workspace.queued[i] = true;
        workspace.queue.push_back(node);
    }
}
