//! Remembered walks: reused when nothing they went through changed, dropped the moment
//! something did, and never a different answer from a fresh push.

use proptest::collection::vec;
use proptest::prelude::*;

use crate::domain::{PersonId, Stance, TrustLevel, Visibility};

use super::fixtures::*;
use super::{
    compute_prior, explain_provider, rank_providers_for, Audience, Prior, RankParams,
    RankedProvider, TrustGraph,
};

fn tilers(graph: &TrustGraph, seeker: PersonId, audience: Audience) -> Vec<RankedProvider> {
    tilers_with(graph, seeker, audience, &RankParams::default())
}

fn tilers_with(
    graph: &TrustGraph,
    seeker: PersonId,
    audience: Audience,
    params: &RankParams,
) -> Vec<RankedProvider> {
    tilers_near(graph, seeker, audience, params, None)
}

fn tilers_near(
    graph: &TrustGraph,
    seeker: PersonId,
    audience: Audience,
    params: &RankParams,
    near: Option<(f64, f64)>,
) -> Vec<RankedProvider> {
    let mut query = search(Some(seeker), TILING);
    query.audience = audience;
    query.near = near;
    rank_providers_for(graph, &Prior::empty(), &query, params)
}

/// Anna -> Matt -> Mario Tiles, and a far-off pair who never meet Anna's walk.
fn annas_town() -> TrustGraph {
    let mut graph = cast();
    trust(&mut graph, ANNA, MATT, 3, PUBLIC); // Anna -> Matt, completely
    recommend(&mut graph, MATT, MARIO_TILES, PUBLIC); // Matt -> Mario Tiles
    trust(&mut graph, DORA, EMIL, 2, PUBLIC); // Dora -> Emil: nobody Anna reaches
    graph
}

#[test]
fn a_second_search_by_the_same_seeker_reuses_the_walk() {
    let graph = annas_town();
    let first = tilers(&graph, ANNA, Audience::Seeker);
    let second = tilers(&graph, ANNA, Audience::Seeker);

    assert_eq!(first, second);
    let stats = graph.walk_cache_stats();
    assert_eq!((stats.walks, stats.misses, stats.hits), (1, 1, 1));
}

#[test]
fn a_new_vouch_by_someone_the_walk_reached_is_seen_at_once_and_a_far_one_changes_nothing() {
    let mut graph = annas_town();
    let before = tilers(&graph, ANNA, Audience::Seeker);
    assert_eq!(result_for(&before, MARIO_TILES).counts.network_warn, 0);

    warn(&mut graph, EMIL, MARIO_TILES, PUBLIC); // Emil -> Mario Tiles: Anna's walk never reaches Emil
    let far = tilers(&graph, ANNA, Audience::Seeker);
    let mario = result_for(&far, MARIO_TILES);
    assert_eq!(
        mario.counts.network_warn, 0,
        "Emil is not in Anna's network"
    );
    assert_eq!(mario.counts.public_warn, 1, "but his warning is public");
    assert_eq!(mario.score, result_for(&before, MARIO_TILES).score);
    assert_eq!(far, tilers(&graph.clone(), ANNA, Audience::Seeker));

    warn(&mut graph, MATT, LUIGI_TILES, PUBLIC); // Matt -> Luigi Tiles: Matt is on Anna's walk
    let near = tilers(&graph, ANNA, Audience::Seeker);
    assert_eq!(result_for(&near, LUIGI_TILES).counts.network_warn, 1);
    assert_eq!(
        graph.walk_cache_stats().misses,
        1,
        "the walk itself was still exact"
    );
    assert_eq!(near, tilers(&graph.clone(), ANNA, Audience::Seeker));

    graph.remove_vouch(MATT, MARIO_TILES, TILING); // Matt takes back his vouch for Mario Tiles
    let taken_back = tilers(&graph, ANNA, Audience::Seeker);
    assert_eq!(
        result_for(&taken_back, MARIO_TILES)
            .counts
            .network_recommend,
        0
    );
    assert_eq!(taken_back, tilers(&graph.clone(), ANNA, Audience::Seeker));
}

