//! The `vouchgraph` binary: serve (the default), migrate, or seed the demo town.

use clap::{Parser, Subcommand};

use vouchgraph::config::Config;
use vouchgraph::startup::{self, Application};

/// vouchgraph: find tradespeople through the people you trust.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP service (the default).
    Serve,
    /// Apply the database migrations and exit.
    Migrate,
    /// Create the demo town (idempotent: does nothing if it exists).
    SeedDemo,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    vouchgraph::telemetry::init();
    let cli = Cli::parse();
    let config = Config::from_env()?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => Application::build(config).await?.run(true).await,
        Command::Migrate => {
            let pool = startup::connect_lazy(&config)?;
            startup::MIGRATOR.run(&pool).await?;
            tracing::info!("migrations applied");
            Ok(())
        }
        Command::SeedDemo => {
            let pool = startup::connect_lazy(&config)?;
            startup::MIGRATOR.run(&pool).await?;
            let summary = vouchgraph::demo::seed_demo(&pool).await?;
            println!("{summary}");
            Ok(())
        }
    }
}
