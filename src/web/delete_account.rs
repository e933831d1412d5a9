//! `/account/delete`: deleting one's account, confirmed by typing the password again, through
//! the same use case as `DELETE /v1/me` (`app::account_deletion`).

use askama::Template;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;

use crate::app::account_deletion::delete_account;
use crate::app::{AppError, FieldError};
use crate::auth::cookies::cleared_session_cookie;
use crate::state::AppState;

use super::page::{render, see_other, Chrome, WebError};
use super::session::{Posted, Visitor};

#[derive(Template)]
#[template(path = "delete_account.html")]
struct DeletePage {
    chrome: Chrome,
    csrf: String,
    error: Option<String>,
}

/// The confirmation page.
pub async fn page(State(state): State<AppState>, visitor: Visitor) -> Result<Response, WebError> {
    let me = visitor.require()?;
    let page = DeletePage {
        chrome: Chrome::new(&state, &visitor, "account", "Delete your account").await?,
        csrf: me.csrf.clone(),
        error: None,
    };
    render(StatusCode::OK, &page)
}

/// The confirmation form.
#[derive(Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    password: String,
}

/// Deletes the account, ends the session and says goodbye on the home page; a wrong password
/// shows the page again with the message beside the field.
pub async fn delete(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    jar: CookieJar,
    Posted { visitor, form }: Posted<DeleteForm>,
) -> Result<Response, WebError> {
    let me = visitor.require_for("/account/delete")?;
    match delete_account(&state, me.person, form.password, peer.ip()).await {
        Ok(()) => {
            let jar = jar.remove(cleared_session_cookie());
            Ok((jar, see_other("/?done=deleted")).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let message = errors
                .into_iter()
                .map(|FieldError { message, .. }| message)
                .collect::<Vec<_>>()
                .join("; ");
            let page = DeletePage {
                chrome: Chrome::new(&state, &visitor, "account", "Delete your account").await?,
                csrf: me.csrf.clone(),
                error: Some(message),
            };
            render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(other) => Err(other.into()),
    }
}
