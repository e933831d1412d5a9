//! Managing a partner: creating it, its allowed origins, and its keys (issue, list, rotate,
//! revoke). Only the owner account may; others get a 403, unknown partners a 404.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::app::partners::{self, KeyRow, PartnerRow};
use crate::domain::{KeyId, PartnerId, PersonId};
use crate::error::ApiResult;
use crate::http::auth::Caller;
use crate::http::extract::{Json, Path};
use crate::state::AppState;

use crate::auth::keys::KeyKind;

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_partner, list_partners))
        .routes(routes!(get_partner, update_partner))
        .routes(routes!(create_key, list_keys))
        .routes(routes!(rotate_key))
        .routes(routes!(revoke_key))
}

/// The partner `id`, if the caller owns it (the rule is `app::partners::owned_partner`).
pub async fn owned_partner(
    state: &AppState,
    caller: &Caller,
    id: PartnerId,
) -> ApiResult<PartnerRow> {
    Ok(partners::owned_partner(state, caller.person, id).await?)
}

/// A new partner.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPartnerBody {
    /// Its name, shown to visitors when they link their account.
    pub name: String,
    /// The origins whose pages may use its publishable keys, e.g. `https://shop.example`.
    #[serde(default)]
    pub allowed_origins: Vec<String>,
}

/// Changes to a partner.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerPatch {
    /// A new name.
    pub name: Option<String>,
    /// A new list of allowed origins (replaces the old one).
    pub allowed_origins: Option<Vec<String>>,
}

/// A partner.
#[derive(Serialize, ToSchema)]
pub struct PartnerView {
    /// The partner.
    pub id: PartnerId,
    /// The owner account.
    pub owner_id: PersonId,
    /// Its name.
    pub name: String,
    /// Origins allowed to use its publishable keys (and the only ones CORS answers).
    pub allowed_origins: Vec<String>,
    /// Where a visitor links their vouchgraph account to this partner.
    pub link_url: String,
    /// When it was made.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

fn partner_view(p: PartnerRow) -> PartnerView {
    PartnerView {
        link_url: format!("/partners/{}/link", p.id),
        id: p.id,
        owner_id: p.owner_id,
        name: p.name,
        allowed_origins: p.allowed_origins,
        created_at: p.created_at,
    }
}

/// Creates a partner owned by the caller.
#[utoipa::path(post, path = "/v1/partners", tag = "partners", request_body = NewPartnerBody,
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 201, description = "Created", body = PartnerView)))]
async fn create_partner(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewPartnerBody>,
) -> ApiResult<(StatusCode, axum::Json<PartnerView>)> {
    let partner =
        partners::create_partner(&state, caller.person, &body.name, &body.allowed_origins).await?;
    Ok((StatusCode::CREATED, axum::Json(partner_view(partner))))
}

/// The partners the caller owns.
#[utoipa::path(get, path = "/v1/partners", tag = "partners",
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "The caller's partners", body = Vec<PartnerView>)))]
async fn list_partners(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<axum::Json<Vec<PartnerView>>> {
    let rows = partners::owned_by(&state, caller.person).await?;
    Ok(axum::Json(rows.into_iter().map(partner_view).collect()))
}

/// One partner of the caller's.
#[utoipa::path(get, path = "/v1/partners/{id}", tag = "partners",
    params(("id" = i64, Path, description = "The partner")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "The partner", body = PartnerView)))]
async fn get_partner(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<PartnerId>,
) -> ApiResult<axum::Json<PartnerView>> {
    Ok(axum::Json(partner_view(
        owned_partner(&state, &caller, id).await?,
    )))
}

/// Renames a partner or replaces its allowed origins.
#[utoipa::path(patch, path = "/v1/partners/{id}", tag = "partners", request_body = PartnerPatch,
    params(("id" = i64, Path, description = "The partner")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "The partner as changed", body = PartnerView)))]
async fn update_partner(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<PartnerId>,
    Json(body): Json<PartnerPatch>,
) -> ApiResult<axum::Json<PartnerView>> {
    let name = body.name.as_deref();
    let origins = body.allowed_origins.as_deref();
    let partner = partners::update_partner(&state, caller.person, id, name, origins).await?;
    Ok(axum::Json(partner_view(partner)))
}

