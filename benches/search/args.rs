//! The bench's command line.

use clap::Parser;
use vouchgraph::domain::TradeId;
use vouchgraph::graph::RankParams;
use vouchgraph::synth::SynthConfig;

/// Search latency, memory and load time on a synthetic network, against igraph's exact
/// personalized PageRank and a Postgres recursive CTE. Run through `scripts/bench.sh`.
#[derive(Debug, Parser)]
pub struct Args {
    /// About 50,000 people (the benchmark's proportions), to iterate quickly.
    #[arg(long)]
    pub quick: bool,
    /// People (default 1,000,000); edges, providers, vouches and communities scale with it
    /// unless given.
    #[arg(long)]
    pub people: Option<usize>,
    /// Trust edges (default 12 per person).
    #[arg(long)]
    pub edges: Option<usize>,
    /// Providers (default 1 per 20 people).
    #[arg(long)]
    pub providers: Option<usize>,
    /// Vouches (default 2 per person).
    #[arg(long)]
    pub vouches: Option<usize>,
    /// Communities (default 1 per 500 people).
    #[arg(long)]
    pub communities: Option<usize>,
    /// The generator's seed; the seekers are drawn from it too.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// How many random seekers the engine ranks for, one query each.
    #[arg(long, default_value_t = 1000)]
    pub seekers: usize,
    /// How many seekers, drawn from the 1% who trust the most people, the engine also ranks
    /// for (the "heaviest" row): they are the people a real network depends on, and the slowest.
    #[arg(long, default_value_t = 200)]
    pub heavy_seekers: usize,
    /// How many of those (the first ones) igraph ranks for; about 3 s each at full size.
    #[arg(long, default_value_t = 100)]
    pub igraph_seekers: usize,
    /// How many of those (the first ones) the recursive CTE ranks for.
    #[arg(long, default_value_t = 100)]
    pub cte_seekers: usize,
    /// The trade searched for; 1 (plumber) is the most common, so the most work.
    #[arg(long, default_value_t = 1)]
    pub trade: i32,
    /// The push threshold `RankParams::epsilon` (default: the engine's default), to show what
    /// precision costs: smaller is closer to exact and slower.
    #[arg(long)]
    pub epsilon: Option<f64>,
    /// `RankParams::frontier_floor` (default: the engine's default): from how much waiting
    /// mass, in epsilons, a person the push never pushed counts. Smaller is closer to exact and
    /// reads more people's vouches; `inf` counts pushed people only.
    #[arg(long)]
    pub frontier_floor: Option<f64>,
    /// Give up on one CTE query after this many seconds (it then counts as this long).
    #[arg(long, default_value_t = 60)]
    pub cte_timeout_s: u64,
    /// How many random trust changes the live-prior phase applies, each settled by local
    /// pushes, to measure what keeping the global prior current costs (0 skips the phase).
    #[arg(long, default_value_t = 1000)]
    pub live_changes: usize,
    /// Skip the igraph comparison.
    #[arg(long)]
    pub no_igraph: bool,
    /// Skip Postgres (load time and CTE), also skipped when DATABASE_URL is not set.
    #[arg(long)]
    pub no_postgres: bool,
    /// Python with igraph and numpy (scripts/bench.sh sets it to its venv).
    #[arg(long, env = "VG_BENCH_PYTHON", default_value = "python3")]
    pub python: String,
    /// Passed by `cargo bench` to every bench binary; ignored.
    #[arg(long, hide = true)]
    pub bench: bool,
}

impl Args {
    /// The network to generate.
    pub fn synth_config(&self) -> SynthConfig {
        let people = match (self.people, self.quick) {
            (Some(people), _) => people,
            (None, true) => 50_000,
            (None, false) => SynthConfig::benchmark().people,
        };
        let mut config = SynthConfig::benchmark_scaled(people);
        config.seed = self.seed;
        if let Some(edges) = self.edges {
            config.trust_edges = edges;
        }
        if let Some(providers) = self.providers {
            config.providers = providers;
        }
        if let Some(vouches) = self.vouches {
            config.vouches = vouches;
        }
        if let Some(communities) = self.communities {
            config.communities = communities;
        }
        config
    }

    /// The ranking's parameters: the engine's defaults, but for `--epsilon`.
    pub fn params(&self) -> RankParams {
        let mut params = RankParams::default();
        if let Some(epsilon) = self.epsilon {
            params.epsilon = epsilon;
        }
        if let Some(floor) = self.frontier_floor {
            params.frontier_floor = floor;
        }
        params
    }

    /// The trade searched for.
    pub fn trade(&self) -> TradeId {
        TradeId(self.trade)
    }

    /// The arguments as given, for the report's command line.
    pub fn command_line() -> String {
        let given: Vec<String> = std::env::args()
            .skip(1)
            .filter(|arg| arg != "--bench")
            .collect();
        if given.is_empty() {
            "scripts/bench.sh".to_owned()
        } else {
            format!("scripts/bench.sh {}", given.join(" "))
        }
    }
}
