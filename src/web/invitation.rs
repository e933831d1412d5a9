//! `/invitation?token=`: where an invitation link lands. A visitor who is logged in claims the
//! referral with one button (`app::referrals::claim_signed_in`, as `POST /v1/me/invitations`
//! does); anyone else goes on to sign up with the token.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use crate::app::referrals;
use crate::state::AppState;

use super::page::{render, see_other, Chrome, WebError};
use super::session::{Posted, Visitor, WebQuery};

/// `?token=` of an invitation link.
#[derive(Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

#[derive(Template)]
#[template(path = "invitation.html")]
struct InvitationPage {
    chrome: Chrome,
    csrf: String,
    token: String,
}

/// The landing page of an invitation link.
pub async fn invitation(
    State(state): State<AppState>,
    visitor: Visitor,
    WebQuery(query): WebQuery<TokenQuery>,
) -> Result<Response, WebError> {
    let token = query.token.trim().to_string();
    let Some(me) = &visitor.user else {
        // The token travels on in the query only as far as the sign-up form.
        let mut to = String::from("/signup?invite=");
        to.extend(url::form_urlencoded::byte_serialize(token.as_bytes()));
        return Ok(see_other(&to));
    };
    let page = InvitationPage {
        chrome: Chrome::new(&state, &visitor, "referrals", "Your invitation").await?,
        csrf: me.csrf.clone(),
        token,
    };
    render(StatusCode::OK, &page)
}

/// The claim form.
#[derive(Deserialize)]
pub struct ClaimForm {
    #[serde(default)]
    token: String,
}

/// Claims the invitation for the logged-in visitor.
pub async fn claim(
    State(state): State<AppState>,
    Posted { visitor, form }: Posted<ClaimForm>,
) -> Result<Response, WebError> {
    let me = visitor.require_for("/referrals")?;
    let id = referrals::claim_signed_in(&state, me.person, form.token.trim()).await?;
    Ok(see_other(&format!("/referrals?done=claimed#r{id}")))
}
