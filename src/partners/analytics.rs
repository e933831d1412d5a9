//! `GET /v1/partners/{id}/analytics`: widget views, referrals and hires by day.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use time::macros::format_description;
use time::{Date, OffsetDateTime};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::app::partners;
use crate::domain::PartnerId;
use crate::error::{ApiError, ApiResult};
use crate::http::auth::Caller;
use crate::http::extract::{Path, Query};
use crate::state::AppState;

use super::manage::owned_partner;

/// The longest range one request may ask for.
const MAX_DAYS: i64 = 366;

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(analytics))
}

/// A date range (UTC days, inclusive).
#[derive(Deserialize, IntoParams)]
pub struct RangeParams {
    /// First day, `YYYY-MM-DD` (default: 29 days before `to`).
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD` (default: today).
    pub to: Option<String>,
}

/// One day.
#[derive(Serialize, ToSchema)]
pub struct DayView {
    /// The day, `YYYY-MM-DD` (UTC).
    pub day: String,
    /// Widget views (badge, list, refer and ask widgets loaded).
    pub widget_views: i64,
    /// Referrals sent through the partner's widgets.
    pub referrals: i64,
    /// Of those referrals, the ones that moved to hired that day.
    pub hires: i64,
}

/// The partner's analytics.
#[derive(Serialize, ToSchema)]
pub struct AnalyticsView {
    /// The partner.
    pub partner_id: PartnerId,
    /// Every day of the range, oldest first, zeros included.
    pub days: Vec<DayView>,
}

fn parse_day(field: &str, raw: &str) -> ApiResult<Date> {
    Date::parse(raw, format_description!("[year]-[month]-[day]"))
        .map_err(|_| ApiError::field(field, "use YYYY-MM-DD"))
}

/// Widget views, referrals and hires by day.
#[utoipa::path(get, path = "/v1/partners/{id}/analytics", tag = "partners",
    params(("id" = i64, Path, description = "The partner"), RangeParams),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "By day", body = AnalyticsView)))]
async fn analytics(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<PartnerId>,
    Query(params): Query<RangeParams>,
) -> ApiResult<axum::Json<AnalyticsView>> {
    owned_partner(&state, &caller, id).await?;
    let to = match &params.to {
        Some(raw) => parse_day("to", raw)?,
        None => OffsetDateTime::now_utc().date(),
    };
    let from = match &params.from {
        Some(raw) => parse_day("from", raw)?,
        None => to - time::Duration::days(29),
    };
    let span = (to - from).whole_days();
    if !(0..MAX_DAYS).contains(&span) {
        return Err(ApiError::field(
            "from",
            format!("must be on or before `to`, and at most {MAX_DAYS} days before it"),
        ));
    }
    let rows = partners::analytics(&state, caller.person, id, from, to).await?;
    Ok(axum::Json(AnalyticsView {
        partner_id: id,
        days: rows
            .into_iter()
            .map(|r| DayView {
                day: r.day.to_string(),
                widget_views: r.widget_views,
                referrals: r.referrals,
                hires: r.hires,
            })
            .collect(),
    }))
}
