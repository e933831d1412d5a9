//! `/circle`: whom the visitor trusts, and building it. Find people by name or among those
//! they may know, trust them at a level with a visibility, change or revoke it (`app::trust`,
//! as `PUT/DELETE /v1/trust/{person_id}` do); trust back someone whose invitation they used,
//! or decline; invite a friend by email (`app::circle`). A newcomer is guided here until
//! their circle has three people.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use crate::app::{circle, people, trust};
use crate::domain::{PersonId, TrustLevel, Visibility};
use crate::error::ApiError;
use crate::state::AppState;

use super::page::{day, encode, render, see_other, Chrome, WebError};
use super::session::{Posted, Visitor, WebQuery};

/// The trust levels, as the forms offer them.
pub const LEVELS: &[(u8, &str)] = &[
    (1, "1 · I know them"),
    (2, "2 · Trust their judgement"),
    (3, "3 · Trust completely"),
];

/// The visibilities, as the forms offer them.
pub const VISIBILITIES: &[(&str, &str)] = &[
    ("public", "Public"),
    ("network", "My network"),
    ("private", "Only me"),
];

/// Someone the visitor trusts.
struct EdgeRow {
    id: i64,
    name: String,
    level: u8,
    visibility: String,
    since: String,
}

/// Someone found by name.
struct HitRow {
    id: i64,
    name: String,
    trusted: bool,
    /// How the visitor trusts them now (the form shows it, so pressing it changes nothing
    /// unasked), or level 2 and "my network" for someone new.
    level: u8,
    visibility: String,
    /// What tells them apart from namesakes: "trusted by Matt Hughes", "joined Mar 2026".
    known: String,
}

/// Someone the visitor may know.
struct SuggestionRow {
    id: i64,
    name: String,
    reasons: String,
}

/// An offer to trust an inviter back.
struct OfferRow {
    id: i64,
    inviter_id: i64,
    name: String,
    note: String,
}

/// An invitation the visitor sent.
struct SentRow {
    to: String,
    when: String,
    status: String,
}

/// The invite form as typed, and what was wrong with it.
#[derive(Default)]
pub(super) struct InviteState {
    pub(super) email: String,
    pub(super) note: String,
    pub(super) email_error: Option<String>,
    pub(super) note_error: Option<String>,
}

#[derive(Template)]
#[template(path = "circle.html")]
struct CirclePage {
    chrome: Chrome,
    csrf: String,
    q: String,
    q_error: Option<String>,
    edges: Vec<EdgeRow>,
    hits: Vec<HitRow>,
    searched: bool,
    suggestions: Vec<SuggestionRow>,
    offers: Vec<OfferRow>,
    sent: Vec<SentRow>,
    invite: InviteState,
    /// How many more people until the first circle is made (0 once it is).
    to_go: usize,
    first_circle: usize,
    levels: &'static [(u8, &'static str)],
    visibilities: &'static [(&'static str, &'static str)],
}

/// `?q=`: part of a name.
#[derive(Deserialize)]
pub struct CircleQuery {
    q: Option<String>,
}

/// The circle page.
pub async fn circle(
    State(state): State<AppState>,
    visitor: Visitor,
    WebQuery(query): WebQuery<CircleQuery>,
) -> Result<Response, WebError> {
    let q = query.q.unwrap_or_default();
    circle_page(&state, &visitor, &q, InviteState::default(), StatusCode::OK).await
}

