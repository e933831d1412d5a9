//! Reading referrals: one with its history (`GET /v1/referrals/{id}`), and pages of them, the
//! caller's (`GET /v1/me/referrals`) or a provider's (`GET /v1/providers/{id}/referrals`).

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::referrals::{self, Listing};
use crate::app::validate::Fields;
use crate::domain::{PersonId, ProviderId, ReferralId, ReferralStatus};
use crate::error::{ApiError, ApiResult};
use crate::http::auth::Caller;
use crate::http::extract::{Path, Query};
use crate::state::AppState;

use super::views::{view, ReferralView};

/// One referral with its history; only its parties may read it.
#[utoipa::path(get, path = "/v1/referrals/{id}", tag = "referrals",
    params(("id" = i64, Path, description = "The referral")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "The referral", body = ReferralView)))]
pub(super) async fn get_referral(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<ReferralId>,
) -> ApiResult<axum::Json<ReferralView>> {
    let row = referrals::get(&state, caller.person, id).await?;
    Ok(axum::Json(view(&state, row, caller.person, true).await?))
}

/// A page of referrals.
#[derive(Serialize, ToSchema)]
pub struct ReferralPage {
    /// The referrals, newest first.
    pub items: Vec<ReferralView>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// List filters.
#[derive(Deserialize, IntoParams)]
pub struct ListParams {
    /// `sent` or `received` (for `/v1/me/referrals`; default `received`).
    pub role: Option<String>,
    /// Only referrals with this status.
    pub status: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1 to 100 (default 20).
    pub limit: Option<i64>,
}

/// A page request of referrals, validated.
pub struct ListFilter {
    /// Only referrals with this status.
    pub status: Option<ReferralStatus>,
    /// Only referrals with an id below this (the cursor).
    pub before: Option<ReferralId>,
    /// Page size, 1 to 100.
    pub limit: i64,
}

/// Validates a page request; a 422 names every bad field.
pub fn parse_list(params: &ListParams) -> ApiResult<ListFilter> {
    let mut fields = Fields::new();
    let status = match &params.status {
        Some(s) => fields.check(
            "status",
            ReferralStatus::parse(s).ok_or_else(|| format!("unknown status {s:?}")),
        ),
        None => None,
    };
    let before = match &params.cursor {
        Some(c) => fields.check(
            "cursor",
            c.parse::<ReferralId>()
                .map_err(|_| "not a cursor from a previous page".to_string()),
        ),
        None => None,
    };
    let limit = params.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        fields.push("limit", "must be between 1 and 100");
    }
    fields.finish()?;
    Ok(ListFilter {
        status,
        before,
        limit,
    })
}

async fn page(
    state: &AppState,
    caller: PersonId,
    listing: Listing,
    filter: ListFilter,
) -> ApiResult<ReferralPage> {
    let rows = crate::app::referrals::list(
        state,
        caller,
        listing,
        filter.status,
        filter.before,
        filter.limit + 1,
    )
    .await?;
    let more = rows.len() as i64 > filter.limit;
    let mut items = Vec::new();
    for row in rows.into_iter().take(filter.limit as usize) {
        items.push(view(state, row, caller, false).await?);
    }
    let next_cursor = if more {
        items.last().map(|v| v.id.to_string())
    } else {
        None
    };
    Ok(ReferralPage { items, next_cursor })
}

/// The caller's referrals, sent or received.
#[utoipa::path(get, path = "/v1/me/referrals", tag = "referrals", params(ListParams),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "A page of referrals", body = ReferralPage)))]
pub(super) async fn my_referrals(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<ListParams>,
) -> ApiResult<axum::Json<ReferralPage>> {
    let listing = match params.role.as_deref().unwrap_or("received") {
        "sent" => Listing::Sent,
        "received" => Listing::Received,
        _ => return Err(ApiError::field("role", "must be sent or received")),
    };
    let filter = parse_list(&params)?;
    Ok(axum::Json(
        page(&state, caller.person, listing, filter).await?,
    ))
}

/// The referrals of a provider; only its owner may list them.
#[utoipa::path(get, path = "/v1/providers/{id}/referrals", tag = "referrals", params(("id" = i64, Path, description = "The provider"), ListParams),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "A page of referrals", body = ReferralPage)))]
pub(super) async fn provider_referrals(
    State(state): State<AppState>,
    caller: Caller,
    Path(provider): Path<ProviderId>,
    Query(params): Query<ListParams>,
) -> ApiResult<axum::Json<ReferralPage>> {
    let filter = parse_list(&params)?;
    Ok(axum::Json(
        page(&state, caller.person, Listing::Provider(provider), filter).await?,
    ))
}
