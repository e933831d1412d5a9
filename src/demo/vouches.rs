//! Who vouches for whom: mostly customers living near the firm, some through word of mouth
//! (a voucher's friend hires the same firm), some people who know the owner personally.

use std::collections::HashSet;

use rand::distributions::{Distribution, WeightedIndex};
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::domain::{Stance, Visibility};

use super::edges::TrustEdges;
use super::geography::distance_km;
use super::notes::vouch_note;
use super::random::pareto;
use super::town::{DemoPerson, DemoProvider, DemoVouch};

/// Share of a firm's vouchers who know the owner rather than hired them.
const KNOWS_OWNER: f64 = 0.15;
/// Share found by word of mouth: someone who trusts, or is trusted by, an earlier voucher.
const WORD_OF_MOUTH: f64 = 0.3;
/// Share of firms that are notably bad: most of their vouches warn.
const BAD_FIRMS: f64 = 0.1;
/// Probability that a vouch for a bad firm warns.
const BAD_FIRM_WARNS: f64 = 0.75;
/// Probability that a vouch for an ordinary firm warns: even good firms have bad days.
/// With [`BAD_FIRMS`] this makes about 15% of all vouches warnings.
const GOOD_FIRM_WARNS: f64 = 0.08;
/// Customers' weight falls off with distance on this scale: the nearer, the likelier.
const CUSTOMER_DISTANCE_KM: f64 = 2.0;

/// Who may vouch for what.
pub struct VouchRules<'a> {
    /// People who vouch for nothing (indexed by person).
    pub silent: &'a [bool],
    /// People who vouch for no tiler (indexed by person).
    pub no_tilers: &'a [bool],
    /// Providers that get no generated vouches.
    pub closed: &'a [usize],
    /// Providers that are never bad.
    pub good: &'a [usize],
}

/// Appends generated vouches to `vouches`, which may already hold some (the story's). Never
/// an owner for their own firm, never a second vouch for the same (person, provider, trade),
/// and always for a trade the firm offers.
pub fn add_vouches(
    rng: &mut ChaCha8Rng,
    people: &[DemoPerson],
    providers: &[DemoProvider],
    edges: &TrustEdges,
    rules: &VouchRules<'_>,
    vouches: &mut Vec<DemoVouch>,
) {
    let mut seen: HashSet<(usize, usize, &str)> = vouches
        .iter()
        .map(|v| (v.person, v.provider, v.trade))
        .collect();
    for (index, firm) in providers.iter().enumerate() {
        if rules.closed.contains(&index) {
            continue;
        }
        let warn_odds = if !rules.good.contains(&index) && rng.gen_bool(BAD_FIRMS) {
            BAD_FIRM_WARNS
        } else if rules.good.contains(&index) {
            0.0
        } else {
            GOOD_FIRM_WARNS
        };
        let centre = (firm.lat, firm.lon);
        let nearby: Vec<(usize, f64)> = people
            .iter()
            .enumerate()
            .filter(|&(p, _)| p != firm.owner && !rules.silent[p])
            .filter_map(|(p, person)| {
                let km = distance_km(centre, (person.lat, person.lon));
                (km <= firm.radius_km).then(|| (p, (-km / CUSTOMER_DISTANCE_KM).exp()))
            })
            .collect();
        let Ok(customers) = WeightedIndex::new(nearby.iter().map(|&(_, w)| w)) else {
            continue;
        };
        let acquaintances: Vec<usize> = edges
            .trusters(firm.owner)
            .iter()
            .chain(edges.trustees(firm.owner))
            .copied()
            .collect();
        // Popularity is heavy-tailed too: most firms have a handful of vouches, a few dozens.
        let wanted = pareto(rng, 5.0, 1.7).round().min(60.0) as usize;
        let mut vouchers: Vec<usize> = Vec::new();
        for _ in 0..wanted {
            for _attempt in 0..6 {
                let roll: f64 = rng.gen();
                let person = if roll < KNOWS_OWNER {
                    acquaintances.choose(rng).copied()
                } else if roll < KNOWS_OWNER + WORD_OF_MOUTH && !vouchers.is_empty() {
                    let friend = *vouchers.choose(rng).expect("not empty");
                    let circle = if rng.gen_bool(0.5) {
                        edges.trustees(friend)
                    } else {
                        edges.trusters(friend)
                    };
                    circle.choose(rng).copied().filter(|&p| {
                        distance_km(centre, (people[p].lat, people[p].lon)) <= firm.radius_km
                    })
                } else {
                    Some(nearby[customers.sample(rng)].0)
                };
                let Some(person) = person.filter(|&p| p != firm.owner && !rules.silent[p]) else {
                    continue;
                };
                let trade = match firm.trades.get(1) {
                    Some(&second) if rng.gen_bool(0.35) => second,
                    _ => firm.trades[0],
                };
                if (trade == "tiler" && rules.no_tilers[person])
                    || !seen.insert((person, index, trade))
                {
                    continue;
                }
                let stance = if rng.gen_bool(warn_odds) {
                    Stance::Warn
                } else {
                    Stance::Recommend
                };
                vouches.push(DemoVouch {
                    person,
                    provider: index,
                    trade,
                    stance,
                    visibility: vouch_visibility(rng),
                    note: vouch_note(rng, trade, stance),
                });
                vouchers.push(person);
                break;
            }
        }
    }
}

/// Vouches are a little more often public than trust edges: a review is meant to be read.
fn vouch_visibility(rng: &mut ChaCha8Rng) -> Visibility {
    match rng.gen_range(0..100) {
        0..=84 => Visibility::Public,
        85..=96 => Visibility::Network,
        _ => Visibility::Private,
    }
}
