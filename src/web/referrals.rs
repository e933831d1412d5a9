//! `/referrals`: referrals received, sent, and (for providers) made to the visitor's business,
//! each with the buttons for the moves the visitor may make; and `/inbox`, the notifications.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use crate::app::referrals::{Listing, ReferralRow};
use crate::domain::{PersonId, ReferralId, ReferralStatus};
use crate::error::ApiError;
use crate::state::AppState;

use super::page::{day, render, see_other, Chrome, WebError};
use super::session::{Posted, Visitor};
use crate::app::referrals::{
    allowed_moves, contact_for, make_move as apply_move, parties, ContactChoice, Move,
    SharedContact,
};
use crate::app::AppError;

/// How many referrals of each kind the page lists.
const PAGE: i64 = 50;

/// A button for one move.
struct MoveButton {
    to: &'static str,
    label: &'static str,
    class: &'static str,
}

fn button(to: ReferralStatus) -> Option<MoveButton> {
    let (label, class) = match to {
        // Accepting asks how the provider may reach the customer: a form of its own.
        ReferralStatus::Declined => ("Decline", "button secondary"),
        ReferralStatus::Contacted => ("Mark contacted", "button"),
        ReferralStatus::Hired => ("I hired them", "button"),
        // Completing needs an outcome: it has a form of its own.
        _ => return None,
    };
    Some(MoveButton {
        to: to.as_str(),
        label,
        class,
    })
}

/// A referral as a card.
struct ReferralCard {
    id: ReferralId,
    provider_id: i64,
    provider_name: String,
    trade: String,
    referrer_name: String,
    recipient: String,
    note: String,
    status: &'static str,
    outcome: Option<String>,
    rating: Option<i16>,
    credited: bool,
    when: String,
    buttons: Vec<MoveButton>,
    can_accept: bool,
    can_complete: bool,
    /// How the customer may be reached, for the provider's owner and the customer.
    contact: Option<SharedContact>,
    /// The viewer owns the provider, and the referral is past acceptance.
    owner_after_accept: bool,
    /// The customer may say the provider never got in touch after all.
    can_dispute: bool,
    /// Who acts next, for this viewer.
    turn: &'static str,
    /// Why the visitor's last move on this card was refused, to show beside its form.
    error: Option<String>,
    /// The phone number the visitor typed into a refused acceptance, kept.
    typed_phone: String,
}

/// A move refused for its fields: which card, why, and what was typed.
struct Refused {
    id: ReferralId,
    message: String,
    phone: String,
}

fn card(r: ReferralRow, viewer: PersonId) -> ReferralCard {
    let status = r.status;
    let roles = parties(&r, viewer);
    let moves = allowed_moves(status, &roles);
    let contact = contact_for(&r, viewer);
    ReferralCard {
        id: r.id,
        provider_id: r.provider_id.0,
        trade: r.trade,
        referrer_name: r.referrer_name,
        recipient: match (r.recipient_name, r.recipient_email) {
            (Some(name), _) => name,
            // The invited address is the referrer's to see, not the provider's.
            (None, Some(email)) if r.referrer_id == viewer => format!("{email} (invited)"),
            _ => "someone invited by email".into(),
        },
        note: r.note,
        status: status.as_str(),
        outcome: r.outcome,
        rating: r.rating,
        credited: r.credited,
        when: day(r.created_at),
        buttons: moves.iter().filter_map(|m| button(*m)).collect(),
        can_accept: moves.contains(&ReferralStatus::Accepted),
        contact,
        owner_after_accept: r.owner_id == viewer
            && matches!(
                status,
                ReferralStatus::Accepted | ReferralStatus::Contacted | ReferralStatus::Hired
            ),
        can_complete: moves.contains(&ReferralStatus::Completed),
        can_dispute: status == ReferralStatus::Contacted && r.recipient_id == Some(viewer),
        turn: status.whose_turn(&roles),
        provider_name: r.provider_name,
        error: None,
        typed_phone: String::new(),
    }
}

#[derive(Template)]
#[template(path = "referrals.html")]
struct ReferralsPage {
    chrome: Chrome,
    csrf: String,
    received: Vec<ReferralCard>,
    sent: Vec<ReferralCard>,
    business: Vec<ReferralCard>,
    owns_business: bool,
}

