//! Log in, sign up and log out, through the same store calls as `POST /v1/sessions` and
//! `POST /v1/accounts`.

use askama::Template;
use axum::body::Bytes;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar};
use serde::Deserialize;

use crate::auth::password;
use crate::domain::{Email, GeoPoint, Name};
use crate::error::ApiError;
use crate::feed::GraphChange;
use crate::http::auth::SESSION_COOKIE;
use crate::http::sessions::check_credentials;
use crate::state::AppState;
use crate::store;

use super::page::{render, see_other, Chrome, WebError};
use super::session::{csrf_field, form_token, safe_next, start_session, Posted, Visitor, WebQuery};

/// `?next=` on the login and sign-up pages.
#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    csrf: String,
    email: String,
    next: String,
    error: Option<String>,
}

/// The login form.
pub async fn login_page(
    State(state): State<AppState>,
    visitor: Visitor,
    jar: CookieJar,
    WebQuery(query): WebQuery<NextQuery>,
) -> Result<Response, WebError> {
    let next = safe_next(query.next.as_deref());
    if visitor.user.is_some() {
        return Ok(see_other(&next));
    }
    let (jar, csrf) = form_token(&visitor, jar);
    let page = LoginPage {
        chrome: Chrome::new(&state, &visitor, "login", "Log in").await?,
        csrf,
        email: String::new(),
        next,
        error: None,
    };
    Ok((jar, render(StatusCode::OK, &page)?).into_response())
}

/// A login.
#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    csrf: String,
    email: String,
    password: String,
    next: Option<String>,
}

