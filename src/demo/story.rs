//! The story the demo tells, with named accounts a visitor can log in as.
//!
//! Anna Berg, in Redland, needs a tiler. She trusts Matt Hughes completely; Matt, a carpenter,
//! recommends Mario Rossi's "Rossi Tiling". A stranger's firm, "Premier Tiles & Stars", has
//! dozens of glowing public reviews, all from one tight crowd in Kingswood and St George that
//! nobody Anna trusts knows within three hops. Searching as Anna puts Rossi Tiling first,
//! explained by Anna -> Matt -> Rossi Tiling. Searching anonymously, or as Ben (new, trusting
//! nobody yet), ranks by public reputation alone: Premier has the most public recommends of
//! any tiler, and Rossi Tiling is no longer first.
//!
//! The second story is the mechanic's: trust is won by recommendations and lost by silence.
//! "Hale Tile Co." ([`SLOW_TILER`]) is recommended to his own network by a Redland neighbour
//! Anna only knows (level 1), so it shows in Anna's search below Rossi Tiling; but most of its
//! referred customers waited weeks for a call, so it reads "is often slow to get in touch"
//! where Rossi Tiling "usually gets in touch within a day".

use crate::domain::{Stance, TrustLevel, Visibility};

use super::geography::hood_index;
use super::town::{DemoPerson, DemoProvider, DemoTrust, DemoVouch};

/// The story's accounts as (name, email, password). The README lists them; every other demo
/// account uses [`super::SHARED_PASSWORD`].
pub const STORY_ACCOUNTS: &[(&str, &str, &str)] = &[
    ("Anna Berg", "anna@demo.vouchgraph.test", "anna-demo-2026"),
    ("Matt Hughes", "matt@demo.vouchgraph.test", "matt-demo-2026"),
    (
        "Mario Rossi",
        "mario@demo.vouchgraph.test",
        "mario-demo-2026",
    ),
    (
        "Stella Price",
        "stella@demo.vouchgraph.test",
        "stella-demo-2026",
    ),
    ("Ben Carter", "ben@demo.vouchgraph.test", "ben-demo-2026"),
];

/// Anna, the seeker: index 0 of [`super::DemoTown::people`].
pub const ANNA: usize = 0;
/// Matt, Anna's trusted friend, a carpenter.
pub const MATT: usize = 1;
/// Mario, the tiler Matt recommends.
pub const MARIO: usize = 2;
/// Stella, owner of the highly starred stranger firm.
pub const STELLA: usize = 3;
/// Ben, a new user who trusts nobody yet.
pub const BEN: usize = 4;

/// Matt's firm: index 0 of [`super::DemoTown::providers`].
pub const HUGHES_JOINERY: usize = 0;
/// Mario's firm.
pub const ROSSI_TILING: usize = 1;
/// Stella's firm, the stranger.
pub const PREMIER_TILES: usize = 2;

/// The slow tiler: the town's last firm. It takes the place of the last generated firm and
/// keeps its (generated) owner, so that no other index or random draw moves because of it.
pub const SLOW_TILER: usize = super::PROVIDERS - 1;

/// Where the story people live: (neighbourhood, lat, lon). Fixed rather than drawn, so the
/// README can give Anna's home as the point to search near.
const HOMES: [(&str, f64, f64); 5] = [
    ("Redland", 51.4700, -2.6000),
    ("Bishopston", 51.4785, -2.5905),
    ("Southville", 51.4432, -2.6048),
    ("Kingswood", 51.4572, -2.5055),
    ("Redland", 51.4712, -2.5985),
];

/// The story people, in the order of the index constants above.
pub fn people() -> Vec<DemoPerson> {
    STORY_ACCOUNTS
        .iter()
        .zip(HOMES)
        .map(|(&(name, email, password), (hood, lat, lon))| DemoPerson {
            name: name.to_string(),
            email: email.to_string(),
            password: Some(password),
            hood: hood_index(hood),
            lat,
            lon,
            pre_trusted: false,
        })
        .collect()
}

