//! Ranking the providers of one trade for one seeker.
//!
//! score = personal + lambda * prior, where personal = max(0, R - gamma * W) from the seeker's
//! personalized walk (R and W: the walk's mass at visible recommending / warning vouchers,
//! times strength) and prior is the provider's public reputation from [`compute_prior`].
//!
//! [`compute_prior`]: super::prior::compute_prior

use petgraph::graph::NodeIndex;
use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};

use crate::domain::{PersonId, ProviderId, TradeId};

use super::evidence::public_counts;
use super::found::{Evidence, ReachedEvidence, TradeFilter};
use super::network_evidence::{remembered_evidence, seeker_walk};
use super::params::RankParams;
use super::paths::{PathFinder, TrustPath};
use super::prior::Prior;
use super::trust_graph::TrustGraph;
use super::visibility::Audience;
use super::weights::TradeSlot;

/// How many paths a ranked provider carries; [`explain_provider`] gives them all.
///
/// [`explain_provider`]: super::explain::explain_provider
pub const PATHS_PER_PROVIDER: usize = 3;

/// A search: who is asking, for which trade, and optionally where.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchQuery {
    /// The person searching; `None` for an anonymous visitor, who sees public data only.
    pub seeker: Option<PersonId>,
    /// The trade wanted.
    pub trade: TradeId,
    /// A point (latitude, longitude in degrees) that the provider's service area must contain.
    pub near: Option<(f64, f64)>,
    /// At most this many results.
    pub limit: usize,
    /// On whose behalf: the seeker, or a partner showing them their view.
    #[serde(default)]
    pub audience: Audience,
}

/// How many vouches a provider has, in the seeker's network and in public.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VouchCounts {
    /// Distinct visible vouchers the seeker's walk reached who recommend.
    pub network_recommend: u32,
    /// Distinct visible vouchers the seeker's walk reached who warn.
    pub network_warn: u32,
    /// All public recommending vouches.
    pub public_recommend: u32,
    /// All public warning vouches.
    pub public_warn: u32,
}

/// One result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RankedProvider {
    /// The provider.
    pub provider: ProviderId,
    /// Its name.
    pub name: String,
    /// `personal + lambda * prior`; never negative.
    pub score: f64,
    /// What the seeker's own network says.
    pub personal: f64,
    /// The public reputation, before weighting by lambda.
    pub prior: f64,
    /// Vouch counts.
    pub counts: VouchCounts,
    /// Up to [`PATHS_PER_PROVIDER`] strongest paths from the seeker to its vouchers.
    pub paths: Vec<TrustPath>,
}

