//! Search: the providers of a trade near a place, ranked for the seeker (or for anyone) by who
//! vouches for them. The API, the search page and the partners' list widget all ask here.

use crate::domain::{GeoPoint, PersonId, ProviderId, TradeId};
use crate::graph::{self, Audience, Explanation, RankedProvider, SearchQuery};
use crate::state::AppState;

use super::validate::Fields;
use super::{AppError, AppResult};

/// A search as asked, with the place as the channel parsed it.
pub struct Search<'a> {
    /// The signed-in seeker, or `None` to rank by public reputation.
    pub seeker: Option<PersonId>,
    /// The trade's slug.
    pub trade: &'a str,
    /// Where: `GeoPoint::parse_optional` from JSON numbers, `GeoPoint::parse_text` from a form;
    /// `None` is anywhere. Its errors are reported with the others.
    pub near: Result<Option<GeoPoint>, Vec<(&'static str, String)>>,
    /// How many results.
    pub limit: usize,
    /// The most results this channel shows (the API 50, the widget 10).
    pub most: usize,
    /// For the seeker, or for a partner's server showing them their view (the widget), which
    /// sees less (`graph::Audience`).
    pub audience: Audience,
}

/// Ranks the providers of `search.trade` for the seeker, best first. Every invalid field
/// (`trade`, `lat`/`lon`, `limit`) is reported at once; while the live graph is still loading
/// the search is [`AppError::Unavailable`], rather than answered from an empty graph.
pub fn search(state: &AppState, search: Search<'_>) -> AppResult<Vec<RankedProvider>> {
    let mut fields = Fields::new();
    let trade = state.live.trade_by_slug(search.trade);
    if trade.is_none() {
        fields.push("trade", format!("unknown trade {:?}", search.trade));
    }
    let near = fields.check_each(search.near).flatten();
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
    Ok(graph::rerank_by_pace(
        ranked,
        |provider| state.pace.factor(provider),
        search.limit,
    ))
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
