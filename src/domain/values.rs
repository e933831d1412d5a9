//! "Parse, don't validate": small types that can only hold valid values. Each parser returns
//! the message a person should read when the value is refused.

use serde::{Deserialize, Serialize};

/// A display or business name: trimmed, 1 to `max` characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Name(String);

impl Name {
    /// Parses a name of at most `max` characters.
    pub fn parse(raw: &str, max: usize) -> Result<Name, String> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err("must not be empty".into());
        }
        if trimmed.chars().count() > max {
            return Err(format!("must be at most {max} characters"));
        }
        if trimmed.chars().any(char::is_control) {
            return Err("must not contain control characters".into());
        }
        Ok(Name(trimmed.to_string()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An email address, lower-cased. Checked for shape only: the real check is a confirmation
/// mail, which a format rule cannot replace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Parses an email address.
    pub fn parse(raw: &str) -> Result<Email, String> {
        let email = raw.trim().to_lowercase();
        let valid = email.len() <= 254
            && !email.chars().any(|c| c.is_whitespace() || c.is_control())
            && match email.split_once('@') {
                Some((local, domain)) => {
                    !local.is_empty()
                        && !domain.contains('@')
                        && domain.contains('.')
                        && !domain.starts_with('.')
                        && !domain.ends_with('.')
                }
                None => false,
            };
        if valid {
            Ok(Email(email))
        } else {
            Err("must be an email address like name@example.com".into())
        }
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A point on Earth.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeoPoint {
    /// Latitude in degrees, -90..=90.
    pub lat: f64,
    /// Longitude in degrees, -180..=180.
    pub lon: f64,
}

impl GeoPoint {
    /// Checks both coordinates, returning `(field, message)` pairs for each bad one.
    pub fn parse(lat: f64, lon: f64) -> Result<GeoPoint, Vec<(&'static str, String)>> {
        let mut errors = Vec::new();
        if !(lat.is_finite() && (-90.0..=90.0).contains(&lat)) {
            errors.push(("lat", "must be between -90 and 90".to_string()));
        }
        if !(lon.is_finite() && (-180.0..=180.0).contains(&lon)) {
            errors.push(("lon", "must be between -180 and 180".to_string()));
        }
        if errors.is_empty() {
            Ok(GeoPoint { lat, lon })
        } else {
            Err(errors)
        }
    }

    /// An optional place: both coordinates or neither.
    pub fn parse_optional(
        lat: Option<f64>,
        lon: Option<f64>,
    ) -> Result<Option<GeoPoint>, Vec<(&'static str, String)>> {
        match (lat, lon) {
            (None, None) => Ok(None),
            (Some(lat), Some(lon)) => GeoPoint::parse(lat, lon).map(Some),
            _ => Err(vec![("lat", "give both lat and lon, or neither".into())]),
        }
    }

    /// An optional place typed into a form: two blank fields are no place, anything else must
    /// be two numbers in range. Errors name `lat` and `lon`, as the API does.
    pub fn parse_text(
        lat: &str,
        lon: &str,
    ) -> Result<Option<GeoPoint>, Vec<(&'static str, String)>> {
        let number = |field: &'static str, raw: &str| match raw.trim() {
            "" => Ok(None),
            text => text
                .parse::<f64>()
                .map(Some)
                .map_err(|_| (field, "must be a number".to_string())),
        };
        match (number("lat", lat), number("lon", lon)) {
            (Ok(lat), Ok(lon)) => GeoPoint::parse_optional(lat, lon),
            (lat, lon) => Err(lat.err().into_iter().chain(lon.err()).collect()),
        }
    }
}

/// The longest vouch note, in characters.
pub const MAX_NOTE_CHARS: usize = 1000;

/// Checks a vouch note's length.
pub fn parse_note(raw: &str) -> Result<String, String> {
    if raw.chars().count() > MAX_NOTE_CHARS {
        Err(format!("must be at most {MAX_NOTE_CHARS} characters"))
    } else {
        Ok(raw.trim().to_string())
    }
}

/// Checks a service-area radius: more than 0, at most 500 km.
pub fn parse_radius_km(raw: f64) -> Result<f64, String> {
    if raw.is_finite() && raw > 0.0 && raw <= 500.0 {
        Ok(raw)
    } else {
        Err("must be more than 0 and at most 500 km".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blank_or_overlong_name_is_refused_and_a_good_one_is_trimmed() {
        assert!(Name::parse("   ", 100).is_err());
        assert!(Name::parse(&"x".repeat(101), 100).is_err());
        assert_eq!(Name::parse("  Anna  ", 100).unwrap().as_str(), "Anna");
    }

    #[test]
    fn emails_are_lowercased_and_need_an_at_and_a_domain() {
        assert_eq!(
            Email::parse(" Anna@Example.COM ").unwrap().as_str(),
            "anna@example.com"
        );
        assert!(Email::parse("anna").is_err());
        assert!(Email::parse("anna@localhost").is_err());
        assert!(Email::parse("a b@example.com").is_err());
    }

    #[test]
    fn latitude_200_is_refused_with_its_field_named() {
        let errors = GeoPoint::parse(200.0, 0.0).unwrap_err();
        assert_eq!(errors[0].0, "lat");
        assert!(GeoPoint::parse(51.5, -0.1).is_ok());
        assert!(GeoPoint::parse(f64::NAN, 0.0).is_err());
    }

    #[test]
    fn a_place_is_both_coordinates_or_neither() {
        assert_eq!(GeoPoint::parse_optional(None, None), Ok(None));
        assert!(GeoPoint::parse_optional(Some(51.5), None).is_err());
        assert_eq!(GeoPoint::parse_text(" ", ""), Ok(None));
        let point = GeoPoint::parse_text("51.47", "-2.6").unwrap().unwrap();
        assert_eq!((point.lat, point.lon), (51.47, -2.6));
        let errors = GeoPoint::parse_text("north", "200").unwrap_err();
        assert_eq!(errors[0].0, "lat");
        assert!(GeoPoint::parse_text("51.47", "").is_err());
    }

    #[test]
    fn a_note_over_1000_characters_is_refused() {
        assert!(parse_note(&"é".repeat(1000)).is_ok());
        assert!(parse_note(&"é".repeat(1001)).is_err());
    }
}
