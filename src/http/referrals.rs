//! Referrals: sending one, moving it through its lifecycle, and listing them.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::app::referrals::Listing;
use crate::app::referrals::{
    allowed_moves, contact_for, parties, ContactChoice, Move, Recipient, SendReferral, Sent,
    SharedContact,
};
use crate::app::validate::Fields;
use crate::auth::token;
use crate::domain::values::parse_note;
use crate::domain::{Email, PersonId, ProviderId, ReferralStatus};
use crate::error::{ApiError, ApiResult};
use crate::http::auth::Caller;
use crate::http::extract::{parse_json, Json, Path, Query};
use crate::state::AppState;
use crate::store;
use crate::store::referrals::ReferralRow;

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_referral))
        .routes(routes!(claim_invitation))
        .routes(routes!(get_referral))
        .routes(routes!(transition))
        .routes(routes!(dispute_contact))
        .routes(routes!(my_referrals))
        .routes(routes!(provider_referrals))
}

/// A new referral: to a person, or by email to someone not yet signed up.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReferralBody {
    /// The provider referred.
    pub provider_id: ProviderId,
    /// The trade slug.
    pub trade: String,
    /// The recipient, if they have an account.
    pub recipient_id: Option<PersonId>,
    /// Or their email: always an invitation (whether or not the address has an account), which
    /// its token hands to an account at sign-up or through `POST /v1/me/invitations`.
    pub recipient_email: Option<String>,
    /// A note, at most 1,000 characters.
    #[serde(default)]
    pub note: String,
}

/// A transition in a referral's history.
#[derive(Serialize, ToSchema)]
pub struct TransitionView {
    /// From (null at creation).
    pub from: Option<String>,
    /// To.
    pub to: String,
    /// Who (null for the expiry job).
    pub actor_id: Option<PersonId>,
    /// Their note.
    pub note: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub at: time::OffsetDateTime,
}

/// A referral as its parties see it.
#[derive(Serialize, ToSchema)]
pub struct ReferralView {
    /// The referral.
    pub id: i64,
    /// Who sent it.
    pub referrer_id: PersonId,
    /// Their name.
    pub referrer_name: String,
    /// The provider.
    pub provider_id: ProviderId,
    /// Its name.
    pub provider_name: String,
    /// The trade slug.
    pub trade: String,
    /// The recipient, once known.
    pub recipient_id: Option<PersonId>,
    /// Their name.
    pub recipient_name: Option<String>,
    /// The invited email (shown to the referrer only).
    pub recipient_email: Option<String>,
    /// The note.
    pub note: String,
    /// Where it stands.
    pub status: ReferralStatus,
    /// "good" or "bad", once completed.
    pub outcome: Option<String>,
    /// 1 to 5, once completed, if given.
    pub rating: Option<i16>,
    /// Whether this referral is credited with the hire.
    pub credited: bool,
    /// The moves the caller may make now.
    pub allowed_moves: Vec<ReferralStatus>,
    /// How the customer may be reached, as they chose when accepting: shown to the provider's
    /// owner and the customer only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<SharedContact>,
    /// To the recipient only: how many other people referred the same provider to them for
    /// the same trade within 90 days (who they were is each sender's own business).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub also_referred: Option<i64>,
    /// The history, when a single referral is fetched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transitions: Option<Vec<TransitionView>>,
    /// The invitation token, shown once, when the referral was sent by email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invite_token: Option<String>,
    /// When it was sent.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: time::OffsetDateTime,
    /// When it last changed.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: time::OffsetDateTime,
}

async fn view(
    state: &AppState,
    r: ReferralRow,
    caller: PersonId,
    with_history: bool,
) -> ApiResult<ReferralView> {
    let also_referred = if r.recipient_id == Some(caller) {
        Some(store::referrals::also_referred_count(&state.pool, &r).await?)
    } else {
        None
    };
    let transitions = if with_history {
        Some(
            store::referrals::transitions(&state.pool, r.id)
                .await?
                .into_iter()
                .map(|t| TransitionView {
                    from: t.from_status,
                    to: t.to_status,
                    actor_id: t.actor_id,
                    note: t.note,
                    at: t.created_at,
                })
                .collect(),
        )
    } else {
        None
    };
    Ok(ReferralView {
        also_referred,
        transitions,
        ..view_of(r, caller)
    })
}

