//! Ratings as the engine sees them, and predictions made by the engine's own search code.
//!
//! Items play providers and ratings play vouches: a rating is a public recommending vouch whose
//! strength carries the rating. The engine sums p(voucher) * strength per provider, which is
//! the numerator of a trust-weighted mean; the denominator, p(voucher) alone, comes from a
//! second provider per item, its "weight twin", vouched for with strength 1 by the same raters.
//! So an item i is two providers, 2i (strength = the rating rescaled to [0, 1]) and 2i + 1
//! (strength 1), and for a seeker:
//!
//! ```text
//! value  = personal(2i)     + lambda * prior(2i)       the search score of the value twin
//! weight = personal(2i + 1) + lambda * prior(2i + 1)   the search score of the weight twin
//! prediction = lo + (hi - lo) * value / weight
//! ```
//!
//! that is the mean rating of the item's raters, each weighed by what a search would credit
//! them with: the seeker's walk where it reached them, plus the global (seeded) trust. Where
//! the seeker's walk reached no rater of the item, the personal parts are 0 and the prediction
//! is the seeded-trust-weighted mean; where no rater has global trust either, the plain mean.
//! `covered` says whether the seeker's own network reached a rater.

use rustc_hash::FxHashMap;

use crate::domain::{PersonId, ProviderId, Stance, TradeId, Visibility};
use crate::graph::{
    compute_prior, network_evidence_for, GraphBuilder, GraphError, Prior, ProviderInfo, RankParams,
    TrustGraph,
};
use crate::import::network::{Fact, SourceEdge};

use super::data::Rating;

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

/// The engine's graph and prior over people, items and ratings.
pub struct Model {
    graph: TrustGraph,
    prior: Prior,
    params: RankParams,
    scale: (f64, f64),
    plain_means: Vec<Option<f64>>,
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
    /// The people whose trust seeds the global prior.
    pub seeds: &'a [u32],
}

impl Model {
    /// Builds the graph with [`GraphBuilder`] and computes the prior with [`compute_prior`], as
    /// the service does at start-up.
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
        for rating in input.ratings {
            let rater = person_id(rating.rater);
            let strength = ((rating.value - lo) / span).clamp(0.0, 1.0) as f32;
            let vouch = |builder: &mut GraphBuilder, twin, strength| {
                builder.vouch(
                    rater,
                    twin,
                    TRADE,
                    Stance::Recommend,
                    Visibility::Public,
                    strength,
                )
            };
            vouch(&mut builder, value_twin(rating.item), strength)?;
            vouch(&mut builder, weight_twin(rating.item), 1.0)?;
            let sum = &mut sums[rating.item as usize];
            sum.0 += rating.value;
            sum.1 += 1;
        }
        let (graph, _) = builder.build();
        let seeds: Vec<PersonId> = input.seeds.iter().map(|&s| person_id(s)).collect();
        let prior = compute_prior(&graph, &seeds, &params);
        let plain_means = sums
            .into_iter()
            .map(|(sum, count)| (count > 0).then(|| sum / f64::from(count)))
            .collect();
        Ok(Model {
            graph,
            prior,
            params,
            scale: (lo, lo + span),
            plain_means,
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
        items
            .iter()
            .map(|&item| {
                let plain = self.plain_mean(item)?;
                let score_of = |twin: ProviderId| {
                    let (personal, reached) = wanted[&twin];
                    (
                        personal + self.params.lambda * self.prior.get(twin, TRADE),
                        reached,
                    )
                };
                let (value, _) = score_of(value_twin(item));
                let (weight, reached) = score_of(weight_twin(item));
                let score = if weight > 0.0 {
                    (lo + (hi - lo) * value / weight).clamp(lo, hi)
                } else {
                    plain
                };
                Some(Prediction {
                    score,
                    covered: reached > 0,
                })
            })
            .collect()
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

fn person_id(index: u32) -> PersonId {
    PersonId(i64::from(index))
}

fn value_twin(item: u32) -> ProviderId {
    ProviderId(2 * i64::from(item))
}

fn weight_twin(item: u32) -> ProviderId {
    ProviderId(2 * i64::from(item) + 1)
}
