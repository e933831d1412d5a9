//! `/v1/me/exports`: the caller's data archive, built in the background and downloaded once
//! (`app::export`; the archive's schema is in docs/privacy.md).

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::app::export::{self, ArchiveRow};
use crate::error::ApiResult;
use crate::http::auth::Caller;
use crate::http::extract::Path;
use crate::state::AppState;

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(request_archive))
        .routes(routes!(archive_status))
        .routes(routes!(download))
}

/// A data archive request, as its owner sees it.
#[derive(Serialize, ToSchema)]
pub struct ArchiveView {
    /// The request.
    pub id: i64,
    /// `building`, `ready` (download it once, at `download_url`) or `downloaded`.
    #[schema(example = "ready")]
    pub status: String,
    /// Where to download it, once, while it is ready.
    pub download_url: Option<String>,
    /// The archive's size in bytes, once built.
    pub bytes: Option<i64>,
    /// When it was asked for.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub requested_at: time::OffsetDateTime,
    /// When it was built.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub ready_at: Option<time::OffsetDateTime>,
    /// When it goes (a day after it was asked for or built).
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: time::OffsetDateTime,
}

impl From<ArchiveRow> for ArchiveView {
    fn from(row: ArchiveRow) -> Self {
        ArchiveView {
            download_url: (row.status == "ready")
                .then(|| format!("/v1/me/exports/{}/archive", row.id)),
            id: row.id,
            status: row.status,
            bytes: row.bytes,
            requested_at: row.requested_at,
            ready_at: row.ready_at,
            expires_at: row.expires_at,
        }
    }
}

/// Asks for the caller's data archive to be built in the background (the one already being
/// built, if any). Poll the `Location`, or wait for `export.ready` in the inbox; then download
/// it once. At most five a day.
#[utoipa::path(post, path = "/v1/me/exports", tag = "accounts",
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 202, description = "Being built", body = ArchiveView),
              (status = 429, description = "Five archives were asked for today already")))]
async fn request_archive(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    let (row, _) = export::request_archive(&state, caller.person).await?;
    let location = format!("/v1/me/exports/{}", row.id);
    Ok((
        StatusCode::ACCEPTED,
        [(header::LOCATION, location)],
        axum::Json(ArchiveView::from(row)),
    )
        .into_response())
}

/// One of the caller's archive requests: whether it is ready, and where to download it.
#[utoipa::path(get, path = "/v1/me/exports/{id}", tag = "accounts",
    params(("id" = i64, Path, description = "The request")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "The request", body = ArchiveView),
              (status = 404, description = "Not the caller's, or expired")))]
async fn archive_status(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<axum::Json<ArchiveView>> {
    let row = export::archive_status(&state, caller.person, id).await?;
    Ok(axum::Json(row.into()))
}

/// Downloads a ready archive, once: the first download clears it.
#[utoipa::path(get, path = "/v1/me/exports/{id}/archive", tag = "accounts",
    params(("id" = i64, Path, description = "The request")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "The archive", body = Object),
              (status = 404, description = "Not the caller's, or expired"),
              (status = 409, description = "Still being built, or downloaded already")))]
async fn download(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    let archive = export::download(&state, caller.person, id).await?;
    Ok(attachment(caller.person.0, archive))
}

/// An archive as a download that no cache keeps.
pub(crate) fn attachment(person: i64, archive: serde_json::Value) -> Response {
    let disposition = format!("attachment; filename=\"vouchgraph-{person}.json\"");
    (
        [
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        axum::Json(archive),
    )
        .into_response()
}
