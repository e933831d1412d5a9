//! `POST /v1/referrals`: sending a referral, to a person or by email, with an optional
//! `Idempotency-Key`.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::app::idempotency;
use crate::app::referrals::{self, Recipient, ReferralInput, Remember};
use crate::app::AppError;
use crate::domain::{Email, PersonId, ProviderId};
use crate::error::{ApiError, ApiResult};
use crate::http::auth::Caller;
use crate::http::extract::parse_json;
use crate::state::AppState;

use super::idempotency::{reissue_invitation, replay};
use super::views::{view_of, ReferralView};

/// A new referral: to a person, or by email to someone not yet signed up.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReferralBody {
    /// The provider referred.
    pub provider_id: ProviderId,
    /// The trade slug.
    pub trade: String,
    /// The recipient, if they have an account.
    pub recipient_id: Option<PersonId>,
    /// Or their email: always an invitation (whether or not the address has an account), which
    /// its token hands to an account at sign-up or through `POST /v1/me/invitations`.
    pub recipient_email: Option<String>,
    /// A note, at most 1,000 characters.
    #[serde(default)]
    pub note: String,
}

/// Refers a provider to someone. Send an `Idempotency-Key` header to make retries safe: the
/// same key and body return the original response; the same key with another body is a 422.
#[utoipa::path(post, path = "/v1/referrals", tag = "referrals", request_body = NewReferralBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 201, description = "Sent", body = ReferralView)))]
pub(super) async fn create_referral(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<(StatusCode, axum::Json<serde_json::Value>)> {
    let key = match headers.get("idempotency-key") {
        Some(value) => {
            let key = value
                .to_str()
                .map_err(|_| ApiError::BadRequest("Idempotency-Key must be text".into()))?
                .trim()
                .to_string();
            if key.is_empty() || key.len() > 200 {
                return Err(ApiError::field(
                    "Idempotency-Key",
                    "must be 1 to 200 characters",
                ));
            }
            Some(key)
        }
        None => None,
    };
    let request_hash = Sha256::digest(&body).to_vec();
    if let Some(key) = &key {
        if let Some(stored) = idempotency::replay(&state, caller.person, key, &request_hash).await?
        {
            return reissue_invitation(&state, caller.person, replay(stored)).await;
        }
    }
    let body: NewReferralBody = parse_json(&body)?;
    let result = create_inner(&state, &caller, body, key.as_deref(), &request_hash).await;
    match (result, &key) {
        // Two requests raced with one key: the loser replays the winner.
        (Err(ApiError::Conflict(_)), Some(key)) => {
            match idempotency::replay(&state, caller.person, key, &request_hash).await? {
                Some(stored) => reissue_invitation(&state, caller.person, replay(stored)).await,
                None => Err(ApiError::Conflict(
                    "a concurrent request conflicted; retry".into(),
                )),
            }
        }
        (result, _) => result,
    }
}

async fn create_inner(
    state: &AppState,
    caller: &Caller,
    body: NewReferralBody,
    key: Option<&str>,
    request_hash: &[u8],
) -> ApiResult<(StatusCode, axum::Json<serde_json::Value>)> {
    let (recipient, recipient_field) = match (body.recipient_id, &body.recipient_email) {
        (Some(id), None) => (Ok(Recipient::Person(id)), "recipient_id"),
        (None, Some(email)) => (Email::parse(email).map(Recipient::Email), "recipient_email"),
        _ => (
            Err("give exactly one of recipient_id and recipient_email".to_string()),
            "recipient_id",
        ),
    };
    let referral = referrals::check(
        state,
        ReferralInput {
            provider: body.provider_id,
            trade: &body.trade,
            note: &body.note,
            recipient,
            recipient_field,
            partner: None,
        },
    )?;
    let remember = key.map(|key| Remember {
        key,
        request_hash,
        status: StatusCode::CREATED.as_u16(),
    });
    // The stored copy never holds the invitation token: it is added to this answer only.
    let (mut json, invite_token) =
        referrals::send_remembered(state, caller.person, &referral, remember, |row| {
            serde_json::to_value(view_of(row, caller.person))
                .map_err(|e| AppError::Internal(e.into()))
        })
        .await?;
    if let Some(invite) = invite_token {
        json["invite_token"] = json!(invite);
    }
    Ok((StatusCode::CREATED, axum::Json(json)))
}
