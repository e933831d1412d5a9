//! Places as people type them: suggestions while they type, and a typed place turned into a
//! point for a search, a home or a provider's base. Ambiguous or unknown places are a 422 on
//! the field with the candidates, never a guess.

use crate::domain::GeoPoint;
use crate::places::{Lookup, Place, MAX_QUERY};
use crate::state::AppState;

use super::error::FieldError;
use super::{AppError, AppResult};

/// The most suggestions one request gets.
pub const MOST_SUGGESTIONS: usize = 10;

/// Suggestions for what has been typed so far (`q`), best first.
pub async fn suggest(state: &AppState, q: &str, limit: usize) -> AppResult<Vec<Place>> {
    let mut errors = Vec::new();
    if q.trim().is_empty() || q.chars().count() > MAX_QUERY {
        errors.push(FieldError::new(
            "q",
            format!("type 1 to {MAX_QUERY} characters"),
        ));
    }
    if !(1..=MOST_SUGGESTIONS).contains(&limit) {
        errors.push(FieldError::new(
            "limit",
            format!("must be between 1 and {MOST_SUGGESTIONS}"),
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    state
        .geocoder
        .suggest(q.trim(), limit)
        .await
        .map_err(|e| AppError::Unavailable(format!("places cannot be looked up now: {e}")))
}

/// The place `typed` in the input field `field`: exactly one, or a 422 on the field with the
/// candidates.
pub async fn resolve(state: &AppState, field: &str, typed: &str) -> AppResult<Place> {
    let typed = typed.trim();
    if typed.chars().any(char::is_control) {
        return Err(AppError::field(field, "a place is one line of text"));
    }
    if typed.is_empty() || typed.chars().count() > MAX_QUERY {
        return Err(AppError::field(
            field,
            format!("type a place: 1 to {MAX_QUERY} characters"),
        ));
    }
    let lookup = state
        .geocoder
        .lookup(typed)
        .await
        .map_err(|e| AppError::Unavailable(format!("places cannot be looked up now: {e}")))?;
    let (message, candidates) = match lookup {
        Lookup::Found(place) => return Ok(place),
        Lookup::Ambiguous(candidates) => (
            format!("there are several places called {typed:?}: say which"),
            candidates,
        ),
        Lookup::Unknown(suggestions) if suggestions.is_empty() => (
            format!("no place called {typed:?} is known: try a town, a neighbourhood or a postcode district such as BS6"),
            suggestions,
        ),
        Lookup::Unknown(suggestions) => (
            format!("no place is called exactly {typed:?}: did you mean one of these?"),
            suggestions,
        ),
    };
    Err(AppError::Invalid(vec![FieldError {
        field: field.to_string(),
        message,
        candidates: candidates.into_iter().map(|c| c.label).collect(),
    }]))
}

/// A place typed, or a point given: how a channel hands a location to a use case.
pub enum PlaceInput<'a> {
    /// Nothing given.
    None,
    /// A point, as the channel parsed it (its errors are reported with the others).
    Point(Result<Option<GeoPoint>, Vec<(&'static str, String)>>),
    /// Text for the geocoder, in the named field.
    Text {
        /// The input field, for errors.
        field: &'static str,
        /// What was typed.
        typed: &'a str,
    },
    /// Both text and coordinates were given: a contradiction, reported on the field.
    Both {
        /// The text field.
        field: &'static str,
    },
}

impl<'a> PlaceInput<'a> {
    /// What a JSON body or query gave: text in `field`, or `lat`/`lon` numbers (both or
    /// neither), never both kinds.
    pub fn from_parts(
        field: &'static str,
        typed: Option<&'a str>,
        lat: Option<f64>,
        lon: Option<f64>,
    ) -> PlaceInput<'a> {
        match (typed, lat, lon) {
            (Some(_), Some(_), _) | (Some(_), _, Some(_)) => PlaceInput::Both { field },
            (Some(typed), None, None) => PlaceInput::Text { field, typed },
            (None, lat, lon) => PlaceInput::Point(GeoPoint::parse_optional(lat, lon)),
        }
    }
}

impl PlaceInput<'_> {
    /// The point, resolving text through the geocoder. Input errors are
    /// [`AppError::Invalid`]; a geocoder that cannot be reached is [`AppError::Unavailable`].
    pub async fn point(self, state: &AppState) -> AppResult<Option<GeoPoint>> {
        let to_errors = |errors: Vec<(&'static str, String)>| {
            AppError::Invalid(
                errors
                    .into_iter()
                    .map(|(field, message)| FieldError::new(field, message))
                    .collect(),
            )
        };
        match self {
            PlaceInput::None => Ok(None),
            PlaceInput::Point(point) => point.map_err(to_errors),
            PlaceInput::Both { field } => Err(AppError::field(
                field,
                format!("give either {field} or lat and lon, not both"),
            )),
            PlaceInput::Text { field, typed } => {
                let place = resolve(state, field, typed).await?;
                GeoPoint::parse(place.lat, place.lon)
                    .map(Some)
                    .map_err(to_errors)
            }
        }
    }
}
