//! Communities: contiguous blocks of people of heavy-tailed sizes, each with a home location.

use std::ops::Range;

use rand::seq::SliceRandom;
use rand::Rng;

use super::sampling::{cap_weights, power_law_weight};

/// Density exponent of community sizes. 2.0 gives many villages and a few cities: in a run of
/// 2,000 communities the largest is tens of times the mean.
const SIZE_EXPONENT: f64 = 2.0;

/// No community holds more than this share of everyone, so that "mostly inside the community"
/// still means a local neighbourhood and not half the network.
const MAX_SIZE_SHARE: f64 = 0.02;

/// The smallest community: two people, so that an edge inside it is possible.
const MIN_SIZE: usize = 2;

/// Latitudes of the region communities are placed in (roughly Great Britain), in degrees.
pub const LAT_RANGE: Range<f64> = 50.0..55.0;
/// Longitudes of that region, in degrees.
pub const LON_RANGE: Range<f64> = -5.0..1.5;

/// Splits `people` people into `count` communities, returned as consecutive index ranges in a
/// random order of sizes.
///
/// # Panics
/// If there are fewer than two people per community.
pub(super) fn community_ranges(
    rng: &mut impl Rng,
    people: usize,
    count: usize,
) -> Vec<Range<usize>> {
    assert!(count >= 1, "need at least one community");
    assert!(
        people >= MIN_SIZE * count,
        "{people} people cannot fill {count} communities of at least {MIN_SIZE}"
    );
    let mut weights: Vec<f64> = (0..count)
        .map(|_| power_law_weight(rng, SIZE_EXPONENT))
        .collect();
    let max_size = (MAX_SIZE_SHARE * people as f64).max(MIN_SIZE as f64 * 2.0);
    if count > 1 {
        cap_weights(&mut weights, people as f64, max_size);
    }
    let sum: f64 = weights.iter().sum();
    // Everyone gets the minimum first; the rest is shared in proportion to the weights, and the
    // people left over by rounding down go one each to the first communities.
    let spare = people - MIN_SIZE * count;
    let mut sizes: Vec<usize> = weights
        .iter()
        .map(|w| MIN_SIZE + (w / sum * spare as f64).floor() as usize)
        .collect();
    // Rounding down loses less than one person per community.
    let left = people - sizes.iter().sum::<usize>();
    for size in sizes.iter_mut().take(left) {
        *size += 1;
    }
    sizes.shuffle(rng);
    let mut start = 0;
    sizes
        .into_iter()
        .map(|size| {
            start += size;
            start - size..start
        })
        .collect()
}

/// A random home location for each community, uniform over the region.
pub(super) fn community_centres(rng: &mut impl Rng, count: usize) -> Vec<(f64, f64)> {
    (0..count)
        .map(|_| (rng.gen_range(LAT_RANGE), rng.gen_range(LON_RANGE)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn communities_partition_everyone_with_heavy_tailed_sizes() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let ranges = community_ranges(&mut rng, 100_000, 500);
        assert_eq!(ranges.len(), 500);
        assert_eq!(ranges[0].start, 0);
        assert_eq!(ranges.last().unwrap().end, 100_000);
        for pair in ranges.windows(2) {
            assert_eq!(pair[0].end, pair[1].start);
        }
        assert!(ranges.iter().all(|r| r.len() >= MIN_SIZE));
        let largest = ranges.iter().map(|r| r.len()).max().unwrap();
        assert!(
            largest >= 5 * 200,
            "largest {largest} is not 5x the mean of 200"
        );
        assert!(largest <= 2_000, "largest {largest} is over the cap");
    }

    #[test]
    fn one_community_holds_everyone() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        assert_eq!(community_ranges(&mut rng, 10, 1), vec![0..10]);
    }
}
