//! Offline evaluation: does ranking by who vouches beat anonymous reviews, on data nobody here
//! wrote? Two commands, both running the search's own code (see `model.rs`):
//!
//! - `vouchgraph predict --trust T.csv --ratings R.csv --queries Q.csv --out P.csv` writes, for
//!   each query `seeker,item`, a predicted rating and whether the seeker's network covered it.
//! - `vouchgraph evaluate --trust T.csv --ratings R.csv [--holdout 0.2 --seed 7]` holds out
//!   ratings, predicts them, and compares vouchgraph with the anonymous item mean; with
//!   `--sybil N --attack-edges K` it also attacks target items with N fake raters.
//!
//! `docs/quality.md` has the protocol, the measured tables and the commands behind them.
//!
//! | file | what |
//! |---|---|
//! | `data.rs` | reading ratings and queries |
//! | `model.rs` | ratings as vouches, predictions through the engine |
//! | `kindred.rs` | raters who agree with the seeker's own ratings |
//! | `kindred_fit.rs` | how far their word moves an estimate, read from the ratings |
//! | `shrinkage.rs` | how many raters an item needs, read from the ratings |
//! | `split.rs` | held-out ratings, leakage, the sybil attack |
//! | `metrics.rs` | MAE, coverage, pairwise order accuracy |
//! | `protocol.rs`, `predict.rs` | the two commands |

pub mod data;
mod kindred;
mod kindred_fit;
pub mod metrics;
pub mod model;
pub mod predict;
mod predictions_file;
pub mod protocol;
mod shrinkage;
pub mod split;

use std::path::PathBuf;

use anyhow::Context;

use crate::graph::RankParams;
use crate::import::{Format, Network};

use self::split::AttackKind;

/// `vouchgraph predict`'s arguments.
#[derive(Debug, clap::Args)]
pub struct PredictArgs {
    /// Trust edges: `truster,trustee[,weight]` (or another format, see --trust-format).
    #[arg(long)]
    pub trust: PathBuf,
    /// The trust file's format, as `vouchgraph import` reads it.
    #[arg(long, value_enum, default_value = "csv")]
    pub trust_format: Format,
    /// Ratings: `rater,item,rating`; an item plays a provider and a rating a vouch.
    #[arg(long)]
    pub ratings: PathBuf,
    /// Queries: `seeker,item`.
    #[arg(long)]
    pub queries: PathBuf,
    /// Where to write `seeker,item,score,covered`.
    #[arg(long)]
    pub out: PathBuf,
    /// The operator's seeds: people (ids as in the trust file) whose trust seeds the global
    /// prior, comma-separated. Without any, the first ten people the file names are the
    /// founders, as in the service.
    #[arg(long, value_delimiter = ',')]
    pub seeds: Vec<String>,
}

/// `vouchgraph evaluate`'s arguments.
#[derive(Debug, clap::Args)]
pub struct EvaluateArgs {
    /// Trust edges: `truster,trustee[,weight]` (or another format, see --trust-format).
    #[arg(long)]
    pub trust: PathBuf,
    /// The trust file's format, as `vouchgraph import` reads it.
    #[arg(long, value_enum, default_value = "csv")]
    pub trust_format: Format,
    /// Ratings: `rater,item,rating`.
    #[arg(long)]
    pub ratings: PathBuf,
    /// The share of eligible ratings held out and predicted.
    #[arg(long, default_value_t = 0.2)]
    pub holdout: f64,
    /// The random seed of the split and the attack.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Item ids name people of the trust file (ratings are a trust network's own signed
    /// edges): a held-out rating's edge then leaves the trust graph too.
    #[arg(long)]
    pub items_are_people: bool,
    /// Keeps each trust edge with this probability (seeded by `--seed`) before anything else:
    /// the same ratings over a sparser trust graph, where most raters are reached by no walk.
    #[arg(long, default_value_t = 1.0)]
    pub trust_sample: f64,
    /// A sybil attack to run after the clean measures, by its shape (none: no attack).
    #[arg(long, value_enum)]
    pub attack: Option<AttackKind>,
    /// How many fake raters the attack adds.
    #[arg(long, default_value_t = 1000)]
    pub sybil: usize,
    /// Trust edges from honest people into the sybils.
    #[arg(long, default_value_t = 2)]
    pub attack_edges: usize,
    /// How many items the sybils aim at: the worst-liked (or, for demotion, best-liked) items
    /// that held-out ratings are about.
    #[arg(long, default_value_t = 20)]
    pub targets: usize,
    /// The operator's seeds: people (ids as in the trust file) whose trust seeds the global
    /// prior, comma-separated. Without any, the first ten people the file names are the
    /// founders, as in the service.
    #[arg(long, value_delimiter = ',')]
    pub seeds: Vec<String>,
    /// Overrides one of the engine's `RankParams` to explore, as `name=value` (for example
    /// `--param anchor_cap=0.001`), repeatable; the defaults are the engine's own.
    #[arg(long = "param", value_parser = parse_param)]
    pub params: Vec<(String, f64)>,
    /// Also writes every clean held-out rating with both predictions here:
    /// `seeker,item,rating,vouchgraph,anonymous_mean,covered,seeker_trusts,item_raters`.
    #[arg(long)]
    pub predictions: Option<PathBuf>,
}

impl EvaluateArgs {
    /// The engine's parameters with this command's overrides.
    ///
    /// # Errors
    /// A name that is not a numeric field of `RankParams`.
    pub fn params(&self) -> anyhow::Result<RankParams> {
        let mut fields = serde_json::to_value(RankParams::default())?;
        for (name, value) in &self.params {
            match fields.get_mut(name.as_str()) {
                Some(field) if field.is_number() => *field = serde_json::json!(value),
                _ => anyhow::bail!("--param {name}: not a numeric ranking parameter"),
            }
        }
        Ok(serde_json::from_value(fields)?)
    }
}

/// `name=value`, as `--param` takes it.
fn parse_param(text: &str) -> Result<(String, f64), String> {
    let (name, value) = text
        .split_once('=')
        .ok_or_else(|| format!("{text:?}: expected name=value"))?;
    let value: f64 = value
        .trim()
        .parse()
        .map_err(|_| format!("{value:?} is not a number"))?;
    Ok((name.trim().to_owned(), value))
}

/// The people an operator names as seeds (`--seeds`), if any. Nothing else: the service has
/// no operator seeds until an operator adds some, and `predict` and `evaluate` measure it as
/// shipped, with the founders standing in where the service's prior would (`model.rs`).
///
/// # Errors
/// A named seed is not in the trust network.
pub fn choose_seeds(network: &Network, named: &[String]) -> anyhow::Result<Vec<u32>> {
    named
        .iter()
        .map(|key| {
            network
                .find(key.trim())
                .with_context(|| format!("seed {key:?} is not in the trust network"))
        })
        .collect()
}
