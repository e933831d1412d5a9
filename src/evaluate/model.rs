//! Ratings as the engine sees them, and predictions made by the engine's own walks.
//!
//! Items play providers and ratings play vouches: a rating is a public recommending vouch whose
//! strength carries the rating rescaled to [0, 1]. An item i is two providers: 2i, vouched for
//! with that strength, and its "weight twin" 2i + 1, vouched for with strength 1, so the
//! search's personal evidence (`network_evidence_for`, the numbers a search computes) gives
//! both sums of the seeker's circle: `value = sum p(v) * rating`, `weight = sum p(v)`.
//!
//! A rating is read against a reference: `e(v, i) = rating(v, i) - (rho * habit(v) + (1 - rho)
//! * level)`, where habit(v) is v's mean rating shrunk towards the middle of the scale by
//! `habit_prior` ratings, `level` is the seeker's own mean shrunk by `level_prior` ratings
//! towards their crowd's habit (below), and `rho` is `relative_ratings` (0:
//! ratings as given; 1: relative ratings as in Iolaus, WWW 2013). The graph is built once for
//! every seeker, so its twins carry the seeker-free part, `d = rating - (1/2 + rho * (habit(v)
//! - 1/2))`, and each seeker's prediction moves every deviation by `(1 - rho) * (1/2 - level)`.
//! The value twin carries `f * (d + 1) / 2`, so the circle's sum of `p(v) * f(v) * d(v, i)` is
//! `2 * value - weight`. On [0, 1], before going back to the scale:
//!
//! ```text
//! crowd(i)   = (sum_v c(v) f(v) e(v, i) + k2 * kin(i)) / (sum_v c(v) f(v) + k2)
//! prediction = level + (sum_v p(v) f(v) e(v, i) + k * crowd(i)) / (sum_v p(v) f(v) + k)
//! ```
//!
//! With `rho = 0` each tier is a weighted mean of the ratings themselves, shrunk towards the next
//! tier and finally towards the seeker's level.
//!
//! * `p(v)` is the personal walk's mass (the search's own evidence, `network_evidence_for`);
//! * `c(v)` is v's anchored credit (`graph::anchored_trust`: a longer walk from the seeker,
//!   capped and convex), never a uniform share of everyone, so a crowd of fake accounts gets
//!   no more than its attack edges let in, however large it is; and the sums over an item's
//!   raters pass up the crowd's tree (`graph::CreditTree`), where every subtree lends at most
//!   one fully credited rater, so all fake accounts together lend an item at most one rater
//!   per attack edge;
//! * `k2 = n * anchor_cap` and `k = pseudo_count` are pseudo-counts in absolute mass: evidence
//!   is never normalised away, so a sybil region holding personal mass M moves the circle's
//!   part by at most M / (M + k) of the scale, and one holding credit C moves the crowd's part
//!   by at most C / (C + k2). `n`, in fully credited raters, is read from the ratings
//!   (`shrinkage.rs`): how much raters disagree about one item over how much items differ,
//!   weighted by the seeds' (or founders') crowd's credit, within `[baseline_pseudo_floor,
//!   baseline_pseudo_ceiling]`; the floor keeps the bound whatever fake accounts rate.
//! * `f(v)` is how informative v's ratings are: their spread around v's own mean (shrunk by
//!   `rater_prior` ratings), against `informative_spread` (a tenth) of the variance of a rater
//!   who rates at random, capped at 1 and raised to `informative_power` (4). An account that
//!   rates every target alike counts about a ten-thousandth of an honest rater, so a crowd of them
//!   can hardly push an item nor dilute its honest raters' word; to count fully it must rate
//!   other items differently, which spends the same bounded mass on them. Both twins carry
//!   the factor (`f * (d + 1) / 2` and `f`), so the circle's sums are `sum p f d` and
//!   `sum p f`.
//!
//! * `kin(i)` is what kindred raters say of the item (`kindred.rs`): those whose ratings of
//!   the seeker's own items agreed with the seeker's, weighed by that agreement, shrunk
//!   towards none by a pseudo-count the ratings choose (`kindred_fit.rs`), times
//!   `kindred_weight`. Where the seeker's walks reach no rater of an item, it decides the
//!   estimate instead of "no opinion"; a crowd of fake accounts holds at most one item's
//!   agreement per item of the seeker's it rated.
//!
//! `covered` says whether the seeker's own circle (the personal walk) reached a rater.

use rustc_hash::FxHashMap;

use crate::domain::seed_set::FOUNDING_SEEDS;
use crate::domain::{PersonId, ProviderId, Stance, TradeId, Visibility};
use crate::graph::{
    anchored_trust, network_evidence_for, CreditTree, GraphBuilder, GraphError, ProviderInfo,
    RankParams, SeedTrust, TrustGraph,
};
use crate::import::network::{Fact, SourceEdge};

use super::data::Rating;
use super::kindred::{Kindred, Raters};
use super::kindred_fit::{candidates, fitted_pseudo_count, FitInput, MOST_READ};
use super::shrinkage::Spreads;

/// The one trade every item is listed under.
const TRADE: TradeId = TradeId(1);

/// The owner of every item: nobody, so that no seeker is ever an item's owner.
const NO_OWNER: PersonId = PersonId(-1);

