//! What people write: vouch notes and business descriptions, from templates in the voice of
//! real reviews, so the demo reads like a town rather than lorem ipsum.

use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::domain::Stance;

/// Recommendations that fit any trade.
const RECOMMEND_ANY: &[&str] = &[
    "Turned up when they said they would and left the place tidy.",
    "Fair price, no surprises on the invoice.",
    "Quoted quickly and the final bill matched the quote.",
    "Friendly, careful, and cleaned up after themselves.",
    "Sorted it in one visit. Would use again.",
    "Used them three times now, always reliable.",
    "Came out at short notice on a Saturday. Lifesaver.",
    "Explained the options honestly instead of upselling.",
    "Neighbour recommended them and they were as good as promised.",
    "Good communication from quote to finish.",
];

/// Warnings that fit any trade.
const WARN_ANY: &[&str] = &[
    "Left the job half done and stopped answering.",
    "Took a deposit, then vanished for three weeks.",
    "Final bill was nearly double the quote.",
    "Never turned up for two booked appointments.",
    "Rude when we pointed out a problem with the work.",
    "Had to pay someone else to put it right.",
    "Messy, slow, and argued about every extra.",
];

/// Trade-specific recommendations.
fn recommend_for(trade: &str) -> &'static [&'static str] {
    match trade {
        "plumber" => &[
            "Fixed a leak under the kitchen sink within the hour.",
            "Replaced our old cistern and the noisy pipes are finally quiet.",
            "Found the leak nobody else could find.",
        ],
        "electrician" => &[
            "Rewired the kitchen and sorted the certificate for building control.",
            "Fitted a new consumer unit in a day, very tidy work.",
            "Traced a tripping circuit quickly and explained what was wrong.",
        ],
        "tiler" => &[
            "Retiled our bathroom in two days, spotless.",
            "Beautiful herringbone floor, perfectly level.",
            "Neat grout lines and cut the tiles around the pipes properly.",
        ],
        "carpenter" => &[
            "Built fitted wardrobes in an awkward alcove, looks original to the house.",
            "Hung five internal doors, all close perfectly.",
            "Repaired our sash windows instead of telling us to replace them.",
        ],
        "painter" => &[
            "Painted the whole hallway and stairs, crisp lines everywhere.",
            "Covered the furniture properly and not a drop on the floor.",
            "Did the outside of the house, still looks fresh two winters on.",
        ],
        "roofer" => &[
            "Fixed slipped slates after the storm the same week.",
            "Replaced the flat roof on the extension, dry ever since.",
            "Sent photos of the problem so we could see what we were paying for.",
        ],
        "plasterer" => &[
            "Skimmed two bedrooms, walls like glass.",
            "Patched the ceiling after a leak and you cannot see where.",
            "Fast, clean, and the walls were ready to paint in days.",
        ],
        "gardener" => &[
            "Turned an overgrown mess into a garden we actually use.",
            "Regular fortnightly visits, hedges always immaculate.",
            "Knows plants, suggested what would thrive in our shady yard.",
        ],
        "locksmith" => &[
            "Got us back in at midnight without damaging the door.",
            "Upgraded all our locks to insurance standard, fair price.",
            "Arrived in twenty minutes when I was locked out.",
        ],
        "heating-engineer" => &[
            "Serviced the boiler and found a fault before it failed.",
            "Installed a new combi boiler, radiators heat up much faster.",
            "Balanced the radiators so the whole house is finally warm.",
        ],
        "bricklayer" => &[
            "Rebuilt our front wall, matched the old bricks perfectly.",
            "Repointed the back of the house, neat and weatherproof.",
            "Built a garden wall that is straight and solid.",
        ],
        "cleaner" => &[
            "End of tenancy clean, we got the whole deposit back.",
            "Weekly clean, always thorough and trustworthy with a key.",
            "Oven looks brand new.",
        ],
        _ => &[],
    }
}

/// Trade-specific warnings.
fn warn_for(trade: &str) -> &'static [&'static str] {
    match trade {
        "plumber" => &["The new tap leaked within a week and they would not come back."],
        "electrician" => &["No certificate for the work, and a socket was wired wrongly."],
        "tiler" => &["Tiles uneven and cracked grout within a month."],
        "carpenter" => &["Doors hung crooked and the wardrobe does not close."],
        "painter" => &["Paint on the carpets and patchy coverage on the walls."],
        "roofer" => &["Roof still leaks and they charged for a full repair."],
        "plasterer" => &["Walls bumpy and cracked as they dried."],
        "gardener" => &["Cut down the wrong shrubs and charged for the privilege."],
        "locksmith" => &["Drilled the lock when picking it was easy, then overcharged."],
        "heating-engineer" => &["Boiler broke again a week after the repair."],
        "bricklayer" => &["Wall is already leaning and the mortar is crumbling."],
        "cleaner" => &["Skipped half the rooms and still charged the full rate."],
        _ => &[],
    }
}

/// A vouch note for `trade`: usually one sentence, sometimes two, sometimes none (many people
/// just tap "recommend"). Always far below the 1,000-character limit.
pub fn vouch_note(rng: &mut ChaCha8Rng, trade: &str, stance: Stance) -> String {
    if rng.gen_bool(0.2) {
        return String::new();
    }
    let (specific, general) = match stance {
        Stance::Recommend => (recommend_for(trade), RECOMMEND_ANY),
        Stance::Warn => (warn_for(trade), WARN_ANY),
    };
    let pick = |rng: &mut ChaCha8Rng, list: &[&str]| -> String {
        list.choose(rng).copied().unwrap_or_default().to_string()
    };
    let first = if rng.gen_bool(0.6) && !specific.is_empty() {
        pick(rng, specific)
    } else {
        pick(rng, general)
    };
    if rng.gen_bool(0.25) {
        let second = pick(rng, general);
        if second != first {
            return format!("{first} {second}");
        }
    }
    first
}

/// The over-the-top notes of the stranger's crowd: many stars, little detail.
pub const STAR_NOTES: &[&str] = &[
    "Five stars!!!",
    "Best tiler in Bristol, highly recommend!",
    "Amazing service 5/5",
    "Brilliant, would recommend to anyone.",
    "Top quality, top people!",
    "Absolutely fantastic job, 10/10.",
    "",
];

/// A short description for a provider; `trade_words` is what the firm does ("plumbing").
pub fn description(rng: &mut ChaCha8Rng, trade_words: &str, hood: &str) -> String {
    let templates = [
        format!("Family-run {trade_words} business based in {hood}. Free quotes."),
        format!("Independent {trade_words} firm covering {hood} and the rest of Bristol."),
        format!("Local {trade_words} specialists, fully insured, no job too small."),
        format!("Over ten years of {trade_words} work around {hood}. No-obligation quotes."),
        format!("Reliable {trade_words} services for homes and small businesses across Bristol."),
    ];
    templates
        .choose(rng)
        .expect("the list is not empty")
        .clone()
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn every_trade_has_its_own_notes_for_both_stances() {
        for trade in super::super::trades::TRADES {
            assert!(!recommend_for(trade.slug).is_empty(), "{}", trade.slug);
            assert!(!warn_for(trade.slug).is_empty(), "{}", trade.slug);
        }
    }

    #[test]
    fn notes_stay_far_below_the_limit() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for _ in 0..500 {
            let note = vouch_note(&mut rng, "tiler", Stance::Recommend);
            assert!(note.chars().count() < 300);
        }
    }
}
