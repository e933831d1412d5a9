//! Public profiles and finding people to trust.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::app::people;
use crate::domain::PersonId;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{Path, Query};
use crate::state::AppState;

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_person))
        .routes(routes!(find_people))
}

/// A public profile. Counts include public edges only.
#[derive(Serialize, ToSchema)]
pub struct PersonView {
    /// The person.
    pub id: PersonId,
    /// Their name.
    pub display_name: String,
    /// How many people publicly trust them.
    pub trusted_by: i64,
    /// How many people they publicly trust.
    pub trusts: i64,
    /// How many public vouches they have made.
    pub vouches: i64,
    /// When they joined.
    #[serde(with = "time::serde::rfc3339")]
    pub joined_at: time::OffsetDateTime,
}

/// A person's public profile.
#[utoipa::path(get, path = "/v1/people/{id}", tag = "people",
    params(("id" = i64, Path, description = "The person")),
    responses((status = 200, description = "The profile", body = PersonView)))]
async fn get_person(
    State(state): State<AppState>,
    Path(id): Path<PersonId>,
) -> ApiResult<axum::Json<PersonView>> {
    let row = people::profile(&state, id).await?;
    Ok(axum::Json(PersonView {
        id: row.id,
        display_name: row.display_name,
        trusted_by: row.trusted_by,
        trusts: row.trusts,
        vouches: row.vouches,
        joined_at: row.created_at,
    }))
}

/// A name search.
#[derive(Deserialize, IntoParams)]
pub struct FindPeopleQuery {
    /// Part of a name, at least 2 characters.
    pub q: String,
    /// At most this many (1 to 50, default 20).
    pub limit: Option<i64>,
}

/// A person found by name.
#[derive(Serialize, ToSchema)]
pub struct PersonHitView {
    /// The person.
    pub id: PersonId,
    /// Their name.
    pub display_name: String,
}

/// Finds people by name, to trust them.
#[utoipa::path(get, path = "/v1/people", tag = "people", params(FindPeopleQuery),
    responses((status = 200, description = "Matches, shortest names first", body = Vec<PersonHitView>)))]
async fn find_people(
    State(state): State<AppState>,
    Query(query): Query<FindPeopleQuery>,
) -> ApiResult<axum::Json<Vec<PersonHitView>>> {
    let q = query.q.trim();
    if q.chars().count() < 2 || q.chars().count() > 100 || q.contains('\0') {
        return Err(ApiError::field("q", "must be 2 to 100 characters, no NUL"));
    }
    let limit = query.limit.unwrap_or(20);
    if !(1..=50).contains(&limit) {
        return Err(ApiError::field("limit", "must be between 1 and 50"));
    }
    let hits = people::search(&state, q, limit).await?;
    Ok(axum::Json(
        hits.into_iter()
            .map(|h| PersonHitView {
                id: h.id,
                display_name: h.display_name,
            })
            .collect(),
    ))
}