/// A predicted rating.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Prediction {
    /// On the input's scale.
    pub score: f64,
    /// Whether the seeker's own network reached a rater of the item.
    pub covered: bool,
}

/// The engine's graph over people, items and ratings, with what the crowd estimate needs.
pub struct Model {
    graph: TrustGraph,
    seeds: SeedTrust,
    /// Whose crowd a seeker who trusts no one yet gets: the operator's seeds, or the founders.
    stand_in: SeedTrust,
    /// That crowd's credit, the same for every such seeker, so computed once.
    stand_in_credit: Vec<(PersonId, f64)>,
    /// The crowd's pseudo-count, in fully credited raters: estimated from the ratings
    /// (`shrinkage.rs`), or `baseline_pseudo_count` where they are too few.
    crowd_pseudo: f64,
    /// The kindred estimate's pseudo-count, in agreement: read from the ratings by leaving
    /// each out (`kindred_fit.rs`), or `kindred_pseudo_count` where they are too few.
    kindred_pseudo: f64,
    params: RankParams,
    scale: (f64, f64),
    plain_means: Vec<Option<f64>>,
    /// Per item, its raters and how far above their habit they rated it, on [-1, 1].
    raters: Vec<Vec<(u32, f64, f64)>>,
    /// Per person, their habit: their mean rating on [0, 1], shrunk towards the middle.
    habits: Vec<f64>,
    /// Per person, the sum of their ratings on [0, 1] and how many they gave.
    given: Vec<(f64, u32)>,
    /// Per person, the items they rated and how far above their habit, on [-1, 1].
    rated: Vec<Vec<(u32, f64)>>,
}

/// What a [`Model`] is built from.
pub struct ModelInput<'a> {
    /// How many people (indices `0..people`); raters and trust edges refer to them.
    pub people: usize,
    /// How many items.
    pub items: usize,
    /// Trust and distrust edges.
    pub edges: &'a [SourceEdge],
    /// The ratings the model may use.
    pub ratings: &'a [Rating],
    /// The rating scale, lowest and highest.
    pub scale: (f64, f64),
    /// The operator's seed people, if any: half the anchored walk's restarts land on them.
    /// Without any, the founders stand in for them where the service's prior would: the
    /// first [`FOUNDING_SEEDS`] people in the order the network names them, which is the order
    /// `vouchgraph import` gives them ids in (`SeedSet`).
    pub seeds: &'a [u32],
}

