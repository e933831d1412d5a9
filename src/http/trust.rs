//! Whom the caller trusts.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::app::trust::{self, TrustRow};
use crate::domain::{PersonId, TrustLevel, Visibility};
use crate::error::ApiResult;
use crate::http::auth::Caller;
use crate::http::extract::{Json, Path};
use crate::state::AppState;

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(set_trust, revoke_trust))
        .routes(routes!(my_trust))
}

/// How much, and who may see it.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrustBody {
    /// 1 = know them, 2 = trust their judgement, 3 = trust completely.
    pub level: TrustLevel,
    /// Who may see this edge (and so be influenced by it). Defaults to `network`.
    #[serde(default = "default_visibility")]
    pub visibility: Visibility,
}

fn default_visibility() -> Visibility {
    Visibility::Network
}

/// A trust edge as its owner sees it.
#[derive(Serialize, ToSchema)]
pub struct TrustView {
    /// Whom the caller trusts.
    pub person_id: PersonId,
    /// Their name.
    pub display_name: String,
    /// The level, 1 to 3.
    pub level: u8,
    /// Who may see it.
    pub visibility: Visibility,
    /// When it was last set.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: time::OffsetDateTime,
}

/// Trusts a person at a level (or changes an existing edge).
#[utoipa::path(put, path = "/v1/trust/{person_id}", tag = "trust", request_body = TrustBody,
    params(("person_id" = i64, Path, description = "The person to trust")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "The edge as stored", body = TrustView)))]
async fn set_trust(
    State(state): State<AppState>,
    caller: Caller,
    Path(person_id): Path<PersonId>,
    Json(body): Json<TrustBody>,
) -> ApiResult<axum::Json<TrustView>> {
    let edge = trust::set_trust(
        &state,
        caller.person,
        person_id,
        body.level,
        body.visibility,
    )
    .await?;
    Ok(axum::Json(trust_view(edge)))
}

/// Revokes trust in a person.
#[utoipa::path(delete, path = "/v1/trust/{person_id}", tag = "trust",
    params(("person_id" = i64, Path, description = "The person to stop trusting")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 204, description = "Revoked")))]
async fn revoke_trust(
    State(state): State<AppState>,
    caller: Caller,
    Path(person_id): Path<PersonId>,
) -> ApiResult<StatusCode> {
    trust::revoke_trust(&state, caller.person, person_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Everyone the caller trusts, with levels and visibility.
#[utoipa::path(get, path = "/v1/me/trust", tag = "trust",
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "The caller's trust edges", body = Vec<TrustView>)))]
async fn my_trust(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<axum::Json<Vec<TrustView>>> {
    let rows = trust::list(&state, caller.person).await?;
    Ok(axum::Json(rows.into_iter().map(trust_view).collect()))
}

fn trust_view(row: TrustRow) -> TrustView {
    TrustView {
        person_id: row.trustee_id,
        display_name: row.display_name,
        level: row.level as u8,
        visibility: Visibility::parse(&row.visibility).unwrap_or(Visibility::Private),
        updated_at: row.updated_at,
    }
}
