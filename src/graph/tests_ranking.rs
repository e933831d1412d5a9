//! Ranking stories on hand-built graphs, small enough to check by eye.

use crate::domain::{PersonId, Stance};

use super::fixtures::*;
use super::{
    compute_prior, explain_provider, rank_providers_for, reach_by_hops, Audience, Prior,
    ProviderInfo, RankParams, SearchQuery,
};

#[test]
fn mario_ranks_first_for_anna_because_matt_recommends_him() {
    let mut graph = cast();
    trust(&mut graph, ANNA, MATT, 3, PUBLIC); // Anna -> Matt, trusts completely
    recommend(&mut graph, MATT, MARIO_TILES, PUBLIC); // Matt -> Mario Tiles, recommends

    // A town of a hundred people Anna has never met, each trusting the next around a circle;
    // eight of them recommend Stranger Tiles.
    for i in 0..100 {
        let (townsperson, next) = (PersonId(100 + i), PersonId(100 + (i + 1) % 100));
        trust(&mut graph, townsperson, next, 2, PUBLIC); // townsperson i -> i+1, judgement
        if i < 8 {
            recommend(&mut graph, townsperson, STRANGER_TILES, PUBLIC); // -> Stranger Tiles
        }
    }

    // No seeds: no global trust at all (never a uniform restart, which the town's eight
    // vouchers, or a crowd of fake accounts, would collect), so Matt's word decides.
    let results = tilers_for(&graph, Some(ANNA), &[]);

    assert_eq!(results[0].provider, MARIO_TILES);
    assert_eq!(path_names(&results[0]), vec![vec!["Matt"]]);
    assert_eq!(results[0].paths[0].voucher, MATT);
    assert_eq!(results[0].paths[0].stance, Stance::Recommend);
    assert_eq!(results[0].counts.network_recommend, 1);
    let stranger = result_for(&results, STRANGER_TILES);
    assert_eq!(stranger.prior, 0.0, "no seed, no public reputation");
    assert_eq!(results[0].prior, 0.0);
    assert_eq!(stranger.counts.network_recommend, 0);
    assert_eq!(stranger.counts.public_recommend, 8);
    assert!(stranger.score < results[0].score);
    assert!(stranger.paths.is_empty());
}

#[test]
fn a_warning_from_someone_you_trust_lowers_a_provider() {
    let mut graph = cast();
    trust(&mut graph, ANNA, MATT, 3, PUBLIC); // Anna -> Matt, trusts completely
    trust(&mut graph, ANNA, BEA, 3, PUBLIC); // Anna -> Bea, trusts completely
    trust(&mut graph, ANNA, CARL, 3, PUBLIC); // Anna -> Carl, trusts completely
    recommend(&mut graph, MATT, MARIO_TILES, PUBLIC); // Matt -> Mario Tiles, recommends
    recommend(&mut graph, BEA, LUIGI_TILES, PUBLIC); // Bea -> Luigi Tiles, recommends
    let before = tilers_for(&graph, Some(ANNA), &[ANNA]);
    // Equal evidence: the tie goes to the smaller provider id, Mario.
    assert_eq!(before[0].provider, MARIO_TILES);

    warn(&mut graph, CARL, MARIO_TILES, PUBLIC); // Carl -> Mario Tiles, warns
    let after = tilers_for(&graph, Some(ANNA), &[ANNA]);

    assert_eq!(after[0].provider, LUIGI_TILES);
    let mario = result_for(&after, MARIO_TILES);
    assert!(mario.score < before[0].score);
    assert_eq!(
        mario.personal, 0.0,
        "one warning outweighs one equal recommendation"
    );
    assert_eq!(mario.counts.network_warn, 1);
    assert_eq!(path_names(mario).len(), 2, "the warning is explained too");
}

