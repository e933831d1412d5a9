//! The demo town behind `vouchgraph seed-demo`: about 2,000 residents of real Bristol
//! neighbourhoods, 250 tradespeople's firms, a trust graph shaped like a real acquaintance
//! network, and vouches, plus a short story with named accounts that shows what trust paths
//! change (see [`story`]).
//!
//! Two halves, so the interesting one can be unit-tested without a database:
//!
//! * [`generate`] builds a [`DemoTown`] of plain structs from a seed, deterministically;
//! * [`seed_demo`] writes [`generate`]`(`[`DEMO_SEED`]`)` to Postgres in one transaction, with
//!   its change-feed rows, unless it is already there.
//!
//! | file | what |
//! |---|---|
//! | `town.rs` | the plain data types |
//! | `generate.rs` | the recipe, from one seed |
//! | `geography.rs`, `names.rs`, `trades.rs`, `notes.rs` | embedded places, names and texts |
//! | `random.rs` | the distributions drawn from |
//! | `people.rs`, `providers.rs`, `social.rs`, `edges.rs`, `vouches.rs` | each part of the town |
//! | `story.rs` | the named accounts and their edges |
//! | `stats.rs` | degree and clustering figures |
//! | `insert.rs`, `history.rs`, `summary.rs` | writing to Postgres and reporting |

mod circle;
mod edges;
mod generate;
pub mod geography;
mod history;
mod insert;
mod names;
mod notes;
mod people;
mod providers;
mod random;
mod referrals;
mod requests;
mod social;
mod stats;
pub mod story;
mod summary;
mod town;
mod trades;
mod vouches;

#[cfg(test)]
mod tests_db;
#[cfg(test)]
mod tests_story;
#[cfg(test)]
mod tests_town;

pub use generate::{generate, DEMO_SEED, PEOPLE, PROVIDERS};
pub use stats::{graph_stats, GraphStats};
pub use story::STORY_ACCOUNTS;
pub use summary::DemoSummary;
pub use town::{DemoPerson, DemoProvider, DemoTown, DemoTrust, DemoVouch};

/// The password of every generated (non-story) demo account: log in as any
/// `firstname.lastname.N@demo.vouchgraph.test` with it. It is hashed once and the hash shared,
/// because hashing 2,000 argon2id passwords would make seeding take minutes. Demo data only:
/// never seed the demo into a database that real people use.
pub const SHARED_PASSWORD: &str = "bristol-demo-2026";

/// The domain of every demo email. `.test` is reserved (RFC 2606), so no mail ever leaves.
pub const DEMO_EMAIL_DOMAIN: &str = "demo.vouchgraph.test";

/// Creates the demo town, unless it exists (the story's first account is the marker), and
/// returns the demo's counts either way. Idempotent: running it twice changes nothing.
///
/// Everything, change-feed rows included, is written in one transaction, so a failure leaves
/// no half town behind. Takes a few seconds, mostly argon2id hashing of the story accounts'
/// passwords and the shared one.
pub async fn seed_demo(pool: &sqlx::PgPool) -> anyhow::Result<DemoSummary> {
    let town = generate(DEMO_SEED);
    let summary = insert::insert_town(pool, &town).await?;
    let requests = requests::seed(pool)
        .await
        .map_err(|e| e.context("seeding the demo town's requests"))?;
    if requests > 0 {
        tracing::info!(requests, "seeded the demo town's requests");
    }
    if circle::seed(pool)
        .await
        .map_err(|e| e.context("seeding Anna's invitation to Ben"))?
    {
        tracing::info!("seeded Anna's circle invitation to Ben");
    }
    Ok(summary)
}
