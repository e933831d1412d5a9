//! The figures, as one markdown report.

use std::fmt::Write as _;
use std::time::Duration;

use vouchgraph::domain::TradeId;
use vouchgraph::synth::SynthConfig;

use crate::engine::Stats;

/// Targets from the issue.
const P50_TARGET_S: f64 = 0.002;
const P99_TARGET_S: f64 = 0.010;
const HEAVY_P99_TARGET_S: f64 = 0.010;
const SPEED_UP_TARGET: f64 = 100.0;
const OVERLAP_TARGET: f64 = 0.95;
const BYTES_PER_EDGE_TARGET: f64 = 64.0;
const LOAD_TARGET_S: f64 = 30.0;

/// Everything measured in one run.
pub struct Report {
    pub command: String,
    pub machine: String,
    pub compilers_seen: usize,
    pub load_average: String,
    pub config: SynthConfig,
    pub trade: TradeId,
    pub epsilon: f64,
    /// `RankParams::frontier_floor` as run.
    pub frontier_floor: f64,
    pub trade_providers: usize,
    pub trade_vouches: usize,
    pub generate: Duration,
    pub build: Duration,
    pub prior: Duration,
    pub prior_iterations: u32,
    pub trust_edges: usize,
    pub graph_edges: usize,
    pub memory_estimate: usize,
    pub resident_growth: u64,
    pub engine: Stats,
    pub seekers: usize,
    /// The same seekers' second search, in another trade.
    pub repeat: Stats,
    /// The walk cache at the end of the run.
    pub walk_cache: vouchgraph::graph::WalkCacheStats,
    /// The engine on the heaviest trusters, if any were drawn.
    pub heaviest: Option<Heaviest>,
    pub results_per_query: f64,
    pub explained_share: f64,
    pub igraph: Result<Comparison, String>,
    pub postgres: Result<PostgresFigures, String>,
    /// What keeping the global prior current costs per trust change.
    pub live_prior: Option<crate::live_prior::LivePrior>,
}

/// The engine on the heaviest trusters.
pub struct Heaviest {
    pub stats: Stats,
    pub seekers: usize,
    pub min_out_degree: usize,
    pub max_out_degree: usize,
}

/// A reference timed on the first `seekers` of the engine's seekers.
pub struct Comparison {
    pub seekers: usize,
    pub label: String,
    pub reference: Stats,
    /// The engine on the same seekers.
    pub engine: Stats,
    /// Top-10 overlap, mean and minimum (igraph only).
    pub overlap: Option<(f64, f64)>,
    pub notes: Vec<String>,
}

impl Comparison {
    fn mean_ratio(&self) -> f64 {
        self.reference.mean / self.engine.mean
    }

    fn median_ratio(&self) -> f64 {
        self.reference.p50 / self.engine.p50
    }
}

/// Load time and the CTE.
pub struct PostgresFigures {
    pub load: Duration,
    pub bulk_load: Duration,
    pub server_version: String,
    pub cte: Comparison,
}

/// Seconds as milliseconds, or as seconds from one second up.
pub fn ms(seconds: f64) -> String {
    if seconds >= 1.0 {
        format!("{seconds:.2} s")
    } else {
        format!("{:.3} ms", seconds * 1e3)
    }
}

fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "met", or "**missed**" with how far off.
fn verdict(met: bool, how_far: impl FnOnce() -> String) -> String {
    if met {
        "met".to_owned()
    } else {
        format!("**missed** ({})", how_far())
    }
}

