//! The "refer to someone" form on a provider's page: creates a referral through the same store
//! calls, checks, notifications and outbox event as `POST /v1/referrals`.

use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;

use crate::auth::token;
use crate::domain::values::parse_note;
use crate::domain::{Email, PersonId, ReferralStatus};
use crate::error::ApiError;
use crate::http::referrals::{event, REFERRAL_TTL_DAYS};
use crate::state::AppState;
use crate::store;
use crate::store::referrals::NewReferral;

use super::page::{see_other, WebError};
use super::provider::provider_id;
use super::session::Posted;

/// A referral form.
#[derive(Deserialize)]
pub struct ReferForm {
    trade: String,
    /// An email address, or a person's number.
    recipient: String,
    #[serde(default)]
    note: String,
}

/// Who the referral is for, as typed.
#[derive(Debug, PartialEq)]
enum Recipient {
    Person(PersonId),
    Email(Email),
}

fn parse_recipient(raw: &str) -> Result<Recipient, ApiError> {
    let raw = raw.trim().trim_start_matches('#');
    if let Ok(id) = raw.parse::<i64>() {
        return Ok(Recipient::Person(PersonId(id)));
    }
    Email::parse(raw)
        .map(Recipient::Email)
        .map_err(|_| ApiError::field("recipient", "give an email address or a person's number"))
}

/// Sends a referral of this provider.
pub async fn refer(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    Posted { visitor, form }: Posted<ReferForm>,
) -> Result<Response, WebError> {
    let provider = provider_id(&raw)?;
    let me = visitor.require_for(&format!("/providers/{}#refer", provider.0))?;
    let note = parse_note(&form.note).map_err(|m| ApiError::field("note", m))?;
    let trade = state
        .live
        .trade_by_slug(&form.trade)
        .ok_or_else(|| ApiError::field("trade", "unknown trade"))?;
    let typed = parse_recipient(&form.recipient)?;

    let mut tx = state.pool.begin().await?;
    let owner = store::providers::owner_for_update(&mut tx, provider)
        .await?
        .ok_or(ApiError::NotFound("provider"))?;
    if !store::providers::trade_ids(&mut *tx, provider)
        .await?
        .contains(&trade)
    {
        return Err(ApiError::field("trade", "this provider does not offer that trade").into());
    }
    // An email that already has an account is a referral to that person.
    let (recipient, email) = match &typed {
        Recipient::Person(id) => {
            if !store::accounts::exists(&mut *tx, *id).await? {
                return Err(ApiError::field("recipient", "no one has that number").into());
            }
            (Some(*id), None)
        }
        Recipient::Email(email) => {
            let found = store::accounts::credentials_by_email(&mut *tx, email.as_str())
                .await?
                .map(|(id, _)| id);
            (found, found.is_none().then(|| email.as_str().to_string()))
        }
    };
    if recipient == Some(me.person) {
        return Err(ApiError::field("recipient", "you cannot refer yourself").into());
    }
    if recipient == Some(owner) {
        return Err(
            ApiError::field("recipient", "you cannot refer a provider to its own owner").into(),
        );
    }
    let invite_token = recipient.is_none().then(token::generate);
    let expires = time::OffsetDateTime::now_utc() + time::Duration::days(REFERRAL_TTL_DAYS as i64);
    let id = store::referrals::create(
        &mut tx,
        &NewReferral {
            referrer: me.person,
            provider,
            trade,
            recipient,
            recipient_email: email.as_deref(),
            invite_token_hash: invite_token.as_deref().map(token::hash),
            invite_expires_at: invite_token.as_ref().map(|_| expires),
            note: &note,
        },
    )
    .await?;
    let row = store::referrals::get(&mut *tx, id)
        .await?
        .ok_or(ApiError::NotFound("referral"))?;
    let payload = event(&row, ReferralStatus::Sent);
    if let Some(recipient) = recipient {
        store::notifications::notify(&mut tx, recipient, "referral.received", &payload).await?;
    }
    // An owner referring their own business needs no note of it.
    if owner != me.person {
        store::notifications::notify(&mut tx, owner, "referral.received_for_provider", &payload)
            .await?;
    }
    store::notifications::outbox(&mut tx, "referral.created", &payload).await?;
    tx.commit().await?;
    // The invitation reaches them by email (the outbox's job); when they sign up with that
    // address the referral attaches to their account, token or not.
    let done = if recipient.is_some() {
        "referred"
    } else {
        "invited"
    };
    Ok(see_other(&format!("/referrals?done={done}#sent")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recipient_is_a_number_or_an_email() {
        assert_eq!(
            parse_recipient(" #42 ").unwrap(),
            Recipient::Person(PersonId(42))
        );
        assert!(matches!(
            parse_recipient("Ben@Example.com").unwrap(),
            Recipient::Email(e) if e.as_str() == "ben@example.com"
        ));
        assert!(parse_recipient("ben").is_err());
    }
}
