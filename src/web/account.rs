//! Log in, sign up and log out, through the use cases `app::sessions` and `app::accounts`, as
//! `POST /v1/sessions` and `POST /v1/accounts` are.

use askama::Template;
use axum::body::Bytes;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;

use crate::app::accounts::{self, SignUp};
use crate::app::places::PlaceInput;
use crate::app::{sessions, AppError, FieldError};
use crate::auth::cookies::cleared_session_cookie;
use crate::domain::GeoPoint;
use crate::state::AppState;

use super::page::{render, see_other, Chrome, WebError};
use super::session::{csrf_field, form_token, safe_next, with_session, Posted, Visitor, WebQuery};

/// `?next=` on the login and sign-up pages, and `?invite=` (an invitation's token) on the
/// sign-up page.
#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
    invite: Option<String>,
    /// An invitation into someone's circle (`/join` sends here with it).
    circle: Option<String>,
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
    // Where the visitor was going, if anywhere: kept blank otherwise, so that the landing
    // after log-in can depend on who they turn out to be.
    let asked = asked_next(query.next.as_deref());
    if visitor.user.is_some() {
        return Ok(see_other(&safe_next(asked.as_deref())));
    }
    let (jar, csrf) = form_token(&visitor, jar, state.config.secure_cookies);
    let page = LoginPage {
        chrome: Chrome::new(&state, &visitor, "login", "Log in").await?,
        csrf,
        email: String::new(),
        next: asked.unwrap_or_default(),
        error: None,
    };
    Ok((jar, render(StatusCode::OK, &page)?).into_response())
}

/// Where the visitor asked to go after logging in, if anywhere (a local path only).
fn asked_next(next: Option<&str>) -> Option<String> {
    next.filter(|n| !n.is_empty()).map(|n| safe_next(Some(n)))
}

/// The login form again, as typed but for the password, with why it was refused; after too
/// many tries a 429 with `Retry-After`, otherwise a 422.
async fn login_again(
    state: &AppState,
    visitor: &Visitor,
    form: LoginForm,
    next: String,
    error: String,
    wait_secs: Option<u64>,
) -> Result<Response, WebError> {
    let page = LoginPage {
        chrome: Chrome::new(state, visitor, "login", "Log in").await?,
        csrf: form.csrf,
        email: form.email,
        next,
        error: Some(error),
    };
    let status = match wait_secs {
        Some(_) => StatusCode::TOO_MANY_REQUESTS,
        None => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let mut response = render(status, &page)?;
    if let Some(secs) = wait_secs {
        response.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from(secs),
        );
    }
    Ok(response)
}

/// "3 minutes", "1 minute", "40 seconds".
pub(super) fn minutes(secs: u64) -> String {
    match secs {
        0..=59 => format!("{secs} seconds"),
        60..=119 => "1 minute".into(),
        _ => format!("{} minutes", secs.div_ceil(60)),
    }
}

/// A use case's message as a sentence: capital first, full stop last.
fn sentence(message: &str) -> String {
    let mut out: String = message
        .chars()
        .take(1)
        .flat_map(char::to_uppercase)
        .chain(message.chars().skip(1))
        .collect();
    if !out.ends_with('.') {
        out.push('.');
    }
    out
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
    let logged_in = sessions::log_in(&state, &form.email, form.password.clone(), peer.ip()).await;
    let asked = asked_next(form.next.as_deref());
    let next = asked.clone().unwrap_or_default();
    let session = match logged_in {
        Ok(session) => session,
        // The form again, with why, and how long to wait once there have been too many tries.
        Err(AppError::TooManyAttempts { retry_after_secs }) => {
            let error = format!(
                "Too many tries. Wait {} before trying again from here, or reset your password.",
                minutes(retry_after_secs)
            );
            return login_again(&state, &visitor, form, next, error, Some(retry_after_secs)).await;
        }
        Err(AppError::Unauthenticated(message)) => {
            return login_again(&state, &visitor, form, next, sentence(&message), None).await;
        }
        Err(other) => return Err(other.into()),
    };
    // With nowhere asked for, a person who runs a business lands on its dashboard (their
    // follow-ups and customers), anyone else on Search.
    let next = match asked {
        Some(asked) => asked,
        None => match crate::app::providers::owned_by(&state, session.person)
            .await?
            .first()
        {
            Some(business) => format!("/providers/{}/dashboard", business.0),
            None => safe_next(None),
        },
    };
    let jar = with_session(&state, jar, &session);
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
    /// The home as typed: a neighbourhood, town or postcode.
    #[serde(default)]
    home: String,
    /// Coordinates, which scripts and links may post instead of `home`.
    #[serde(default)]
    lat: String,
    #[serde(default)]
    lon: String,
    next: Option<String>,
    /// The invitation's token, when the visitor came through an invitation link.
    #[serde(default)]
    invite: String,
    /// The circle invitation's token, when the visitor came through one.
    #[serde(default)]
    circle: String,
}

