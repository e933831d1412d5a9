//! Putting the town together: people, firms, the trust graph, the story, pre-trusted
//! residents and vouches, all from one seed.

use std::cmp::Reverse;

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::domain::{Stance, Visibility};

use super::edges::TrustEdges;
use super::geography::hood_index;
use super::notes::STAR_NOTES;
use super::people::add_residents;
use super::providers::add_firms;
use super::social::{grow_crowd, grow_town};
use super::story::{self, ANNA, BEN, PREMIER_TILES, SLOW_TILER, STELLA};
use super::town::{DemoTown, DemoVouch};
use super::vouches::{add_vouches, VouchRules};

/// How many people the town has, the story's included.
pub const PEOPLE: usize = 2_000;
/// How many firms, the story's included.
pub const PROVIDERS: usize = 250;
/// The seed `seed-demo` uses, so every demo database is the same town.
pub const DEMO_SEED: u64 = 20_260_101;
/// Residents of the stranger's crowd (Stella comes on top).
const CROWD: usize = 40;
/// How many of them give Premier Tiles & Stars five stars.
const STAR_VOUCHERS: usize = 36;
/// How many Redland neighbours Anna trusts besides Matt.
const ANNAS_NEIGHBOURS: usize = 3;
/// One pre-trusted, long-standing resident in each of these: the global prior's seeds, spread
/// over the town so that no single neighbourhood's opinion becomes everyone's default.
const PRE_TRUSTED_HOODS: [&str; 8] = [
    "Clifton",
    "Redland",
    "Bedminster",
    "Easton",
    "Bishopston",
    "Frome Vale",
    "Knowle",
    "Kingswood",
];

/// Generates the demo town for `seed`. Deterministic: ChaCha8 draws are the same on every
/// platform, and the only other inputs are the embedded lists, so the same seed gives the same
/// town on the same platform. (`f64::ln`, `exp` and `cos` come from the platform's maths
/// library, whose last bit could in principle differ elsewhere and nudge a draw.)
///
/// # Complexity
/// O(people * providers) for choosing customers near each firm, O(E) for the rest; tens of
/// milliseconds for the demo's sizes.
pub fn generate(seed: u64) -> DemoTown {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut people = story::people();
    let residents_wanted = PEOPLE - people.len();
    add_residents(&mut rng, &mut people, residents_wanted);

    // Roles are dealt from a shuffled list of the generated residents.
    let mut residents: Vec<usize> = (story::STORY_ACCOUNTS.len()..PEOPLE).collect();
    residents.shuffle(&mut rng);
    let east = [hood_index("Kingswood"), hood_index("St George")];
    let is_east = |p: usize| east.contains(&people[p].hood);
    let crowd: Vec<usize> = std::iter::once(STELLA)
        .chain(
            residents
                .iter()
                .copied()
                .filter(|&p| is_east(p))
                .take(CROWD),
        )
        .collect();
    let in_crowd = mask(PEOPLE, &crowd);
    let owners: Vec<usize> = residents
        .iter()
        .copied()
        .filter(|&p| !in_crowd[p])
        .take(PROVIDERS - story::providers().len())
        .collect();
    let mut providers = story::providers();
    add_firms(&mut rng, &people, &owners, &mut providers);
    // The slow tiler takes the last firm's place rather than being added: every draw above and
    // below stays as it was, and so does the rest of the town.
    let slow_owner = providers[SLOW_TILER].owner;
    providers[SLOW_TILER] = story::slow_tiler(slow_owner);

    // The town's graph first: everyone but the crowd and the story's two seekers, who join
    // only through the story's own edges.
    let town: Vec<usize> = (0..PEOPLE)
        .filter(|&p| !in_crowd[p] && p != ANNA && p != BEN)
        .collect();
    let mut edges = TrustEdges::new(PEOPLE);
    grow_town(&mut rng, &people, &town, &mut edges);
    let neighbours = annas_neighbours(&mut rng, &people, &residents, &in_crowd, &edges);
    for edge in story::trust_edges(&neighbours) {
        edges.set(edge);
    }

    // The crowd joins last. From outside, only eastern residents at least 3 hops from Anna
    // may trust its members, so every member is at least 4 hops from her.
    let hops = edges.hops_from(ANNA);
    let locals: Vec<usize> = town.iter().copied().filter(|&p| is_east(p)).collect();
    let far_locals: Vec<usize> = locals
        .iter()
        .copied()
        .filter(|&p| hops[p].is_none_or(|h| h >= 3))
        .collect();
    grow_crowd(&mut rng, &crowd, &locals, &far_locals, &mut edges);

    for hood in PRE_TRUSTED_HOODS {
        let hood = hood_index(hood);
        let best = town
            .iter()
            .copied()
            .filter(|&p| p >= story::STORY_ACCOUNTS.len() && people[p].hood == hood)
            .max_by_key(|&p| (edges.trusters(p).len(), Reverse(p)));
        if let Some(best) = best {
            people[best].pre_trusted = true;
        }
    }

    // Anna's circle (two hops) vouches for no tiler but Matt's Rossi Tiling (and, added last,
    // one neighbour's network-only word for the slow tiler), so her search shows the story
    // plainly; the crowd's only tiler is Premier.
    let hops = edges.hops_from(ANNA);
    let no_tilers: Vec<bool> = (0..PEOPLE)
        .map(|p| hops[p].is_some_and(|h| h <= 2) || in_crowd[p])
        .collect();
    let silent = mask(PEOPLE, &[ANNA, BEN]);
    let mut vouches = story::vouches();
    vouches.extend(star_vouches(&mut rng, &crowd));
    let rules = VouchRules {
        silent: &silent,
        no_tilers: &no_tilers,
        closed: &[PREMIER_TILES, SLOW_TILER],
        good: &[story::HUGHES_JOINERY, story::ROSSI_TILING],
    };
    add_vouches(&mut rng, &people, &providers, &edges, &rules, &mut vouches);
    // Last, so that no draw moves: no randomness in it.
    if let Some(voucher) = story::slow_tiler_voucher(&neighbours, slow_owner) {
        vouches.push(story::slow_tiler_vouch(voucher));
    }

    DemoTown {
        people,
        providers,
        trust: edges.into_vec(),
        vouches,
    }
}

