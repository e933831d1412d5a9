//! Trust edges: a directed Chung–Lu graph with power-law weights, mostly inside communities.

use std::ops::Range;

use rand::Rng;

use crate::domain::{PersonId, TrustLevel};

use super::sampling::{cap_weights, power_law_quantile, AliasTable};
use super::{draw_visibility, SynthConfig, SynthTrustEdge};

/// Density exponent of out-weights (how many people one trusts).
const OUT_EXPONENT: f64 = 2.3;
/// Density exponent of in-weights (how many trust one): heavier-tailed than out-weights.
const IN_EXPONENT: f64 = 2.1;
/// The share of people whose in- and out-weights come from the same uniform draw.
const SAME_DRAW_SHARE: f64 = 0.5;
/// Expected out-degree cap, as a multiple of the mean degree.
const MAX_OUT_FACTOR: f64 = 100.0;
/// Expected in-degree cap, as a multiple of the mean degree.
const MAX_IN_FACTOR: f64 = 500.0;
/// The share of edges whose target is drawn from the source's community.
pub(super) const INSIDE_COMMUNITY_SHARE: f64 = 0.85;
/// Cumulative shares of trust levels 1, 2 (and 3 for the rest): most edges say "I know them".
const LEVEL_CUMULATIVE: [f64; 2] = [0.50, 0.85];

/// Draws `config.trust_edges` distinct edges without self-loops, sorted by (from, to).
///
/// # Complexity
/// O(E log E): a round of E draws, then sorting; duplicates (a few percent) are drawn again in
/// rounds that shrink geometrically.
pub(super) fn trust_edges(
    rng: &mut impl Rng,
    config: &SynthConfig,
    communities: &[Range<usize>],
) -> Vec<SynthTrustEdge> {
    let people = config.people;
    let target = config.trust_edges;
    let pairs = people as u128 * (people as u128 - 1);
    assert!(
        (target as u128) * 2 <= pairs,
        "{target} trust edges are too many for {people} people"
    );
    let mean_degree = target as f64 / people as f64;
    let (mut out_weights, mut in_weights) =
        (Vec::with_capacity(people), Vec::with_capacity(people));
    for _ in 0..people {
        let u: f64 = rng.gen();
        let v: f64 = if rng.gen::<f64>() < SAME_DRAW_SHARE {
            u
        } else {
            rng.gen()
        };
        out_weights.push(power_law_quantile(u, OUT_EXPONENT));
        in_weights.push(power_law_quantile(v, IN_EXPONENT));
    }
    let max_out = (MAX_OUT_FACTOR * mean_degree).min((people - 1) as f64);
    let max_in = (MAX_IN_FACTOR * mean_degree).min((people - 1) as f64);
    cap_weights(&mut out_weights, target as f64, max_out);
    cap_weights(&mut in_weights, target as f64, max_in);

    let sources = AliasTable::new(&out_weights);
    let targets_anywhere = AliasTable::new(&in_weights);
    let mut targets_inside = AliasTable::unfilled(people);
    let mut community_of = vec![0u32; people];
    for (c, range) in communities.iter().enumerate() {
        targets_inside.fill_range(&in_weights, range.clone());
        community_of[range.clone()].fill(c as u32);
    }
    drop((out_weights, in_weights));

    // Edges packed as from << 32 | to, so sorting and de-duplicating are on plain u64s.
    let mut edges: Vec<u64> = Vec::new();
    let mut rounds = 0;
    while edges.len() < target {
        rounds += 1;
        assert!(rounds <= 200, "cannot place {target} distinct trust edges");
        let missing = target - edges.len();
        // A little more than missing, since some draws will be duplicates.
        let draws = missing + missing / 50 + 16;
        let mut fresh = Vec::with_capacity(draws);
        for _ in 0..draws {
            let from = sources.draw(rng) as usize;
            let to = if rng.gen::<f64>() < INSIDE_COMMUNITY_SHARE {
                let range = &communities[community_of[from] as usize];
                targets_inside.draw_in(rng, range.start, range.end)
            } else {
                targets_anywhere.draw(rng)
            } as usize;
            if from != to {
                fresh.push((from as u64) << 32 | to as u64);
            }
        }
        fresh.sort_unstable();
        fresh.dedup();
        edges = merge_distinct(&edges, &fresh);
    }
    drop_random_excess(rng, &mut edges, target);

    edges
        .into_iter()
        .map(|packed| SynthTrustEdge {
            from: PersonId((packed >> 32) as i64 + 1),
            to: PersonId((packed & 0xffff_ffff) as i64 + 1),
            level: draw_level(rng),
            visibility: draw_visibility(rng, config.non_public_share),
        })
        .collect()
}

/// The sorted union of two sorted, duplicate-free lists.
pub(super) fn merge_distinct<T: Ord + Copy>(a: &[T], b: &[T]) -> Vec<T> {
    let mut merged = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => {
                merged.push(a[i]);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                merged.push(b[j]);
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                merged.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    merged.extend_from_slice(&a[i..]);
    merged.extend_from_slice(&b[j..]);
    merged
}

/// Removes random entries until `items` has `target` left, keeping the order of the rest.
pub(super) fn drop_random_excess<T>(rng: &mut impl Rng, items: &mut Vec<T>, target: usize) {
    let excess = items.len().saturating_sub(target);
    if excess == 0 {
        return;
    }
    let mut doomed = vec![false; items.len()];
    let mut chosen = 0;
    while chosen < excess {
        let i = rng.gen_range(0..items.len());
        if !doomed[i] {
            doomed[i] = true;
            chosen += 1;
        }
    }
    let mut index = 0;
    items.retain(|_| {
        index += 1;
        !doomed[index - 1]
    });
}

fn draw_level(rng: &mut impl Rng) -> TrustLevel {
    let u: f64 = rng.gen();
    if u < LEVEL_CUMULATIVE[0] {
        TrustLevel::KNOW
    } else if u < LEVEL_CUMULATIVE[1] {
        TrustLevel::JUDGEMENT
    } else {
        TrustLevel::COMPLETE
    }
}
