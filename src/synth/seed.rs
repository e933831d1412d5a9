//! `vouchgraph seed-synthetic`: the benchmark's synthetic network, at any size, in the real
//! database, with one account that can sign in, so that a load test can search as a seeker
//! with a large network (scripts/load.sh --graph 1m).

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::time::{Duration, Instant};

use anyhow::Context;
use sqlx::PgPool;

use crate::domain::{PersonId, ProviderId, Stance, TradeId};

use super::load::{copy_into, SynthAccount};
use super::{generate, SynthConfig, SynthNetwork};

/// The seeker's login email. `.test` is reserved (RFC 2606), so no mail ever leaves.
pub const SEEKER_EMAIL: &str = "seeker@synthetic.vouchgraph.test";

/// The seeker's password. Synthetic data only: never seed it into a database that real people
/// use.
pub const SEEKER_PASSWORD: &str = "synthetic-seeker-2026";

/// What to seed.
#[derive(Clone, Debug, clap::Args)]
pub struct SeedSyntheticArgs {
    /// How many people; trust edges, providers, vouches and communities scale with them in the
    /// benchmark's proportions (12 trust edges, 0.05 providers and 2 vouches per person).
    #[arg(long, default_value_t = 1_000_000)]
    pub people: usize,
    /// The generator's seed: the same seed and size give the same network.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

/// The seeker the load test signs in as, and a search that has answers for them.
#[derive(Clone, Debug, PartialEq)]
pub struct Seeker {
    /// The person.
    pub person: PersonId,
    /// How many people they trust directly.
    pub trusts: usize,
    /// A trade in which people they trust recommend a provider.
    pub trade: TradeId,
    /// That provider, the one most recommended by people they trust in `trade`.
    pub provider: ProviderId,
    /// How many people they trust recommend it.
    pub recommenders: usize,
    /// The provider's location: a search near it reaches it.
    pub lat: f64,
    /// See `lat`.
    pub lon: f64,
}

/// What `seed-synthetic` did.
#[derive(Clone, Debug)]
pub struct SeedSummary {
    /// The configuration generated.
    pub config: SynthConfig,
    /// The seeker and their search.
    pub seeker: Seeker,
    /// The slug of `seeker.trade`, for the search URL.
    pub trade_slug: String,
    /// Time spent generating the network.
    pub generate: Duration,
    /// Time spent loading it into Postgres.
    pub load: Duration,
}

impl fmt::Display for SeedSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.config;
        let s = &self.seeker;
        writeln!(
            f,
            "seeded a synthetic network (seed {}): {} people, {} trust edges, {} providers, {} vouches; generated in {:.1} s, loaded in {:.1} s",
            c.seed,
            c.people,
            c.trust_edges,
            c.providers,
            c.vouches,
            self.generate.as_secs_f64(),
            self.load.as_secs_f64()
        )?;
        writeln!(
            f,
            "seeker: person {} ({}), trusts {} people; sign in as {SEEKER_EMAIL} / {SEEKER_PASSWORD}",
            s.person,
            SynthNetwork::person_name(s.person),
            s.trusts
        )?;
        writeln!(
            f,
            "search: /v1/search?trade={}&lat={:.4}&lon={:.4} (provider {} is recommended by {} people the seeker trusts)",
            self.trade_slug, s.lat, s.lon, s.provider, s.recommenders
        )
    }
}