#[test]
fn a_change_far_from_the_walk_keeps_it_and_one_on_its_way_is_seen_at_once() {
    let mut graph = annas_town();
    tilers(&graph, ANNA, Audience::Seeker);

    trust(&mut graph, EMIL, DORA, 1, PUBLIC); // Emil -> Dora: still nowhere near Anna
    recommend(&mut graph, EMIL, LUIGI_TILES, PUBLIC); // Emil -> Luigi Tiles: not on her walk
    let unchanged = tilers(&graph, ANNA, Audience::Seeker);
    assert_eq!(graph.walk_cache_stats().hits, 1, "the walk was still exact");
    assert!(result_for(&unchanged, LUIGI_TILES).paths.is_empty());

    trust(&mut graph, MATT, EMIL, 3, PUBLIC); // Matt -> Emil: now Anna's walk reaches Emil
    let changed = tilers(&graph, ANNA, Audience::Seeker);
    assert_eq!(
        graph.walk_cache_stats().misses,
        2,
        "Matt's change reached the walk"
    );
    assert_eq!(
        path_names(result_for(&changed, LUIGI_TILES)),
        vec![vec!["Matt", "Emil"]]
    );
    assert_eq!(changed, tilers(&graph.clone(), ANNA, Audience::Seeker));
}

#[test]
fn someone_who_starts_trusting_the_seeker_privately_or_not_reaches_the_walk() {
    let mut graph = annas_town();
    trust(&mut graph, MATT, BEA, 1, NETWORK); // Matt -> Bea, network only
    recommend(&mut graph, BEA, LUIGI_TILES, PUBLIC); // Bea -> Luigi Tiles
    let before = tilers(&graph, ANNA, Audience::Seeker);
    assert!(
        result_for(&before, LUIGI_TILES).paths.is_empty(),
        "Anna cannot see Matt -> Bea"
    );

    trust(&mut graph, MATT, ANNA, 2, PUBLIC); // Matt -> Anna: now his network edges show
    let after = tilers(&graph, ANNA, Audience::Seeker);
    assert_eq!(
        path_names(result_for(&after, LUIGI_TILES)),
        vec![vec!["Matt", "Bea"]]
    );
}

