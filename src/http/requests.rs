//! Asking one's circle (`app::requests`): ask, the inbox of requests to answer, a request with
//! its answers ranked and explained, answering, closing, and muting a trade.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::app::places::PlaceInput;
use crate::app::requests::{self, Answer, Ask, Asker, RequestRow, RequestView};
use crate::domain::{PersonId, ProviderId, ReferralId, Visibility};
use crate::error::ApiResult;
use crate::http::auth::Caller;
use crate::http::extract::{Json, Path, Query};
use crate::http::search::{path_view, PathView};
use crate::state::AppState;

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(ask, list))
        .routes(routes!(show))
        .routes(routes!(answer))
        .routes(routes!(take_answer))
        .routes(routes!(close))
        .routes(routes!(mute, unmute))
}

/// A request for recommendations.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AskBody {
    /// The trade's slug.
    #[schema(example = "tiler")]
    pub trade: String,
    /// Where the work is, as typed ("Redland, Bristol", "BS6"); or give `lat` and `lon`.
    pub near: Option<String>,
    /// Latitude of the work.
    pub lat: Option<f64>,
    /// Longitude of the work.
    pub lon: Option<f64>,
    /// A short note, at most 1,000 characters.
    #[serde(default)]
    #[schema(example = "bathroom re-tile, small flat")]
    pub note: String,
    /// By when, `YYYY-MM-DD`.
    pub deadline: Option<String>,
    /// `circle` (the default): only the people it is routed to. `public`: also neighbours.
    pub visibility: Option<String>,
}

/// A request just asked.
#[derive(Serialize, ToSchema)]
pub struct AskedView {
    /// The request.
    pub id: i64,
    /// How many people it went to.
    pub recipients: usize,
}

/// Asks the people best placed to answer: those the caller trusts who vouched in the trade,
/// then people they trust who did (never along a private edge; docs/requests.md).
#[utoipa::path(post, path = "/v1/requests", tag = "requests", request_body = AskBody,
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 201, description = "Asked", body = AskedView)))]
async fn ask(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<AskBody>,
) -> ApiResult<(StatusCode, axum::Json<AskedView>)> {
    let near = PlaceInput::from_parts("near", body.near.as_deref(), body.lat, body.lon);
    let asked = requests::ask(
        &state,
        caller.person,
        Ask {
            trade: &body.trade,
            near,
            note: &body.note,
            deadline: body.deadline.as_deref(),
            visibility: body.visibility.as_deref(),
            partner: None,
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(AskedView {
            id: asked.id,
            recipients: asked.recipients,
        }),
    ))
}

/// Which requests.
#[derive(Deserialize, IntoParams)]
pub struct ListParams {
    /// `mine` (the default): the caller's own. `inbox`: the open ones the caller may answer.
    pub role: Option<String>,
}

/// A request in a list.
#[derive(Serialize, ToSchema)]
pub struct RequestSummary {
    /// The request.
    pub id: i64,
    /// The trade's slug.
    pub trade: String,
    /// Who asks, as the caller may know it: "You", a name, "Someone in Matt Hughes's circle",
    /// or "A neighbour".
    pub asked_by: String,
    /// The asker's id, only when the caller may know who asks.
    pub asker_id: Option<PersonId>,
    /// Where, as named.
    pub place: Option<String>,
    /// The note.
    pub note: String,
    /// By when.
    pub deadline: Option<String>,
    /// `circle` or `public`.
    pub visibility: String,
    /// `open` or `closed`.
    pub status: String,
    /// How many answers it has (to the asker only).
    pub answers: Option<i64>,
    /// When asked.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: time::OffsetDateTime,
}

fn summary(row: RequestRow, asker: &Asker) -> RequestSummary {
    let asker_id = match asker {
        Asker::You => Some(row.asker_id),
        Asker::Named(id, _) => Some(*id),
        _ => None,
    };
    RequestSummary {
        id: row.id,
        trade: row.trade,
        asked_by: asker.in_words(),
        asker_id,
        place: row.place,
        note: row.note,
        deadline: row.deadline.map(|d| d.to_string()),
        visibility: row.visibility,
        status: row.status,
        answers: (*asker == Asker::You).then_some(row.answers),
        created_at: row.created_at,
    }
}