impl Model {
    /// Builds the graph with [`GraphBuilder`] and the seeds' global trust, as the service does
    /// at start-up.
    ///
    /// # Errors
    /// What the builder refuses (in practice nothing: self-loops were dropped when reading).
    ///
    /// # Complexity
    /// O((N + E + R) log(E + R)) to build, plus the prior's power iteration.
    pub fn build(input: &ModelInput<'_>, params: RankParams) -> Result<Model, GraphError> {
        let (lo, hi) = input.scale;
        let span = if hi > lo { hi - lo } else { 1.0 };
        let mut builder =
            GraphBuilder::with_capacity(input.people, input.edges.len() + 2 * input.ratings.len());
        for person in 0..input.people {
            builder.person(person_id(person as u32), "");
        }
        for item in 0..input.items as u32 {
            for twin in [value_twin(item), weight_twin(item)] {
                builder.provider(ProviderInfo {
                    id: twin,
                    name: String::new(),
                    owner: NO_OWNER,
                    trades: vec![TRADE],
                    lat: 0.0,
                    lon: 0.0,
                    radius_km: 1.0,
                })?;
            }
        }
        for edge in input.edges {
            let (from, to) = (person_id(edge.from), person_id(edge.to));
            match edge.fact {
                Fact::Trust(level) => builder.trust(from, to, level, Visibility::Public)?,
                Fact::Distrust(strength) => builder.distrust(from, to, strength)?,
            }
        }
        let mut sums = vec![(0.0, 0u32); input.items];
        let mut raters = vec![Vec::new(); input.items];
        let rescale = |value: f64| ((value - lo) / span).clamp(0.0, 1.0);
        let mut given = vec![(0.0, 0u32); input.people];
        for rating in input.ratings {
            let gave = &mut given[rating.rater as usize];
            gave.0 += rescale(rating.value);
            gave.1 += 1;
        }
        let counts: Vec<u32> = given.iter().map(|g| g.1).collect();
        let habit_with = |prior: f64| -> Vec<f64> {
            given
                .iter()
                .map(|&(total, count)| (total + prior * 0.5) / (f64::from(count) + prior))
                .collect()
        };
        // Each rater's own mean, barely shrunk: what their spread is measured around.
        let means = habit_with(params.rater_prior);
        // Their habit, shrunk by `habit_prior` ratings: for the seeker, the level a prediction
        // starts at; for a rater, what their ratings are read against as far as
        // `relative_ratings` says. The rest of the reference is the seeker's level, added per
        // seeker in `predict`.
        let habits = habit_with(params.habit_prior);
        let rho = params.relative_ratings;
        let reference: Vec<f64> = habits.iter().map(|&h| 0.5 + rho * (h - 0.5)).collect();
        // How far each rater's ratings spread around their own mean, shrunk like the mean,
        // against `informative_spread` of a rater who rates uniformly at random (variance
        // 1/12): someone who rates everything alike tells nothing about order, and counts
        // for that much less.
        let mut spread = vec![0.0; input.people];
        for rating in input.ratings {
            let d = rescale(rating.value) - means[rating.rater as usize];
            spread[rating.rater as usize] += d * d;
        }
        const UNIFORM: f64 = 1.0 / 12.0;
        let info: Vec<f64> = spread
            .iter()
            .zip(&counts)
            .map(|(&sum, &count)| {
                let variance =
                    (sum + params.rater_prior * UNIFORM) / (f64::from(count) + params.rater_prior);
                (variance / (UNIFORM * params.informative_spread))
                    .min(1.0)
                    .powf(params.informative_power)
            })
            .collect();
        for rating in input.ratings {
            let rater = person_id(rating.rater);
            let deviation = rescale(rating.value) - reference[rating.rater as usize];
            let f = info[rating.rater as usize];
            let vouch = |builder: &mut GraphBuilder, twin, strength: f64| {
                builder.vouch(
                    rater,
                    twin,
                    TRADE,
                    Stance::Recommend,
                    Visibility::Public,
                    strength as f32,
                )
            };
            vouch(
                &mut builder,
                value_twin(rating.item),
                f * (deviation + 1.0) / 2.0,
            )?;
            vouch(&mut builder, weight_twin(rating.item), f)?;
            raters[rating.item as usize].push((rating.rater, deviation, f));
            let sum = &mut sums[rating.item as usize];
            sum.0 += rating.value;
            sum.1 += 1;
        }
        let mut rated = vec![Vec::new(); input.people];
        for (item, list) in raters.iter().enumerate() {
            for &(rater, deviation, _) in list {
                rated[rater as usize].push((item as u32, deviation));
            }
        }
        let kindred_pseudo = fitted_pseudo_count(
            &FitInput {
                rated: &rated,
                raters: &raters,
                levels: &habits,
                info: &info,
                least: params.kindred_least_informative,
                relative_ratings: params.relative_ratings,
                most_read: MOST_READ,
            },
            &candidates(params.kindred_pseudo_floor, params.kindred_pseudo_ceiling),
        )
        .unwrap_or(params.kindred_pseudo_count);
        let (graph, _) = builder.build();
        let seeds: Vec<PersonId> = input.seeds.iter().map(|&s| person_id(s)).collect();
        let seeds = SeedTrust::compute(&graph, &seeds, &params);
        let stand_in = if seeds.is_empty() {
            let founders: Vec<PersonId> = (0..input.people.min(FOUNDING_SEEDS) as u32)
                .map(person_id)
                .collect();
            SeedTrust::compute(&graph, &founders, &params)
        } else {
            seeds.clone()
        };
        let stand_in_credit = stand_in.credit(&graph, &params);
        let crowd_pseudo = crowd_spreads(input.ratings, &stand_in_credit, &info, &params).map_or(
            params.baseline_pseudo_count,
            |spreads| {
                spreads.pseudo_count(params.baseline_pseudo_floor, params.baseline_pseudo_ceiling)
            },
        );
        let plain_means = sums
            .into_iter()
            .map(|(sum, count)| (count > 0).then(|| sum / f64::from(count)))
            .collect();
        Ok(Model {
            graph,
            seeds,
            stand_in,
            stand_in_credit,
            crowd_pseudo,
            kindred_pseudo,
            params,
            scale: (lo, lo + span),
            plain_means,
            raters,
            habits,
            given,
            rated,
        })
    }

    /// How many fully credited raters the crowd's estimate of an item is shrunk by: estimated
    /// from the ratings, within `[baseline_pseudo_floor, baseline_pseudo_ceiling]`, or
    /// `baseline_pseudo_count` where they are too few.
    pub fn crowd_pseudo_count(&self) -> f64 {
        self.crowd_pseudo
    }

    /// The kindred estimate's pseudo-count, in agreement: read from the ratings by leaving each
    /// out (`kindred_fit`), within `[kindred_pseudo_floor, kindred_pseudo_ceiling]`, or
    /// `kindred_pseudo_count` where they are too few.
    pub fn kindred_pseudo_count(&self) -> f64 {
        self.kindred_pseudo
    }

    /// The anonymous mean of an item's ratings, if it has any.
    pub fn plain_mean(&self, item: u32) -> Option<f64> {
        self.plain_means.get(item as usize).copied().flatten()
    }

