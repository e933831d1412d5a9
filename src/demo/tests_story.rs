//! The story, told by the real ranking engine: the demo town loaded into a [`TrustGraph`]
//! exactly as `store::graph_load` would load it from the database.

use std::sync::OnceLock;

use crate::domain::{PersonId, ProviderId, TradeId};
use crate::graph::{
    compute_prior, rank_providers_for, Audience, GraphBuilder, Prior, ProviderInfo, RankParams,
    RankedProvider, SearchQuery, TrustGraph,
};

use super::story::{ANNA, BEN, MATT, PREMIER_TILES, ROSSI_TILING};
use super::trades::TRADES;
use super::*;

/// Test-only ids: position + 1. The database hands out others; the story must not care.
fn person_id(index: usize) -> PersonId {
    PersonId(index as i64 + 1)
}

fn provider_id(index: usize) -> ProviderId {
    ProviderId(index as i64 + 1)
}

fn trade_id(slug: &str) -> TradeId {
    TradeId(
        TRADES
            .iter()
            .position(|t| t.slug == slug)
            .expect("known trade") as i32
            + 1,
    )
}

/// The demo town as the engine sees it, with its prior; built once for all tests.
fn engine() -> &'static (TrustGraph, Prior) {
    static ENGINE: OnceLock<(TrustGraph, Prior)> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let town = generate(DEMO_SEED);
        let mut builder = GraphBuilder::new();
        for (index, person) in town.people.iter().enumerate() {
            builder.person(person_id(index), &person.name);
        }
        for (index, firm) in town.providers.iter().enumerate() {
            builder
                .provider(ProviderInfo {
                    id: provider_id(index),
                    name: firm.name.clone(),
                    owner: person_id(firm.owner),
                    trades: firm.trades.iter().map(|t| trade_id(t)).collect(),
                    lat: firm.lat,
                    lon: firm.lon,
                    radius_km: firm.radius_km,
                })
                .expect("twelve trades fit");
        }
        for edge in &town.trust {
            builder
                .trust(
                    person_id(edge.truster),
                    person_id(edge.trustee),
                    edge.level,
                    edge.visibility,
                )
                .expect("no self edges");
        }
        for vouch in &town.vouches {
            builder
                .vouch(
                    person_id(vouch.person),
                    provider_id(vouch.provider),
                    trade_id(vouch.trade),
                    vouch.stance,
                    vouch.visibility,
                    1.0,
                )
                .expect("valid vouch");
        }
        let (graph, _) = builder.build();
        let seeds: Vec<PersonId> = (0..town.people.len())
            .filter(|&p| town.people[p].pre_trusted)
            .map(person_id)
            .collect();
        let prior = compute_prior(&graph, &seeds, &RankParams::default());
        (graph, prior)
    })
}

/// The tilers serving Anna's home, best first, as `seeker` sees them.
fn tilers_near_anna(seeker: Option<usize>) -> Vec<RankedProvider> {
    let town_anna = &story::people()[ANNA];
    let (graph, prior) = engine();
    let query = SearchQuery {
        seeker: seeker.map(person_id),
        trade: trade_id("tiler"),
        near: Some((town_anna.lat, town_anna.lon)),
        limit: 10,
        audience: Audience::Seeker,
    };
    rank_providers_for(graph, prior, &query, &RankParams::default())
}

#[test]
fn searching_as_anna_puts_rossi_tiling_first_through_matt() {
    let results = tilers_near_anna(Some(ANNA));
    let first = &results[0];
    assert_eq!(first.provider, provider_id(ROSSI_TILING), "{results:#?}");
    let path = &first.paths[0];
    let hops: Vec<PersonId> = path.hops.iter().map(|h| h.person).collect();
    assert_eq!(hops, vec![person_id(MATT)], "Anna -> Matt -> Rossi Tiling");
    let stranger = results
        .iter()
        .find(|r| r.provider == provider_id(PREMIER_TILES))
        .expect("the stranger serves Redland too");
    // Anna's walk may wander past three hops into the crowd, but with little mass, and no
    // path is short enough to explain anything.
    assert!(stranger.counts.public_recommend >= 30);
    assert!(stranger.paths.is_empty());
    assert!(stranger.score < first.score / 2.0, "{results:#?}");
}