/// A key to issue.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewKeyBody {
    /// `publishable` (browsers, read-only widget calls) or `secret` (servers).
    pub kind: KeyKind,
}

/// A key as listed: never the key itself, which is shown once.
#[derive(Serialize, ToSchema)]
pub struct KeyView {
    /// The key's id.
    pub id: KeyId,
    /// Publishable or secret.
    pub kind: KeyKind,
    /// Its first 20 characters, to tell keys apart.
    pub prefix: String,
    /// When it was made.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When it was last used (to the minute); null if never.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<OffsetDateTime>,
    /// When it was revoked.
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
    /// When it stops working, after a rotation.
    #[serde(with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
    /// The key that replaced it.
    pub replaced_by: Option<KeyId>,
    /// Whether it works now.
    pub active: bool,
}

/// A new key, with the key itself: store it now, it is not shown again.
#[derive(Serialize, ToSchema)]
pub struct NewKeyView {
    /// The whole key.
    pub key: String,
    /// The key's record.
    #[serde(flatten)]
    pub record: KeyView,
}

fn key_view(k: KeyRow) -> KeyView {
    let now = OffsetDateTime::now_utc();
    KeyView {
        active: partners::works_at(&k, now),
        id: k.id,
        kind: k.kind,
        prefix: k.prefix,
        created_at: k.created_at,
        last_used_at: k.last_used_at,
        revoked_at: k.revoked_at,
        expires_at: k.expires_at,
        replaced_by: k.replaced_by,
    }
}

/// Issues a key for the partner.
#[utoipa::path(post, path = "/v1/partners/{id}/keys", tag = "partners", request_body = NewKeyBody,
    params(("id" = i64, Path, description = "The partner")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 201, description = "The key, shown this once", body = NewKeyView)))]
async fn create_key(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<PartnerId>,
    Json(body): Json<NewKeyBody>,
) -> ApiResult<(StatusCode, axum::Json<NewKeyView>)> {
    let (new, row) = partners::issue_key(&state, caller.person, id, body.kind).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(NewKeyView {
            key: new.key,
            record: key_view(row),
        }),
    ))
}

/// The partner's keys, newest first: prefix, dates and state, never the keys.
#[utoipa::path(get, path = "/v1/partners/{id}/keys", tag = "partners",
    params(("id" = i64, Path, description = "The partner")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "The keys", body = Vec<KeyView>)))]
async fn list_keys(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<PartnerId>,
) -> ApiResult<axum::Json<Vec<KeyView>>> {
    let rows = partners::keys_of(&state, caller.person, id).await?;
    Ok(axum::Json(rows.into_iter().map(key_view).collect()))
}

/// A rotation.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotateBody {
    /// How long the old key keeps working, in seconds (0 to 30 days; default 0: at once).
    #[serde(default)]
    pub grace_period_secs: i64,
}

/// Replaces a key with a new one of the same kind. The old key keeps working for the grace
/// period chosen, so servers can be redeployed with the new key without downtime.
#[utoipa::path(post, path = "/v1/partners/{id}/keys/{key_id}/rotate", tag = "partners", request_body = RotateBody,
    params(("id" = i64, Path, description = "The partner"), ("key_id" = i64, Path, description = "The key to replace")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 201, description = "The new key, shown this once", body = NewKeyView)))]
async fn rotate_key(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, key_id)): Path<(PartnerId, KeyId)>,
    Json(body): Json<RotateBody>,
) -> ApiResult<(StatusCode, axum::Json<NewKeyView>)> {
    let grace = body.grace_period_secs;
    let (new, row) = partners::rotate_key(&state, caller.person, id, key_id, grace).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(NewKeyView {
            key: new.key,
            record: key_view(row),
        }),
    ))
}

/// Revokes a key at once.
#[utoipa::path(delete, path = "/v1/partners/{id}/keys/{key_id}", tag = "partners",
    params(("id" = i64, Path, description = "The partner"), ("key_id" = i64, Path, description = "The key")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 204, description = "Revoked")))]
async fn revoke_key(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, key_id)): Path<(PartnerId, KeyId)>,
) -> ApiResult<StatusCode> {
    partners::revoke_key(&state, caller.person, id, key_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
