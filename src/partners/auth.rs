//! Who is calling with a partner key, from where, and for which visitor; and CORS for the
//! widget routes.
//!
//! A publishable key works only from its partner's allowed origins, checked against the
//! `Origin` header browsers send on every cross-origin call. That is no secret (any program can
//! send any Origin): it keeps other sites from embedding a partner's widgets on its key and
//! quota, while reads a publishable key allows are public data or need an embed token anyway.
//!
//! vouchgraph's own pages may use any partner's publishable key too: the widget configurator
//! previews the widget a partner is about to embed. Browsers mark such calls
//! `Sec-Fetch-Site: same-origin` (and omit `Origin` on a same-origin GET); a page of another
//! site cannot make a browser say so. A preview is not counted as a partner's widget view.

use std::sync::{Arc, OnceLock};

use axum::extract::{FromRef, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::app::{partner_links, partners};
use crate::domain::{KeyId, PartnerId};
use crate::error::ApiError;
use crate::state::AppState;

use super::embed::{EmbedClaims, EmbedError, EMBED_HEADER};
use crate::auth::keys::{KeyKind, KEY_HEADER};

/// A verified partner key.
#[derive(Debug, Clone)]
pub struct PartnerKey {
    /// The key's id.
    pub key_id: KeyId,
    /// Its partner.
    pub partner: PartnerId,
    /// Publishable or secret.
    pub kind: KeyKind,
    /// A publishable key used by vouchgraph's own pages (the configurator's preview), not by
    /// the partner's site.
    pub preview: bool,
}

/// Any live key of a partner: publishable (from an allowed origin) or secret.
pub struct WidgetKey(pub PartnerKey);

/// A live secret key. A publishable key is refused with a 403.
pub struct SecretKey(pub PartnerKey);

/// The origin a publishable key was verified for, so the CORS middleware can allow it on the
/// response; the extractor fills it in.
#[derive(Clone, Default)]
struct VerifiedOrigin(Arc<OnceLock<HeaderValue>>);

async fn authenticate(parts: &mut Parts, state: &AppState) -> Result<PartnerKey, ApiError> {
    let sent = parts
        .headers
        .get(KEY_HEADER)
        .ok_or_else(|| {
            ApiError::Unauthorized("send your key in the X-Vouchgraph-Key header".into())
        })?
        .to_str()
        .map_err(|_| ApiError::Unauthorized("the key is not valid".into()))?;
    let row = partners::find_key(state, sent.trim())
        .await?
        .ok_or_else(|| ApiError::Unauthorized("the key is not valid".into()))?;
    let kind = row.kind;
    if !row.live {
        return Err(ApiError::Unauthorized(
            "this key was revoked, or its rotation's grace period is over".into(),
        ));
    }
    let preview = kind == KeyKind::Publishable && same_origin(&parts.headers);
    if kind == KeyKind::Publishable && !preview {
        let origin = parts.headers.get(header::ORIGIN).cloned();
        let allowed = origin
            .as_ref()
            .and_then(|o| o.to_str().ok())
            .is_some_and(|o| row.allowed_origins.iter().any(|a| a == o));
        if !allowed {
            return Err(ApiError::Forbidden(
                "a publishable key works only from its partner's allowed origins".into(),
            ));
        }
        if let (Some(slot), Some(origin)) = (parts.extensions.get::<VerifiedOrigin>(), origin) {
            let _ = slot.0.set(origin);
        }
    }
    partners::key_used(state, &row).await?;
    Ok(PartnerKey {
        key_id: row.id,
        partner: row.partner_id,
        kind,
        preview,
    })
}

/// Whether the browser says the call comes from one of vouchgraph's own pages.
fn same_origin(headers: &HeaderMap) -> bool {
    headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes() == b"same-origin")
}

impl<S> FromRequestParts<S> for WidgetKey
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        authenticate(parts, &state).await.map(WidgetKey)
    }
}

impl<S> FromRequestParts<S> for SecretKey
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let key = authenticate(parts, &state).await?;
        if key.kind != KeyKind::Secret {
            return Err(ApiError::Forbidden(
                "this call needs a secret key (sk_live_), from your server".into(),
            ));
        }
        Ok(SecretKey(key))
    }
}

/// The visitor an embed token names, checked against the key's partner and the link.
pub async fn embed_visitor(
    state: &AppState,
    parts_headers: &HeaderMap,
    key: &PartnerKey,
) -> Result<Option<EmbedClaims>, ApiError> {
    let Some(token) = parts_headers.get(EMBED_HEADER) else {
        return Ok(None);
    };
    let token = token
        .to_str()
        .map_err(|_| ApiError::Unauthorized(EmbedError::Invalid.to_string()))?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let claims = state
        .embed
        .verify(token.trim(), now)
        .map_err(|e| ApiError::Unauthorized(e.to_string()))?;
    if claims.partner != key.partner {
        return Err(ApiError::Forbidden(
            "this embed token was minted for another partner".into(),
        ));
    }
    if !partner_links::stands(state, claims.link, claims.partner, claims.person).await? {
        return Err(ApiError::Unauthorized(
            "the visitor has unlinked their account from this partner".into(),
        ));
    }
    Ok(Some(claims))
}

/// CORS for the widget routes' responses: the origin is allowed only if the key sent with the
/// request is a publishable key of a partner that allows it (no `Access-Control-Allow-Origin`
/// otherwise, so the browser hides the answer from the page). Preflights are answered by
/// [`preflight`].
pub async fn widget_cors(mut request: Request, next: Next) -> Response {
    let slot = VerifiedOrigin::default();
    request.extensions_mut().insert(slot.clone());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.append(header::VARY, HeaderValue::from_static("origin"));
    if let Some(origin) = slot.0.get() {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("ratelimit, ratelimit-policy, retry-after"),
        );
    }
    response
}

/// A CORS preflight for a widget route. It carries no key, only an Origin, so it is allowed
/// for origins that some partner allows; the real request is then checked against its key.
pub async fn preflight(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(origin) = headers.get(header::ORIGIN).cloned() else {
        return ApiError::BadRequest("a CORS preflight needs an Origin header".into())
            .into_response();
    };
    let allowed = match origin.to_str() {
        Ok(o) => match partners::origin_allowed_by_any(&state, o).await {
            Ok(allowed) => allowed,
            Err(error) => return ApiError::from(error).into_response(),
        },
        Err(_) => false,
    };
    if !allowed {
        return ApiError::Forbidden("this origin is not allowed by any partner".into())
            .into_response();
    }
    (
        StatusCode::NO_CONTENT,
        [
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, origin),
            (
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("GET, POST"),
            ),
            (
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static(
                    "content-type, x-vouchgraph-key, x-vouchgraph-embed-token",
                ),
            ),
            (
                header::ACCESS_CONTROL_MAX_AGE,
                HeaderValue::from_static("600"),
            ),
            (header::VARY, HeaderValue::from_static("origin")),
        ],
    )
        .into_response()
}
