//! The node and edge weights, packed small.
//!
//! At a million people and twelve million edges the edge arrays dominate memory, so an edge
//! weight is 8 bytes: a `u32` of bit fields and an `f32` strength. A vouch or distrust edge
//! stores it with its target, source and place in the reverse direction: 20 bytes. A trust
//! edge stores only its level and visibility, packed beside its ends: 8 bytes
//! (`adjacency.rs`).

use crate::domain::{PersonId, Stance, TrustLevel, Visibility};

use super::provider::ProviderInfo;

/// A node: a person, or a provider (a business that people vouch for).
#[derive(Clone, Debug)]
pub enum NodeWeight {
    /// A person; the name is only used to write explanations.
    Person {
        /// The person's id.
        id: PersonId,
        /// The display name, possibly empty for people only known from someone's edges.
        name: Box<str>,
    },
    /// A provider. Boxed because providers are few and people many: this keeps the enum small.
    Provider(Box<ProviderInfo>),
}

/// What an edge means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EdgeKind {
    /// Person -> person: "I trust them"; the only kind the ranking walks along.
    Trust,
    /// Person -> provider, for one trade: a recommendation or a warning.
    Vouch,
    /// Person -> person: negative evidence, kept for later use and never walked.
    Distrust,
}

/// A trade as stored on an edge: a dense index into the graph's trade table, not the database
/// id, so that it fits in the 24 bits left over in [`EdgeWeight`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TradeSlot(pub(super) u32);

impl TradeSlot {
    /// The largest slot that fits in an edge weight.
    pub(super) const MAX: u32 = (1 << 24) - 1;
}

// Bit layout of `EdgeWeight::bits`, from the low end.
const KIND_SHIFT: u32 = 0; // 2 bits: 0 trust, 1 vouch, 2 distrust
const VISIBILITY_SHIFT: u32 = 2; // 2 bits: 0 public, 1 network, 2 private
const LEVEL_SHIFT: u32 = 4; // 2 bits: trust level 1..=3
const STANCE_SHIFT: u32 = 6; // 1 bit: 0 recommend, 1 warn
const TRADE_SHIFT: u32 = 8; // 24 bits: trade slot of a vouch

/// An edge weight: kind, visibility, trust level or stance, trade slot and strength in 8 bytes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EdgeWeight {
    bits: u32,
    strength: f32,
}

impl EdgeWeight {
    /// A trust edge. Its strength is unused and stored as 1.
    pub fn trust(level: TrustLevel, visibility: Visibility) -> EdgeWeight {
        let bits = (visibility_code(visibility) << VISIBILITY_SHIFT)
            | (u32::from(level.get()) << LEVEL_SHIFT);
        EdgeWeight {
            bits,
            strength: 1.0,
        }
    }

    /// A vouch for one trade.
    ///
    /// # Panics
    /// If `trade` does not fit in 24 bits; the trade table refuses to hand out such slots.
    pub fn vouch(
        trade: TradeSlot,
        stance: Stance,
        visibility: Visibility,
        strength: f32,
    ) -> EdgeWeight {
        assert!(
            trade.0 <= TradeSlot::MAX,
            "trade slot {} overflows",
            trade.0
        );
        let stance_bit = match stance {
            Stance::Recommend => 0,
            Stance::Warn => 1,
        };
        let bits = (1 << KIND_SHIFT)
            | (visibility_code(visibility) << VISIBILITY_SHIFT)
            | (stance_bit << STANCE_SHIFT)
            | (trade.0 << TRADE_SHIFT);
        EdgeWeight { bits, strength }
    }

    /// A distrust edge. It has no visibility of its own; it is stored as private so that no
    /// code that forgets to check the kind can ever show it to anyone.
    pub fn distrust(strength: f32) -> EdgeWeight {
        let bits = (2 << KIND_SHIFT) | (visibility_code(Visibility::Private) << VISIBILITY_SHIFT);
        EdgeWeight { bits, strength }
    }

    /// What the edge means.
    pub fn kind(self) -> EdgeKind {
        match (self.bits >> KIND_SHIFT) & 0b11 {
            0 => EdgeKind::Trust,
            1 => EdgeKind::Vouch,
            _ => EdgeKind::Distrust,
        }
    }

