//! The generated residents: names, homes and account emails.

use rand_chacha::ChaCha8Rng;

use super::geography::{home_in, pick_hood};
use super::names::{email_part, person_name};
use super::town::DemoPerson;
use super::DEMO_EMAIL_DOMAIN;

/// Appends `count` generated residents to `people`. Each email carries the person's index, so
/// two residents with the same name still get distinct addresses.
pub fn add_residents(rng: &mut ChaCha8Rng, people: &mut Vec<DemoPerson>, count: usize) {
    for _ in 0..count {
        let index = people.len();
        let (first, last) = person_name(rng);
        let hood = pick_hood(rng);
        let (lat, lon) = home_in(rng, hood);
        people.push(DemoPerson {
            name: format!("{first} {last}"),
            email: format!(
                "{}.{}.{index}@{DEMO_EMAIL_DOMAIN}",
                email_part(first),
                email_part(last)
            ),
            password: None,
            hood,
            lat,
            lon,
            pre_trusted: false,
        });
    }
}
