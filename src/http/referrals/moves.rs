//! Changing a referral once sent: claiming an email invitation (`POST /v1/me/invitations`),
//! moving it through its lifecycle (`POST /v1/referrals/{id}/transitions`) and disputing a
//! contact (`POST /v1/referrals/{id}/contact-dispute`).

use axum::extract::State;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::app::referrals::{self, ContactChoice, Move};
use crate::app::validate::Fields;
use crate::domain::values::parse_note;
use crate::domain::{ReferralId, ReferralStatus};
use crate::error::ApiResult;
use crate::http::auth::Caller;
use crate::http::extract::{Json, Path};
use crate::state::AppState;

use super::views::{view, ReferralView};

/// An invitation's token, to claim it.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimBody {
    /// The token the invitation carried.
    pub invite_token: String,
}

/// Claims an invitation sent by email to the caller's address: the referral becomes theirs.
/// The token is the proof; a token that is wrong, used, expired or for another address is a
/// 422 on `invite_token`.
#[utoipa::path(post, path = "/v1/me/invitations", tag = "referrals", request_body = ClaimBody,
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "The referral, now the caller's", body = ReferralView)))]
pub(super) async fn claim_invitation(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<ClaimBody>,
) -> ApiResult<axum::Json<ReferralView>> {
    let id = referrals::claim_signed_in(&state, caller.person, body.invite_token.trim()).await?;
    let row = referrals::get(&state, caller.person, id).await?;
    Ok(axum::Json(view(&state, row, caller.person, true).await?))
}

/// A move.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionBody {
    /// The status to move to.
    pub to: ReferralStatus,
    /// Required when completing: `good` or `bad`.
    pub outcome: Option<String>,
    /// Optional when completing: 1 to 5.
    pub rating: Option<i16>,
    /// A note for the history.
    #[serde(default)]
    pub note: String,
    /// When accepting: let the provider see the caller's account address.
    #[serde(default)]
    pub share_email: bool,
    /// When accepting: a phone number the provider may call ("07700 900123, evenings").
    pub phone: Option<String>,
}

/// The customer says the provider never got in touch, although it was marked contacted: the
/// mark stops counting towards the provider's responsiveness. Only the recipient may say so;
/// 409 before the referral is marked contacted.
#[utoipa::path(post, path = "/v1/referrals/{id}/contact-dispute", tag = "referrals",
    params(("id" = i64, Path, description = "The referral")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 204, description = "Disputed")))]
pub(super) async fn dispute_contact(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<ReferralId>,
) -> ApiResult<axum::http::StatusCode> {
    referrals::dispute_contact(&state, caller.person, id).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// Moves a referral: the recipient accepts (saying how the provider may reach them:
/// `share_email`, `phone`), declines, confirms a hire and, once the job is done, completes it
/// saying how it went; the provider's owner marks contacted. An illegal move is a 409
/// listing the allowed ones; another party's move is a 403.
#[utoipa::path(post, path = "/v1/referrals/{id}/transitions", tag = "referrals", request_body = TransitionBody,
    params(("id" = i64, Path, description = "The referral")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "The referral after the move", body = ReferralView)))]
pub(super) async fn transition(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<ReferralId>,
    Json(body): Json<TransitionBody>,
) -> ApiResult<axum::Json<ReferralView>> {
    let mut fields = Fields::new();
    let note = fields.check("note", parse_note(&body.note));
    fields.finish()?;

    referrals::make_move(
        &state,
        caller.person,
        id,
        Move {
            to: body.to,
            outcome: body.outcome,
            rating: body.rating,
            note: note.unwrap_or_default(),
            contact: ContactChoice {
                share_email: body.share_email,
                phone: body.phone,
            },
        },
    )
    .await?;

    let row = referrals::get(&state, caller.person, id).await?;
    Ok(axum::Json(view(&state, row, caller.person, true).await?))
}
