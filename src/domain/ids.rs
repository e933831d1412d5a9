//! Newtype identifiers, so that a person's id can never be passed where a provider's is wanted.
//!
//! They are plain integers underneath (Postgres `bigint`/`integer`); the storage layer teaches
//! sqlx to read and write them, which keeps this module free of database imports.

use serde::{Deserialize, Serialize};

macro_rules! id_newtype {
    ($(#[$meta:meta])* $name:ident($inner:ty)) => {
        $(#[$meta])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema,
        )]
        #[serde(transparent)]
        pub struct $name(pub $inner);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map($name)
            }
        }
    };
}

id_newtype!(
    /// A person: every account is one, and imported trust networks add people without accounts.
    PersonId(i64)
);
id_newtype!(
    /// A provider: a business owned by an account, offering one or more trades.
    ProviderId(i64)
);
id_newtype!(
    /// A trade from the `trades` table (plumber, tiler, ...).
    TradeId(i32)
);
id_newtype!(
    /// A partner site: an account's integration, with its keys, origins and webhooks.
    PartnerId(i64)
);
id_newtype!(
    /// A referral: one person pointing another to a provider for a trade, from the
    /// `referrals` table.
    ReferralId(i64)
);
id_newtype!(
    /// A partner's API key (publishable or secret) from the `partner_keys` table: the row, not
    /// the secret itself.
    KeyId(i64)
);
id_newtype!(
    /// A partner's webhook endpoint: a URL that is sent the event types it asked for.
    WebhookEndpointId(i64)
);
id_newtype!(
    /// A webhook delivery: one outbox event for one webhook endpoint, with its attempts.
    DeliveryId(i64)
);
