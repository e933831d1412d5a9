//! Embedded name lists, so the demo town is the same on every machine and needs no download.
//!
//! First names common in England and Wales across several generations (so the town has
//! Keiths and Traceys as well as Olivias and Noahs), with names common among Bristol's larger
//! communities; surnames are common British ones, some West Country ones (Vowles, Tovey),
//! and some from those communities.

use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

/// First names.
#[rustfmt::skip]
pub const FIRST_NAMES: &[&str] = &[
    "Oliver", "George", "Harry", "Jack", "Jacob", "Noah", "Charlie", "Thomas", "Oscar",
    "William", "James", "Henry", "Leo", "Alfie", "Joshua", "Freddie", "Archie", "Ethan",
    "Isaac", "Alexander", "Joseph", "Edward", "Samuel", "Max", "Daniel", "Arthur", "Lucas",
    "Mohammed", "Adam", "Theo", "Benjamin", "Liam", "Dylan", "Jake", "Luke", "Ryan", "Callum",
    "Connor", "Kieran", "Lewis", "Owen", "Rhys", "Aidan", "Tom", "Chris", "David", "Paul",
    "Mark", "Andrew", "Richard", "Stephen", "Simon", "Neil", "Gary", "Ian", "Kevin", "Graham",
    "Martin", "Peter", "Colin", "Keith", "Nigel", "Trevor", "Ali", "Yusuf", "Omar", "Hassan",
    "Kwame", "Tariq", "Ravi", "Arjun", "Kasia", "Tomasz", "Olivia", "Amelia", "Isla", "Ava",
    "Emily", "Sophia", "Grace", "Mia", "Poppy", "Ella", "Lily", "Evie", "Isabella", "Charlotte",
    "Jessica", "Freya", "Ruby", "Daisy", "Chloe", "Sophie", "Lucy", "Hannah", "Holly", "Megan",
    "Katie", "Rebecca", "Laura", "Sarah", "Emma", "Rachel", "Claire", "Nicola", "Helen",
    "Joanne", "Karen", "Julie", "Susan", "Alison", "Deborah", "Tracey", "Amanda", "Louise",
    "Jane", "Fiona", "Gemma", "Kirsty", "Zara", "Aisha", "Fatima", "Amira", "Priya", "Anjali",
    "Nadia", "Maryam", "Chantelle", "Precious", "Ngozi", "Siobhan", "Niamh", "Bethan", "Carys",
    "Rhiannon", "Agnieszka", "Marta", "Imogen", "Phoebe", "Rosie", "Harriet", "Eleanor",
];

/// Surnames.
#[rustfmt::skip]
pub const SURNAMES: &[&str] = &[
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
    "Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards",
    "Green", "Hall", "Wood", "Harris", "Lewis", "Martin", "Jackson", "Clarke", "Clark",
    "Turner", "Hill", "Scott", "Cooper", "Morris", "Ward", "Moore", "King", "Watson", "Baker",
    "Harrison", "Morgan", "Patel", "Young", "Allen", "Mitchell", "James", "Anderson",
    "Phillips", "Lee", "Bell", "Parker", "Davis", "Bennett", "Carter", "Shaw", "Cook",
    "Richardson", "Marshall", "Collins", "Bailey", "Cox", "Price", "Hughes", "Griffiths",
    "Lloyd", "Owen", "Powell", "Reed", "Webb", "Chapman", "Ellis", "Hunt", "Stevens", "Palmer",
    "Mason", "Fisher", "Barnes", "Knight", "Pearce", "Butler", "Russell", "Dawson", "Fletcher",
    "Gibson", "Holmes", "Jenkins", "Lawrence", "Mills", "Rogers", "Saunders", "Spencer",
    "Tucker", "Weston", "Whitfield", "Pritchard", "Cole", "Burgess", "Hayward", "Gregory",
    "Dyer", "Pope", "Tovey", "Vowles", "Brain", "Hale", "Fry", "Sheppard", "Counsell",
    "O'Brien", "Murphy", "Kelly", "Byrne", "Walsh", "Doyle", "Campbell", "Stewart", "Murray",
    "MacDonald", "Khan", "Ahmed", "Hussain", "Ali", "Begum", "Shah", "Sharma", "Singh",
    "Mistry", "Okafor", "Mensah", "Adeyemi", "Osei", "Campbell-Reid", "Nowak", "Kowalski",
    "Wojcik", "Rossi", "Ferreira", "Silva", "Nguyen", "Chen", "Wong", "Abdi", "Warsame",
    "Hassan", "Farah",
];

