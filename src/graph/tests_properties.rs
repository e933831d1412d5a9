//! Properties that must hold on every graph, checked on random small ones.

use proptest::collection::vec;
use proptest::prelude::*;

use crate::domain::{PersonId, ProviderId, Stance, TradeId, TrustLevel, Visibility};

use super::evidence::public_counts;
use super::fixtures::{PLUMBING, TILING};
use super::found::TradeFilter;
use super::{
    compute_prior, explain_provider, network_evidence, network_evidence_for, rank_providers_for,
    Audience, EdgeRecord, ProviderInfo, RankParams, RankedProvider, SearchQuery, TrustGraph,
};

const VISIBILITIES: [Visibility; 3] =
    [Visibility::Public, Visibility::Network, Visibility::Private];
const STRENGTHS: [f32; 3] = [1.0, 0.5, 2.0];

/// A random small world. Ids are drawn wide and taken modulo the number of people, so that
/// shrinking the number of people keeps the spec valid.
#[derive(Clone, Debug)]
struct Spec {
    people: i64,
    /// (owner, trades: 0 tiling, 1 plumbing, 2 both)
    providers: Vec<(i64, u8)>,
    /// (from, to, level, visibility)
    trust: Vec<(i64, i64, u8, usize)>,
    /// (from, provider, plumbing?, warn?, visibility, strength)
    vouches: Vec<(i64, usize, bool, bool, usize, usize)>,
    seeds: Vec<i64>,
}

fn spec() -> impl Strategy<Value = Spec> {
    sized_spec(2..9, 0..30, 0..20)
}

/// A random world of the given sizes: people, trust edges, vouches.
fn sized_spec(
    people: std::ops::Range<i64>,
    trust: std::ops::Range<usize>,
    vouches: std::ops::Range<usize>,
) -> impl Strategy<Value = Spec> {
    (
        people,
        vec((0i64..100, 0u8..3), 1..4),
        vec((0i64..100, 0i64..100, 1u8..=3, 0usize..3), trust),
        vec(
            (
                0i64..100,
                0usize..100,
                any::<bool>(),
                any::<bool>(),
                0usize..3,
                0usize..3,
            ),
            vouches,
        ),
        vec(0i64..100, 0..3),
    )
        .prop_map(|(people, providers, trust, vouches, seeds)| Spec {
            people,
            providers,
            trust,
            vouches,
            seeds,
        })
}

impl Spec {
    fn person(&self, raw: i64) -> PersonId {
        PersonId(raw % self.people)
    }

    fn provider(&self, raw: usize) -> ProviderId {
        ProviderId(100 + (raw % self.providers.len()) as i64)
    }

    fn build(&self) -> TrustGraph {
        let mut graph = TrustGraph::new();
        for id in 0..self.people {
            graph
                .upsert_person(PersonId(id), &format!("person {id}"))
                .unwrap();
        }
        for (i, &(owner, trades)) in self.providers.iter().enumerate() {
            let trades = match trades {
                0 => vec![TILING],
                1 => vec![PLUMBING],
                _ => vec![TILING, PLUMBING],
            };
            let info = ProviderInfo {
                id: ProviderId(100 + i as i64),
                name: format!("provider {i}"),
                owner: self.person(owner),
                trades,
                lat: 0.0,
                lon: 0.0,
                radius_km: 10.0,
            };
            graph.upsert_provider(info).unwrap();
        }
        for &(from, to, level, visibility) in &self.trust {
            let level = TrustLevel::new(level).unwrap();
            let _ = graph.set_trust(
                self.person(from),
                self.person(to),
                level,
                VISIBILITIES[visibility],
            );
        }
        for &(from, provider, plumbing, warn, visibility, strength) in &self.vouches {
            graph
                .set_vouch(
                    self.person(from),
                    self.provider(provider),
                    if plumbing { PLUMBING } else { TILING },
                    if warn {
                        Stance::Warn
                    } else {
                        Stance::Recommend
                    },
                    VISIBILITIES[visibility],
                    STRENGTHS[strength],
                )
                .unwrap();
        }
        graph
    }

    fn seeds(&self) -> Vec<PersonId> {
        self.seeds.iter().map(|&s| self.person(s)).collect()
    }

    /// Everyone who can search: each person, and an anonymous visitor.
    fn seekers(&self) -> Vec<Option<PersonId>> {
        std::iter::once(None)
            .chain((0..self.people).map(|id| Some(PersonId(id))))
            .collect()
    }
}

