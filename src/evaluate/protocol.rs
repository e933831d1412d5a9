//! `vouchgraph evaluate`: hold ratings out, predict them with vouchgraph and with the anonymous
//! item mean, and compare; then, if asked, attack some items with sybils and compare again.
//!
//! The protocol, step by step:
//! 1. Read the trust network and the ratings (raters and trust-file people share ids).
//! 2. Hold out `--holdout` of the ratings of people who trust someone (seeded shuffle).
//! 3. With `--items-are-people`, drop every trust or distrust edge that restates a held-out
//!    rating (u rated v, and the edge u -> v is that rating), so nothing held out is seen.
//! 4. Build the engine's graph from the rest and predict each held-out rating; the anonymous
//!    mean is the plain mean of the item's remaining ratings.
//! 5. With `--sybil N`: pick `--targets` items among those held out, add N sybils in a trust
//!    ring who rate every target at the top of the scale, and `--attack-edges` K level-3 trust
//!    edges from random honest people into the ring; predict the same held-out ratings again.

use std::fmt::Write;
use std::time::Instant;

use anyhow::Context;
use rustc_hash::FxHashSet;

use crate::import::read_network;

use super::data::read_ratings;
use super::metrics::{Predictions, Table};
use super::model::{Model, ModelInput, Prediction};
use super::predictions_file::{self, Held};
use super::split::{hold_out, inject, pick_targets, sparser, without_leaks, Attack, AttackKind};
use super::{choose_seeds, EvaluateArgs};

/// What `evaluate` measured.
#[derive(Debug)]
pub struct Evaluation {
    /// A description of the data and the split.
    pub summary: String,
    /// On all held-out ratings, then on those the seeker's network covered.
    pub clean: Vec<Table>,
    /// On the attacked items: before the attack, then after (empty without `--sybil`).
    pub attacked: Vec<Table>,
}

impl std::fmt::Display for Evaluation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "{}", self.summary)?;
        for table in self.clean.iter().chain(&self.attacked) {
            writeln!(f, "{table}")?;
        }
        if let [before, after] = self.attacked.as_slice() {
            writeln!(
                f,
                "order accuracy on the attacked items drops by {:.4} for vouchgraph and by {:.4} \
                 for the anonymous mean",
                before.vouchgraph.order_accuracy - after.vouchgraph.order_accuracy,
                before.mean.order_accuracy - after.mean.order_accuracy
            )?;
        }
        Ok(())
    }
}