/// A random "First Last" name.
pub fn person_name(rng: &mut ChaCha8Rng) -> (&'static str, &'static str) {
    let first = FIRST_NAMES.choose(rng).expect("the list is not empty");
    let last = SURNAMES.choose(rng).expect("the list is not empty");
    (first, last)
}

/// The local part of a demo email: lower case ASCII letters only, so "O'Brien" becomes
/// "obrien" and "Campbell-Reid" becomes "campbellreid".
pub fn email_part(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Place names, Bristol landmarks and local words that businesses name themselves after.
#[rustfmt::skip]
pub const BUSINESS_PLACES: &[&str] = &[
    "Avon Valley", "Brunel", "Severn", "Harbourside", "Cabot", "Clifton", "Redcliffe",
    "Westcountry", "Mendip", "Ashton Court", "Downs", "Gloucester Road", "Bristol",
    "Kingsweston", "Blaise", "Frome Valley", "Temple", "Christmas Steps", "Leigh Woods",
    "Wills", "Bathurst", "Floating Harbour", "Castle Park", "Cotham", "Montpelier",
];

/// What a business in a trade calls its work: "Rossi Tiling", "Avon Valley Plumbing".
pub fn trade_noun(trade: &str) -> &'static str {
    match trade {
        "plumber" => "Plumbing",
        "electrician" => "Electrical",
        "tiler" => "Tiling",
        "carpenter" => "Joinery",
        "painter" => "Decorating",
        "roofer" => "Roofing",
        "plasterer" => "Plastering",
        "gardener" => "Gardens",
        "locksmith" => "Locksmiths",
        "heating-engineer" => "Heating",
        "bricklayer" => "Brickwork",
        "cleaner" => "Cleaning",
        _ => "Services",
    }
}

/// A business name for a provider owned by `owner_first owner_last` in `trade`, in one of the
/// shapes real small firms use.
pub fn business_name(
    rng: &mut ChaCha8Rng,
    owner_first: &str,
    owner_last: &str,
    hood: &str,
    trade: &str,
) -> String {
    let noun = trade_noun(trade);
    let place = BUSINESS_PLACES.choose(rng).expect("the list is not empty");
    let shapes = [
        format!("{owner_last} {noun}"),
        format!("{place} {noun}"),
        format!("{owner_last} & Sons {noun}"),
        format!("{owner_first} {owner_last} {noun}"),
        format!("{hood} {noun}"),
        format!("{place} {noun} Ltd"),
        format!("{owner_first}'s {noun}"),
    ];
    shapes.choose(rng).expect("the list is not empty").clone()
}

/// A URL-safe slug of a business name for its demo website ("Rossi Tiling" -> "rossi-tiling").
pub fn slug(name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() && c != '\'' {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_parts_keep_only_lower_case_letters() {
        assert_eq!(email_part("O'Brien"), "obrien");
        assert_eq!(email_part("Campbell-Reid"), "campbellreid");
    }

    #[test]
    fn slugs_join_words_with_single_hyphens() {
        assert_eq!(slug("Rossi Tiling"), "rossi-tiling");
        assert_eq!(slug("Premier Tiles & Stars"), "premier-tiles-stars");
        assert_eq!(slug("Anna's Gardens"), "annas-gardens");
    }
}
