//! Why the graph refused a change.

use crate::domain::{PersonId, ProviderId};

/// A change the graph refused; the graph is left as it was.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum GraphError {
    /// A person cannot trust or distrust themself: it would let anyone inflate their own walk.
    SelfEdge(PersonId),
    /// A vouch names a provider the graph has not been told about.
    UnknownProvider(ProviderId),
    /// A strength must be finite and not negative, or a "recommend" could count against.
    InvalidStrength(f32),
    /// More distinct trades than an edge weight can index (2^24).
    TooManyTrades,
    /// More people and providers than a packed trust edge can name (2^28, `adjacency.rs`).
    TooManyNodes,
}

impl std::fmt::Display for GraphError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GraphError::SelfEdge(person) => write!(f, "person {person} cannot trust themself"),
            GraphError::UnknownProvider(provider) => write!(f, "unknown provider {provider}"),
            GraphError::InvalidStrength(strength) => {
                write!(f, "strength must be finite and >= 0, not {strength}")
            }
            GraphError::TooManyTrades => write!(f, "more than 2^24 distinct trades"),
            GraphError::TooManyNodes => write!(f, "more than 2^28 people and providers"),
        }
    }
}

impl std::error::Error for GraphError {}

/// Checks a vouch or distrust strength.
pub(super) fn check_strength(strength: f32) -> Result<f32, GraphError> {
    if strength.is_finite() && strength >= 0.0 {
        Ok(strength)
    } else {
        Err(GraphError::InvalidStrength(strength))
    }
}