/// Every search of every seeker in both trades, with a freshly computed prior.
fn all_searches(
    graph: &TrustGraph,
    spec: &Spec,
) -> Vec<(Option<PersonId>, TradeId, Vec<RankedProvider>)> {
    let params = RankParams::default();
    let prior = compute_prior(graph, &spec.seeds(), &params);
    let mut out = Vec::new();
    for seeker in spec.seekers() {
        for trade in [TILING, PLUMBING] {
            let query = SearchQuery {
                seeker,
                trade,
                near: None,
                limit: usize::MAX,
                audience: Audience::Seeker,
            };
            out.push((
                seeker,
                trade,
                rank_providers_for(graph, &prior, &query, &params),
            ));
        }
    }
    out
}

fn score_of(results: &[RankedProvider], provider: ProviderId) -> Option<f64> {
    results
        .iter()
        .find(|r| r.provider == provider)
        .map(|r| r.score)
}

/// A search shows each provider's three strongest paths, as the full explanation shows them,
/// in the same order, whichever of the two found a path first (they share the remembered
/// layers).
fn same_paths_in_search_and_explanation(spec: &Spec) -> Result<(), TestCaseError> {
    let graph = spec.build();
    let params = RankParams::default();
    let prior = compute_prior(&graph, &spec.seeds(), &params);
    for (seeker, trade, results) in all_searches(&graph, spec) {
        for result in &results {
            let explained = explain_provider(
                &graph,
                &prior,
                seeker,
                Audience::Seeker,
                result.provider,
                Some(trade),
                &params,
            )
            .expect("a ranked provider is known");
            let strongest: Vec<_> = explained.paths.into_iter().take(3).collect();
            prop_assert_eq!(&result.paths, &strongest);
        }
    }
    Ok(())
}

