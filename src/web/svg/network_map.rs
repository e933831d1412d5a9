//! The seeker's neighbourhood as a radial map: the seeker at the centre, the people they trust
//! on an inner ring, the people those trust on a middle ring, and the providers any of them
//! vouch for on the outer ring, coloured by trade.
//!
//! The layout is computed here, deterministically: ring 1 is spread evenly from the top; each
//! ring-2 person sits in the sector of the ring-1 person who trusts them most, and providers in
//! the sector of their nearest voucher, so lines stay short and mostly radial.

use std::collections::HashMap;
use std::f64::consts::{PI, TAU};
use std::fmt::Write;

use super::{escape, level_stroke, num, shorten};

const SIZE: f64 = 900.0;
const CENTRE: f64 = SIZE / 2.0;
const RING: [f64; 4] = [0.0, 125.0, 225.0, 312.0];

/// A person on the map.
pub struct MapPerson {
    /// Their id (unique among the map's people).
    pub id: i64,
    /// Their name.
    pub name: String,
    /// 1 for people the seeker trusts, 2 for people those trust.
    pub ring: u8,
    /// For ring 2, the ring-1 person whose sector they sit in.
    pub parent: Option<i64>,
}

/// A provider on the map.
pub struct MapProvider {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// The trade it is shown in.
    pub trade: String,
    /// The trade's colour class number (0..12).
    pub colour: usize,
    /// The voucher nearest the centre (0 for the seeker).
    pub anchor: i64,
}

/// A trust edge between two people on the map (0 is the seeker).
pub struct MapTrust {
    /// Who trusts.
    pub from: i64,
    /// Whom.
    pub to: i64,
    /// The level, 1 to 3.
    pub level: u8,
}

/// A vouch from a person on the map (0 is the seeker) for a provider on it.
pub struct MapVouch {
    /// The voucher.
    pub person: i64,
    /// The provider.
    pub provider: i64,
    /// A warning rather than a recommendation.
    pub warn: bool,
}

/// Everything the map shows.
pub struct NetworkMap {
    /// The seeker's name.
    pub seeker_name: String,
    /// The people, ring 1 first, in the order to place them.
    pub people: Vec<MapPerson>,
    /// The providers.
    pub providers: Vec<MapProvider>,
    /// Trust edges.
    pub trust: Vec<MapTrust>,
    /// Vouches.
    pub vouches: Vec<MapVouch>,
}

/// A point on a ring at `angle` (radians, 0 = right, clockwise on screen).
fn polar(radius: f64, angle: f64) -> (f64, f64) {
    (CENTRE + radius * angle.cos(), CENTRE + radius * angle.sin())
}

/// Spreads `count` items round the circle, evenly but at most `max_step` apart (so a few stay
/// near their anchors), with the first `first_group` items centred on `centre_angle`.
fn spread(count: usize, first_group: usize, centre_angle: f64, max_step: f64) -> Vec<f64> {
    if count == 0 {
        return Vec::new();
    }
    let step = (TAU / count as f64).min(max_step);
    let start = centre_angle - step * (first_group.saturating_sub(1)) as f64 / 2.0;
    (0..count).map(|i| start + step * i as f64).collect()
}

/// Where every node sits: id → (x, y, angle). Key 0 is the seeker; providers are keyed by
/// their negated id so the two id spaces cannot clash.
fn layout(map: &NetworkMap) -> HashMap<i64, (f64, f64, f64)> {
    let mut at: HashMap<i64, (f64, f64, f64)> = HashMap::new();
    at.insert(0, (CENTRE, CENTRE, -PI / 2.0));
    let ring1: Vec<&MapPerson> = map.people.iter().filter(|p| p.ring == 1).collect();
    for (i, person) in ring1.iter().enumerate() {
        let angle = -PI / 2.0 + TAU * i as f64 / ring1.len() as f64;
        let (x, y) = polar(RING[1], angle);
        at.insert(person.id, (x, y, angle));
    }
    // Ring 2, grouped by parent in ring-1 order.
    let order: HashMap<i64, usize> = ring1.iter().enumerate().map(|(i, p)| (p.id, i)).collect();
    let mut ring2: Vec<&MapPerson> = map.people.iter().filter(|p| p.ring == 2).collect();
    ring2.sort_by_key(|p| (p.parent.and_then(|q| order.get(&q).copied()), p.id));
    if let Some(first) = ring2.first() {
        let group = ring2.iter().filter(|p| p.parent == first.parent).count();
        let centre = first
            .parent
            .and_then(|q| at.get(&q))
            .map_or(-PI / 2.0, |a| a.2);
        let angles = spread(ring2.len(), group, centre, 30f64.to_radians());
        for (person, angle) in ring2.iter().zip(angles) {
            let (x, y) = polar(RING[2], angle);
            at.insert(person.id, (x, y, angle));
        }
    }
    // Providers, in the order of their anchors' angles.
    let anchor_angle = |p: &MapProvider| at.get(&p.anchor).map_or(-PI / 2.0, |a| a.2);
    let mut providers: Vec<&MapProvider> = map.providers.iter().collect();
    providers.sort_by(|a, b| {
        anchor_angle(a)
            .total_cmp(&anchor_angle(b))
            .then(a.id.cmp(&b.id))
    });
    if let Some(first) = providers.first() {
        let group = providers
            .iter()
            .filter(|p| p.anchor == first.anchor)
            .count();
        let angles = spread(
            providers.len(),
            group,
            anchor_angle(first),
            22f64.to_radians(),
        );
        for (provider, angle) in providers.iter().zip(angles) {
            let (x, y) = polar(RING[3], angle);
            at.insert(-provider.id, (x, y, angle));
        }
    }
    at
}