#[test]
fn a_network_vouch_is_seen_only_by_people_the_voucher_trusts() {
    let mut graph = cast();
    trust(&mut graph, ANNA, MATT, 3, PUBLIC); // Anna -> Matt, trusts completely
    trust(&mut graph, BEA, MATT, 3, PUBLIC); // Bea -> Matt, trusts completely
    trust(&mut graph, MATT, ANNA, 2, PUBLIC); // Matt -> Anna, trusts her judgement
    trust(&mut graph, MATT, BEA, 1, PRIVATE); // Matt -> Bea, knows her, privately
    recommend(&mut graph, MATT, MARIO_TILES, NETWORK); // Matt -> Mario Tiles, for his network

    let for_anna = tilers_for(&graph, Some(ANNA), &[]);
    let mario = result_for(&for_anna, MARIO_TILES);
    assert!(mario.personal > 0.0);
    assert_eq!(mario.counts.network_recommend, 1);
    assert_eq!(path_names(mario), vec![vec!["Matt"]]);

    // Matt trusts Bea only privately, so she is not in his network: a private edge must not
    // reveal itself by what it shows its target.
    let for_bea = tilers_for(&graph, Some(BEA), &[]);
    let mario = result_for(&for_bea, MARIO_TILES);
    assert_eq!(mario.personal, 0.0);
    assert_eq!(mario.counts.network_recommend, 0);
    assert_eq!(mario.counts.public_recommend, 0);
    assert!(mario.paths.is_empty());
}

#[test]
fn a_network_trust_edge_is_walked_only_for_people_its_owner_trusts() {
    let mut graph = cast();
    trust(&mut graph, ANNA, MATT, 3, PUBLIC); // Anna -> Matt, trusts completely
    trust(&mut graph, BEA, MATT, 3, PUBLIC); // Bea -> Matt, trusts completely
    trust(&mut graph, MATT, ANNA, 1, PUBLIC); // Matt -> Anna, knows her
    trust(&mut graph, MATT, DORA, 3, NETWORK); // Matt -> Dora, completely, for his network
    recommend(&mut graph, DORA, LUIGI_TILES, PUBLIC); // Dora -> Luigi Tiles, recommends

    let for_anna = tilers_for(&graph, Some(ANNA), &[]);
    let luigi = result_for(&for_anna, LUIGI_TILES);
    assert!(luigi.personal > 0.0);
    assert_eq!(path_names(luigi), vec![vec!["Matt", "Dora"]]);

    let for_bea = tilers_for(&graph, Some(BEA), &[]);
    let luigi = result_for(&for_bea, LUIGI_TILES);
    assert_eq!(luigi.personal, 0.0);
    assert!(luigi.paths.is_empty());
}

#[test]
fn a_private_vouch_or_trust_edge_changes_nothing_for_another_seeker() {
    let mut graph = cast();
    trust(&mut graph, ANNA, MATT, 3, PUBLIC); // Anna -> Matt, trusts completely
    trust(&mut graph, BEA, MATT, 3, PUBLIC); // Bea -> Matt, trusts completely
    trust(&mut graph, MATT, ANNA, 2, PUBLIC); // Matt -> Anna, trusts her judgement
    trust(&mut graph, MATT, DORA, 2, PUBLIC); // Matt -> Dora, trusts her judgement
    recommend(&mut graph, DORA, MARIO_TILES, PUBLIC); // Dora -> Mario Tiles, recommends
    let before: Vec<_> = [ANNA, BEA, DORA]
        .map(|seeker| tilers_for(&graph, Some(seeker), &[ANNA]))
        .into();
    let matt_before = tilers_for(&graph, Some(MATT), &[ANNA]);

    trust(&mut graph, MATT, CARL, 3, PRIVATE); // Matt -> Carl, completely, privately
    recommend(&mut graph, MATT, LUIGI_TILES, PRIVATE); // Matt -> Luigi Tiles, privately
    warn(&mut graph, MATT, MARIO_TILES, PRIVATE); // Matt -> Mario Tiles, warns privately

    let after: Vec<_> = [ANNA, BEA, DORA]
        .map(|seeker| tilers_for(&graph, Some(seeker), &[ANNA]))
        .into();
    assert_eq!(after, before);
    // Matt himself sees his own private edges.
    let matt_after = tilers_for(&graph, Some(MATT), &[ANNA]);
    assert_ne!(matt_after, matt_before);
    assert_eq!(matt_after[0].provider, LUIGI_TILES);
}

