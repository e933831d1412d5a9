//! Growing a circle from outside it: inviting a friend by email (`/circle/invite`), the link
//! they follow (`/join`), the offer to trust the inviter back (declined at
//! `/circle/offers/decline`; accepted with the ordinary trust form), and an address book
//! matched against proved addresses (`/circle/import`), which shows what it will do and does
//! it only when asked. Every form calls `app::circle` or `app::trust`, as the JSON API does.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use crate::app::circle::{self, ContactMatch};
use crate::app::{trust, AppError};
use crate::domain::{PersonId, TrustLevel, Visibility};
use crate::state::AppState;

use super::circle::{circle_page, InviteState, LEVELS, VISIBILITIES};
use super::page::{render, see_other, Chrome, WebError};
use super::session::{Posted, Visitor, WebQuery};

/// The invite form.
#[derive(Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    note: String,
}

/// Invites a friend by email; a refusal shows the circle page again with the message beside
/// the field and the typed values kept.
pub async fn invite(
    State(state): State<AppState>,
    Posted { visitor, form }: Posted<InviteForm>,
) -> Result<Response, WebError> {
    let me = visitor.require_for("/circle")?;
    let refused = match circle::invite(&state, me.person, &form.email, &form.note).await {
        Ok(()) => return Ok(see_other("/circle?done=invited")),
        Err(error) => error,
    };
    let mut again = InviteState {
        email: form.email.clone(),
        note: form.note.clone(),
        ..InviteState::default()
    };
    let status = match refused {
        AppError::Invalid(fields) => {
            for f in fields {
                match f.field.as_str() {
                    "note" => again.note_error = Some(f.message),
                    _ => again.email_error = Some(f.message),
                }
            }
            StatusCode::UNPROCESSABLE_ENTITY
        }
        AppError::Conflict(message) => {
            again.email_error = Some(message);
            StatusCode::CONFLICT
        }
        AppError::TooManyAttempts { .. } => {
            again.email_error = Some(format!(
                "you have sent {} invitations in the last day, the most anyone may; try again \
                 tomorrow",
                circle::INVITES_PER_DAY
            ));
            StatusCode::TOO_MANY_REQUESTS
        }
        other => return Err(other.into()),
    };
    circle_page(&state, &visitor, "", again, status).await
}

/// An offer's id.
#[derive(Deserialize)]
pub struct OfferForm {
    id: i64,
}

/// Declines an offer to trust an inviter back.
pub async fn decline(
    State(state): State<AppState>,
    Posted { visitor, form }: Posted<OfferForm>,
) -> Result<Response, WebError> {
    let me = visitor.require_for("/circle")?;
    circle::decline(&state, me.person, form.id).await?;
    Ok(see_other("/circle?done=declined"))
}

/// `?token=` of an invitation link.
#[derive(Deserialize)]
pub struct JoinQuery {
    #[serde(default)]
    token: String,
}

/// Where an invitation link lands. Signed in, the visitor joins at once and is offered to
/// trust the inviter back on their circle page; anyone else signs up with the token (or logs
/// in, and comes back here).
pub async fn join(
    State(state): State<AppState>,
    visitor: Visitor,
    WebQuery(query): WebQuery<JoinQuery>,
) -> Result<Response, WebError> {
    let token = query.token.trim();
    let Some(me) = visitor.user.as_ref() else {
        return Ok(see_other(&format!(
            "/signup?circle={}",
            super::page::encode(token)
        )));
    };
    match circle::accept(&state, me.person, token).await {
        Ok(_) => Ok(see_other("/circle?done=joined")),
        Err(AppError::Invalid(_)) => Ok(see_other("/circle?done=join-expired")),
        Err(other) => Err(other.into()),
    }
}

/// Someone in the address book who is here.
struct MatchRow {
    id: i64,
    name: String,
    address: String,
    in_circle: bool,
}

#[derive(Template)]
#[template(path = "contacts.html")]
struct ContactsPage {
    chrome: Chrome,
    csrf: String,
    /// The text as pasted, kept when it is refused.
    contacts: String,
    error: Option<String>,
    /// After a match: what was read.
    matched: Option<(usize, Vec<MatchRow>, Vec<String>)>,
    levels: &'static [(u8, &'static str)],
    visibilities: &'static [(&'static str, &'static str)],
    most: usize,
}

