//! SQL for webhook endpoints, the fan-out of the outbox, deliveries and their attempts.
//!
//! | file | what |
//! |---|---|
//! | `endpoints.rs` | endpoints: register, list, get, change, delete |
//! | `outbox.rs` | the fan-out: outbox events into queued deliveries; a test event |
//! | `queue.rs` | the delivery queue: claim, log an attempt, mark delivered or failed, disable |
//! | `log.rs` | the delivery log: deliveries, their attempts, redelivery |

mod endpoints;
mod log;
mod outbox;
mod queue;

// Everything keeps its path under `store::webhooks`.
pub use endpoints::{create, delete, get, list, update, EndpointRow};
pub use log::{attempts, deliveries, redeliver, AttemptRow, DeliveryRow};
pub use outbox::{
    claim_events, mark_fanned_out, queue_deliveries, queue_test, referral_partner, request_partner,
    PendingEvent,
};
pub use queue::{
    claim_due, disable_failing, mark_delivered, mark_failed, record_attempt, AttemptOutcome,
    Claimed,
};
