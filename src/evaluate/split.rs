//! The evaluation protocol's data handling: which ratings are held out, which trust edges must
//! go with them so the prediction cannot see them, and the sybil attack.

use rand::seq::SliceRandom;
use rand::Rng;
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

/// Keeps each trust or distrust edge with probability `share` (seeded): the same people and
/// ratings over a sparser trust graph, as in a network where most raters trust no one.
pub fn sparser(edges: &[SourceEdge], share: f64, seed: u64) -> Vec<SourceEdge> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5BA5);
    edges
        .iter()
        .filter(|_| share >= 1.0 || rng.gen::<f64>() < share)
        .cloned()
        .collect()
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

/// The shape of a sybil attack. Every kind adds `sybils` fake raters who each trust
/// [`SYBIL_OUT_DEGREE`] others of their own at random, at level 3, and rate every target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum AttackKind {
    /// The sybils rate the worst-liked targets at the top of the scale; the attack edges come
    /// from honest people drawn at random and land on random sybils.
    Ring,
    /// As `ring`, and every sybil also trusts one hub, which receives the attack edges: all the
    /// mass the attack edges let in is concentrated before it spreads.
    Star,
    /// As `ring`, but the attack edges come from the honest people most others trust: the
    /// hardest entry, since nearly every seeker's walk passes through them.
    Popular,
    /// As `ring`, but the sybils rate the best-liked targets at the bottom of the scale.
    Demotion,
    /// As `ring`, and every sybil also copies `CAMOUFLAGE` honest ratings drawn at random (an
    /// item and the value an honest rater gave it), as a shilling attack does: its ratings
    /// spread like an honest rater's, so it is fully informative, and it agrees with whoever
    /// rated those items as the copied rater did.
    Camouflage,
}

impl AttackKind {
    /// Whether the sybils push their targets down rather than up.
    pub fn demotes(self) -> bool {
        self == AttackKind::Demotion
    }
}

/// How many other sybils each sybil trusts, chosen at random.
pub const SYBIL_OUT_DEGREE: usize = 10;

/// How many honest ratings each sybil copies in a `camouflage` attack: as many as it has
/// targets, so half its ratings look honest.
pub const CAMOUFLAGE: usize = 20;

/// A sybil attack: fake raters who all rate the target items at one end of the scale, tied
/// into a random trust network of their own, with a few trust edges from honest people.
#[derive(Clone, Copy, Debug)]
pub struct Attack {
    /// Its shape.
    pub kind: AttackKind,
    /// How many fake raters.
    pub sybils: usize,
    /// How many honest people trust one of them.
    pub attack_edges: usize,
}

/// Adds the attack to `edges` and `train`. Sybils are people `people..people + sybils`, rating
/// every target at `value`. The honest ends of attack edges trust at level 3 (the worst case:
/// the most mass an edge can hand over). Returns the sybils' count.
///
/// # Complexity
/// O(E + sybils * (SYBIL_OUT_DEGREE + targets)).
pub fn inject(
    attack: &Attack,
    people: usize,
    edges: &mut Vec<SourceEdge>,
    train: &mut Vec<Rating>,
    targets: &[u32],
    value: f64,
    seed: u64,
) -> usize {
    if attack.sybils == 0 {
        return 0;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5B11);
    let sybil = |i: usize| (people + i) as u32;
    let trust = |from: u32, to: u32| SourceEdge {
        from,
        to,
        fact: Fact::Trust(TrustLevel::COMPLETE),
    };
    let hub = sybil(0);
    let honest_edges = edges.len();
    let honest_ratings = train.len();
    for i in 0..attack.sybils {
        let others = SYBIL_OUT_DEGREE.min(attack.sybils - 1);
        let mut chosen = FxHashSet::default();
        while chosen.len() < others {
            let j = rng.gen_range(0..attack.sybils);
            if j != i {
                chosen.insert(j);
            }
        }
        let mut chosen: Vec<usize> = chosen.into_iter().collect();
        chosen.sort_unstable();
        edges.extend(chosen.into_iter().map(|j| trust(sybil(i), sybil(j))));
        if attack.kind == AttackKind::Star && sybil(i) != hub {
            edges.push(trust(sybil(i), hub));
        }
        train.extend(targets.iter().map(|&item| Rating {
            rater: sybil(i),
            item,
            value,
        }));
        if attack.kind == AttackKind::Camouflage && honest_ratings > 0 {
            let mut copied = FxHashSet::default();
            // A bounded number of draws, so that a catalogue with fewer than `CAMOUFLAGE`
            // untargeted items ends the loop (each sybil then copies what it found).
            for _ in 0..CAMOUFLAGE * 4 {
                let honest = train[rng.gen_range(0..honest_ratings)];
                if copied.len() == CAMOUFLAGE {
                    break;
                }
                if !targets.contains(&honest.item) && copied.insert(honest.item) {
                    train.push(Rating {
                        rater: sybil(i),
                        ..honest
                    });
                }
            }
        }
    }
    let honest = &edges[..honest_edges];
    let mut entries: Vec<u32> = if attack.kind == AttackKind::Popular {
        most_trusted(honest, people)
    } else {
        let mut trusters: Vec<u32> = honest
            .iter()
            .filter(|edge| matches!(edge.fact, Fact::Trust(_)))
            .map(|edge| edge.from)
            .collect::<FxHashSet<u32>>()
            .into_iter()
            .collect();
        trusters.sort_unstable();
        trusters.shuffle(&mut rng);
        trusters
    };
    entries.truncate(attack.attack_edges);
    for victim in entries {
        let into = match attack.kind {
            AttackKind::Star => hub,
            _ => sybil(rng.gen_range(0..attack.sybils)),
        };
        edges.push(trust(victim, into));
    }
    attack.sybils
}