/// Checks the password and starts a session, as `POST /v1/sessions` does.
pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    jar: CookieJar,
    Posted { visitor, form }: Posted<LoginForm>,
) -> Result<Response, WebError> {
    let checked = check_credentials(&state, &form.email, form.password.clone(), peer.ip()).await;
    let person = match checked {
        Ok(person) => Some(person),
        Err(ApiError::Unauthorized(_)) => None,
        Err(other) => return Err(other.into()),
    };
    let next = safe_next(form.next.as_deref());
    let Some(person) = person else {
        let page = LoginPage {
            chrome: Chrome::new(&state, &visitor, "login", "Log in").await?,
            csrf: form.csrf,
            email: form.email,
            next,
            error: Some("The email or password is wrong.".into()),
        };
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let jar = start_session(&state, jar, person).await?;
    Ok((jar, see_other(&next)).into_response())
}

/// What was typed into the sign-up form, to show it again with the errors.
#[derive(Deserialize, Default)]
pub struct SignupForm {
    #[serde(default)]
    csrf: String,
    display_name: String,
    email: String,
    password: String,
    #[serde(default)]
    lat: String,
    #[serde(default)]
    lon: String,
    next: Option<String>,
}

/// One message per field that was refused.
#[derive(Default)]
struct SignupErrors {
    display_name: Option<String>,
    email: Option<String>,
    password: Option<String>,
    home: Option<String>,
}

impl SignupErrors {
    fn any(&self) -> bool {
        self.display_name.is_some()
            || self.email.is_some()
            || self.password.is_some()
            || self.home.is_some()
    }
}

#[derive(Template)]
#[template(path = "signup.html")]
struct SignupPage {
    chrome: Chrome,
    csrf: String,
    form: SignupForm,
    next: String,
    errors: SignupErrors,
}

/// The sign-up form.
pub async fn signup_page(
    State(state): State<AppState>,
    visitor: Visitor,
    jar: CookieJar,
    WebQuery(query): WebQuery<NextQuery>,
) -> Result<Response, WebError> {
    if visitor.user.is_some() {
        return Ok(see_other("/circle"));
    }
    let (jar, csrf) = form_token(&visitor, jar);
    let page = SignupPage {
        chrome: Chrome::new(&state, &visitor, "signup", "Sign up").await?,
        csrf,
        form: SignupForm::default(),
        next: query.next.unwrap_or_default(),
        errors: SignupErrors::default(),
    };
    Ok((jar, render(StatusCode::OK, &page)?).into_response())
}

/// Parses an optional home: both coordinates or neither.
fn parse_home(lat: &str, lon: &str) -> Result<Option<(f64, f64)>, String> {
    match (lat.trim(), lon.trim()) {
        ("", "") => Ok(None),
        (lat, lon) => {
            let (Ok(lat), Ok(lon)) = (lat.parse::<f64>(), lon.parse::<f64>()) else {
                return Err("give both latitude and longitude as numbers, or neither".into());
            };
            GeoPoint::parse(lat, lon)
                .map(|p| Some((p.lat, p.lon)))
                .map_err(|errors| {
                    errors
                        .into_iter()
                        .map(|(field, message)| format!("{field} {message}"))
                        .collect::<Vec<_>>()
                        .join("; ")
                })
        }
    }
}

/// Creates the account as `POST /v1/accounts` does, then logs in.
pub async fn signup(
    State(state): State<AppState>,
    jar: CookieJar,
    Posted { visitor, form }: Posted<SignupForm>,
) -> Result<Response, WebError> {
    let mut errors = SignupErrors::default();
    let email = Email::parse(&form.email)
        .map_err(|m| errors.email = Some(m))
        .ok();
    let name = Name::parse(&form.display_name, 100)
        .map_err(|m| errors.display_name = Some(m))
        .ok();
    if let Err(reason) = password::check_policy(&form.password, &form.email) {
        errors.password = Some(reason.to_string());
    }
    let home = parse_home(&form.lat, &form.lon)
        .map_err(|m| errors.home = Some(m))
        .ok()
        .flatten();
    let (Some(email), Some(name)) = (email, name) else {
        return signup_again(&state, &visitor, form, errors).await;
    };
    if errors.any() {
        return signup_again(&state, &visitor, form, errors).await;
    }

    let memory = state.config.argon2_memory_kib;
    let secret = form.password.clone();
    let hash = tokio::task::spawn_blocking(move || password::hash(&secret, memory))
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
        .map_err(ApiError::Internal)?;
    let mut tx = state.pool.begin().await?;
    let created = store::accounts::create(
        &mut tx,
        &store::accounts::NewAccount {
            email: email.as_str(),
            password_hash: &hash,
            display_name: name.as_str(),
            home,
        },
    )
    .await;
    let id = match created.map_err(ApiError::from) {
        Ok(id) => id,
        Err(ApiError::Conflict(_)) => {
            errors.email = Some("an account with this email already exists; log in instead".into());
            return signup_again(&state, &visitor, form, errors).await;
        }
        Err(other) => return Err(other.into()),
    };
    // Referrals sent to this email before the account existed now belong to it.
    store::referrals::attach_invitations(&mut tx, email.as_str(), id).await?;
    store::changes::record(
        &mut tx,
        Some(id),
        &GraphChange::PersonUpsert {
            id,
            name: name.as_str().to_string(),
            pre_trusted: false,
        },
    )
    .await?;
    tx.commit().await?;
    state.live.catch_up_after_write(&state.pool).await;

    let jar = start_session(&state, jar, id).await?;
    let next = match form.next.as_deref() {
        Some(n) if !n.is_empty() => safe_next(Some(n)),
        _ => "/circle?done=welcome".to_string(),
    };
    Ok((jar, see_other(&next)).into_response())
}

async fn signup_again(
    state: &AppState,
    visitor: &Visitor,
    mut form: SignupForm,
    errors: SignupErrors,
) -> Result<Response, WebError> {
    // Never send a password back into a page.
    form.password.clear();
    let page = SignupPage {
        chrome: Chrome::new(state, visitor, "signup", "Sign up").await?,
        csrf: form.csrf.clone(),
        next: form.next.clone().unwrap_or_default(),
        form,
        errors,
    };
    render(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

/// Ends the session server-side and clears the cookie, as `DELETE /v1/sessions` does. Not a
/// [`Posted`] form: a visitor whose session already ended is simply sent home.
pub async fn logout(
    State(state): State<AppState>,
    visitor: Visitor,
    jar: CookieJar,
    body: Bytes,
) -> Result<Response, WebError> {
    let Some(me) = &visitor.user else {
        return Ok(see_other("/"));
    };
    me.check_csrf(&csrf_field(&body))?;
    store::sessions::delete(&state.pool, &me.token_hash).await?;
    state.sessions.forget(&me.token_hash);
    let jar = jar.remove(Cookie::build(SESSION_COOKIE).path("/").build());
    Ok((jar, see_other("/?done=logged-out")).into_response())
}

#[cfg(test)]
mod tests {
    use super::parse_home;

    #[test]
    fn a_home_is_both_coordinates_or_neither() {
        assert_eq!(parse_home("", " "), Ok(None));
        assert_eq!(parse_home("51.47", "-2.6"), Ok(Some((51.47, -2.6))));
        assert!(parse_home("51.47", "").is_err());
        assert!(parse_home("200", "0").is_err());
    }
}
