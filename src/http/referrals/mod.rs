//! Referrals: sending one, moving it through its lifecycle, and listing them.
//!
//! | file | what |
//! |---|---|
//! | `mod.rs` | the router |
//! | `views.rs` | `ReferralView` and `TransitionView`, and what each party sees of a referral |
//! | `create.rs` | `POST /v1/referrals`: sending a referral |
//! | `idempotency.rs` | its `Idempotency-Key`: replaying the stored response, reissuing an invitation token |
//! | `moves.rs` | `POST /v1/me/invitations`, `POST /v1/referrals/{id}/transitions`, `POST /v1/referrals/{id}/contact-dispute`: claiming, moving, disputing a contact |
//! | `listing.rs` | `GET /v1/referrals/{id}`, `GET /v1/me/referrals`, `GET /v1/providers/{id}/referrals`: one referral, and pages of them |

mod create;
mod idempotency;
mod listing;
mod moves;
mod views;

use utoipa_axum::{router::OpenApiRouter, routes};

use crate::state::AppState;

// The request and response types keep their paths under `http::referrals`.
pub use create::NewReferralBody;
pub use listing::{parse_list, ListFilter, ListParams, ReferralPage};
pub use moves::{ClaimBody, TransitionBody};
pub use views::{ReferralView, TransitionView};

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create::create_referral))
        .routes(routes!(moves::claim_invitation))
        .routes(routes!(listing::get_referral))
        .routes(routes!(moves::transition))
        .routes(routes!(moves::dispute_contact))
        .routes(routes!(listing::my_referrals))
        .routes(routes!(listing::provider_referrals))
}
