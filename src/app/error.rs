//! The error of the use cases. It names what went wrong in the terms of the domain; each
//! adapter decides how to show it: `ApiError` (problem+json) and the pages' `WebError` both
//! convert from it, so neither adapter matches on the other's variants.

use serde::Serialize;
use utoipa::ToSchema;

/// One invalid input field, named as the API names it (the pages show the same name).
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// The field (or query/path parameter) at fault.
    pub field: String,
    /// What is wrong with it, for a person to read.
    pub message: String,
    /// What the person may have meant, when the field names a place that is ambiguous or
    /// unknown: each can be sent back as it is.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub candidates: Vec<String>,
}

impl FieldError {
    /// A field error for `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
            candidates: Vec::new(),
        }
    }
}

/// Everything a use case can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Some input values are invalid.
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    /// The caller's credentials are missing or no longer valid.
    #[error("{0}")]
    Unauthenticated(String),
    /// The caller may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// The thing does not exist (or the caller may not know that it does).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The action conflicts with the current state.
    #[error("{0}")]
    Conflict(String),
    /// A move a state machine (a referral's lifecycle) does not allow from where it is.
    #[error("{detail}")]
    IllegalTransition {
        /// What was refused.
        detail: String,
        /// The moves that are allowed instead.
        allowed: Vec<String>,
    },
    /// Too many attempts; a retry may succeed after the given number of seconds.
    #[error("too many attempts")]
    TooManyAttempts {
        /// Seconds until a retry may succeed.
        retry_after_secs: u64,
    },
    /// A dependency (the database, the live graph) is not ready; the action can be retried.
    #[error("{0}")]
    Unavailable(String),
    /// A bug or an unexpected failure. Logged by the adapter, never shown.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Why a transaction that met another one head-on (a serialization failure or a deadlock) was
/// rolled back whole: sent again, it goes through.
const COLLIDED: &str = "the request collided with another one; try again";

impl AppError {
    /// Whether the database rolled the transaction back because it collided with another one,
    /// so that running it again is safe and likely to succeed.
    pub fn is_collision(&self) -> bool {
        matches!(self, AppError::Unavailable(why) if why == COLLIDED)
    }

    /// An error for one invalid field.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::Invalid(vec![FieldError::new(field, message)])
    }
}

/// The result of a use case.
pub type AppResult<T> = Result<T, AppError>;

impl From<sqlx::Error> for AppError {
    /// Maps database failures: named constraint violations become conflicts or invalid fields
    /// (the database is the last line of validation), an unreachable database is unavailable,
    /// anything else is a bug.
    fn from(error: sqlx::Error) -> Self {
        let unavailable =
            || AppError::Unavailable("the database is unavailable; try again shortly".into());
        match &error {
            sqlx::Error::RowNotFound => AppError::NotFound("resource"),
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::WorkerCrashed => unavailable(),
            sqlx::Error::Database(db) => {
                let constraint = db.constraint().unwrap_or_default().to_string();
                match db.code().as_deref() {
                    // unique_violation
                    Some("23505") => AppError::Conflict(conflict_message(&constraint)),
                    // character_not_in_repertoire: a NUL byte, which Postgres text cannot hold
                    Some("22021") => {
                        AppError::field("body", "text must not contain NUL (\\u0000) characters")
                    }
                    // foreign_key_violation, check_violation, not_null_violation
                    Some("23503") | Some("23514") | Some("23502") => {
                        AppError::field(constraint_field(&constraint), constraint.replace('_', " "))
                    }
                    // admin_shutdown, crash_shutdown, cannot_connect_now
                    Some("57P01") | Some("57P02") | Some("57P03") => unavailable(),
                    // serialization_failure, deadlock_detected: the request met another one
                    // head-on and was rolled back whole; sent again it goes through.
                    Some("40001") | Some("40P01") => AppError::Unavailable(COLLIDED.into()),
                    _ => AppError::Internal(error.into()),
                }
            }
            _ => AppError::Internal(error.into()),
        }
    }
}

fn conflict_message(constraint: &str) -> String {
    match constraint {
        "accounts_email_unique" => "an account with this email already exists".into(),
        "" => "the request conflicts with existing data".into(),
        other => format!("conflicts with existing data ({other})"),
    }
}

/// Guesses the input field a constraint protects, from the constraint's name.
fn constraint_field(constraint: &str) -> &'static str {
    for (needle, field) in [
        ("lat", "lat"),
        ("lon", "lon"),
        ("radius", "radius_km"),
        ("name", "name"),
        ("note", "note"),
        ("level", "level"),
        ("trade", "trade"),
        ("email", "email"),
        ("self", "person_id"),
    ] {
        if constraint.contains(needle) {
            return field;
        }
    }
    "body"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_constraint_names_the_field_it_protects() {
        assert_eq!(constraint_field("providers_lat_range"), "lat");
        assert_eq!(constraint_field("trust_not_self"), "person_id");
        assert_eq!(constraint_field("something_else"), "body");
    }

    #[test]
    fn a_duplicate_email_is_explained_in_words() {
        assert_eq!(
            conflict_message("accounts_email_unique"),
            "an account with this email already exists"
        );
    }
}
