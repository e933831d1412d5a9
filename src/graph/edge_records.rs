//! Every edge of the graph as a plain value, so it can be compared edge by edge with the
//! database after a load or a stream of changes.

use petgraph::visit::EdgeRef;
use serde::Serialize;

use crate::domain::{PersonId, ProviderId, Stance, TradeId, TrustLevel, Visibility};

use super::trust_graph::TrustGraph;
use super::weights::EdgeKind;

/// One edge, with database ids.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub enum EdgeRecord {
    /// `from` trusts `to`.
    Trust {
        /// Who trusts.
        from: PersonId,
        /// Whom they trust.
        to: PersonId,
        /// How much.
        level: TrustLevel,
        /// Who may see it.
        visibility: Visibility,
    },
    /// `from` distrusts `to`.
    Distrust {
        /// Who distrusts.
        from: PersonId,
        /// Whom they distrust.
        to: PersonId,
        /// How much.
        strength: f32,
    },
    /// `from` vouches for `provider` in `trade`.
    Vouch {
        /// Who vouches.
        from: PersonId,
        /// For which provider.
        provider: ProviderId,
        /// In which trade.
        trade: TradeId,
        /// Recommend or warn.
        stance: Stance,
        /// Who may see it.
        visibility: Visibility,
        /// How much it counts (1.0 for a plain vouch).
        strength: f32,
    },
}

impl TrustGraph {
    /// Every edge, in storage order (sort them to compare with another source).
    ///
    /// # Complexity
    /// O(E) for the whole iteration.
    pub fn edges(&self) -> impl Iterator<Item = EdgeRecord> + '_ {
        self.edges.all(self.node_bound()).map(|edge| {
            let from = self.person_id(edge.source());
            let weight = *edge.weight();
            match weight.kind() {
                EdgeKind::Trust => EdgeRecord::Trust {
                    from,
                    to: self.person_id(edge.target()),
                    level: weight.level(),
                    visibility: weight.visibility(),
                },
                EdgeKind::Distrust => EdgeRecord::Distrust {
                    from,
                    to: self.person_id(edge.target()),
                    strength: weight.strength(),
                },
                EdgeKind::Vouch => EdgeRecord::Vouch {
                    from,
                    provider: self.provider_info(edge.target()).id,
                    trade: self.trade_id(weight.trade()),
                    stance: weight.stance(),
                    visibility: weight.visibility(),
                    strength: weight.strength(),
                },
            }
        })
    }
}
