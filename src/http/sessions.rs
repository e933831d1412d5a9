//! Logging in and out.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum_extra::extract::cookie::CookieJar;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::app::sessions;
use crate::auth::cookies::{cleared_session_cookie, session_cookie};
use crate::domain::PersonId;
use crate::error::ApiResult;
use crate::http::auth::Caller;
use crate::http::extract::Json;
use crate::state::AppState;

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
    let session = sessions::log_in(&state, &body.email, body.password, peer.ip()).await?;
    let cookie = session_cookie(&session.token, session.ttl, state.config.secure_cookies);
    let view = SessionView {
        token: session.token,
        csrf_token: session.csrf_token,
        person_id: session.person,
        expires_at: session.expires_at,
    };
    Ok((StatusCode::CREATED, jar.add(cookie), axum::Json(view)))
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
    sessions::end_session(&state, &caller.token_hash).await?;
    let jar = jar.remove(cleared_session_cookie());
    Ok((StatusCode::NO_CONTENT, jar))
}