#[test]
fn once_ben_trusts_anna_back_his_search_follows_her_to_rossi_tiling() {
    let (graph, prior) = engine();
    let mut graph = graph.clone();
    // Ben -> Anna, level 2, network: the one click on her invitation's offer
    graph
        .set_trust(
            person_id(BEN),
            person_id(ANNA),
            crate::domain::TrustLevel::new(2).unwrap(),
            crate::domain::Visibility::Network,
        )
        .unwrap();
    let town_anna = &story::people()[ANNA];
    let query = SearchQuery {
        seeker: Some(person_id(BEN)),
        trade: trade_id("tiler"),
        near: Some((town_anna.lat, town_anna.lon)),
        limit: 10,
        audience: Audience::Seeker,
    };
    let results = rank_providers_for(&graph, prior, &query, &RankParams::default());
    assert_eq!(
        results[0].provider,
        provider_id(ROSSI_TILING),
        "{results:#?}"
    );
    let hops: Vec<PersonId> = results[0].paths[0].hops.iter().map(|h| h.person).collect();
    assert_eq!(
        hops,
        [person_id(ANNA), person_id(MATT)],
        "Ben -> Anna -> Matt -> Rossi"
    );
}

#[test]
fn searching_anonymously_or_as_new_ben_ranks_by_public_reputation_alone() {
    let anonymous = tilers_near_anna(None);
    let ben = tilers_near_anna(Some(BEN));
    assert_eq!(
        anonymous, ben,
        "Ben trusts nobody yet, so he sees what a visitor sees"
    );
    assert!(anonymous.iter().all(|r| r.personal == 0.0));
    assert_ne!(anonymous[0].provider, provider_id(ROSSI_TILING));
}

#[test]
fn the_stranger_has_the_most_public_recommends_of_the_tilers_near_anna() {
    let results = tilers_near_anna(None);
    let most = results
        .iter()
        .max_by_key(|r| r.counts.public_recommend)
        .expect("some tilers");
    assert_eq!(most.provider, provider_id(PREMIER_TILES), "{results:#?}");
}

#[test]
fn annas_neighbour_puts_the_slow_tiler_in_her_search_below_rossi_tiling() {
    let town = generate(DEMO_SEED);
    let voucher = town
        .vouches
        .iter()
        .find(|v| v.provider == story::SLOW_TILER)
        .expect("the neighbour's vouch")
        .person;
    let results = tilers_near_anna(Some(ANNA));
    assert_eq!(
        results[0].provider,
        provider_id(ROSSI_TILING),
        "{results:#?}"
    );
    let slow = results
        .iter()
        .find(|r| r.provider == provider_id(story::SLOW_TILER))
        .expect("the slow tiler is in Anna's search");
    assert!(slow.personal > 0.0, "{slow:#?}");
    let hops: Vec<PersonId> = slow.paths[0].hops.iter().map(|h| h.person).collect();
    assert_eq!(
        hops,
        vec![person_id(voucher)],
        "Anna -> neighbour -> Cotham"
    );
    assert!(slow.score < results[0].score / 2.0, "{results:#?}");
    // The vouch is network-only: a visitor, and Ben, see no support for it at all.
    for seeker in [None, Some(BEN)] {
        if let Some(seen) = tilers_near_anna(seeker)
            .iter()
            .find(|r| r.provider == provider_id(story::SLOW_TILER))
        {
            assert_eq!(seen.personal, 0.0);
            assert_eq!(seen.counts.public_recommend, 0);
        }
    }
}

/// Not a check: prints the three rankings quoted in the README. Run with
/// `cargo test --lib demo::tests_story::print -- --nocapture`.
#[test]
fn print_tilers_for_each_seeker() {
    for seeker in [Some(ANNA), None, Some(BEN)] {
        println!("{seeker:?}");
        for r in tilers_near_anna(seeker) {
            println!(
                "  {:<32} score {:.5} personal {:.5} prior {:.5} {:?}",
                r.name, r.score, r.personal, r.prior, r.counts
            );
        }
    }
}
