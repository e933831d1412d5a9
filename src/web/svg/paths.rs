//! Trust paths as a small diagram, one row per path: you → Matt Hughes → Rossi Tiling, with
//! each trust edge drawn heavier the more trust it carries, and the final vouch drawn dashed,
//! green for a recommendation and red for a warning.

use std::fmt::Write;

use crate::domain::Stance;
use crate::graph::TrustPath;

use super::{escape, level_stroke, num, tspans, wrap};

const WIDTH: f64 = 640.0;
const ROW: f64 = 66.0;
const MARGIN: f64 = 40.0;
/// Room kept right of the provider's node for its name.
const NAME_ROOM: f64 = 170.0;
const RADIUS: f64 = 15.0;

/// A short word for a trust level, to sit on its edge.
fn level_word(level: u8) -> &'static str {
    match level {
        1 => "knows",
        2 => "trusts",
        _ => "trusts fully",
    }
}

/// Initials for a node: "Matt Hughes" → "MH".
fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|w| w.chars().next())
        .filter(|c| c.is_alphanumeric())
        .take(2)
        .collect::<String>()
        .to_uppercase()
}

/// Draws `paths` to `provider` as an inline SVG; `id` makes the title's id unique on the page.
/// An empty string when there is no path to draw.
pub fn trust_paths_svg(id: &str, provider: &str, paths: &[TrustPath]) -> String {
    if paths.is_empty() {
        return String::new();
    }
    let height = ROW * paths.len() as f64 + 6.0;
    let title = paths
        .iter()
        .map(|p| p.in_words(provider))
        .collect::<Vec<_>>()
        .join("; ");
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="trust-paths" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-labelledby="{id}-title"><title id="{id}-title">How your trust reaches {provider}: {title}</title>"#,
        w = num(WIDTH),
        h = num(height),
        id = escape(id),
        provider = escape(provider),
        title = escape(&title),
    );
    for (row, path) in paths.iter().enumerate() {
        draw_row(&mut svg, provider, path, 20.0 + ROW * row as f64);
    }
    svg.push_str("</svg>");
    svg
}

fn draw_row(svg: &mut String, provider: &str, path: &TrustPath, y: f64) {
    // Columns: you, each hop, then the provider, spread over the width left of its name.
    let columns = path.hops.len() + 2;
    let step = (WIDTH - MARGIN - NAME_ROOM) / (columns - 1) as f64;
    let x = |k: usize| MARGIN + step * k as f64;

    // Edges first, so the nodes sit on top of them.
    let mut from_name = "you".to_string();
    for (k, hop) in path.hops.iter().enumerate() {
        let level = hop.level.get();
        let (x1, x2) = (x(k) + RADIUS, x(k + 1) - RADIUS);
        let _ = write!(
            svg,
            r#"<g class="tp-trust"><title>{from} → {to}: {label}</title><line x1="{x1}" y1="{y}" x2="{x2}" y2="{y}" stroke-width="{w}"/><text class="tp-level" x="{mx}" y="{ly}" text-anchor="middle">{word}</text></g>"#,
            from = escape(&from_name),
            to = escape(&hop.name),
            label = escape(hop.level.label()),
            x1 = num(x1),
            x2 = num(x2),
            y = num(y),
            w = num(level_stroke(level)),
            mx = num((x1 + x2) / 2.0),
            ly = num(y - 8.0),
            word = level_word(level),
        );
        from_name = hop.name.clone();
    }
    let last = columns - 1;
    let (x1, x2) = (x(last - 1) + RADIUS, x(last) - RADIUS);
    let (class, word) = match path.stance {
        Stance::Recommend => ("tp-vouch tp-recommend", "recommends"),
        Stance::Warn => ("tp-vouch tp-warn", "warns"),
    };
    let _ = write!(
        svg,
        r#"<g class="{class}"><title>{from} {word} {provider}</title><line x1="{x1}" y1="{y}" x2="{x2}" y2="{y}"/><text class="tp-level" x="{mx}" y="{ly}" text-anchor="middle">{word}</text></g>"#,
        from = escape(&from_name),
        provider = escape(provider),
        x1 = num(x1),
        x2 = num(x2),
        y = num(y),
        mx = num((x1 + x2) / 2.0),
        ly = num(y - 8.0),
    );

    // Nodes: you, the people on the path, the provider.
    node(svg, "tp-you", x(0), y, "you", "you");
    for (k, hop) in path.hops.iter().enumerate() {
        node(
            svg,
            "tp-person",
            x(k + 1),
            y,
            &initials(&hop.name),
            &hop.name,
        );
    }
    let px = x(last);
    let provider_lines = wrap(provider, 20, 2);
    let _ = write!(
        svg,
        r#"<g class="tp-provider"><title>{full}</title><rect x="{rx}" y="{ry}" width="{s}" height="{s}" rx="7"/><text class="tp-initials" x="{px}" y="{ty}" text-anchor="middle">{init}</text><text class="tp-name tp-provider-name" x="{nx}" y="{ny}">{name}</text></g>"#,
        full = escape(provider),
        rx = num(px - RADIUS),
        ry = num(y - RADIUS),
        s = num(2.0 * RADIUS),
        px = num(px),
        ty = num(y + 4.0),
        init = escape(&initials(provider)),
        nx = num(px + RADIUS + 8.0),
        // One line sits level with the node; two are centred on it.
        ny = num(if provider_lines.len() > 1 {
            y - 3.0
        } else {
            y + 4.0
        }),
        name = tspans(&provider_lines, px + RADIUS + 8.0),
    );
}

