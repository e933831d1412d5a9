//! `/`: what vouchgraph is, a search form, and the way in.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use crate::domain::{PersonId, Stance, TrustLevel};
use crate::graph::{PathHop, TrustPath};
use crate::state::AppState;

use super::page::{render, Chrome, WebError};
use super::search::{trade_options, TradeOption};
use super::session::Visitor;
use super::svg::paths::trust_paths_svg;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    trades: Vec<TradeOption>,
    example: String,
    has_home: bool,
}

/// The story the home page illustrates: Anna trusts Matt, who recommends Rossi Tiling.
fn example_path() -> TrustPath {
    TrustPath {
        hops: vec![PathHop {
            person: PersonId(0),
            name: "Matt Hughes".into(),
            level: TrustLevel::COMPLETE,
        }],
        voucher: PersonId(0),
        stance: Stance::Recommend,
        strength: 1.0,
    }
}

/// The home page.
pub async fn home(State(state): State<AppState>, visitor: Visitor) -> Result<Response, WebError> {
    let page = HomePage {
        chrome: Chrome::new(
            &state,
            &visitor,
            "home",
            "Find tradespeople through people you trust",
        )
        .await?,
        trades: trade_options(&state, "tiler").await?,
        example: trust_paths_svg("example", "Rossi Tiling", &[example_path()]),
        has_home: visitor.user.as_ref().is_some_and(|u| u.home.is_some()),
    };
    render(StatusCode::OK, &page)
}
