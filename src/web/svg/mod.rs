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

/// `text` in at most `rows` lines of at most `max` characters, broken between words, so that a
/// diagram shows a whole name where it can: "Premier Tiles & Stars" in two lines rather than
/// "Premier T…". A word longer than a line, or text longer than every line, is shortened with
/// an ellipsis on its last line.
pub fn wrap(text: &str, max: usize, rows: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    if rows == 0 {
        return lines;
    }
    let mut words = text.split_whitespace();
    while let Some(word) = words.next() {
        let joins_last = lines
            .last()
            .is_some_and(|line| line.chars().count() + 1 + word.chars().count() <= max);
        if joins_last {
            let line = lines.last_mut().expect("checked");
            line.push(' ');
            line.push_str(word);
        } else if lines.len() == rows {
            // No room for another line: what is left ends the last one, shortened.
            let rest: Vec<&str> = std::iter::once(word).chain(words).collect();
            let last = lines.last_mut().expect("rows > 0 lines");
            *last = shorten(&format!("{last} {}", rest.join(" ")), max);
            return lines;
        } else {
            lines.push(shorten(word, max));
        }
    }
    lines
}

/// Lines of text as `<tspan>`s (one line as plain text), escaped, the first at the text's own `y` and each next one
/// `LINE_EM` lower, all starting at `x`.
pub fn tspans(lines: &[String], x: f64) -> String {
    if let [line] = lines {
        // One line needs no spans.
        return escape(line).to_string();
    }
    lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let dy = if i == 0 {
                "0".to_string()
            } else {
                format!("{LINE_EM}em")
            };
            format!(
                r#"<tspan x="{}" dy="{dy}">{}</tspan>"#,
                num(x),
                escape(line)
            )
        })
        .collect()
}

/// The distance between wrapped lines of a name, in ems.
const LINE_EM: f64 = 1.15;

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
    fn names_wrap_between_words_and_shorten_only_past_the_last_line() {
        assert_eq!(
            wrap("Premier Tiles & Stars", 16, 2),
            ["Premier Tiles &", "Stars"]
        );
        assert_eq!(wrap("Matt", 16, 2), ["Matt"]);
        assert_eq!(
            wrap("Bristol Bathroom and Kitchen Tiling Company", 16, 2),
            ["Bristol Bathroom", "and Kitchen Til…"]
        );
        assert_eq!(
            wrap("Wolfeschlegelsteinhausen Smith", 16, 2),
            ["Wolfeschlegelst…", "Smith"]
        );
        assert_eq!(wrap("", 16, 2), Vec::<String>::new());
    }

    #[test]
    fn numbers_are_short() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(12.345), "12.3");
        assert_eq!(num(-0.04), "0");
    }
}
