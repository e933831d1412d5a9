//! The built-in gazetteer: postcode districts, wards and towns of Great Britain from open data
//! (data/gazetteer/README.md names the sources and licences), compiled into the binary.
//! Plain synchronous Rust: lookups are in-memory scans and a grid index, microseconds each.

use std::collections::HashMap;
use std::sync::LazyLock;

use super::{Lookup, Place, PlaceKind};

static DATA: &str = include_str!("../../data/gazetteer/gb-places.tsv");

/// The gazetteer, parsed once on first use.
pub static GAZETTEER: LazyLock<Gazetteer> = LazyLock::new(|| Gazetteer::parse(DATA));

/// Grid cells for nearest-ward lookups: a tenth of a degree (about 11 km by 7 km in Britain).
const CELL: f64 = 10.0;

/// How far from a ward's centre a point is still named after it, in kilometres.
const NEIGHBOURHOOD_KM: f64 = 4.0;

/// About how many people live at one postcode in Great Britain.
const PEOPLE_PER_POSTCODE: u32 = 40;

/// Candidates nearer than this are one place (a town and its ward of the same name).
const SAME_PLACE_KM: f64 = 3.0;

struct Entry {
    place: Place,
    /// The name, normalised for matching.
    key: String,
    /// The label and area, normalised, for qualifiers ("Redland, Bristol").
    context: String,
    weight: u32,
}

/// Every place, and an index of the wards by grid cell.
pub struct Gazetteer {
    entries: Vec<Entry>,
    wards: HashMap<(i32, i32), Vec<usize>>,
}