/// A label set along the radius, outside the node, turned so it never reads upside down.
fn radial_label(svg: &mut String, class: &str, x: f64, y: f64, angle: f64, text: &str) {
    let degrees = angle.to_degrees().rem_euclid(360.0);
    let left = degrees > 90.0 && degrees < 270.0;
    let (rotate, anchor, dx) = if left {
        (degrees - 180.0, "end", -12.0)
    } else {
        (degrees, "start", 12.0)
    };
    let _ = write!(
        svg,
        r#"<text class="{class}" x="{x}" y="{y}" dx="{dx}" dy="4" text-anchor="{anchor}" transform="rotate({r} {x} {y})">{text}</text>"#,
        x = num(x),
        y = num(y),
        dx = num(dx),
        r = num(rotate),
        text = escape(text),
    );
}

/// How far from the centre the drawing reaches: a small network gets a small map rather than
/// a large empty one.
fn extent(map: &NetworkMap) -> f64 {
    if !map.providers.is_empty() {
        CENTRE
    } else if map.people.iter().any(|p| p.ring == 2) {
        RING[2] + 95.0
    } else {
        RING[1] + 90.0
    }
}

/// Draws the map.
pub fn network_map_svg(map: &NetworkMap) -> String {
    let at = layout(map);
    let ring1 = map.people.iter().filter(|p| p.ring == 1).count();
    let ring2 = map.people.len() - ring1;
    let reach = extent(map);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="network-map" viewBox="{o} {o} {s} {s}" width="{s}" height="{s}" role="img" aria-labelledby="map-title"><title id="map-title">Your trust network: {ring1} people you trust, {ring2} people they trust, and {providers} providers vouched for by them</title>"#,
        o = num(CENTRE - reach),
        s = num(2.0 * reach),
        providers = map.providers.len(),
    );
    for radius in &RING[1..3] {
        let _ = write!(
            svg,
            r#"<circle class="nm-ring" cx="{c}" cy="{c}" r="{r}"/>"#,
            c = num(CENTRE),
            r = num(*radius),
        );
    }
    let name_of: HashMap<i64, &str> = map
        .people
        .iter()
        .map(|p| (p.id, p.name.as_str()))
        .chain([(0, "you")])
        .collect();
    for vouch in &map.vouches {
        let (Some(a), Some(b)) = (at.get(&vouch.person), at.get(&-vouch.provider)) else {
            continue;
        };
        let provider = map.providers.iter().find(|p| p.id == vouch.provider);
        let (colour, provider_name) = provider.map_or((0, ""), |p| (p.colour, p.name.as_str()));
        let _ = write!(
            svg,
            r#"<line class="nm-vouch tc-{colour}{warn}" x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}"><title>{who} {verb} {provider}</title></line>"#,
            warn = if vouch.warn { " nm-warn" } else { "" },
            x1 = num(a.0),
            y1 = num(a.1),
            x2 = num(b.0),
            y2 = num(b.1),
            who = escape(name_of.get(&vouch.person).copied().unwrap_or("")),
            verb = if vouch.warn {
                "warns against"
            } else {
                "recommends"
            },
            provider = escape(provider_name),
        );
    }
    for edge in &map.trust {
        let (Some(a), Some(b)) = (at.get(&edge.from), at.get(&edge.to)) else {
            continue;
        };
        let _ = write!(
            svg,
            r#"<line class="nm-trust{inner}" x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke-width="{w}"><title>{from} trusts {to} (level {level})</title></line>"#,
            inner = if edge.from == 0 { " nm-mine" } else { "" },
            x1 = num(a.0),
            y1 = num(a.1),
            x2 = num(b.0),
            y2 = num(b.1),
            w = num(level_stroke(edge.level)),
            from = escape(name_of.get(&edge.from).copied().unwrap_or("")),
            to = escape(name_of.get(&edge.to).copied().unwrap_or("")),
            level = edge.level,
        );
    }
    for provider in &map.providers {
        let Some(&(x, y, angle)) = at.get(&-provider.id) else {
            continue;
        };
        let _ = write!(
            svg,
            r#"<g class="nm-provider tc-{colour}"><title>{name} ({trade})</title><rect x="{rx}" y="{ry}" width="14" height="14" rx="3"/>"#,
            colour = provider.colour,
            name = escape(&provider.name),
            trade = escape(&provider.trade),
            rx = num(x - 7.0),
            ry = num(y - 7.0),
        );
        radial_label(
            &mut svg,
            "nm-label-provider",
            x,
            y,
            angle,
            &shorten(&provider.name, 17),
        );
        svg.push_str("</g>");
    }
    for person in &map.people {
        let Some(&(x, y, angle)) = at.get(&person.id) else {
            continue;
        };
        let (class, r) = if person.ring == 1 {
            ("nm-person nm-ring1", 11.0)
        } else {
            ("nm-person nm-ring2", 7.0)
        };
        let _ = write!(
            svg,
            r#"<g class="{class}"><title>{name}</title><circle cx="{x}" cy="{y}" r="{r}"/>"#,
            name = escape(&person.name),
            x = num(x),
            y = num(y),
        );
        if person.ring == 1 {
            // Below the node, on a white halo (see the stylesheet), so a line under it
            // does not hide it.
            let _ = write!(
                svg,
                r#"<text class="nm-label" x="{x}" y="{ty}" text-anchor="middle">{name}</text>"#,
                x = num(x),
                ty = num(y + r + 14.0),
                name = escape(&shorten(&person.name, 18)),
            );
        } else {
            radial_label(
                &mut svg,
                "nm-label-small",
                x,
                y,
                angle,
                &short_name(&person.name),
            );
        }
        svg.push_str("</g>");
    }
    let _ = write!(
        svg,
        r#"<g class="nm-seeker"><title>{name} (you)</title><circle cx="{c}" cy="{c}" r="22"/><text class="nm-you" x="{c}" y="{ty}" text-anchor="middle">you</text></g>"#,
        name = escape(&map.seeker_name),
        c = num(CENTRE),
        ty = num(CENTRE + 5.0),
    );
    svg.push_str("</svg>");
    svg
}