/// Honest people by how many distinct others trust them, most first (ties by index).
fn most_trusted(edges: &[SourceEdge], people: usize) -> Vec<u32> {
    let mut trusters = vec![0usize; people];
    let pairs: FxHashSet<(u32, u32)> = edges
        .iter()
        .filter(|edge| matches!(edge.fact, Fact::Trust(_)))
        .map(|edge| (edge.from, edge.to))
        .collect();
    for (_, to) in pairs {
        trusters[to as usize] += 1;
    }
    let mut order: Vec<u32> = (0..people as u32).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(trusters[i as usize]), i));
    order
}

/// The fewest remaining ratings an item needs to count as liked or disliked: one or two
/// ratings say little about how an item is liked.
pub const MIN_TARGET_RATINGS: usize = 3;

/// The `count` items the attack aims at: among the items held-out ratings are about (so the
/// damage shows on ratings the evaluation predicts) with at least [`MIN_TARGET_RATINGS`]
/// remaining ratings, the worst liked by their mean remaining rating (`best` = false: the
/// sybils will promote them) or the best liked (`best` = true: they will demote them). Ties by
/// more ratings, then by index.
pub fn pick_targets(train: &[Rating], test: &[Rating], count: usize, best: bool) -> Vec<u32> {
    let asked: FxHashSet<u32> = test.iter().map(|r| r.item).collect();
    let mut sums: rustc_hash::FxHashMap<u32, (f64, usize)> = rustc_hash::FxHashMap::default();
    for rating in train.iter().filter(|r| asked.contains(&r.item)) {
        let sum = sums.entry(rating.item).or_default();
        sum.0 += rating.value;
        sum.1 += 1;
    }
    let mut items: Vec<(u32, f64, usize)> = sums
        .into_iter()
        .filter(|&(_, (_, n))| n >= MIN_TARGET_RATINGS)
        .map(|(item, (sum, n))| (item, sum / n as f64, n))
        .collect();
    items.sort_by(|a, b| {
        let by_mean = if best {
            b.1.total_cmp(&a.1)
        } else {
            a.1.total_cmp(&b.1)
        };
        by_mean.then(b.2.cmp(&a.2)).then(a.0.cmp(&b.0))
    });
    let mut targets: Vec<u32> = items
        .into_iter()
        .take(count)
        .map(|(item, ..)| item)
        .collect();
    targets.sort_unstable();
    targets
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
    fn camouflaged_sybils_copy_honest_ratings_of_items_other_than_the_targets() {
        let mut edges = vec![trust(0, 1), trust(1, 2)]; // 0 -> 1 -> 2
                                                        // Honest person 0 rated items 0..40 from 1 to 5 in turn; item 5 is a target.
        let honest: Vec<Rating> = (0..40)
            .map(|item| Rating {
                rater: 0,
                item,
                value: f64::from(1 + item % 5),
            })
            .collect();
        let mut train = honest.clone();
        let attack = Attack {
            kind: AttackKind::Camouflage,
            sybils: 3,
            attack_edges: 1,
        };
        inject(&attack, 3, &mut edges, &mut train, &[5], 10.0, 1);
        for sybil in 3..6 {
            let rated: Vec<&Rating> = train.iter().filter(|r| r.rater == sybil).collect();
            let copied: Vec<&&Rating> = rated.iter().filter(|r| r.item != 5).collect();
            assert_eq!(copied.len(), CAMOUFLAGE, "sybil {sybil}");
            // Each copy is an honest rating, item and value; the target is rated at the top.
            assert!(copied.iter().all(|c| honest
                .iter()
                .any(|h| h.item == c.item && h.value == c.value)));
            assert!(rated.iter().any(|r| r.item == 5 && r.value == 10.0));
        }
    }

    #[test]
    fn sybils_trust_each_other_rate_every_target_and_are_reached_by_the_attack_edges_only() {
        let mut edges = vec![trust(0, 1), trust(1, 2)]; // 0 -> 1 -> 2
        let mut train = Vec::new();
        let attack = Attack {
            kind: AttackKind::Ring,
            sybils: 4,
            attack_edges: 1,
        };
        inject(&attack, 3, &mut edges, &mut train, &[5, 6], 10.0, 1);
        assert_eq!(train.len(), 8);
        assert!(train.iter().all(|r| r.rater >= 3 && r.value == 10.0));
        let into_ring: Vec<_> = edges.iter().filter(|e| e.from < 3 && e.to >= 3).collect();
        assert_eq!(into_ring.len(), 1);
        // Each of 4 sybils trusts the 3 others (10 capped at sybils - 1), and one attack edge.
        assert_eq!(edges.len(), 2 + 4 * 3 + 1);
        assert!(edges.iter().all(|e| e.from != e.to));
    }

    #[test]
    fn a_star_sends_every_attack_edge_to_its_hub_and_a_popular_entry_starts_at_the_most_trusted() {
        // 0 -> 2, 1 -> 2, 2 -> 0: person 2 is trusted by two, person 0 by one.
        let honest = vec![trust(0, 2), trust(1, 2), trust(2, 0)];
        let mut edges = honest.clone();
        let star = Attack {
            kind: AttackKind::Star,
            sybils: 5,
            attack_edges: 2,
        };
        inject(&star, 3, &mut edges, &mut Vec::new(), &[0], 1.0, 9);
        let entries: Vec<_> = edges.iter().filter(|e| e.from < 3 && e.to >= 3).collect();
        assert_eq!(entries.len(), 2);
        assert!(
            entries.iter().all(|e| e.to == 3),
            "the hub is the first sybil"
        );
        let mut edges = honest;
        let popular = Attack {
            kind: AttackKind::Popular,
            sybils: 5,
            attack_edges: 2,
        };
        inject(&popular, 3, &mut edges, &mut Vec::new(), &[0], 1.0, 9);
        let mut from: Vec<u32> = edges
            .iter()
            .filter(|e| e.from < 3 && e.to >= 3)
            .map(|e| e.from)
            .collect();
        from.sort_unstable();
        assert_eq!(from, vec![0, 2], "the two most trusted honest people");
    }

    #[test]
    fn targets_are_the_worst_or_best_liked_items_with_enough_ratings() {
        let rate = |rater, item, value| Rating { rater, item, value };
        let mut train = Vec::new();
        for rater in 0..3 {
            train.push(rate(rater, 0, 1.0)); // item 0: mean 1
            train.push(rate(rater, 1, 5.0)); // item 1: mean 5
            train.push(rate(rater, 2, 3.0)); // item 2: mean 3
        }
        train.push(rate(0, 3, 0.0)); // item 3: one rating only, never a target
        let test: Vec<Rating> = (0..4).map(|item| rate(9, item, 2.0)).collect();
        assert_eq!(pick_targets(&train, &test, 2, false), vec![0, 2]);
        assert_eq!(pick_targets(&train, &test, 1, true), vec![1]);
    }
}
