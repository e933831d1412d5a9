//! A synthetic trust network for benchmarks and tests: people in communities, heavy-tailed
//! trust edges, providers and vouches, from a fixed seed. Pure Rust, no database.
//!
//! # The model
//!
//! - **Communities.** People are split into `communities` consecutive blocks whose sizes follow
//!   a power law (density exponent 2, at most 2% of everyone in one block): many villages, a
//!   few towns. Each community has a home location in a region the size of Great Britain.
//! - **Trust edges** follow a directed Chung–Lu model (Chung and Lu, "Connected components in
//!   random graphs with given expected degree sequences", 2002): every person has an out-weight
//!   and an in-weight drawn from a power law with density exponent 2.3 (in-weight 2.1: being
//!   trusted is more unequal than trusting), and an edge picks its source in proportion to
//!   out-weight and its target in proportion to in-weight. 85% of targets are drawn from the
//!   source's own community, the rest from everyone. Half the people draw both weights from one
//!   uniform, so active people also tend to be trusted. Expected degrees are capped at 100x the
//!   mean going out (nobody trusts thousands) and 500x coming in (a well-known person may be
//!   trusted by thousands), as in large social graphs such as Pokec. Levels are 1, 2, 3 with
//!   shares 50%, 35%, 15%.
//! - **Providers** belong to a community (in proportion to its size), are owned by one of its
//!   people, sit near its home location, serve a radius of 10 to 40 km, and offer one trade
//!   (15%: two); common trades (id 1, 2, ...) are more common, Zipf-like.
//! - **Vouches** pick a provider in proportion to a power-law popularity (exponent 2.2), one of
//!   its trades, and a voucher: 80% from the provider's community, the rest from everyone, never
//!   its owner. 85% recommend.
//! - **Visibility.** A share `non_public_share` of edges and vouches is not public (two thirds
//!   of those `network`, one third `private`); the rest is public. The benchmark uses 0, so its
//!   exact reference (igraph) and the engine see the same graph.
//!
//! Duplicates are removed by sorting, and missing edges or vouches drawn again until the counts
//! are exact. Ids are 1-based: `PersonId(1..=people)`, `ProviderId(1..=providers)`,
//! `TradeId(1..=trades)` (the trade ids the first migration seeds).
//!
//! # Complexity
//! O(E log E) time for E trust edges, dominated by sorting them: about two seconds for a million
//! people and twelve million edges on one core. Memory: the output (24 bytes per trust edge)
//! plus 8 bytes per edge while generating.
//!
//! # In Postgres
//! [`load::copy_into`] writes a network into the real schema (the benchmark's Postgres phase);
//! [`seed::seed_synthetic`] is `vouchgraph seed-synthetic`, which does that with a seeker who
//! can sign in, for load tests.

mod communities;
mod graph;
pub mod load;
mod providers;
mod sampling;
pub mod seed;
mod trust;

use std::ops::Range;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::domain::{PersonId, ProviderId, Stance, TradeId, TrustLevel, Visibility};

pub use communities::{LAT_RANGE, LON_RANGE};
pub use load::{copy_into, SynthAccount};
pub use seed::{seed_synthetic, SeedSummary, SeedSyntheticArgs};

/// What to generate.
#[derive(Clone, Debug, PartialEq)]
pub struct SynthConfig {
    /// How many people.
    pub people: usize,
    /// How many distinct trust edges (no self-loops).
    pub trust_edges: usize,
    /// How many providers.
    pub providers: usize,
    /// How many distinct vouches (person, provider, trade).
    pub vouches: usize,
    /// How many trades, with ids 1..=trades.
    pub trades: u16,
    /// How many communities; at least two people each.
    pub communities: usize,
    /// The seed: the same config gives the same network, bit for bit.
    pub seed: u64,
    /// The share of trust edges and vouches that are not public, in [0, 1].
    pub non_public_share: f64,
}

impl SynthConfig {
    /// The benchmark's network: a million people, twelve million trust edges, 50,000 providers,
    /// two million vouches, the 12 seeded trades, 2,000 communities, all public.
    pub fn benchmark() -> SynthConfig {
        SynthConfig {
            people: 1_000_000,
            trust_edges: 12_000_000,
            providers: 50_000,
            vouches: 2_000_000,
            trades: 12,
            communities: 2_000,
            seed: 42,
            non_public_share: 0.0,
        }
    }

    /// The benchmark's proportions scaled to `people` people (edges, providers, vouches and
    /// communities in proportion, at least one of each).
    pub fn benchmark_scaled(people: usize) -> SynthConfig {
        let full = SynthConfig::benchmark();
        let scale =
            |n: usize| ((n as f64 * people as f64 / full.people as f64).round() as usize).max(1);
        SynthConfig {
            people,
            trust_edges: scale(full.trust_edges),
            providers: scale(full.providers),
            vouches: scale(full.vouches),
            communities: scale(full.communities).min(people / 2).max(1),
            ..full
        }
    }

