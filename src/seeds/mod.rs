//! Seeds: the people on whom the global prior's restarts land (docs/ranking.md §3).
//!
//! An operator names them with `vouchgraph seeds add|remove` ([`change`]), each change kept in
//! `seed_changes` and carried to every instance by the change feed. Until an operator has named
//! any, the founding members seed the prior ([`SeedSet`]), never everyone: a uniform restart
//! would hand a crowd of fake accounts a share of global trust in proportion to its size.

pub mod change;
pub mod cli;

pub use crate::domain::person_ref::PersonRef;
pub use crate::domain::seed_set::{SeedSet, FOUNDING_SEEDS};
pub use change::{SeedChange, SeedError};
