//! The one error type of the service, and its mapping to RFC 9457 problem responses.
//!
//! Handlers return `Result<_, ApiError>`. Internal details (SQL, stack traces) never reach the
//! client: a 500 logs the cause and answers with a generic problem.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::AppError;
/// One invalid field in a request, reported with a 422 (defined with the use cases, which
/// report it).
pub use crate::app::FieldError;

/// An RFC 9457 problem document, as sent with `application/problem+json`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the problem type.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the problem type.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong in this request.
    pub detail: String,
    /// The invalid fields, for 422 responses.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// The moves allowed from the current state, for 409 responses on state machines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Vec<String>>,
}

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request is malformed: unparsable JSON, query or path.
    #[error("{0}")]
    BadRequest(String),
    /// No credentials, or credentials that are not valid.
    #[error("{0}")]
    Unauthorized(String),
    /// Valid credentials, but not for this resource or action.
    #[error("{0}")]
    Forbidden(String),
    /// The resource does not exist (or the caller may not know that it does).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The request conflicts with the current state.
    #[error("{0}")]
    Conflict(String),
    /// An illegal state transition; lists the moves that are allowed.
    #[error("{detail}")]
    IllegalTransition {
        /// What was refused.
        detail: String,
        /// The moves that are allowed instead.
        allowed: Vec<String>,
    },
    /// The route exists, but not with this method.
    #[error("this method is not allowed on this route")]
    MethodNotAllowed,
    /// The body is larger than the server accepts.
    #[error("the request body is too large")]
    PayloadTooLarge,
    /// The media type of the body is not JSON.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// Well-formed, but some values are invalid.
    #[error("invalid fields")]
    Unprocessable(Vec<FieldError>),
    /// Too many requests; retry after the given number of seconds.
    #[error("too many requests")]
    TooManyRequests {
        /// Seconds until a retry may succeed.
        retry_after_secs: u64,
    },
    /// A dependency (the database) is unavailable; the request can be retried later.
    #[error("{0}")]
    Unavailable(String),
    /// A bug or an unexpected failure. Logged, never shown.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    /// A 422 for one field.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::Unprocessable(vec![FieldError::new(field, message)])
    }

    /// The HTTP status this error maps to.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) | ApiError::IllegalTransition { .. } => StatusCode::CONFLICT,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn problem(&self) -> Problem {
        let status = self.status();
        let slug = match self {
            ApiError::BadRequest(_) => "bad-request",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not-found",
            ApiError::Conflict(_) => "conflict",
            ApiError::IllegalTransition { .. } => "illegal-transition",
            ApiError::MethodNotAllowed => "method-not-allowed",
            ApiError::PayloadTooLarge => "payload-too-large",
            ApiError::UnsupportedMediaType(_) => "unsupported-media-type",
            ApiError::Unprocessable(_) => "validation-failed",
            ApiError::TooManyRequests { .. } => "rate-limited",
            ApiError::Unavailable(_) => "unavailable",
            ApiError::Internal(_) => "internal",
        };
        let detail = match self {
            // Never echo internal causes to the client.
            ApiError::Internal(_) => "an unexpected error occurred; it has been logged".into(),
            ApiError::Unprocessable(errors) => errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; "),
            other => other.to_string(),
        };
        Problem {
            kind: format!("https://vouchgraph.dev/problems/{slug}"),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail,
            errors: match self {
                ApiError::Unprocessable(errors) => errors.clone(),
                _ => Vec::new(),
            },
            allowed: match self {
                ApiError::IllegalTransition { allowed, .. } => Some(allowed.clone()),
                _ => None,
            },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            ApiError::Internal(cause) => tracing::error!(error = ?cause, "internal error"),
            ApiError::Unavailable(why) => tracing::warn!(%why, "dependency unavailable"),
            _ => {}
        }
        let status = self.status();
        let body = serde_json::to_vec(&self.problem()).unwrap_or_default();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        match self {
            ApiError::TooManyRequests { retry_after_secs } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            }
            // Every 503 is transient (a database restart, a collision with another request):
            // tell clients when to come back rather than leave them to guess or hammer.
            ApiError::Unavailable(_) => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(1u64));
            }
            _ => {}
        }
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"vouchgraph\""),
            );
        }
        response
    }
}

impl From<sqlx::Error> for ApiError {
    /// Maps database failures as the use cases do (`AppError`'s mapping): named constraint
    /// violations become 409/422, an unreachable database becomes 503, anything else is a bug.
    fn from(error: sqlx::Error) -> Self {
        AppError::from(error).into()
    }
}

impl From<AppError> for ApiError {
    /// How a use case's failure is answered over HTTP.
    fn from(error: AppError) -> Self {
        match error {
            AppError::Invalid(errors) => ApiError::Unprocessable(errors),
            AppError::Unauthenticated(why) => ApiError::Unauthorized(why),
            AppError::Forbidden(why) => ApiError::Forbidden(why),
            AppError::NotFound(what) => ApiError::NotFound(what),
            AppError::Conflict(why) => ApiError::Conflict(why),
            AppError::IllegalTransition { detail, allowed } => {
                ApiError::IllegalTransition { detail, allowed }
            }
            AppError::TooManyAttempts { retry_after_secs } => {
                ApiError::TooManyRequests { retry_after_secs }
            }
            AppError::Unavailable(why) => ApiError::Unavailable(why),
            AppError::Internal(cause) => ApiError::Internal(cause),
        }
    }
}

/// The result type of handlers.
pub type ApiResult<T> = Result<T, ApiError>;
