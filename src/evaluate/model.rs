//! Ratings as the engine sees them, and predictions made by the engine's own walks.
//!
//! Items play providers and ratings play vouches: a rating is a public recommending vouch whose
//! strength carries the rating rescaled to [0, 1]. An item i is two providers: 2i, vouched for
//! with that strength, and its "weight twin" 2i + 1, vouched for with strength 1, so the
//! search's personal evidence (`network_evidence_for`, the numbers a search computes) gives
//! both sums of the seeker's circle: `value = sum p(v) * rating`, `weight = sum p(v)`.
//!
//! Every rating is first made relative to its rater's habit: `d(v, i) = rating(v, i) -
//! habit(v)`, where habit(v) is v's mean rating shrunk towards the middle of the scale by
//! `habit_prior` ratings (relative ratings, as in Iolaus, WWW 2013: an account that rates
//! everything at the top lends its targets only what it stands above its habit). The value
//! twin carries `(d + 1) / 2`, so the circle's sum of `p(v) * d(v, i)` is `2 * value -
//! weight`. On [0, 1], before going back to the scale:
//!
//! ```text
//! crowd(i)   = (sum_v c(v) f(v) d(v, i) + k2 * kin(i)) / (sum_v c(v) f(v) + k2)
//! prediction = habit(seeker) + (sum_v p(v) f(v) d(v, i) + k * crowd(i)) / (sum_v p(v) f(v) + k)
//! ```
//!
//! * `p(v)` is the personal walk's mass (the search's own evidence, `network_evidence_for`);
//! * `c(v)` is v's anchored credit (`graph::anchored_trust`: a longer walk from the seeker,
//!   capped and convex), never a uniform share of everyone, so a crowd of fake accounts gets
//!   no more than its attack edges let in, however large it is; and the sums over an item's
//!   raters pass up the crowd's tree (`graph::CreditTree`), where every subtree lends at most
//!   one fully credited rater, so all fake accounts together lend an item at most one rater
//!   per attack edge;
//! * `k2 = baseline_pseudo_count * anchor_cap` and `k = pseudo_count` are pseudo-counts in
//!   absolute mass: evidence is never normalised away, so a sybil region holding personal mass
//!   M moves the circle's part by at most M / (M + k) of the scale, and one holding credit C
//!   moves the crowd's part by at most C / (C + k2).
//! * `f(v)` is how informative v's ratings are: their spread around v's own mean (shrunk by
//!   `rater_prior` ratings), against `informative_spread` (a tenth) of the variance of a rater
//!   who rates at random, capped at 1 and raised to `informative_power` (2). An account that
//!   rates every target alike counts about a hundredth of an honest rater, so a crowd of them
//!   can hardly push an item nor dilute its honest raters' word; to count fully it must rate
//!   other items differently, which spends the same bounded mass on them. Both twins carry
//!   the factor (`f * (d + 1) / 2` and `f`), so the circle's sums are `sum p f d` and
//!   `sum p f`.
//!
//! * `kin(i)` is what kindred raters say of the item (`kindred.rs`): those whose ratings of
//!   the seeker's own items agreed with the seeker's, weighed by that agreement, shrunk
//!   towards none by `kindred_pseudo_count`, times `kindred_weight`. Where the seeker's walks
//!   reach no rater of an item, it decides the estimate instead of "no opinion"; a crowd of
//!   fake accounts holds at most one item's agreement per item of the seeker's it rated.
//!
//! `covered` says whether the seeker's own circle (the personal walk) reached a rater.

use rustc_hash::FxHashMap;

use crate::domain::{PersonId, ProviderId, Stance, TradeId, Visibility};
use crate::graph::{
    anchored_trust, network_evidence_for, CreditTree, GraphBuilder, GraphError, ProviderInfo,
    RankParams, SeedTrust, TrustGraph,
};
use crate::import::network::{Fact, SourceEdge};

