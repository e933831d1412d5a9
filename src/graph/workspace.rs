//! Dense per-node work arrays for the forward push, kept per thread and reused.
//!
//! Allocating and zeroing arrays of N entries would make every query O(N) however little it
//! touches. Instead each thread keeps one set, sized to the largest graph it has seen, and
//! clears only the entries the previous query touched.
//!
//! The price is about 30 bytes per node for every thread that has run a query (30 MB at a
//! million nodes), so run searches on a bounded pool of threads (for example
//! `spawn_blocking` behind a semaphore), not on an unbounded one.

use std::cell::RefCell;
use std::collections::VecDeque;

use petgraph::graph::NodeIndex;

/// Marks an `out_degree` entry not computed yet in this query.
pub(super) const UNKNOWN_DEGREE: u32 = u32::MAX;

/// The push's state, indexed by node.
#[derive(Default)]
pub(super) struct PushWorkspace {
    /// Settled mass: the estimate of the personalized PageRank.
    pub(super) p: Vec<f64>,
    /// Residual mass still to be pushed.
    pub(super) r: Vec<f64>,
    /// Whether the node is in `queue`.
    pub(super) queued: Vec<bool>,
    /// Whether the node is in `touched`.
    pub(super) seen: Vec<bool>,
    /// Cached total visible out-weight of a node (valid where `out_degree` is known).
    pub(super) out_weight: Vec<f64>,
    /// Cached number of visible out trust edges, or `UNKNOWN_DEGREE`.
    pub(super) out_degree: Vec<u32>,
    /// Every node given residual in this query, in first-touch order.
    pub(super) touched: Vec<NodeIndex>,
    /// FIFO of nodes that may be above the push threshold.
    pub(super) queue: VecDeque<NodeIndex>,
}

impl PushWorkspace {
    /// Adds `amount` to a node's residual, recording the first touch.
    pub(super) fn add_residual(&mut self, node: NodeIndex, amount: f64) {
        let i = node.index();
        if !self.seen[i] {
            self.seen[i] = true;
            self.touched.push(node);
        }
        self.r[i] += amount;
    }

    fn fit(&mut self, nodes: usize) {
        if self.p.len() < nodes {
            self.p.resize(nodes, 0.0);
            self.r.resize(nodes, 0.0);
            self.queued.resize(nodes, false);
            self.seen.resize(nodes, false);
            self.out_weight.resize(nodes, 0.0);
            self.out_degree.resize(nodes, UNKNOWN_DEGREE);
        }
    }

    /// Clears what the previous query touched. Done before a query rather than after, so that
    /// a query that panicked halfway cannot leave stale state for the next one.
    fn reset(&mut self) {
        for node in self.touched.drain(..) {
            let i = node.index();
            self.p[i] = 0.0;
            self.r[i] = 0.0;
            self.queued[i] = false;
            self.seen[i] = false;
            self.out_degree[i] = UNKNOWN_DEGREE;
        }
        self.queue.clear();
    }
}

thread_local! {
    static WORKSPACE: RefCell<PushWorkspace> = RefCell::new(PushWorkspace::default());
}

/// Runs `f` with this thread's workspace, clean and sized for `nodes` nodes.
///
/// # Complexity
/// O(nodes touched by the previous query on this thread), plus O(nodes) the first time a
/// thread sees a graph this large.
pub(super) fn with_workspace<R>(nodes: usize, f: impl FnOnce(&mut PushWorkspace) -> R) -> R {
    WORKSPACE.with(|cell| match cell.try_borrow_mut() {
        Ok(mut workspace) => {
            workspace.reset();
            workspace.fit(nodes);
            f(&mut workspace)
        }
        // Only reachable if `f` itself starts a query; give that one a private workspace.
        Err(_) => {
            let mut workspace = PushWorkspace::default();
            workspace.fit(nodes);
            f(&mut workspace)
        }
    })
}
