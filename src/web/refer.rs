//! The "refer to someone" form on a provider's page: creates a referral through the same store
//! calls, checks, notifications and outbox event as `POST /v1/referrals`.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;

use crate::app::referrals::{Recipient, SendReferral};
use crate::app::AppError;
use crate::domain::values::parse_note;
use crate::domain::{Email, PersonId};
use crate::error::ApiError;
use crate::state::AppState;

use super::page::{render, see_other, Chrome, WebError};
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
    headers: HeaderMap,
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
    let sent = crate::app::referrals::send(
        &mut tx,
        me.person,
        &SendReferral {
            provider,
            trade,
            recipient: typed,
            note: &note,
            partner: None,
        },
    )
    .await
    .map_err(|error| match error {
        // The form has one recipient field for both kinds.
        AppError::Invalid(mut errors) => {
            for e in &mut errors {
                if e.field.starts_with("recipient") {
                    e.field = "recipient".into();
                }
            }
            AppError::Invalid(errors)
        }
        other => other,
    })?;
    tx.commit().await?;
    // A person's number is a referral; an email address always an invitation, whether or
    // not it has an account, so the answer tells nothing about who has one. Its link is
    // shown once, here, for the sender to pass on.
    match sent.invite_token {
        None => Ok(see_other("/referrals?done=referred#sent")),
        Some(token) => {
            let page = InvitedPage {
                chrome: Chrome::new(&state, &visitor, "referrals", "Invitation ready").await?,
                link: invitation_link(&headers, &token),
                email: sent.row.recipient_email.unwrap_or_default(),
                provider_name: sent.row.provider_name,
            };
            render(StatusCode::CREATED, &page)
        }
    }
}

#[derive(Template)]
#[template(path = "invited.html")]
struct InvitedPage {
    chrome: Chrome,
    link: String,
    email: String,
    provider_name: String,
}

/// The link an invitee opens: this site's own address, as the sender reached it (loopback
/// over plain HTTP, anything else over HTTPS).
fn invitation_link(headers: &HeaderMap, token: &str) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("localhost");
    let local =
        host.starts_with("127.") || host.starts_with("localhost") || host.starts_with("[::1]");
    let scheme = if local { "http" } else { "https" };
    format!("{scheme}://{host}/invitation?token={token}")
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
