//! The widget API: what `widget.js` reads and sends. A partner key (publishable from the
//! partner's allowed origins, or secret from its server) reads public data; with a visitor's
//! embed token the same calls answer for that visitor (their ranking and trust paths), and a
//! referral can be sent in their name, attributed to the partner.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::app::places::PlaceInput;
use crate::app::search::{self, Search};
use crate::domain::values::parse_note;
use crate::domain::{Email, GeoPoint, PersonId, ProviderId, Stance, TradeId};
use crate::error::{ApiError, ApiResult};
use crate::graph::{Audience, TrustPath, VouchCounts};
use crate::http::extract::{Json, Query};
use crate::state::AppState;
use crate::store;

use super::auth::{embed_visitor, preflight, widget_cors, WidgetKey};
use super::embed::{EmbedClaims, SCOPE_ASK, SCOPE_READ, SCOPE_REFER};
use super::store as partners;

/// The routes of this module, behind the widget CORS policy.
pub fn router() -> OpenApiRouter<AppState> {
    let preflight = || axum::routing::options(preflight);
    OpenApiRouter::new()
        .routes(routes!(badge))
        .routes(routes!(list))
        .routes(routes!(refer_context))
        .routes(routes!(refer))
        .routes(routes!(ask_context))
        .routes(routes!(ask))
        .route("/v1/widget/ask", preflight())
        .route("/v1/widget/requests", preflight())
        .route("/v1/widget/badge", preflight())
        .route("/v1/widget/list", preflight())
        .route("/v1/widget/refer", preflight())
        .route("/v1/widget/referrals", preflight())
        .layer(axum::middleware::from_fn(widget_cors))
}

/// The visitor, when the embed token allows `scope`.
async fn seeker(
    state: &AppState,
    headers: &HeaderMap,
    key: &super::auth::PartnerKey,
    scope: &str,
) -> ApiResult<Option<EmbedClaims>> {
    let claims = embed_visitor(state, headers, key).await?;
    match claims {
        Some(c) if !c.allows(scope) => Err(ApiError::Forbidden(format!(
            "this embed token does not allow {scope:?}"
        ))),
        other => Ok(other),
    }
}

fn trade(state: &AppState, slug: Option<&str>) -> ApiResult<Option<TradeId>> {
    match slug {
        None => Ok(None),
        Some(slug) => state.live.trade_by_slug(slug).map(Some).ok_or_else(|| {
            ApiError::field(
                "trade",
                format!("unknown trade {slug:?}; see GET /v1/trades"),
            )
        }),
    }
}

fn path_text(provider: &str, p: &TrustPath) -> String {
    let mut text = String::from("you");
    for hop in &p.hops {
        text.push_str(" → ");
        text.push_str(&hop.name);
    }
    let verb = match (p.stance, p.hops.is_empty()) {
        (Stance::Recommend, true) => " recommend ",
        (Stance::Warn, true) => " warn against ",
        (Stance::Recommend, false) => " → recommends ",
        (Stance::Warn, false) => " → warns against ",
    };
    format!("{text}{verb}{provider}")
}

/// A trust path, in words.
#[derive(Serialize, ToSchema)]
pub struct WidgetPath {
    /// "you → Matt Hughes → recommends Rossi Tiling".
    pub text: String,
    /// How much of the visitor's trust reaches the voucher (0 to 1).
    pub strength: f64,
}

/// A public vouch.
#[derive(Serialize, ToSchema)]
pub struct WidgetVouch {
    /// The voucher's name.
    pub name: String,
    /// Recommend or warn.
    pub stance: Stance,
    /// What they said.
    pub note: String,
    /// How many people publicly trust the voucher: what makes a vouch strong.
    pub trusted_by: i64,
}

/// Counts for the badge and the list.
#[derive(Serialize, ToSchema)]
pub struct WidgetCounts {
    /// Public recommendations.
    pub recommend: u32,
    /// Public warnings.
    pub warn: u32,
    /// Recommendations from the visitor's network (personalized only).
    pub network_recommend: Option<u32>,
    /// Warnings from the visitor's network (personalized only).
    pub network_warn: Option<u32>,
}

fn counts(personal: bool, c: &VouchCounts) -> WidgetCounts {
    WidgetCounts {
        recommend: c.public_recommend,
        warn: c.public_warn,
        network_recommend: personal.then_some(c.network_recommend),
        network_warn: personal.then_some(c.network_warn),
    }
}

/// Which provider.
#[derive(Deserialize, IntoParams)]
pub struct BadgeParams {
    /// The provider.
    pub provider: ProviderId,
    /// A trade slug, to count only that trade's vouches.
    pub trade: Option<String>,
}

