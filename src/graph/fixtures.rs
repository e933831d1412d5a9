//! Small helpers for the graph tests: named people, providers and one-line searches.

use crate::domain::{PersonId, ProviderId, Stance, TradeId, TrustLevel, Visibility};

use super::{
    compute_prior, explain_provider, rank_providers_for, Audience, Explanation, Prior,
    ProviderInfo, RankParams, RankedProvider, SearchQuery, TrustGraph,
};

pub(super) const TILING: TradeId = TradeId(1);
pub(super) const PLUMBING: TradeId = TradeId(2);

pub(super) const ANNA: PersonId = PersonId(1);
pub(super) const MATT: PersonId = PersonId(2);
pub(super) const BEA: PersonId = PersonId(3);
pub(super) const CARL: PersonId = PersonId(4);
pub(super) const DORA: PersonId = PersonId(5);
pub(super) const EMIL: PersonId = PersonId(6);
pub(super) const MARIO: PersonId = PersonId(7);
pub(super) const LUIGI: PersonId = PersonId(8);

pub(super) const MARIO_TILES: ProviderId = ProviderId(70);
pub(super) const LUIGI_TILES: ProviderId = ProviderId(80);
pub(super) const STRANGER_TILES: ProviderId = ProviderId(90);

/// Where every test provider works: central Paris.
pub(super) const PARIS: (f64, f64) = (48.8566, 2.3522);
/// About 340 km from Paris.
pub(super) const LONDON: (f64, f64) = (51.5074, -0.1278);

pub(super) const PUBLIC: Visibility = Visibility::Public;
pub(super) const NETWORK: Visibility = Visibility::Network;
pub(super) const PRIVATE: Visibility = Visibility::Private;

/// A visibility from any number, for property tests: public, network, private in turn.
pub(super) fn visibility(code: u8) -> Visibility {
    match code % 3 {
        0 => PUBLIC,
        1 => NETWORK,
        _ => PRIVATE,
    }
}

pub(super) fn level(level: u8) -> TrustLevel {
    TrustLevel::new(level).unwrap()
}

/// A tiler working within 30 km of Paris.
pub(super) fn tiler(id: ProviderId, name: &str, owner: PersonId) -> ProviderInfo {
    ProviderInfo {
        id,
        name: name.to_owned(),
        owner,
        trades: vec![TILING],
        lat: PARIS.0,
        lon: PARIS.1,
        radius_km: 30.0,
    }
}

/// A graph with the usual cast named and the three tilers of the stories.
pub(super) fn cast() -> TrustGraph {
    let mut graph = TrustGraph::new();
    for (id, name) in [
        (ANNA, "Anna"),
        (MATT, "Matt"),
        (BEA, "Bea"),
        (CARL, "Carl"),
        (DORA, "Dora"),
        (EMIL, "Emil"),
        (MARIO, "Mario"),
        (LUIGI, "Luigi"),
    ] {
        graph.upsert_person(id, name).unwrap();
    }
    graph
        .upsert_provider(tiler(MARIO_TILES, "Mario Tiles", MARIO))
        .unwrap();
    graph
        .upsert_provider(tiler(LUIGI_TILES, "Luigi Tiles", LUIGI))
        .unwrap();
    graph
        .upsert_provider(tiler(STRANGER_TILES, "Stranger Tiles", PersonId(99)))
        .unwrap();
    graph
}

pub(super) fn trust(
    graph: &mut TrustGraph,
    from: PersonId,
    to: PersonId,
    lvl: u8,
    vis: Visibility,
) {
    graph.set_trust(from, to, level(lvl), vis).unwrap();
}

pub(super) fn recommend(
    graph: &mut TrustGraph,
    from: PersonId,
    provider: ProviderId,
    vis: Visibility,
) {
    graph
        .set_vouch(from, provider, TILING, Stance::Recommend, vis, 1.0)
        .unwrap();
}

pub(super) fn warn(graph: &mut TrustGraph, from: PersonId, provider: ProviderId, vis: Visibility) {
    graph
        .set_vouch(from, provider, TILING, Stance::Warn, vis, 1.0)
        .unwrap();
}

/// Tilers for `seeker`, with a prior computed from the given seeds.
pub(super) fn tilers_for(
    graph: &TrustGraph,
    seeker: Option<PersonId>,
    seeds: &[PersonId],
) -> Vec<RankedProvider> {
    let params = RankParams::default();
    let prior = compute_prior(graph, seeds, &params);
    rank_providers_for(graph, &prior, &search(seeker, TILING), &params)
}

pub(super) fn search(seeker: Option<PersonId>, trade: TradeId) -> SearchQuery {
    SearchQuery {
        seeker,
        trade,
        near: None,
        limit: 10,
        audience: Audience::Seeker,
    }
}

/// The explanation of a tiler for `seeker`, with an empty prior.
pub(super) fn explain_tiler(
    graph: &TrustGraph,
    seeker: PersonId,
    provider: ProviderId,
) -> Explanation {
    let params = RankParams::default();
    explain_provider(
        graph,
        &Prior::empty(),
        Some(seeker),
        Audience::Seeker,
        provider,
        Some(TILING),
        &params,
    )
    .unwrap()
}

/// The result for one provider, which must be present.
pub(super) fn result_for(results: &[RankedProvider], provider: ProviderId) -> &RankedProvider {
    results
        .iter()
        .find(|result| result.provider == provider)
        .unwrap_or_else(|| panic!("{provider} is not in the results"))
}

/// The names along each path, for assertions a reader can check by eye.
pub(super) fn path_names(result: &RankedProvider) -> Vec<Vec<&str>> {
    result
        .paths
        .iter()
        .map(|path| path.hops.iter().map(|hop| hop.name.as_str()).collect())
        .collect()
}
