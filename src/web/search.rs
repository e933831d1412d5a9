//! `/search`: the providers of a trade ranked for the visitor, each with why, drawn as the
//! trust paths from the visitor to the people who vouched.
//!
//! Served from the in-memory graph, like `GET /v1/search`. The place searched defaults to the
//! signed-in person's home; clearing the fields searches everywhere.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use crate::app::places::PlaceInput;
use crate::app::search::{self, Found, Search};
use crate::app::{AppError, FieldError};
use crate::domain::GeoPoint;
use crate::graph::{Audience, VouchCounts};
use crate::state::AppState;

use super::page::{render, Chrome, WebError};
use super::session::{Visitor, WebQuery};
use super::svg::paths::trust_paths_svg;

/// How many results a search shows.
const RESULTS: usize = 20;

/// A trade in a `<select>`.
pub struct TradeOption {
    /// Its slug.
    pub slug: String,
    /// Its name.
    pub name: String,
    /// Whether it is the one chosen.
    pub selected: bool,
}

/// Every trade, with `selected` marked.
pub async fn trade_options(state: &AppState, selected: &str) -> Result<Vec<TradeOption>, WebError> {
    Ok(crate::app::providers::trades(state)
        .await?
        .into_iter()
        .map(|t| TradeOption {
            selected: t.slug == selected,
            slug: t.slug,
            name: t.name,
        })
        .collect())
}

/// The search form's fields. Coordinates are text, because an empty field is a choice
/// ("anywhere"), not an error.
#[derive(Deserialize)]
pub struct SearchParams {
    trade: Option<String>,
    /// The place as typed; present but empty means anywhere.
    near: Option<String>,
    /// Coordinates, for links that carry them.
    lat: Option<String>,
    lon: Option<String>,
}

/// One result as the page shows it.
struct ResultRow {
    /// "2.1 km, Redland".
    whereabouts: String,
    rank: usize,
    id: i64,
    name: String,
    summary: String,
    /// Vouchers in the visitor's network who are all more than three steps away.
    only_far: bool,
    public_summary: String,
    /// What the rank rests on, in words: "Vouched for in your network", "Public reputation".
    basis: &'static str,
    /// The score itself, for the curious (a tooltip).
    score: String,
    /// "usually gets in touch within a day", once there are enough referrals to say.
    responsiveness: Option<String>,
    paths: Vec<String>,
    svg: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    chrome: Chrome,
    trades: Vec<TradeOption>,
    trade_name: String,
    near: String,
    place: String,
    error: Option<String>,
    /// Places the visitor may have meant (label, link), after an ambiguous one.
    candidates: Vec<(String, String)>,
    searched: bool,
    signed_in: bool,
    /// Signed in, and trusting nobody yet: the results are public reputation alone.
    no_circle: bool,
    results: Vec<ResultRow>,
    any_diagram: bool,
}

/// What a page's counts cover: a search counts the vouches in the trade searched, a
/// provider's page every trade it works in, and each says so, so that the two never seem to
/// disagree.
#[derive(Clone, Copy)]
pub enum CountScope<'a> {
    /// The vouches in one trade, by its name ("Tiler").
    Trade(&'a str),
    /// The vouches in all the provider's trades together.
    AllTrades,
}

impl std::fmt::Display for CountScope<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CountScope::Trade(name) => {
                let name = name.to_lowercase();
                let article = if name.starts_with(['a', 'e', 'i', 'o', 'u']) {
                    "an"
                } else {
                    "a"
                };
                write!(f, "as {article} {name}")
            }
            CountScope::AllTrades => f.write_str("in all their trades"),
        }
    }
}

/// The counts in words: "2 people in your network recommend them as a tiler, none warn".
pub fn network_summary(c: &VouchCounts, scope: CountScope) -> String {
    let people = |n: u32| match n {
        0 => "No one".to_string(),
        1 => "1 person".to_string(),
        n => format!("{n} people"),
    };
    let verb = if c.network_recommend <= 1 {
        "recommends"
    } else {
        "recommend"
    };
    let warn = match c.network_warn {
        0 => "none warn".to_string(),
        1 => "1 warns".to_string(),
        n => format!("{n} warn"),
    };
    format!(
        "{} in your network {verb} them {scope}, {warn}",
        people(c.network_recommend)
    )
}

/// The public counts in words: "5 public recommendations as a tiler, 1 public warning".
pub fn public_summary(c: &VouchCounts, scope: CountScope) -> String {
    let plural = |n: u32, word: &str| {
        if n == 1 {
            format!("1 public {word}")
        } else {
            format!("{n} public {word}s")
        }
    };
    format!(
        "{} {scope}, {}",
        plural(c.public_recommend, "recommendation"),
        plural(c.public_warn, "warning")
    )
}

fn result_row(rank: usize, found: Found, trade: &str) -> ResultRow {
    let whereabouts =
        search::whereabouts(found.distance_km, found.area.as_deref()).unwrap_or_default();
    let r = found.ranked;
    ResultRow {
        whereabouts,
        rank,
        id: r.provider.0,
        summary: network_summary(&r.counts, CountScope::Trade(trade)),
        only_far: r.paths.is_empty() && r.counts.network_recommend + r.counts.network_warn > 0,
        public_summary: public_summary(&r.counts, CountScope::Trade(trade)),
        basis: if r.personal > 0.0 {
            "Vouched for in your network"
        } else if r.prior > 0.0 || r.counts.public_recommend > 0 {
            "Public reputation"
        } else {
            "No vouches yet"
        },
        score: format!("{:.3}", r.score),
        responsiveness: found.responsiveness,
        paths: r.paths.iter().map(|p| p.in_words(&r.name)).collect(),
        svg: trust_paths_svg(&format!("paths-{}", r.provider.0), &r.name, &r.paths),
        name: r.name,
    }
}