/// A provider's trust summary.
#[derive(Serialize, ToSchema)]
pub struct BadgeView {
    /// The provider.
    pub provider_id: ProviderId,
    /// Its name.
    pub name: String,
    /// Whether this is one visitor's view (an embed token was sent).
    pub personalized: bool,
    /// How many recommend and warn.
    pub counts: WidgetCounts,
    /// The strongest public vouches (at most 3), recommendations first.
    pub top_vouches: Vec<WidgetVouch>,
    /// The visitor's strongest trust paths to vouchers (personalized only).
    pub paths: Vec<WidgetPath>,
}

/// A provider's trust summary, for the `badge` widget.
#[utoipa::path(get, path = "/v1/widget/badge", tag = "widgets", params(BadgeParams,
        ("X-Vouchgraph-Embed-Token" = Option<String>, Header, description = "A visitor's embed token")),
    security(("pk" = []), ("sk" = [])),
    responses((status = 200, description = "The summary", body = BadgeView)))]
async fn badge(
    State(state): State<AppState>,
    WidgetKey(key): WidgetKey,
    headers: HeaderMap,
    Query(params): Query<BadgeParams>,
) -> ApiResult<axum::Json<BadgeView>> {
    let seeker = seeker(&state, &headers, &key, SCOPE_READ)
        .await?
        .map(|c| c.person);
    let trade = trade(&state, params.trade.as_deref())?;
    // The partner's server sees the visitor's view only as far as the visitor consented.
    let explanation = search::explain(&state, seeker, Audience::Partner, params.provider, trade)?;
    let top = top_public_vouches(&state, params.provider, trade).await?;
    if !key.preview {
        partners::count_view(&state.pool, key.partner, "badge").await?;
    }
    Ok(axum::Json(BadgeView {
        provider_id: params.provider,
        personalized: seeker.is_some(),
        counts: counts(seeker.is_some(), &explanation.counts),
        paths: explanation
            .paths
            .iter()
            .take(3)
            .map(|p| WidgetPath {
                text: path_text(&explanation.name, p),
                strength: p.strength,
            })
            .collect(),
        top_vouches: top,
        name: explanation.name,
    }))
}

async fn top_public_vouches(
    state: &AppState,
    provider: ProviderId,
    trade: Option<TradeId>,
) -> ApiResult<Vec<WidgetVouch>> {
    let rows = store::vouches::top_public(&state.pool, provider, trade, 3).await?;
    Ok(rows
        .into_iter()
        .map(|(name, stance, note, trusted_by)| WidgetVouch {
            name,
            stance: Stance::parse(&stance).unwrap_or(Stance::Warn),
            note,
            trusted_by,
        })
        .collect())
}

/// Which providers.
#[derive(Deserialize, IntoParams)]
pub struct ListParams {
    /// The trade slug.
    pub trade: String,
    /// Latitude of the place; with `lon`, only providers covering it.
    pub lat: Option<f64>,
    /// Longitude of the place.
    pub lon: Option<f64>,
    /// How many (1 to 10, default 5).
    pub limit: Option<usize>,
}

/// One provider in the list.
#[derive(Serialize, ToSchema)]
pub struct ListItem {
    /// The provider.
    pub provider_id: ProviderId,
    /// Its name.
    pub name: String,
    /// Its score for the visitor (or for anyone, when not personalized).
    pub score: f64,
    /// How many recommend and warn.
    pub counts: WidgetCounts,
    /// The visitor's strongest trust path to a voucher (personalized only).
    pub path: Option<WidgetPath>,
    /// Where it is, in words ("2.1 km, Redland").
    pub whereabouts: Option<String>,
}

/// The top providers for a trade near a place.
#[derive(Serialize, ToSchema)]
pub struct ListView {
    /// The trade.
    pub trade: String,
    /// Whether this is one visitor's ranking.
    pub personalized: bool,
    /// Best first.
    pub results: Vec<ListItem>,
}

/// The top providers for a trade near a place, for the `list` widget.
#[utoipa::path(get, path = "/v1/widget/list", tag = "widgets", params(ListParams,
        ("X-Vouchgraph-Embed-Token" = Option<String>, Header, description = "A visitor's embed token")),
    security(("pk" = []), ("sk" = [])),
    responses((status = 200, description = "Ranked providers", body = ListView)))]
