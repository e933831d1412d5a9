//! A trust network as read from a file, before it meets the database or the engine: people
//! keyed by their id in the source, and at most one fact (trust or distrust) per ordered pair.

use rustc_hash::FxHashMap;

use crate::domain::TrustLevel;

/// A person of the source network.
#[derive(Clone, Debug, PartialEq)]
pub struct SourcePerson {
    /// Their id in the source ("42"); unique within the network.
    pub key: Box<str>,
    /// Their name, when the source gives one.
    pub name: Option<Box<str>>,
    /// Whether the source names them as a trust seed.
    pub pre_trusted: bool,
}

/// What one person says about another.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Fact {
    /// Trust at a level.
    Trust(TrustLevel),
    /// Distrust with a strength in (0, 1].
    Distrust(f32),
}

/// An edge between two people, by their index in [`Network::people`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SourceEdge {
    /// Who says it.
    pub from: u32,
    /// About whom.
    pub to: u32,
    /// What.
    pub fact: Fact,
}

/// What reading the file met besides people and edges, for the report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReadCounts {
    /// Edge rows read, self-loops and repeats included.
    pub edge_rows: usize,
    /// Rows where someone trusts or distrusts themself: skipped, because the engine and the
    /// database refuse self-edges (they would let anyone inflate their own walk).
    pub self_loops: usize,
    /// Rows for a pair already given earlier in the file: the later row wins.
    pub repeats: usize,
}

/// People and edges, in the order the file gave them.
#[derive(Debug, Default)]
pub struct Network {
    people: Vec<SourcePerson>,
    by_key: FxHashMap<Box<str>, u32>,
    edges: Vec<SourceEdge>,
    by_pair: FxHashMap<(u32, u32), u32>,
    counts: ReadCounts,
}

impl Network {
    /// An empty network.
    pub fn new() -> Network {
        Network::default()
    }

    /// Everyone, in order of first mention.
    pub fn people(&self) -> &[SourcePerson] {
        &self.people
    }

    /// Every edge, once per ordered pair, in order of first mention.
    pub fn edges(&self) -> &[SourceEdge] {
        &self.edges
    }

    /// What reading met.
    pub fn counts(&self) -> ReadCounts {
        self.counts
    }

    /// The index of the person with this key, if any.
    pub fn find(&self, key: &str) -> Option<u32> {
        self.by_key.get(key).copied()
    }

    /// The index of the person with this key, adding them if they are new.
    ///
    /// # Complexity
    /// O(length of the key) expected; allocates only for a new person.
    pub fn person(&mut self, key: &str) -> u32 {
        if let Some(&index) = self.by_key.get(key) {
            return index;
        }
        let index = u32::try_from(self.people.len()).expect("fewer than 2^32 people");
        self.people.push(SourcePerson {
            key: key.into(),
            name: None,
            pre_trusted: false,
        });
        self.by_key.insert(key.into(), index);
        index
    }

    /// Names a person.
    pub fn set_name(&mut self, person: u32, name: &str) {
        self.people[person as usize].name = Some(name.into());
    }

    /// Marks a person as a trust seed.
    pub fn set_pre_trusted(&mut self, person: u32) {
        self.people[person as usize].pre_trusted = true;
    }

    /// Records one edge row: a self-loop is counted and skipped, and a later row for the same
    /// ordered pair replaces the earlier one (so a pair has one fact, as in the database).
    pub fn edge(&mut self, from: &str, to: &str, fact: Fact) {
        self.counts.edge_rows += 1;
        let (from, to) = (self.person(from), self.person(to));
        if from == to {
            self.counts.self_loops += 1;
            return;
        }
        let next = self.edges.len() as u32;
        match self.by_pair.entry((from, to)) {
            std::collections::hash_map::Entry::Occupied(slot) => {
                self.counts.repeats += 1;
                self.edges[*slot.get() as usize].fact = fact;
            }
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(next);
                self.edges.push(SourceEdge { from, to, fact });
            }
        }
    }

    /// Trust edges only.
    pub fn trust_edges(&self) -> impl Iterator<Item = (u32, u32, TrustLevel)> + '_ {
        self.edges.iter().filter_map(|edge| match edge.fact {
            Fact::Trust(level) => Some((edge.from, edge.to, level)),
            Fact::Distrust(_) => None,
        })
    }

    /// Distrust edges only.
    pub fn distrust_edges(&self) -> impl Iterator<Item = (u32, u32, f32)> + '_ {
        self.edges.iter().filter_map(|edge| match edge.fact {
            Fact::Distrust(strength) => Some((edge.from, edge.to, strength)),
            Fact::Trust(_) => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pair_keeps_its_last_fact_and_self_loops_are_counted_not_kept() {
        let mut network = Network::new();
        network.edge("1", "2", Fact::Trust(TrustLevel::KNOW)); // 1 -> 2, level 1
        network.edge("1", "1", Fact::Trust(TrustLevel::COMPLETE)); // self-loop: skipped
        network.edge("1", "2", Fact::Distrust(0.5)); // 1 -> 2 again: replaces the trust
        network.edge("2", "1", Fact::Trust(TrustLevel::JUDGEMENT)); // 2 -> 1
        assert_eq!(network.people().len(), 2);
        assert_eq!(
            network.trust_edges().collect::<Vec<_>>(),
            vec![(1, 0, TrustLevel::JUDGEMENT)]
        );
        assert_eq!(
            network.distrust_edges().collect::<Vec<_>>(),
            vec![(0, 1, 0.5)]
        );
        assert_eq!(
            network.counts(),
            ReadCounts {
                edge_rows: 4,
                self_loops: 1,
                repeats: 1
            }
        );
    }
}
