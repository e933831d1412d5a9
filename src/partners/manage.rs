//! Managing a partner: creating it, its allowed origins, and its keys (issue, list, rotate,
//! revoke). Only the owner account may; others get a 403, unknown partners a 404.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::app::validate::Fields;
use crate::domain::PersonId;
use crate::error::{ApiError, ApiResult};
use crate::http::auth::Caller;
use crate::http::extract::{Json, Path};
use crate::state::AppState;

use super::keys::{self, KeyKind};
use super::store::{self, KeyRow, PartnerRow};

/// The longest grace period a rotated key may keep working: long enough for any deployment.
pub const MAX_GRACE_SECS: i64 = 30 * 86_400;

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_partner, list_partners))
        .routes(routes!(get_partner, update_partner))
        .routes(routes!(create_key, list_keys))
        .routes(routes!(rotate_key))
        .routes(routes!(revoke_key))
}

/// The partner `id`, if the caller owns it.
pub async fn owned_partner(state: &AppState, caller: &Caller, id: i64) -> ApiResult<PartnerRow> {
    let partner = store::get(&state.pool, id)
        .await?
        .ok_or(ApiError::NotFound("partner"))?;
    if partner.owner_id != caller.person {
        return Err(ApiError::Forbidden(
            "only the partner's owner account manages it".into(),
        ));
    }
    Ok(partner)
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
    pub id: i64,
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

/// `https://Shop.Example:443/` → `https://shop.example`: the form browsers send in `Origin`.
pub fn normalize_origin(raw: &str) -> Result<String, String> {
    let url = reqwest::Url::parse(raw.trim()).map_err(|e| format!("{raw:?} is not a URL: {e}"))?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err(format!("{raw:?}: an origin is http or https"));
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(format!("{raw:?}: an origin has no path, query or fragment"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!("{raw:?}: an origin has no user or password"));
    }
    Ok(url.origin().ascii_serialization())
}

fn check_partner_fields(
    name: Option<&str>,
    origins: Option<&[String]>,
) -> ApiResult<Option<Vec<String>>> {
    let mut fields = Fields::new();
    if let Some(name) = name {
        if !(1..=120).contains(&name.trim().chars().count()) {
            fields.push("name", "must be 1 to 120 characters");
        }
    }
    let origins = origins.map(|list| {
        if list.len() > 20 {
            fields.push("allowed_origins", "at most 20 origins");
        }
        let mut normalized: Vec<String> = list
            .iter()
            .enumerate()
            .filter_map(|(i, o)| {
                fields.check(&format!("allowed_origins[{i}]"), normalize_origin(o))
            })
            .collect();
        normalized.dedup();
        normalized
    });
    fields.finish()?;
    Ok(origins)
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
    let origins =
        check_partner_fields(Some(&body.name), Some(&body.allowed_origins))?.unwrap_or_default();
    let partner = store::create(&state.pool, caller.person, body.name.trim(), &origins).await?;
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
    let rows = store::owned_by(&state.pool, caller.person).await?;
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
    Path(id): Path<i64>,
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
    Path(id): Path<i64>,
    Json(body): Json<PartnerPatch>,
) -> ApiResult<axum::Json<PartnerView>> {
    owned_partner(&state, &caller, id).await?;
    let origins = check_partner_fields(body.name.as_deref(), body.allowed_origins.as_deref())?;
    let name = body.name.as_deref().map(str::trim);
    let partner = store::update(&state.pool, id, name, origins.as_deref()).await?;
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
    pub id: i64,
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
    pub replaced_by: Option<i64>,
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
        active: k.revoked_at.is_none() && k.expires_at.is_none_or(|e| e > now),
        id: k.id,
        kind: KeyKind::parse(&k.kind).unwrap_or(KeyKind::Secret),
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
    Path(id): Path<i64>,
    Json(body): Json<NewKeyBody>,
) -> ApiResult<(StatusCode, axum::Json<NewKeyView>)> {
    owned_partner(&state, &caller, id).await?;
    let new = keys::generate(body.kind);
    let row =
        store::insert_key(&state.pool, id, body.kind.as_str(), &new.prefix, &new.hash).await?;
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
    Path(id): Path<i64>,
) -> ApiResult<axum::Json<Vec<KeyView>>> {
    owned_partner(&state, &caller, id).await?;
    let rows = store::list_keys(&state.pool, id).await?;
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
    Path((id, key_id)): Path<(i64, i64)>,
    Json(body): Json<RotateBody>,
) -> ApiResult<(StatusCode, axum::Json<NewKeyView>)> {
    owned_partner(&state, &caller, id).await?;
    if !(0..=MAX_GRACE_SECS).contains(&body.grace_period_secs) {
        return Err(ApiError::field(
            "grace_period_secs",
            format!("must be between 0 and {MAX_GRACE_SECS}"),
        ));
    }
    let mut tx = state.pool.begin().await?;
    let old = store::key_for_update(&mut tx, id, key_id)
        .await?
        .ok_or(ApiError::NotFound("key"))?;
    if !key_view(old.clone()).active {
        return Err(ApiError::Conflict(
            "this key no longer works; issue a new one instead".into(),
        ));
    }
    let kind = KeyKind::parse(&old.kind).unwrap_or(KeyKind::Secret);
    let new = keys::generate(kind);
    let row = store::insert_key(&mut *tx, id, kind.as_str(), &new.prefix, &new.hash).await?;
    let ends = OffsetDateTime::now_utc() + time::Duration::seconds(body.grace_period_secs);
    store::retire_key(&mut tx, old.id, ends, row.id).await?;
    tx.commit().await?;
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
    Path((id, key_id)): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    owned_partner(&state, &caller, id).await?;
    if !store::revoke_key(&state.pool, id, key_id).await? {
        return Err(ApiError::NotFound("key"));
    }
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_normalized_as_browsers_send_them() {
        assert_eq!(
            normalize_origin("https://Shop.Example:443/").unwrap(),
            "https://shop.example"
        );
        assert_eq!(
            normalize_origin("http://127.0.0.1:8000").unwrap(),
            "http://127.0.0.1:8000"
        );
        assert!(normalize_origin("https://shop.example/widgets").is_err());
        assert!(normalize_origin("ftp://shop.example").is_err());
        assert!(normalize_origin("shop.example").is_err());
    }
}
