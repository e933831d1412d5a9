//! The evaluation protocol's data handling: which ratings are held out, which trust edges must
//! go with them so the prediction cannot see them, and the sybil attack.

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rustc_hash::FxHashSet;

use crate::domain::TrustLevel;
use crate::import::network::{Fact, SourceEdge};

use super::data::Rating;

/// Ratings split into what the model may use and what it must predict.
#[derive(Debug)]
pub struct Split {
    /// What the model may use.
    pub train: Vec<Rating>,
    /// What it must predict.
    pub test: Vec<Rating>,
}

/// Holds out `share` of the ratings of people with at least one trust edge out (a seeker with no
/// network has nothing to personalize with), chosen by a shuffle seeded with `seed`.
///
/// # Complexity
/// O(R + E).
pub fn hold_out(ratings: &[Rating], edges: &[SourceEdge], share: f64, seed: u64) -> Split {
    let trusts: FxHashSet<u32> = edges
        .iter()
        .filter(|edge| matches!(edge.fact, Fact::Trust(_)))
        .map(|edge| edge.from)
        .collect();
    let mut eligible: Vec<usize> = (0..ratings.len())
        .filter(|&i| trusts.contains(&ratings[i].rater))
        .collect();
    eligible.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
    let held = (share.clamp(0.0, 1.0) * eligible.len() as f64).round() as usize;
    let mut is_test = vec![false; ratings.len()];
    for &index in &eligible[..held] {
        is_test[index] = true;
    }
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for (rating, held) in ratings.iter().zip(is_test) {
        if held {
            test.push(*rating);
        } else {
            train.push(*rating);
        }
    }
    Split { train, test }
}

/// The edges without those that restate a held-out rating. When items are people (ratings are
/// the signed edges of a trust network, as on Bitcoin OTC), a held-out rating of v by u is also
/// the edge u -> v: leaving that edge in would show the model the very opinion it must predict.
/// `item_person[item]` is the person an item is, if any.
pub fn without_leaks(
    edges: &[SourceEdge],
    test: &[Rating],
    item_person: &[Option<u32>],
) -> Vec<SourceEdge> {
    let held: FxHashSet<(u32, u32)> = test
        .iter()
        .filter_map(|r| item_person[r.item as usize].map(|person| (r.rater, person)))
        .collect();
    edges
        .iter()
        .filter(|edge| !held.contains(&(edge.from, edge.to)))
        .copied()
        .collect()
}

/// A sybil attack: fake raters who all rate the target items at the top of the scale, tied
/// into a ring of trust, with a few trust edges from honest people into the ring.
#[derive(Clone, Copy, Debug)]
pub struct Attack {
    /// How many fake raters.
    pub sybils: usize,
    /// How many honest people trust one of them.
    pub attack_edges: usize,
    /// Each sybil trusts this many others (the next ones round the ring): mass that enters the
    /// ring stays in it, the strongest shape for a sink.
    pub ring_degree: usize,
}

/// Adds the attack to `edges` and `train`. Sybils are people `people..people + sybils`; the
/// honest ends of attack edges are drawn from people who trust someone, trusting at level 3
/// (the worst case: the most mass the attack can be handed). Returns the sybils' count.
pub fn inject(
    attack: &Attack,
    people: usize,
    edges: &mut Vec<SourceEdge>,
    train: &mut Vec<Rating>,
    targets: &[u32],
    top: f64,
    seed: u64,
) -> usize {
    if attack.sybils == 0 {
        return 0;
    }
    let sybil = |i: usize| (people + i % attack.sybils) as u32;
    for i in 0..attack.sybils {
        for step in 1..=attack.ring_degree.min(attack.sybils - 1) {
            edges.push(SourceEdge {
                from: sybil(i),
                to: sybil(i + step),
                fact: Fact::Trust(TrustLevel::COMPLETE),
            });
        }
        for &item in targets {
            train.push(Rating {
                rater: sybil(i),
                item,
                value: top,
            });
        }
    }
    let mut honest: Vec<u32> = edges
        .iter()
        .filter(|edge| (edge.from as usize) < people && matches!(edge.fact, Fact::Trust(_)))
        .map(|edge| edge.from)
        .collect::<FxHashSet<u32>>()
        .into_iter()
        .collect();
    honest.sort_unstable();
    honest.shuffle(&mut ChaCha8Rng::seed_from_u64(seed ^ 0x5B11));
    for (k, &victim) in honest.iter().take(attack.attack_edges).enumerate() {
        edges.push(SourceEdge {
            from: victim,
            to: sybil(k * attack.sybils / attack.attack_edges.max(1)),
            fact: Fact::Trust(TrustLevel::COMPLETE),
        });
    }
    attack.sybils
}

/// `count` distinct items that held-out ratings are about, drawn with `seed`: the items the
/// attack promotes, so that the damage shows on ratings the evaluation predicts.
pub fn pick_targets(test: &[Rating], count: usize, seed: u64) -> Vec<u32> {
    let mut items: Vec<u32> = test
        .iter()
        .map(|r| r.item)
        .collect::<FxHashSet<u32>>()
        .into_iter()
        .collect();
    items.sort_unstable();
    items.shuffle(&mut ChaCha8Rng::seed_from_u64(seed ^ 0x7A26));
    items.truncate(count);
    items.sort_unstable();
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trust(from: u32, to: u32) -> SourceEdge {
        SourceEdge {
            from,
            to,
            fact: Fact::Trust(TrustLevel::KNOW),
        }
    }

    #[test]
    fn only_ratings_of_people_who_trust_someone_are_held_out() {
        let edges = [trust(0, 1)]; // 0 -> 1
        let ratings: Vec<Rating> = (0..10)
            .flat_map(|item| {
                [0, 2].map(|rater| Rating {
                    rater,
                    item,
                    value: 1.0,
                })
            })
            .collect();
        let split = hold_out(&ratings, &edges, 0.5, 7);
        assert_eq!(split.test.len(), 5);
        assert!(split.test.iter().all(|r| r.rater == 0));
        assert_eq!(split.train.len(), 15);
    }

    #[test]
    fn a_held_out_rating_of_a_person_takes_its_trust_edge_with_it() {
        let edges = [trust(0, 1), trust(1, 0), trust(0, 2)]; // 0 -> 1, 1 -> 0, 0 -> 2
        let test = [Rating {
            rater: 0,
            item: 0,
            value: 9.0,
        }];
        // Item 0 is person 1: the edge 0 -> 1 restates the held-out rating.
        let kept = without_leaks(&edges, &test, &[Some(1)]);
        assert_eq!(kept, vec![trust(1, 0), trust(0, 2)]);
    }

    #[test]
    fn sybils_form_a_ring_rate_every_target_and_are_reached_by_the_attack_edges_only() {
        let mut edges = vec![trust(0, 1), trust(1, 2)]; // 0 -> 1 -> 2
        let mut train = Vec::new();
        let attack = Attack {
            sybils: 4,
            attack_edges: 1,
            ring_degree: 2,
        };
        inject(&attack, 3, &mut edges, &mut train, &[5, 6], 10.0, 1);
        assert_eq!(train.len(), 8);
        assert!(train.iter().all(|r| r.rater >= 3 && r.value == 10.0));
        let into_ring: Vec<_> = edges.iter().filter(|e| e.from < 3 && e.to >= 3).collect();
        assert_eq!(into_ring.len(), 1);
        assert_eq!(edges.len(), 2 + 4 * 2 + 1);
    }
}
