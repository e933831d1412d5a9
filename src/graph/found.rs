//! What a seeker's walk found about providers, as plain data: the evidence per provider, the
//! vouchers behind it, and which vouches count. `evidence.rs` reads the graph to find them;
//! the walk cache (`walk_cache.rs`) keeps them; neither needs the other, and this file needs
//! neither.

use petgraph::graph::NodeIndex;
use rustc_hash::FxHashMap;

use crate::domain::Stance;

use super::params::RankParams;
use super::trade_table::hash_map_bytes;
use super::weights::{EdgeWeight, TradeSlot};

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

    pub(super) fn add(&mut self, stance: Stance, amount: f64) {
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
    /// Groups vouchers found in the walk's order, each with the provider it vouched for, and
    /// sums each provider's evidence in that order: the sums come out as
    /// `evidence::collect_evidence`'s, bit for bit.
    ///
    /// # Complexity
    /// O(vouchers found).
    pub(super) fn group(found: Vec<(NodeIndex, ReachedVoucher)>) -> ReachedEvidence {
        let mut providers: FxHashMap<NodeIndex, (Evidence, u32, u32)> = FxHashMap::default();
        for &(provider, voucher) in &found {
            let (evidence, _, count) = providers.entry(provider).or_default();
            evidence.add(voucher.stance, voucher.p * f64::from(voucher.strength));
            *count += 1;
        }
        // Give each provider's group its start, then place the vouchers in the order they were
        // found, using the start as the group's cursor; each cursor ends one count past its
        // start, and is set back.
        let mut next = 0;
        for (_, start, count) in providers.values_mut() {
            *start = next;
            next += *count;
        }
        // Any voucher fills the array until every place has been written.
        let mut vouchers = match found.first() {
            Some(&(_, filler)) => vec![filler; found.len()],
            None => Vec::new(),
        };
        for (provider, voucher) in found {
            let (_, cursor, _) = providers.get_mut(&provider).expect("counted above");
            vouchers[*cursor as usize] = voucher;
            *cursor += 1;
        }
        for (_, start, count) in providers.values_mut() {
            *start -= *count;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn voucher(person: usize, stance: Stance, p: f64) -> ReachedVoucher {
        ReachedVoucher {
            person: NodeIndex::new(person),
            stance,
            strength: 1.0,
            p,
        }
    }

    #[test]
    fn grouped_vouchers_keep_the_walks_order_and_sum_as_found() {
        let (mario, luigi, nobody) = (NodeIndex::new(70), NodeIndex::new(80), NodeIndex::new(90));
        // Found in walk order, the two providers' vouchers interleaved.
        let found = vec![
            (mario, voucher(1, Stance::Recommend, 0.5)),
            (luigi, voucher(2, Stance::Warn, 0.25)),
            (mario, voucher(3, Stance::Warn, 0.125)),
            (luigi, voucher(4, Stance::Recommend, 0.0625)),
            (mario, voucher(5, Stance::Recommend, 0.03125)),
        ];
        let reached = ReachedEvidence::group(found);

        let people = |provider| -> Vec<usize> {
            reached
                .vouchers(provider)
                .iter()
                .map(|v| v.person.index())
                .collect()
        };
        assert_eq!(people(mario), vec![1, 3, 5]);
        assert_eq!(people(luigi), vec![2, 4]);
        assert!(people(nobody).is_empty());

        let mario_evidence = reached.evidence(mario);
        assert_eq!(mario_evidence.recommend, 0.5 + 0.03125);
        assert_eq!(mario_evidence.warn, 0.125);
        assert_eq!(
            (mario_evidence.recommenders, mario_evidence.warners),
            (2, 1)
        );
        assert_eq!(reached.evidence(nobody), Evidence::default());
        assert!(reached.reached(luigi) && !reached.reached(nobody));
        assert_eq!(reached.providers().count(), 2);
    }
}