/// What `caller` sees of a referral, without its history or co-referrers. The invited address
/// is the referrer's information, not the provider's; how the customer may be reached is the
/// provider's and the customer's (`app::referrals::contact_for`).
fn view_of(r: ReferralRow, caller: PersonId) -> ReferralView {
    let status = r.status;
    let parties = parties(&r, caller);
    ReferralView {
        allowed_moves: allowed_moves(status, &parties),
        contact: contact_for(&r, caller),
        recipient_email: if r.referrer_id == caller {
            r.recipient_email
        } else {
            None
        },
        id: r.id,
        referrer_id: r.referrer_id,
        referrer_name: r.referrer_name,
        provider_id: r.provider_id,
        provider_name: r.provider_name,
        trade: r.trade,
        recipient_id: r.recipient_id,
        recipient_name: r.recipient_name,
        note: r.note,
        status,
        outcome: r.outcome,
        rating: r.rating,
        credited: r.credited,
        also_referred: None,
        transitions: None,
        invite_token: None,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

/// Refers a provider to someone. Send an `Idempotency-Key` header to make retries safe: the
/// same key and body return the original response; the same key with another body is a 422.
#[utoipa::path(post, path = "/v1/referrals", tag = "referrals", request_body = NewReferralBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 201, description = "Sent", body = ReferralView)))]
async fn create_referral(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<(StatusCode, axum::Json<serde_json::Value>)> {
    let key = match headers.get("idempotency-key") {
        Some(value) => {
            let key = value
                .to_str()
                .map_err(|_| ApiError::BadRequest("Idempotency-Key must be text".into()))?
                .trim()
                .to_string();
            if key.is_empty() || key.len() > 200 {
                return Err(ApiError::field(
                    "Idempotency-Key",
                    "must be 1 to 200 characters",
                ));
            }
            Some(key)
        }
        None => None,
    };
    let request_hash = Sha256::digest(&body).to_vec();
    if let Some(key) = &key {
        if let Some(stored) = store::idempotency::find(&state.pool, caller.person, key).await? {
            let replayed = replay(stored, &request_hash)?;
            return reissue_invitation(&state, replayed).await;
        }
    }
    let body: NewReferralBody = parse_json(&body)?;
    let result = create_inner(&state, &caller, body, key.as_deref(), &request_hash).await;
    match (result, &key) {
        // Two requests raced with one key: the loser replays the winner.
        (Err(ApiError::Conflict(_)), Some(key)) => {
            match store::idempotency::find(&state.pool, caller.person, key).await? {
                Some(stored) => reissue_invitation(&state, replay(stored, &request_hash)?).await,
                None => Err(ApiError::Conflict(
                    "a concurrent request conflicted; retry".into(),
                )),
            }
        }
        (result, _) => result,
    }
}

fn replay(
    stored: store::idempotency::Stored,
    request_hash: &[u8],
) -> ApiResult<(StatusCode, axum::Json<serde_json::Value>)> {
    if stored.request_hash != request_hash {
        return Err(ApiError::field(
            "Idempotency-Key",
            "this key was already used with a different body",
        ));
    }
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::CREATED);
    Ok((status, axum::Json(stored.body)))
}

/// A replayed invitation gets a fresh token (the first response may have been lost, and the
/// token itself was never stored); the old one stops working. Used invitations get none.
async fn reissue_invitation(
    state: &AppState,
    (status, axum::Json(mut body)): (StatusCode, axum::Json<serde_json::Value>),
) -> ApiResult<(StatusCode, axum::Json<serde_json::Value>)> {
    if let Some(id) = body["id"]
        .as_i64()
        .filter(|_| body["recipient_email"].is_string())
    {
        let fresh = token::generate();
        if store::referrals::replace_invite_token(&state.pool, id, &token::hash(&fresh)).await? {
            body["invite_token"] = json!(fresh);
        }
    }
    Ok((status, axum::Json(body)))
}

async fn create_inner(
    state: &AppState,
    caller: &Caller,
    body: NewReferralBody,
    key: Option<&str>,
    request_hash: &[u8],
) -> ApiResult<(StatusCode, axum::Json<serde_json::Value>)> {
    let mut fields = Fields::new();
    let note = fields.check("note", parse_note(&body.note));
    let trade = state.live.trade_by_slug(&body.trade);
    if trade.is_none() {
        fields.push(
            "trade",
            format!("unknown trade {:?}; see GET /v1/trades", body.trade),
        );
    }
    let recipient = match (body.recipient_id, &body.recipient_email) {
        (Some(id), None) => Some(Recipient::Person(id)),
        (None, Some(email)) => fields
            .check("recipient_email", Email::parse(email))
            .map(Recipient::Email),
        _ => {
            fields.push(
                "recipient_id",
                "give exactly one of recipient_id and recipient_email",
            );
            None
        }
    };
    fields.finish()?;
    let (trade, note) = (trade.expect("checked"), note.expect("checked"));
    let recipient = recipient.expect("checked");

    let mut tx = state.pool.begin().await?;
    let Sent { row, invite_token } = crate::app::referrals::send(
        &mut tx,
        caller.person,
        &SendReferral {
            provider: body.provider_id,
            trade,
            recipient,
            note: &note,
            partner: None,
        },
    )
    .await?;

    // The view is built from the transaction's own row, before commit, so the stored
    // idempotent response is exactly what this request returns (just created, it has no
    // history or co-referrers to read yet). The stored copy never holds the invitation
    // token: only its hash is kept anywhere.
    let view = view_of(row, caller.person);
    let mut json = serde_json::to_value(&view).map_err(|e| ApiError::Internal(e.into()))?;
    if let Some(key) = key {
        store::idempotency::store(&mut tx, caller.person, key, request_hash, 201, &json).await?;
    }
    tx.commit().await?;
    if let Some(invite) = invite_token {
        json["invite_token"] = json!(invite);
    }
    Ok((StatusCode::CREATED, axum::Json(json)))
}

/// An invitation's token, to claim it.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimBody {
    /// The token the invitation carried.
    pub invite_token: String,
}

/// Claims an invitation sent by email to the caller's address: the referral becomes theirs.
/// The token is the proof; a token that is wrong, used, expired or for another address is a
/// 422 on `invite_token`.
#[utoipa::path(post, path = "/v1/me/invitations", tag = "referrals", request_body = ClaimBody,
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "The referral, now the caller's", body = ReferralView)))]
async fn claim_invitation(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<ClaimBody>,
) -> ApiResult<axum::Json<ReferralView>> {
    let id =
        crate::app::referrals::claim_signed_in(&state, caller.person, body.invite_token.trim())
            .await?;
    let row = store::referrals::get(&state.pool, id)
        .await?
        .ok_or(ApiError::NotFound("referral"))?;
    Ok(axum::Json(view(&state, row, caller.person, true).await?))
}

