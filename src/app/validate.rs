//! Collects every invalid field of an input, so that one error names them all.

use super::{AppError, AppResult, FieldError};

/// An accumulator of field errors.
#[derive(Default)]
pub struct Fields(Vec<FieldError>);

impl Fields {
    /// Starts with no errors.
    pub fn new() -> Self {
        Fields::default()
    }

    /// Keeps `Ok` values and records `Err` messages against `field`.
    pub fn check<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(message) => {
                self.0.push(FieldError::new(field, message));
                None
            }
        }
    }

    /// Keeps `Ok` values and records each `(field, message)` of an `Err`, for checks that
    /// name the field themselves (a pair of coordinates).
    pub fn check_each<T>(&mut self, result: Result<T, Vec<(&'static str, String)>>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(errors) => {
                for (field, message) in errors {
                    self.0.push(FieldError::new(field, message));
                }
                None
            }
        }
    }

    /// Records the field errors of a failed step; any other failure is handed back, to end the
    /// use case with it (an outage is not an input error).
    pub fn absorb<T>(&mut self, result: AppResult<T>) -> AppResult<Option<T>> {
        match result {
            Ok(value) => Ok(Some(value)),
            Err(super::AppError::Invalid(errors)) => {
                self.0.extend(errors);
                Ok(None)
            }
            Err(other) => Err(other),
        }
    }

    /// Records an error on `field`.
    pub fn push(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    /// An [`AppError::Invalid`] listing every error, or `Ok` when there were none.
    pub fn finish(self) -> AppResult<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid(self.0))
        }
    }
}
