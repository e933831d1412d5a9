//! Who is calling: a session token from `Authorization: Bearer` or the session cookie.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, Method};
use axum_extra::extract::cookie::CookieJar;
use subtle::ConstantTimeEq;

use crate::auth::{sessions, token};
use crate::domain::PersonId;
use crate::error::ApiError;
use crate::state::AppState;

pub use crate::auth::SESSION_COOKIE;

/// The header that carries the CSRF token for writes authenticated by cookie.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// An authenticated caller. Extracting it answers 401 when there is no valid session, and 403
/// for a cookie-authenticated write without the session's CSRF token.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The signed-in person.
    pub person: PersonId,
    /// The SHA-256 of the session token, to revoke it on logout.
    pub token_hash: Vec<u8>,
    /// The session's CSRF token.
    pub csrf_token: String,
}

/// An optional caller: anonymous when no credentials are sent, 401 when bad ones are.
#[derive(Debug, Clone)]
pub struct MaybeCaller(pub Option<Caller>);

enum Credential {
    Bearer(String),
    Cookie(String),
}

fn credential(parts: &Parts) -> Result<Option<Credential>, ApiError> {
    if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
        let value = value
            .to_str()
            .map_err(|_| ApiError::Unauthorized("the Authorization header is not valid".into()))?;
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .ok_or_else(|| ApiError::Unauthorized("use Authorization: Bearer <token>".into()))?;
        return Ok(Some(Credential::Bearer(token.trim().to_string())));
    }
    let jar = CookieJar::from_headers(&parts.headers);
    Ok(jar
        .get(SESSION_COOKIE)
        .map(|c| Credential::Cookie(c.value().to_string())))
}

async fn authenticate(parts: &Parts, state: &AppState) -> Result<Option<Caller>, ApiError> {
    let Some(credential) = credential(parts)? else {
        return Ok(None);
    };
    let (token, via_cookie) = match credential {
        Credential::Bearer(t) => (t, false),
        Credential::Cookie(t) => (t, true),
    };
    let token_hash = token::hash(&token);
    let found = match sessions::find_live(&state.pool, &token_hash).await {
        Ok(Some(live)) => {
            state
                .sessions
                .remember(&token_hash, live.person, &live.csrf, live.expires_at);
            Some((live.person, live.csrf))
        }
        Ok(None) => {
            state.sessions.forget(&token_hash);
            None
        }
        // The database is down: trust a session it confirmed recently, so reads served from
        // memory keep working. Writes fail anyway, on the database.
        Err(error) => match ApiError::from(error) {
            unavailable @ ApiError::Unavailable(_) => {
                Some(state.sessions.get(&token_hash).ok_or(unavailable)?)
            }
            other => return Err(other),
        },
    };
    let Some((person, csrf_token)) = found else {
        return Err(ApiError::Unauthorized(
            "the session token is not valid or has expired; log in again".into(),
        ));
    };
    // A browser attaches cookies to cross-site form posts; only a page of ours can read the
    // CSRF token, so a write by cookie must echo it.
    let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    if via_cookie && !safe {
        let sent = parts
            .headers
            .get(CSRF_HEADER)
            .map(|v| v.as_bytes())
            .unwrap_or_default();
        if !bool::from(sent.ct_eq(csrf_token.as_bytes())) {
            return Err(ApiError::Forbidden(
                "a write authenticated by cookie needs the X-CSRF-Token header".into(),
            ));
        }
    }
    Ok(Some(Caller {
        person,
        token_hash,
        csrf_token,
    }))
}

impl<S> FromRequestParts<S> for Caller
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        authenticate(parts, &state).await?.ok_or_else(|| {
            ApiError::Unauthorized("sign in first: no session token was sent".into())
        })
    }
}

impl<S> FromRequestParts<S> for MaybeCaller
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        match authenticate(parts, &state).await {
            Ok(caller) => Ok(MaybeCaller(caller)),
            // A stale cookie on a public page means "signed out", not an error: a browser
            // would otherwise fail on every public page until the cookie is cleared. A bad
            // bearer token is still a 401, since an API client wants to know.
            Err(ApiError::Unauthorized(_))
                if !parts.headers.contains_key(header::AUTHORIZATION) =>
            {
                Ok(MaybeCaller(None))
            }
            Err(other) => Err(other),
        }
    }
}