    /// Predicts `seeker`'s rating of each of `items` (see the module documentation); `None`
    /// for an item nobody rated.
    ///
    /// # Complexity
    /// One search's walk, then the evidence about these items' twins only
    /// ([`network_evidence_for`]: the same numbers a search finds for them), then O(items).
    pub fn predict(&self, seeker: u32, items: &[u32]) -> Vec<Option<Prediction>> {
        let twins: Vec<ProviderId> = items
            .iter()
            .flat_map(|&item| [value_twin(item), weight_twin(item)])
            .collect();
        let mut wanted: FxHashMap<ProviderId, (f64, u32)> =
            twins.iter().map(|&twin| (twin, (0.0, 0))).collect();
        for (twin, evidence) in
            network_evidence_for(&self.graph, person_id(seeker), TRADE, &twins, &self.params)
        {
            if let Some(found) = wanted.get_mut(&twin) {
                *found = (evidence.personal(&self.params), evidence.recommenders);
            }
        }
        let (lo, hi) = self.scale;
        let crowd = self.crowd(seeker);
        let level = self.level(seeker, &crowd);
        // What every deviation (read against `0.5 + rho * (habit(v) - 0.5)`) gains when read
        // against `rho * habit(v) + (1 - rho) * level` instead.
        let shift = (1.0 - self.params.relative_ratings) * (0.5 - level);
        let mut kindred = Kindred::of(
            seeker,
            self.rated.get(seeker as usize).map_or(&[][..], |r| r),
            &self.raters,
            self.params.kindred_least_informative,
        );
        // Raters no walk from the seeker reaches are outsiders: nothing in the graph tells them
        // from fake accounts, so their agreement counts `kindred_outsiders` as much.
        let outsiders = self.params.kindred_outsiders;
        if outsiders < 1.0 {
            kindred.scale_by(|rater| {
                if crowd.credit.get(rater as usize).is_some_and(|&c| c > 0.0) {
                    1.0
                } else {
                    outsiders
                }
            });
        }
        items
            .iter()
            .map(|&item| {
                self.plain_mean(item)?;
                let (value, _) = wanted[&value_twin(item)];
                let (weight, reached) = wanted[&weight_twin(item)];
                let raters = &self.raters[item as usize];
                let k = self.params.pseudo_count;
                // The circle's sum of p f (r - reference), moved to the seeker's level.
                let circle = 2.0 * value - weight + shift * weight;
                let kin = kindred.estimate(seeker, raters, self.kindred_pseudo, shift);
                let crowd = crowd.estimate(raters, self.params.kindred_weight * kin, shift);
                let share = level + (circle + k * crowd) / (weight + k);
                Some(Prediction {
                    score: (lo + (hi - lo) * share).clamp(lo, hi),
                    covered: reached > 0,
                })
            })
            .collect()
    }

    /// The seeker's level on [0, 1], where their predictions start and every item little is
    /// known about stays: their own mean rating, shrunk by `level_prior` ratings towards what
    /// their crowd usually gives (the middle of the scale if the crowd holds no rater). The
    /// crowd's habit passes up the same tree as any item's estimate, so fake accounts behind
    /// k attack edges hold at most k fully credited raters' worth of it.
    fn level(&self, seeker: u32, crowd: &Crowd) -> f64 {
        let (total, count) = self.given.get(seeker as usize).copied().unwrap_or_default();
        // The seeker is the tree's root, which lends nothing: only others' habits count.
        let habit = crowd.habit(
            self.given
                .iter()
                .zip(&self.habits)
                .enumerate()
                .filter(|&(_, ((_, count), _))| *count > 0)
                .map(|(person, (_, &habit))| (person as u32, habit)),
        );
        let prior = self.params.level_prior;
        let weight = f64::from(count) + prior;
        // With no prior (`--param level_prior=0`) a seeker who rated nothing has no mean of
        // their own: the crowd's habit is all there is.
        if weight > 0.0 {
            (total + prior * habit) / weight
        } else {
            habit
        }
    }

    /// The seeker's anchored credit in every rater, ready to estimate any item. A seeker whose
    /// trust reaches no one gets the crowd of the seeds (or founders) instead, as the service
    /// ranks for them by the prior those seed: otherwise every item would tie at their level.
    fn crowd(&self, seeker: u32) -> Crowd {
        let seeker = person_id(seeker);
        let mut credit = anchored_trust(&self.graph, seeker, &self.seeds, &self.params);
        let mut tree = CreditTree::build(&self.graph, seeker, &credit, &self.params);
        if !tree.reaches_anyone() && !self.stand_in.is_empty() {
            credit = self.stand_in_credit.clone();
            tree = CreditTree::build_from_seeds(
                &self.graph,
                seeker,
                self.stand_in.seeds(),
                &credit,
                &self.params,
            );
        }
        Crowd {
            credit: dense(&credit, self.habits.len()),
            tree,
            pseudo: self.crowd_pseudo * self.params.anchor_cap,
        }
    }

    /// Predicts every `(seeker, item)` query, one walk per distinct seeker, on all cores.
    ///
    /// # Complexity
    /// One search per distinct seeker, spread over `available_parallelism` threads.
    pub fn predict_all(&self, queries: &[(u32, u32)]) -> Vec<Option<Prediction>> {
        let mut by_seeker: FxHashMap<u32, Vec<usize>> = FxHashMap::default();
        for (index, &(seeker, _)) in queries.iter().enumerate() {
            by_seeker.entry(seeker).or_default().push(index);
        }
        let mut groups: Vec<(u32, Vec<usize>)> = by_seeker.into_iter().collect();
        groups.sort_unstable_by_key(|(seeker, _)| *seeker);
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let mut results = vec![None; queries.len()];
        let answers: Vec<Vec<(usize, Option<Prediction>)>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|thread| {
                    let groups = &groups;
                    scope.spawn(move || {
                        let mut answers = Vec::new();
                        // Interleaved, so that big and small seekers spread evenly.
                        for (seeker, indices) in groups.iter().skip(thread).step_by(threads) {
                            let items: Vec<u32> = indices.iter().map(|&i| queries[i].1).collect();
                            let predictions = self.predict(*seeker, &items);
                            answers.extend(indices.iter().copied().zip(predictions));
                        }
                        answers
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|handle| handle.join().expect("a prediction thread panicked"))
                .collect()
        });
        for (index, prediction) in answers.into_iter().flatten() {
            results[index] = prediction;
        }
        results
    }
}

