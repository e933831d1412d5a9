//! Search: providers ranked for the caller by who vouches for them, with the reasons.
//!
//! Served entirely from the in-memory graph, so it keeps working while the database is down.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::app::places::PlaceInput;
use crate::app::search::{self, Search};
use crate::domain::{PersonId, ProviderId, Stance};
use crate::error::{ApiError, ApiResult};
use crate::graph::{Audience, RankedProvider, TrustPath, VouchCounts};
use crate::http::auth::MaybeCaller;
use crate::http::extract::{Path, Query};
use crate::state::AppState;

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search))
        .routes(routes!(why))
}

/// A search.
#[derive(Deserialize, IntoParams)]
pub struct SearchParams {
    /// Trade slug, e.g. `tiler`.
    pub trade: String,
    /// Latitude of the place the work is at; with `lon`, only providers covering it are listed.
    pub lat: Option<f64>,
    /// Longitude of the place.
    pub lon: Option<f64>,
    /// The place the work is at, as a person types it ("BS6", "Redland, Bristol", "Keynsham"),
    /// instead of `lat`/`lon`. Ambiguous or unknown: a 422 on `near` with `candidates`.
    pub near: Option<String>,
    /// How many results (1 to 50, default 10).
    pub limit: Option<usize>,
}

/// One hop on a trust path.
#[derive(Serialize, ToSchema)]
pub struct HopView {
    /// The person at this hop.
    pub person_id: PersonId,
    /// Their name.
    pub name: String,
    /// The trust level of the edge into this person (1 to 3).
    pub level: u8,
    /// The level in words.
    pub level_label: &'static str,
}

/// A trust path from the seeker to someone who vouched.
#[derive(Serialize, ToSchema)]
pub struct PathView {
    /// The people after the seeker; the last one is the voucher. Empty when the seeker vouched.
    pub hops: Vec<HopView>,
    /// The voucher.
    pub voucher_id: PersonId,
    /// What the voucher said.
    pub stance: Stance,
    /// How much of the seeker's trust reaches the voucher along this path (0 to 1).
    pub strength: f64,
    /// The path in words: "you → Matt Hughes → recommends Rossi Tiling".
    pub text: String,
}

/// Vouch counts behind a score.
#[derive(Serialize, ToSchema)]
pub struct CountsView {
    /// People in the seeker's network (visible to them) who recommend.
    pub network_recommend: u32,
    /// People in the seeker's network who warn.
    pub network_warn: u32,
    /// Public recommendations overall.
    pub public_recommend: u32,
    /// Public warnings overall.
    pub public_warn: u32,
    /// The counts in words.
    pub summary: String,
}

/// A ranked provider.
#[derive(Serialize, ToSchema)]
pub struct ResultView {
    /// The provider.
    pub provider_id: ProviderId,
    /// Its name.
    pub name: String,
    /// The score: (personal + prior weight × prior) × pace, where pace (0.75 to 1) lowers a
    /// provider that leaves accepted referrals waiting (docs/ranking.md). Never negative.
    pub score: f64,
    /// The personal part: trust from the seeker's own network.
    pub personal: f64,
    /// The global prior: trust from the community's pre-trusted members.
    pub prior: f64,
    /// Who recommends and warns.
    pub counts: CountsView,
    /// Up to 3 strongest paths from the seeker to a voucher (at most 3 hops).
    pub paths: Vec<PathView>,
    /// How quickly it gets in touch once a customer accepts a referral, in words ("usually
    /// gets in touch within a day"); null while there are too few referrals to say.
    pub responsiveness: Option<String>,
    /// How far its base is from the place searched, in kilometres; null without a place.
    pub distance_km: Option<f64>,
    /// The neighbourhood its base is in ("Redland"), when known.
    pub area: Option<String>,
    /// Both in words: "2.1 km, Redland".
    pub whereabouts: Option<String>,
}

/// Search results.
#[derive(Serialize, ToSchema)]
pub struct SearchView {
    /// The seeker, or null when anonymous (ranked by the prior and public vouches).
    pub seeker_id: Option<PersonId>,
    /// The trade searched.
    pub trade: String,
    /// Ranked providers, best first.
    pub results: Vec<ResultView>,
}

