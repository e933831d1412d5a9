//! `/providers/{id}`: a provider's profile, why it scores what it does for the visitor, the
//! vouches the visitor may see, and the forms to vouch (recommend or warn) and to refer it.
//! Vouching is the use case `app::vouches`, as `PUT/DELETE /v1/providers/{id}/vouches/{trade}` is.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use crate::app::vouches::{self, VouchInput};
use crate::app::{people, providers};
use crate::domain::{ProviderId, Stance, Visibility};
use crate::error::ApiError;
use crate::graph::Audience;
use crate::state::AppState;

use super::circle::VISIBILITIES;
use super::page::{day, render, see_other, Chrome, WebError};
use super::search::{network_summary, public_summary, CountScope};
use super::session::{Posted, Visitor};
use super::svg::paths::trust_paths_svg;

/// The most paths the "why" diagram draws; the list below it names the rest.
const PATHS_DRAWN: usize = 5;

/// Parses a provider id from the path; anything else is a 404 page.
pub fn provider_id(raw: &str) -> Result<ProviderId, WebError> {
    raw.parse::<i64>()
        .map(ProviderId)
        .map_err(|_| ApiError::NotFound("provider").into())
}

/// A trade in the forms.
struct TradeChoice {
    slug: String,
    name: String,
    selected: bool,
}

/// A vouch as listed.
struct VouchCard {
    name: String,
    /// "as a tiler", "as an electrician".
    as_trade: String,
    trade_slug: String,
    recommend: bool,
    note: String,
    visibility: String,
    mine: bool,
    when: String,
}

#[derive(Template)]
#[template(path = "provider.html")]
struct ProviderPage {
    chrome: Chrome,
    csrf: String,
    id: i64,
    name: String,
    description: String,
    trade_names: String,
    owner_name: String,
    phone: Option<String>,
    email: Option<String>,
    website: Option<String>,
    area: String,
    responsiveness: Option<String>,
    signed_in: bool,
    is_owner: bool,
    why_summary: String,
    why_public: String,
    why_svg: String,
    why_paths: Vec<String>,
    beyond: u32,
    vouches: Vec<VouchCard>,
    trades: Vec<TradeChoice>,
    stance_warn: bool,
    note: String,
    visibility: String,
    visibilities: &'static [(&'static str, &'static str)],
    /// Where logging in or signing up returns a visitor who came to vouch, or to refer.
    vouch_next: String,
    refer_next: String,
    refer: ReferState,
}

/// The referral form as typed, and what was wrong with it: a refused referral shows the page
/// again with the message beside its field and nothing typed lost.
#[derive(Default)]
pub(super) struct ReferState {
    pub(super) recipient: String,
    pub(super) trade: String,
    pub(super) note: String,
    pub(super) recipient_error: Option<String>,
    pub(super) note_error: Option<String>,
    pub(super) trade_error: Option<String>,
}

impl ReferState {
    fn any_error(&self) -> bool {
        self.recipient_error.is_some() || self.note_error.is_some() || self.trade_error.is_some()
    }
}

/// The provider page.
pub async fn provider(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(raw): Path<String>,
) -> Result<Response, WebError> {
    let id = provider_id(&raw)?;
    provider_page(&state, &visitor, id, ReferState::default(), StatusCode::OK).await
}