/// One referral with its history; only its parties may read it.
#[utoipa::path(get, path = "/v1/referrals/{id}", tag = "referrals",
    params(("id" = i64, Path, description = "The referral")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "The referral", body = ReferralView)))]
async fn get_referral(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<axum::Json<ReferralView>> {
    let row = store::referrals::get(&state.pool, id)
        .await?
        .filter(|r| !parties(r, caller.person).is_empty())
        // Not a party: as far as this caller knows, it does not exist.
        .ok_or(ApiError::NotFound("referral"))?;
    Ok(axum::Json(view(&state, row, caller.person, true).await?))
}

/// A move.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionBody {
    /// The status to move to.
    pub to: ReferralStatus,
    /// Required when completing: `good` or `bad`.
    pub outcome: Option<String>,
    /// Optional when completing: 1 to 5.
    pub rating: Option<i16>,
    /// A note for the history.
    #[serde(default)]
    pub note: String,
    /// When accepting: let the provider see the caller's account address.
    #[serde(default)]
    pub share_email: bool,
    /// When accepting: a phone number the provider may call ("07700 900123, evenings").
    pub phone: Option<String>,
}

/// The customer says the provider never got in touch, although it was marked contacted: the
/// mark stops counting towards the provider's responsiveness. Only the recipient may say so;
/// 409 before the referral is marked contacted.
#[utoipa::path(post, path = "/v1/referrals/{id}/contact-dispute", tag = "referrals",
    params(("id" = i64, Path, description = "The referral")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 204, description = "Disputed")))]
async fn dispute_contact(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<axum::http::StatusCode> {
    crate::app::referrals::dispute_contact(&state, caller.person, id).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// Moves a referral: the recipient accepts (saying how the provider may reach them:
/// `share_email`, `phone`), declines, confirms a hire and, once the job is done, completes it
/// saying how it went; the provider's owner marks contacted. An illegal move is a 409
/// listing the allowed ones; another party's move is a 403.
#[utoipa::path(post, path = "/v1/referrals/{id}/transitions", tag = "referrals", request_body = TransitionBody,
    params(("id" = i64, Path, description = "The referral")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "The referral after the move", body = ReferralView)))]
