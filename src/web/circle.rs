//! `/circle`: whom the visitor trusts. Find people by name, trust them at a level with a
//! visibility, change or revoke it, through the use case `app::trust`, as `PUT/DELETE
//! /v1/trust/{person_id}` do.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use crate::app::trust;
use crate::domain::{PersonId, TrustLevel, Visibility};
use crate::error::ApiError;
use crate::state::AppState;
use crate::store;

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
    let me = visitor.require()?;
    let edges: Vec<EdgeRow> = store::trust::list_from(&state.pool, me.person)
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
    let q = query.q.unwrap_or_default().trim().to_string();
    let mut q_error = None;
    let mut hits = Vec::new();
    let searched = !q.is_empty();
    if searched {
        let length = q.chars().count();
        if !(2..=100).contains(&length) {
            q_error = Some("Type at least 2 letters of a name.".to_string());
        } else {
            hits = store::people::search(&state.pool, &q, 20)
                .await?
                .into_iter()
                .filter(|hit| hit.id != me.person)
                .map(|hit| HitRow {
                    trusted: edges.iter().any(|e| e.id == hit.id.0),
                    id: hit.id.0,
                    name: hit.display_name,
                })
                .collect();
        }
    }
    let page = CirclePage {
        chrome: Chrome::new(&state, &visitor, "circle", "My circle").await?,
        csrf: me.csrf.clone(),
        q,
        q_error,
        edges,
        hits,
        searched,
        levels: LEVELS,
        visibilities: VISIBILITIES,
    };
    render(StatusCode::OK, &page)
}

/// A trust form.
#[derive(Deserialize)]
pub struct TrustForm {
    person_id: i64,
    level: u8,
    visibility: String,
    #[serde(default)]
    q: String,
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