    /// Who may see the edge; see [`super::visibility`] for the rule.
    pub fn visibility(self) -> Visibility {
        match (self.bits >> VISIBILITY_SHIFT) & 0b11 {
            0 => Visibility::Public,
            1 => Visibility::Network,
            _ => Visibility::Private,
        }
    }

    /// The trust level of a trust edge (level 1 for other kinds, which have none).
    pub fn level(self) -> TrustLevel {
        TrustLevel::new(((self.bits >> LEVEL_SHIFT) & 0b11) as u8).unwrap_or(TrustLevel::KNOW)
    }

    /// The stance of a vouch (`Recommend` for other kinds, which have none).
    pub fn stance(self) -> Stance {
        if (self.bits >> STANCE_SHIFT) & 1 == 1 {
            Stance::Warn
        } else {
            Stance::Recommend
        }
    }

    /// The trade slot of a vouch (slot 0 for other kinds, which have none).
    pub fn trade(self) -> TradeSlot {
        TradeSlot(self.bits >> TRADE_SHIFT)
    }

    /// The strength of a vouch or distrust edge (1 for trust edges).
    pub fn strength(self) -> f32 {
        self.strength
    }

    /// What a removed edge of the CSR becomes (`adjacency.rs`): kind code 3, which no live
    /// edge has, so reading skips it.
    pub(super) const REMOVED: EdgeWeight = EdgeWeight {
        bits: 3 << KIND_SHIFT,
        strength: 0.0,
    };

    /// Whether this is a removed edge's tombstone.
    pub(super) fn is_removed(self) -> bool {
        (self.bits >> KIND_SHIFT) & 0b11 == 3
    }

    /// What makes two edges from the same source "the same edge", for replacing and
    /// de-duplicating: the kind, and for a vouch the trade too.
    pub(super) fn identity(self) -> (EdgeKind, TradeSlot) {
        match self.kind() {
            EdgeKind::Vouch => (EdgeKind::Vouch, self.trade()),
            kind => (kind, TradeSlot(0)),
        }
    }
}

fn visibility_code(visibility: Visibility) -> u32 {
    match visibility {
        Visibility::Public => 0,
        Visibility::Network => 1,
        Visibility::Private => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edge_weight_is_8_bytes_and_no_live_edge_looks_removed() {
        assert_eq!(std::mem::size_of::<EdgeWeight>(), 8);
        assert!(EdgeWeight::REMOVED.is_removed());
        let trust = EdgeWeight::trust(TrustLevel::KNOW, Visibility::Private);
        let vouch = EdgeWeight::vouch(
            TradeSlot(TradeSlot::MAX),
            Stance::Warn,
            Visibility::Private,
            2.0,
        );
        for live in [trust, vouch, EdgeWeight::distrust(1.0)] {
            assert!(!live.is_removed());
        }
    }

    #[test]
    fn a_trust_edge_keeps_its_level_and_visibility() {
        for level in 1..=3 {
            for visibility in [Visibility::Public, Visibility::Network, Visibility::Private] {
                let level = TrustLevel::new(level).unwrap();
                let weight = EdgeWeight::trust(level, visibility);
                assert_eq!(weight.kind(), EdgeKind::Trust);
                assert_eq!(weight.level(), level);
                assert_eq!(weight.visibility(), visibility);
            }
        }
    }

    #[test]
    fn a_vouch_keeps_its_trade_stance_visibility_and_strength() {
        let weight = EdgeWeight::vouch(
            TradeSlot(TradeSlot::MAX),
            Stance::Warn,
            Visibility::Network,
            0.5,
        );
        assert_eq!(weight.kind(), EdgeKind::Vouch);
        assert_eq!(weight.trade(), TradeSlot(TradeSlot::MAX));
        assert_eq!(weight.stance(), Stance::Warn);
        assert_eq!(weight.visibility(), Visibility::Network);
        assert_eq!(weight.strength(), 0.5);
    }

    #[test]
    fn a_distrust_edge_is_never_public() {
        let weight = EdgeWeight::distrust(0.7);
        assert_eq!(weight.kind(), EdgeKind::Distrust);
        assert_eq!(weight.visibility(), Visibility::Private);
        assert_eq!(weight.strength(), 0.7);
    }
}
