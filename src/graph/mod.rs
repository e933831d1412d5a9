//! The trust engine: an in-memory trust graph and the ranking of providers over it.
//!
//! Plain synchronous Rust, no HTTP or database: the caller loads a [`TrustGraph`] (in bulk with
//! [`GraphBuilder`], then change by change), computes a [`Prior`] now and then with
//! [`compute_prior`], and for each search calls [`rank_providers_for`]; [`explain_provider`]
//! says why one provider scored what it did ("you -> Matt -> Mario"). Both the graph and the
//! prior are `Send + Sync`: share them behind an `Arc` and swap in new ones whole.
//!
//! score = personal + lambda * prior, where personal is what the seeker's personalized
//! PageRank (forward push over the trust edges the seeker may see) puts on the people who
//! recommend or warn against the provider, and prior is the same from a global PageRank that
//! restarts at seed people. [`RankParams`] documents every constant and why it was chosen.
//!
//! One file per concern:
//!
//! | file | what |
//! |---|---|
//! | `weights.rs` | node and packed edge weights (8 bytes an edge) |
//! | `adjacency.rs` | the edges: a compressed sparse row both ways, with a live overlay folded in as it grows (8 bytes a trust edge, 20 a vouch) |
//! | `trust_graph.rs`, `mutate.rs`, `builder.rs`, `edge_records.rs` | the graph, its changes, bulk loading, edge dump |
//! | `trade_table.rs`, `provider.rs`, `error.rs` | trades, providers and service areas, refusals |
//! | `visibility.rs` | the privacy rule: which edges a seeker may see |
//! | `walk.rs` | the walk's steps: visible trust edges weighted by level |
//! | `push.rs`, `workspace.rs` | personalized PageRank by forward push |
//! | `prior.rs` | global EigenTrust-style prior from seed people |
//! | `evidence.rs` | walk mass at vouchers, per provider |
//! | `found.rs` | what a walk found, as plain data: evidence, vouchers, which trades count |
//! | `network_evidence.rs` | the walk plus its evidence: shared by search and offline evaluation |
//! | `paths.rs` | strongest short trust paths, for explanations |
//! | `rank.rs`, `explain.rs`, `reach.rs` | the public queries |
//! | `routing.rs`, `suggest.rs` | whom a request for recommendations goes to; people you may know |
//! | `tests_*.rs`, `fixtures.rs` | stories on hand-built graphs, properties, push accuracy, sybils |
//!
//! Measured on a random graph of a million people and 12M edges (2-core machine, release build,
//! `cargo test --release -- --ignored million --nocapture`): 31 bytes per edge all in, built in
//! about 7 s, prior in about 5 s, a search in about 7 ms.

mod access;
mod adjacency;
mod anchor;
mod builder;
mod credit_tree;
mod edge_records;
mod error;
mod evidence;
mod explain;
mod found;
mod live_trust;
mod mutate;
mod network_evidence;
mod pace;
mod params;
mod path_layers;
mod paths;
mod prior;
mod provider;
mod push;
mod rank;
mod reach;
mod routing;
mod service_areas;
mod suggest;
mod trade_table;
mod trust_graph;
mod trust_tallies;
mod visibility;
mod walk;
mod walk_cache;
mod weights;
mod workspace;

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod tests_anchor;
#[cfg(test)]
mod tests_credit_tree;
#[cfg(test)]
mod tests_frontier_sweep;
#[cfg(test)]
mod tests_graph;
#[cfg(test)]
mod tests_live_trust;
#[cfg(test)]
mod tests_properties;
#[cfg(test)]
mod tests_push;
#[cfg(test)]
mod tests_ranking;
#[cfg(test)]
mod tests_sybil;
#[cfg(test)]
mod tests_walk_cache;

pub use anchor::{anchored_trust, SeedTrust};
pub use builder::{BuildReport, GraphBuilder};
pub use credit_tree::{CreditTree, Lent};
pub use edge_records::EdgeRecord;
pub use error::GraphError;
pub use explain::{explain_provider, Explanation};
pub use found::Evidence;
pub use live_trust::{Column, LiveTrust, SettleWork};
pub use network_evidence::{network_evidence, network_evidence_for};
pub use pace::{pace_factor, rerank_by_pace, MAX_PACE_PENALTY};
pub use params::RankParams;
pub use paths::{PathHop, TrustPath, MAX_PATH_HOPS};
pub use prior::{compute_prior, Prior};
pub use provider::{haversine_km, ProviderInfo};
pub use rank::{rank_providers_for, RankedProvider, SearchQuery, VouchCounts, PATHS_PER_PROVIDER};
pub use reach::{reach_by_hops, REACH_HOPS};
pub use routing::{route_request, Routed};
pub use suggest::{people_you_may_know, Suggestion, SCAN_BUDGET};
pub use trust_graph::TrustGraph;
pub use visibility::Audience;
pub use walk_cache::{WalkCacheStats, DEFAULT_WALK_CACHE_BYTES};