/// Ranks the providers of `q.trade` (within reach of `q.near`, if given) for `q.seeker`,
/// best first: by score, then prior, then provider id. A seeker never gets a provider they own.
/// Every number uses only edges visible to the seeker.
///
/// # Complexity
/// One forward push (O(1 / (alpha * epsilon)) edge visits, see `push.rs`); one scan of the
/// reached people's edges; O(P log P) for the P providers offering the trade; a second scan of
/// the reached people's edges for the returned providers' vouchers; one layered path search;
/// and the in-edges of those vouchers. A provider's popularity adds nothing.
pub fn rank_providers_for(
    graph: &TrustGraph,
    prior: &Prior,
    q: &SearchQuery,
    params: &RankParams,
) -> Vec<RankedProvider> {
    let Some(slot) = graph.trade_slot(q.trade) else {
        return Vec::new();
    };
    let trade = TradeFilter::One(slot);
    let (viewer, mass) = seeker_walk(graph, q.seeker, q.audience, params);
    let reached = remembered_evidence(graph, &viewer, &mass, trade, params);

    let candidate = |node: NodeIndex, id: ProviderId| {
        let found = reached.evidence(node);
        let personal = found.personal(params);
        let prior = prior.get(id, q.trade);
        Candidate {
            node,
            id,
            score: personal + params.lambda * prior,
            personal,
            prior,
            evidence: found,
        }
    };
    let mut candidates: Vec<Candidate> = match q.near {
        // Near a place, every provider of the trade who serves it is a candidate: the service
        // areas' index finds them without reading the trade's other providers, whose number
        // grows with the network while the number at one place does not. The index holds
        // what `eligible` reads, and only this trade's providers.
        Some((lat, lon)) => graph
            .providers_near(slot, lat, lon)
            .filter(|area| Some(area.owner) != q.seeker && area.serves(lat, lon))
            .map(|area| candidate(area.node, area.provider))
            .collect(),
        None => everywhere(graph, prior, q, slot, &reached, candidate),
    };
    let order = |a: &Candidate, b: &Candidate| {
        b.score
            .total_cmp(&a.score)
            .then(b.prior.total_cmp(&a.prior))
            .then(a.id.cmp(&b.id))
    };
    if candidates.len() > q.limit && q.limit > 0 {
        candidates.select_nth_unstable_by(q.limit - 1, order);
    }
    candidates.truncate(q.limit);
    candidates.sort_by(order);

    let mut finder = PathFinder::new(graph, &viewer, params);
    candidates
        .into_iter()
        .map(|candidate| {
            let (public_recommend, public_warn) = public_counts(graph, candidate.node, trade);
            let paths = match finder.as_mut() {
                Some(finder) => {
                    let vouchers = reached.vouchers(candidate.node);
                    finder.paths_to(vouchers, PATHS_PER_PROVIDER).0
                }
                None => Vec::new(),
            };
            RankedProvider {
                provider: candidate.id,
                name: graph.name(candidate.node).to_owned(),
                score: candidate.score,
                personal: candidate.personal,
                prior: candidate.prior,
                counts: VouchCounts {
                    network_recommend: candidate.evidence.recommenders,
                    network_warn: candidate.evidence.warners,
                    public_recommend,
                    public_warn,
                },
                paths,
            }
        })
        .collect()
}

/// The candidates of a search with no place: every provider the walk reached ranks on its
/// personal score. Of the rest, whose score is lambda * prior alone, only the best `limit` by
/// prior can make the list, so they are taken from the prior's ranking instead of scoring
/// every provider of the trade.
fn everywhere(
    graph: &TrustGraph,
    prior: &Prior,
    q: &SearchQuery,
    slot: TradeSlot,
    reached: &ReachedEvidence,
    candidate: impl Fn(NodeIndex, ProviderId) -> Candidate,
) -> Vec<Candidate> {
    let eligible = |node: NodeIndex| {
        let info = graph.provider_info(node);
        info.trades.contains(&q.trade) && Some(info.owner) != q.seeker
    };
    let candidate = |node: NodeIndex| candidate(node, graph.provider_info(node).id);
    let mut candidates: Vec<Candidate> = reached
        .providers()
        .map(|(node, _)| node)
        .filter(|&node| eligible(node))
        .map(&candidate)
        .collect();
    let mut unreached = 0;
    for &(id, _) in prior.ranked(q.trade) {
        if unreached == q.limit {
            break;
        }
        let Some(node) = graph.provider_node(id) else {
            continue;
        };
        if !reached.reached(node) && eligible(node) {
            candidates.push(candidate(node));
            unreached += 1;
        }
    }
    if unreached < q.limit {
        // Too few providers with a prior here: the rest score zero and tie, so they go by id.
        // The list is in id order, so the first `limit` eligible ones are all that can make the
        // results; reading on would cost a scan of the whole trade on every search (a network
        // without seeds has no prior at all).
        let taken: FxHashSet<NodeIndex> = candidates.iter().map(|c| c.node).collect();
        candidates.extend(
            graph
                .providers_offering(slot)
                .iter()
                .map(|&(_, node)| node)
                .filter(|node| !taken.contains(node) && eligible(*node))
                .take(q.limit)
                .map(&candidate),
        );
    }
    candidates
}

struct Candidate {
    node: NodeIndex,
    id: ProviderId,
    score: f64,
    personal: f64,
    prior: f64,
    evidence: Evidence,
}