/// `true` at each of `members`, among `len`.
fn mask(len: usize, members: &[usize]) -> Vec<bool> {
    let mut mask = vec![false; len];
    for &m in members {
        mask[m] = true;
    }
    mask
}

/// Anna's Redland neighbours: ordinary residents with a modest circle (3 to 8 trustees), so
/// that her two-hop circle stays a neighbourhood rather than half the town.
fn annas_neighbours(
    rng: &mut ChaCha8Rng,
    people: &[super::town::DemoPerson],
    residents: &[usize],
    in_crowd: &[bool],
    edges: &TrustEdges,
) -> Vec<usize> {
    let redland = hood_index("Redland");
    let mut candidates: Vec<usize> = residents
        .iter()
        .copied()
        .filter(|&p| {
            people[p].hood == redland && !in_crowd[p] && (3..=8).contains(&edges.trustees(p).len())
        })
        .collect();
    candidates.truncate(ANNAS_NEIGHBOURS * 4);
    candidates.shuffle(rng);
    candidates.truncate(ANNAS_NEIGHBOURS);
    debug_assert_eq!(
        candidates.len(),
        ANNAS_NEIGHBOURS,
        "Redland has enough residents"
    );
    candidates
}

/// The crowd's five-star reviews of Premier Tiles & Stars: public, glowing, short.
fn star_vouches(rng: &mut ChaCha8Rng, crowd: &[usize]) -> Vec<DemoVouch> {
    crowd
        .iter()
        .copied()
        .filter(|&p| p != STELLA)
        .take(STAR_VOUCHERS)
        .map(|person| DemoVouch {
            person,
            provider: PREMIER_TILES,
            trade: "tiler",
            stance: Stance::Recommend,
            visibility: Visibility::Public,
            note: STAR_NOTES.choose(rng).expect("not empty").to_string(),
        })
        .collect()
}