/// One message per field that was refused.
#[derive(Default)]
struct SignupErrors {
    display_name: Option<String>,
    email: Option<String>,
    password: Option<String>,
    home: Option<String>,
    /// The places a home typed ambiguously could be.
    home_candidates: Vec<String>,
    invite: Option<String>,
    /// The address has an account already: the message links to logging in.
    email_taken: bool,
}

impl SignupErrors {
    /// Puts a refused sign-up's reasons beside the fields they concern. A failure no field
    /// explains (the database is down) is an error page instead.
    fn from_refusal(error: AppError) -> Result<SignupErrors, WebError> {
        let mut errors = SignupErrors::default();
        match error {
            AppError::Invalid(fields) => {
                let mut home = Vec::new();
                for FieldError {
                    field,
                    message,
                    candidates,
                } in fields
                {
                    match field.as_str() {
                        "home" => {
                            home.push(message);
                            errors.home_candidates = candidates;
                        }
                        "email" => errors.email = Some(message),
                        "display_name" => errors.display_name = Some(message),
                        "password" => errors.password = Some(message),
                        "lat" | "lon" => home.push(format!("{field}: {message}")),
                        "invite_token" | "circle_invitation" => errors.invite = Some(message),
                        _ => {
                            return Err(
                                AppError::Invalid(vec![FieldError::new(field, message)]).into()
                            )
                        }
                    }
                }
                if !home.is_empty() {
                    errors.home = Some(home.join("; "));
                }
            }
            AppError::Conflict(_) => {
                errors.email = Some("an account with this email already exists.".into());
                errors.email_taken = true;
            }
            other => return Err(other.into()),
        }
        Ok(errors)
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
    let (jar, csrf) = form_token(&visitor, jar, state.config.secure_cookies);
    let page = SignupPage {
        chrome: Chrome::new(&state, &visitor, "signup", "Sign up").await?,
        csrf,
        form: SignupForm {
            invite: query.invite.unwrap_or_default(),
            circle: query.circle.unwrap_or_default(),
            ..SignupForm::default()
        },
        next: query.next.unwrap_or_default(),
        errors: SignupErrors::default(),
    };
    Ok((jar, render(StatusCode::OK, &page)?).into_response())
}

/// Creates the account as `POST /v1/accounts` does, then logs in.
pub async fn signup(
    State(state): State<AppState>,
    jar: CookieJar,
    Posted { visitor, form }: Posted<SignupForm>,
) -> Result<Response, WebError> {
    let input = SignUp {
        email: &form.email,
        password: form.password.clone(),
        display_name: &form.display_name,
        home: if form.home.trim().is_empty() {
            PlaceInput::Point(GeoPoint::parse_text(&form.lat, &form.lon))
        } else {
            PlaceInput::Text {
                field: "home",
                typed: &form.home,
            }
        },
        invite_token: Some(form.invite.trim()).filter(|token| !token.is_empty()),
        circle_token: Some(form.circle.trim()).filter(|token| !token.is_empty()),
    };
    let id = match accounts::sign_up(&state, input).await {
        Ok(id) => id,
        Err(error) => {
            let errors = SignupErrors::from_refusal(error)?;
            return signup_again(&state, &visitor, form, errors).await;
        }
    };
    let session = sessions::start_session(&state, id).await?;
    let jar = with_session(&state, jar, &session);
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
    sessions::end_session(&state, &me.token_hash).await?;
    let jar = jar.remove(cleared_session_cookie());
    Ok((jar, see_other("/?done=logged-out")).into_response())
}