    /// A small network for tests, built in milliseconds: 2,000 people, 20,000 trust edges,
    /// 100 providers, 4,000 vouches over 3 trades, 20 communities; 10% of edges and vouches
    /// not public, so that privacy rules have something to hide.
    pub fn small(seed: u64) -> SynthConfig {
        SynthConfig {
            people: 2_000,
            trust_edges: 20_000,
            providers: 100,
            vouches: 4_000,
            trades: 3,
            communities: 20,
            seed,
            non_public_share: 0.1,
        }
    }
}

/// A generated network: plain vectors, in id order (edges by source, then target).
#[derive(Clone, Debug, PartialEq)]
pub struct SynthNetwork {
    /// Everyone, `PersonId(1)` to `PersonId(people)`.
    pub people: Vec<PersonId>,
    /// Each community as a range of indices into `people`; together they cover everyone.
    pub communities: Vec<Range<usize>>,
    /// The providers, `ProviderId(1)` upwards.
    pub providers: Vec<SynthProvider>,
    /// The trust edges, sorted by source then target, without duplicates or self-loops.
    pub trust_edges: Vec<SynthTrustEdge>,
    /// The vouches, sorted by person, provider, trade, without duplicates.
    pub vouches: Vec<SynthVouch>,
}

/// A generated provider.
#[derive(Clone, Debug, PartialEq)]
pub struct SynthProvider {
    /// Its id.
    pub id: ProviderId,
    /// The person who owns it.
    pub owner: PersonId,
    /// The community it belongs to (an index into [`SynthNetwork::communities`]).
    pub community: usize,
    /// The trades it offers, distinct, at least one.
    pub trades: Vec<TradeId>,
    /// Latitude of its service area's centre, in degrees.
    pub lat: f64,
    /// Longitude of its service area's centre, in degrees.
    pub lon: f64,
    /// Radius of its service area, in kilometres.
    pub radius_km: f64,
}

/// A generated trust edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SynthTrustEdge {
    /// Who trusts.
    pub from: PersonId,
    /// Whom.
    pub to: PersonId,
    /// How much.
    pub level: TrustLevel,
    /// Who may see it.
    pub visibility: Visibility,
}

/// A generated vouch, of strength 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SynthVouch {
    /// Who vouches.
    pub person: PersonId,
    /// For which provider.
    pub provider: ProviderId,
    /// In which of its trades.
    pub trade: TradeId,
    /// Recommend or warn.
    pub stance: Stance,
    /// Who may see it.
    pub visibility: Visibility,
}

impl SynthNetwork {
    /// A person's display name: "Person 42".
    pub fn person_name(person: PersonId) -> String {
        format!("Person {person}")
    }

    /// A provider's business name: "Provider 7".
    pub fn provider_name(provider: ProviderId) -> String {
        format!("Provider {provider}")
    }

    /// The community of the person at index `index` of `people`.
    ///
    /// # Complexity
    /// O(log communities).
    pub fn community_of(&self, index: usize) -> usize {
        self.communities.partition_point(|range| range.end <= index)
    }
}

/// Generates the network `config` describes. Each part (communities, trust edges, providers,
/// vouches) draws from its own ChaCha8 stream of the seed, so changing, say, the vouch count
/// leaves the trust edges as they were.
///
/// # Panics
/// If the config is impossible: fewer than two people per community, more edges than pairs of
/// people in reach, vouches without providers, or no trades.
///
/// # Complexity
/// See the [module documentation](self).
pub fn generate(config: &SynthConfig) -> SynthNetwork {
    assert!(config.people >= 2, "need at least two people");
    assert!(config.trades >= 1, "need at least one trade");
    assert!(
        (0.0..=1.0).contains(&config.non_public_share),
        "non_public_share must be in [0, 1]"
    );
    let stream = |n: u64| {
        let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
        rng.set_stream(n);
        rng
    };
    let people: Vec<PersonId> = (1..=config.people as i64).map(PersonId).collect();
    let mut rng = stream(1);
    let communities = communities::community_ranges(&mut rng, config.people, config.communities);
    let centres = communities::community_centres(&mut rng, config.communities);
    let trust_edges = trust::trust_edges(&mut stream(2), config, &communities);
    let providers = providers::providers(&mut stream(3), config, &communities, &centres);
    let vouches = providers::vouches(&mut stream(4), config, &communities, &providers);
    SynthNetwork {
        people,
        communities,
        providers,
        trust_edges,
        vouches,
    }
}

/// A visibility for a generated edge or vouch: public except for a `non_public_share`, of
/// which two thirds are `network` and one third `private`.
fn draw_visibility(rng: &mut impl rand::Rng, non_public_share: f64) -> Visibility {
    if non_public_share <= 0.0 {
        return Visibility::Public;
    }
    let u: f64 = rng.gen();
    if u >= non_public_share {
        Visibility::Public
    } else if u < non_public_share * 2.0 / 3.0 {
        Visibility::Network
    } else {
        Visibility::Private
    }
}

#[cfg(test)]
mod tests;