/// Generates the network for `args` and loads it into the (migrated, empty) database, with
/// the seeker's account (password hashed with `hash_memory_kib` KiB, as logins check it).
///
/// # Errors
/// As [`copy_into`]: in particular if the database already holds people.
pub async fn seed_synthetic(
    pool: &PgPool,
    args: &SeedSyntheticArgs,
    hash_memory_kib: u32,
) -> anyhow::Result<SeedSummary> {
    let config = SynthConfig {
        seed: args.seed,
        ..SynthConfig::benchmark_scaled(args.people)
    };
    tracing::info!(?config, "generating the synthetic network");
    let started = Instant::now();
    // Seconds of CPU work: off the async threads.
    let net = {
        let config = config.clone();
        tokio::task::spawn_blocking(move || generate(&config)).await?
    };
    let generate = started.elapsed();
    let seeker = pick_seeker(&net).context("the network has no seeker with a network")?;
    let password_hash = tokio::task::spawn_blocking(move || {
        crate::auth::password::hash(SEEKER_PASSWORD, hash_memory_kib)
    })
    .await??;
    let account = SynthAccount {
        person: seeker.person,
        email: SEEKER_EMAIL.to_owned(),
        password_hash,
    };
    tracing::info!("loading it into Postgres");
    let started = Instant::now();
    copy_into(pool, &net, &[account])
        .await
        .context("loading the synthetic network")?;
    let load = started.elapsed();
    let trade_slug: String = sqlx::query_scalar("select slug from trades where id = $1")
        .bind(seeker.trade.0)
        .fetch_one(pool)
        .await
        .with_context(|| format!("reading the slug of trade {}", seeker.trade))?;
    Ok(SeedSummary {
        config,
        seeker,
        trade_slug,
        generate,
        load,
    })
}

/// The person who trusts the most people, and the search that shows their network at work: the
/// (provider, trade) that most of the people they trust recommend, searched at the provider's
/// location. Ties go to the lowest id, so the choice is deterministic. `None` when nobody
/// trusts anyone who recommends someone.
///
/// A heavy truster is the demanding case for personalized ranking (the walk from them reaches
/// the most people), which is what a load test should measure.
///
/// # Complexity
/// O(E + V) for E trust edges and V vouches.
pub fn pick_seeker(net: &SynthNetwork) -> Option<Seeker> {
    // Out-degrees; the edges are sorted by source.
    let mut best: Option<(usize, PersonId)> = None;
    let mut start = 0;
    while start < net.trust_edges.len() {
        let from = net.trust_edges[start].from;
        let end = start + net.trust_edges[start..].partition_point(|e| e.from == from);
        let degree = end - start;
        if best.is_none_or(|(d, _)| degree > d) {
            best = Some((degree, from));
        }
        start = end;
    }
    let (trusts, person) = best?;
    let trusted: HashSet<PersonId> = net
        .trust_edges
        .iter()
        .filter(|e| e.from == person)
        .map(|e| e.to)
        .collect();
    let mut recommended: HashMap<(ProviderId, TradeId), usize> = HashMap::new();
    for v in &net.vouches {
        if v.stance == Stance::Recommend && trusted.contains(&v.person) {
            *recommended.entry((v.provider, v.trade)).or_default() += 1;
        }
    }
    let ((provider, trade), recommenders) = recommended
        .into_iter()
        .max_by_key(|&((provider, trade), count)| (count, std::cmp::Reverse((provider, trade))))?;
    let at = net.providers.iter().find(|p| p.id == provider)?;
    Some(Seeker {
        person,
        trusts,
        trade,
        provider,
        recommenders,
        lat: at.lat,
        lon: at.lon,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::SynthConfig;

    #[test]
    fn the_seeker_trusts_the_most_people_and_their_search_has_a_network_recommendation() {
        let net = generate(&SynthConfig::small(7));
        let seeker = pick_seeker(&net).expect("a small network has a seeker");
        let degree = |p: PersonId| net.trust_edges.iter().filter(|e| e.from == p).count();
        assert_eq!(degree(seeker.person), seeker.trusts);
        assert!(net.people.iter().all(|&p| degree(p) <= seeker.trusts));
        let provider = net
            .providers
            .iter()
            .find(|p| p.id == seeker.provider)
            .unwrap();
        assert!(provider.trades.contains(&seeker.trade));
        assert_eq!((provider.lat, provider.lon), (seeker.lat, seeker.lon));
        let recommenders = net
            .vouches
            .iter()
            .filter(|v| v.provider == seeker.provider && v.trade == seeker.trade)
            .filter(|v| v.stance == Stance::Recommend)
            .filter(|v| {
                net.trust_edges
                    .iter()
                    .any(|e| e.from == seeker.person && e.to == v.person)
            })
            .count();
        assert!(recommenders >= 1);
        assert_eq!(recommenders, seeker.recommenders);
        // Deterministic: the same network, the same seeker.
        assert_eq!(pick_seeker(&net), Some(seeker));
    }
}