/// Why a search was refused, in one sentence: the trade first, as the form offers a list.
fn refusal(slug: &str, refused: &[FieldError]) -> String {
    if refused.iter().any(|e| e.field == "trade") {
        return format!("There is no trade called “{slug}”; pick one from the list.");
    }
    if let Some(near) = refused.iter().find(|e| e.field == "near") {
        let mut message = near.message.clone();
        if let Some(first) = message.get(..1) {
            message = first.to_uppercase() + &message[1..];
        }
        return format!("{message}.");
    }
    let place = refused
        .iter()
        .map(|e| format!("{} {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ");
    format!("The place is not valid: {place}.")
}

/// The search page, with results when a trade is given.
pub async fn search(
    State(state): State<AppState>,
    visitor: Visitor,
    WebQuery(params): WebQuery<SearchParams>,
) -> Result<Response, WebError> {
    let slug = params.trade.unwrap_or_default();
    let trades = trade_options(&state, &slug).await?;
    // No place given defaults to home; a place field sent empty means anywhere.
    let home = visitor.user.as_ref().and_then(|u| u.home);
    let near_text = params
        .near
        .clone()
        .unwrap_or_else(|| match (&params.lat, &params.lon, home) {
            (None, None, Some((lat, lon))) => crate::places::neighbourhood(lat, lon)
                .map(|n| format!("{n} (your home)"))
                .unwrap_or_default(),
            _ => String::new(),
        });
    let mut page = SearchPage {
        chrome: Chrome::new(&state, &visitor, "search", "Search").await?,
        trade_name: trades
            .iter()
            .find(|t| t.selected)
            .map(|t| t.name.clone())
            .unwrap_or_default(),
        trades,
        near: near_text,
        place: String::new(),
        error: None,
        candidates: Vec::new(),
        searched: false,
        signed_in: visitor.user.is_some(),
        no_circle: visitor
            .user
            .as_ref()
            .is_some_and(|u| state.live.read(|g, _| g.trusted_count(u.person)) == 0),
        results: Vec::new(),
        any_diagram: false,
    };
    if slug.is_empty() {
        return render(StatusCode::OK, &page);
    }
    let (input, place) = match (&params.near, &params.lat, &params.lon, home) {
        (Some(typed), _, _, _) if typed.trim().is_empty() => {
            (PlaceInput::None, "anywhere".to_string())
        }
        (Some(typed), _, _, _) => (
            PlaceInput::Text {
                field: "near",
                typed,
            },
            format!("near {}", typed.trim()),
        ),
        (None, None, None, Some((lat, lon))) => (
            PlaceInput::Point(GeoPoint::parse(lat, lon).map(Some)),
            "near your home".to_string(),
        ),
        (None, None, None, None) => (PlaceInput::None, "anywhere".to_string()),
        (None, lat, lon, _) => (
            PlaceInput::Point(GeoPoint::parse_text(
                lat.as_deref().unwrap_or(""),
                lon.as_deref().unwrap_or(""),
            )),
            "near the place given".to_string(),
        ),
    };
    let search = Search {
        audience: Audience::Seeker,
        seeker: visitor.person(),
        trade: &slug,
        near: input,
        limit: RESULTS,
        most: RESULTS,
    };
    let ranked = match search::search(&state, search).await {
        Ok(ranked) => ranked,
        Err(AppError::Invalid(refused)) => {
            page.error = Some(refusal(&slug, &refused));
            page.candidates = refused
                .iter()
                .flat_map(|e| e.candidates.iter())
                .map(|label| {
                    let query = serde_urlencoded::to_string([
                        ("trade", slug.as_str()),
                        ("near", label.as_str()),
                    ])
                    .unwrap_or_default();
                    (label.clone(), format!("/search?{query}"))
                })
                .collect();
            return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
        Err(other) => return Err(other.into()),
    };
    page.place = place;
    page.searched = true;
    page.results = ranked
        .into_iter()
        .enumerate()
        .map(|(i, f)| result_row(i + 1, f, &page.trade_name))
        .collect();
    page.any_diagram = page.results.iter().any(|r| !r.svg.is_empty());
    render(StatusCode::OK, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_as_a_sentence() {
        let counts = VouchCounts {
            network_recommend: 1,
            network_warn: 0,
            public_recommend: 5,
            public_warn: 1,
        };
        assert_eq!(
            network_summary(&counts, CountScope::Trade("Tiler")),
            "1 person in your network recommends them as a tiler, none warn"
        );
        assert_eq!(
            public_summary(&counts, CountScope::Trade("Electrician")),
            "5 public recommendations as an electrician, 1 public warning"
        );
        assert_eq!(
            public_summary(&counts, CountScope::AllTrades),
            "5 public recommendations in all their trades, 1 public warning"
        );
    }

    #[test]
    fn a_refused_search_names_the_trade_first_then_the_place() {
        let trade = FieldError::new("trade", "unknown trade \"wizard\"");
        let lat = FieldError::new("lat", "must be between -90 and 90");
        assert_eq!(
            refusal("wizard", &[trade, lat.clone()]),
            "There is no trade called “wizard”; pick one from the list."
        );
        assert_eq!(
            refusal("tiler", &[lat]),
            "The place is not valid: lat must be between -90 and 90."
        );
    }
}
