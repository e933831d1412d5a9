//! Webhooks: partners register endpoints, and every event of the transactional outbox they
//! should hear of is delivered to them, signed per Standard Webhooks, at least once.
//!
//! This module holds no adapter: the routes for endpoints, the delivery log and manual
//! redelivery are `http/webhooks.rs` (and the pages `web/partner_webhooks.rs`); the SQL is
//! `store/webhooks/`.
//!
//! | file | what |
//! |---|---|
//! | `worker.rs` | the background worker: fan-out, claim, deliver, retry, disable |
//! | `signing.rs` | `whsec_` secrets and signatures (the `standardwebhooks` crate) |
//! | `ssrf.rs` | the guard on where deliveries may go |
//! | `schedule.rs` | exponential backoff with jitter |

pub mod schedule;
pub mod signing;
pub mod ssrf;
pub mod worker;

pub use crate::config::webhooks::WebhookSettings;

/// The event types an endpoint can subscribe to.
pub const EVENT_TYPES: &[&str] = &[
    "referral.created",
    "referral.status_changed",
    "vouch.created",
    "vouch.revoked",
    "person.deleted",
    "request.created",
    "request.answered",
    "request.closed",
];

impl WebhookSettings {
    /// The SSRF guard's policy.
    pub fn policy(&self) -> ssrf::Policy {
        ssrf::Policy {
            allow_http: self.allow_http,
            allow_loopback: self.allow_loopback,
        }
    }
}