impl Report {
    /// The headline figures as one JSON object, for `scripts/cost-curve.py` to chart across
    /// network sizes.
    pub fn figures(&self) -> serde_json::Value {
        let seconds = |d: Duration| d.as_secs_f64();
        serde_json::json!({
            "command": self.command,
            "machine": self.machine,
            "people": self.config.people,
            "trust_edges": self.trust_edges,
            "graph_edges": self.graph_edges,
            "generate_s": seconds(self.generate),
            "build_s": seconds(self.build),
            "prior_s": seconds(self.prior),
            "resident_growth_bytes": self.resident_growth,
            "bytes_per_edge": self.resident_growth as f64 / self.graph_edges.max(1) as f64,
            "p50_ms": self.engine.p50 * 1e3,
            "p99_ms": self.engine.p99 * 1e3,
            "heaviest_p99_ms": self.heaviest.as_ref().map(|h| h.stats.p99 * 1e3),
            "load_s": self.postgres.as_ref().ok().map(|p| seconds(p.load)),
            "live_change_mean_ms": self.live_prior.as_ref().map(|l| l.per_change.mean * 1e3),
            "live_change_p99_ms": self.live_prior.as_ref().map(|l| l.per_change.p99 * 1e3),
            "full_prior_s": self.live_prior.as_ref().map(|l| seconds(l.full_recompute)),
        })
    }