/// The story firms, in the order of the index constants above. Both tilers cover Anna's home:
/// Rossi Tiling from Southville (about 3 km away), Premier from St George (about 4 km).
pub fn providers() -> Vec<DemoProvider> {
    let firm = |owner: usize, name: &str, trade, lat, lon, radius_km, n: u32, description: &str| {
        let slug = super::names::slug(name);
        DemoProvider {
            owner,
            name: name.to_string(),
            description: description.to_string(),
            trades: vec![trade],
            lat,
            lon,
            radius_km,
            phone: format!("07700 900{n:03}"),
            website: format!("https://{slug}.example"),
            email: format!("hello@{slug}.example"),
        }
    };
    vec![
        firm(
            MATT,
            "Hughes Joinery",
            "carpenter",
            51.4785,
            -2.5905,
            10.0,
            0,
            "Bespoke joinery, fitted furniture and sash window repair, from Bishopston.",
        ),
        firm(
            MARIO,
            "Rossi Tiling",
            "tiler",
            51.4432,
            -2.6048,
            8.0,
            1,
            "Bathrooms, kitchens and floors. Mario has tiled in south Bristol for fifteen years.",
        ),
        firm(
            STELLA,
            "Premier Tiles & Stars",
            "tiler",
            51.4600,
            -2.5450,
            12.0,
            2,
            "Bristol's best-reviewed tiling company! Call now for a free quote.",
        ),
    ]
}

/// The slow tiler, owned by `owner`: in Cotham, half a kilometre from Anna's home.
pub fn slow_tiler(owner: usize) -> DemoProvider {
    let name = "Hale Tile Co.";
    let slug = super::names::slug(name);
    DemoProvider {
        owner,
        name: name.to_string(),
        description: "Kitchens, bathrooms and splashbacks around Cotham and Redland.".to_string(),
        trades: vec!["tiler"],
        lat: 51.4655,
        lon: -2.5995,
        radius_km: 6.0,
        phone: format!("07700 900{SLOW_TILER:03}"),
        website: format!("https://{slug}.example"),
        email: format!("hello@{slug}.example"),
    }
}

/// Who recommends the slow tiler: the second of Anna's neighbours, whom she trusts at level 1
/// (`trust_edges`), or another neighbour if that one owns it.
pub fn slow_tiler_voucher(neighbours: &[usize], owner: usize) -> Option<usize> {
    neighbours
        .iter()
        .skip(1)
        .chain(neighbours)
        .copied()
        .find(|&n| n != owner)
}

/// The neighbour's word for the slow tiler: good work, a long wait. Network-only, so the people
/// the neighbour trusts (Anna among them) see it, and newcomers and partners do not.
pub fn slow_tiler_vouch(voucher: usize) -> DemoVouch {
    DemoVouch {
        person: voucher,
        provider: SLOW_TILER,
        trade: "tiler",
        stance: Stance::Recommend,
        visibility: Visibility::Network,
        note: "Neat work on our kitchen splashback in the end, but it took three weeks and two \
               phone calls before anyone got back to us."
            .to_string(),
    }
}

/// A public edge.
fn public(truster: usize, trustee: usize, level: u8) -> DemoTrust {
    DemoTrust {
        truster,
        trustee,
        level: TrustLevel::new(level).expect("story levels are 1 to 3"),
        visibility: Visibility::Public,
    }
}

/// The story's trust edges. `friends` are the 2 to 4 Redland neighbours Anna also trusts,
/// chosen by the generator among people whose circles vouch for no tiler.
pub fn trust_edges(friends: &[usize]) -> Vec<DemoTrust> {
    let mut edges = vec![
        public(ANNA, MATT, 3),
        public(MATT, MARIO, 2),
        public(MARIO, MATT, 2),
    ];
    for (n, &friend) in friends.iter().enumerate() {
        // Levels 2, 1, 2, 1: neighbours, not Anna's closest friend.
        let level = if n % 2 == 0 { 2 } else { 1 };
        let mut edge = public(ANNA, friend, level);
        if n == friends.len() - 1 {
            // One of them only Anna's network may see, as some people prefer.
            edge.visibility = Visibility::Network;
        }
        edges.push(edge);
        // Neighbours know Anna back.
        edges.push(public(friend, ANNA, 1));
    }
    edges
}

/// The story's own vouches: Matt recommends Mario's tiling, and Mario Matt's joinery.
pub fn vouches() -> Vec<DemoVouch> {
    vec![
        DemoVouch {
            person: MATT,
            provider: ROSSI_TILING,
            trade: "tiler",
            stance: Stance::Recommend,
            visibility: Visibility::Public,
            note: "Mario retiled our bathroom in two days, spotless. Neat grout lines, and he \
                   cut round the old pipes properly."
                .to_string(),
        },
        DemoVouch {
            person: MARIO,
            provider: HUGHES_JOINERY,
            trade: "carpenter",
            stance: Stance::Recommend,
            visibility: Visibility::Public,
            note: "Matt built the fitted wardrobes in our alcoves. Looks original to the house."
                .to_string(),
        },
    ]
}