/// Requests.
#[derive(Serialize, ToSchema)]
pub struct RequestList {
    /// Newest first.
    pub requests: Vec<RequestSummary>,
}

/// The caller's requests, or their inbox of requests to answer.
#[utoipa::path(get, path = "/v1/requests", tag = "requests", params(ListParams),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "Requests", body = RequestList)))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<ListParams>,
) -> ApiResult<axum::Json<RequestList>> {
    let role = params.role.as_deref().unwrap_or("mine");
    let found = requests::list(&state, caller.person, role).await?;
    Ok(axum::Json(RequestList {
        requests: found
            .into_iter()
            .map(|(row, asker)| summary(row, &asker))
            .collect(),
    }))
}

/// An answer, as the caller may see it.
#[derive(Serialize, ToSchema)]
pub struct AnswerView {
    /// The answer.
    pub id: i64,
    /// Who answered.
    pub answerer_id: PersonId,
    /// Their name.
    pub answerer_name: String,
    /// The provider suggested.
    pub provider_id: ProviderId,
    /// Its name.
    pub provider_name: String,
    /// The note.
    pub note: String,
    /// Whether it came with a vouch.
    pub vouched: bool,
    /// Whether the asker said it helped.
    pub helped: bool,
    /// The referral it became when the asker took it ("ask them to get in touch"), if any.
    pub referral_id: Option<ReferralId>,
    /// The provider's score for the asker, as a search gives it (answers are ranked by it).
    pub score: f64,
    /// "Matt Hughes (you trust them completely) suggests Rossi Tiling".
    pub summary: String,
    /// The strongest trust paths from the asker to the provider's vouchers.
    pub paths: Vec<PathView>,
}

/// A request with its answers.
#[derive(Serialize, ToSchema)]
pub struct RequestDetail {
    /// The request.
    #[serde(flatten)]
    pub request: RequestSummary,
    /// How many people it went to (to the asker only).
    pub recipients: Option<i64>,
    /// Whether it was solved, once closed.
    pub solved: Option<bool>,
    /// The asker sees every answer, best first; anyone else only their own.
    pub answers_shown: Vec<AnswerView>,
}

fn detail(view: RequestView) -> RequestDetail {
    let RequestView {
        request,
        asker,
        answers,
    } = view;
    let mine = asker == Asker::You;
    let recipients = mine.then_some(request.recipients);
    let solved = request.solved;
    RequestDetail {
        recipients,
        solved,
        answers_shown: answers
            .into_iter()
            .map(|a| AnswerView {
                paths: a
                    .paths
                    .iter()
                    .map(|p| path_view(&a.answer.provider_name, p))
                    .collect(),
                id: a.answer.id,
                answerer_id: a.answer.answerer_id,
                answerer_name: a.answer.answerer_name,
                provider_id: a.answer.provider_id,
                provider_name: a.answer.provider_name,
                note: a.answer.note,
                vouched: a.answer.vouched,
                helped: a.answer.helped,
                referral_id: a.answer.referral_id,
                score: a.score,
                summary: a.summary,
            })
            .collect(),
        request: summary(request, &asker),
    }
}

/// A request, with its answers ranked and explained for the asker. 404 to anyone it did not
/// reach.
#[utoipa::path(get, path = "/v1/requests/{id}", tag = "requests",
    params(("id" = i64, Path, description = "The request")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "The request", body = RequestDetail)))]
async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<axum::Json<RequestDetail>> {
    Ok(axum::Json(detail(
        requests::view(&state, caller.person, id).await?,
    )))
}

/// An answer to a request.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerBody {
    /// The provider suggested (it must offer the request's trade).
    pub provider_id: ProviderId,
    /// A note, at most 1,000 characters.
    #[serde(default)]
    #[schema(example = "Mario did my bathroom, call him")]
    pub note: String,
    /// Also recommend the provider in the trade, with the note, as a vouch.
    #[serde(default)]
    pub vouch: bool,
    /// Who may see that vouch (default `public`).
    pub visibility: Option<Visibility>,
}

/// The answer made.
#[derive(Serialize, ToSchema)]
pub struct AnsweredView {
    /// The answer.
    pub id: i64,
}

