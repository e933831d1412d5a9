//! The generated firms: one per owner, run from the owner's home, with a trade or two, a
//! business name and a service radius.

use std::collections::HashSet;

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::geography::NEIGHBOURHOODS;
use super::names::{business_name, slug};
use super::notes::description;
use super::town::{DemoPerson, DemoProvider};
use super::trades::{by_slug, pick_trades};

/// Appends a firm for each of `owners` to `providers`. Names are unique in the town (the
/// insert step maps generated ids back by name).
pub fn add_firms(
    rng: &mut ChaCha8Rng,
    people: &[DemoPerson],
    owners: &[usize],
    providers: &mut Vec<DemoProvider>,
) {
    let mut taken: HashSet<String> = providers.iter().map(|p| p.name.clone()).collect();
    for &owner in owners {
        let person = &people[owner];
        let (first, last) = person
            .name
            .split_once(' ')
            .expect("generated names are First Last");
        let hood = NEIGHBOURHOODS[person.hood].name;
        let trades = pick_trades(rng);
        let mut name = business_name(rng, first, last, hood, trades[0]);
        if taken.contains(&name) {
            // "Brunel Plumbing" twice: the second goes by its owner's name, as small firms do.
            name = format!("{first} {last} {}", super::names::trade_noun(trades[0]));
        }
        if taken.contains(&name) {
            name = format!("{name} ({hood})");
        }
        taken.insert(name.clone());
        let n = providers.len();
        let web = slug(&name);
        // Radii cluster around 5 to 8 km: most firms work a few neighbourhoods, a few the whole
        // city and beyond. Rounded to half kilometres, as people state them.
        let radius_km = (3.0 + 12.0 * rng.gen::<f64>().powf(1.6)) * 2.0;
        providers.push(DemoProvider {
            owner,
            description: description(rng, by_slug(trades[0]).words, hood),
            name,
            trades,
            lat: person.lat,
            lon: person.lon,
            radius_km: radius_km.round() / 2.0,
            // Ofcom reserves 07700 900000 to 900999 for drama: numbers that never ring anyone.
            phone: format!("07700 900{n:03}"),
            website: format!("https://{web}.example"),
            email: format!("hello@{web}.example"),
        });
    }
}