fn node(svg: &mut String, class: &str, x: f64, y: f64, inside: &str, name: &str) {
    let _ = write!(
        svg,
        r#"<g class="{class}"><title>{full}</title><circle cx="{x}" cy="{y}" r="{r}"/><text class="tp-initials" x="{x}" y="{ty}" text-anchor="middle">{inside}</text><text class="tp-name" x="{x}" y="{ny}" text-anchor="middle">{name}</text></g>"#,
        full = escape(name),
        x = num(x),
        y = num(y),
        r = num(RADIUS),
        ty = num(y + 4.0),
        inside = escape(if class == "tp-you" { "★" } else { inside }),
        ny = num(y + RADIUS + 15.0),
        // Under the node, in up to two lines that fit between its neighbours.
        name = tspans(&wrap(name, 14, 2), x),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{PersonId, TrustLevel};
    use crate::graph::PathHop;

    fn matt_recommends() -> TrustPath {
        TrustPath {
            hops: vec![PathHop {
                person: PersonId(2),
                name: "Matt Hughes".into(),
                level: TrustLevel::COMPLETE,
            }],
            voucher: PersonId(2),
            stance: Stance::Recommend,
            strength: 0.44,
        }
    }

    #[test]
    fn a_path_reads_you_then_each_hop_then_the_vouch() {
        assert_eq!(
            matt_recommends().in_words("Rossi Tiling"),
            "you → Matt Hughes → recommends Rossi Tiling"
        );
    }

    #[test]
    fn the_diagram_names_every_person_and_weighs_full_trust_heaviest() {
        let svg = trust_paths_svg("p2", "Rossi Tiling", &[matt_recommends()]);
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains(">Matt Hughes</text>"));
        assert!(svg.contains(">Rossi Tiling</text>"));
        assert!(svg.contains(r#"stroke-width="5""#));
        assert!(svg.contains("tp-recommend"));
        assert!(svg.contains(r#"aria-labelledby="p2-title""#));
    }

    #[test]
    fn long_names_wrap_whole_under_their_node_and_beside_the_provider() {
        let mut path = matt_recommends();
        path.hops[0].name = "Margaret Featherstonehaugh".into();
        let svg = trust_paths_svg("p3", "Bristol Bathroom & Kitchen Tiling", &[path]);
        assert!(svg.contains(">Margaret</tspan>"), "{svg}");
        assert!(svg.contains(">Featherstoneh…</tspan>"), "{svg}");
        assert!(svg.contains(">Bristol Bathroom &amp;</tspan>"), "{svg}");
        assert!(svg.contains(">Kitchen Tiling</tspan>"), "{svg}");
        assert!(svg.contains("<title>Margaret Featherstonehaugh</title>"));
    }

    #[test]
    fn names_cannot_inject_markup() {
        let mut path = matt_recommends();
        path.hops[0].name = "<script>x</script>".into();
        let svg = trust_paths_svg("p", "A & B", &[path]);
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("A &amp; B"));
    }

    #[test]
    fn no_paths_draw_nothing() {
        assert_eq!(trust_paths_svg("p", "X", &[]), "");
    }
}