/// Answers a request the caller received (or a public one near their home) that is open.
#[utoipa::path(post, path = "/v1/requests/{id}/answers", tag = "requests", request_body = AnswerBody,
    params(("id" = i64, Path, description = "The request")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 201, description = "Answered", body = AnsweredView)))]
async fn answer(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<AnswerBody>,
) -> ApiResult<(StatusCode, axum::Json<AnsweredView>)> {
    let answer = requests::answer(
        &state,
        caller.person,
        id,
        Answer {
            provider: body.provider_id,
            note: &body.note,
            vouch: body.vouch,
            visibility: body.visibility.unwrap_or(Visibility::Public),
        },
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(AnsweredView { id: answer })))
}

/// How the asker may be reached, shared with the provider when taking an answer.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct TakeBody {
    /// Show the provider the caller's account address.
    #[serde(default)]
    pub share_email: bool,
    /// A phone number for the provider ("07700 900123, evenings").
    pub phone: Option<String>,
}

/// The referral an answer became.
#[derive(Serialize, ToSchema)]
pub struct TakenView {
    /// The referral, accepted by the caller.
    pub referral_id: ReferralId,
}

/// The asker takes an answer ("ask them to get in touch"): it becomes a referral of the
/// suggested provider from the answerer to the asker, accepted at once with the contact
/// details given, and the provider's owner hears of it. Only the asker (403); once per answer
/// (409).
#[utoipa::path(post, path = "/v1/requests/{id}/answers/{answer_id}/take", tag = "requests",
    request_body = TakeBody,
    params(("id" = i64, Path, description = "The request"),
           ("answer_id" = i64, Path, description = "The answer")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 201, description = "The referral it became", body = TakenView)))]
async fn take_answer(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, answer)): Path<(i64, i64)>,
    Json(body): Json<TakeBody>,
) -> ApiResult<(StatusCode, axum::Json<TakenView>)> {
    let contact = crate::app::referrals::ContactChoice {
        share_email: body.share_email,
        phone: body.phone,
    };
    let referral_id = requests::take_answer(&state, caller.person, id, answer, contact).await?;
    Ok((StatusCode::CREATED, axum::Json(TakenView { referral_id })))
}

/// How a request ended.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseBody {
    /// Whether it was solved.
    pub solved: bool,
    /// The people (who answered) whose answers helped.
    #[serde(default)]
    pub helped_by: Vec<PersonId>,
}

/// Who was thanked.
#[derive(Serialize, ToSchema)]
pub struct ClosedView {
    /// The helpers, whose track records now count it.
    pub helped_by: Vec<PersonId>,
}

/// Closes the caller's request. Only the asker may (403); closing twice is a 409.
#[utoipa::path(post, path = "/v1/requests/{id}/close", tag = "requests", request_body = CloseBody,
    params(("id" = i64, Path, description = "The request")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "Closed", body = ClosedView)))]
async fn close(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<CloseBody>,
) -> ApiResult<axum::Json<ClosedView>> {
    let helped_by =
        requests::close(&state, caller.person, id, body.solved, &body.helped_by).await?;
    Ok(axum::Json(ClosedView { helped_by }))
}

/// Stops requests about a trade reaching the caller.
#[utoipa::path(put, path = "/v1/me/request-mutes/{trade}", tag = "requests",
    params(("trade" = String, Path, description = "The trade's slug")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 204, description = "Muted")))]
async fn mute(
    State(state): State<AppState>,
    caller: Caller,
    Path(trade): Path<String>,
) -> ApiResult<StatusCode> {
    requests::mute(&state, caller.person, &trade, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Lets requests about a trade reach the caller again.
#[utoipa::path(delete, path = "/v1/me/request-mutes/{trade}", tag = "requests",
    params(("trade" = String, Path, description = "The trade's slug")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 204, description = "Unmuted")))]
async fn unmute(
    State(state): State<AppState>,
    caller: Caller,
    Path(trade): Path<String>,
) -> ApiResult<StatusCode> {
    requests::mute(&state, caller.person, &trade, false).await?;
    Ok(StatusCode::NO_CONTENT)
}
