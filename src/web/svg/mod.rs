//! Diagrams drawn on the server as inline SVG: no JavaScript, no chart library, readable by
//! screen readers through a `<title>` that says the same in words.
//!
//! Each function returns markup ready to embed; every piece of text in it goes through
//! [`escape`]. Colours and fonts come from the page's stylesheet through class names (`tp-`,
//! `nm-`, `fn-` prefixes), so the diagrams follow the site's look.

pub mod funnel;
pub mod network_map;
pub mod paths;

/// Escapes text for SVG/XML content and attribute values (`&`, `<`, `>`, both quotes).
pub use html_escape::encode_quoted_attribute as escape;

/// Shortens a label to `max` characters, with an ellipsis.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut short: String = text.chars().take(max.saturating_sub(1)).collect();
        short.push('…');
        short
    }
}

/// A coordinate with one decimal: enough for a diagram, and it keeps the markup short.
pub fn num(x: f64) -> String {
    let rounded = (x * 10.0).round() / 10.0;
    if rounded == rounded.trunc() {
        format!("{}", rounded as i64)
    } else {
        format!("{rounded:.1}")
    }
}

/// The stroke width of a trust edge: the more trust, the heavier the line.
pub fn level_stroke(level: u8) -> f64 {
    match level {
        1 => 1.5,
        2 => 3.0,
        _ => 5.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_for_attributes_and_content() {
        assert_eq!(
            escape(r#"<b>"Tom & Jerry's"</b>"#),
            "&lt;b&gt;&quot;Tom &amp; Jerry&#x27;s&quot;&lt;/b&gt;"
        );
    }

    #[test]
    fn long_labels_are_shortened_with_an_ellipsis() {
        assert_eq!(shorten("Premier Tiles & Stars", 10), "Premier T…");
        assert_eq!(shorten("Matt", 10), "Matt");
    }

    #[test]
    fn numbers_are_short() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(12.345), "12.3");
        assert_eq!(num(-0.04), "0");
    }
}