use super::data::Rating;
use super::kindred::{Kindred, Raters};

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
    params: RankParams,
    scale: (f64, f64),
    plain_means: Vec<Option<f64>>,
    /// Per item, its raters and how far above their habit they rated it, on [-1, 1].
    raters: Vec<Vec<(u32, f64, f64)>>,
    /// Per person, their habit: their mean rating on [0, 1], shrunk towards the middle.
    habits: Vec<f64>,
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
        // Their habit, shrunk by `habit_prior` ratings: what their deviations are measured from,
        // and, for the seeker, the level a prediction starts at.
        let habits = habit_with(params.habit_prior);
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
            let deviation = rescale(rating.value) - habits[rating.rater as usize];
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
        let (graph, _) = builder.build();
        let seeds: Vec<PersonId> = input.seeds.iter().map(|&s| person_id(s)).collect();
        let seeds = SeedTrust::compute(&graph, &seeds, &params);
        let plain_means = sums
            .into_iter()
            .map(|(sum, count)| (count > 0).then(|| sum / f64::from(count)))
            .collect();
        Ok(Model {
            graph,
            seeds,
            params,
            scale: (lo, lo + span),
            plain_means,
            raters,
            habits,
            rated,
        })
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
        let kindred = Kindred::of(
            seeker,
            self.rated.get(seeker as usize).map_or(&[][..], |r| r),
            &self.raters,
        );
        items
            .iter()
            .map(|&item| {
                self.plain_mean(item)?;
                let (value, _) = wanted[&value_twin(item)];
                let (weight, reached) = wanted[&weight_twin(item)];
                let circle = 2.0 * value - weight;
                let k = self.params.pseudo_count;
                let habit = self.habits.get(seeker as usize).copied().unwrap_or(0.5);
                let share = habit
                    + (circle
                        + k * crowd.estimate(
                            &self.raters[item as usize],
                            self.params.kindred_weight
                                * kindred.estimate(
                                    seeker,
                                    &self.raters[item as usize],
                                    self.params.kindred_pseudo_count,
                                ),
                        ))
                        / (weight + k);
                Some(Prediction {
                    score: (lo + (hi - lo) * share).clamp(lo, hi),
                    covered: reached > 0,
                })
            })
            .collect()
    }

    /// The seeker's anchored credit in every rater, ready to estimate any item.
    fn crowd(&self, seeker: u32) -> Crowd {
        let credit = anchored_trust(&self.graph, person_id(seeker), &self.seeds, &self.params);
        let tree = CreditTree::build(&self.graph, person_id(seeker), &credit, &self.params);
        let mut dense = vec![0.0; self.habits.len()];
        for (person, value) in credit {
            if let Some(slot) = usize::try_from(person.0)
                .ok()
                .and_then(|index| dense.get_mut(index))
            {
                *slot = value;
            }
        }
        Crowd {
            credit: dense,
            tree,
            pseudo: self.params.baseline_pseudo_count * self.params.anchor_cap,
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
    /// How much credit "as the rater usually rates" counts for in every item's estimate.
    pseudo: f64,
}

impl Crowd {
    /// The credit-weighted mean of the item's raters' deviations from their habits, with
    /// `pseudo` of credit at `kindred`, the kindred raters' estimate. Each subtree of the
    /// crowd lends at most its capacity; informativeness applies after the clipping, so that a
    /// region of barely informative accounts is clipped by its head count all the same.
    fn estimate(&self, raters: &Raters, kindred: f64) -> f64 {
        let lent = self
            .tree
            .lend(raters.iter().map(|&(rater, deviation, info)| {
                (
                    person_id(rater),
                    self.credit[rater as usize],
                    info,
                    deviation,
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

fn person_id(index: u32) -> PersonId {
    PersonId(i64::from(index))
}

fn value_twin(item: u32) -> ProviderId {
    ProviderId(2 * i64::from(item))
}

fn weight_twin(item: u32) -> ProviderId {
    ProviderId(2 * i64::from(item) + 1)
}