/// Providers of a trade, ranked for the caller by who vouches for them.
#[utoipa::path(get, path = "/v1/search", tag = "search", params(SearchParams),
    security((), ("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "Ranked providers", body = SearchView)))]
async fn search(
    State(state): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    Query(params): Query<SearchParams>,
) -> ApiResult<axum::Json<SearchView>> {
    let seeker = caller.map(|c| c.person);
    let near = PlaceInput::from_parts("near", params.near.as_deref(), params.lat, params.lon);
    let found = search::search(
        &state,
        Search {
            audience: Audience::Seeker,
            seeker,
            trade: &params.trade,
            near,
            limit: params.limit.unwrap_or(10),
            most: 50,
        },
    )
    .await?;
    Ok(axum::Json(SearchView {
        seeker_id: seeker,
        trade: params.trade,
        results: found
            .into_iter()
            .map(|f| {
                let mut view = result_view(seeker, f.ranked, f.responsiveness);
                view.whereabouts = search::whereabouts(f.distance_km, f.area.as_deref());
                view.distance_km = f.distance_km.map(|d| (d * 10.0).round() / 10.0);
                view.area = f.area;
                view
            })
            .collect(),
    }))
}

/// Which trade to explain.
#[derive(Deserialize, IntoParams)]
pub struct WhyParams {
    /// Trade slug; when absent, every trade the provider offers counts.
    pub trade: Option<String>,
}

/// The full explanation for one provider.
#[derive(Serialize, ToSchema)]
pub struct WhyView {
    /// The seeker, or null when anonymous.
    pub seeker_id: Option<PersonId>,
    /// The provider, its score parts, and the best path to every voucher within 3 hops.
    pub provider: ResultView,
    /// Vouchers the seeker's trust reaches only beyond 3 hops: counted in the score, not named.
    pub beyond_three_hops: u32,
    /// R: the seeker's trust mass at visible recommenders.
    pub recommend_weight: f64,
    /// W: the same at visible warners (weighed gamma times in the score).
    pub warn_weight: f64,
}

/// Why a provider ranks where it does for the caller: every visible voucher their trust
/// reaches within 3 hops, with the strongest path to each.
#[utoipa::path(get, path = "/v1/providers/{id}/why", tag = "search", params(("id" = i64, Path, description = "The provider"), WhyParams),
    security((), ("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "The explanation", body = WhyView)))]
async fn why(
    State(state): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    Path(provider): Path<ProviderId>,
    Query(params): Query<WhyParams>,
) -> ApiResult<axum::Json<WhyView>> {
    let trade = match &params.trade {
        Some(slug) => Some(state.live.trade_by_slug(slug).ok_or_else(|| {
            ApiError::field(
                "trade",
                format!("unknown trade {slug:?}; see GET /v1/trades"),
            )
        })?),
        None => None,
    };
    let seeker = caller.map(|c| c.person);
    let explanation = search::explain(&state, seeker, Audience::Seeker, provider, trade)?;
    let name = explanation.name.clone();
    let area = search::provider_area(&state, provider);
    Ok(axum::Json(WhyView {
        seeker_id: seeker,
        beyond_three_hops: explanation.beyond_three_hops,
        recommend_weight: explanation.recommend_weight,
        warn_weight: explanation.warn_weight,
        provider: ResultView {
            provider_id: explanation.provider,
            score: explanation.score,
            personal: explanation.personal,
            prior: explanation.prior,
            counts: counts_view(seeker.is_some(), &explanation.counts),
            paths: explanation
                .paths
                .iter()
                .map(|p| path_view(&name, p))
                .collect(),
            name,
            responsiveness: state.pace.get(provider).map(|p| p.in_words()),
            distance_km: None,
            whereabouts: area.clone(),
            area,
        },
    }))
}

fn result_view(
    seeker: Option<PersonId>,
    r: RankedProvider,
    responsiveness: Option<String>,
) -> ResultView {
    let name = r.name.clone();
    ResultView {
        provider_id: r.provider,
        score: r.score,
        personal: r.personal,
        prior: r.prior,
        counts: counts_view(seeker.is_some(), &r.counts),
        paths: r.paths.iter().map(|p| path_view(&name, p)).collect(),
        name,
        responsiveness,
        distance_km: None,
        area: None,
        whereabouts: None,
    }
}

fn counts_view(signed_in: bool, c: &VouchCounts) -> CountsView {
    // "1 person you trust recommends", "3 people you trust recommend", "1 warns", "0 warn".
    let people = |n: u32| match n {
        1 => "1 person".to_string(),
        n => format!("{n} people"),
    };
    let s = |n: u32| if n == 1 { "s" } else { "" };
    let summary = if signed_in {
        format!(
            "{} you trust recommend{}, {} warn{}",
            people(c.network_recommend),
            s(c.network_recommend),
            c.network_warn,
            s(c.network_warn)
        )
    } else {
        format!(
            "{} recommend{} publicly, {} warn{}",
            people(c.public_recommend),
            s(c.public_recommend),
            c.public_warn,
            s(c.public_warn)
        )
    };
    CountsView {
        network_recommend: c.network_recommend,
        network_warn: c.network_warn,
        public_recommend: c.public_recommend,
        public_warn: c.public_warn,
        summary,
    }
}

pub(crate) fn path_view(provider_name: &str, p: &TrustPath) -> PathView {
    let (you_verb, verb) = match p.stance {
        Stance::Recommend => ("recommend", "recommends"),
        Stance::Warn => ("warn against", "warns against"),
    };
    let mut text = String::from("you");
    for hop in &p.hops {
        text.push_str(" → ");
        text.push_str(&hop.name);
    }
    if p.hops.is_empty() {
        text.push_str(&format!(" {you_verb} {provider_name}"));
    } else {
        text.push_str(&format!(" → {verb} {provider_name}"));
    }
    PathView {
        hops: p
            .hops
            .iter()
            .map(|h| HopView {
                person_id: h.person,
                name: h.name.clone(),
                level: h.level.get(),
                level_label: h.level.label(),
            })
            .collect(),
        voucher_id: p.voucher,
        stance: p.stance,
        strength: p.strength,
        text,
    }
}
