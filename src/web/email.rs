//! The email pages: confirming an address (`/verify-email`), a forgotten password
//! (`/forgot-password`, `/reset-password`), unsubscribing in one click (`/unsubscribe`) and
//! choosing which mail to get (`/account/email`). Each calls one use case of `app::email`, as
//! the JSON API does.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;

use crate::app::email::{self as use_case, Preference};
use crate::app::{AppError, FieldError};
use crate::state::AppState;

use super::page::{render, see_other, Chrome, WebError};
use super::session::{form_token, Posted, Visitor, WebQuery};

/// What the page's form asks for.
pub enum Field {
    /// Only a button.
    Nothing,
    /// An email address (with what was typed).
    Email(String),
    /// A new password.
    NewPassword,
    /// One checkbox per category of mail.
    Preferences(Vec<Preference>),
}

/// A form on an email page.
pub struct FormSpec {
    action: &'static str,
    token: String,
    field: Field,
    button: &'static str,
}

#[derive(Template)]
#[template(path = "email.html")]
struct EmailPage {
    chrome: Chrome,
    csrf: String,
    heading: String,
    lines: Vec<String>,
    form: Option<FormSpec>,
    error: Option<String>,
    /// The CSRF token for "send the link again", when the address is unconfirmed.
    resend: Option<String>,
}

/// `?token=` of a link in an email.
#[derive(Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

/// A form that carries a link's token.
#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    token: String,
}

