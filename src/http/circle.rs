//! Building a circle (`app::circle`): people you may know, invitations by email with their
//! offers to trust the inviter back, and an address book matched against proved addresses.

use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::app::circle;
use crate::domain::PersonId;
use crate::error::ApiResult;
use crate::http::auth::Caller;
use crate::http::extract::{Json, Path, Query};
use crate::state::AppState;

/// The largest address book accepted, in bytes: a phone's vCard export with photos runs to a
/// megabyte or two; every other route keeps the default limit.
pub const CONTACTS_BODY_BYTES: usize = 2 * 1024 * 1024;

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    let contacts = OpenApiRouter::new()
        .routes(routes!(match_contacts))
        .layer(DefaultBodyLimit::max(CONTACTS_BODY_BYTES));
    OpenApiRouter::new()
        .routes(routes!(suggestions))
        .routes(routes!(invite, sent))
        .routes(routes!(join))
        .routes(routes!(offers))
        .routes(routes!(decline))
        .merge(contacts)
}

/// How many suggestions.
#[derive(Deserialize, IntoParams)]
pub struct SuggestionParams {
    /// At most 50; 20 when not given.
    pub limit: Option<usize>,
}

/// Someone the caller may know.
#[derive(Serialize, ToSchema)]
pub struct SuggestionView {
    /// Who.
    pub person_id: PersonId,
    /// Their name.
    pub display_name: String,
    /// Their trust in the caller (1 to 3), when the caller may see it.
    pub trusts_you: Option<u8>,
    /// How many people the caller trusts they trust too (edges the caller may see only).
    pub shared_people: u32,
    /// How many providers the caller recommends they recommend too.
    pub shared_providers: u32,
    /// Why, in words: "trusts your judgement", "also trusts Matt Hughes".
    pub reasons: Vec<String>,
}

/// Suggestions.
#[derive(Serialize, ToSchema)]
pub struct SuggestionList {
    /// Best first.
    pub suggestions: Vec<SuggestionView>,
}

/// People the caller may know: people who trust them, who trust the same people, who recommend
/// the same providers. Computed from edges the caller may see only; people they already trust
/// or distrust are left out.
#[utoipa::path(get, path = "/v1/me/suggestions", tag = "trust", params(SuggestionParams),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "Suggestions", body = SuggestionList)))]
async fn suggestions(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<SuggestionParams>,
) -> ApiResult<axum::Json<SuggestionList>> {
    let found = circle::suggestions(&state, caller.person, params.limit.unwrap_or(20))?;
    Ok(axum::Json(SuggestionList {
        suggestions: found
            .into_iter()
            .map(|s| SuggestionView {
                person_id: s.person,
                display_name: s.display_name,
                trusts_you: s.trusts_you,
                shared_people: s.shared_people,
                shared_providers: s.shared_providers,
                reasons: s.reasons,
            })
            .collect(),
    }))
}

/// An invitation into the caller's circle.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteBody {
    /// The address to invite.
    #[schema(example = "ben@example.com")]
    pub email: String,
    /// A short note, at most 500 characters.
    #[serde(default)]
    pub note: String,
}

/// Emails an invitation to join the caller's circle; whoever joins with it is offered to trust
/// the caller back. The answer is the same whether or not the address has an account. At most
/// 20 a day; sent once the caller's own address is verified.
#[utoipa::path(post, path = "/v1/me/circle/invitations", tag = "trust", request_body = InviteBody,
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 202, description = "Queued")))]
async fn invite(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<InviteBody>,
) -> ApiResult<StatusCode> {
    circle::invite(&state, caller.person, &body.email, &body.note).await?;
    Ok(StatusCode::ACCEPTED)
}

/// An invitation the caller sent.
#[derive(Serialize, ToSchema)]
pub struct SentView {
    /// The invitation.
    pub id: i64,
    /// The address, until someone joined with it.
    pub email: Option<String>,
    /// When it was sent.
    #[serde(with = "time::serde::rfc3339")]
    pub sent_at: time::OffsetDateTime,
    /// Who joined with it.
    pub joined_id: Option<PersonId>,
    /// Their name.
    pub joined_name: Option<String>,
    /// `waiting`, `joined` or `expired`.
    pub status: String,
}

/// Invitations sent.
#[derive(Serialize, ToSchema)]
pub struct SentList {
    /// Newest first, the last hundred.
    pub invitations: Vec<SentView>,
}

/// The invitations the caller sent.
#[utoipa::path(get, path = "/v1/me/circle/invitations", tag = "trust",
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "Invitations", body = SentList)))]
async fn sent(State(state): State<AppState>, caller: Caller) -> ApiResult<axum::Json<SentList>> {
    let list = circle::sent(&state, caller.person).await?;
    Ok(axum::Json(SentList {
        invitations: list
            .into_iter()
            .map(|s| SentView {
                status: match (&s.joined, s.expired) {
                    (Some(_), _) => "joined",
                    (None, true) => "expired",
                    (None, false) => "waiting",
                }
                .into(),
                id: s.id,
                email: s.email,
                sent_at: s.sent_at,
                joined_id: s.joined.as_ref().map(|j| j.0),
                joined_name: s.joined.map(|j| j.1),
            })
            .collect(),
    }))
}

