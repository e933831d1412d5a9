//! Seeds: the people on whom the global prior's restarts land (docs/ranking.md §3).
//!
//! An operator names them with `vouchgraph seeds add|remove` ([`change`]), each change kept in
//! `seed_changes` and carried to every instance by the change feed. Until an operator has named
//! any, the founding members seed the prior ([`SeedSet`]), never everyone: a uniform restart
//! would hand a crowd of fake accounts a share of global trust in proportion to its size.

pub mod change;
pub mod cli;
pub mod set;

pub use change::{SeedChange, SeedError};
pub use set::SeedSet;

/// How many of the earliest people seed the global prior while no operator seed exists.
///
/// Founders are the first accounts by `people.id`, which is handed out in joining order, so a
/// crowd that signs up later can never become one. Ten spreads the restarts over more than one
/// circle of friends, yet is small enough that the first people of a new deployment (its
/// operators and their first invitees) are the founders.
pub const FOUNDING_SEEDS: usize = 10;

/// How a person is named on the command line: by id, or by the email of their account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PersonRef {
    /// By id.
    Id(crate::domain::PersonId),
    /// By the email of their account (compared regardless of case, as at sign-up).
    Email(String),
}

impl std::str::FromStr for PersonRef {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.contains('@') {
            Ok(PersonRef::Email(s.to_string()))
        } else {
            s.parse()
                .map(PersonRef::Id)
                .map_err(|_| format!("{s:?} is neither a person id nor an email"))
        }
    }
}

impl std::fmt::Display for PersonRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PersonRef::Id(id) => write!(f, "id {id}"),
            PersonRef::Email(email) => write!(f, "email {email}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::PersonId;

    #[test]
    fn a_person_is_named_by_id_or_by_email() {
        assert_eq!("42".parse(), Ok(PersonRef::Id(PersonId(42))));
        assert_eq!(
            " anna@demo.vouchgraph.test ".parse(),
            Ok(PersonRef::Email("anna@demo.vouchgraph.test".into()))
        );
        assert!("Anna Berg".parse::<PersonRef>().is_err());
    }
}