async fn list(
    State(state): State<AppState>,
    WidgetKey(key): WidgetKey,
    headers: HeaderMap,
    Query(params): Query<ListParams>,
) -> ApiResult<axum::Json<ListView>> {
    let seeker = seeker(&state, &headers, &key, SCOPE_READ)
        .await?
        .map(|c| c.person);
    let search = Search {
        audience: Audience::Partner,
        seeker,
        trade: &params.trade,
        near: PlaceInput::Point(GeoPoint::parse_optional(params.lat, params.lon)),
        limit: params.limit.unwrap_or(5),
        most: 10,
    };
    let found = search::search(&state, search).await?;
    if !key.preview {
        partners::count_view(&state.pool, key.partner, "list").await?;
    }
    Ok(axum::Json(ListView {
        trade: params.trade,
        personalized: seeker.is_some(),
        results: found
            .into_iter()
            .map(|f| {
                (
                    search::whereabouts(f.distance_km, f.area.as_deref()),
                    f.ranked,
                )
            })
            .map(|(whereabouts, r)| ListItem {
                whereabouts,
                path: r.paths.first().map(|p| WidgetPath {
                    text: path_text(&r.name, p),
                    strength: p.strength,
                }),
                counts: counts(seeker.is_some(), &r.counts),
                provider_id: r.provider,
                score: r.score,
                name: r.name,
            })
            .collect(),
    }))
}

/// Which provider to refer.
#[derive(Deserialize, IntoParams)]
pub struct ReferParams {
    /// The provider.
    pub provider: ProviderId,
}

/// A trade a provider offers.
#[derive(Serialize, ToSchema)]
pub struct TradeOption {
    /// The slug.
    pub slug: String,
}

/// What the `refer` widget needs to show its form.
#[derive(Serialize, ToSchema)]
pub struct ReferContext {
    /// The provider.
    pub provider_id: ProviderId,
    /// Its name.
    pub name: String,
    /// The trades it offers.
    pub trades: Vec<TradeOption>,
    /// Whether the visitor may refer (an embed token with the `refer` scope was sent).
    pub can_refer: bool,
}

/// The provider and whether the visitor may refer it, for the `refer` widget.
#[utoipa::path(get, path = "/v1/widget/refer", tag = "widgets", params(ReferParams,
        ("X-Vouchgraph-Embed-Token" = Option<String>, Header, description = "A visitor's embed token")),
    security(("pk" = []), ("sk" = [])),
    responses((status = 200, description = "The form's context", body = ReferContext)))]
async fn refer_context(
    State(state): State<AppState>,
    WidgetKey(key): WidgetKey,
    headers: HeaderMap,
    Query(params): Query<ReferParams>,
) -> ApiResult<axum::Json<ReferContext>> {
    let visitor = embed_visitor(&state, &headers, &key).await?;
    let provider = store::providers::get(&state.pool, params.provider)
        .await?
        .ok_or(ApiError::NotFound("provider"))?;
    let trades = store::providers::trade_ids(&state.pool, params.provider)
        .await?
        .into_iter()
        .filter_map(|t| state.live.trade_slug(t))
        .map(|slug| TradeOption { slug })
        .collect();
    if !key.preview {
        partners::count_view(&state.pool, key.partner, "refer").await?;
    }
    Ok(axum::Json(ReferContext {
        provider_id: params.provider,
        name: provider.name,
        trades,
        can_refer: visitor.is_some_and(|c| c.allows(SCOPE_REFER)),
    }))
}

/// A referral from a widget.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WidgetReferralBody {
    /// The provider.
    pub provider_id: ProviderId,
    /// The trade slug.
    pub trade: String,
    /// Who to refer them to: an email (they get the referral when they sign up, or at once
    /// if they have an account).
    pub recipient_email: String,
    /// A note, at most 1,000 characters.
    #[serde(default)]
    pub note: String,
}

/// A referral sent.
#[derive(Serialize, ToSchema)]
pub struct WidgetReferralView {
    /// The referral.
    pub referral_id: i64,
    /// `sent`.
    pub status: String,
}

/// Sends a referral in the visitor's name, attributed to the partner. Needs the visitor's
/// embed token with the `refer` scope: a key alone cannot write.
#[utoipa::path(post, path = "/v1/widget/referrals", tag = "widgets", request_body = WidgetReferralBody,
    params(("X-Vouchgraph-Embed-Token" = String, Header, description = "The visitor's embed token (scope refer)")),
    security(("pk" = []), ("sk" = [])),
    responses((status = 201, description = "Sent", body = WidgetReferralView)))]
async fn refer(
    State(state): State<AppState>,
    WidgetKey(key): WidgetKey,
    headers: HeaderMap,
    Json(body): Json<WidgetReferralBody>,
) -> ApiResult<(StatusCode, axum::Json<WidgetReferralView>)> {
    let visitor = seeker(&state, &headers, &key, SCOPE_REFER)
        .await?
        .ok_or_else(|| {
            ApiError::Unauthorized("a referral needs the visitor's embed token".into())
        })?;
    let note = parse_note(&body.note).map_err(|m| ApiError::field("note", m))?;
    let email =
        Email::parse(&body.recipient_email).map_err(|m| ApiError::field("recipient_email", m))?;
    let trade = trade(&state, Some(&body.trade))?.expect("a slug was given");
    let id = create_referral(
        &state,
        visitor.person,
        key.partner,
        &body,
        trade,
        &email,
        &note,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(WidgetReferralView {
            referral_id: id,
            status: "sent".into(),
        }),
    ))
}