/// The referrals page.
pub async fn referrals(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Response, WebError> {
    referrals_page(&state, &visitor, None).await
}

/// The referrals page, with a refused move's reason beside its card's form (and a 422).
async fn referrals_page(
    state: &AppState,
    visitor: &Visitor,
    refused: Option<Refused>,
) -> Result<Response, WebError> {
    let me = visitor.require()?;
    let list = |listing| crate::app::referrals::list(state, me.person, listing, None, None, PAGE);
    let received = list(Listing::Received).await?;
    let sent = list(Listing::Sent).await?;
    let mut business = Vec::new();
    for provider in &me.providers {
        business.extend(list(Listing::Provider(*provider)).await?);
    }
    business.sort_by_key(|r| std::cmp::Reverse(r.id));
    let to_cards = |rows: Vec<ReferralRow>| {
        rows.into_iter()
            .map(|r| {
                let mut card = card(r, me.person);
                if let Some(refused) = refused.as_ref().filter(|f| f.id == card.id) {
                    card.error = Some(refused.message.clone());
                    card.typed_phone = refused.phone.clone();
                }
                card
            })
            .collect::<Vec<_>>()
    };
    let status = if refused.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = ReferralsPage {
        chrome: Chrome::new(state, visitor, "referrals", "Referrals").await?,
        csrf: me.csrf.clone(),
        received: to_cards(received),
        sent: to_cards(sent),
        business: to_cards(business),
        owns_business: !me.providers.is_empty(),
    };
    render(status, &page)
}

/// A move form. `outcome` and `rating` come with "Mark completed" only.
#[derive(Deserialize)]
pub struct MoveForm {
    to: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    rating: String,
    /// On accepting: "yes" to show the account address to the provider.
    #[serde(default)]
    share_email: Option<String>,
    /// On accepting: a phone number.
    #[serde(default)]
    phone: String,
}

/// Makes a move on a referral.
pub async fn make_move(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted { visitor, form }: Posted<MoveForm>,
) -> Result<Response, WebError> {
    let me = visitor.require_for("/referrals")?;
    let id: ReferralId = id.parse().map_err(|_| ApiError::NotFound("referral"))?;
    let to = ReferralStatus::parse(&form.to)
        .ok_or_else(|| ApiError::field("to", "not a referral status"))?;
    let rating = match form.rating.trim() {
        "" => None,
        r => Some(
            r.parse::<i16>()
                .map_err(|_| ApiError::field("rating", "must be 1 to 5"))?,
        ),
    };
    let outcome = Some(form.outcome.trim().to_string()).filter(|o| !o.is_empty());
    let moved = apply_move(
        &state,
        me.person,
        id,
        Move {
            to,
            outcome,
            rating,
            note: String::new(),
            contact: ContactChoice {
                share_email: form.share_email.is_some(),
                phone: Some(form.phone.clone()),
            },
        },
    )
    .await;
    match moved {
        Ok(()) => Ok(see_other(&format!("/referrals?done=moved#r{id}"))),
        // A refusal a field explains is shown beside the card's form, with what was typed.
        Err(AppError::Invalid(fields)) => {
            let message = fields
                .iter()
                .map(|f| format!("{}: {}", sentence_case(&f.field), f.message))
                .collect::<Vec<_>>()
                .join("; ");
            let refused = Refused {
                id,
                message,
                phone: form.phone,
            };
            referrals_page(&state, &visitor, Some(refused)).await
        }
        Err(other) => Err(other.into()),
    }
}

/// "phone" -> "Phone".
fn sentence_case(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// An empty form: the CSRF token is all it carries.
#[derive(Deserialize)]
pub struct EmptyForm {}

/// The customer says the provider never got in touch (`app::referrals::dispute_contact`).
pub async fn dispute_contact(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted { visitor, .. }: Posted<EmptyForm>,
) -> Result<Response, WebError> {
    let me = visitor.require_for("/referrals")?;
    let id: ReferralId = id.parse().map_err(|_| ApiError::NotFound("referral"))?;
    crate::app::referrals::dispute_contact(&state, me.person, id).await?;
    Ok(see_other(&format!("/referrals?done=disputed#r{id}")))
}

/// A notification as listed.
struct InboxItem {
    text: String,
    when: String,
    unread: bool,
    referral: Option<ReferralId>,
    /// A request to open.
    request: Option<i64>,
    /// A provider page to act on (a vouch asked for).
    provider: Option<(i64, String)>,
    /// A data archive ready to download.
    archive: bool,
}

/// A notification in words, for `reader` (who may be the referrer: "your referral").
fn describe(kind: &str, p: &serde_json::Value, reader: PersonId) -> String {
    let field = |name: &str| p[name].as_str().unwrap_or("someone").to_string();
    match kind {
        "referral.received" => format!(
            "{} referred {} ({}) to you.",
            field("referrer_name"),
            field("provider_name"),
            field("trade")
        ),
        "referral.received_for_provider" => format!(
            "{} referred your business {} to someone.",
            field("referrer_name"),
            field("provider_name")
        ),
        "referral.status_changed" => {
            let provider = field("provider_name");
            let from = if p["referrer_id"].as_i64() == Some(reader.0) {
                "your referral".to_string()
            } else {
                format!("{}'s referral", field("referrer_name"))
            };
            match p["status"].as_str().unwrap_or_default() {
                "accepted" => format!("The customer accepted {from} to {provider}."),
                "contacted" => format!("{provider} got in touch about {from}."),
                "hired" => format!("{provider} was hired, after {from}."),
                "completed" => match p["outcome"].as_str() {
                    Some("good") => format!("The job {provider} did after {from} went well."),
                    Some("bad") => format!("The job {provider} did after {from} went badly."),
                    _ => format!("The job {provider} did after {from} is done."),
                },
                "declined" => format!("{provider}: {from} was declined."),
                "expired" => format!("{provider}: {from} expired unanswered."),
                other => format!("{provider}: {from} is now {other}."),
            }
        }
        "referral.follow_up_due" => format!(
            "{} accepted a referral to {} and is still waiting for your call.",
            field("customer_name"),
            field("provider_name")
        ),
        "vouch.requested" => format!(
            "{} asks whether you would vouch for them, now that the job went well.",
            field("provider_name")
        ),
        "referral.contact_disputed" => format!(
            "A customer referred to {} says you have not been in touch yet, although the \
             referral was marked contacted. Call them: until then it counts as no contact.",
            field("provider_name")
        ),
        "request.received" => format!(
            "Someone asks for a {}: can you suggest one?",
            field("trade")
        ),
        "request.answered" => format!("Your request for a {} has a new answer.", field("trade")),
        "request.helped" => format!(
            "Thank you: your answer to a request for a {} helped.",
            field("trade")
        ),
        "export.ready" => {
            "Your data archive is ready: download it once, within a day, from Your data."
                .to_string()
        }
        "circle.joined" => {
            "Someone you invited has joined: see who on your circle page, and trust them too."
                .to_string()
        }
        other => format!("Something happened: {other}."),
    }
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    chrome: Chrome,
    csrf: String,
    items: Vec<InboxItem>,
    any_unread: bool,
}

/// The inbox.
pub async fn inbox(State(state): State<AppState>, visitor: Visitor) -> Result<Response, WebError> {
    let me = visitor.require()?;
    // Opening the inbox reads what it lists: they show as new this once, and the count in the
    // menu goes down.
    let listed = crate::app::notifications::open_inbox(&state, me.person, 50).await?;
    let items: Vec<InboxItem> = listed
        .into_iter()
        .map(|n| InboxItem {
            text: describe(&n.kind, &n.payload, me.person),
            when: day(n.created_at),
            unread: n.read_at.is_none(),
            referral: n.payload["referral_id"].as_i64().map(ReferralId),
            request: n.payload["request_id"].as_i64(),
            archive: n.kind == "export.ready",
            provider: (n.kind == "vouch.requested")
                .then(|| {
                    let id = n.payload["provider_id"].as_i64()?;
                    let name = n.payload["provider_name"].as_str()?.to_string();
                    Some((id, name))
                })
                .flatten(),
        })
        .collect();
    let page = InboxPage {
        chrome: Chrome::new(&state, &visitor, "inbox", "Inbox").await?,
        csrf: me.csrf.clone(),
        any_unread: items.iter().any(|i| i.unread),
        items,
    };
    render(StatusCode::OK, &page)
}

/// No fields beyond the CSRF token.
#[derive(Deserialize)]
pub struct NoFields {}

/// Marks every notification read.
pub async fn read_all(
    State(state): State<AppState>,
    Posted { visitor, .. }: Posted<NoFields>,
) -> Result<Response, WebError> {
    let me = visitor.require_for("/inbox")?;
    crate::app::notifications::read_all(&state, me.person).await?;
    Ok(see_other("/inbox?done=read"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn notifications_read_as_sentences() {
        let payload = json!({"referrer_name": "Anna Berg", "provider_name": "Rossi Tiling",
            "trade": "tiler", "status": "accepted"});
        assert_eq!(
            describe("referral.received", &payload, PersonId(9)),
            "Anna Berg referred Rossi Tiling (tiler) to you."
        );
        assert_eq!(
            describe("referral.status_changed", &payload, PersonId(9)),
            "The customer accepted Anna Berg's referral to Rossi Tiling."
        );
        let done = json!({"referrer_name": "Anna Berg", "referrer_id": 1,
            "provider_name": "Rossi Tiling", "status": "completed", "outcome": "good"});
        assert_eq!(
            describe("referral.status_changed", &done, PersonId(9)),
            "The job Rossi Tiling did after Anna Berg's referral went well."
        );
        // Anna herself reads "your referral".
        assert_eq!(
            describe("referral.status_changed", &done, PersonId(1)),
            "The job Rossi Tiling did after your referral went well."
        );
    }
}
