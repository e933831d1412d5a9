//! `POST /v1/embed-tokens`: a partner's server trades a visitor's link token for a ten-minute
//! embed token, to put in the page that shows that visitor a widget.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::app::partner_links;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::Json;
use crate::state::AppState;

use super::auth::SecretKey;
use super::embed::{EmbedClaims, EMBED_TOKEN_TTL_SECS, SCOPE_ASK, SCOPE_READ, SCOPE_REFER};

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(mint))
}

/// Which visitor, and for what.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmbedTokenBody {
    /// The link token the visitor's consent gave you (`vglink_…`).
    pub link_token: String,
    /// What the widget may do for them: `read` (their ranking and paths), `refer` (send
    /// referrals in their name), `ask` (ask their circle for a recommendation in their name).
    /// Default `read` and `refer`: `ask` only when named.
    pub scope: Option<Vec<String>>,
}

/// An embed token.
#[derive(Serialize, ToSchema)]
pub struct EmbedTokenView {
    /// Put it in the widget's `data-embed-token` attribute.
    pub token: String,
    /// When it stops working (ten minutes from now).
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    /// What it allows.
    pub scope: Vec<String>,
}

/// Mints an embed token for a linked visitor. Needs a secret key: never call it from a browser.
#[utoipa::path(post, path = "/v1/embed-tokens", tag = "partners", request_body = EmbedTokenBody,
    security(("sk" = [])),
    responses((status = 201, description = "A token for ten minutes", body = EmbedTokenView)))]
async fn mint(
    State(state): State<AppState>,
    SecretKey(key): SecretKey,
    Json(body): Json<EmbedTokenBody>,
) -> ApiResult<(StatusCode, axum::Json<EmbedTokenView>)> {
    let scope = body
        .scope
        .unwrap_or_else(|| vec![SCOPE_READ.into(), SCOPE_REFER.into()]);
    let known = [SCOPE_READ, SCOPE_REFER, SCOPE_ASK];
    if scope.is_empty() || scope.iter().any(|s| !known.contains(&s.as_str())) {
        return Err(ApiError::field("scope", "use read, refer and/or ask"));
    }
    let (link, person) =
        partner_links::by_token(&state, key.partner, body.link_token.trim()).await?;
    let expires_at = OffsetDateTime::now_utc() + time::Duration::seconds(EMBED_TOKEN_TTL_SECS);
    let claims = EmbedClaims {
        partner: key.partner,
        person,
        link,
        scope: scope.clone(),
        exp: expires_at.unix_timestamp(),
    };
    Ok((
        StatusCode::CREATED,
        axum::Json(EmbedTokenView {
            token: state.embed.sign(&claims),
            expires_at,
            scope,
        }),
    ))
}