/// Lower-cases, turns every run of other characters into one space, and spells `&` as `and`:
/// "St. George's" and "st georges" meet, as do "Bishopston & Ashley Down" and "bishopston and".
pub fn normalise(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = true;
    for c in s.chars() {
        if c == '&' {
            if !space {
                out.push(' ');
            }
            out.push_str("and ");
            space = true;
        } else if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
            space = false;
        } else if c == '\'' || c == '.' || c == '\u{2019}' {
            // "St." is "st", "George's" is "georges".
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    out.trim_end().to_string()
}

/// The outward code of something typed as a UK postcode or its first half ("bs6", "BS6 6AB",
/// "bs66ab"), upper-cased; `None` if it does not look like one.
pub fn outward_code(typed: &str) -> Option<String> {
    let compact: String = typed
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    // Postcodes are ASCII; anything else is not one (and is never cut at byte offsets below).
    if !compact.is_ascii() {
        return None;
    }
    let looks_outward = |s: &str| {
        let b = s.as_bytes();
        (2..=4).contains(&b.len())
            && b[0].is_ascii_alphabetic()
            && b.iter().all(|c| c.is_ascii_alphanumeric())
            && b.iter().any(|c| c.is_ascii_digit())
            && b.iter().take_while(|c| c.is_ascii_alphabetic()).count() <= 2
    };
    if looks_outward(&compact) {
        return Some(compact);
    }
    // A full postcode: the inward code is always a digit and two letters.
    if compact.len() >= 5 {
        let (outward, inward) = compact.split_at(compact.len() - 3);
        let i = inward.as_bytes();
        if i[0].is_ascii_digit()
            && i[1].is_ascii_alphabetic()
            && i[2].is_ascii_alphabetic()
            && looks_outward(outward)
        {
            return Some(outward.to_string());
        }
    }
    None
}

fn cell(lat: f64, lon: f64) -> (i32, i32) {
    ((lat * CELL).floor() as i32, (lon * CELL).floor() as i32)
}

impl Gazetteer {
    fn parse(data: &str) -> Gazetteer {
        let mut entries = Vec::new();
        for line in data.lines().skip(1) {
            let f: Vec<&str> = line.split('\t').collect();
            let [kind, name, label, area, lat, lon, weight] = f[..] else {
                continue;
            };
            let (Ok(lat), Ok(lon)) = (lat.parse::<f64>(), lon.parse::<f64>()) else {
                continue;
            };
            let kind = match kind {
                "district" => PlaceKind::PostcodeDistrict,
                "ward" => PlaceKind::Neighbourhood,
                _ => PlaceKind::Town,
            };
            let display = match (kind, label.is_empty(), area.is_empty()) {
                (PlaceKind::PostcodeDistrict, false, false) => format!("{name} ({label}), {area}"),
                (PlaceKind::PostcodeDistrict, false, true) => format!("{name} ({label})"),
                (_, _, false) if !area.eq_ignore_ascii_case(name) => format!("{name}, {area}"),
                _ => name.to_string(),
            };
            let neighbourhood = match kind {
                PlaceKind::PostcodeDistrict => label
                    .split(", ")
                    .next()
                    .filter(|l| !l.is_empty())
                    .map(str::to_string),
                _ => Some(name.to_string()),
            };
            entries.push(Entry {
                key: normalise(name),
                context: normalise(&format!("{label} {area}")),
                // Towns are weighed by people, districts and wards by postcodes: Great
                // Britain has about 40 people per postcode (67 million, 1.7 million postcodes),
                // which puts both on one scale for ranking suggestions.
                weight: weight
                    .parse::<u32>()
                    .unwrap_or(0)
                    .saturating_mul(match kind {
                        PlaceKind::Town => 1,
                        _ => PEOPLE_PER_POSTCODE,
                    }),
                place: Place {
                    name: name.to_string(),
                    label: display,
                    kind,
                    lat,
                    lon,
                    neighbourhood,
                },
            });
        }
        let mut wards: HashMap<(i32, i32), Vec<usize>> = HashMap::new();
        for (i, e) in entries.iter().enumerate() {
            if e.place.kind == PlaceKind::Neighbourhood {
                wards
                    .entry(cell(e.place.lat, e.place.lon))
                    .or_default()
                    .push(i);
            }
        }
        Gazetteer { entries, wards }
    }

    /// Places whose name starts with what was typed (any word of it, for names of several
    /// words), best first: an exact name, then a name that starts with it, then a word that
    /// does; among equals the bigger place. A postcode district is found by its code.
    pub fn suggest(&self, typed: &str, limit: usize) -> Vec<Place> {
        let (name, qualifier) = split_qualifier(typed);
        if name.is_empty() {
            return Vec::new();
        }
        let code = outward_code(typed);
        let mut scored: Vec<(u8, u32, usize)> = Vec::new();
        for (i, e) in self.entries.iter().enumerate() {
            if !qualifier.is_empty() && !e.context.contains(&qualifier) {
                continue;
            }
            let rank = if e.place.kind == PlaceKind::PostcodeDistrict {
                match &code {
                    Some(c) if e.place.name == *c => 0,
                    _ if e
                        .place
                        .name
                        .to_lowercase()
                        .starts_with(&name.replace(' ', "")) =>
                    {
                        2
                    }
                    _ => continue,
                }
            } else if e.key == name {
                0
            } else if e.key.starts_with(&name) {
                1
            } else if e.key.split(' ').any(|w| w.starts_with(&name))
                || e.key.contains(&format!(" {name}"))
            {
                2
            } else {
                continue;
            };
            scored.push((rank, e.weight, i));
        }
        scored.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
        let mut out: Vec<Place> = Vec::new();
        for (_, _, i) in scored {
            let place = &self.entries[i].place;
            if out.iter().any(|p| p.label == place.label) {
                continue;
            }
            out.push(place.clone());
            if out.len() == limit {
                break;
            }
        }
        out
    }

    /// What a typed place is: exactly one place, or the candidates when it could be several or
    /// none matches exactly. Never a guess between places kilometres apart.
    pub fn lookup(&self, typed: &str) -> Lookup {
        // A district's own label ("BS6 (Cotham, Redland), Bristol") names it by its code.
        let head = typed.split(['(', ',']).next().unwrap_or(typed);
        if let Some(code) = outward_code(typed).or_else(|| outward_code(head)) {
            if let Some(e) = self
                .entries
                .iter()
                .find(|e| e.place.kind == PlaceKind::PostcodeDistrict && e.place.name == code)
            {
                return Lookup::Found(e.place.clone());
            }
        }
        let (name, qualifier) = split_qualifier(typed);
        if name.is_empty() {
            return Lookup::Unknown(Vec::new());
        }
        let in_scope = |e: &&Entry| {
            e.place.kind != PlaceKind::PostcodeDistrict
                && (qualifier.is_empty() || e.context.contains(&qualifier))
        };
        let mut matched: Vec<&Entry> = self
            .entries
            .iter()
            .filter(in_scope)
            .filter(|e| e.key == name)
            .collect();
        if matched.is_empty() {
            // No place has exactly that name: one whose name holds it as whole words is meant
            // ("Henleaze" is the ward "Westbury-on-Trym & Henleaze"), if only one does.
            matched = self
                .entries
                .iter()
                .filter(in_scope)
                .filter(|e| has_words(&e.key, &name))
                .collect();
        }
        // A town and its ward of the same name are one place: keep the bigger.
        matched.sort_by_key(|e| std::cmp::Reverse(e.weight));
        let mut distinct: Vec<&Entry> = Vec::new();
        for e in matched {
            let near = distinct.iter().any(|d| {
                crate::graph::haversine_km(d.place.lat, d.place.lon, e.place.lat, e.place.lon)
                    < SAME_PLACE_KM
            });
            if !near {
                distinct.push(e);
            }
        }
        match distinct.len() {
            1 => Lookup::Found(distinct[0].place.clone()),
            0 => Lookup::Unknown(self.suggest(typed, 5)),
            _ => Lookup::Ambiguous(
                distinct
                    .into_iter()
                    .take(8)
                    .map(|e| e.place.clone())
                    .collect(),
            ),
        }
    }

    /// The neighbourhood (ward) whose centre is nearest the point, within a few kilometres.
    pub fn neighbourhood(&self, lat: f64, lon: f64) -> Option<&str> {
        let (cy, cx) = cell(lat, lon);
        let mut best: Option<(f64, &str)> = None;
        for dy in -1..=1 {
            for dx in -1..=1 {
                for &i in self.wards.get(&(cy + dy, cx + dx)).into_iter().flatten() {
                    let p = &self.entries[i].place;
                    let d = crate::graph::haversine_km(lat, lon, p.lat, p.lon);
                    if d <= NEIGHBOURHOOD_KM && best.is_none_or(|(b, _)| d < b) {
                        best = Some((d, &p.name));
                    }
                }
            }
        }
        best.map(|(_, name)| name)
    }
}

/// Whether the normalised `key` holds the normalised `words` as whole words.
fn has_words(key: &str, words: &str) -> bool {
    key == words
        || key.starts_with(&format!("{words} "))
        || key.ends_with(&format!(" {words}"))
        || key.contains(&format!(" {words} "))
}

/// "Redland, Bristol" is the name "redland" qualified by "bristol".
fn split_qualifier(typed: &str) -> (String, String) {
    match typed.split_once(',') {
        Some((name, rest)) => (normalise(name), normalise(rest)),
        None => (normalise(typed), String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(typed: &str) -> Place {
        match GAZETTEER.lookup(typed) {
            Lookup::Found(place) => place,
            other => panic!("{typed:?} gave {other:?}"),
        }
    }

    #[test]
    fn a_postcode_district_is_found_by_its_code_however_it_is_typed() {
        for typed in ["BS6", "bs6", " BS6 ", "BS6 6AB", "bs66ab"] {
            let place = found(typed);
            assert_eq!(place.name, "BS6", "{typed}");
            assert_eq!(place.kind, PlaceKind::PostcodeDistrict);
            assert!(
                (place.lat - 51.47).abs() < 0.01 && (place.lon + 2.60).abs() < 0.01,
                "{place:?}"
            );
        }
        assert_eq!(found("BS6").label, "BS6 (Cotham, Redland), Bristol");
    }

    #[test]
    fn a_neighbourhood_qualified_by_its_town_is_one_place() {
        let redland = found("Redland, Bristol");
        assert_eq!(redland.label, "Redland, Bristol");
        assert!(crate::graph::haversine_km(redland.lat, redland.lon, 51.47, -2.60) < 1.0);
        // Unique names need no qualifier.
        assert_eq!(found("redland").name, "Redland");
        assert_eq!(found("Bristol").label, "Bristol");
    }

    #[test]
    fn a_name_shared_by_places_far_apart_is_ambiguous_with_every_candidate() {
        match GAZETTEER.lookup("Clifton") {
            Lookup::Ambiguous(candidates) => {
                let labels: Vec<&str> = candidates.iter().map(|c| c.label.as_str()).collect();
                assert!(labels.contains(&"Clifton, Bristol"), "{labels:?}");
                assert!(labels.contains(&"Clifton, York"), "{labels:?}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(found("Clifton, Bristol").label, "Clifton, Bristol");
    }

    #[test]
    fn a_town_and_its_own_ward_are_not_two_candidates() {
        // Kingswood is a town in South Gloucestershire and the name of a ward there.
        assert_eq!(found("Kingswood, South Gloucestershire").name, "Kingswood");
    }

    #[test]
    fn an_unknown_place_is_no_match_with_suggestions_never_a_guess() {
        match GAZETTEER.lookup("Redl") {
            Lookup::Unknown(suggestions) => {
                assert!(
                    suggestions.iter().any(|s| s.label == "Redland, Bristol"),
                    "{suggestions:?}"
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(GAZETTEER.lookup("Xyzzyville"), Lookup::Unknown(s) if s.is_empty()));
    }

    #[test]
    fn suggestions_start_with_exact_names_then_prefixes() {
        let s = GAZETTEER.suggest("Redland", 5);
        assert_eq!(s[0].label, "Redland, Bristol");
        let districts = GAZETTEER.suggest("BS", 3);
        assert!(
            districts.iter().all(|d| d.name.starts_with("BS")),
            "{districts:?}"
        );
        assert!(GAZETTEER.suggest("", 5).is_empty());
        assert!(GAZETTEER.suggest("  ,  ", 5).is_empty());
    }

    #[test]
    fn a_name_held_by_one_place_as_whole_words_is_that_place() {
        assert_eq!(
            found("Henleaze").label,
            "Westbury-on-Trym & Henleaze, Bristol"
        );
        assert_eq!(
            found("Bishopston, Bristol").label,
            "Bishopston & Ashley Down, Bristol"
        );
        // Part of a word is not a word.
        assert!(!matches!(GAZETTEER.lookup("Henlea"), Lookup::Found(_)));
    }

    #[test]
    fn every_neighbourhood_of_the_demo_town_is_known_where_the_demo_puts_it() {
        for hood in crate::demo::geography::NEIGHBOURHOODS {
            let place = found(&format!("{}, {}", hood.name, hood.area));
            let off = crate::graph::haversine_km(place.lat, place.lon, hood.lat, hood.lon);
            assert!(
                off < 2.5,
                "{} is {off:.1} km from the gazetteer's {}",
                hood.name,
                place.label
            );
        }
    }

    #[test]
    fn a_point_is_named_after_the_nearest_ward_nearby() {
        assert_eq!(GAZETTEER.neighbourhood(51.4747, -2.6011), Some("Redland"));
        // The middle of the North Sea is nobody's neighbourhood.
        assert_eq!(GAZETTEER.neighbourhood(55.0, 3.0), None);
    }

    #[test]
    fn normalising_meets_how_people_type_names() {
        assert_eq!(normalise("St. George's"), "st georges");
        assert_eq!(
            normalise("Bishopston & Ashley Down"),
            "bishopston and ashley down"
        );
        assert_eq!(normalise("  Westbury-on-Trym "), "westbury on trym");
    }

    #[test]
    fn any_text_at_all_is_looked_up_without_a_panic() {
        // What an API fuzzer sent (each once made a 500): multi-byte characters where a
        // postcode's inward code would have been cut off at a byte offset.
        for typed in [
            "\u{dd}\u{a2}9\u{ec62}5\u{c6}\u{80}\u{b4}",
            "dG}\u{7c61}}\u{7f}\u{3e1e}-\u{f0}]%\u{9e22b}\u{31259}\u{11}",
            "\u{ff}\u{b}\u{e2}",
            "\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}",
            "BS6 6\u{c5}B",
        ] {
            GAZETTEER.lookup(typed);
            GAZETTEER.suggest(typed, 5);
            assert_eq!(outward_code(typed), None, "{typed}");
        }
    }

    #[test]
    fn only_postcode_shapes_are_taken_for_postcodes() {
        assert_eq!(outward_code("SW1A 1AA").as_deref(), Some("SW1A"));
        assert_eq!(outward_code("M1").as_deref(), Some("M1"));
        assert_eq!(outward_code("Bath"), None);
        assert_eq!(outward_code("BS"), None);
    }
}
