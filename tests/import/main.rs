//! Importing real trust networks (`vouchgraph import`) and recommenders' track records. One
//! binary, apart from the API tests, so `cargo test --test import` runs just these. Each test
//! gets a fresh migrated database from `#[sqlx::test]`.

#[path = "../common/mod.rs"]
mod common;

// The API tests' requests (providers, trust, vouches, searches); this binary uses only some.
#[allow(dead_code)]
#[path = "../api/helpers.rs"]
mod helpers;

mod networks;
mod seeds;
mod track_records;
