//! The `vouchgraph` binary: serve (the default), migrate, seed the demo town or a synthetic
//! network, import a trust network, manage the seeds of the global prior, or evaluate the
//! ranking offline.

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
    /// Load the benchmark's synthetic network into an empty database, with a seeker who can sign in.
    SeedSynthetic(vouchgraph::synth::SeedSyntheticArgs),
    /// Load a real trust network into Postgres (idempotent: a second run changes nothing).
    Import(vouchgraph::import::ImportArgs),
    /// List, add or remove the seeds of the global prior (recorded in the history).
    Seeds(vouchgraph::seeds::cli::SeedsArgs),
    /// Predict ratings through the trust graph, offline: no database needed.
    Predict(vouchgraph::evaluate::PredictArgs),
    /// Compare vouchgraph with the anonymous mean on held-out ratings, offline.
    Evaluate(vouchgraph::evaluate::EvaluateArgs),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    vouchgraph::telemetry::init();
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve);
    // Offline evaluation reads files only, so it needs no database settings.
    match &command {
        Command::Predict(args) => {
            let summary = vouchgraph::evaluate::predict::run(args)?;
            eprintln!("{summary}");
            return Ok(());
        }
        Command::Evaluate(args) => {
            print!("{}", vouchgraph::evaluate::protocol::run(args)?);
            return Ok(());
        }
        _ => {}
    }
    let config = Config::from_env()?;
    match command {
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
        Command::SeedSynthetic(args) => {
            let pool = startup::connect_lazy(&config)?;
            startup::MIGRATOR.run(&pool).await?;
            let summary =
                vouchgraph::synth::seed_synthetic(&pool, &args, config.argon2_memory_kib).await?;
            print!("{summary}");
            Ok(())
        }
        Command::Import(args) => {
            let pool = startup::connect_lazy(&config)?;
            startup::MIGRATOR.run(&pool).await?;
            println!("{}", vouchgraph::import::run(&pool, &args).await?);
            Ok(())
        }
        Command::Seeds(args) => {
            let pool = startup::connect_lazy(&config)?;
            startup::MIGRATOR.run(&pool).await?;
            print!("{}", vouchgraph::seeds::cli::run(&pool, &args).await?);
            Ok(())
        }
        Command::Predict(_) | Command::Evaluate(_) => unreachable!("handled above"),
    }
}