#[test]
fn a_voucher_four_hops_away_counts_but_gets_no_path() {
    let mut graph = cast();
    trust(&mut graph, ANNA, BEA, 3, PUBLIC); // Anna -> Bea, trusts completely
    trust(&mut graph, BEA, CARL, 3, PUBLIC); // Bea -> Carl, trusts completely
    trust(&mut graph, CARL, DORA, 3, PUBLIC); // Carl -> Dora, trusts completely
    trust(&mut graph, DORA, EMIL, 3, PUBLIC); // Dora -> Emil, trusts completely
    recommend(&mut graph, DORA, LUIGI_TILES, PUBLIC); // Dora -> Luigi Tiles: 3 hops from Anna
    recommend(&mut graph, EMIL, MARIO_TILES, PUBLIC); // Emil -> Mario Tiles: 4 hops from Anna

    let results = tilers_for(&graph, Some(ANNA), &[]);
    let luigi = result_for(&results, LUIGI_TILES);
    assert_eq!(path_names(luigi), vec![vec!["Bea", "Carl", "Dora"]]);
    let mario = result_for(&results, MARIO_TILES);
    assert_eq!(mario.counts.network_recommend, 1);
    assert!(mario.personal > 0.0);
    assert!(mario.paths.is_empty());

    let explained = explain_tiler(&graph, ANNA, MARIO_TILES);
    assert!(explained.paths.is_empty());
    assert_eq!(explained.beyond_three_hops, 1);
    let explained = explain_tiler(&graph, ANNA, LUIGI_TILES);
    assert_eq!(explained.paths.len(), 1);
    assert_eq!(explained.beyond_three_hops, 0);
}

#[test]
fn the_strongest_path_wins_over_a_shorter_weaker_one() {
    let mut graph = cast();
    trust(&mut graph, ANNA, BEA, 1, PUBLIC); // Anna -> Bea, knows her: probability 1/5
    trust(&mut graph, ANNA, CARL, 3, PUBLIC); // Anna -> Carl, completely: probability 4/5
    trust(&mut graph, CARL, BEA, 3, PUBLIC); // Carl -> Bea, Carl's only edge: probability 1
    recommend(&mut graph, BEA, MARIO_TILES, PUBLIC); // Bea -> Mario Tiles, recommends

    let results = tilers_for(&graph, Some(ANNA), &[]);
    let mario = result_for(&results, MARIO_TILES);
    assert_eq!(path_names(mario), vec![vec!["Carl", "Bea"]]);
    assert!((mario.paths[0].strength - 0.8).abs() < 1e-12);
}

#[test]
fn the_seekers_own_vouch_is_a_path_with_no_hops() {
    let mut graph = cast();
    trust(&mut graph, ANNA, MATT, 3, PUBLIC); // Anna -> Matt, trusts completely
    recommend(&mut graph, ANNA, MARIO_TILES, PRIVATE); // Anna -> Mario Tiles, privately
    recommend(&mut graph, MATT, MARIO_TILES, PUBLIC); // Matt -> Mario Tiles, recommends

    let results = tilers_for(&graph, Some(ANNA), &[]);
    let mario = result_for(&results, MARIO_TILES);
    assert_eq!(path_names(mario), vec![vec![], vec!["Matt"]]);
    assert_eq!(mario.paths[0].voucher, ANNA);
    assert_eq!(mario.paths[0].strength, 1.0);
}

#[test]
fn a_seeker_never_gets_a_provider_they_own() {
    let mut graph = cast();
    trust(&mut graph, MARIO, MATT, 3, PUBLIC); // Mario -> Matt, trusts completely
    recommend(&mut graph, MATT, MARIO_TILES, PUBLIC); // Matt -> Mario Tiles, recommends

    let for_mario = tilers_for(&graph, Some(MARIO), &[MARIO]);
    assert!(for_mario.iter().all(|r| r.provider != MARIO_TILES));
    let for_matt = tilers_for(&graph, Some(MATT), &[MARIO]);
    assert!(for_matt.iter().any(|r| r.provider == MARIO_TILES));
}

#[test]
fn an_anonymous_search_uses_only_public_vouches_and_the_prior() {
    let mut graph = cast();
    trust(&mut graph, ANNA, MATT, 3, PUBLIC); // Anna -> Matt, trusts completely
    trust(&mut graph, ANNA, BEA, 3, PUBLIC); // Anna -> Bea, trusts completely
    recommend(&mut graph, MATT, MARIO_TILES, PUBLIC); // Matt -> Mario Tiles, publicly
    recommend(&mut graph, ANNA, LUIGI_TILES, NETWORK); // Anna -> Luigi Tiles, for her network
    recommend(&mut graph, BEA, LUIGI_TILES, PRIVATE); // Bea -> Luigi Tiles, privately

    let results = tilers_for(&graph, None, &[ANNA]);

    assert_eq!(results[0].provider, MARIO_TILES);
    assert!(results[0].prior > 0.0);
    let luigi = result_for(&results, LUIGI_TILES);
    assert_eq!(luigi.prior, 0.0);
    assert_eq!(luigi.counts.public_recommend, 0);
    for result in &results {
        assert_eq!(result.personal, 0.0);
        assert!(result.paths.is_empty());
        assert_eq!(
            result.counts.network_recommend + result.counts.network_warn,
            0
        );
    }
}

