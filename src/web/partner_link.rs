//! `/partners/{id}/link`: the consent page where a visitor links their vouchgraph account to a
//! partner, so the partner's widgets can show them their own ranking (`app::partner_links`).
//!
//! The page is ours, on the visitor's session: the partner cannot see or press the button.
//! Its forms carry the session's CSRF token like every other page's (a cookie alone would let
//! any site post them), and no page may be framed, so it cannot be clickjacked. After consent
//! the visitor goes back to `return_to` (only on one of the partner's allowed origins) with
//! `vouchgraph_link_token` and the partner's `state`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi};

use crate::app::partner_links::{self, Linked};
use crate::domain::PartnerId;
use crate::state::AppState;

use super::page::{day, render, Chrome, WebError};
use super::session::{Posted, Visitor};

/// The consent routes in the API's description: partners send their visitors here.
#[derive(OpenApi)]
#[openapi(paths(link_page, link, unlink))]
pub struct ConsentDoc;

/// Where to go after consent.
#[derive(Deserialize, IntoParams)]
pub struct LinkParams {
    /// A page on one of the partner's allowed origins; the link token is appended to it.
    pub return_to: Option<String>,
    /// An opaque value passed back to `return_to` unchanged (the partner's CSRF defence).
    pub state: Option<String>,
}

/// The consent form (its `csrf` is checked by [`Posted`]).
#[derive(Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    return_to: String,
    #[serde(default)]
    state: String,
}

/// The unlink form: nothing but its `csrf`.
#[derive(Deserialize)]
pub struct UnlinkForm {}

#[derive(Template)]
#[template(path = "partner_link.html")]
struct ConsentPage {
    chrome: Chrome,
    csrf: String,
    partner_id: PartnerId,
    partner: String,
    linked_on: Option<String>,
    return_to: String,
    state: String,
}

#[derive(Template)]
#[template(path = "partner_linked.html")]
struct DonePage {
    chrome: Chrome,
    partner: String,
    /// The link token to hand over, when there was nowhere to return to; none after unlinking.
    code: Option<String>,
}

/// The consent page. Signed-out visitors are sent to log in first, and come back here.
#[utoipa::path(get, path = "/partners/{id}/link", tag = "partners",
    params(("id" = i64, Path, description = "The partner"), LinkParams),
    security(("cookie" = [])),
    responses((status = 200, description = "The consent page", content_type = "text/html"),
              (status = 303, description = "Not signed in: to the login page")))]
pub async fn link_page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<PartnerId>,
    Query(params): Query<LinkParams>,
) -> Result<Response, WebError> {
    let me = visitor.require()?;
    let consent = partner_links::consent(&state, me.person, id).await?;
    let title = format!("Link your account to {}?", consent.partner.name);
    let page = ConsentPage {
        chrome: Chrome::new(&state, &visitor, "", &title).await?,
        csrf: me.csrf.clone(),
        partner_id: id,
        partner: consent.partner.name,
        linked_on: consent.linked_at.map(day),
        return_to: params.return_to.unwrap_or_default(),
        state: params.state.unwrap_or_default(),
    };
    render(StatusCode::OK, &page)
}

/// Consent: links the signed-in visitor and hands the partner a link token.
#[utoipa::path(post, path = "/partners/{id}/link", tag = "partners",
    params(("id" = i64, Path, description = "The partner")),
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf, return_to, state"),
    security(("cookie" = [])),
    responses((status = 303, description = "Linked: back to return_to with vouchgraph_link_token"),
              (status = 200, description = "Linked: the code, when there is nowhere to return", content_type = "text/html")))]
pub async fn link(
    State(state): State<AppState>,
    Path(id): Path<PartnerId>,
    Posted { visitor, form }: Posted<LinkForm>,
) -> Result<Response, WebError> {
    let me = visitor.require_for(&format!("/partners/{id}/link"))?;
    let (partner, linked) =
        partner_links::link(&state, me.person, id, &form.return_to, &form.state).await?;
    match linked {
        // Off-site, so not `see_other`, which is for our own paths.
        Linked::Return(url) => Ok(axum::response::Redirect::to(url.as_str()).into_response()),
        Linked::Code(code) => {
            let page = DonePage {
                chrome: Chrome::new(&state, &visitor, "", "Linked").await?,
                partner: partner.name,
                code: Some(code),
            };
            render(StatusCode::OK, &page)
        }
    }
}

/// Withdraws consent: the partner's embed tokens for the visitor stop working at once.
#[utoipa::path(post, path = "/partners/{id}/unlink", tag = "partners",
    params(("id" = i64, Path, description = "The partner")),
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf"),
    security(("cookie" = [])),
    responses((status = 200, description = "Unlinked", content_type = "text/html")))]
pub async fn unlink(
    State(state): State<AppState>,
    Path(id): Path<PartnerId>,
    Posted { visitor, .. }: Posted<UnlinkForm>,
) -> Result<Response, WebError> {
    let me = visitor.require_for(&format!("/partners/{id}/link"))?;
    let partner = partner_links::unlink(&state, me.person, id).await?;
    let page = DonePage {
        chrome: Chrome::new(&state, &visitor, "", "Unlinked").await?,
        partner: partner.name,
        code: None,
    };
    render(StatusCode::OK, &page)
}
