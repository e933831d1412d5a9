//! Importing real trust networks: `vouchgraph import <format> <path>` loads people (without
//! accounts) and their trust and distrust edges into Postgres, so the ranking can be tried on
//! social structure nobody here wrote.
//!
//! An import is one transaction: a malformed line stops it with the line's number before
//! anything is written, and a database error rolls everything back. It is idempotent: people
//! are keyed by `people.external_ref` (`advogato:42`), edges are upserted, and `graph_changes`
//! gets a row only for what actually changed, so importing a file twice changes nothing.
//!
//! | file | what |
//! |---|---|
//! | `input.rs` | opening a file, plain or gzip-compressed (`tests/data` keeps the networks as `.gz`) |
//! | `table.rs` | rows of a delimited file: BOM, CRLF, comments, separator detection, line numbers |
//! | `network.rs` | the network as read: people by source id, one fact per ordered pair |
//! | `advogato.rs`, `bitcoin.rs`, `generic.rs` | the formats and their mappings to trust levels |
//! | `write.rs` | the transaction: batched upserts and the change-feed rows |
//!
//! The same readers give offline evaluation (`crate::evaluate`) its trust graphs, so a file
//! means the same thing whether it is imported or evaluated.

pub mod advogato;
pub mod bitcoin;
pub mod generic;
pub mod input;
pub mod network;
pub mod table;
pub mod write;

use std::path::{Path, PathBuf};

use anyhow::Context;
use sqlx::PgPool;

pub use network::{Fact, Network};
pub use write::ImportReport;

/// The formats `import` (and `evaluate --trust-format`) read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// KONECT's Advogato: a folder, or `out.advogato` with `ent.advogato.user.name` beside it.
    Advogato,
    /// SNAP's signed Bitcoin OTC network (`soc-sign-bitcoinotc.csv`).
    BitcoinOtc,
    /// SNAP's signed Bitcoin Alpha network (`bitcoinalpha.csv`).
    BitcoinAlpha,
    /// `truster,trustee[,weight]` with weight a trust level 1 to 3 (negative: distrust).
    Csv,
}

impl Format {
    /// The default prefix of imported people's `external_ref`.
    pub fn source_name(self) -> &'static str {
        match self {
            Format::Advogato => "advogato",
            Format::BitcoinOtc => "bitcoin-otc",
            Format::BitcoinAlpha => "bitcoin-alpha",
            Format::Csv => "csv",
        }
    }
}

/// `vouchgraph import`'s arguments.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The file's format.
    #[arg(value_enum)]
    pub format: Format,
    /// The file, or the folder holding it; gzip-compressed files are read as well.
    pub path: PathBuf,
    /// The prefix of the imported people's `external_ref` (default: the format's name, e.g.
    /// `advogato`); give each network of the generic format a name of its own.
    #[arg(long)]
    pub source: Option<String>,
}

/// Reads a network in `format` from `path`.
///
/// # Errors
/// The file is missing, unreadable or has a malformed line (named by its number).
pub fn read_network(format: Format, path: &Path) -> anyhow::Result<Network> {
    match format {
        Format::Advogato => advogato::read(path),
        Format::BitcoinOtc | Format::BitcoinAlpha => bitcoin::read(path),
        Format::Csv => generic::read(path),
    }
}

/// Runs `vouchgraph import`: reads the whole file first (so a malformed line costs no database
/// work), then writes it in one transaction.
///
/// # Errors
/// A malformed line, or a database error; either way nothing is written.
pub async fn run(pool: &PgPool, args: &ImportArgs) -> anyhow::Result<ImportReport> {
    let source = args.source.as_deref().unwrap_or(args.format.source_name());
    anyhow::ensure!(
        !source.is_empty() && !source.contains(':'),
        "--source must be a non-empty name without ':'"
    );
    let started = std::time::Instant::now();
    let network = read_network(args.format, &args.path)
        .with_context(|| format!("reading {}", args.path.display()))?;
    tracing::info!(
        people = network.people().len(),
        edges = network.edges().len(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "read the network; writing it"
    );
    let report = write::write_network(pool, &network, source).await?;
    tracing::info!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        "import committed"
    );
    Ok(report)
}
