//! `WebError`: why a page could not be shown, and the HTML error page it becomes. Use cases'
//! errors (`AppError`) and the API's (`ApiError`) both convert into it.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::app::{AppError, FieldError};
use crate::error::ApiError;

use super::chrome::Chrome;
use super::redirect::{encode, see_other};

/// Why a page could not be shown.
#[derive(Debug)]
pub enum WebError {
    /// The page needs a signed-in person: go to the login page, then come back to `next`.
    SignIn {
        /// The path to return to.
        next: String,
    },
    /// A form post without the right CSRF token.
    Csrf,
    /// A use case refused or failed.
    App(AppError),
    /// Anything the API would refuse, with the same status.
    Api(ApiError),
}

impl From<AppError> for WebError {
    fn from(error: AppError) -> Self {
        WebError::App(error)
    }
}

impl From<ApiError> for WebError {
    fn from(error: ApiError) -> Self {
        WebError::Api(error)
    }
}

impl From<sqlx::Error> for WebError {
    fn from(error: sqlx::Error) -> Self {
        WebError::Api(error.into())
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    chrome: Chrome,
    status: u16,
    heading: String,
    message: String,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, heading, message) = match self {
            WebError::SignIn { next } => {
                return see_other(&format!("/login?next={}", encode(&next)));
            }
            WebError::Csrf => (
                StatusCode::FORBIDDEN,
                "This form has expired".to_string(),
                "The form did not carry this session's security token, so nothing was saved. \
                 Go back, reload the page and try again."
                    .to_string(),
            ),
            WebError::App(error) => {
                let (status, message) = app_error_page(error);
                let heading = status.canonical_reason().unwrap_or("Error").to_string();
                (status, heading, message)
            }
            WebError::Api(error) => {
                let status = error.status();
                let message = match &error {
                    ApiError::Internal(cause) => {
                        tracing::error!(error = ?cause, "internal error on a page");
                        "Something went wrong on our side; it has been logged. Please try again."
                            .to_string()
                    }
                    ApiError::Unavailable(why) => {
                        tracing::warn!(%why, "dependency unavailable for a page");
                        "vouchgraph is briefly unavailable. Please try again in a moment."
                            .to_string()
                    }
                    ApiError::Unprocessable(errors) => field_messages(errors),
                    other => capitalise(&other.to_string()),
                };
                let heading = status.canonical_reason().unwrap_or("Error").to_string();
                (status, heading, message)
            }
        };
        let page = ErrorPage {
            chrome: Chrome {
                title: heading.clone(),
                user: None,
                nav: "",
                notice: None,
                unread: 0,
                minimal: true,
            },
            status: status.as_u16(),
            heading,
            message,
        };
        match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, message_only(status)).into_response(),
        }
    }
}

/// The status and the words of the error page for a use case's failure.
fn app_error_page(error: AppError) -> (StatusCode, String) {
    let status = match &error {
        AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::Conflict(_) | AppError::IllegalTransition { .. } => StatusCode::CONFLICT,
        AppError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let message = match &error {
        AppError::Internal(cause) => {
            tracing::error!(error = ?cause, "internal error on a page");
            "Something went wrong on our side; it has been logged. Please try again.".to_string()
        }
        AppError::Unavailable(why) => {
            tracing::warn!(%why, "dependency unavailable for a page");
            "vouchgraph is briefly unavailable. Please try again in a moment.".to_string()
        }
        AppError::Invalid(errors) => field_messages(errors),
        other => capitalise(&other.to_string()),
    };
    (status, message)
}

/// Invalid fields as a sentence a person can read: "note: at most 1000 characters".
fn field_messages(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.field.replace('_', " "), e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

fn message_only(status: StatusCode) -> String {
    status.canonical_reason().unwrap_or("Error").to_string()
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