/// Sends the referral the way `POST /v1/referrals` does, attributed to the partner.
async fn create_referral(
    state: &AppState,
    referrer: PersonId,
    partner: i64,
    body: &WidgetReferralBody,
    trade: TradeId,
    email: &Email,
    note: &str,
) -> ApiResult<i64> {
    let mut tx = state.pool.begin().await?;
    let sent = crate::app::referrals::send(
        &mut tx,
        referrer,
        &crate::app::referrals::SendReferral {
            provider: body.provider_id,
            trade,
            recipient: crate::app::referrals::Recipient::Email(email.clone()),
            note,
            partner: Some(partner),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(sent.row.id)
}

/// A trade the `ask` widget offers.
#[derive(Serialize, ToSchema)]
pub struct AskTrade {
    /// The slug.
    pub slug: String,
    /// Its name.
    pub name: String,
}

/// What the `ask` widget needs to draw its form.
#[derive(Serialize, ToSchema)]
pub struct AskContext {
    /// Whether the visitor's embed token allows asking in their name.
    pub can_ask: bool,
    /// The trades one may ask about.
    pub trades: Vec<AskTrade>,
}

/// The `ask` widget's context: the trades, and whether this visitor may ask.
#[utoipa::path(get, path = "/v1/widget/ask", tag = "widgets",
    params(("X-Vouchgraph-Embed-Token" = Option<String>, Header, description = "A visitor's embed token")),
    security(("pk" = []), ("sk" = [])),
    responses((status = 200, description = "The form's context", body = AskContext)))]
async fn ask_context(
    State(state): State<AppState>,
    WidgetKey(key): WidgetKey,
    headers: HeaderMap,
) -> ApiResult<axum::Json<AskContext>> {
    let visitor = embed_visitor(&state, &headers, &key).await?;
    let trades = store::providers::trades(&state.pool)
        .await?
        .into_iter()
        .map(|t| AskTrade {
            slug: t.slug,
            name: t.name,
        })
        .collect();
    if !key.preview {
        partners::count_view(&state.pool, key.partner, "ask").await?;
    }
    Ok(axum::Json(AskContext {
        can_ask: visitor.is_some_and(|c| c.allows(SCOPE_ASK)),
        trades,
    }))
}

/// A request from the `ask` widget.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WidgetAskBody {
    /// The trade's slug.
    pub trade: String,
    /// Where the work is, as typed ("Redland, Bristol", "BS6"); or give `lat` and `lon`.
    pub near: Option<String>,
    /// Latitude of the work.
    pub lat: Option<f64>,
    /// Longitude of the work.
    pub lon: Option<f64>,
    /// A short note, at most 1,000 characters.
    #[serde(default)]
    pub note: String,
    /// By when, `YYYY-MM-DD`.
    pub deadline: Option<String>,
}

/// A request asked.
#[derive(Serialize, ToSchema)]
pub struct WidgetAskedView {
    /// The request.
    pub request_id: i64,
    /// How many people in the visitor's circle it reached.
    pub recipients: usize,
}

/// Asks the visitor's circle for a recommendation, in their name, as `POST /v1/requests`
/// does, attributed to the partner (whose webhooks then hear `request.*` for it). Needs the
/// visitor's embed token with the `ask` scope: a key alone cannot write. Always to the
/// visitor's circle, never public: the visitor chose this site, not their neighbourhood.
#[utoipa::path(post, path = "/v1/widget/requests", tag = "widgets", request_body = WidgetAskBody,
    params(("X-Vouchgraph-Embed-Token" = String, Header, description = "The visitor's embed token (scope ask)")),
    security(("pk" = []), ("sk" = [])),
    responses((status = 201, description = "Asked", body = WidgetAskedView)))]
async fn ask(
    State(state): State<AppState>,
    WidgetKey(key): WidgetKey,
    headers: HeaderMap,
    Json(body): Json<WidgetAskBody>,
) -> ApiResult<(StatusCode, axum::Json<WidgetAskedView>)> {
    let visitor = seeker(&state, &headers, &key, SCOPE_ASK)
        .await?
        .ok_or_else(|| ApiError::Unauthorized("asking needs the visitor's embed token".into()))?;
    let near = PlaceInput::from_parts("near", body.near.as_deref(), body.lat, body.lon);
    let asked = crate::app::requests::ask(
        &state,
        visitor.person,
        crate::app::requests::Ask {
            trade: &body.trade,
            near,
            note: &body.note,
            deadline: body.deadline.as_deref(),
            visibility: Some("circle"),
            partner: Some(key.partner),
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(WidgetAskedView {
            request_id: asked.id,
            recipients: asked.recipients,
        }),
    ))
}
