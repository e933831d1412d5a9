//! The "refer to someone" form on a provider's page: creates a referral through the same store
//! calls, checks, notifications and outbox event as `POST /v1/referrals`.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;

use crate::app::referrals::{self, Recipient, ReferralInput};
use crate::app::AppError;
use crate::domain::{Email, PersonId};
use crate::state::AppState;

use super::page::{render, see_other, Chrome, WebError};
use super::provider::{provider_id, provider_page, ReferState};
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

fn parse_recipient(raw: &str) -> Result<Recipient, String> {
    let raw = raw.trim().trim_start_matches('#');
    if let Ok(id) = raw.parse::<i64>() {
        return Ok(Recipient::Person(PersonId(id)));
    }
    Email::parse(raw)
        .map(Recipient::Email)
        .map_err(|_| "give an email address or a person's number".to_string())
}

/// Sends a referral of this provider. A refused one shows the provider's page again, with each
/// message beside its field and everything typed kept.
pub async fn refer(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    Posted { visitor, form }: Posted<ReferForm>,
) -> Result<Response, WebError> {
    let provider = provider_id(&raw)?;
    let me = visitor.require_for(&format!("/providers/{}#refer", provider.0))?;
    let sent = match send(&state, me.person, provider, &form).await {
        Ok(sent) => sent,
        Err(refused) => {
            let mut again = ReferState {
                recipient: form.recipient.clone(),
                trade: form.trade.clone(),
                note: form.note.clone(),
                ..ReferState::default()
            };
            let status = match refused {
                AppError::Invalid(fields) => {
                    for f in fields {
                        match f.field.as_str() {
                            "note" => again.note_error = Some(f.message),
                            "trade" => again.trade_error = Some(f.message),
                            _ => again.recipient_error = Some(f.message),
                        }
                    }
                    StatusCode::UNPROCESSABLE_ENTITY
                }
                AppError::Conflict(message) | AppError::Forbidden(message) => {
                    again.recipient_error = Some(message);
                    StatusCode::CONFLICT
                }
                AppError::NotFound(what) => {
                    again.recipient_error = Some(format!("no such {what}"));
                    StatusCode::NOT_FOUND
                }
                other => return Err(other.into()),
            };
            return provider_page(&state, &visitor, provider, again, status).await;
        }
    };
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

/// The form's fields checked by `app::referrals::check`, then the referral sent, with every
/// refusal as an [`AppError`] naming the form's own fields.
async fn send(
    state: &AppState,
    me: PersonId,
    provider: crate::domain::ProviderId,
    form: &ReferForm,
) -> Result<crate::app::referrals::Sent, AppError> {
    let referral = referrals::check(
        state,
        ReferralInput {
            provider,
            trade: &form.trade,
            note: &form.note,
            recipient: parse_recipient(&form.recipient),
            recipient_field: "recipient",
            partner: None,
        },
    )?;
    referrals::send_now(state, me, &referral).await
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