#[test]
fn providers_outside_the_service_area_are_left_out() {
    let mut graph = cast();
    let london_tiles = ProviderInfo {
        lat: LONDON.0,
        lon: LONDON.1,
        ..tiler(LUIGI_TILES, "Luigi Tiles", LUIGI)
    };
    graph.upsert_provider(london_tiles).unwrap();
    let params = RankParams::default();
    let near = |point| SearchQuery {
        near: Some(point),
        ..search(Some(ANNA), TILING)
    };

    let in_paris = rank_providers_for(&graph, &Prior::empty(), &near(PARIS), &params);
    let in_london = rank_providers_for(&graph, &Prior::empty(), &near(LONDON), &params);

    let ids =
        |results: &[super::RankedProvider]| results.iter().map(|r| r.provider).collect::<Vec<_>>();
    assert_eq!(ids(&in_paris), vec![MARIO_TILES, STRANGER_TILES]);
    assert_eq!(ids(&in_london), vec![LUIGI_TILES]);
}

#[test]
fn providers_with_equal_scores_come_in_id_order_and_the_limit_holds() {
    let graph = cast();
    let params = RankParams::default();
    let query = SearchQuery {
        limit: 2,
        ..search(Some(ANNA), TILING)
    };

    let results = rank_providers_for(&graph, &Prior::empty(), &query, &params);

    let ids: Vec<_> = results.iter().map(|r| r.provider).collect();
    assert_eq!(ids, vec![MARIO_TILES, LUIGI_TILES]);
    assert!(results.iter().all(|r| r.score == 0.0));
}

#[test]
fn a_search_for_another_trade_lists_only_its_providers() {
    let mut graph = cast();
    let plumber = ProviderInfo {
        trades: vec![PLUMBING],
        ..tiler(LUIGI_TILES, "Luigi Plumbing", LUIGI)
    };
    graph.upsert_provider(plumber).unwrap();
    recommend(&mut graph, ANNA, MARIO_TILES, PUBLIC); // Anna -> Mario Tiles, recommends tiling

    let params = RankParams::default();
    let results = rank_providers_for(
        &graph,
        &Prior::empty(),
        &search(Some(ANNA), PLUMBING),
        &params,
    );

    assert_eq!(results.len(), 1);
    assert_eq!(results[0].provider, LUIGI_TILES);
    assert_eq!(
        results[0].score, 0.0,
        "a tiling vouch says nothing about plumbing"
    );
}

#[test]
fn the_explanation_gives_the_same_numbers_as_the_search() {
    let mut graph = cast();
    trust(&mut graph, ANNA, MATT, 3, PUBLIC); // Anna -> Matt, trusts completely
    trust(&mut graph, ANNA, BEA, 2, PUBLIC); // Anna -> Bea, trusts her judgement
    trust(&mut graph, BEA, CARL, 1, PUBLIC); // Bea -> Carl, knows him
    recommend(&mut graph, MATT, MARIO_TILES, PUBLIC); // Matt -> Mario Tiles, recommends
    recommend(&mut graph, BEA, MARIO_TILES, PUBLIC); // Bea -> Mario Tiles, recommends
    recommend(&mut graph, CARL, MARIO_TILES, PUBLIC); // Carl -> Mario Tiles, recommends
    warn(&mut graph, DORA, MARIO_TILES, PUBLIC); // Dora -> Mario Tiles, warns (unreached)
    recommend(&mut graph, EMIL, MARIO_TILES, PUBLIC); // Emil -> Mario Tiles (unreached)
    let params = RankParams::default();
    let prior = compute_prior(&graph, &[ANNA, DORA, EMIL], &params);

    let results = rank_providers_for(&graph, &prior, &search(Some(ANNA), TILING), &params);
    let explained = explain_provider(
        &graph,
        &prior,
        Some(ANNA),
        Audience::Seeker,
        MARIO_TILES,
        Some(TILING),
        &params,
    )
    .unwrap();

    let mario = result_for(&results, MARIO_TILES);
    assert_eq!(explained.score, mario.score);
    assert_eq!(explained.personal, mario.personal);
    assert_eq!(explained.prior, mario.prior);
    assert_eq!(explained.counts, mario.counts);
    assert_eq!(explained.paths, mario.paths);
    assert_eq!(mario.counts.network_recommend, 3);
    assert_eq!(mario.counts.public_recommend, 4);
    assert_eq!(mario.counts.public_warn, 1);
    assert_eq!(
        path_names(mario),
        vec![vec!["Matt"], vec!["Bea"], vec!["Bea", "Carl"]]
    );
}

