//! Logging in and out.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::auth::{password, token};
use crate::domain::PersonId;
use crate::error::{ApiError, ApiResult};
use crate::http::auth::{Caller, SESSION_COOKIE};
use crate::http::extract::Json;
use crate::state::AppState;
use crate::store;

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(login, logout))
}

/// Login credentials.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    /// Account email.
    #[schema(example = "anna@example.com")]
    pub email: String,
    /// Password.
    pub password: String,
}

/// A new session. The token is shown once; it is also set as an HttpOnly cookie.
#[derive(Serialize, ToSchema)]
pub struct SessionView {
    /// The bearer token.
    pub token: String,
    /// Echo this in `X-CSRF-Token` on writes authenticated by the cookie.
    pub csrf_token: String,
    /// The signed-in person.
    pub person_id: PersonId,
    /// When the session ends.
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: time::OffsetDateTime,
}

/// Logs in: returns a fresh token (a new one on every login) and sets the session cookie.
#[utoipa::path(post, path = "/v1/sessions", tag = "accounts", request_body = LoginBody,
    responses((status = 201, description = "Logged in", body = SessionView)))]
async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    jar: CookieJar,
    Json(body): Json<LoginBody>,
) -> ApiResult<impl IntoResponse> {
    let person = check_credentials(&state, &body.email, body.password, peer.ip()).await?;

    let session_token = token::generate();
    let csrf_token = token::generate();
    let ttl = state.config.session_ttl;
    let expires_at = time::OffsetDateTime::now_utc()
        + time::Duration::try_from(ttl).map_err(|e| ApiError::Internal(e.into()))?;
    store::sessions::create(
        &state.pool,
        &token::hash(&session_token),
        person,
        &csrf_token,
        expires_at,
    )
    .await?;

    let cookie = Cookie::build((SESSION_COOKIE, session_token.clone()))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.secure_cookies)
        .path("/")
        .max_age(time::Duration::try_from(ttl).map_err(|e| ApiError::Internal(e.into()))?)
        .build();
    let view = SessionView {
        token: session_token,
        csrf_token,
        person_id: person,
        expires_at,
    };
    Ok((StatusCode::CREATED, jar.add(cookie), axum::Json(view)))
}

/// Checks an email and password, for the API and the login page alike: throttled per account
/// and per address (429), verified against a dummy hash for unknown emails so the answer
/// takes as long, and the same 401 for a wrong password and an unknown email.
pub async fn check_credentials(
    state: &AppState,
    email: &str,
    password: String,
    address: IpAddr,
) -> ApiResult<PersonId> {
    if let Err(retry_after_secs) = state.logins.check(email, address) {
        return Err(ApiError::TooManyRequests { retry_after_secs });
    }
    // Postgres text cannot hold NUL (a 500 from the query): no account has such an email.
    let found = if email.contains('\0') {
        None
    } else {
        store::accounts::credentials_by_email(&state.pool, email.trim()).await?
    };
    let (person, phc) = match found {
        Some((person, phc)) => (Some(person), phc),
        None => (None, state.dummy_hash.to_string()),
    };
    let ok = tokio::task::spawn_blocking(move || password::verify(&password, &phc))
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    match (person, ok) {
        (Some(person), true) => Ok(person),
        _ => Err(ApiError::Unauthorized(
            "the email or password is wrong".into(),
        )),
    }
}

/// Logs out: revokes the session server-side and clears the cookie.
#[utoipa::path(delete, path = "/v1/sessions", tag = "accounts",
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 204, description = "Logged out")))]
async fn logout(
    State(state): State<AppState>,
    jar: CookieJar,
    caller: Caller,
) -> ApiResult<impl IntoResponse> {
    store::sessions::delete(&state.pool, &caller.token_hash).await?;
    state.sessions.forget(&caller.token_hash);
    let jar = jar.remove(Cookie::build(SESSION_COOKIE).path("/").build());
    Ok((StatusCode::NO_CONTENT, jar))
}
