//! The `Idempotency-Key` of `POST /v1/referrals`: replaying a stored response, and giving a
//! replayed invitation a fresh token.

use axum::http::StatusCode;
use serde_json::json;

use crate::auth::token;
use crate::domain::ReferralId;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store;

pub(super) fn replay(
    stored: store::idempotency::Stored,
    request_hash: &[u8],
) -> ApiResult<(StatusCode, axum::Json<serde_json::Value>)> {
    if stored.request_hash != request_hash {
        return Err(ApiError::field(
            "Idempotency-Key",
            "this key was already used with a different body",
        ));
    }
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::CREATED);
    Ok((status, axum::Json(stored.body)))
}

/// A replayed invitation gets a fresh token (the first response may have been lost, and the
/// token itself was never stored); the old one stops working. Used invitations get none.
pub(super) async fn reissue_invitation(
    state: &AppState,
    (status, axum::Json(mut body)): (StatusCode, axum::Json<serde_json::Value>),
) -> ApiResult<(StatusCode, axum::Json<serde_json::Value>)> {
    if let Some(id) = body["id"]
        .as_i64()
        .map(ReferralId)
        .filter(|_| body["recipient_email"].is_string())
    {
        let fresh = token::generate();
        if store::referrals::replace_invite_token(&state.pool, id, &token::hash(&fresh)).await? {
            body["invite_token"] = json!(fresh);
        }
    }
    Ok((status, axum::Json(body)))
}