#[test]
fn the_prior_counts_only_public_trust_and_public_vouches() {
    let mut graph = cast();
    trust(&mut graph, ANNA, MATT, 3, NETWORK); // Anna -> Matt, completely, for her network
    trust(&mut graph, ANNA, BEA, 3, PUBLIC); // Anna -> Bea, completely, publicly
    recommend(&mut graph, MATT, MARIO_TILES, PUBLIC); // Matt -> Mario Tiles, publicly
    recommend(&mut graph, BEA, LUIGI_TILES, PUBLIC); // Bea -> Luigi Tiles, publicly
    recommend(&mut graph, ANNA, STRANGER_TILES, NETWORK); // Anna -> Stranger Tiles, network

    let prior = compute_prior(&graph, &[ANNA], &RankParams::default());

    assert_eq!(
        prior.get(MARIO_TILES, TILING),
        0.0,
        "Matt is reached only by a network edge"
    );
    assert!(prior.get(LUIGI_TILES, TILING) > 0.0);
    assert_eq!(prior.get(STRANGER_TILES, TILING), 0.0);
    // The power iteration converges by (1 - alpha) a step, well within the cap.
    assert!(prior.iterations() < 50 && prior.last_change() < 1e-9);
}

#[test]
fn reach_counts_people_by_their_shortest_public_distance_to_a_recommender() {
    let mut graph = cast();
    let zed = PersonId(20);
    recommend(&mut graph, DORA, MARIO_TILES, PUBLIC); // Dora -> Mario Tiles, recommends
    recommend(&mut graph, EMIL, MARIO_TILES, PUBLIC); // Emil -> Mario Tiles, recommends
    warn(&mut graph, MATT, MARIO_TILES, PUBLIC); // Matt -> Mario Tiles, warns: not a recommender
    trust(&mut graph, DORA, EMIL, 3, PUBLIC); // Dora -> Emil: both recommend, stays at 0 hops
    trust(&mut graph, CARL, DORA, 2, PUBLIC); // Carl -> Dora: Carl is 1 hop away
    trust(&mut graph, CARL, EMIL, 2, PUBLIC); // Carl -> Emil: Carl is counted once
    trust(&mut graph, BEA, CARL, 2, PUBLIC); // Bea -> Carl: Bea is 2 hops away
    trust(&mut graph, LUIGI, CARL, 1, PUBLIC); // Luigi -> Carl: Luigi is 2 hops away
    trust(&mut graph, ANNA, BEA, 2, PUBLIC); // Anna -> Bea: Anna is 3 hops away
    trust(&mut graph, ANNA, DORA, 1, PRIVATE); // Anna -> Dora, privately: no shortcut for Anna
    trust(&mut graph, zed, MATT, 3, PUBLIC); // Zed -> Matt: Matt only warns, so Zed is not reached

    assert_eq!(reach_by_hops(&graph, MARIO_TILES), [1, 3, 4]);
    assert_eq!(reach_by_hops(&graph, LUIGI_TILES), [0, 0, 0]);
}

