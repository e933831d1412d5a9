//! Figures about the generated trust graph, to check it looks like a real acquaintance network.

use std::fmt;

use super::town::DemoTown;

/// Degree and clustering figures of a town's trust graph.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GraphStats {
    /// People.
    pub people: usize,
    /// Trust edges.
    pub edges: usize,
    /// Edges per person (the mean out-degree, which equals the mean in-degree).
    pub mean_degree: f64,
    /// The most edges one person gives.
    pub max_out_degree: usize,
    /// The most edges one person receives.
    pub max_in_degree: usize,
    /// Mean local clustering coefficient of the undirected graph (direction ignored, each
    /// pair counted once), over people with at least two acquaintances.
    pub clustering: f64,
    /// The clustering an Erdős–Rényi graph with as many people and pairs would have in
    /// expectation: its edge density.
    pub random_clustering: f64,
}

/// Computes [`GraphStats`] for `town`.
///
/// # Complexity
/// O(sum over people of degree² · log degree) for the clustering: a few milliseconds here.
pub fn graph_stats(town: &DemoTown) -> GraphStats {
    let n = town.people.len();
    let mut out_degree = vec![0usize; n];
    let mut in_degree = vec![0usize; n];
    let mut neighbours: Vec<Vec<usize>> = vec![Vec::new(); n];
    for edge in &town.trust {
        out_degree[edge.truster] += 1;
        in_degree[edge.trustee] += 1;
        neighbours[edge.truster].push(edge.trustee);
        neighbours[edge.trustee].push(edge.truster);
    }
    for list in &mut neighbours {
        list.sort_unstable();
        list.dedup();
    }
    let pairs: usize = neighbours.iter().map(Vec::len).sum::<usize>() / 2;

    let mut clustering_sum = 0.0;
    let mut counted = 0usize;
    for list in &neighbours {
        let k = list.len();
        if k < 2 {
            continue;
        }
        let mut linked = 0usize;
        for (i, &a) in list.iter().enumerate() {
            for &b in &list[i + 1..] {
                if neighbours[a].binary_search(&b).is_ok() {
                    linked += 1;
                }
            }
        }
        clustering_sum += linked as f64 / (k * (k - 1) / 2) as f64;
        counted += 1;
    }

    GraphStats {
        people: n,
        edges: town.trust.len(),
        mean_degree: town.trust.len() as f64 / n as f64,
        max_out_degree: out_degree.iter().copied().max().unwrap_or(0),
        max_in_degree: in_degree.iter().copied().max().unwrap_or(0),
        clustering: clustering_sum / counted.max(1) as f64,
        random_clustering: 2.0 * pairs as f64 / (n as f64 * (n as f64 - 1.0)),
    }
}

impl fmt::Display for GraphStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} people, {} trust edges: mean degree {:.2}, max out-degree {}, max in-degree {}, \
             clustering {:.3} (a random graph of the same density: {:.4})",
            self.people,
            self.edges,
            self.mean_degree,
            self.max_out_degree,
            self.max_in_degree,
            self.clustering,
            self.random_clustering
        )
    }
}
