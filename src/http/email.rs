//! Email for the signed-in account and for anyone holding a link from one: confirming an
//! address, a forgotten password, and which mail to get. Each route calls one use case of
//! `app::email`, as the pages do.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::app::email as use_case;
use crate::domain::ReferralId;
use crate::error::ApiResult;
use crate::http::auth::Caller;
use crate::http::extract::Json;
use crate::state::AppState;

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(verify))
        .routes(routes!(resend_verification))
        .routes(routes!(preferences, set_preferences))
        .routes(routes!(request_reset))
        .routes(routes!(confirm_reset))
}

/// A one-time link's token, from an email.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenBody {
    /// The `token` of the link.
    pub token: String,
}

/// What confirming an address did.
#[derive(Serialize, ToSchema)]
pub struct VerifiedView {
    /// Referrals sent to this address that now belong to the account.
    pub claimed_referrals: Vec<ReferralId>,
    /// Invitations the account sent that were waiting for this, now sent.
    pub released_invitations: u64,
}

/// Confirms an address with the token from its verification email. No session is needed: the
/// token is the proof. An expired or used token is a 422 on `token`.
#[utoipa::path(post, path = "/v1/email/verify", tag = "email", request_body = TokenBody,
    responses((status = 200, description = "Confirmed", body = VerifiedView)))]
async fn verify(
    State(state): State<AppState>,
    Json(body): Json<TokenBody>,
) -> ApiResult<axum::Json<VerifiedView>> {
    let done = use_case::verify(&state, &body.token).await?;
    Ok(axum::Json(VerifiedView {
        claimed_referrals: done.claimed,
        released_invitations: done.released,
    }))
}

/// Emails the caller a new confirmation link (nothing when their address is confirmed, or a
/// link went out in the last two minutes).
#[utoipa::path(post, path = "/v1/me/email/verification", tag = "email",
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 202, description = "A link is on its way, if one was due")))]
async fn resend_verification(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<StatusCode> {
    use_case::resend_verification(&state, caller.person).await?;
    Ok(StatusCode::ACCEPTED)
}

/// The caller's address and which mail they get.
#[derive(Serialize, ToSchema)]
pub struct PreferencesView {
    /// The address.
    pub email: String,
    /// Whether it is confirmed.
    pub verified: bool,
    /// Each category that can be declined (`referrals`, `reminders`): whether it is sent.
    pub wanted: BTreeMap<String, bool>,
}

/// The caller's email preferences.
#[utoipa::path(get, path = "/v1/me/email-preferences", tag = "email",
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "Preferences", body = PreferencesView)))]
async fn preferences(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<axum::Json<PreferencesView>> {
    let view = use_case::preferences(&state, caller.person).await?;
    Ok(axum::Json(PreferencesView {
        wanted: view
            .preferences
            .iter()
            .map(|p| (p.category.to_string(), p.wanted))
            .collect(),
        email: view.email,
        verified: view.verified,
    }))
}

/// Categories to turn on (`true`) or off; those not named keep their setting.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreferencesBody {
    /// Category name to wanted.
    pub wanted: BTreeMap<String, bool>,
}

/// Sets the caller's email preferences. An unknown category is a 422 on `category`.
#[utoipa::path(put, path = "/v1/me/email-preferences", tag = "email", request_body = PreferencesBody,
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "Preferences", body = PreferencesView)))]
async fn set_preferences(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<PreferencesBody>,
) -> ApiResult<axum::Json<PreferencesView>> {
    let wanted: Vec<(String, bool)> = body.wanted.into_iter().collect();
    use_case::set_preferences(&state, caller.person, &wanted).await?;
    preferences(State(state), caller).await
}

/// An address that forgot its password.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequestBody {
    /// The account's address.
    #[schema(example = "anna@example.com")]
    pub email: String,
}

/// Emails a password-reset link to the address, if an account has it. The answer is the
/// same 202 either way, so nobody learns whether an address has an account; a second request
/// within two minutes sends nothing.
#[utoipa::path(post, path = "/v1/password-reset", tag = "email", request_body = ResetRequestBody,
    responses((status = 202, description = "A link is on its way, if an account has the address")))]
async fn request_reset(
    State(state): State<AppState>,
    Json(body): Json<ResetRequestBody>,
) -> ApiResult<StatusCode> {
    use_case::request_reset(&state, &body.email).await?;
    Ok(StatusCode::ACCEPTED)
}

/// A reset link's token and the new password.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetBody {
    /// The `token` of the link.
    pub token: String,
    /// The new password (the same policy as at sign-up).
    pub password: String,
}

/// Sets a new password with the token from a reset email. Every session of the account ends;
/// the address counts as confirmed. A bad token or password is a 422.
#[utoipa::path(post, path = "/v1/password-reset/confirm", tag = "email", request_body = ResetBody,
    responses((status = 204, description = "The password is changed")))]
async fn confirm_reset(
    State(state): State<AppState>,
    Json(body): Json<ResetBody>,
) -> ApiResult<StatusCode> {
    use_case::reset_password(&state, &body.token, body.password).await?;
    Ok(StatusCode::NO_CONTENT)
}
