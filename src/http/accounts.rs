//! Sign-up and the signed-in account.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::auth::{password, token};
use crate::domain::{Email, GeoPoint, Name, PersonId};
use crate::error::{ApiError, ApiResult};
use crate::feed::GraphChange;
use crate::http::auth::Caller;
use crate::http::extract::Json;
use crate::http::validate::Fields;
use crate::state::AppState;
use crate::store;

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_account))
        .routes(routes!(me))
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
    /// The token from a referral invitation, if the sign-up came from one.
    pub invite_token: Option<String>,
}

/// An account as its owner sees it.
#[derive(Serialize, ToSchema)]
pub struct AccountView {
    /// The person id (every account is a person).
    pub id: PersonId,
    /// Email.
    pub email: String,
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
    let mut fields = Fields::new();
    let email = fields.check("email", Email::parse(&body.email));
    let name = fields.check("display_name", Name::parse(&body.display_name, 100));
    if let Err(reason) = password::check_policy(&body.password, &body.email) {
        fields.push("password", reason);
    }
    let home = match (body.lat, body.lon) {
        (None, None) => None,
        (Some(lat), Some(lon)) => match GeoPoint::parse(lat, lon) {
            Ok(p) => Some((p.lat, p.lon)),
            Err(errors) => {
                errors.into_iter().for_each(|(f, m)| fields.push(f, m));
                None
            }
        },
        _ => {
            fields.push("lat", "give both lat and lon, or neither");
            None
        }
    };
    fields.finish()?;
    let (email, name) = (email.expect("checked"), name.expect("checked"));

    let memory = state.config.argon2_memory_kib;
    let secret = body.password;
    let hash = tokio::task::spawn_blocking(move || password::hash(&secret, memory))
        .await
        .map_err(|e| ApiError::Internal(e.into()))??;

    let mut tx = state.pool.begin().await?;
    let id = store::accounts::create(
        &mut tx,
        &store::accounts::NewAccount {
            email: email.as_str(),
            password_hash: &hash,
            display_name: name.as_str(),
            home,
        },
    )
    .await?;
    // Referrals sent to this email before the account existed now belong to it.
    if let Some(invite) = &body.invite_token {
        let used =
            store::referrals::use_invite_token(&mut tx, &token::hash(invite), email.as_str())
                .await?;
        if !used {
            return Err(ApiError::field(
                "invite_token",
                "this invitation is not valid for this email, or has expired or been used",
            ));
        }
    }
    store::referrals::attach_invitations(&mut tx, email.as_str(), id).await?;
    store::changes::record(
        &mut tx,
        Some(id),
        &GraphChange::PersonUpsert {
            id,
            name: name.as_str().to_string(),
            pre_trusted: false,
        },
    )
    .await?;
    tx.commit().await?;
    state.live.catch_up_after_write(&state.pool).await;

    let view = account_view(&state, id).await?;
    Ok((StatusCode::CREATED, axum::Json(view)))
}

async fn account_view(state: &AppState, id: PersonId) -> ApiResult<AccountView> {
    let row = store::accounts::get(&state.pool, id)
        .await?
        .ok_or(ApiError::NotFound("account"))?;
    let providers = store::providers::owned_by(&state.pool, id).await?;
    Ok(AccountView {
        id: row.id,
        email: row.email,
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
