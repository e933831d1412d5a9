//! The `Idempotency-Key` of `POST /v1/referrals`: replaying a stored response, and giving a
//! replayed invitation a fresh token.

use axum::http::StatusCode;
use serde_json::json;

use crate::app::idempotency::Replay;
use crate::app::referrals;
use crate::domain::{PersonId, ReferralId};
use crate::error::ApiResult;
use crate::state::AppState;

/// The stored answer as it is sent again.
pub(super) fn replay(stored: Replay) -> (StatusCode, axum::Json<serde_json::Value>) {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::CREATED);
    (status, axum::Json(stored.body))
}

/// A replayed invitation gets a fresh token (the first response may have been lost, and the
/// token itself was never stored); the old one stops working. Used invitations get none.
pub(super) async fn reissue_invitation(
    state: &AppState,
    caller: PersonId,
    (status, axum::Json(mut body)): (StatusCode, axum::Json<serde_json::Value>),
) -> ApiResult<(StatusCode, axum::Json<serde_json::Value>)> {
    if let Some(id) = body["id"]
        .as_i64()
        .map(ReferralId)
        .filter(|_| body["recipient_email"].is_string())
    {
        if let Some(fresh) = referrals::reissue_invitation(state, caller, id).await? {
            body["invite_token"] = json!(fresh);
        }
    }
    Ok((status, axum::Json(body)))
}