#[test]
fn with_no_public_reputation_the_unvouched_fill_the_list_by_id_whatever_order_they_joined() {
    let mut graph = cast(); // Mario Tiles (70), Luigi Tiles (80), Stranger Tiles (90)
                            // Five more tilers join newest id first, and Mario Tiles leaves tiling and comes back, so
                            // the order they were listed in is not the order of their ids.
    for id in (1..=5).rev() {
        let provider = crate::domain::ProviderId(id);
        graph
            .upsert_provider(super::fixtures::tiler(provider, "Newcomer", PersonId(99)))
            .unwrap();
    }
    let mut plumber = super::fixtures::tiler(MARIO_TILES, "Mario Tiles", MARIO);
    plumber.trades = vec![super::fixtures::PLUMBING];
    graph.upsert_provider(plumber).unwrap();
    graph
        .upsert_provider(super::fixtures::tiler(MARIO_TILES, "Mario Tiles", MARIO))
        .unwrap();
    trust(&mut graph, ANNA, MATT, 3, PUBLIC); // Anna -> Matt, trusts completely
    recommend(&mut graph, MATT, STRANGER_TILES, PUBLIC); // Matt -> Stranger Tiles, recommends

    let params = RankParams::default();
    let prior = compute_prior(&graph, &[], &params); // no seeds: every prior is zero
    let mut query = super::fixtures::search(Some(ANNA), super::fixtures::TILING);
    query.limit = 4;
    let results = rank_providers_for(&graph, &prior, &query, &params);

    // Matt's word first; then the rest tie at zero and go by id, smallest first.
    let ids: Vec<u64> = results.iter().map(|r| r.provider.0 as u64).collect();
    assert_eq!(ids, vec![90, 1, 2, 3]);
    query.limit = 10;
    let all = rank_providers_for(&graph, &prior, &query, &params);
    let ids: Vec<u64> = all.iter().map(|r| r.provider.0 as u64).collect();
    assert_eq!(ids, vec![90, 1, 2, 3, 4, 5, 70, 80]);
}

#[test]
fn a_long_chain_that_cannot_beat_three_friends_is_not_shown_and_one_that_can_is() {
    let mut graph = cast();
    trust(&mut graph, ANNA, MATT, 3, PUBLIC); // Anna -> Matt, completely
    trust(&mut graph, ANNA, BEA, 3, PUBLIC); // Anna -> Bea, completely
    trust(&mut graph, ANNA, CARL, 3, PUBLIC); // Anna -> Carl, completely
    trust(&mut graph, ANNA, DORA, 1, PUBLIC); // Anna -> Dora, knows her
    trust(&mut graph, DORA, EMIL, 1, PUBLIC); // Dora -> Emil, knows him
    trust(&mut graph, EMIL, LUIGI, 1, PUBLIC); // Emil -> Luigi, knows him
    recommend(&mut graph, MATT, MARIO_TILES, PUBLIC); // Matt -> Mario Tiles
    recommend(&mut graph, BEA, MARIO_TILES, PUBLIC); // Bea -> Mario Tiles
    recommend(&mut graph, CARL, MARIO_TILES, PUBLIC); // Carl -> Mario Tiles
    recommend(&mut graph, LUIGI, MARIO_TILES, PUBLIC); // Luigi -> Mario Tiles, 3 hops away

    let results = tilers_for(&graph, Some(ANNA), &[]);
    let mario = result_for(&results, MARIO_TILES);
    // Three direct friends (equally strong, so by id) beat the weak chain through Dora and Emil.
    assert_eq!(
        path_names(mario),
        vec![vec!["Matt"], vec!["Bea"], vec!["Carl"]]
    );
    let explained = super::fixtures::explain_tiler(&graph, ANNA, MARIO_TILES);
    assert_eq!(
        explained.paths.len(),
        4,
        "the explanation still lists the chain"
    );
    assert_eq!(explained.paths[3].hops.len(), 3);

    // Now Emil is the only one Dora trusts and Dora the one Anna trusts most strongly:
    // the chain is as strong as a direct friend, so it must be searched and shown.
    trust(&mut graph, ANNA, DORA, 3, PUBLIC); // Anna -> Dora, now completely
    trust(&mut graph, ANNA, MATT, 1, PUBLIC); // Anna -> Matt, now only knows him
    trust(&mut graph, ANNA, BEA, 1, PUBLIC); // Anna -> Bea, now only knows her
    trust(&mut graph, ANNA, CARL, 1, PUBLIC); // Anna -> Carl, now only knows him
    let results = tilers_for(&graph, Some(ANNA), &[]);
    let mario = result_for(&results, MARIO_TILES);
    assert_eq!(mario.paths[0].hops.len(), 3, "{:?}", path_names(mario));
    assert_eq!(path_names(mario)[0], vec!["Dora", "Emil", "Luigi"]);
}
