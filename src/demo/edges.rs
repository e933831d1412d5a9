//! The trust edges while they are being generated: one edge per ordered pair, with adjacency
//! lists for friend-of-friend picks and breadth-first distances.

use std::collections::{HashMap, VecDeque};

use super::town::DemoTrust;

/// Trust edges under construction.
pub struct TrustEdges {
    edges: Vec<DemoTrust>,
    position: HashMap<(usize, usize), usize>,
    out: Vec<Vec<usize>>,
    into: Vec<Vec<usize>>,
}

impl TrustEdges {
    /// No edges among `people` people.
    pub fn new(people: usize) -> TrustEdges {
        TrustEdges {
            edges: Vec::new(),
            position: HashMap::new(),
            out: vec![Vec::new(); people],
            into: vec![Vec::new(); people],
        }
    }

    /// Whether `truster` already trusts `trustee`.
    pub fn contains(&self, truster: usize, trustee: usize) -> bool {
        self.position.contains_key(&(truster, trustee))
    }

    /// Adds the edge unless the pair already has one (or it is a self-edge); says whether it
    /// was added.
    pub fn add(&mut self, edge: DemoTrust) -> bool {
        if edge.truster == edge.trustee || self.contains(edge.truster, edge.trustee) {
            return false;
        }
        self.position
            .insert((edge.truster, edge.trustee), self.edges.len());
        self.out[edge.truster].push(edge.trustee);
        self.into[edge.trustee].push(edge.truster);
        self.edges.push(edge);
        true
    }

    /// Adds the edge, or replaces the level and visibility of the pair's existing one.
    pub fn set(&mut self, edge: DemoTrust) {
        match self.position.get(&(edge.truster, edge.trustee)) {
            Some(&at) => self.edges[at] = edge,
            None => {
                self.add(edge);
            }
        }
    }

    /// Whom `person` trusts, in the order the edges were added.
    pub fn trustees(&self, person: usize) -> &[usize] {
        &self.out[person]
    }

    /// Who trusts `person`, in the order the edges were added.
    pub fn trusters(&self, person: usize) -> &[usize] {
        &self.into[person]
    }

    /// Hops from `start` along trust edges to everyone, `None` for the unreachable.
    ///
    /// # Complexity
    /// O(N + E), breadth-first.
    pub fn hops_from(&self, start: usize) -> Vec<Option<u32>> {
        let mut hops = vec![None; self.out.len()];
        hops[start] = Some(0);
        let mut queue = VecDeque::from([start]);
        while let Some(person) = queue.pop_front() {
            let next = hops[person].map(|h| h + 1);
            for &trustee in &self.out[person] {
                if hops[trustee].is_none() {
                    hops[trustee] = next;
                    queue.push_back(trustee);
                }
            }
        }
        hops
    }

    /// The edges, in the order they were added.
    pub fn into_vec(self) -> Vec<DemoTrust> {
        self.edges
    }
}
