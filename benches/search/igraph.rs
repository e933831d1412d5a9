//! The exact reference: export the graph, run benches/igraph_ppr.py, read its rankings back.

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context;
use serde::Deserialize;
use vouchgraph::domain::{PersonId, ProviderId, Stance, TradeId, Visibility};
use vouchgraph::graph::{Prior, RankParams};
use vouchgraph::synth::SynthNetwork;

use crate::engine::LIMIT;

/// What the script reports.
#[derive(Deserialize)]
pub struct Results {
    pub igraph_version: String,
    pub self_check_max_error: f64,
    /// Seconds to build igraph's graph from the export (not part of any query).
    pub load_s: f64,
    pub queries: Vec<Query>,
}

/// One seeker's exact ranking.
#[derive(Deserialize)]
pub struct Query {
    pub seeker: u32,
    /// `personalized_pagerank` alone.
    pub ppr_s: f64,
    /// The PageRank plus scoring and sorting the providers: the whole query.
    pub query_s: f64,
    pub top: Vec<i64>,
}

/// Exports the network for `trade` into `dir`, runs the script and returns its results.
///
/// # Errors
/// If the network is not all public (the reference walks public edges only), writing fails,
/// or the script fails.
pub fn run(
    python: &str,
    dir: &Path,
    net: &SynthNetwork,
    prior: &Prior,
    trade: TradeId,
    seekers: &[PersonId],
    params: &RankParams,
) -> anyhow::Result<Results> {
    anyhow::ensure!(
        net.trust_edges
            .iter()
            .all(|e| e.visibility == Visibility::Public)
            && net
                .vouches
                .iter()
                .all(|v| v.visibility == Visibility::Public),
        "the igraph comparison needs an all-public network"
    );
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    export(dir, net, prior, trade, seekers, params)?;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/igraph_ppr.py");
    let status = Command::new(python)
        .arg(&script)
        .arg(dir)
        .status()
        .with_context(|| format!("running {python} {}", script.display()))?;
    anyhow::ensure!(status.success(), "{} failed: {status}", script.display());
    let text = std::fs::read_to_string(dir.join("results.json"))?;
    let results: Results = serde_json::from_str(&text)?;
    let answered: Vec<u32> = results.queries.iter().map(|q| q.seeker).collect();
    let asked: Vec<u32> = seekers.iter().map(|&s| index(s)).collect();
    anyhow::ensure!(
        answered == asked,
        "the script answered for other seekers than asked"
    );
    Ok(results)
}

/// |A ∩ B| / |B| for the engine's top A and the exact top B (1 if both are empty).
pub fn overlap(engine: &[ProviderId], exact: &[i64]) -> f64 {
    if exact.is_empty() {
        return if engine.is_empty() { 1.0 } else { 0.0 };
    }
    let exact: HashSet<i64> = exact.iter().copied().collect();
    let shared = engine.iter().filter(|p| exact.contains(&p.0)).count();
    shared as f64 / exact.len() as f64
}

fn index(person: PersonId) -> u32 {
    (person.0 - 1) as u32
}

fn export(
    dir: &Path,
    net: &SynthNetwork,
    prior: &Prior,
    trade: TradeId,
    seekers: &[PersonId],
    params: &RankParams,
) -> anyhow::Result<()> {
    let meta = serde_json::json!({
        "people": net.people.len(),
        "alpha": params.alpha,
        "gamma": params.gamma,
        "lambda": params.lambda,
        "limit": LIMIT,
        "level_weights": params.level_weights,
    });
    std::fs::write(dir.join("meta.json"), meta.to_string())?;

    let mut edges = Writer::create(dir, "edges.u32")?;
    let mut levels = Writer::create(dir, "levels.u8")?;
    for edge in &net.trust_edges {
        edges.put(&index(edge.from).to_le_bytes())?;
        edges.put(&index(edge.to).to_le_bytes())?;
        levels.put(&[edge.level.get()])?;
    }
    edges.finish()?;
    levels.finish()?;

    let mut seeker_file = Writer::create(dir, "seekers.u32")?;
    for &seeker in seekers {
        seeker_file.put(&index(seeker).to_le_bytes())?;
    }
    seeker_file.finish()?;

    // The providers offering the trade, numbered in this order for the vouch file.
    let offering: Vec<_> = net
        .providers
        .iter()
        .filter(|p| p.trades.contains(&trade))
        .collect();
    let mut slot_of = vec![u32::MAX; net.providers.len()];
    let mut ids = Writer::create(dir, "providers_id.i64")?;
    let mut owners = Writer::create(dir, "providers_owner.u32")?;
    let mut priors = Writer::create(dir, "providers_prior.f64")?;
    for (slot, provider) in offering.iter().enumerate() {
        slot_of[(provider.id.0 - 1) as usize] = slot as u32;
        ids.put(&provider.id.0.to_le_bytes())?;
        owners.put(&index(provider.owner).to_le_bytes())?;
        priors.put(&prior.get(provider.id, trade).to_le_bytes())?;
    }
    ids.finish()?;
    owners.finish()?;
    priors.finish()?;

    let mut persons = Writer::create(dir, "vouch_person.u32")?;
    let mut providers = Writer::create(dir, "vouch_provider.u32")?;
    let mut warns = Writer::create(dir, "vouch_warn.u8")?;
    for vouch in net.vouches.iter().filter(|v| v.trade == trade) {
        persons.put(&index(vouch.person).to_le_bytes())?;
        providers.put(&slot_of[(vouch.provider.0 - 1) as usize].to_le_bytes())?;
        warns.put(&[u8::from(vouch.stance == Stance::Warn)])?;
    }
    persons.finish()?;
    providers.finish()?;
    warns.finish()
}

/// A buffered binary file.
struct Writer {
    path: PathBuf,
    out: BufWriter<File>,
}

impl Writer {
    fn create(dir: &Path, name: &str) -> anyhow::Result<Writer> {
        let path = dir.join(name);
        let file = File::create(&path).with_context(|| format!("creating {}", path.display()))?;
        Ok(Writer {
            path,
            out: BufWriter::with_capacity(1 << 20, file),
        })
    }

    fn put(&mut self, bytes: &[u8]) -> anyhow::Result<()> {
        self.out
            .write_all(bytes)
            .with_context(|| format!("writing {}", self.path.display()))
    }

    fn finish(mut self) -> anyhow::Result<()> {
        self.out
            .flush()
            .with_context(|| format!("writing {}", self.path.display()))
    }
}
