//! Validated domain types and rules, free of HTTP and storage concerns.

pub mod address_book;
pub mod graph_change;
pub mod ids;
pub mod key_kind;
pub mod person_ref;
pub mod seed_set;
pub mod trust;
pub mod values;

pub use graph_change::GraphChange;
pub use ids::{
    DeliveryId, KeyId, PartnerId, PersonId, ProviderId, ReferralId, TradeId, WebhookEndpointId,
};
pub use key_kind::KeyKind;
pub use trust::{Stance, TrustLevel, Visibility};
pub use values::{Email, GeoPoint, Name};
pub mod follow_up;
pub mod referral;
pub mod track_record;

pub use referral::{Party, ReferralStatus};