fn messages(errors: Vec<FieldError>) -> String {
    errors
        .into_iter()
        .map(|FieldError { message, .. }| message)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Renders an email page for a visitor who may not be signed in: their form token comes from
/// the session, or from the pre-sign-in cookie.
#[allow(clippy::too_many_arguments)]
async fn page(
    state: &AppState,
    visitor: &Visitor,
    jar: CookieJar,
    status: StatusCode,
    heading: &str,
    lines: Vec<String>,
    form: Option<FormSpec>,
    error: Option<String>,
) -> Result<Response, WebError> {
    let (jar, csrf) = match &visitor.user {
        Some(me) => (jar, me.csrf.clone()),
        None => form_token(visitor, jar, state.config.secure_cookies),
    };
    let page = EmailPage {
        chrome: Chrome::new(state, visitor, "account", heading).await?,
        csrf,
        heading: heading.to_string(),
        lines,
        form,
        error,
        resend: None,
    };
    Ok((jar, render(status, &page)?).into_response())
}

/// The landing page of a verification link: a button, so that a mail scanner opening the link
/// confirms nothing.
pub async fn verify_page(
    State(state): State<AppState>,
    visitor: Visitor,
    jar: CookieJar,
    WebQuery(query): WebQuery<TokenQuery>,
) -> Result<Response, WebError> {
    let form = FormSpec {
        action: "/verify-email",
        token: query.token.trim().to_string(),
        field: Field::Nothing,
        button: "Confirm my address",
    };
    let lines = vec!["Confirm that this email address is yours.".to_string()];
    page(
        &state,
        &visitor,
        jar,
        StatusCode::OK,
        "Confirm your address",
        lines,
        Some(form),
        None,
    )
    .await
}

/// Confirms the address.
pub async fn verify(
    State(state): State<AppState>,
    jar: CookieJar,
    Posted { visitor, form }: Posted<TokenForm>,
) -> Result<Response, WebError> {
    match use_case::verify(&state, &form.token).await {
        Ok(done) => {
            let mut lines = vec!["Thank you: your address is confirmed.".to_string()];
            if !done.claimed.is_empty() {
                lines.push(format!(
                    "{} referral(s) sent to this address are now in your referrals.",
                    done.claimed.len()
                ));
            }
            if done.released > 0 {
                lines.push(format!(
                    "{} invitation(s) you sent were waiting for this, and are on their way.",
                    done.released
                ));
            }
            page(
                &state,
                &visitor,
                jar,
                StatusCode::OK,
                "Address confirmed",
                lines,
                None,
                None,
            )
            .await
        }
        Err(AppError::Invalid(errors)) => {
            let lines = vec!["Log in and ask for a new link from your email settings.".to_string()];
            page(
                &state,
                &visitor,
                jar,
                StatusCode::UNPROCESSABLE_ENTITY,
                "This link does not work",
                lines,
                None,
                Some(messages(errors)),
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

/// The "forgot your password?" form.
pub async fn forgot_page(
    State(state): State<AppState>,
    visitor: Visitor,
    jar: CookieJar,
) -> Result<Response, WebError> {
    let form = FormSpec {
        action: "/forgot-password",
        token: String::new(),
        field: Field::Email(String::new()),
        button: "Email me a link",
    };
    let lines = vec!["Type the address you signed up with, and we will email you a link to choose a new password.".to_string()];
    page(
        &state,
        &visitor,
        jar,
        StatusCode::OK,
        "Forgot your password?",
        lines,
        Some(form),
        None,
    )
    .await
}

/// The address typed on the forgot-password form.
#[derive(Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    email: String,
}

/// Sends a reset link if an account has the address; says the same either way.
pub async fn forgot(
    State(state): State<AppState>,
    jar: CookieJar,
    Posted { visitor, form }: Posted<ForgotForm>,
) -> Result<Response, WebError> {
    match use_case::request_reset(&state, &form.email).await {
        Ok(()) => {
            let lines = vec![
                "If an account has this address, a link to choose a new password is on its way. It works for an hour.".to_string(),
                "Nothing arrived? Check your spam folder, or try again in a few minutes.".to_string(),
            ];
            page(
                &state,
                &visitor,
                jar,
                StatusCode::OK,
                "Check your email",
                lines,
                None,
                None,
            )
            .await
        }
        Err(AppError::Invalid(errors)) => {
            let form_spec = FormSpec {
                action: "/forgot-password",
                token: String::new(),
                field: Field::Email(form.email),
                button: "Email me a link",
            };
            page(
                &state,
                &visitor,
                jar,
                StatusCode::UNPROCESSABLE_ENTITY,
                "Forgot your password?",
                vec![],
                Some(form_spec),
                Some(messages(errors)),
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

/// The landing page of a reset link: the new password form.
pub async fn reset_page(
    State(state): State<AppState>,
    visitor: Visitor,
    jar: CookieJar,
    WebQuery(query): WebQuery<TokenQuery>,
) -> Result<Response, WebError> {
    let form = FormSpec {
        action: "/reset-password",
        token: query.token.trim().to_string(),
        field: Field::NewPassword,
        button: "Set my new password",
    };
    page(
        &state,
        &visitor,
        jar,
        StatusCode::OK,
        "Choose a new password",
        vec![],
        Some(form),
        None,
    )
    .await
}

/// The new password, and the link's token.
#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
}

/// Sets the new password; every session of the account ends, so the visitor logs in again.
pub async fn reset(
    State(state): State<AppState>,
    jar: CookieJar,
    Posted { visitor, form }: Posted<ResetForm>,
) -> Result<Response, WebError> {
    match use_case::reset_password(&state, &form.token, form.password).await {
        Ok(_) => Ok(see_other("/login?done=password_reset")),
        Err(AppError::Invalid(errors)) => {
            let expired = errors.iter().any(|e| e.field == "token");
            let form_spec = (!expired).then(|| FormSpec {
                action: "/reset-password",
                token: form.token.trim().to_string(),
                field: Field::NewPassword,
                button: "Set my new password",
            });
            let lines = if expired {
                vec!["Ask for a new link on the forgot-password page.".to_string()]
            } else {
                vec![]
            };
            page(
                &state,
                &visitor,
                jar,
                StatusCode::UNPROCESSABLE_ENTITY,
                "Choose a new password",
                lines,
                form_spec,
                Some(messages(errors)),
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

/// The landing page of an unsubscribe link: one button.
pub async fn unsubscribe_page(
    State(state): State<AppState>,
    visitor: Visitor,
    jar: CookieJar,
    WebQuery(query): WebQuery<TokenQuery>,
) -> Result<Response, WebError> {
    let form = FormSpec {
        action: "/unsubscribe",
        token: query.token.trim().to_string(),
        field: Field::Nothing,
        button: "Unsubscribe",
    };
    let lines = vec![
        "Stop this kind of email? You can turn it back on in your email settings.".to_string(),
    ];
    page(
        &state,
        &visitor,
        jar,
        StatusCode::OK,
        "Unsubscribe",
        lines,
        Some(form),
        None,
    )
    .await
}

/// Unsubscribes: from the page's button, or in one click from a mail program (RFC 8058, a
/// POST to the link itself with `List-Unsubscribe=One-Click`). The link's token is the only
/// proof needed, so no session or form token is asked for: a mail program has neither.
pub async fn unsubscribe(
    State(state): State<AppState>,
    Query(query): Query<std::collections::HashMap<String, String>>,
    body: axum::body::Bytes,
) -> Result<Response, WebError> {
    let from_form = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body)
        .unwrap_or_default()
        .into_iter()
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v);
    let token = query
        .get("token")
        .cloned()
        .or(from_form)
        .unwrap_or_default();
    let category = use_case::unsubscribe(&state, &token).await?;
    let body = format!(
        "<!doctype html><title>Unsubscribed · vouchgraph</title><meta name=viewport content=\"width=device-width\">\
         <main style=\"font-family:sans-serif;max-width:40em;margin:2em auto\"><h1>Unsubscribed</h1>\
         <p>You will get no more {category} emails from vouchgraph. <a href=\"/account/email\">Email settings</a></p></main>"
    );
    Ok((StatusCode::OK, axum::response::Html(body)).into_response())
}

/// The signed-in person's email settings.
pub async fn settings_page(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Response, WebError> {
    let me = visitor.require()?;
    let view = use_case::preferences(&state, me.person).await?;
    let mut lines = vec![format!("Your address: {}", view.email)];
    lines.push(if view.verified {
        "It is confirmed.".to_string()
    } else {
        "It is not confirmed yet: invitations you send to people without an account wait until it is. Follow the link we emailed you.".to_string()
    });
    let page = EmailPage {
        chrome: Chrome::new(&state, &visitor, "account", "Email settings").await?,
        csrf: me.csrf.clone(),
        heading: "Email settings".into(),
        lines,
        form: Some(FormSpec {
            action: "/account/email",
            token: String::new(),
            field: Field::Preferences(view.preferences),
            button: "Save",
        }),
        error: None,
        resend: (!view.verified).then(|| me.csrf.clone()),
    };
    render(StatusCode::OK, &page)
}

/// Saves the checkboxes: a category ticked is wanted, one not ticked is declined.
pub async fn save_settings(
    State(state): State<AppState>,
    Posted { visitor, form }: Posted<std::collections::HashMap<String, String>>,
) -> Result<Response, WebError> {
    let me = visitor.require_for("/account/email")?;
    let wanted: Vec<(String, bool)> = use_case::CATEGORIES
        .iter()
        .map(|(c, _)| (c.to_string(), form.contains_key(*c)))
        .collect();
    use_case::set_preferences(&state, me.person, &wanted).await?;
    Ok(see_other("/account/email?done=saved"))
}

/// Sends the confirmation link again.
pub async fn resend(
    State(state): State<AppState>,
    Posted { visitor, .. }: Posted<std::collections::HashMap<String, String>>,
) -> Result<Response, WebError> {
    let me = visitor.require_for("/account/email")?;
    use_case::resend_verification(&state, me.person).await?;
    Ok(see_other("/account/email?done=sent"))
}