/// One seeker's anchored credit in every rater.
struct Crowd {
    credit: Vec<f64>,
    /// The crowd's capacities (`graph::CreditTree`).
    tree: CreditTree,
    /// How much credit the prior (the kindred raters' estimate) counts for in every item's
    /// estimate: n fully credited raters.
    pseudo: f64,
}

impl Crowd {
    /// What the crowd usually gives: the raters' `(person, habit)`, weighted by credit and
    /// clipped subtree by subtree like an item's estimate, but not by informativeness (a rater
    /// who gives everything the same rating tells their habit fully); the middle of the scale
    /// if no rater is in the crowd.
    fn habit(&self, habits: impl Iterator<Item = (u32, f64)>) -> f64 {
        // The tree skips raters without credit and the seeker, its root.
        let lent = self.tree.lend(habits.filter_map(|(rater, habit)| {
            let credit = *self.credit.get(rater as usize)?;
            Some((person_id(rater), credit, 1.0, habit))
        }));
        if lent.weight > 0.0 {
            lent.value / lent.weight
        } else {
            0.5
        }
    }

    /// The credit-weighted mean of the item's raters' deviations, each moved by `shift` to the
    /// seeker's reference, with `pseudo` of credit at `kindred`, the kindred raters' estimate.
    /// Each subtree of the crowd lends at most its capacity; informativeness applies after the
    /// clipping, so that a region of barely informative accounts is clipped by its head count
    /// all the same.
    fn estimate(&self, raters: &Raters, kindred: f64, shift: f64) -> f64 {
        let lent = self
            .tree
            .lend(raters.iter().map(|&(rater, deviation, info)| {
                (
                    person_id(rater),
                    self.credit[rater as usize],
                    info,
                    deviation + shift,
                )
            }));
        let (sum, weight) = (lent.value, lent.weight);
        let (sum, weight) = (sum + self.pseudo * kindred, weight + self.pseudo);
        if weight > 0.0 {
            sum / weight
        } else {
            0.0
        }
    }
}

/// The spreads of the ratings (`shrinkage.rs`), each weighted by its rater's share of a fully
/// credited rater in the crowd of the seeds (or founders), times how informative the rater is:
/// the weights the crowd's estimate gives them. Fake accounts count only as far as the credit
/// their attack edges let into that crowd, however many ratings they add.
fn crowd_spreads(
    ratings: &[Rating],
    credit: &[(PersonId, f64)],
    info: &[f64],
    params: &RankParams,
) -> Option<Spreads> {
    let credit = dense(credit, info.len());
    Spreads::estimate(ratings.iter().map(|rating| {
        let rater = rating.rater as usize;
        let weight = credit
            .get(rater)
            .zip(info.get(rater))
            .map_or(0.0, |(c, f)| (c / params.anchor_cap).min(1.0) * f);
        (rating.item, weight, rating.value)
    }))
}

/// Each person's credit by index, 0 for those it does not name (and ids beyond `people`).
fn dense(credit: &[(PersonId, f64)], people: usize) -> Vec<f64> {
    let mut dense = vec![0.0; people];
    for &(person, value) in credit {
        if let Some(slot) = usize::try_from(person.0)
            .ok()
            .and_then(|index| dense.get_mut(index))
        {
            *slot = value;
        }
    }
    dense
}

fn person_id(index: u32) -> PersonId {
    PersonId(i64::from(index))
}

fn value_twin(item: u32) -> ProviderId {
    ProviderId(2 * i64::from(item))
}