#[test]
fn a_new_edge_out_of_someone_two_hops_out_reaches_the_remembered_paths() {
    // A coarse epsilon stops the push at Matt (his 0.4 of residual is under 0.08 for each of
    // his six edges), so the walk never touches Carl, two hops out; but Carl is in the
    // explanation paths' second layer, and an edge out of him can make a stronger path.
    let params = RankParams {
        epsilon: 0.08,
        ..RankParams::default()
    };
    let mut graph = cast();
    trust(&mut graph, ANNA, MATT, 3, PUBLIC); // Anna -> Matt: 4/5 of her walk
    trust(&mut graph, ANNA, MARIO, 1, PUBLIC); // Anna -> Mario: 1/5, pushed (no edges out)
    trust(&mut graph, MATT, CARL, 3, PUBLIC); // Matt -> Carl: 4/9 of his
    for other in [BEA, DORA, EMIL, LUIGI, MARIO] {
        trust(&mut graph, MATT, other, 1, PUBLIC); // Matt -> the rest: 1/9 each
    }
    recommend(&mut graph, MARIO, MARIO_TILES, PUBLIC); // Mario -> Mario Tiles
    let why = |graph: &TrustGraph| {
        let explanation = explain_provider(
            graph,
            &Prior::empty(),
            Some(ANNA),
            Audience::Seeker,
            MARIO_TILES,
            Some(TILING),
            &params,
        )
        .unwrap();
        explanation.paths[0]
            .hops
            .iter()
            .map(|hop| hop.name.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(why(&graph), ["Mario"], "1/5, the only path");

    trust(&mut graph, CARL, MARIO, 3, PUBLIC); // Carl -> Mario: 4/5 * 4/9 * 1 beats 1/5
    assert_eq!(why(&graph), ["Matt", "Carl", "Mario"]);
    assert_eq!(why(&graph), why(&graph.clone()), "as a fresh graph says");
}

#[test]
fn a_partner_and_the_seeker_never_share_a_walk() {
    let mut graph = annas_town();
    trust(&mut graph, ANNA, BEA, 3, PRIVATE); // Anna -> Bea, private
    recommend(&mut graph, BEA, LUIGI_TILES, PUBLIC); // Bea -> Luigi Tiles

    let own = tilers(&graph, ANNA, Audience::Seeker);
    let partner = tilers(&graph, ANNA, Audience::Partner);

    assert_eq!(path_names(result_for(&own, LUIGI_TILES)), vec![vec!["Bea"]]);
    assert!(
        result_for(&partner, LUIGI_TILES).paths.is_empty(),
        "a partner never sees it"
    );
    assert_eq!(graph.walk_cache_stats().walks, 2);
}

#[test]
fn the_budget_bounds_what_is_remembered() {
    let mut graph = annas_town();
    graph.set_walk_cache_bytes(300);
    for seeker in [ANNA, MATT, BEA, CARL, DORA, EMIL, MARIO, LUIGI] {
        tilers(&graph, seeker, Audience::Seeker);
    }
    let stats = graph.walk_cache_stats();
    assert!(stats.bytes <= 300, "{stats:?}");
    assert!(stats.walks < 8, "{stats:?}");
}

/// One change to a small town of eight: (from, to, level 1..=3 or 0 to remove, visibility).
type Change = (i64, i64, u8, usize);

const VISIBILITIES: [Visibility; 3] =
    [Visibility::Public, Visibility::Network, Visibility::Private];

fn apply(graph: &mut TrustGraph, (from, to, level, visibility): Change) {
    let (from, to) = (PersonId(1 + from % 8), PersonId(1 + to % 8));
    if from == to {
        return;
    }
    match TrustLevel::new(level) {
        Some(level) => graph
            .set_trust(from, to, level, VISIBILITIES[visibility % 3])
            .unwrap(),
        None => {
            graph.remove_trust(from, to);
        }
    }
}

/// A vouch change: (person, provider, stance or removal, visibility).
type VouchChange = (i64, usize, u8, usize);

fn apply_vouch(graph: &mut TrustGraph, (person, provider, stance, visibility): VouchChange) {
    let person = PersonId(1 + person % 8);
    let provider = [MARIO_TILES, LUIGI_TILES, STRANGER_TILES][provider % 3];
    let stance = match stance % 3 {
        0 => Stance::Recommend,
        1 => Stance::Warn,
        _ => {
            graph.remove_vouch(person, provider, TILING);
            return;
        }
    };
    graph
        .set_vouch(
            person,
            provider,
            TILING,
            stance,
            VISIBILITIES[visibility % 3],
            1.0,
        )
        .unwrap();
}

proptest! {
    #[test]
    fn every_remembered_answer_equals_a_fresh_push(
        start in vec((0i64..8, 0i64..8, 1u8..=3, 0usize..3), 0..24),
        vouches in vec((0i64..8, 0usize..3, any::<bool>()), 0..10),
        steps in vec((
            vec((0i64..8, 0i64..8, 0u8..=3, 0usize..3), 0..3),
            vec((0i64..8, 0usize..3, 0u8..3, 0usize..3), 0..3),
            0i64..8,
            any::<bool>(),
            prop::option::of(prop::sample::select(vec![PARIS, LONDON])),
        ), 1..12),
        coarse in 0usize..3,
    ) {
        let mut graph = cast();
        for change in start {
            apply(&mut graph, change);
        }
        for (person, provider, warn) in vouches {
            let provider = [MARIO_TILES, LUIGI_TILES, STRANGER_TILES][provider];
            let stance = if warn { Stance::Warn } else { Stance::Recommend };
            graph
                .set_vouch(PersonId(1 + person), provider, TILING, stance, Visibility::Public, 1.0)
                .unwrap();
        }
        // A coarse epsilon stops the push early, so that people two hops out (whose edges
        // the remembered explanation paths read) are often left untouched by the walk.
        let params = RankParams {
            epsilon: [1e-5, 0.05, 0.15][coarse],
            ..RankParams::default()
        };
        let prior = compute_prior(&graph, &[], &params);
        for (changes, vouch_changes, seeker, partner, near) in steps {
            for change in changes {
                apply(&mut graph, change);
            }
            for change in vouch_changes {
                apply_vouch(&mut graph, change);
            }
            let seeker = PersonId(1 + seeker);
            let audience = if partner { Audience::Partner } else { Audience::Seeker };
            // A clone starts with nothing remembered, so it always pushes afresh.
            let fresh = graph.clone();
            prop_assert_eq!(
                tilers_near(&graph, seeker, audience, &params, near),
                tilers_near(&fresh, seeker, audience, &params, near)
            );
            let explain = |g: &TrustGraph| {
                explain_provider(g, &prior, Some(seeker), audience, MARIO_TILES, Some(TILING), &params)
            };
            prop_assert_eq!(explain(&graph), explain(&fresh));
        }
    }
}
