//! Collects every invalid field of a request, so that one 422 names them all.

use crate::error::{ApiError, FieldError};

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

    /// Records an error directly.
    pub fn push(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    /// A 422 listing every error, or `Ok` when there were none.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Unprocessable(self.0))
        }
    }
}
