//! The provider's dashboard data: who refers them, how referrals convert, how far their
//! reputation reaches, and their vouch counts.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use time::macros::format_description;
use time::{Date, OffsetDateTime, Time};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::app::validate::Fields;
use crate::app::{insights, providers};
use crate::domain::{PersonId, ProviderId};
use crate::error::ApiResult;
use crate::http::auth::Caller;
use crate::http::extract::{Path, Query};
use crate::state::AppState;

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(insights))
}

/// The date range, inclusive, as `YYYY-MM-DD`. Defaults to the last 90 days.
#[derive(Deserialize, IntoParams)]
pub struct RangeParams {
    /// First day.
    pub from: Option<String>,
    /// Last day.
    pub to: Option<String>,
}

/// A referrer and their record.
#[derive(Serialize, ToSchema)]
pub struct ReferrerView {
    /// The referrer.
    pub person_id: PersonId,
    /// Their name.
    pub name: String,
    /// Referrals sent.
    pub sent: i64,
    /// Accepted.
    pub accepted: i64,
    /// Completed with a good outcome.
    pub completed_good: i64,
    /// Their vouch for this provider, if visible to the owner: `recommend` or `warn`.
    pub vouch: Option<String>,
    /// The vouch's trade.
    pub vouch_trade: Option<String>,
}

/// Counts per stage and conversion between consecutive stages.
#[derive(Serialize, ToSchema)]
pub struct FunnelView {
    /// Monday of the week, or null for the whole range.
    pub week: Option<String>,
    /// Sent.
    pub sent: i64,
    /// Accepted.
    pub accepted: i64,
    /// Contacted.
    pub contacted: i64,
    /// Hired.
    pub hired: i64,
    /// Completed.
    pub completed: i64,
    /// Completed well.
    pub completed_good: i64,
    /// accepted/sent, contacted/accepted, hired/contacted, completed/hired (null when 0/0).
    pub conversion: Vec<Option<f64>>,
}

/// Recommend and warn counts for one trade.
#[derive(Serialize, ToSchema)]
pub struct TradeVouchesView {
    /// The trade slug.
    pub trade: String,
    /// Recommendations.
    pub recommend: i64,
    /// Warnings.
    pub warn: i64,
}

/// The provider's insights.
#[derive(Serialize, ToSchema)]
pub struct InsightsView {
    /// The provider.
    pub provider_id: ProviderId,
    /// First day of the range.
    pub from: String,
    /// Last day of the range.
    pub to: String,
    /// Referrers, best first.
    pub referrers: Vec<ReferrerView>,
    /// The whole range's funnel.
    pub funnel: FunnelView,
    /// The funnel per week.
    pub funnel_by_week: Vec<FunnelView>,
    /// People within 1, 2 and 3 trust hops of someone who publicly recommends the provider.
    pub reach_by_hops: Vec<u32>,
    /// Vouch counts by trade; private vouches are counted nowhere.
    pub vouches: Vec<TradeVouchesView>,
}

/// A day `YYYY-MM-DD` of a range, if given; a malformed one is recorded in `fields` under
/// `field` and gives `None`.
pub fn parse_day(fields: &mut Fields, field: &str, raw: &Option<String>) -> Option<Date> {
    let raw = raw.as_ref()?;
    let format = format_description!("[year]-[month]-[day]");
    fields.check(
        field,
        Date::parse(raw, &format).map_err(|_| "must be a date like 2026-11-23".to_string()),
    )
}

fn funnel_view(week: Option<String>, w: [i64; 6]) -> FunnelView {
    let ratio = |a: i64, b: i64| {
        if b == 0 {
            None
        } else {
            Some(a as f64 / b as f64)
        }
    };
    FunnelView {
        week,
        sent: w[0],
        accepted: w[1],
        contacted: w[2],
        hired: w[3],
        completed: w[4],
        completed_good: w[5],
        conversion: vec![
            ratio(w[1], w[0]),
            ratio(w[2], w[1]),
            ratio(w[3], w[2]),
            ratio(w[4], w[3]),
        ],
    }
}

/// Who refers the provider, the funnel, reach by hops and vouch counts. Owner only.
#[utoipa::path(get, path = "/v1/providers/{id}/insights", tag = "referrals",
    params(("id" = i64, Path, description = "The provider"), RangeParams),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "The insights", body = InsightsView)))]
async fn insights(
    State(state): State<AppState>,
    caller: Caller,
    Path(provider): Path<ProviderId>,
    Query(range): Query<RangeParams>,
) -> ApiResult<axum::Json<InsightsView>> {
    let mut fields = Fields::new();
    let today = OffsetDateTime::now_utc().date();
    let to = parse_day(&mut fields, "to", &range.to).unwrap_or(today);
    let from = parse_day(&mut fields, "from", &range.from).unwrap_or_else(|| {
        to.checked_sub(time::Duration::days(89))
            .unwrap_or(Date::MIN)
    });
    if from > to {
        fields.push("from", "must not be after to");
    }
    fields.finish()?;
    let owned = providers::owned(
        &state,
        caller.person,
        provider,
        "only the provider's owner sees its insights",
    )
    .await?;
    let start = from.with_time(Time::MIDNIGHT).assume_utc();
    // The range is inclusive: it ends at midnight after `to` (or at the end of time).
    let end = match to.next_day() {
        Some(day) => day.with_time(Time::MIDNIGHT).assume_utc(),
        None => to.with_time(Time::MAX).assume_utc(),
    };
    let seen = insights::insights(&state, &owned, start, end).await?;

    let referrers = seen
        .referrers
        .into_iter()
        .map(|r| ReferrerView {
            person_id: r.referrer_id,
            name: r.display_name,
            sent: r.sent,
            accepted: r.accepted,
            completed_good: r.completed_good,
            vouch: r.vouch_stance,
            vouch_trade: r.vouch_trade,
        })
        .collect();
    let mut total = [0i64; 6];
    let funnel_by_week = seen
        .weeks
        .into_iter()
        .map(|w| {
            let counts = [
                w.sent,
                w.accepted,
                w.contacted,
                w.hired,
                w.completed,
                w.completed_good,
            ];
            for (t, c) in total.iter_mut().zip(counts) {
                *t += c;
            }
            funnel_view(Some(w.week.date().to_string()), counts)
        })
        .collect();
    let vouches = seen
        .vouches
        .into_iter()
        .map(|v| TradeVouchesView {
            trade: v.trade,
            recommend: v.recommend,
            warn: v.warn,
        })
        .collect();
    Ok(axum::Json(InsightsView {
        provider_id: provider,
        from: from.to_string(),
        to: to.to_string(),
        referrers,
        funnel: funnel_view(None, total),
        funnel_by_week,
        reach_by_hops: seen.reach.to_vec(),
        vouches,
    }))
}
