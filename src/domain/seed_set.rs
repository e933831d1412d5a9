//! The seed set of the live prior: the operator's seeds, or the founders while there are none.
//! Below the store, which loads it, and the seeds commands, which change it.

use crate::domain::PersonId;

/// How many of the earliest people seed the global prior while no operator seed exists.
///
/// Founders are the first accounts by `people.id`, which is handed out in joining order, so a
/// crowd that signs up later can never become one. Ten spreads the restarts over more than one
/// circle of friends, yet is small enough that the first people of a new deployment (its
/// operators and their first invitees) are the founders.
pub const FOUNDING_SEEDS: usize = 10;

/// Who seeds the global prior, kept current as people join and seeds change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeedSet {
    /// The people an operator marked as pre-trusted (`people.pre_trusted`).
    pub operator: Vec<PersonId>,
    /// The [`FOUNDING_SEEDS`] earliest people, smallest id first.
    pub founders: Vec<PersonId>,
}

impl SeedSet {
    /// The people the prior restarts on: the operator's seeds, or the founders if there are
    /// none. Never empty once anyone exists, so the engine never falls back to everyone.
    pub fn for_prior(&self) -> &[PersonId] {
        if self.operator.is_empty() {
            &self.founders
        } else {
            &self.operator
        }
    }

    /// Whether the founders stand in for the operator's seeds.
    pub fn uses_founders(&self) -> bool {
        self.operator.is_empty()
    }

    /// Notes that `person` exists. They become a founder only while fewer than
    /// [`FOUNDING_SEEDS`] earlier people exist (ids are handed out in joining order; the
    /// smallest are kept even if a feed delivers people out of id order).
    ///
    /// # Complexity
    /// O([`FOUNDING_SEEDS`]).
    pub fn admit(&mut self, person: PersonId) {
        if let Err(at) = self.founders.binary_search(&person) {
            if at < FOUNDING_SEEDS {
                self.founders.insert(at, person);
                self.founders.truncate(FOUNDING_SEEDS);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(range: std::ops::RangeInclusive<i64>) -> Vec<PersonId> {
        range.map(PersonId).collect()
    }

    #[test]
    fn the_earliest_people_are_the_founders_in_whatever_order_they_arrive() {
        let mut seeds = SeedSet::default();
        for id in [12, 3, 7, 1, 11, 2, 9, 4, 10, 8, 6, 5, 3] {
            seeds.admit(PersonId(id)); // 3 twice: a rename is no second person
        }
        assert_eq!(seeds.founders, ids(1..=10));
    }

    #[test]
    fn people_who_join_later_never_become_founders() {
        let mut seeds = SeedSet::default();
        for id in 1..=1_010 {
            seeds.admit(PersonId(id)); // 1..=10 found the town, then a crowd of 1,000 joins
        }
        assert_eq!(seeds.founders, ids(1..=10));
        assert_eq!(seeds.for_prior(), ids(1..=10));
    }

    #[test]
    fn operator_seeds_replace_the_founders_and_removing_them_all_brings_the_founders_back() {
        let mut seeds = SeedSet::default();
        for id in 1..=20 {
            seeds.admit(PersonId(id));
        }
        seeds.operator.push(PersonId(15));
        assert!(!seeds.uses_founders());
        assert_eq!(seeds.for_prior(), [PersonId(15)]);
        seeds.operator.clear();
        assert!(seeds.uses_founders());
        assert_eq!(seeds.for_prior(), ids(1..=10));
    }
}
