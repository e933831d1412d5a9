//! Liveness and readiness.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(readyz))
}

/// Health status.
#[derive(Serialize, ToSchema)]
pub struct Health {
    /// "ok".
    pub status: &'static str,
}

/// Readiness detail.
#[derive(Serialize, ToSchema)]
pub struct Readiness {
    /// "ready".
    pub status: &'static str,
    /// The last change-feed sequence applied to the in-memory graph.
    pub graph_seq: i64,
}

/// Liveness: the process is up and serving.
#[utoipa::path(get, path = "/healthz", tag = "health",
    responses((status = 200, description = "Alive", body = Health)))]
async fn healthz() -> axum::Json<Health> {
    axum::Json(Health { status: "ok" })
}

/// Readiness: the trust graph has loaded and the database answers. 503 otherwise, so a load
/// balancer sends traffic elsewhere.
#[utoipa::path(get, path = "/readyz", tag = "health",
    responses((status = 200, description = "Ready", body = Readiness)))]
async fn readyz(State(state): State<AppState>) -> ApiResult<(StatusCode, axum::Json<Readiness>)> {
    if !state.live.is_loaded() {
        return Err(ApiError::Unavailable(
            "the trust graph is still loading".into(),
        ));
    }
    let ping = tokio::time::timeout(
        std::time::Duration::from_secs(2),
        sqlx::query("select 1").execute(&state.pool),
    )
    .await;
    match ping {
        Ok(Ok(_)) => Ok((
            StatusCode::OK,
            axum::Json(Readiness {
                status: "ready",
                graph_seq: state.live.applied_seq(),
            }),
        )),
        _ => Err(ApiError::Unavailable("the database is unreachable".into())),
    }
}