/// Runs `vouchgraph evaluate`.
///
/// # Errors
/// An unreadable or malformed input (named by file and line).
pub fn run(args: &EvaluateArgs) -> anyhow::Result<Evaluation> {
    let started = Instant::now();
    let mut network = read_network(args.trust_format, &args.trust)
        .with_context(|| format!("reading {}", args.trust.display()))?;
    let ratings = read_ratings(&args.ratings, &mut network)?;
    let seeds = choose_seeds(&network, &args.seeds)?;
    let scale = ratings.scale().expect("read_ratings refuses an empty file");
    let all_edges = sparser(network.edges(), args.trust_sample, args.seed);
    let split = hold_out(ratings.rows(), &all_edges, args.holdout, args.seed);
    let item_person: Vec<Option<u32>> = ratings
        .items()
        .iter()
        .map(|key| args.items_are_people.then(|| network.find(key)).flatten())
        .collect();
    let edges = without_leaks(&all_edges, &split.test, &item_person);
    let queries: Vec<(u32, u32)> = split.test.iter().map(|r| (r.rater, r.item)).collect();
    let people = network.people().len();
    let items = ratings.items().len();
    let params = args.params()?;

    let clean = Model::build(
        &ModelInput {
            people,
            items,
            edges: &edges,
            ratings: &split.train,
            scale,
            seeds: &seeds,
        },
        params,
    )?;
    let vouchgraph = clean.predict_all(&queries);
    let mean: Vec<Option<f64>> = queries.iter().map(|&(_, i)| clean.plain_mean(i)).collect();
    if let Some(path) = &args.predictions {
        let held = Held {
            test: &split.test,
            vouchgraph: &vouchgraph,
            mean: &mean,
            edges: &edges,
            train: &split.train,
        };
        predictions_file::write(path, network.people(), &ratings, &held)?;
    }
    let crowd_pseudo = clean.crowd_pseudo_count();
    let kindred_pseudo = clean.kindred_pseudo_count();
    drop(clean);
    let predictions = Predictions {
        test: &split.test,
        vouchgraph: &vouchgraph,
        mean: &mean,
    };
    let covered = |i: usize| vouchgraph[i].is_some_and(|p: Prediction| p.covered);
    let mut evaluation = Evaluation {
        summary: String::new(),
        clean: vec![
            predictions.table("all held-out ratings", |_| true, |_, _| true),
            predictions.table(
                "held-out ratings the seeker's network covers",
                covered,
                |i, j| covered(i) && covered(j),
            ),
        ],
        attacked: Vec::new(),
    };

    // The crowd's shrinkage as read with the sybils' ratings among the rest.
    let mut attacked_pseudo = None;
    if let Some(kind) = args.attack.filter(|_| args.sybil > 0) {
        let targets: FxHashSet<u32> =
            pick_targets(&split.train, &split.test, args.targets, kind.demotes())
                .into_iter()
                .collect();
        // Compared on the same ratings and pairs before and after: those predicted before the
        // attack (an item only sybils rate has nothing honest to defend it, and is left out).
        let known = |i: usize| mean[i].is_some();
        let on_target = |i: usize| targets.contains(&split.test[i].item) && known(i);
        let with_target =
            |i: usize, j: usize| (on_target(i) || on_target(j)) && known(i) && known(j);
        evaluation.attacked.push(predictions.table(
            "attacked items, before the attack",
            on_target,
            with_target,
        ));
        let (mut attacked_edges, mut attacked_train) = (edges.clone(), split.train.clone());
        let mut target_list: Vec<u32> = targets.iter().copied().collect();
        target_list.sort_unstable();
        let attack = Attack {
            kind,
            sybils: args.sybil,
            attack_edges: args.attack_edges,
        };
        let sybils = inject(
            &attack,
            people,
            &mut attacked_edges,
            &mut attacked_train,
            &target_list,
            if kind.demotes() { scale.0 } else { scale.1 },
            args.seed,
        );
        let model = Model::build(
            &ModelInput {
                people: people + sybils,
                items,
                edges: &attacked_edges,
                ratings: &attacked_train,
                scale,
                seeds: &seeds,
            },
            params,
        )?;
        let vouchgraph = model.predict_all(&queries);
        let mean: Vec<Option<f64>> = queries.iter().map(|&(_, i)| model.plain_mean(i)).collect();
        attacked_pseudo = Some((model.crowd_pseudo_count(), model.kindred_pseudo_count()));
        let attacked = Predictions {
            test: &split.test,
            vouchgraph: &vouchgraph,
            mean: &mean,
        };
        evaluation.attacked.push(attacked.table(
            &format!(
                "attacked items, after {} sybils ({kind:?}) with {} attack edges",
                args.sybil, args.attack_edges
            ),
            on_target,
            with_target,
        ));
    }

    let mut summary = String::new();
    let _ = write!(
        summary,
        "{people} people, {} trust and distrust edges ({} left after removing held-out ratings' \
         edges), {} ratings on a {} to {} scale, {} held out (--holdout {} --seed {}), {} prior \
         seeds, personal walk restart {}, anchored walk restart {}, the crowd shrunk by {:.2} \
         raters, kindred raters by {:.3} of agreement; {:.1} s",
        all_edges.len(),
        edges.len(),
        ratings.rows().len(),
        scale.0,
        scale.1,
        split.test.len(),
        args.holdout,
        args.seed,
        seeds.len(),
        params.alpha,
        params.anchor_alpha,
        crowd_pseudo,
        kindred_pseudo,
        started.elapsed().as_secs_f64()
    );
    if let Some(kind) = args.attack.filter(|_| args.sybil > 0) {
        let _ = write!(
            summary,
            "\nattack {kind:?}: {} sybils, each trusting {} others at random, rate the {} \
             {}-liked targets at {}, with {} level-3 trust edges from {} honest people; the \
             crowd shrunk by {:.2} raters, kindred raters by {:.3} of agreement",
            args.sybil,
            super::split::SYBIL_OUT_DEGREE,
            args.targets,
            if kind.demotes() { "best" } else { "worst" },
            if kind.demotes() { scale.0 } else { scale.1 },
            args.attack_edges,
            if kind == AttackKind::Popular {
                "the most trusted"
            } else {
                "random"
            },
            attacked_pseudo.map_or(f64::NAN, |(crowd, _)| crowd),
            attacked_pseudo.map_or(f64::NAN, |(_, kindred)| kindred),
        );
    }
    evaluation.summary = summary;
    Ok(evaluation)
}
