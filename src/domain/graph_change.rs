//! The changes recorded in `graph_changes`: both the history of the graph and the feed from
//! which every instance keeps its in-memory graph current. They live with the domain, below
//! the store that records them and the feed that applies them.

use serde::{Deserialize, Serialize};

use crate::domain::{PersonId, ProviderId, Stance, TradeId, TrustLevel, Visibility};

/// One change to the trust graph, with the full new state (not a delta), so that applying a
/// change twice is harmless.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum GraphChange {
    /// A person was created or renamed.
    #[serde(rename = "person.upsert")]
    PersonUpsert {
        /// The person.
        id: PersonId,
        /// Their display name.
        name: String,
        /// Whether they seed the global prior.
        #[serde(default)]
        pre_trusted: bool,
    },
    /// A provider was created or edited.
    #[serde(rename = "provider.upsert")]
    ProviderUpsert {
        /// The provider.
        id: ProviderId,
        /// Its business name.
        name: String,
        /// The owning account.
        owner: PersonId,
        /// The trades it offers.
        trades: Vec<TradeId>,
        /// Service-area centre latitude.
        lat: f64,
        /// Service-area centre longitude.
        lon: f64,
        /// Service-area radius.
        radius_km: f64,
    },
    /// A trust edge was created or changed.
    #[serde(rename = "trust.set")]
    TrustSet {
        /// Who trusts.
        truster: PersonId,
        /// Whom they trust.
        trustee: PersonId,
        /// How much.
        level: TrustLevel,
        /// Who may see it.
        visibility: Visibility,
    },
    /// A trust edge was revoked.
    #[serde(rename = "trust.revoke")]
    TrustRevoke {
        /// Who trusted.
        truster: PersonId,
        /// Whom they trusted.
        trustee: PersonId,
    },
    /// A vouch was created or changed.
    #[serde(rename = "vouch.set")]
    VouchSet {
        /// The voucher.
        person: PersonId,
        /// The provider vouched for.
        provider: ProviderId,
        /// For which trade.
        trade: TradeId,
        /// Recommend or warn.
        stance: Stance,
        /// Who may see it.
        visibility: Visibility,
        /// The note, kept so that history loses nothing.
        #[serde(default)]
        note: String,
        /// How much the vouch counts: the voucher's track record as a recommender (see
        /// `domain::track_record`). Changes recorded before track records existed have none
        /// and count 1.0, as every vouch did then.
        #[serde(default = "full_strength")]
        strength: f32,
    },
    /// A vouch was revoked.
    #[serde(rename = "vouch.revoke")]
    VouchRevoke {
        /// The voucher.
        person: PersonId,
        /// The provider.
        provider: ProviderId,
        /// The trade.
        trade: TradeId,
    },
    /// A distrust edge was created or changed (imported marketplaces' negative ratings).
    #[serde(rename = "distrust.set")]
    DistrustSet {
        /// Who distrusts.
        truster: PersonId,
        /// Whom.
        trustee: PersonId,
        /// How strongly, in (0, 1].
        strength: f32,
    },
    /// A distrust edge was withdrawn.
    #[serde(rename = "distrust.revoke")]
    DistrustRevoke {
        /// Who distrusted.
        truster: PersonId,
        /// Whom.
        trustee: PersonId,
    },
}

fn full_strength() -> f32 {
    1.0
}

impl GraphChange {
    /// The `kind` column value.
    pub fn kind(&self) -> &'static str {
        match self {
            GraphChange::PersonUpsert { .. } => "person.upsert",
            GraphChange::ProviderUpsert { .. } => "provider.upsert",
            GraphChange::TrustSet { .. } => "trust.set",
            GraphChange::TrustRevoke { .. } => "trust.revoke",
            GraphChange::VouchSet { .. } => "vouch.set",
            GraphChange::VouchRevoke { .. } => "vouch.revoke",
            GraphChange::DistrustSet { .. } => "distrust.set",
            GraphChange::DistrustRevoke { .. } => "distrust.revoke",
        }
    }
}
