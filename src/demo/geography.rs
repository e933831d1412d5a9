//! Where the demo town lives: real Bristol neighbourhoods around their real centres.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::graph::haversine_km;

use super::random::normal;

/// A neighbourhood of the demo town.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Neighbourhood {
    /// Its name, as the gazetteer knows it (`places::GAZETTEER`).
    pub name: &'static str,
    /// The local authority it is in, which tells it from places of the same name elsewhere.
    pub area: &'static str,
    /// Latitude of its centre, in degrees.
    pub lat: f64,
    /// Longitude of its centre, in degrees.
    pub lon: f64,
    /// Its relative population: how many of the generated people live there.
    pub weight: u32,
}

/// The city; Kingswood is just over its boundary, in South Gloucestershire.
const BRISTOL: &str = "Bristol";

const fn hood(
    name: &'static str,
    area: &'static str,
    lat: f64,
    lon: f64,
    weight: u32,
) -> Neighbourhood {
    Neighbourhood {
        name,
        area,
        lat,
        lon,
        weight,
    }
}

/// The neighbourhoods, each centre to four decimals (a point near the middle of the area;
/// neighbourhoods have no official centre). The weights roughly follow the wards'
/// populations, so Easton and Bedminster are busier than Henleaze.
pub const NEIGHBOURHOODS: &[Neighbourhood] = &[
    hood("Clifton", BRISTOL, 51.4545, -2.6200, 8),
    hood("Redland", BRISTOL, 51.4700, -2.6000, 7),
    hood("Bedminster", BRISTOL, 51.4400, -2.6000, 9),
    hood("Southville", BRISTOL, 51.4430, -2.6050, 7),
    hood("Easton", BRISTOL, 51.4630, -2.5650, 9),
    hood("Bishopston", BRISTOL, 51.4790, -2.5900, 7),
    hood("Windmill Hill", BRISTOL, 51.4410, -2.5760, 6),
    hood("Frome Vale", BRISTOL, 51.4800, -2.5270, 8),
    hood("Horfield", BRISTOL, 51.4920, -2.5840, 7),
    hood("Knowle", BRISTOL, 51.4300, -2.5700, 7),
    hood("Kingswood", "South Gloucestershire", 51.4570, -2.5050, 8),
    hood("Henleaze", BRISTOL, 51.4880, -2.6080, 5),
    hood("Westbury-on-Trym", BRISTOL, 51.4940, -2.6180, 5),
    hood("St George", BRISTOL, 51.4600, -2.5450, 7),
];

/// Index of the neighbourhood called `name` in [`NEIGHBOURHOODS`].
///
/// # Panics
/// If there is no such neighbourhood: the names are constants of this module.
pub fn hood_index(name: &str) -> usize {
    NEIGHBOURHOODS
        .iter()
        .position(|h| h.name == name)
        .unwrap_or_else(|| panic!("no neighbourhood called {name}"))
}

/// Picks a neighbourhood with probability proportional to its weight.
pub fn pick_hood(rng: &mut ChaCha8Rng) -> usize {
    let total: u32 = NEIGHBOURHOODS.iter().map(|h| h.weight).sum();
    let mut ticket = rng.gen_range(0..total);
    for (index, hood) in NEIGHBOURHOODS.iter().enumerate() {
        if ticket < hood.weight {
            return index;
        }
        ticket -= hood.weight;
    }
    unreachable!("the ticket is below the total weight")
}

/// Kilometres per degree of latitude (the mean meridian degree).
const KM_PER_DEGREE_LAT: f64 = 111.32;

/// A point near the centre of `hood`: each axis offset by a normal with a 0.6 km standard
/// deviation, cut at 1.2 km, so most homes are within 0.5 to 1 km of the centre, as in a
/// neighbourhood a couple of kilometres across.
pub fn home_in(rng: &mut ChaCha8Rng, hood: usize) -> (f64, f64) {
    let centre = NEIGHBOURHOODS[hood];
    let north_km = normal(rng).clamp(-2.0, 2.0) * 0.6;
    let east_km = normal(rng).clamp(-2.0, 2.0) * 0.6;
    let km_per_degree_lon = KM_PER_DEGREE_LAT * centre.lat.to_radians().cos();
    (
        round6(centre.lat + north_km / KM_PER_DEGREE_LAT),
        round6(centre.lon + east_km / km_per_degree_lon),
    )
}

/// The distance between two (lat, lon) points, in kilometres.
pub fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    haversine_km(a.0, a.1, b.0, b.1)
}

/// Rounds a coordinate to six decimals (about 10 cm), so values survive a JSON round trip
/// unchanged and read cleanly in the database.
fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn homes_stay_within_a_couple_of_kilometres_of_their_centre() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for (index, hood) in NEIGHBOURHOODS.iter().enumerate() {
            for _ in 0..200 {
                let home = home_in(&mut rng, index);
                let centre = (hood.lat, hood.lon);
                assert!(distance_km(home, centre) < 1.8, "{home:?}");
            }
        }
    }

    #[test]
    fn redland_is_about_three_kilometres_from_southville() {
        let redland = NEIGHBOURHOODS[hood_index("Redland")];
        let southville = NEIGHBOURHOODS[hood_index("Southville")];
        let km = distance_km((redland.lat, redland.lon), (southville.lat, southville.lon));
        assert!((2.5..3.5).contains(&km), "{km}");
    }
}
