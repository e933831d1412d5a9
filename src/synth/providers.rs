//! Providers, placed in communities, and the vouches people give them.

use std::ops::Range;

use rand::Rng;

use crate::domain::{PersonId, ProviderId, Stance, TradeId};

use super::sampling::{cap_weights, power_law_weight, AliasTable};
use super::trust::{drop_random_excess, merge_distinct};
use super::{draw_visibility, SynthConfig, SynthProvider, SynthVouch};

/// The share of providers offering a second trade.
const SECOND_TRADE_SHARE: f64 = 0.15;
/// Trade k (from 1) is offered in proportion to k^-0.8: plumbers are more common than roofers.
const TRADE_ZIPF_EXPONENT: f64 = 0.8;
/// How far a provider sits from its community's home, at most, in degrees (about 5 km).
const JITTER_DEGREES: f64 = 0.05;
/// Service radii, in kilometres.
const RADIUS_KM: Range<f64> = 10.0..40.0;
/// Density exponent of provider popularity: a few providers collect most vouches.
const POPULARITY_EXPONENT: f64 = 2.2;
/// No provider expects more than this multiple of the mean vouch count.
const MAX_POPULARITY_FACTOR: f64 = 50.0;
/// The share of vouchers drawn from the provider's own community.
pub(super) const INSIDE_COMMUNITY_SHARE: f64 = 0.8;
/// The share of vouches that recommend; the rest warn.
pub(super) const RECOMMEND_SHARE: f64 = 0.85;

/// Draws the providers: community in proportion to its size, owner among its people.
pub(super) fn providers(
    rng: &mut impl Rng,
    config: &SynthConfig,
    communities: &[Range<usize>],
    centres: &[(f64, f64)],
) -> Vec<SynthProvider> {
    let sizes: Vec<f64> = communities.iter().map(|r| r.len() as f64).collect();
    let community_table = AliasTable::new(&sizes);
    let trade_weights: Vec<f64> = (1..=config.trades)
        .map(|k| f64::from(k).powf(-TRADE_ZIPF_EXPONENT))
        .collect();
    let trade_table = AliasTable::new(&trade_weights);
    (0..config.providers)
        .map(|i| {
            let community = community_table.draw(rng) as usize;
            let range = &communities[community];
            let owner = PersonId(rng.gen_range(range.clone()) as i64 + 1);
            let first = trade_table.draw(rng);
            let mut trades = vec![TradeId(first as i32 + 1)];
            if config.trades >= 2 && rng.gen::<f64>() < SECOND_TRADE_SHARE {
                let second = loop {
                    let t = trade_table.draw(rng);
                    if t != first {
                        break t;
                    }
                };
                trades.push(TradeId(second as i32 + 1));
                trades.sort_unstable();
            }
            let (lat, lon) = centres[community];
            SynthProvider {
                id: ProviderId(i as i64 + 1),
                owner,
                community,
                trades,
                lat: lat + rng.gen_range(-JITTER_DEGREES..JITTER_DEGREES),
                lon: lon + rng.gen_range(-JITTER_DEGREES..JITTER_DEGREES),
                radius_km: rng.gen_range(RADIUS_KM),
            }
        })
        .collect()
}

/// Draws `config.vouches` distinct vouches, sorted by (person, provider, trade).
///
/// # Panics
/// If there are vouches but no providers, more than 2^24 providers or more than 255 trades
/// (the packing used for de-duplication), or the count cannot be reached.
///
/// # Complexity
/// O(V log V) for V vouches.
pub(super) fn vouches(
    rng: &mut impl Rng,
    config: &SynthConfig,
    communities: &[Range<usize>],
    providers: &[SynthProvider],
) -> Vec<SynthVouch> {
    let target = config.vouches;
    if target == 0 {
        return Vec::new();
    }
    assert!(!providers.is_empty(), "vouches need providers");
    assert!(providers.len() < 1 << 24, "too many providers to pack");
    assert!(config.trades < 256, "too many trades to pack");
    let mean = target as f64 / providers.len() as f64;
    let mut popularity: Vec<f64> = (0..providers.len())
        .map(|_| power_law_weight(rng, POPULARITY_EXPONENT))
        .collect();
    if providers.len() > 1 {
        cap_weights(&mut popularity, target as f64, MAX_POPULARITY_FACTOR * mean);
    }
    let provider_table = AliasTable::new(&popularity);

    // Packed as person << 32 | provider << 8 | trade, which sorts like the triple.
    let mut packed: Vec<u64> = Vec::new();
    let mut rounds = 0;
    while packed.len() < target {
        rounds += 1;
        assert!(rounds <= 200, "cannot place {target} distinct vouches");
        let missing = target - packed.len();
        let draws = missing + missing / 50 + 16;
        let mut fresh = Vec::with_capacity(draws);
        for _ in 0..draws {
            let p = provider_table.draw(rng) as usize;
            let provider = &providers[p];
            let trade = provider.trades[rng.gen_range(0..provider.trades.len())];
            let person = if rng.gen::<f64>() < INSIDE_COMMUNITY_SHARE {
                rng.gen_range(communities[provider.community].clone())
            } else {
                rng.gen_range(0..config.people)
            };
            if person as i64 + 1 != provider.owner.0 {
                fresh.push((person as u64) << 32 | (p as u64) << 8 | (trade.0 - 1) as u64);
            }
        }
        fresh.sort_unstable();
        fresh.dedup();
        packed = merge_distinct(&packed, &fresh);
    }
    drop_random_excess(rng, &mut packed, target);

    packed
        .into_iter()
        .map(|key| {
            let stance = if rng.gen::<f64>() < RECOMMEND_SHARE {
                Stance::Recommend
            } else {
                Stance::Warn
            };
            SynthVouch {
                person: PersonId((key >> 32) as i64 + 1),
                provider: providers[((key >> 8) & 0xff_ffff) as usize].id,
                trade: TradeId((key & 0xff) as i32 + 1),
                stance,
                visibility: draw_visibility(rng, config.non_public_share),
            }
        })
        .collect()
}
