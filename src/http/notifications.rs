//! The in-app inbox.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::app::notifications;
use crate::error::{ApiError, ApiResult};
use crate::http::auth::Caller;
use crate::http::extract::{Path, Query};
use crate::state::AppState;

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_notifications))
        .routes(routes!(mark_read))
        .routes(routes!(mark_all_read))
}

/// A notification.
#[derive(Serialize, ToSchema)]
pub struct NotificationView {
    /// The notification.
    pub id: i64,
    /// What happened: `referral.received`, `referral.status_changed`, ...
    pub kind: String,
    /// The details.
    pub payload: serde_json::Value,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: time::OffsetDateTime,
    /// Whether it has been read.
    pub read: bool,
}

/// A page of notifications.
#[derive(Serialize, ToSchema)]
pub struct NotificationPage {
    /// Newest first.
    pub items: Vec<NotificationView>,
    /// Pass as `cursor` for the next page; null on the last.
    pub next_cursor: Option<String>,
}

/// Inbox filters.
#[derive(Deserialize, IntoParams)]
pub struct InboxParams {
    /// Only unread ones.
    #[serde(default)]
    pub unread: bool,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1 to 100 (default 20).
    pub limit: Option<i64>,
}

/// The caller's notifications, newest first.
#[utoipa::path(get, path = "/v1/me/notifications", tag = "referrals", params(InboxParams),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "A page of notifications", body = NotificationPage)))]
async fn list_notifications(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<InboxParams>,
) -> ApiResult<axum::Json<NotificationPage>> {
    let limit = params.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::field("limit", "must be between 1 and 100"));
    }
    let before = match &params.cursor {
        Some(c) => Some(
            c.parse::<i64>()
                .map_err(|_| ApiError::field("cursor", "not a cursor from a previous page"))?,
        ),
        None => None,
    };
    let rows = notifications::list(&state, caller.person, params.unread, before, limit + 1).await?;
    let more = rows.len() as i64 > limit;
    let items: Vec<NotificationView> = rows
        .into_iter()
        .take(limit as usize)
        .map(|n| NotificationView {
            id: n.id,
            kind: n.kind,
            payload: n.payload,
            created_at: n.created_at,
            read: n.read_at.is_some(),
        })
        .collect();
    let next_cursor = if more {
        items.last().map(|n| n.id.to_string())
    } else {
        None
    };
    Ok(axum::Json(NotificationPage { items, next_cursor }))
}

/// Marks one notification read.
#[utoipa::path(post, path = "/v1/me/notifications/{id}/read", tag = "referrals",
    params(("id" = i64, Path, description = "The notification")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 204, description = "Marked read")))]
async fn mark_read(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    notifications::read_one(&state, caller.person, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Marks every notification read.
#[utoipa::path(post, path = "/v1/me/notifications/read-all", tag = "referrals",
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 204, description = "All marked read")))]
async fn mark_all_read(State(state): State<AppState>, caller: Caller) -> ApiResult<StatusCode> {
    notifications::read_all(&state, caller.person).await?;
    Ok(StatusCode::NO_CONTENT)
}