/// An invitation's token, from its link.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JoinBody {
    /// The `token` of the invitation link.
    pub token: String,
}

/// An offer to trust an inviter back.
#[derive(Serialize, ToSchema)]
pub struct OfferView {
    /// The offer (the invitation it came from).
    pub id: i64,
    /// Who invited.
    pub inviter_id: PersonId,
    /// Their name.
    pub inviter_name: String,
    /// What they wrote.
    pub note: String,
}

/// Whom the caller joined.
#[derive(Serialize, ToSchema)]
pub struct JoinedView {
    /// Who invited.
    pub inviter_id: PersonId,
    /// Their name.
    pub inviter_name: String,
    /// The offer to trust them back, unless the caller trusts them already.
    pub offer_id: Option<i64>,
}

/// Uses an invitation link as the signed-in caller (someone who already had an account): the
/// inviter hears they joined, and the caller is offered to trust them back.
#[utoipa::path(post, path = "/v1/me/circle/joined", tag = "trust", request_body = JoinBody,
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "Joined", body = JoinedView)))]
async fn join(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<JoinBody>,
) -> ApiResult<axum::Json<JoinedView>> {
    let inviter = circle::accept(&state, caller.person, &body.token).await?;
    let offer = circle::offers(&state, caller.person)
        .await?
        .into_iter()
        .find(|o| o.inviter == inviter);
    let inviter_name = state
        .live
        .read(|g, _| g.person_name(inviter).map(str::to_string))
        .unwrap_or_default();
    Ok(axum::Json(JoinedView {
        inviter_id: inviter,
        inviter_name,
        offer_id: offer.map(|o| o.id),
    }))
}

fn offer_view(o: circle::Offer) -> OfferView {
    OfferView {
        id: o.id,
        inviter_id: o.inviter,
        inviter_name: o.inviter_name,
        note: o.note,
    }
}

/// Offers.
#[derive(Serialize, ToSchema)]
pub struct OfferList {
    /// Oldest first.
    pub offers: Vec<OfferView>,
}

/// Offers to trust back the people whose invitation the caller used. Trusting the inviter
/// (`PUT /v1/trust/{person_id}`) answers one; so does declining it.
#[utoipa::path(get, path = "/v1/me/circle/offers", tag = "trust",
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "Offers", body = OfferList)))]
async fn offers(State(state): State<AppState>, caller: Caller) -> ApiResult<axum::Json<OfferList>> {
    let list = circle::offers(&state, caller.person).await?;
    Ok(axum::Json(OfferList {
        offers: list.into_iter().map(offer_view).collect(),
    }))
}

/// Declines an offer to trust an inviter back.
#[utoipa::path(delete, path = "/v1/me/circle/offers/{id}", tag = "trust",
    params(("id" = i64, Path, description = "The offer")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 204, description = "Declined")))]
async fn decline(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    circle::decline(&state, caller.person, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An address book.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactsBody {
    /// A vCard (`.vcf`) or CSV export of contacts, as text; at most 2,000 addresses.
    pub contacts: String,
}

/// Someone in the address book who is here.
#[derive(Serialize, ToSchema)]
pub struct ContactView {
    /// Who.
    pub person_id: PersonId,
    /// Their name.
    pub display_name: String,
    /// The address of theirs that was in the book.
    pub email: String,
    /// Whether the caller trusts them already.
    pub in_circle: bool,
}

/// What an address book holds, before anything is done.
#[derive(Serialize, ToSchema)]
pub struct ContactMatchView {
    /// Distinct addresses read.
    pub read: usize,
    /// People here whose proved address is in the book.
    pub matched: Vec<ContactView>,
    /// The other addresses, which the caller may invite. Not stored.
    pub unmatched: Vec<String>,
    /// What happens next: nothing until the caller chooses.
    pub next: String,
}

/// Matches an address book against proved addresses. Stores nothing (only the day's count of
/// addresses, at most 2,000 a day): the caller then trusts whom they choose
/// (`PUT /v1/trust/{person_id}`) and invites whom they choose (`POST /v1/me/circle/invitations`).
#[utoipa::path(post, path = "/v1/me/contacts/match", tag = "trust", request_body = ContactsBody,
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "Matched", body = ContactMatchView)))]
async fn match_contacts(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<ContactsBody>,
) -> ApiResult<axum::Json<ContactMatchView>> {
    let found = circle::match_contacts(&state, caller.person, &body.contacts).await?;
    Ok(axum::Json(ContactMatchView {
        read: found.read,
        matched: found
            .matched
            .into_iter()
            .map(|c| ContactView {
                person_id: c.person,
                display_name: c.display_name,
                email: c.address,
                in_circle: c.in_circle,
            })
            .collect(),
        unmatched: found.unmatched,
        next: "Nothing has been done yet and the addresses are not kept: trust the people you \
               choose, and invite the others you choose."
            .into(),
    }))
}
