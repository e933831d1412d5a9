//! Search: the providers of a trade near a place, ranked for the seeker (or for anyone) by who
//! vouches for them. The API, the search page and the partners' list widget all ask here.

use crate::domain::{PersonId, ProviderId, TradeId};
use crate::graph::{self, Audience, Explanation, RankedProvider, SearchQuery};
use crate::places;
use crate::state::AppState;

use super::places::PlaceInput;
use super::validate::Fields;
use super::{AppError, AppResult};

/// A search as asked, with the place as the channel parsed it.
pub struct Search<'a> {
    /// The signed-in seeker, or `None` to rank by public reputation.
    pub seeker: Option<PersonId>,
    /// The trade's slug.
    pub trade: &'a str,
    /// Where: a point as the channel parsed it, or a place typed (resolved by the geocoder);
    /// nothing is anywhere. Its errors are reported with the others.
    pub near: PlaceInput<'a>,
    /// How many results.
    pub limit: usize,
    /// The most results this channel shows (the API 50, the widget 10).
    pub most: usize,
    /// For the seeker, or for a partner's server showing them their view (the widget), which
    /// sees less (`graph::Audience`).
    pub audience: Audience,
}

/// A search result: the provider ranked, and where it is in words.
pub struct Found {
    /// The provider, its score and why.
    pub ranked: RankedProvider,
    /// How far its base is from the place searched, in kilometres.
    pub distance_km: Option<f64>,
    /// The neighbourhood of its base ("Redland").
    pub area: Option<String>,
    /// How quickly it gets in touch, in words following its name ("usually gets in touch
    /// within a day"), once it has enough referrals to say.
    pub responsiveness: Option<String>,
}

/// Ranks the providers of `search.trade` for the seeker, best first. Every invalid field
/// (`trade`, `lat`/`lon` or `near`, `limit`) is reported at once; while the live graph is
/// still loading the search is [`AppError::Unavailable`], rather than answered from an empty
/// graph.
pub async fn search(state: &AppState, search: Search<'_>) -> AppResult<Vec<Found>> {
    let mut fields = Fields::new();
    let trade = state.live.trade_by_slug(search.trade);
    if trade.is_none() {
        fields.push("trade", format!("unknown trade {:?}", search.trade));
    }
    let near = fields.absorb(search.near.point(state).await)?.flatten();
    if !(1..=search.most).contains(&search.limit) {
        fields.push("limit", format!("must be between 1 and {}", search.most));
    }
    fields.finish()?;
    ready(state)?;
    // Pace (`graph::rerank_by_pace`) can lower a slow provider by at most a quarter, so a few
    // more than asked are ranked, for those it lets in from below.
    let query = SearchQuery {
        seeker: search.seeker,
        trade: trade.expect("checked"),
        near: near.map(|p| (p.lat, p.lon)),
        limit: search.limit + search.limit.min(PACE_SPARE),
        audience: search.audience,
    };
    let ranked = state
        .live
        .read(|g, prior| graph::rank_providers_for(g, prior, &query, state.live.params()));
    let ranked =
        graph::rerank_by_pace(ranked, |provider| state.pace.factor(provider), search.limit);
    Ok(state.live.read(|g, _| {
        ranked
            .into_iter()
            .map(|ranked| {
                let base = g.provider(ranked.provider).map(|p| (p.lat, p.lon));
                Found {
                    responsiveness: state.pace.get(ranked.provider).map(|p| p.in_words()),
                    distance_km: near
                        .zip(base)
                        .map(|(n, (lat, lon))| graph::haversine_km(n.lat, n.lon, lat, lon)),
                    area: base.and_then(|(lat, lon)| places::neighbourhood(lat, lon)),
                    ranked,
                }
            })
            .collect()
    }))
}

/// Where a result is, in words: "2.1 km, Redland", "Redland", "2.1 km".
pub fn whereabouts(distance_km: Option<f64>, area: Option<&str>) -> Option<String> {
    let distance = distance_km.map(|d| {
        if d < 10.0 {
            format!("{d:.1} km")
        } else {
            format!("{d:.0} km")
        }
    });
    match (distance, area) {
        (Some(d), Some(a)) => Some(format!("{d}, {a}")),
        (Some(d), None) => Some(d),
        (None, Some(a)) => Some(a.to_string()),
        (None, None) => None,
    }
}

/// The neighbourhood a provider is based in, in words ("Redland"), if the gazetteer names it.
pub fn provider_area(state: &AppState, provider: ProviderId) -> Option<String> {
    let base = state
        .live
        .read(|g, _| g.provider(provider).map(|p| (p.lat, p.lon)))?;
    places::neighbourhood(base.0, base.1)
}

/// How many results beyond those asked for a search ranks before weighing pace.
const PACE_SPARE: usize = 10;

/// Why `provider` scores what it does for `seeker` (in `trade`, or over all its trades), as
/// `audience` may see it: the counts and the trust paths. [`AppError::NotFound`] for an
/// unknown provider; unavailable while the graph loads, as a search is.
pub fn explain(
    state: &AppState,
    seeker: Option<PersonId>,
    audience: Audience,
    provider: ProviderId,
    trade: Option<TradeId>,
) -> AppResult<Explanation> {
    ready(state)?;
    let mut explanation = state
        .live
        .read(|g, prior| {
            graph::explain_provider(
                g,
                prior,
                seeker,
                audience,
                provider,
                trade,
                state.live.params(),
            )
        })
        .ok_or(AppError::NotFound("provider"))?;
    // The score a search gives it, pace included.
    explanation.score *= state.pace.factor(provider);
    Ok(explanation)
}

/// Refuses to rank while the live graph is still loading: an empty graph would answer with
/// nothing, which looks like a real answer.
pub fn ready(state: &AppState) -> AppResult<()> {
    if state.live.is_loaded() {
        Ok(())
    } else {
        Err(AppError::Unavailable(
            "the trust graph is still loading".into(),
        ))
    }
}
