//! Growing the trust graph the way acquaintance networks grow.
//!
//! Three mechanisms, each known to produce one feature of real social networks:
//!
//! * preferential attachment (Barabási and Albert, 1999): a new edge goes to a person with
//!   probability proportional to their "fitness" plus the edges they already have, so a few
//!   well-known residents collect many (a heavy-tailed in-degree). Fitness is Pareto-distributed
//!   (Bianconi and Barabási, 2001), which keeps the tail heavy without a growth order;
//! * triadic closure (Holme and Kim, 2002): many edges go to a friend of a friend, which gives
//!   the high clustering of acquaintance graphs;
//! * locality: most of the rest stay in the person's neighbourhood.
//!
//! Out-degree budgets are log-normal (most people trust a handful, a few trust dozens), and
//! some edges are returned, as friendships often are.

use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::edges::TrustEdges;
use super::random::{log_normal, pareto, trust_level, visibility};
use super::town::{DemoPerson, DemoTrust};

/// Share of new edges that close a triangle (go to a friend of a friend).
const CLOSE_TRIANGLE: f64 = 0.45;
/// Share that goes to someone in the same neighbourhood; the rest go anywhere in town.
const SAME_HOOD: f64 = 0.42;
/// Probability that the trustee trusts back.
const RECIPROCATE: f64 = 0.3;
/// Attempts to find a new trustee before giving up on one edge (the picks can repeat).
const ATTEMPTS: usize = 8;

/// A Pólya urn: a person appears once per unit of fitness and once per edge received, so a
/// uniform draw from it is a preferential-attachment draw in O(1).
#[derive(Default)]
struct Urn(Vec<usize>);

impl Urn {
    fn draw(&self, rng: &mut ChaCha8Rng) -> Option<usize> {
        self.0.choose(rng).copied()
    }
}

/// Grows trust edges among `members` (indexes into `people`): the town's ordinary residents.
///
/// # Complexity
/// O(E) expected: each edge costs a bounded number of O(1) draws.
pub fn grow_town(
    rng: &mut ChaCha8Rng,
    people: &[DemoPerson],
    members: &[usize],
    edges: &mut TrustEdges,
) {
    let hoods = super::geography::NEIGHBOURHOODS.len();
    let mut member = vec![false; people.len()];
    let mut by_hood: Vec<Urn> = (0..hoods).map(|_| Urn::default()).collect();
    let mut town = Urn::default();
    let mut budget = vec![0usize; people.len()];
    for &person in members {
        member[person] = true;
        // Capped so one celebrity does not swallow the demo; 25 is a popular publican.
        let fitness = pareto(rng, 1.0, 1.5).min(25.0) as usize;
        for _ in 0..fitness {
            by_hood[people[person].hood].0.push(person);
            town.0.push(person);
        }
        budget[person] = log_normal(rng, 4.2, 0.75).round().clamp(1.0, 60.0) as usize;
    }

    // Round-robin, one edge per person per round, so friends-of-friends exist by the time
    // most edges are drawn.
    let mut order = members.to_vec();
    order.shuffle(rng);
    let rounds = order.iter().map(|&p| budget[p]).max().unwrap_or(0);
    for round in 0..rounds {
        for &truster in &order {
            if budget[truster] <= round {
                continue;
            }
            let Some(trustee) =
                pick_trustee(rng, people, edges, &by_hood, &town, truster).filter(|&t| member[t])
            else {
                continue;
            };
            connect(rng, edges, truster, trustee);
            by_hood[people[trustee].hood].0.push(trustee);
            town.0.push(trustee);
            if rng.gen_bool(RECIPROCATE) && connect(rng, edges, trustee, truster) {
                by_hood[people[truster].hood].0.push(truster);
                town.0.push(truster);
            }
        }
    }
}

/// A new trustee for `truster`: a friend of a friend, a neighbour or anyone, by preferential
/// attachment; `None` if every attempt hit an existing edge.
fn pick_trustee(
    rng: &mut ChaCha8Rng,
    people: &[DemoPerson],
    edges: &TrustEdges,
    by_hood: &[Urn],
    town: &Urn,
    truster: usize,
) -> Option<usize> {
    for _ in 0..ATTEMPTS {
        let roll: f64 = rng.gen();
        let candidate = if roll < CLOSE_TRIANGLE {
            edges
                .trustees(truster)
                .choose(rng)
                .and_then(|&friend| edges.trustees(friend).choose(rng).copied())
        } else if roll < CLOSE_TRIANGLE + SAME_HOOD {
            by_hood[people[truster].hood].draw(rng)
        } else {
            town.draw(rng)
        };
        if let Some(c) = candidate.filter(|&c| c != truster && !edges.contains(truster, c)) {
            return Some(c);
        }
    }
    None
}

/// Adds a trust edge with a drawn level and visibility; says whether it was new.
fn connect(rng: &mut ChaCha8Rng, edges: &mut TrustEdges, truster: usize, trustee: usize) -> bool {
    edges.add(DemoTrust {
        truster,
        trustee,
        level: trust_level(rng),
        visibility: visibility(rng),
    })
}

/// Grows the stranger's crowd: a tight group (`crowd`) whose members mostly trust each other
/// and some of their neighbours (`locals`), and whom only `outsiders` (neighbours far from the
/// seeker) trust from outside. Nobody else gains an edge into the crowd, which is what keeps
/// it more than three hops from the seeker.
pub fn grow_crowd(
    rng: &mut ChaCha8Rng,
    crowd: &[usize],
    locals: &[usize],
    outsiders: &[usize],
    edges: &mut TrustEdges,
) {
    let mut urn = Urn(crowd.to_vec());
    for _round in 0..6 {
        for &member in crowd {
            let roll: f64 = rng.gen();
            let candidate = if roll < 0.35 {
                edges
                    .trustees(member)
                    .iter()
                    .filter(|t| crowd.contains(t))
                    .copied()
                    .collect::<Vec<_>>()
                    .choose(rng)
                    .and_then(|&friend| edges.trustees(friend).choose(rng).copied())
                    .filter(|c| crowd.contains(c))
            } else if roll < 0.8 {
                urn.draw(rng)
            } else {
                locals.choose(rng).copied()
            };
            if let Some(trustee) = candidate {
                if connect(rng, edges, member, trustee) && crowd.contains(&trustee) {
                    urn.0.push(trustee);
                }
            }
        }
    }
    for &outsider in outsiders {
        if rng.gen_bool(0.3) {
            if let Some(member) = urn.draw(rng) {
                connect(rng, edges, outsider, member);
            }
        }
    }
}