proptest! {
    #[test]
    fn evidence_read_from_the_providers_side_equals_the_searchs_own(
        spec in spec(),
        picks in vec(0usize..100, 0..4),
    ) {
        let graph = spec.build();
        let params = RankParams::default();
        let wanted: Vec<ProviderId> = picks.iter().map(|&raw| spec.provider(raw)).collect();
        for seeker in spec.seekers().into_iter().flatten() {
            for trade in [TILING, PLUMBING] {
                let mut whole: Vec<_> = network_evidence(&graph, seeker, trade, &params)
                    .into_iter()
                    .filter(|(provider, _)| wanted.contains(provider))
                    .collect();
                let mut some = network_evidence_for(&graph, seeker, trade, &wanted, &params);
                some.sort_by_key(|&(provider, _)| provider);
                some.dedup_by_key(|&mut (provider, _)| provider);
                whole.sort_by_key(|&(provider, _)| provider);
                prop_assert_eq!(some, whole);
            }
        }
    }

    #[test]
    fn a_search_shows_the_same_strongest_paths_as_the_full_explanation(spec in spec()) {
        same_paths_in_search_and_explanation(&spec)?;
    }

    #[test]
    fn a_search_shows_the_same_strongest_paths_as_the_full_explanation_where_paths_are_long(
        // Wider worlds, where many vouchers are three hops out and a provider has more
        // vouchers than the search shows.
        spec in sized_spec(12..30, 30..120, 20..60)
    ) {
        same_paths_in_search_and_explanation(&spec)?;
    }

    #[test]
    fn scores_are_never_negative_and_results_are_sorted(spec in spec()) {
        let graph = spec.build();
        for (_, _, results) in all_searches(&graph, &spec) {
            for result in &results {
                prop_assert!(result.score >= 0.0 && result.personal >= 0.0 && result.prior >= 0.0);
                prop_assert!(result.paths.len() <= 3);
                prop_assert!(result.paths.iter().all(|path| path.hops.len() <= 3));
            }
            for pair in results.windows(2) {
                prop_assert!(pair[0].score >= pair[1].score);
            }
        }
    }

    #[test]
    fn public_vouch_counts_stay_equal_to_a_recount_as_vouches_change(
        spec in spec(),
        changes in vec((0usize..100, any::<bool>(), 0usize..3), 0..10),
    ) {
        let mut graph = spec.build();
        for (pick, remove, visibility) in changes {
            let vouches: Vec<_> = graph
                .edges()
                .filter_map(|edge| match edge {
                    EdgeRecord::Vouch { from, provider, trade, stance, .. } => {
                        Some((from, provider, trade, stance))
                    }
                    _ => None,
                })
                .collect();
            let Some(&(from, provider, trade, stance)) = vouches.get(pick % vouches.len().max(1))
            else {
                break;
            };
            if remove {
                graph.remove_vouch(from, provider, trade);
            } else {
                graph
                    .set_vouch(from, provider, trade, stance, VISIBILITIES[visibility], 1.0)
                    .unwrap();
            }
        }

        for p in 0..spec.providers.len() {
            let provider = ProviderId(100 + p as i64);
            let node = graph.provider_node(provider).unwrap();
            for trade in [Some(TILING), Some(PLUMBING), None] {
                let recount = |wanted: Stance| {
                    graph
                        .edges()
                        .filter(|edge| matches!(edge, EdgeRecord::Vouch {
                            provider: p, trade: t, stance, visibility: Visibility::Public, ..
                        } if *p == provider && *stance == wanted && trade.is_none_or(|trade| trade == *t)))
                        .count() as u32
                };
                let expected = (recount(Stance::Recommend), recount(Stance::Warn));
                let filter = match trade.map(|trade| graph.trade_slot(trade)) {
                    Some(Some(slot)) => TradeFilter::One(slot),
                    // A trade the graph never saw has no vouches.
                    Some(None) => {
                        prop_assert_eq!(expected, (0, 0));
                        continue;
                    }
                    None => TradeFilter::Any,
                };
                prop_assert_eq!(public_counts(&graph, node, filter), expected);
            }
        }
    }

    #[test]
    fn a_seeker_never_gets_a_provider_they_own(spec in spec()) {
        let graph = spec.build();
        for (seeker, _, results) in all_searches(&graph, &spec) {
            for result in &results {
                let owner = graph.provider(result.provider).unwrap().owner;
                prop_assert_ne!(Some(owner), seeker);
            }
        }
    }

    #[test]
    fn removing_a_recommendation_never_raises_the_providers_score(spec in spec(), pick in 0usize..100) {
        let mut graph = spec.build();
        let recommendations: Vec<_> = graph
            .edges()
            .filter_map(|edge| match edge {
                EdgeRecord::Vouch { from, provider, trade, stance: Stance::Recommend, .. } => {
                    Some((from, provider, trade))
                }
                _ => None,
            })
            .collect();
        prop_assume!(!recommendations.is_empty());
        let (from, provider, trade) = recommendations[pick % recommendations.len()];
        let before = all_searches(&graph, &spec);

        prop_assert!(graph.remove_vouch(from, provider, trade));
        let after = all_searches(&graph, &spec);

        for ((seeker, searched, old), (_, _, new)) in before.iter().zip(&after) {
            if *searched != trade {
                continue;
            }
            if let (Some(old), Some(new)) = (score_of(old, provider), score_of(new, provider)) {
                prop_assert!(new <= old, "seeker {:?}: {} -> {}", seeker, old, new);
            }
        }
    }

    #[test]
    fn adding_a_warning_never_raises_the_providers_score(
        spec in spec(),
        voucher in 0i64..100,
        provider in 0usize..100,
        visibility in 0usize..3,
        strength in 0usize..3,
    ) {
        let mut graph = spec.build();
        let (voucher, provider) = (spec.person(voucher), spec.provider(provider));
        // A new warning, or a recommendation turned into one; re-setting an existing warning
        // with a smaller strength would be weakening it, not adding one.
        let already_warns = graph.edges().any(|edge| {
            matches!(edge, EdgeRecord::Vouch { from, provider: p, trade: TILING, stance: Stance::Warn, .. }
                if from == voucher && p == provider)
        });
        prop_assume!(!already_warns);
        let before = all_searches(&graph, &spec);

        graph
            .set_vouch(voucher, provider, TILING, Stance::Warn, VISIBILITIES[visibility], STRENGTHS[strength])
            .unwrap();
        let after = all_searches(&graph, &spec);

        for ((seeker, trade, old), (_, _, new)) in before.iter().zip(&after) {
            if *trade != TILING {
                continue;
            }
            if let (Some(old), Some(new)) = (score_of(old, provider), score_of(new, provider)) {
                prop_assert!(new <= old, "seeker {:?}: {} -> {}", seeker, old, new);
            }
        }
    }

    #[test]
    fn a_private_edge_changes_nothing_for_anyone_but_its_owner(
        spec in spec(),
        owner in 0i64..100,
        target in 0i64..100,
        provider in 0usize..100,
        vouch in any::<bool>(),
        warn in any::<bool>(),
    ) {
        let mut graph = spec.build();
        let (owner, target, provider) = (spec.person(owner), spec.person(target), spec.provider(provider));
        let params = RankParams::default();
        let explain_all = |graph: &TrustGraph| {
            let prior = compute_prior(graph, &spec.seeds(), &params);
            spec.seekers()
                .into_iter()
                .flat_map(|seeker| (0..spec.providers.len()).map(move |p| (seeker, p)))
                .map(|(seeker, p)| {
                    let provider = ProviderId(100 + p as i64);
                    explain_provider(graph, &prior, seeker, Audience::Seeker, provider, Some(TILING), &params)
                })
                .collect::<Vec<_>>()
        };
        let before = all_searches(&graph, &spec);
        let explained_before = explain_all(&graph);

        // Only a new edge: setting one that exists would change its visibility, not add one.
        let exists = graph.edges().any(|edge| match edge {
            EdgeRecord::Trust { from, to, .. } => !vouch && from == owner && to == target,
            EdgeRecord::Vouch { from, provider: p, trade, .. } => {
                vouch && from == owner && p == provider && trade == TILING
            }
            EdgeRecord::Distrust { .. } => false,
        });
        prop_assume!(!exists && (vouch || owner != target));
        if vouch {
            let stance = if warn { Stance::Warn } else { Stance::Recommend };
            graph.set_vouch(owner, provider, TILING, stance, Visibility::Private, 1.0).unwrap();
        } else {
            let level = TrustLevel::new(if warn { 1 } else { 3 }).unwrap();
            graph.set_trust(owner, target, level, Visibility::Private).unwrap();
        }
        let after = all_searches(&graph, &spec);
        let explained_after = explain_all(&graph);

        for (old, new) in before.iter().zip(&after) {
            if old.0 != Some(owner) {
                prop_assert_eq!(old, new);
            }
        }
        for ((old, new), (seeker, _)) in explained_before
            .iter()
            .zip(&explained_after)
            .zip(spec.seekers().into_iter().flat_map(|s| (0..spec.providers.len()).map(move |p| (s, p))))
        {
            if seeker != Some(owner) {
                prop_assert_eq!(old, new);
            }
        }
    }

    #[test]
    fn a_partner_sees_no_edge_but_public_ones_and_the_visitors_own_network_ones(
        spec in spec(),
        owner in 0i64..100,
        target in 0i64..100,
        provider in 0usize..100,
        vouch in any::<bool>(),
        private in any::<bool>(),
    ) {
        let mut graph = spec.build();
        let (owner, target, provider) = (spec.person(owner), spec.person(target), spec.provider(provider));
        let params = RankParams::default();
        // Everything a partner's server can ask for each visitor: the search and the badge.
        let partner_views = |graph: &TrustGraph| {
            let prior = compute_prior(graph, &spec.seeds(), &params);
            spec.seekers()
                .into_iter()
                .map(|seeker| {
                    let query = SearchQuery {
                        seeker,
                        trade: TILING,
                        near: None,
                        limit: usize::MAX,
                        audience: Audience::Partner,
                    };
                    let ranked = rank_providers_for(graph, &prior, &query, &params);
                    let explained: Vec<_> = (0..spec.providers.len())
                        .map(|p| {
                            let provider = ProviderId(100 + p as i64);
                            explain_provider(graph, &prior, seeker, Audience::Partner, provider, Some(TILING), &params)
                        })
                        .collect();
                    (seeker, ranked, explained)
                })
                .collect::<Vec<_>>()
        };
        let exists = graph.edges().any(|edge| match edge {
            EdgeRecord::Trust { from, to, .. } => !vouch && from == owner && to == target,
            EdgeRecord::Vouch { from, provider: p, trade, .. } => {
                vouch && from == owner && p == provider && trade == TILING
            }
            EdgeRecord::Distrust { .. } => false,
        });
        prop_assume!(!exists && (vouch || owner != target));
        let before = partner_views(&graph);

        // A new network-only or private edge: its owner's consent reaches no partner, except
        // for the visitor's own network-only edges, which their link shares.
        let visibility = if private { Visibility::Private } else { Visibility::Network };
        if vouch {
            graph.set_vouch(owner, provider, TILING, Stance::Recommend, visibility, 1.0).unwrap();
        } else {
            graph.set_trust(owner, target, TrustLevel::new(3).unwrap(), visibility).unwrap();
        }
        let after = partner_views(&graph);

        for (old, new) in before.iter().zip(&after) {
            if old.0 == Some(owner) && !private {
                continue;
            }
            prop_assert_eq!(old, new);
        }
    }
}
