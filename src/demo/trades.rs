//! The trades of the demo town: the slugs seeded by `migrations/0002`, how common each is, and
//! which second trade a firm often adds.

use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// A trade as the generator sees it. Ids are looked up by slug at insert time, never assumed.
#[derive(Clone, Copy, Debug)]
pub struct DemoTrade {
    /// The slug in the `trades` table.
    pub slug: &'static str,
    /// The trade in words, for descriptions.
    pub words: &'static str,
    /// Relative number of firms: there are more plumbers than locksmiths.
    pub weight: u32,
    /// Trades a firm of this trade commonly also offers.
    pub also: &'static [&'static str],
}

const fn trade(
    slug: &'static str,
    words: &'static str,
    weight: u32,
    also: &'static [&'static str],
) -> DemoTrade {
    DemoTrade {
        slug,
        words,
        weight,
        also,
    }
}

/// The twelve trades seeded by `migrations/0002_trades_and_providers.sql`.
pub const TRADES: &[DemoTrade] = &[
    trade("plumber", "plumbing", 30, &["heating-engineer"]),
    trade("electrician", "electrical", 26, &[]),
    trade("tiler", "tiling", 18, &["plasterer"]),
    trade("carpenter", "joinery", 22, &["painter"]),
    trade("painter", "decorating", 27, &["plasterer"]),
    trade("roofer", "roofing", 14, &["bricklayer"]),
    trade("plasterer", "plastering", 14, &["tiler", "painter"]),
    trade("gardener", "gardening", 22, &[]),
    trade("locksmith", "locksmith", 9, &[]),
    trade("heating-engineer", "heating", 16, &["plumber"]),
    trade("bricklayer", "building", 12, &["roofer"]),
    trade("cleaner", "cleaning", 24, &[]),
];

/// The trade with this slug.
///
/// # Panics
/// If there is none: slugs are constants of this module.
pub fn by_slug(slug: &str) -> &'static DemoTrade {
    TRADES
        .iter()
        .find(|t| t.slug == slug)
        .unwrap_or_else(|| panic!("no trade {slug}"))
}

/// One or two trades for a new firm: a main trade by weight, and with a one-in-four chance a
/// related second one ("plumbing and heating" is one firm in Bristol as everywhere).
pub fn pick_trades(rng: &mut ChaCha8Rng) -> Vec<&'static str> {
    let main = TRADES
        .choose_weighted(rng, |t| t.weight)
        .expect("weights are positive");
    let mut trades = vec![main.slug];
    if rng.gen_bool(0.25) {
        if let Some(second) = main.also.choose(rng) {
            trades.push(second);
        }
    }
    trades
}
