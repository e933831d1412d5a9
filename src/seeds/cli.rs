//! `vouchgraph seeds list | add <person> | remove <person>`.

use std::fmt::Write;

use sqlx::PgPool;
use time::format_description::well_known::Rfc3339;

use crate::seeds::{self, PersonRef, FOUNDING_SEEDS};
use crate::store;
use crate::store::seeds::SeedAction;

/// The operator's seeds of the global prior.
#[derive(clap::Args)]
pub struct SeedsArgs {
    #[command(subcommand)]
    command: SeedsCommand,
}

#[derive(clap::Subcommand)]
enum SeedsCommand {
    /// Print every seed: id, name, since when, and why.
    List,
    /// Make a person (an id or an account's email) a seed.
    Add {
        /// The person's id or email.
        person: PersonRef,
        /// Why this person is trusted, kept in the history.
        #[arg(long)]
        reason: String,
    },
    /// Stop a person (an id or an account's email) being a seed.
    Remove {
        /// The person's id or email.
        person: PersonRef,
        /// Why, kept in the history.
        #[arg(long)]
        reason: String,
    },
}

/// Runs the subcommand and returns what to print.
pub async fn run(pool: &PgPool, args: &SeedsArgs) -> anyhow::Result<String> {
    let done = match &args.command {
        SeedsCommand::List => return list(pool).await,
        SeedsCommand::Add { person, reason } => seeds::change::add(pool, person, reason).await?,
        SeedsCommand::Remove { person, reason } => {
            seeds::change::remove(pool, person, reason).await?
        }
    };
    let what = match done.action {
        SeedAction::Added => "is now a seed",
        SeedAction::Removed => "is no longer a seed",
    };
    Ok(format!(
        "{} (person {}) {what} (change {}); running instances pick it up from the change feed\n",
        done.name, done.id, done.seq
    ))
}

/// What `seeds list` prints: every seed with since when and why, or the founders standing in.
pub async fn list(pool: &PgPool) -> anyhow::Result<String> {
    let rows = store::seeds::list(pool).await?;
    let mut out = String::new();
    if rows.is_empty() {
        let founders = store::seeds::earliest(pool, FOUNDING_SEEDS).await?;
        let names: Vec<String> = founders
            .iter()
            .map(|(id, name)| format!("{name} ({id})"))
            .collect();
        writeln!(
            out,
            "No operator seeds: the global prior restarts on the {} founding members: {}.",
            founders.len(),
            names.join(", ")
        )?;
        return Ok(out);
    }
    writeln!(out, "{:>8}  {:<30}  {:<20}  reason", "id", "name", "since")?;
    for row in rows {
        let since = match row.since {
            Some(at) => at
                .replace_nanosecond(0)
                .unwrap_or(at)
                .format(&Rfc3339)
                .unwrap_or_default(),
            None => "-".to_string(),
        };
        let reason = row
            .reason
            .unwrap_or_else(|| "(marked before seeds had a history)".to_string());
        writeln!(
            out,
            "{:>8}  {:<30}  {:<20}  {reason}",
            row.id, row.display_name, since
        )?;
    }
    Ok(out)
}