async fn contacts_page(
    state: &AppState,
    visitor: &Visitor,
    contacts: String,
    error: Option<String>,
    matched: Option<ContactMatch>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let me = visitor.require_for("/circle/import")?;
    let page = ContactsPage {
        chrome: Chrome::new(state, visitor, "circle", "Find your contacts").await?,
        csrf: me.csrf.clone(),
        contacts,
        error,
        matched: matched.map(|m| {
            let rows = m
                .matched
                .into_iter()
                .map(|c| MatchRow {
                    id: c.person.0,
                    name: c.display_name,
                    address: c.address,
                    in_circle: c.in_circle,
                })
                .collect();
            (m.read, rows, m.unmatched)
        }),
        levels: LEVELS,
        visibilities: VISIBILITIES,
        most: circle::CONTACTS_PER_IMPORT,
    };
    render(status, &page)
}

/// The address-book form.
pub async fn import_page(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Response, WebError> {
    contacts_page(&state, &visitor, String::new(), None, None, StatusCode::OK).await
}

/// The address book, pasted or read from a file by the page's script.
#[derive(Deserialize)]
pub struct ImportForm {
    #[serde(default)]
    contacts: String,
}

/// Matches the address book and shows what it found and what choosing would do; nothing is
/// done yet, and the addresses are not kept.
pub async fn import(
    State(state): State<AppState>,
    Posted { visitor, form }: Posted<ImportForm>,
) -> Result<Response, WebError> {
    let me = visitor.require_for("/circle/import")?;
    match circle::match_contacts(&state, me.person, &form.contacts).await {
        Ok(found) => {
            contacts_page(
                &state,
                &visitor,
                String::new(),
                None,
                Some(found),
                StatusCode::OK,
            )
            .await
        }
        Err(AppError::Invalid(fields)) => {
            let message = fields
                .into_iter()
                .map(|f| f.message)
                .collect::<Vec<_>>()
                .join("; ");
            contacts_page(
                &state,
                &visitor,
                form.contacts,
                Some(message),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(AppError::TooManyAttempts { retry_after_secs }) => {
            let hours = retry_after_secs.div_ceil(3600);
            let message = format!(
                "you have matched {} addresses today, the most anyone may; try again in about \
                 {hours} hour{}",
                circle::ADDRESSES_PER_DAY,
                if hours == 1 { "" } else { "s" }
            );
            contacts_page(
                &state,
                &visitor,
                form.contacts,
                Some(message),
                None,
                StatusCode::TOO_MANY_REQUESTS,
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

/// Does what the visitor chose on the match page: trusts the people ticked, at the level and
/// visibility chosen, and invites the addresses ticked.
pub async fn apply(
    State(state): State<AppState>,
    Posted { visitor, form }: Posted<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let me = visitor.require_for("/circle/import")?;
    let value = |key: &str| {
        form.iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let level = TrustLevel::new(value("level").parse().unwrap_or(0))
        .ok_or_else(|| AppError::field("level", "must be 1, 2 or 3"))?;
    let visibility = Visibility::parse(value("visibility"))
        .ok_or_else(|| AppError::field("visibility", "must be public, network or private"))?;
    let note = value("note").to_string();
    let mut trusted = 0;
    for (_, id) in form.iter().filter(|(k, _)| k == "trust") {
        let id: i64 = id
            .parse()
            .map_err(|_| AppError::field("trust", "must be a person's number"))?;
        trust::set_trust(&state, me.person, PersonId(id), level, visibility).await?;
        trusted += 1;
    }
    let mut invited = 0;
    for (_, address) in form.iter().filter(|(k, _)| k == "invite") {
        match circle::invite(&state, me.person, address, &note).await {
            Ok(()) => invited += 1,
            // Already invited and waiting: nothing more to do for that address.
            Err(AppError::Conflict(_)) => {}
            Err(other) => return Err(other.into()),
        }
    }
    tracing::debug!(trusted, invited, "address book applied");
    Ok(see_other("/circle?done=imported"))
}
