//! The search benchmark: ranking latency, memory and load time on a synthetic network of a
//! million people and twelve million trust edges, beside python-igraph's exact personalized
//! PageRank and a Postgres recursive CTE, in one run.
//!
//! ```text
//! scripts/bench.sh            # the full network; about 20 minutes
//! scripts/bench.sh --quick    # 50,000 people, to iterate
//! ```
//!
//! `scripts/bench.sh` makes the Python venv and a throwaway Postgres, then runs
//! `cargo bench --bench search -- ARGS`. The report goes to stdout and `target/bench-search.md`;
//! docs/performance.md explains each figure.

#[path = "search/args.rs"]
mod args;
#[path = "search/engine.rs"]
mod engine;
#[path = "search/igraph.rs"]
mod igraph;
#[path = "search/live_prior.rs"]
mod live_prior;
#[path = "search/machine.rs"]
mod machine;
#[path = "search/postgres.rs"]
mod postgres;
#[path = "search/report.rs"]
mod report;

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;
use vouchgraph::domain::PersonId;
use vouchgraph::graph::compute_prior;
use vouchgraph::seeds::FOUNDING_SEEDS;
use vouchgraph::synth::generate;

use args::Args;
use engine::Stats;
use report::{ms, Comparison, Heaviest, PostgresFigures, Report};

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let config = args.synth_config();
    let trade = args.trade();
    let params = args.params();
    machine::sample();

    eprintln!("generating {config:?}");
    let started = Instant::now();
    let net = generate(&config);
    let generate = started.elapsed();
    eprintln!(
        "generated in {:.1} s; building the graph",
        generate.as_secs_f64()
    );

    machine::sample();
    let mut built = engine::build(&net)?;
    let graph = &built.graph;
    eprintln!(
        "built in {:.1} s; computing the prior",
        built.build.as_secs_f64()
    );
    // As the service before an operator names any seed: the prior restarts on the founders,
    // the first people to join.
    let founders: Vec<PersonId> = net.people[..FOUNDING_SEEDS.min(net.people.len())].to_vec();
    let started = Instant::now();
    let prior = compute_prior(graph, &founders, &params);
    let prior_time = started.elapsed();

    let (seekers, warm_up) = engine::pick_seekers(&net, args.seekers, args.seed);
    eprintln!("ranking for {} seekers", seekers.len());
    machine::sample();
    let run = engine::run_queries(graph, &prior, &seekers, &warm_up, trade, &params);
    machine::sample();
    let (heavy, heavy_floor, heavy_top) =
        engine::pick_heaviest(&net, args.heavy_seekers, args.seed);
    eprintln!(
        "ranking for {} of the heaviest 1% (out-degree >= {heavy_floor})",
        heavy.len()
    );
    let heavy_run = engine::run_queries(graph, &prior, &heavy, &warm_up, trade, &params);
    machine::sample();
    let engine_stats = Stats::of_durations(&run.times);
    let engine_on = |count: usize| Stats::of_durations(&run.times[..count]);

    let igraph_seekers = args.igraph_seekers.min(seekers.len());
    let igraph = if args.no_igraph || igraph_seekers == 0 {
        Err("skipped (--no-igraph)".to_owned())
    } else {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-search-igraph");
        let outcome = igraph::run(
            &args.python,
            &dir,
            &net,
            &prior,
            trade,
            &seekers[..igraph_seekers],
            &params,
        );
        // The export is a few hundred megabytes; nothing reads it afterwards.
        let _ = std::fs::remove_dir_all(&dir);
        machine::sample();
        match outcome {
            Err(error) => {
                eprintln!("igraph comparison failed: {error:#}");
                Err(format!("failed: {error:#}"))
            }
            Ok(results) => {
                let overlaps: Vec<f64> = results
                    .queries
                    .iter()
                    .zip(&run.tops)
                    .map(|(exact, engine)| igraph::overlap(engine, &exact.top))
                    .collect();
                let query: Vec<f64> = results.queries.iter().map(|q| q.query_s).collect();
                let ppr = Stats::of(&results.queries.iter().map(|q| q.ppr_s).collect::<Vec<_>>());
                let full = overlaps.iter().filter(|&&o| o >= 1.0).count();
                Ok(Comparison {
            seekers: igraph_seekers,
            label: format!("igraph {} exact PPR", results.igraph_version),
            reference: Stats::of(&query),
            engine: engine_on(igraph_seekers),
            overlap: Some((
                overlaps.iter().sum::<f64>() / overlaps.len() as f64,
                overlaps.iter().copied().fold(1.0, f64::min),
            )),
            notes: vec![
                format!(
                    "igraph: `personalized_pagerank` alone took {} mean ({} p50) per query; the rest is scoring the providers with numpy. Building igraph's graph from the export took {:.0} s, not counted. Self-check against a power iteration in which dangling people restart at the seeker: max error {:.1e}.",
                    ms(ppr.mean),
                    ms(ppr.p50),
                    results.load_s,
                    results.self_check_max_error
                ),
                format!("igraph: {full} of {igraph_seekers} seekers have exactly the same top-10 set as the exact ranking."),
            ],
        })
            }
        }
    };

    let cte_seekers = args.cte_seekers.min(seekers.len());
    let postgres = match std::env::var("DATABASE_URL") {
        _ if args.no_postgres || cte_seekers == 0 => Err("skipped (--no-postgres)".to_owned()),
        Err(_) => Err("DATABASE_URL is not set (scripts/bench.sh sets it)".to_owned()),
        Ok(url) => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            let timeout = Duration::from_secs(args.cte_timeout_s);
            let outcome = runtime.block_on(postgres::run(
                &url,
                &net,
                trade,
                &seekers[..cte_seekers],
                &params,
                timeout,
            ));
            machine::sample();
            match outcome {
                Err(error) => {
                    eprintln!("Postgres phase failed: {error:#}");
                    Err(format!("failed: {error:#}"))
                }
                Ok(figures) => {
                    anyhow::ensure!(
                        figures.loaded_trust_edges == net.trust_edges.len()
                            && figures.loaded_vouches == net.vouches.len(),
                        "load_snapshot read {} trust edges and {} vouches, not {} and {}",
                        figures.loaded_trust_edges,
                        figures.loaded_vouches,
                        net.trust_edges.len(),
                        net.vouches.len()
                    );
                    let mut notes = vec![
                "CTE: every trust path of up to 3 hops from the seeker, then the reached people's vouches for the trade; no prior, no explanations (see benches/search/postgres.rs). It does less than the engine, so the ratio flatters it.".to_owned(),
            ];
                    if figures.cte_timeouts > 0 {
                        notes.push(format!(
                    "CTE: {} of {cte_seekers} queries hit the {} s statement timeout and count as {} s, so its times are lower bounds.",
                    figures.cte_timeouts, args.cte_timeout_s, args.cte_timeout_s
                ));
                    }
                    Ok(PostgresFigures {
                        load: figures.load,
                        bulk_load: figures.bulk_load,
                        server_version: figures.server_version,
                        cte: Comparison {
                            seekers: cte_seekers,
                            label: "Postgres recursive CTE".to_owned(),
                            reference: Stats::of_durations(&figures.cte_times),
                            engine: engine_on(cte_seekers),
                            overlap: None,
                            notes,
                        },
                    })
                }
            }
        }
    };

    let (trust_edges, graph_edges) = (
        graph.trust_edge_count(),
        graph.trust_edge_count() + graph.vouch_count(),
    );
    let (memory_estimate, walk_cache) = (graph.memory_bytes(), graph.walk_cache_stats());
    let live_prior = (args.live_changes > 0).then(|| {
        eprintln!("live prior: {} trust changes", args.live_changes);
        let figures = live_prior::run(
            &mut built.graph,
            &net,
            &founders,
            &params,
            args.live_changes,
            args.seed,
        );
        machine::sample();
        figures
    });

    let (compilers_seen, load_average) = machine::contention();
    let report = Report {
        command: Args::command_line(),
        machine: machine::describe(),
        compilers_seen,
        load_average,
        trade,
        epsilon: params.epsilon,
        frontier_floor: params.frontier_floor,
        trade_providers: net
            .providers
            .iter()
            .filter(|p| p.trades.contains(&trade))
            .count(),
        trade_vouches: net.vouches.iter().filter(|v| v.trade == trade).count(),
        config,
        generate,
        build: built.build,
        prior: prior_time,
        prior_iterations: prior.iterations(),
        trust_edges,
        graph_edges,
        memory_estimate,
        resident_growth: built.resident_growth,
        engine: engine_stats,
        seekers: seekers.len(),
        repeat: Stats::of_durations(&run.repeat_times),
        walk_cache,
        heaviest: (!heavy.is_empty()).then(|| Heaviest {
            stats: Stats::of_durations(&heavy_run.times),
            seekers: heavy.len(),
            min_out_degree: heavy_floor,
            max_out_degree: heavy_top,
        }),
        results_per_query: run.results as f64 / seekers.len() as f64,
        explained_share: run.explained as f64 / run.results.max(1) as f64,
        igraph,
        postgres,
        live_prior,
    };
    let markdown = report.render();
    println!("{markdown}");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-search.md");
    std::fs::write(&path, &markdown).with_context(|| format!("writing {}", path.display()))?;
    eprintln!("wrote {}", path.display());
    // One file per size, so runs at several sizes can be charted together.
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("target/bench-search-{}.json", report.config.people));
    std::fs::write(&path, serde_json::to_string_pretty(&report.figures())?)
        .with_context(|| format!("writing {}", path.display()))?;
    eprintln!("wrote {}", path.display());
    Ok(())
}
