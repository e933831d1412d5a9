//! Turns the seeker's walk into evidence about providers: the walk's mass at each visible
//! recommending or warning voucher, summed per provider.

use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use rustc_hash::FxHashMap;

use crate::domain::Stance;

use super::found::{Evidence, ReachedEvidence, ReachedVoucher, TradeFilter};
use super::trust_graph::TrustGraph;
use super::visibility::Viewer;
use super::weights::{EdgeKind, EdgeWeight, TradeSlot};

/// `person`'s vouches in `trade` that `viewer` may see, as (provider, vouch): the one place
/// that decides which vouches count for a viewer, read from the voucher's side.
fn visible_vouches<'g>(
    graph: &'g TrustGraph,
    viewer: &Viewer,
    person: NodeIndex,
    trade: TradeFilter,
) -> impl Iterator<Item = (NodeIndex, EdgeWeight)> + 'g {
    let access = viewer.access_to(person);
    graph.non_trust_out_edges(person).filter_map(move |edge| {
        let weight = *edge.weight();
        (weight.kind() == EdgeKind::Vouch
            && access.allows(weight.visibility())
            && trade.admits(weight))
        .then_some((edge.target(), weight))
    })
}

/// Evidence for every provider some reached person vouched for, visibly to the viewer.
///
/// # Complexity
/// O(sum of the out-degrees of the reached people): each reached person's edges are scanned
/// once, in the walk's order, so the sums do not depend on hash-map order.
pub(crate) fn collect_evidence(
    graph: &TrustGraph,
    viewer: &Viewer,
    mass: &[(NodeIndex, f64)],
    trade: TradeFilter,
) -> FxHashMap<NodeIndex, Evidence> {
    let mut evidence: FxHashMap<NodeIndex, Evidence> = FxHashMap::default();
    for &(person, p) in mass {
        for (provider, weight) in visible_vouches(graph, viewer, person, trade) {
            evidence
                .entry(provider)
                .or_default()
                .add(weight.stance(), p * f64::from(weight.strength()));
        }
    }
    evidence
}

/// Evidence for some providers only, found from their side: each provider's vouches are read
/// and matched against the walk, instead of every reached person's vouches. For a few
/// providers on a graph where people vouch a lot (offline evaluation: a rater rates dozens of
/// items) that is far less to read.
///
/// The result equals [`collect_evidence`]'s entries for these providers, bit for bit: a
/// person vouches for a provider in one trade at most once, and the vouchers are added in the
/// walk's order, as `collect_evidence` adds them. Providers nobody reached vouched for are
/// absent, as there.
///
/// # Complexity
/// O(reached people + the providers' in-degrees + v log v) for the v reached vouchers.
pub(crate) fn evidence_for(
    graph: &TrustGraph,
    viewer: &Viewer,
    mass: &[(NodeIndex, f64)],
    providers: &[NodeIndex],
    trade: TradeSlot,
) -> Vec<(NodeIndex, Evidence)> {
    let order: FxHashMap<NodeIndex, (usize, f64)> = mass
        .iter()
        .enumerate()
        .map(|(position, &(person, p))| (person, (position, p)))
        .collect();
    let mut found = Vec::with_capacity(providers.len());
    let mut vouchers: Vec<(usize, Stance, f64)> = Vec::new();
    for &provider in providers {
        vouchers.clear();
        for edge in graph.in_edges(provider) {
            let weight = *edge.weight();
            if weight.kind() != EdgeKind::Vouch || weight.trade() != trade {
                continue;
            }
            let Some(&(position, p)) = order.get(&edge.source()) else {
                continue;
            };
            if viewer.access_to(edge.source()).allows(weight.visibility()) {
                vouchers.push((position, weight.stance(), p * f64::from(weight.strength())));
            }
        }
        if vouchers.is_empty() {
            continue;
        }
        vouchers.sort_unstable_by_key(|&(position, _, _)| position);
        let mut evidence = Evidence::default();
        for &(_, stance, amount) in &vouchers {
            evidence.add(stance, amount);
        }
        found.push((provider, evidence));
    }
    found
}

/// The public recommending and warning vouches a provider has received.
///
/// # Complexity
/// O(1): the graph keeps these tallies as vouches change.
pub(crate) fn public_counts(
    graph: &TrustGraph,
    provider: NodeIndex,
    trade: TradeFilter,
) -> (u32, u32) {
    let tally = match trade {
        TradeFilter::One(slot) => graph.public_by_trade.get(&(provider, slot)),
        TradeFilter::Any => graph.public_all_trades.get(&provider),
    };
    tally.map_or((0, 0), |tally| (tally.recommend, tally.warn))
}

/// Scans the vouches of everyone in `mass`, in its order, as [`collect_evidence`] does, and
/// keeps each provider's vouchers with its evidence.
///
/// # Complexity
/// O(sum of the out-degrees of the reached people), then O(vouchers found) to group them.
pub(crate) fn reached_evidence(
    graph: &TrustGraph,
    viewer: &Viewer,
    mass: &[(NodeIndex, f64)],
    trade: TradeFilter,
) -> ReachedEvidence {
    let mut found: Vec<(NodeIndex, ReachedVoucher)> = Vec::new();
    for &(person, p) in mass {
        for (provider, weight) in visible_vouches(graph, viewer, person, trade) {
            let voucher = ReachedVoucher {
                person,
                stance: weight.stance(),
                strength: weight.strength(),
                p,
            };
            found.push((provider, voucher));
        }
    }
    ReachedEvidence::group(found)
}
