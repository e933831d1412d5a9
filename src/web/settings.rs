//! `/settings`: everything about one's own account on one page. The name and home
//! (`app::accounts::update_profile`, as `PATCH /v1/me`), the password
//! (`app::accounts::change_password`, as `POST /v1/me/password`), and the ways to the rest:
//! email preferences, one's businesses, the archive of one's data, and deleting the account.
//! A refused form shows the page again with the message beside its field, nothing lost.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;

use crate::app::accounts::{self, ProfileChange};
use crate::app::places::PlaceInput;
use crate::app::providers;
use crate::app::AppError;
use crate::state::AppState;

use super::page::{render, see_other, Chrome, WebError};
use super::session::{with_session, Posted, Visitor};

/// A business the visitor owns.
struct Business {
    id: i64,
    name: String,
}

/// What was typed, and what was wrong with it.
#[derive(Default)]
struct Typed {
    display_name: Option<String>,
    home: Option<String>,
    name_error: Option<String>,
    home_error: Option<String>,
    current_error: Option<String>,
    new_error: Option<String>,
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    chrome: Chrome,
    csrf: String,
    email: String,
    verified: bool,
    display_name: String,
    home: String,
    businesses: Vec<Business>,
    typed: Typed,
}

async fn settings_page(
    state: &AppState,
    visitor: &Visitor,
    typed: Typed,
    status: StatusCode,
) -> Result<Response, WebError> {
    let me = visitor.require_for("/settings")?;
    let accounts::Account {
        row: account,
        verified,
        providers: owned,
    } = accounts::account(state, me.person).await?;
    let mut businesses = Vec::new();
    for id in owned {
        if let Some(row) = providers::find(state, id).await? {
            businesses.push(Business {
                id: id.0,
                name: row.name,
            });
        }
    }
    let home = match account.lat.zip(account.lon) {
        Some((lat, lon)) => {
            crate::places::neighbourhood(lat, lon).unwrap_or_else(|| format!("{lat:.4}, {lon:.4}"))
        }
        None => String::new(),
    };
    let page = SettingsPage {
        chrome: Chrome::new(state, visitor, "settings", "Settings").await?,
        csrf: me.csrf.clone(),
        email: account.email,
        verified,
        display_name: typed.display_name.clone().unwrap_or(account.display_name),
        home: typed.home.clone().unwrap_or(home),
        businesses,
        typed,
    };
    render(status, &page)
}

/// The settings page.
pub async fn settings(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Response, WebError> {
    settings_page(&state, &visitor, Typed::default(), StatusCode::OK).await
}

/// The profile form.
#[derive(Deserialize)]
pub struct ProfileForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    home: String,
    #[serde(default)]
    clear_home: Option<String>,
}

/// Saves the name and home.
pub async fn save_profile(
    State(state): State<AppState>,
    Posted { visitor, form }: Posted<ProfileForm>,
) -> Result<Response, WebError> {
    let me = visitor.require_for("/settings")?;
    let home = form.home.trim();
    let change = ProfileChange {
        display_name: &form.display_name,
        home: if home.is_empty() {
            PlaceInput::None
        } else {
            PlaceInput::Text {
                field: "home",
                typed: home,
            }
        },
        clear_home: form.clear_home.is_some(),
    };
    match accounts::update_profile(&state, me.person, change).await {
        Ok(()) => Ok(see_other("/settings?done=saved")),
        Err(AppError::Invalid(fields)) => {
            let mut typed = Typed {
                display_name: Some(form.display_name.clone()),
                home: Some(form.home.clone()),
                ..Typed::default()
            };
            for f in fields {
                let mut message = f.message;
                if !f.candidates.is_empty() {
                    message.push_str(&format!(": {}", f.candidates.join("; ")));
                }
                match f.field.as_str() {
                    "display_name" => typed.name_error = Some(message),
                    _ => typed.home_error = Some(message),
                }
            }
            settings_page(&state, &visitor, typed, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(other) => Err(other.into()),
    }
}

/// The password form.
#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

/// Changes the password: every other session ends, and this browser gets a fresh one.
pub async fn change_password(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    jar: CookieJar,
    Posted { visitor, form }: Posted<PasswordForm>,
) -> Result<Response, WebError> {
    let me = visitor.require_for("/settings")?;
    let changed = accounts::change_password(
        &state,
        me.person,
        form.current_password,
        form.new_password,
        peer.ip(),
    )
    .await;
    let mut typed = Typed::default();
    let status = match changed {
        Ok(session) => {
            let jar = with_session(&state, jar, &session);
            return Ok((jar, see_other("/settings?done=password")).into_response());
        }
        Err(AppError::Invalid(fields)) => {
            for f in fields {
                match f.field.as_str() {
                    "current_password" => typed.current_error = Some(f.message),
                    _ => typed.new_error = Some(f.message),
                }
            }
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(AppError::TooManyAttempts { retry_after_secs }) => {
            typed.current_error = Some(format!(
                "too many tries: wait {}, or reset your password by email",
                super::account::minutes(retry_after_secs)
            ));
            StatusCode::TOO_MANY_REQUESTS
        }
        Err(other) => return Err(other.into()),
    };
    settings_page(&state, &visitor, typed, status).await
}