async fn transition(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<TransitionBody>,
) -> ApiResult<axum::Json<ReferralView>> {
    let mut fields = Fields::new();
    let note = fields.check("note", parse_note(&body.note));
    fields.finish()?;

    crate::app::referrals::make_move(
        &state,
        caller.person,
        id,
        Move {
            to: body.to,
            outcome: body.outcome,
            rating: body.rating,
            note: note.unwrap_or_default(),
            contact: ContactChoice {
                share_email: body.share_email,
                phone: body.phone,
            },
        },
    )
    .await?;

    let row = store::referrals::get(&state.pool, id)
        .await?
        .ok_or(ApiError::NotFound("referral"))?;
    Ok(axum::Json(view(&state, row, caller.person, true).await?))
}

/// A page of referrals.
#[derive(Serialize, ToSchema)]
pub struct ReferralPage {
    /// The referrals, newest first.
    pub items: Vec<ReferralView>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// List filters.
#[derive(Deserialize, IntoParams)]
pub struct ListParams {
    /// `sent` or `received` (for `/v1/me/referrals`; default `received`).
    pub role: Option<String>,
    /// Only referrals with this status.
    pub status: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1 to 100 (default 20).
    pub limit: Option<i64>,
}

/// A page request of referrals, validated.
pub struct ListFilter {
    /// Only referrals with this status.
    pub status: Option<ReferralStatus>,
    /// Only referrals with an id below this (the cursor).
    pub before: Option<i64>,
    /// Page size, 1 to 100.
    pub limit: i64,
}

/// Validates a page request; a 422 names every bad field.
pub fn parse_list(params: &ListParams) -> ApiResult<ListFilter> {
    let mut fields = Fields::new();
    let status = match &params.status {
        Some(s) => fields.check(
            "status",
            ReferralStatus::parse(s).ok_or_else(|| format!("unknown status {s:?}")),
        ),
        None => None,
    };
    let before = match &params.cursor {
        Some(c) => fields.check(
            "cursor",
            c.parse::<i64>()
                .map_err(|_| "not a cursor from a previous page".to_string()),
        ),
        None => None,
    };
    let limit = params.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        fields.push("limit", "must be between 1 and 100");
    }
    fields.finish()?;
    Ok(ListFilter {
        status,
        before,
        limit,
    })
}

async fn page(
    state: &AppState,
    caller: PersonId,
    listing: Listing,
    filter: ListFilter,
) -> ApiResult<ReferralPage> {
    let rows = crate::app::referrals::list(
        state,
        caller,
        listing,
        filter.status,
        filter.before,
        filter.limit + 1,
    )
    .await?;
    let more = rows.len() as i64 > filter.limit;
    let mut items = Vec::new();
    for row in rows.into_iter().take(filter.limit as usize) {
        items.push(view(state, row, caller, false).await?);
    }
    let next_cursor = if more {
        items.last().map(|v| v.id.to_string())
    } else {
        None
    };
    Ok(ReferralPage { items, next_cursor })
}

/// The caller's referrals, sent or received.
#[utoipa::path(get, path = "/v1/me/referrals", tag = "referrals", params(ListParams),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "A page of referrals", body = ReferralPage)))]
async fn my_referrals(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<ListParams>,
) -> ApiResult<axum::Json<ReferralPage>> {
    let listing = match params.role.as_deref().unwrap_or("received") {
        "sent" => Listing::Sent,
        "received" => Listing::Received,
        _ => return Err(ApiError::field("role", "must be sent or received")),
    };
    let filter = parse_list(&params)?;
    Ok(axum::Json(
        page(&state, caller.person, listing, filter).await?,
    ))
}

/// The referrals of a provider; only its owner may list them.
#[utoipa::path(get, path = "/v1/providers/{id}/referrals", tag = "referrals", params(("id" = i64, Path, description = "The provider"), ListParams),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "A page of referrals", body = ReferralPage)))]
async fn provider_referrals(
    State(state): State<AppState>,
    caller: Caller,
    Path(provider): Path<ProviderId>,
    Query(params): Query<ListParams>,
) -> ApiResult<axum::Json<ReferralPage>> {
    let filter = parse_list(&params)?;
    Ok(axum::Json(
        page(&state, caller.person, Listing::Provider(provider), filter).await?,
    ))
}
