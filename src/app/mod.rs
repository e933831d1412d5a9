//! The use cases: what a person can do with vouchgraph, each written once and called by every
//! channel that offers it (the JSON API in `http/`, the pages in `web/`, the partner widget in
//! `partners/`). An adapter parses its request, calls one function here and renders the result;
//! the rules live here. Reads go through here too, so who may see what is decided once; the
//! row types adapters render are re-exported by the use case that returns them.
//!
//! Each write validates its input, checks that the caller may do it, writes in one
//! transaction together with its outbox events (for partners' webhooks) and its `graph_changes`
//! record, then brings the live graph up to date. Failures are [`AppError`]s, which each
//! adapter turns into its own kind of answer.
//!
//! | file | what |
//! |---|---|
//! | `accounts.rs` | sign up; one's own account; change one's name, home and password |
//! | `account_deletion.rs` | delete an account, its person erased everywhere |
//! | `circle.rs` | people you may know, invitations into one's circle, address books |
//! | `email.rs` | prove an address, reset a password, choose which mail to get, unsubscribe |
//! | `customer_book.rs` | a provider's customers, follow-ups owed, responsiveness |
//! | `idempotency.rs` | doing a request's work once when it is sent again |
//! | `insights.rs` | a provider's referrers, funnel, reach and vouch counts, for its owner |
//! | `network.rs` | a person's trust neighbourhood two hops out, as they may see it |
//! | `notifications.rs` | the inbox, the unread count, marking read |
//! | `partners.rs` | a partner's name and allowed origins, and its keys |
//! | `people.rs` | public profiles, finding people by name |
//! | `providers.rs` | a provider's profile, create one, its owner editing it; trades |
//! | `referrals.rs` | send a referral, claim an invitation, move a referral through its life |
//! | `search.rs` | rank the providers of a trade for a seeker |
//! | `sessions.rs` | log in, start and end a session |
//! | `export.rs` | a person's archive of everything held about them |
//! | `error.rs` | [`AppError`] and [`FieldError`], and how database failures map to them |
//! | `vouches.rs` | set and withdraw a vouch, the vouches a viewer may see |
//! | `webhooks.rs` | register and change a webhook endpoint, redeliver |
//! | `trust.rs` | set and revoke trust in a person, the people one trusts |
//! | `validate.rs` | [`validate::Fields`]: every invalid field of an input in one error |

pub mod account_deletion;
pub mod accounts;
pub mod circle;
pub mod customer_book;
pub mod email;
pub mod error;
pub mod export;
pub mod idempotency;
pub mod insights;
pub mod network;
pub mod notifications;
pub mod partner_links;
pub mod partners;
pub mod people;
pub mod places;
pub mod providers;
pub mod referrals;
pub mod requests;
pub mod search;
pub mod sessions;
pub mod trust;
pub mod validate;
pub mod vouches;
pub mod webhooks;

pub use error::{AppError, AppResult, FieldError};