/// The provider page, with the referral form as `refer` has it.
pub(super) async fn provider_page(
    state: &AppState,
    visitor: &Visitor,
    id: ProviderId,
    refer: ReferState,
    status: StatusCode,
) -> Result<Response, WebError> {
    let row = providers::profile(state, id).await?;
    let seeker = visitor.person();
    let all_trades = providers::trades(state).await?;
    let trade_name = |slug: &str| {
        all_trades
            .iter()
            .find(|t| t.slug == slug)
            .map_or_else(|| slug.to_string(), |t| t.name.clone())
    };
    let owner_name = people::find(state, row.owner_id)
        .await?
        .map(|p| p.display_name)
        .unwrap_or_default();
    let vouches: Vec<VouchCard> = vouches::visible(state, id, seeker)
        .await?
        .into_iter()
        .map(|v| VouchCard {
            name: v.display_name,
            as_trade: CountScope::Trade(&trade_name(&v.trade)).to_string(),
            recommend: v.stance == Stance::Recommend,
            note: v.note,
            mine: Some(v.person_id) == seeker,
            when: day(v.updated_at),
            trade_slug: v.trade,
            visibility: v.visibility.as_str().to_string(),
        })
        .collect();
    // While the graph loads the page shows no explanation rather than an error.
    let explanation = crate::app::search::explain(state, seeker, Audience::Seeker, id, None).ok();
    let (why_summary, why_public, why_svg, why_paths, beyond) = match &explanation {
        Some(e) => (
            network_summary(&e.counts, CountScope::AllTrades),
            public_summary(&e.counts, CountScope::AllTrades),
            trust_paths_svg("why", &row.name, &e.paths[..e.paths.len().min(PATHS_DRAWN)]),
            e.paths.iter().map(|p| p.in_words(&row.name)).collect(),
            e.beyond_three_hops,
        ),
        None => Default::default(),
    };
    // The form starts from the visitor's own vouch, if they made one.
    let mine = vouches.iter().find(|v| v.mine);
    let selected_trade = if refer.trade.is_empty() {
        mine.map_or_else(
            || row.trades.first().cloned().unwrap_or_default(),
            |v| v.trade_slug.clone(),
        )
    } else {
        refer.trade.clone()
    };
    let page = ProviderPage {
        chrome: Chrome::new(state, visitor, "provider", row.name.clone()).await?,
        csrf: visitor
            .user
            .as_ref()
            .map(|u| u.csrf.clone())
            .unwrap_or_default(),
        id: id.0,
        trade_names: row
            .trades
            .iter()
            .map(|t| trade_name(t))
            .collect::<Vec<_>>()
            .join(", "),
        trades: row
            .trades
            .iter()
            .map(|slug| TradeChoice {
                name: trade_name(slug),
                selected: *slug == selected_trade,
                slug: slug.clone(),
            })
            .collect(),
        owner_name,
        description: row.description,
        phone: row.phone,
        email: row.email,
        website: row.website,
        // "Based in Redland, covers 8 km around"; coordinates only where no place is known.
        area: match crate::places::neighbourhood(row.lat, row.lon) {
            Some(place) => format!("based in {place}, covers {} km around", row.radius_km),
            None => format!(
                "within {} km of {:.3}, {:.3}",
                row.radius_km, row.lat, row.lon
            ),
        },
        responsiveness: crate::app::customer_book::responsiveness(
            state,
            id,
            time::OffsetDateTime::now_utc(),
        )
        .await?
        .map(|r| {
            let median = r.median_hours.unwrap_or_default();
            format!(
                "{}: half of the customers who accepted a referral in the last 90 days heard \
                 within {}",
                r.in_words(),
                if median < 48.0 {
                    format!("{} hours", median.ceil().max(1.0))
                } else {
                    format!("{} days", (median / 24.0).ceil())
                }
            )
        }),
        signed_in: visitor.user.is_some(),
        is_owner: visitor.user.as_ref().is_some_and(|u| u.owns(id)),
        why_summary,
        why_public,
        why_svg,
        why_paths,
        beyond,
        stance_warn: mine.is_some_and(|v| !v.recommend),
        note: mine.map(|v| v.note.clone()).unwrap_or_default(),
        visibility: mine.map_or_else(|| "public".to_string(), |v| v.visibility.clone()),
        visibilities: VISIBILITIES,
        vouch_next: format!("/providers/{}#vouch", id.0),
        refer_next: format!("/providers/{}#refer", id.0),
        refer,
        vouches,
        name: row.name,
    };
    render(status, &page)
}

/// A vouch form.
#[derive(Deserialize)]
pub struct VouchForm {
    trade: String,
    stance: String,
    #[serde(default)]
    note: String,
    visibility: String,
}

/// Recommends or warns against the provider (replacing the visitor's earlier vouch).
pub async fn vouch(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    Posted { visitor, form }: Posted<VouchForm>,
) -> Result<Response, WebError> {
    let id = provider_id(&raw)?;
    let me = visitor.require_for(&format!("/providers/{}#vouch", id.0))?;
    let stance = Stance::parse(&form.stance)
        .ok_or_else(|| ApiError::field("stance", "must be recommend or warn"))?;
    let visibility = Visibility::parse(&form.visibility)
        .ok_or_else(|| ApiError::field("visibility", "must be public, network or private"))?;
    let input = VouchInput {
        provider: id,
        trade: &form.trade,
        stance,
        note: &form.note,
        visibility,
    };
    vouches::set_vouch(&state, me.person, input).await?;
    Ok(see_other(&format!(
        "/providers/{}?done=vouched#vouches",
        id.0
    )))
}

/// A withdrawal: which trade's vouch.
#[derive(Deserialize)]
pub struct WithdrawForm {
    trade: String,
}

/// Withdraws the visitor's vouch for the provider in a trade.
pub async fn withdraw(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    Posted { visitor, form }: Posted<WithdrawForm>,
) -> Result<Response, WebError> {
    let id = provider_id(&raw)?;
    let me = visitor.require_for(&format!("/providers/{}", id.0))?;
    vouches::withdraw_vouch(&state, me.person, id, &form.trade).await?;
    Ok(see_other(&format!(
        "/providers/{}?done=withdrawn#vouches",
        id.0
    )))
}