fn weight_twin(item: u32) -> ProviderId {
    ProviderId(2 * i64::from(item) + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::TrustLevel;

    const SEEKER: u32 = 0;
    const FRIEND: u32 = 1;
    const STRANGER: u32 = 2;
    /// Items 0 to 3 are the seeker's own; 4 and 5 the friend rated; 6 only the stranger did.
    const ITEMS: usize = 7;

    fn rating(rater: u32, item: u32, value: f64) -> Rating {
        Rating { rater, item, value }
    }

    /// Builds the model over `ratings` of `items` items on a 1 to 5 scale, for three people with
    /// one trust edge between them.
    fn trusting_friend(ratings: &[Rating], items: usize, params: RankParams) -> Model {
        // The seeker trusts the friend fully: the only trust edge.
        let edges = [SourceEdge {
            from: SEEKER,
            to: FRIEND,
            fact: Fact::Trust(TrustLevel::COMPLETE),
        }];
        let input = ModelInput {
            people: 3,
            items,
            edges: &edges,
            ratings,
            scale: (1.0, 5.0),
            seeds: &[],
        };
        Model::build(&input, params).unwrap()
    }

    /// The model's prediction of the seeker's rating of one item that has ratings.
    fn predict_one(model: &Model, item: u32) -> Prediction {
        model.predict(SEEKER, &[item])[0].expect("the item has ratings")
    }

    /// On a 1 to 5 scale: the seeker rates high (4, 5, 5, 4: a level well above the middle);
    /// the friend, whom the seeker trusts, loved item 4 and disliked item 5; a stranger nobody
    /// trusts, who shares no item with the seeker, rated item 6.
    fn model(params: RankParams) -> Model {
        let ratings = [
            rating(SEEKER, 0, 4.0),
            rating(SEEKER, 1, 5.0),
            rating(SEEKER, 2, 5.0),
            rating(SEEKER, 3, 4.0),
            rating(FRIEND, 4, 5.0),
            rating(FRIEND, 5, 1.0),
            rating(STRANGER, 6, 5.0),
            rating(STRANGER, 5, 2.0),
        ];
        trusting_friend(&ratings, ITEMS, params)
    }

    #[test]
    fn an_item_nobody_the_seeker_reaches_rated_is_predicted_at_the_seekers_own_level() {
        let model = model(RankParams::default());
        let alone = predict_one(&model, 6);
        // The seeker's level: their four ratings on [0, 1] (0.75, 1, 1, 0.75) and thirty at
        // their crowd's habit, back on the 1 to 5 scale. The crowd is the friend, whose habit
        // is their two ratings (1 and 0) and ten at the middle: 0.5.
        let level = 1.0 + 4.0 * (3.5 + 30.0 * 0.5) / 34.0;
        assert!(
            (alone.score - level).abs() < 1e-9,
            "{} vs {level}",
            alone.score
        );
        assert!(!alone.covered);
    }

    #[test]
    fn a_friends_ratings_order_items_around_the_seekers_level_however_they_are_read() {
        for rho in [0.0, 0.5, 1.0] {
            let params = RankParams {
                relative_ratings: rho,
                ..RankParams::default()
            };
            let model = model(params);
            let level = 1.0 + 4.0 * (3.5 + 30.0 * 0.5) / 34.0;
            let found = model.predict(SEEKER, &[4, 5]);
            let (loved, disliked) = (found[0].unwrap(), found[1].unwrap());
            assert!(loved.covered && disliked.covered);
            assert!(
                loved.score > level && disliked.score < level,
                "rho {rho}: {} and {} around {level}",
                loved.score,
                disliked.score
            );
        }
    }

    #[test]
    fn a_friend_who_rates_only_good_items_lifts_every_one_of_them_above_the_seekers_level() {
        // The seeker rates around the middle (2 and 4 on a 1 to 5 scale). The friend, whom the
        // seeker trusts, rated thirty-one items, all good: 5 or 4 in turn for items 2..31, and 4
        // for item 32.
        // Read against the friend's own high mean, item 32 would fall below the seeker's
        // level; read as given, a 4 is a good rating and lifts it.
        let mut ratings = vec![rating(SEEKER, 0, 2.0), rating(SEEKER, 1, 4.0)];
        ratings.extend((2..32).map(|item| rating(FRIEND, item, 4.0 + f64::from(item % 2))));
        ratings.push(rating(FRIEND, 32, 4.0));
        // The seeker's level is their own mean, 3, not leaning on the friend's generous habit
        // (`level_prior` 0): how a rating is read is what this test is about.
        let level = 3.0;
        let own_level = RankParams {
            level_prior: 0.0,
            ..RankParams::default()
        };
        let read_as_given = trusting_friend(&ratings, 33, own_level);
        let good = predict_one(&read_as_given, 32);
        assert!(good.score > level + 0.1, "{}", good.score);
        let relative = RankParams {
            relative_ratings: 1.0,
            ..own_level
        };
        let read_against_habit = trusting_friend(&ratings, 33, relative);
        let lowered = predict_one(&read_against_habit, 32);
        assert!(lowered.score < level, "{}", lowered.score);
    }

    #[test]
    fn an_outsiders_agreement_counts_only_as_far_as_kindred_outsiders_says() {
        // The seeker trusts the friend, who rated nothing. A stranger nobody trusts rated item 1
        // as the seeker did (5), item 5 low and item 6 at the top.
        let ratings = [
            rating(SEEKER, 0, 1.0),
            rating(SEEKER, 1, 5.0),
            rating(STRANGER, 1, 5.0),
            rating(STRANGER, 5, 2.0),
            rating(STRANGER, 6, 5.0),
        ];
        // The seeker's level: ratings 0 and 1 on [0, 1] and thirty at the middle (the friend,
        // their crowd, rated nothing).
        let level = 1.0 + 4.0 * (1.0 + 30.0 * 0.5) / 32.0;
        let everyone = trusting_friend(&ratings, ITEMS, RankParams::default());
        let kindred = predict_one(&everyone, 6);
        assert!(kindred.score > level + 0.1, "{} vs {level}", kindred.score);
        let reached_only = RankParams {
            kindred_outsiders: 0.0,
            ..RankParams::default()
        };
        let strict = trusting_friend(&ratings, ITEMS, reached_only);
        let alone = predict_one(&strict, 6);
        assert!(
            (alone.score - level).abs() < 1e-9,
            "{} vs {level}",
            alone.score
        );
    }

    #[test]
    fn a_seeker_who_trusts_no_one_yet_gets_the_founders_crowd_instead_of_a_tie() {
        // People 0 to 9 are the founders (the first ten the network names); 10 is a rater;
        // 11 joined later, trusts no one and rated nothing; so did 12, whom an operator names
        // as a seed below.
        const RATER: u32 = 10;
        const NEWCOMER: u32 = 11;
        const LONER: u32 = 12;
        // Founder 0 trusts the rater; founders 1 to 9 trust founder 0.
        let mut edges = vec![SourceEdge {
            from: 0,
            to: RATER,
            fact: Fact::Trust(TrustLevel::COMPLETE),
        }];
        edges.extend((1..10).map(|founder| SourceEdge {
            from: founder,
            to: 0,
            fact: Fact::Trust(TrustLevel::COMPLETE),
        }));
        // The rater loved item 0 and disliked item 1.
        let ratings = [rating(RATER, 0, 5.0), rating(RATER, 1, 1.0)];
        let build = |seeds: &[u32]| {
            let input = ModelInput {
                people: 13,
                items: 2,
                edges: &edges,
                ratings: &ratings,
                scale: (1.0, 5.0),
                seeds,
            };
            Model::build(&input, RankParams::default()).unwrap()
        };
        let found = build(&[]).predict(NEWCOMER, &[0, 1]);
        let (loved, disliked) = (found[0].unwrap(), found[1].unwrap());
        assert!(
            !loved.covered && !disliked.covered,
            "no walk of theirs reaches the rater"
        );
        assert!(
            loved.score > 3.0 && disliked.score < 3.0,
            "{} and {} around the middle",
            loved.score,
            disliked.score
        );
        // An operator's seeds stand in instead of the founders: a seed who reaches no rater
        // leaves the newcomer at their level, the middle of the scale.
        let found = build(&[LONER]).predict(NEWCOMER, &[0, 1]);
        let (loved, disliked) = (found[0].unwrap(), found[1].unwrap());
        assert!(
            (loved.score - 3.0).abs() < 1e-9 && (disliked.score - 3.0).abs() < 1e-9,
            "{} and {}",
            loved.score,
            disliked.score
        );
    }

    /// A newcomer's level (they rated nothing) is their crowd's habit, which here is two
    /// friends' and, behind friend A's one trust edge, a ring of fake accounts'. Returns the
    /// newcomer's prediction for an item only a stranger outside the crowd rated: exactly
    /// their level, on a 1 to 5 scale.
    fn newcomer_level_beside_a_ring(ring: u32) -> f64 {
        const NEWCOMER: u32 = 0;
        const A: u32 = 1;
        const B: u32 = 2;
        let stranger = 3 + ring;
        // The newcomer trusts both friends fully.
        let mut edges = vec![
            SourceEdge {
                from: NEWCOMER,
                to: A,
                fact: Fact::Trust(TrustLevel::COMPLETE),
            },
            SourceEdge {
                from: NEWCOMER,
                to: B,
                fact: Fact::Trust(TrustLevel::COMPLETE),
            },
        ];
        // The attack edge, if there is a ring: friend A trusts the first fake account.
        if ring > 0 {
            edges.push(SourceEdge {
                from: A,
                to: 3,
                fact: Fact::Trust(TrustLevel::COMPLETE),
            });
        }
        // The fake accounts trust each other in a ring, which keeps what reaches them.
        edges.extend((0..ring).filter(|_| ring > 1).map(|i| SourceEdge {
            from: 3 + i,
            to: 3 + (i + 1) % ring,
            fact: Fact::Trust(TrustLevel::COMPLETE),
        }));
        // Both friends rate twenty items at the middle (3); every fake account rates the same
        // twenty at the top (5); the stranger, whom no one trusts, rated item 20.
        let mut ratings = Vec::new();
        for item in 0..20 {
            ratings.push(rating(A, item, 3.0));
            ratings.push(rating(B, item, 3.0));
            ratings.extend((0..ring).map(|i| rating(3 + i, item, 5.0)));
        }
        ratings.push(rating(stranger, 20, 1.0));
        let people = stranger as usize + 1;
        prediction(
            RankParams::default(),
            people,
            21,
            &edges,
            &ratings,
            NEWCOMER,
            20,
        )
    }

    /// The prediction with no seeds, on a 1 to 5 scale.
    fn prediction(
        params: RankParams,
        people: usize,
        items: usize,
        edges: &[SourceEdge],
        ratings: &[Rating],
        seeker: u32,
        item: u32,
    ) -> f64 {
        let input = ModelInput {
            people,
            items,
            edges,
            ratings,
            scale: (1.0, 5.0),
            seeds: &[],
        };
        let model = Model::build(&input, params).unwrap();
        model.predict(seeker, &[item])[0].unwrap().score
    }

    #[test]
    fn a_newcomer_starts_from_what_their_crowd_usually_gives_not_the_middle_of_the_scale() {
        // A newcomer who rated nothing, whose one friend gives every item a 5 (habit: twenty
        // ratings at the top and ten at the middle, 5/6 on [0, 1]).
        const NEWCOMER: u32 = 0;
        const STRANGER: u32 = 2;
        // The newcomer trusts the friend fully: the only trust edge.
        let edges = [SourceEdge {
            from: NEWCOMER,
            to: FRIEND,
            fact: Fact::Trust(TrustLevel::COMPLETE),
        }];
        let mut ratings: Vec<Rating> = (0..20).map(|item| rating(FRIEND, item, 5.0)).collect();
        ratings.push(rating(STRANGER, 20, 1.0));
        let habit = 1.0 + 4.0 * (20.0 + 10.0 * 0.5) / 30.0;
        let level = prediction(RankParams::default(), 3, 21, &edges, &ratings, NEWCOMER, 20);
        assert!((level - habit).abs() < 1e-9, "{level} vs {habit}");
        // With no prior at all the newcomer has no mean of their own, and the crowd's habit is
        // still their level, not a division by zero.
        let no_prior = RankParams {
            level_prior: 0.0,
            ..RankParams::default()
        };
        let level = prediction(no_prior, 3, 21, &edges, &ratings, NEWCOMER, 20);
        assert!((level - habit).abs() < 1e-9, "{level} vs {habit}");
    }

    #[test]
    fn fake_accounts_behind_one_trust_edge_move_a_newcomers_level_by_one_rater_at_most() {
        // Without the ring the level is the friends' habit, the middle of the scale.
        let honest = newcomer_level_beside_a_ring(0);
        assert!((honest - 3.0).abs() < 1e-9, "{honest}");
        // A ring of 500 fake accounts rating everything at the top (habit 5/6 on [0, 1]) sits
        // in friend A's subtree, which lends at most one rater's worth against B's one: the
        // level moves at most half way from B's habit (1/2) towards theirs. A plain mean over
        // the crowd would have given the ring 500 of 502 shares.
        let attacked = newcomer_level_beside_a_ring(500);
        let bound = 1.0 + 4.0 * (0.5 + 5.0 / 6.0) / 2.0;
        assert!(attacked <= bound + 1e-9, "{attacked} above {bound}");
        assert!(
            attacked > 3.0,
            "the ring does lend its one rater: {attacked}"
        );
    }

    /// The crowd's shrinkage over an honest world of 40 people, and a ring of `sybils` fake
    /// accounts that `attack_edges` honest people trust (0: none).
    fn shrinkage_beside_a_ring(sybils: u32, attack_edges: u32) -> f64 {
        use rand::rngs::StdRng;
        use rand::{Rng, SeedableRng};
        const HONEST: u32 = 40;
        let mut edges = Vec::new();
        for person in 0..HONEST {
            // Each honest person trusts the next one and the one seven along: the founders'
            // crowd (people 0 to 9) reaches all 40, each with full credit.
            for step in [1, 7] {
                edges.push(SourceEdge {
                    from: person,
                    to: (person + step) % HONEST,
                    fact: Fact::Trust(TrustLevel::COMPLETE),
                });
            }
        }
        for sybil in 0..sybils {
            // Each fake account trusts the next: a ring, reached only by the attack edges.
            edges.push(SourceEdge {
                from: HONEST + sybil,
                to: HONEST + (sybil + 1) % sybils,
                fact: Fact::Trust(TrustLevel::COMPLETE),
            });
        }
        for edge in 0..attack_edges {
            // Honest people 5, 6, ... trust one fake account each: the attack edges.
            edges.push(SourceEdge {
                from: 5 + edge,
                to: HONEST + edge,
                fact: Fact::Trust(TrustLevel::COMPLETE),
            });
        }
        // 200 items, each rated by three honest people: the items' worths differ little (3 give
        // or take 0.2) and the raters' noise much (give or take 1.5), so many raters are needed.
        let mut rng = StdRng::seed_from_u64(11);
        let mut ratings = Vec::new();
        for item in 0..200u32 {
            let worth = 3.0 + rng.gen_range(-0.2..=0.2);
            for k in 0..3 {
                let value: f64 = worth + rng.gen_range(-1.5..=1.5);
                ratings.push(rating((item * 3 + k) % HONEST, item, value.clamp(1.0, 5.0)));
            }
        }
        // The ring rates 300 items of its own, five accounts each, all alike, half at the top
        // and half at the bottom: read plainly, items differ wildly and raters never disagree,
        // so one rater would be believed outright.
        for item in 200..500u32 {
            let value = if item % 2 == 0 { 5.0 } else { 1.0 };
            for k in 0..5 {
                if sybils > 0 {
                    ratings.push(rating(HONEST + (item * 5 + k) % sybils, item, value));
                }
            }
        }
        let input = ModelInput {
            people: (HONEST + sybils) as usize,
            items: 500,
            edges: &edges,
            ratings: &ratings,
            scale: (1.0, 5.0),
            seeds: &[],
        };
        Model::build(&input, RankParams::default())
            .unwrap()
            .crowd_pseudo_count()
    }

    #[test]
    fn the_crowds_shrinkage_is_read_from_ratings_fake_accounts_cannot_weigh_in_on() {
        let params = RankParams::default();
        // Noisy raters of similar items: shrunk by several raters, not the fixed default.
        let honest = shrinkage_beside_a_ring(0, 0);
        assert!(
            honest > 3.0 && honest < params.baseline_pseudo_ceiling,
            "{honest}"
        );
        // 500 accounts nobody trusts, rating alike: they hold no credit, so they change nothing
        // (read plainly, their 1,500 ratings would take the shrinkage to the floor).
        let unreached = shrinkage_beside_a_ring(500, 0);
        assert!(
            (unreached - honest).abs() < 1e-12,
            "{unreached} against {honest}"
        );
        // Behind two attack edges they hold some credit and may pull it down, but never below
        // the floor, which carries the crowd's bound (`RankParams::baseline_pseudo_floor`).
        let attacked = shrinkage_beside_a_ring(500, 2);
        assert!(attacked >= params.baseline_pseudo_floor, "{attacked}");
    }
}
