//! The full explanation of one provider's score for one seeker: every part of the score, and
//! the best path to every voucher the seeker's walk reached.

use petgraph::graph::NodeIndex;
use serde::Serialize;

use crate::domain::{PersonId, ProviderId, TradeId};

use super::evidence::public_counts;
use super::found::TradeFilter;
use super::network_evidence::{remembered_evidence, seeker_walk};
use super::params::RankParams;
use super::paths::{PathFinder, TrustPath};
use super::prior::Prior;
use super::rank::VouchCounts;
use super::trust_graph::TrustGraph;
use super::visibility::Audience;

/// Why a provider scores what it does for a seeker.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Explanation {
    /// The provider.
    pub provider: ProviderId,
    /// Its name.
    pub name: String,
    /// The trade explained, or `None` for all the provider's vouches together.
    pub trade: Option<TradeId>,
    /// `personal + lambda * prior`, as in the search results for that trade.
    pub score: f64,
    /// `max(0, recommend_weight - gamma * warn_weight)`.
    pub personal: f64,
    /// The public reputation, before weighting by lambda.
    pub prior: f64,
    /// R: the seeker's walk mass at visible recommending vouchers, times strength.
    pub recommend_weight: f64,
    /// W: the same at visible warning vouchers.
    pub warn_weight: f64,
    /// Vouch counts.
    pub counts: VouchCounts,
    /// The best path (at most 3 hops) to every reached visible voucher, strongest first.
    pub paths: Vec<TrustPath>,
    /// Reached visible vouchers further than 3 hops: "n more people in your extended network".
    pub beyond_three_hops: u32,
}

/// Explains `provider`'s score for `seeker` in `trade` (or over all its vouches when `trade` is
/// `None`; a person vouching in two trades then counts twice). `None` if the provider is
/// unknown. Unlike the search, it explains a provider to its own owner too.
///
/// # Complexity
/// A forward push and a scan of the reached people's edges, then one layered path search and
/// the in-edges of each reached voucher.
pub fn explain_provider(
    graph: &TrustGraph,
    prior: &Prior,
    seeker: Option<PersonId>,
    audience: Audience,
    provider: ProviderId,
    trade: Option<TradeId>,
    params: &RankParams,
) -> Option<Explanation> {
    let node = graph.provider_node(provider)?;
    let filter = match trade {
        None => TradeFilter::Any,
        Some(trade) => match graph.trade_slot(trade) {
            Some(slot) => TradeFilter::One(slot),
            // No one ever vouched in this trade: nothing to explain beyond zeros.
            None => return Some(empty_explanation(graph, node, provider, Some(trade))),
        },
    };
    let (viewer, mass) = seeker_walk(graph, seeker, audience, params);
    let reached = remembered_evidence(graph, &viewer, &mass, filter, params);
    let vouchers = reached.vouchers(node);
    let evidence = reached.evidence(node);
    let personal = evidence.personal(params);
    let prior = match trade {
        Some(trade) => prior.get(provider, trade),
        None => prior.all_trades(provider),
    };
    let (public_recommend, public_warn) = public_counts(graph, node, filter);
    let (paths, beyond_three_hops) = match PathFinder::new(graph, &viewer, params) {
        Some(mut finder) => finder.paths_to(vouchers, usize::MAX),
        None => (Vec::new(), 0),
    };
    Some(Explanation {
        provider,
        name: graph.name(node).to_owned(),
        trade,
        score: personal + params.lambda * prior,
        personal,
        prior,
        recommend_weight: evidence.recommend,
        warn_weight: evidence.warn,
        counts: VouchCounts {
            network_recommend: evidence.recommenders,
            network_warn: evidence.warners,
            public_recommend,
            public_warn,
        },
        paths,
        beyond_three_hops,
    })
}

fn empty_explanation(
    graph: &TrustGraph,
    node: NodeIndex,
    provider: ProviderId,
    trade: Option<TradeId>,
) -> Explanation {
    Explanation {
        provider,
        name: graph.name(node).to_owned(),
        trade,
        score: 0.0,
        personal: 0.0,
        prior: 0.0,
        recommend_weight: 0.0,
        warn_weight: 0.0,
        counts: VouchCounts::default(),
        paths: Vec::new(),
        beyond_three_hops: 0,
    }
}
