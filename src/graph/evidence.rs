//! Turns the seeker's walk into evidence about providers: the walk's mass at each visible
//! recommending or warning voucher, summed per provider.

use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use rustc_hash::FxHashMap;

use crate::domain::Stance;

use super::params::RankParams;
use super::trade_table::hash_map_bytes;
use super::trust_graph::TrustGraph;
use super::visibility::Viewer;
use super::weights::{EdgeKind, EdgeWeight, TradeSlot};

/// Which vouches count: those for one trade, or (for explaining a provider as a whole) all.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum TradeFilter {
    /// Vouches for this trade only.
    One(TradeSlot),
    /// Vouches for any trade.
    Any,
}

impl TradeFilter {
    pub(crate) fn admits(self, weight: EdgeWeight) -> bool {
        match self {
            TradeFilter::One(slot) => weight.trade() == slot,
            TradeFilter::Any => true,
        }
    }
}

/// What a seeker's walk says about one provider: the walk's mass at the visible vouchers it
/// reached, times each vouch's strength. The one type for it, in a search, an explanation and
/// offline evaluation alike.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Evidence {
    /// Sum over reached visible recommending vouchers of p(voucher) * strength.
    pub recommend: f64,
    /// The same over warning vouchers.
    pub warn: f64,
    /// How many reached visible vouches recommend.
    pub recommenders: u32,
    /// How many reached visible vouches warn.
    pub warners: u32,
}

impl Evidence {
    /// The personal part of the search score, `max(0, recommend - gamma * warn)`.
    pub fn personal(&self, params: &RankParams) -> f64 {
        params.net_evidence(self.recommend, self.warn)
    }

    fn add(&mut self, stance: Stance, amount: f64) {
        match stance {
            Stance::Recommend => {
                self.recommend += amount;
                self.recommenders += 1;
            }
            Stance::Warn => {
                self.warn += amount;
                self.warners += 1;
            }
        }
    }
}

/// `person`'s vouches in `trade` that `viewer` may see, as (provider, vouch): the one place
/// that decides which vouches count for a viewer, read from the voucher's side.
fn visible_vouches<'g>(
    graph: &'g TrustGraph,
    viewer: &Viewer,
    person: NodeIndex,
    trade: TradeFilter,
) -> impl Iterator<Item = (NodeIndex, EdgeWeight)> + 'g {
    let access = viewer.access_to(person);
    graph.out_edges(person).filter_map(move |edge| {
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

/// Everything a walk found about one trade (or all of them): each provider that some reached
/// person vouched for, visibly to the viewer, with those vouchers in the walk's order and
/// their sum. One scan of the reached people's vouches builds it; a search then reads any
/// provider's evidence and vouchers in O(1), and the walk's cache keeps it (`walk_cache.rs`),
/// so a seeker's second search in a trade does not scan again.
#[derive(Debug, Default)]
pub(crate) struct ReachedEvidence {
    /// Per provider: its evidence, and where its vouchers start in `vouchers` and how many.
    providers: FxHashMap<NodeIndex, (Evidence, u32, u32)>,
    /// Every reached voucher, grouped by provider, each group in the walk's order. One array
    /// rather than a vector per provider: a walk reaches thousands of providers.
    vouchers: Vec<ReachedVoucher>,
}

impl ReachedEvidence {
    /// Scans the vouches of everyone in `mass`, in its order, as [`collect_evidence`] does: the
    /// sums come out identical, bit for bit.
    ///
    /// # Complexity
    /// O(sum of the out-degrees of the reached people), then O(vouchers found) to group them.
    pub(crate) fn collect(
        graph: &TrustGraph,
        viewer: &Viewer,
        mass: &[(NodeIndex, f64)],
        trade: TradeFilter,
    ) -> ReachedEvidence {
        let mut providers: FxHashMap<NodeIndex, (Evidence, u32, u32)> = FxHashMap::default();
        let mut found: Vec<(NodeIndex, ReachedVoucher)> = Vec::new();
        for &(person, p) in mass {
            for (provider, weight) in visible_vouches(graph, viewer, person, trade) {
                let (evidence, _, count) = providers.entry(provider).or_default();
                evidence.add(weight.stance(), p * f64::from(weight.strength()));
                *count += 1;
                let voucher = ReachedVoucher {
                    person,
                    stance: weight.stance(),
                    strength: weight.strength(),
                    p,
                };
                found.push((provider, voucher));
            }
        }
        // Group by provider, keeping the walk's order within each group: give each group its
        // start, then place the vouchers in the order they were found.
        let mut next = 0;
        for (_, start, count) in providers.values_mut() {
            *start = next;
            next += *count;
        }
        let mut placed: FxHashMap<NodeIndex, u32> = FxHashMap::default();
        placed.reserve(providers.len());
        // Any voucher fills the array until every place has been written.
        let mut vouchers = match found.first() {
            Some(&(_, filler)) => vec![filler; found.len()],
            None => Vec::new(),
        };
        for (provider, voucher) in found {
            let at = placed.entry(provider).or_insert(providers[&provider].1);
            vouchers[*at as usize] = voucher;
            *at += 1;
        }
        ReachedEvidence {
            providers,
            vouchers,
        }
    }

    /// A provider's evidence: zero if no one reached vouched for it.
    pub(crate) fn evidence(&self, provider: NodeIndex) -> Evidence {
        self.providers
            .get(&provider)
            .map(|&(evidence, _, _)| evidence)
            .unwrap_or_default()
    }

    /// A provider's reached vouchers, in the walk's order.
    pub(crate) fn vouchers(&self, provider: NodeIndex) -> &[ReachedVoucher] {
        self.providers
            .get(&provider)
            .map_or(&[], |&(_, start, count)| {
                &self.vouchers[start as usize..(start + count) as usize]
            })
    }

    /// Whether anyone reached vouched for the provider.
    pub(crate) fn reached(&self, provider: NodeIndex) -> bool {
        self.providers.contains_key(&provider)
    }

    /// Every provider someone reached vouched for, with its evidence, in no particular order.
    pub(crate) fn providers(&self) -> impl Iterator<Item = (NodeIndex, Evidence)> + '_ {
        self.providers
            .iter()
            .map(|(&provider, &(evidence, _, _))| (provider, evidence))
    }

    /// Heap bytes held, estimated from capacities, for the walk cache's budget.
    pub(crate) fn bytes(&self) -> u64 {
        (hash_map_bytes::<NodeIndex, (Evidence, u32, u32)>(self.providers.capacity())
            + self.vouchers.capacity() * std::mem::size_of::<ReachedVoucher>()) as u64
    }
}

/// A voucher the seeker's walk reached.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct ReachedVoucher {
    pub(crate) person: NodeIndex,
    pub(crate) stance: Stance,
    pub(crate) strength: f32,
    pub(crate) p: f64,
}