    /// The report as markdown.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let c = &self.config;
        let _ = writeln!(out, "### Search benchmark\n");
        let _ = writeln!(out, "- command: `{}`", self.command);
        let _ = writeln!(out, "- machine: {}", self.machine);
        let _ = writeln!(
            out,
            "- other builds: at most {} rustc processes seen running during the run; load average {} at the end",
            self.compilers_seen, self.load_average
        );
        let _ = writeln!(
            out,
            "- network (`vouchgraph::synth`, seed {}): {} people, {} trust edges, {} providers, {} vouches, {} trades, {} communities, all public",
            c.seed,
            thousands(c.people),
            thousands(c.trust_edges),
            thousands(c.providers),
            thousands(c.vouches),
            c.trades,
            thousands(c.communities)
        );
        let _ = writeln!(
            out,
            "- generated in {:.1} s; `GraphBuilder` built the graph in {:.1} s; `compute_prior` took {:.1} s ({} iterations, restarting on the 10 founders, as the service does before an operator names a seed)",
            self.generate.as_secs_f64(),
            self.build.as_secs_f64(),
            self.prior.as_secs_f64(),
            self.prior_iterations
        );
        let _ = writeln!(
            out,
            "- query: trade {} ({} providers offer it, {} vouches for it), no location filter, limit 10, `RankParams` defaults with epsilon = {:e} and frontier floor {}, explanations on: {:.1} results per query, {:.0}% of them with a path\n",
            self.trade,
            thousands(self.trade_providers),
            thousands(self.trade_vouches),
            self.epsilon,
            self.frontier_floor,
            self.results_per_query,
            self.explained_share * 100.0
        );
        self.render_side_by_side(&mut out);
        self.render_targets(&mut out);
        self.render_live_prior(&mut out);
        out
    }

    fn render_live_prior(&self, out: &mut String) {
        let Some(live) = &self.live_prior else {
            return;
        };
        let per = &live.per_change;
        let _ = writeln!(
            out,
            "\nLive prior: {} random trust changes (half new public edges inside a community, half revocations), each recorded and settled by local pushes before the next (`graph/live_trust.rs`, tolerance 1e-6):\n",
            thousands(live.changes)
        );
        let _ = writeln!(out, "| figure | measured |");
        let _ = writeln!(out, "|---|---:|");
        let _ = writeln!(
            out,
            "| start (`LiveTrust::new`: power iteration, residual, settle) | {:.2} s |",
            live.start.as_secs_f64()
        );
        let _ = writeln!(
            out,
            "| full `compute_prior` on the changed graph (what a change used to cost) | {:.2} s |",
            live.full_recompute.as_secs_f64()
        );
        let _ = writeln!(
            out,
            "| per change: p50 / p99 / mean / max | {} / {} / {} / {} |",
            ms(per.p50),
            ms(per.p99),
            ms(per.mean),
            ms(per.max)
        );
        let _ = writeln!(
            out,
            "| per change: pushes / trust-edge reads (mean) | {:.0} / {:.0} |",
            live.pushes, live.edge_reads
        );
        let _ = writeln!(
            out,
            "| changes whose pushes reached a full recompute's work, so one was done instead | {} |",
            live.restarts
        );
        let _ = writeln!(
            out,
            "| share of one core at 10 changes/s (10 x mean) | {:.2}% |",
            per.mean * 10.0 * 100.0
        );
        let _ = writeln!(
            out,
            "| deriving the providers' prior from the kept values (once per refresh) | {:.2} s |",
            live.derive.as_secs_f64()
        );
        let _ = writeln!(
            out,
            "| stated bound on the L1 distance after the last change | {:.2e} |",
            live.bound
        );
        let _ = writeln!(
            out,
            "| measured L1 distance from a power iteration to 1e-13 | {:.2e} |",
            live.distance
        );
        let _ = writeln!(
            out,
            "| largest difference of any provider's prior from a full recompute | {:.2e} |",
            live.prior_difference
        );
    }

    fn render_side_by_side(&self, out: &mut String) {
        let mut columns = vec![(
            format!(
                "engine (`rank_providers_for`), {} seekers",
                thousands(self.seekers)
            ),
            self.engine,
        )];
        let mut last_subset = None;
        for comparison in [
            self.igraph.as_ref().ok(),
            self.postgres.as_ref().ok().map(|p| &p.cte),
        ]
        .into_iter()
        .flatten()
        {
            // Both references use the first seekers, so one engine column serves a subset size.
            if last_subset != Some(comparison.seekers) {
                columns.push((
                    format!("engine, first {} of them", comparison.seekers),
                    comparison.engine,
                ));
                last_subset = Some(comparison.seekers);
            }
            columns.push((
                format!("{}, same {} seekers", comparison.label, comparison.seekers),
                comparison.reference,
            ));
        }
        let _ = writeln!(out, "Per query, one thread:\n");
        let header: Vec<&str> = columns.iter().map(|(name, _)| name.as_str()).collect();
        let _ = writeln!(out, "| | {} |", header.join(" | "));
        let _ = writeln!(out, "|---|{}", "---:|".repeat(columns.len()));
        for (row, pick) in [
            ("p50", (|s: &Stats| s.p50) as fn(&Stats) -> f64),
            ("p99", |s: &Stats| s.p99),
            ("mean", |s: &Stats| s.mean),
            ("max", |s: &Stats| s.max),
        ] {
            let cells: Vec<String> = columns.iter().map(|(_, stats)| ms(pick(stats))).collect();
            let _ = writeln!(out, "| {row} | {} |", cells.join(" | "));
        }
        let _ = writeln!(out);
    }

    fn render_targets(&self, out: &mut String) {
        let _ = writeln!(out, "| figure | measured | target | verdict |");
        let _ = writeln!(out, "|---|---:|---:|---|");
        let e = &self.engine;
        let _ = writeln!(
            out,
            "| search with explanations, p50 | {} | ≤ 2 ms | {} |",
            ms(e.p50),
            verdict(e.p50 <= P50_TARGET_S, || format!(
                "{:.1}× the target",
                e.p50 / P50_TARGET_S
            ))
        );
        let _ = writeln!(
            out,
            "| search with explanations, p99 | {} | ≤ 10 ms | {} |",
            ms(e.p99),
            verdict(e.p99 <= P99_TARGET_S, || format!(
                "{:.1}× the target",
                e.p99 / P99_TARGET_S
            ))
        );
        let _ = writeln!(
            out,
            "| the same seeker's next search (another trade; walk remembered), p50 / p99 | {} / {} | | {} of {} lookups answered from memory |",
            ms(self.repeat.p50),
            ms(self.repeat.p99),
            thousands(self.walk_cache.hits as usize),
            thousands((self.walk_cache.hits + self.walk_cache.misses) as usize)
        );
        if let Some(heavy) = &self.heaviest {
            let _ = writeln!(
                out,
                "| heaviest: {} of the 1% who trust the most (out-degree {} to {}), p50 / p99 | {} / {} | p99 ≤ 10 ms | {} |",
                heavy.seekers,
                thousands(heavy.min_out_degree),
                thousands(heavy.max_out_degree),
                ms(heavy.stats.p50),
                ms(heavy.stats.p99),
                verdict(heavy.stats.p99 <= HEAVY_P99_TARGET_S, || format!(
                    "{:.1}× the target",
                    heavy.stats.p99 / HEAVY_P99_TARGET_S
                ))
            );
        }
        match &self.igraph {
            Ok(igraph) => {
                let ratio = igraph.mean_ratio();
                let _ = writeln!(
                    out,
                    "| speed-up over igraph exact PPR (mean / median ratio) | {ratio:.0}× / {:.0}× | ≥ 100× | {} |",
                    igraph.median_ratio(),
                    verdict(ratio >= SPEED_UP_TARGET, || format!("{ratio:.0}×"))
                );
                if let Some((mean, min)) = igraph.overlap {
                    let _ = writeln!(
                        out,
                        "| top-10 overlap with the exact ranking (mean; worst seeker) | {mean:.3}; {min:.1} | ≥ 0.95 | {} |",
                        verdict(mean >= OVERLAP_TARGET, || format!("{:.3} short", OVERLAP_TARGET - mean))
                    );
                }
            }
            Err(why) => {
                let _ = writeln!(out, "| igraph comparison | not run: {why} | | |");
            }
        }
        let per_edge = self.resident_growth as f64 / self.graph_edges as f64;
        let per_trust_edge = self.resident_growth as f64 / self.trust_edges as f64;
        let _ = writeln!(
            out,
            "| memory: resident-set growth while building, per graph edge ({} trust edges + vouches) | {per_edge:.1} B ({:.0} MiB) | ≤ 64 B | {} |",
            thousands(self.graph_edges),
            self.resident_growth as f64 / (1024.0 * 1024.0),
            verdict(per_edge <= BYTES_PER_EDGE_TARGET, || format!("{:.1}× the target", per_edge / BYTES_PER_EDGE_TARGET))
        );
        let _ = writeln!(
            out,
            "| memory: the same per trust edge only | {per_trust_edge:.1} B | ≤ 64 B | {} |",
            verdict(per_trust_edge <= BYTES_PER_EDGE_TARGET, || format!(
                "{:.1}× the target",
                per_trust_edge / BYTES_PER_EDGE_TARGET
            ))
        );
        let _ = writeln!(
            out,
            "| memory: `TrustGraph::memory_bytes()` per graph edge | {:.1} B ({:.0} MiB) | | |",
            self.memory_estimate as f64 / self.graph_edges as f64,
            self.memory_estimate as f64 / (1024.0 * 1024.0)
        );
        match &self.postgres {
            Ok(pg) => {
                let load = pg.load.as_secs_f64();
                let _ = writeln!(
                    out,
                    "| load: `load_snapshot` from Postgres {} | {load:.1} s | ≤ 30 s | {} |",
                    pg.server_version,
                    verdict(load <= LOAD_TARGET_S, || format!(
                        "{:.1} s over",
                        load - LOAD_TARGET_S
                    ))
                );
                let cte = &pg.cte;
                let _ = writeln!(
                    out,
                    "| recursive CTE (3 hops) / engine time (mean / median ratio) | {:.0}× / {:.0}× | | |",
                    cte.mean_ratio(),
                    cte.median_ratio()
                );
                let _ = writeln!(
                    out,
                    "| bulk `COPY` of the network into Postgres (setup, no target) | {:.0} s | | |",
                    pg.bulk_load.as_secs_f64()
                );
            }
            Err(why) => {
                let _ = writeln!(out, "| Postgres load and CTE | not run: {why} | | |");
            }
        }
        let notes: Vec<&String> = [
            self.igraph.as_ref().ok(),
            self.postgres.as_ref().ok().map(|p| &p.cte),
        ]
        .into_iter()
        .flatten()
        .flat_map(|c| &c.notes)
        .collect();
        if !notes.is_empty() {
            let _ = writeln!(out);
            for note in notes {
                let _ = writeln!(out, "- {note}");
            }
        }
    }
}