/// "Matt Hughes" → "Matt H.": ring-2 labels are small and many.
fn short_name(name: &str) -> String {
    let mut words = name.split_whitespace();
    match (words.next(), words.last()) {
        (Some(first), Some(last)) => {
            let initial: String = last.chars().take(1).collect();
            format!("{} {initial}.", shorten(first, 12))
        }
        (Some(first), None) => shorten(first, 14),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(id: i64, name: &str, ring: u8, parent: Option<i64>) -> MapPerson {
        MapPerson {
            id,
            name: name.into(),
            ring,
            parent,
        }
    }

    fn small_map() -> NetworkMap {
        NetworkMap {
            seeker_name: "Anna Berg".into(),
            people: vec![
                person(2, "Matt Hughes", 1, None),
                person(7, "Zoe Quinn", 1, None),
                person(3, "Mario Rossi", 2, Some(2)),
            ],
            providers: vec![MapProvider {
                id: 2,
                name: "Rossi Tiling".into(),
                trade: "Tiler".into(),
                colour: 2,
                anchor: 2,
            }],
            trust: vec![
                MapTrust {
                    from: 0,
                    to: 2,
                    level: 3,
                },
                MapTrust {
                    from: 2,
                    to: 3,
                    level: 2,
                },
            ],
            vouches: vec![MapVouch {
                person: 2,
                provider: 2,
                warn: false,
            }],
        }
    }

    #[test]
    fn the_first_person_sits_at_the_top_of_the_inner_ring() {
        let at = layout(&small_map());
        let (x, y, _) = at[&2];
        assert!((x - CENTRE).abs() < 1e-9);
        assert!((y - (CENTRE - RING[1])).abs() < 1e-9);
        // Mario sits in Matt's sector: straight above him on the middle ring.
        let (x, y, _) = at[&3];
        assert!((x - CENTRE).abs() < 1e-9 && (y - (CENTRE - RING[2])).abs() < 1e-9);
    }

    #[test]
    fn a_person_id_and_a_provider_id_never_share_a_position() {
        let at = layout(&small_map());
        assert_ne!(at[&2].1, at[&-2].1);
    }

    #[test]
    fn the_map_draws_every_node_and_edge_with_names() {
        let svg = network_map_svg(&small_map());
        assert!(svg.contains("Matt Hughes"));
        assert!(svg.contains("Mario R."));
        assert!(svg.contains("Rossi Tiling"));
        assert!(svg.contains(r#"class="nm-trust nm-mine""#));
        assert!(svg.contains("tc-2"));
        assert_eq!(svg.matches("<line").count(), 3);
    }
}
