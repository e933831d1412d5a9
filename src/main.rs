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
    /// Catch email: an SMTP listener that keeps every message in a folder, for the demo.
    MailCatcher(MailCatcherArgs),
}

/// Where the mail catcher listens and what it keeps.
#[derive(clap::Args)]
struct MailCatcherArgs {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:2525")]
    addr: std::net::SocketAddr,
    /// The folder each message is written to, one `.eml` file per message.
    #[arg(long, default_value = "target/demo-mail")]
    dir: std::path::PathBuf,
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
        Command::MailCatcher(args) => {
            let listener = std::net::TcpListener::bind(args.addr)?;
            let sink = vouchgraph::mail::catcher::folder(args.dir.clone())?;
            vouchgraph::mail::catcher::spawn(listener, sink)?;
            tracing::info!(addr = %args.addr, dir = %args.dir.display(), "catching email");
            tokio::signal::ctrl_c().await?;
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
        Command::Predict(_) | Command::Evaluate(_) | Command::MailCatcher(_) => {
            unreachable!("handled above")
        }
    }
}