/// The circle page for the signed-in visitor: the first-run guide while their circle is small,
/// offers to trust back, people they may know, finding by name, inviting by email, and the
/// people they trust.
pub(super) async fn circle_page(
    state: &AppState,
    visitor: &Visitor,
    q: &str,
    invite: InviteState,
    status: StatusCode,
) -> Result<Response, WebError> {
    let me = visitor.require()?;
    let edges: Vec<EdgeRow> = trust::list(state, me.person)
        .await?
        .into_iter()
        .map(|row| EdgeRow {
            id: row.trustee_id.0,
            name: row.display_name,
            level: row.level as u8,
            visibility: row.visibility,
            since: day(row.updated_at),
        })
        .collect();
    let q = q.trim().to_string();
    let mut q_error = None;
    let mut hits = Vec::new();
    let searched = !q.is_empty();
    if searched {
        let length = q.chars().count();
        if length < 2 {
            q_error = Some("Type at least 2 letters of a name.".to_string());
        } else if length > 100 {
            q_error = Some("A name is at most 100 characters: type part of it.".to_string());
        } else {
            hits = people::search_for(state, me.person, &q, 20)
                .await?
                .into_iter()
                .filter(|hit| hit.id != me.person)
                .map(|hit| {
                    let current = edges.iter().find(|e| e.id == hit.id.0);
                    let joined = hit
                        .created_at
                        .format(time::macros::format_description!(
                            "joined [month repr:short] [year]"
                        ))
                        .unwrap_or_default();
                    HitRow {
                        trusted: current.is_some(),
                        level: current.map_or(2, |e| e.level),
                        visibility: current
                            .map_or_else(|| "network".to_string(), |e| e.visibility.clone()),
                        known: match hit.known_through {
                            Some(name) => format!("trusted by {name} · {joined}"),
                            None => joined,
                        },
                        id: hit.id.0,
                        name: hit.display_name,
                    }
                })
                .collect();
        }
    }
    // While the graph loads there is nothing to suggest yet; the rest of the page still works.
    let suggestions = circle::suggestions(state, me.person, 8)
        .unwrap_or_default()
        .into_iter()
        .map(|s| SuggestionRow {
            id: s.person.0,
            name: s.display_name,
            reasons: s.reasons.join("; "),
        })
        .collect();
    let offers = circle::offers(state, me.person)
        .await?
        .into_iter()
        .map(|o| OfferRow {
            id: o.id,
            inviter_id: o.inviter.0,
            name: o.inviter_name,
            note: o.note,
        })
        .collect();
    let sent = circle::sent(state, me.person)
        .await?
        .into_iter()
        .take(10)
        .map(|s| SentRow {
            to: match (&s.joined, &s.email) {
                (Some((_, name)), _) => name.clone(),
                (None, Some(email)) => email.clone(),
                (None, None) => "someone".into(),
            },
            when: day(s.sent_at),
            status: match (&s.joined, s.expired) {
                (Some(_), _) => "joined",
                (None, true) => "expired",
                (None, false) => "waiting",
            }
            .into(),
        })
        .collect();
    let page = CirclePage {
        chrome: Chrome::new(state, visitor, "circle", "My circle").await?,
        csrf: me.csrf.clone(),
        to_go: circle::FIRST_CIRCLE.saturating_sub(edges.len()),
        first_circle: circle::FIRST_CIRCLE,
        q,
        q_error,
        edges,
        hits,
        searched,
        suggestions,
        offers,
        sent,
        invite,
        levels: LEVELS,
        visibilities: VISIBILITIES,
    };
    render(status, &page)
}

/// A trust form.
#[derive(Deserialize)]
pub struct TrustForm {
    person_id: i64,
    level: u8,
    visibility: String,
    #[serde(default)]
    q: String,
    /// `network` when sent from the network page's one-click form, to go back there.
    #[serde(default)]
    back: String,
}

fn back_to_circle(done: &str, q: &str) -> String {
    if q.trim().is_empty() {
        format!("/circle?done={done}")
    } else {
        format!("/circle?done={done}&q={}", encode(q.trim()))
    }
}

/// Trusts a person, or changes the level or visibility.
pub async fn trust(
    State(state): State<AppState>,
    Posted { visitor, form }: Posted<TrustForm>,
) -> Result<Response, WebError> {
    let me = visitor.require_for("/circle")?;
    let person = PersonId(form.person_id);
    let level =
        TrustLevel::new(form.level).ok_or_else(|| ApiError::field("level", "must be 1, 2 or 3"))?;
    let visibility = Visibility::parse(&form.visibility)
        .ok_or_else(|| ApiError::field("visibility", "must be public, network or private"))?;
    trust::set_trust(&state, me.person, person, level, visibility).await?;
    if form.back == "network" {
        return Ok(see_other("/network?done=trusted"));
    }
    Ok(see_other(&back_to_circle("trusted", &form.q)))
}

/// A revoke form.
#[derive(Deserialize)]
pub struct RevokeForm {
    person_id: i64,
    #[serde(default)]
    q: String,
}

/// Stops trusting a person.
pub async fn revoke(
    State(state): State<AppState>,
    Posted { visitor, form }: Posted<RevokeForm>,
) -> Result<Response, WebError> {
    let me = visitor.require_for("/circle")?;
    let person = PersonId(form.person_id);
    trust::revoke_trust(&state, me.person, person).await?;
    Ok(see_other(&back_to_circle("revoked", &form.q)))
}
