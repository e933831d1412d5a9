//! Sign-up and the signed-in account.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::app::accounts::{self, SignUp};
use crate::app::places::PlaceInput;
use crate::auth::cookies::{cleared_session_cookie, session_cookie};
use crate::domain::PersonId;
use crate::error::ApiResult;
use crate::http::auth::Caller;
use crate::http::extract::Json;
use crate::state::AppState;

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_account))
        .routes(routes!(me, update_me, delete_me))
        .routes(routes!(export))
        .routes(routes!(change_password))
}

/// A sign-up.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAccountBody {
    /// Email address, used to log in.
    #[schema(example = "anna@example.com")]
    pub email: String,
    /// At least 10 characters, not a common password.
    #[schema(example = "tiles and grout 42")]
    pub password: String,
    /// The name others see.
    #[schema(example = "Anna Berg")]
    pub display_name: String,
    /// Optional home latitude.
    pub lat: Option<f64>,
    /// Optional home longitude.
    pub lon: Option<f64>,
    /// Optional home as a person types it ("Redland, Bristol", "BS6"), instead of
    /// `lat`/`lon`. Ambiguous or unknown: a 422 on `home` with `candidates`.
    #[schema(example = "Redland, Bristol")]
    pub home: Option<String>,
    /// The token from a referral invitation, if the sign-up came from one.
    pub invite_token: Option<String>,
    /// The token from an invitation into someone's circle (the link's `token`), if the
    /// sign-up came from one: the new account is offered to trust the inviter back
    /// (`GET /v1/me/circle/offers`).
    pub circle_invitation: Option<String>,
}

/// An account as its owner sees it.
#[derive(Serialize, ToSchema)]
pub struct AccountView {
    /// The person id (every account is a person).
    pub id: PersonId,
    /// Email.
    pub email: String,
    /// Whether the address is confirmed (the link emailed at sign-up was followed).
    pub email_verified: bool,
    /// Display name.
    pub display_name: String,
    /// Home latitude.
    pub lat: Option<f64>,
    /// Home longitude.
    pub lon: Option<f64>,
    /// When the account was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: time::OffsetDateTime,
    /// The providers this account owns.
    pub providers: Vec<crate::domain::ProviderId>,
}

/// Creates an account (and its person).
#[utoipa::path(post, path = "/v1/accounts", tag = "accounts", request_body = NewAccountBody,
    responses((status = 201, description = "Created", body = AccountView)))]
async fn create_account(
    State(state): State<AppState>,
    Json(body): Json<NewAccountBody>,
) -> ApiResult<impl IntoResponse> {
    let input = SignUp {
        email: &body.email,
        password: body.password,
        display_name: &body.display_name,
        home: PlaceInput::from_parts("home", body.home.as_deref(), body.lat, body.lon),
        invite_token: body.invite_token.as_deref(),
        circle_token: body.circle_invitation.as_deref(),
    };
    let id = accounts::sign_up(&state, input).await?;
    let view = account_view(&state, id).await?;
    Ok((StatusCode::CREATED, axum::Json(view)))
}

async fn account_view(state: &AppState, id: PersonId) -> ApiResult<AccountView> {
    let accounts::Account {
        row,
        verified,
        providers,
    } = accounts::account(state, id).await?;
    Ok(AccountView {
        id: row.id,
        email: row.email,
        email_verified: verified,
        display_name: row.display_name,
        lat: row.lat,
        lon: row.lon,
        created_at: row.created_at,
        providers,
    })
}

/// The signed-in account.
#[utoipa::path(get, path = "/v1/me", tag = "accounts",
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "The caller's account", body = AccountView)))]
async fn me(State(state): State<AppState>, caller: Caller) -> ApiResult<axum::Json<AccountView>> {
    account_view(&state, caller.person).await.map(axum::Json)
}

/// A change of the caller's profile.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileBody {
    /// The name others see.
    pub display_name: String,
    /// A new home as typed ("Redland, Bristol", "BS6"); or give `lat` and `lon`. Leave all
    /// three out to keep the home as it is.
    pub home: Option<String>,
    /// Home latitude.
    pub lat: Option<f64>,
    /// Home longitude.
    pub lon: Option<f64>,
    /// `true` forgets the home.
    #[serde(default)]
    pub clear_home: bool,
}

/// Changes the caller's name and home.
#[utoipa::path(patch, path = "/v1/me", tag = "accounts", request_body = ProfileBody,
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "The account as changed", body = AccountView)))]
async fn update_me(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<ProfileBody>,
) -> ApiResult<axum::Json<AccountView>> {
    accounts::update_profile(
        &state,
        caller.person,
        accounts::ProfileChange {
            display_name: &body.display_name,
            home: PlaceInput::from_parts("home", body.home.as_deref(), body.lat, body.lon),
            clear_home: body.clear_home,
        },
    )
    .await?;
    account_view(&state, caller.person).await.map(axum::Json)
}

/// A password change.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordBody {
    /// The password now.
    pub current_password: String,
    /// The new one: at least 10 characters, not a common password.
    pub new_password: String,
}

/// Changes the caller's password. Every session ends, on every device; the answer is a fresh
/// session for this one (its token shown once, and set as the cookie).
#[utoipa::path(post, path = "/v1/me/password", tag = "accounts", request_body = PasswordBody,
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 201, description = "Changed; a new session", body = crate::http::sessions::SessionView)))]
async fn change_password(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    jar: axum_extra::extract::cookie::CookieJar,
    caller: Caller,
    Json(body): Json<PasswordBody>,
) -> ApiResult<axum::response::Response> {
    let session = accounts::change_password(
        &state,
        caller.person,
        body.current_password,
        body.new_password,
        peer.ip(),
    )
    .await?;
    let cookie = session_cookie(&session.token, session.ttl, state.config.secure_cookies);
    let view = crate::http::sessions::SessionView {
        token: session.token,
        csrf_token: session.csrf_token,
        person_id: session.person,
        expires_at: session.expires_at,
    };
    Ok((StatusCode::CREATED, jar.add(cookie), axum::Json(view)).into_response())
}

/// Everything vouchgraph holds about the caller, as one JSON archive (schema: docs/privacy.md),
/// offered as a download, built within this request. Other people's data appears only as far
/// as the caller may see it. For a large account, `POST /v1/me/exports` builds it in the
/// background instead.
#[utoipa::path(get, path = "/v1/me/export", tag = "accounts",
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "The archive", body = Object)))]
async fn export(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<axum::response::Response> {
    let archive = crate::app::export::export(&state, caller.person).await?;
    Ok(crate::http::archives::attachment(caller.person.0, archive))
}

/// The password, typed again to confirm a deletion.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteBody {
    /// The account's password.
    pub password: String,
}

/// Deletes the caller's account for good: they leave every ranking, path, count and widget at
/// once, and their email, name, notes and location leave every table (docs/privacy.md). A
/// wrong password is a 422 on `password`, and changes nothing.
#[utoipa::path(delete, path = "/v1/me", tag = "accounts", request_body = DeleteBody,
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 204, description = "Deleted")))]
async fn delete_me(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    caller: Caller,
    Json(body): Json<DeleteBody>,
) -> ApiResult<axum::response::Response> {
    crate::app::account_deletion::delete_account(&state, caller.person, body.password, peer.ip())
        .await?;
    let mut cleared = cleared_session_cookie();
    cleared.make_removal();
    Ok((
        StatusCode::NO_CONTENT,
        [(axum::http::header::SET_COOKIE, cleared.to_string())],
    )
        .into_response())
}
