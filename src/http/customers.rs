//! The provider's relationship book over HTTP: its customers (JSON and CSV), the follow-ups
//! it owes (owner only), and its responsiveness (anyone).

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::app::customer_book::{self, BookFilter, CustomerRow, FollowUp};
use crate::app::providers;
use crate::app::validate::Fields;
use crate::domain::{PersonId, ProviderId, ReferralId};
use crate::error::ApiResult;
use crate::http::auth::Caller;
use crate::http::extract::{Path, Query};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(customers))
        .routes(routes!(customers_csv))
        .routes(routes!(customer))
        .routes(routes!(follow_ups))
        .routes(routes!(responsiveness))
        .routes(routes!(set_note))
        .routes(routes!(ask_for_vouch))
}

/// The owner's private note about a customer.
#[derive(Deserialize, Serialize, ToSchema)]
pub struct NoteBody {
    /// Up to 2,000 characters; empty removes the note.
    pub body: String,
}

/// Which customers, and which page.
#[derive(Deserialize, IntoParams)]
pub struct BookParams {
    /// `all` (default), `waiting`, `in_progress`, `done` or `went_well`.
    pub filter: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1 to 100 (default 20).
    pub limit: Option<i64>,
}

/// One customer and every step of their latest referral, with its date.
#[derive(Serialize, ToSchema)]
pub struct CustomerView {
    pub customer_id: PersonId,
    pub name: String,
    /// Everyone who referred them here.
    pub referred_by: Vec<String>,
    /// How many referrals brought them here.
    pub referrals: i64,
    pub status: String,
    pub outcome: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub sent_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub accepted_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub contacted_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub hired_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub completed_at: Option<OffsetDateTime>,
    /// Their public vouch for the provider: `recommend` or `warn`.
    pub public_vouch: Option<String>,
    /// The owner's private note about them.
    pub note: Option<String>,
}

/// A page of the book.
#[derive(Serialize, ToSchema)]
pub struct CustomerPage {
    pub items: Vec<CustomerView>,
    pub next_cursor: Option<String>,
}

/// A customer waiting for the provider to get in touch past the time it had.
#[derive(Serialize, ToSchema)]
pub struct FollowUpView {
    pub referral_id: ReferralId,
    pub customer_id: PersonId,
    pub name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub accepted_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub due_at: OffsetDateTime,
}

/// How quickly a provider gets in touch once a customer accepts a referral.
#[derive(Serialize, ToSchema)]
pub struct ResponsivenessView {
    /// Accepted referrals in the last 90 days; `null` figures below 3.
    pub accepted: Option<usize>,
    /// Median hours from accepted to contacted (waiting ones count as long as they waited).
    pub median_hours: Option<f64>,
    /// Share contacted within a week.
    pub within_week: Option<f64>,
    /// In words, for seekers; `null` while there are too few referrals to say.
    pub summary: Option<String>,
}

struct Parsed {
    filter: BookFilter,
    before: Option<ReferralId>,
    limit: i64,
}

fn parse(params: &BookParams) -> ApiResult<Parsed> {
    let mut fields = Fields::new();
    let filter = match params.filter.as_deref().unwrap_or("all") {
        "all" => Some(BookFilter::All),
        "waiting" => Some(BookFilter::Waiting),
        "in_progress" => Some(BookFilter::InProgress),
        "done" => Some(BookFilter::Done),
        "went_well" => Some(BookFilter::WentWell),
        _ => {
            fields.push(
                "filter",
                "must be all, waiting, in_progress, done or went_well",
            );
            None
        }
    };
    let before = params.cursor.as_ref().and_then(|c| {
        fields.check(
            "cursor",
            c.parse::<ReferralId>()
                .map_err(|_| "not a cursor from a previous page".to_string()),
        )
    });
    let limit = params.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        fields.push("limit", "must be between 1 and 100");
    }
    fields.finish()?;
    Ok(Parsed {
        filter: filter.unwrap_or(BookFilter::All),
        before,
        limit,
    })
}

fn view(row: CustomerRow) -> CustomerView {
    CustomerView {
        customer_id: row.customer_id,
        name: row.customer_name,
        referred_by: row.referred_by,
        referrals: row.referrals,
        status: row.status,
        outcome: row.outcome,
        sent_at: row.sent_at,
        accepted_at: row.accepted_at,
        contacted_at: row.contacted_at,
        hired_at: row.hired_at,
        completed_at: row.completed_at,
        public_vouch: row.vouch,
        note: row.note,
    }
}

/// The provider's customers, latest referral first; only its owner may read them.
#[utoipa::path(get, path = "/v1/providers/{id}/customers", tag = "referrals",
    params(("id" = i64, Path, description = "The provider"), BookParams),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "A page of customers", body = CustomerPage)))]
async fn customers(
    State(state): State<AppState>,
    caller: Caller,
    Path(provider): Path<ProviderId>,
    Query(params): Query<BookParams>,
) -> ApiResult<axum::Json<CustomerPage>> {
    let p = parse(&params)?;
    let rows = customer_book::page(
        &state,
        caller.person,
        provider,
        p.filter,
        p.before,
        p.limit + 1,
    )
    .await?;
    let mut rows = rows;
    let more = rows.len() as i64 > p.limit;
    rows.truncate(p.limit as usize);
    // The cursor is the latest referral's id of the page's last customer.
    let next_cursor = more
        .then(|| rows.last().map(|row| row.referral_id.to_string()))
        .flatten();
    let items = rows.into_iter().map(view).collect();
    Ok(axum::Json(CustomerPage { items, next_cursor }))
}

/// The provider's customers as CSV (up to 10,000), for the tools a provider already uses.
#[utoipa::path(get, path = "/v1/providers/{id}/customers.csv", tag = "referrals",
    params(("id" = i64, Path, description = "The provider"), BookParams),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "The book as CSV", content_type = "text/csv", body = String)))]
async fn customers_csv(
    State(state): State<AppState>,
    caller: Caller,
    Path(provider): Path<ProviderId>,
    Query(params): Query<BookParams>,
) -> ApiResult<impl IntoResponse> {
    let p = parse(&params)?;
    let body = customer_book::csv(&state, caller.person, provider, p.filter).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"customers-{provider}.csv\""),
            ),
        ],
        body,
    ))
}

/// Customers who accepted a referral and have waited past two working days for the provider
/// to get in touch, longest first; only the owner may read them.
#[utoipa::path(get, path = "/v1/providers/{id}/follow-ups", tag = "referrals",
    params(("id" = i64, Path, description = "The provider")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "Follow-ups owed", body = Vec<FollowUpView>)))]
async fn follow_ups(
    State(state): State<AppState>,
    caller: Caller,
    Path(provider): Path<ProviderId>,
) -> ApiResult<axum::Json<Vec<FollowUpView>>> {
    let owed =
        customer_book::follow_ups(&state, caller.person, provider, OffsetDateTime::now_utc())
            .await?;
    Ok(axum::Json(
        owed.into_iter()
            .map(|f: FollowUp| FollowUpView {
                referral_id: f.referral_id,
                customer_id: f.customer_id,
                name: f.customer_name,
                accepted_at: f.accepted_at,
                due_at: f.due_at,
            })
            .collect(),
    ))
}

/// How quickly the provider gets in touch once a customer accepts a referral, over the last
/// 90 days; the figures are `null` while there are fewer than 3 to say.
#[utoipa::path(get, path = "/v1/providers/{id}/responsiveness", tag = "providers",
    params(("id" = i64, Path, description = "The provider")),
    responses((status = 200, description = "Responsiveness", body = ResponsivenessView)))]
async fn responsiveness(
    State(state): State<AppState>,
    Path(provider): Path<ProviderId>,
) -> ApiResult<axum::Json<ResponsivenessView>> {
    providers::profile(&state, provider).await?;
    let measured =
        customer_book::responsiveness(&state, provider, OffsetDateTime::now_utc()).await?;
    Ok(axum::Json(ResponsivenessView {
        accepted: measured.map(|r| r.accepted),
        median_hours: measured.and_then(|r| r.median_hours),
        within_week: measured.map(|r| r.within_week),
        summary: measured.map(|r| r.in_words()),
    }))
}

/// Sets the owner's private note about one of the provider's customers (an empty body removes
/// it); only the owner may, and only about a customer (404 otherwise).
#[utoipa::path(put, path = "/v1/providers/{id}/customers/{person_id}/note", tag = "referrals",
    params(("id" = i64, Path, description = "The provider"),
           ("person_id" = i64, Path, description = "The customer")),
    request_body = NoteBody,
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "The note as saved", body = NoteBody)))]
async fn set_note(
    State(state): State<AppState>,
    caller: Caller,
    Path((provider, customer)): Path<(ProviderId, PersonId)>,
    crate::http::extract::Json(body): crate::http::extract::Json<NoteBody>,
) -> ApiResult<axum::Json<NoteBody>> {
    customer_book::set_note(&state, caller.person, provider, customer, &body.body).await?;
    Ok(axum::Json(NoteBody {
        body: body.body.trim().to_string(),
    }))
}

/// Asks a customer whose job went well to vouch for the provider (in their inbox, with a link
/// to the vouch form); owner only, once per customer (409 after), and only for a customer who
/// said a job went well (404 otherwise).
#[utoipa::path(post, path = "/v1/providers/{id}/customers/{person_id}/vouch-request", tag = "referrals",
    params(("id" = i64, Path, description = "The provider"),
           ("person_id" = i64, Path, description = "The customer")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 204, description = "Asked")))]
async fn ask_for_vouch(
    State(state): State<AppState>,
    caller: Caller,
    Path((provider, customer)): Path<(ProviderId, PersonId)>,
) -> ApiResult<axum::http::StatusCode> {
    customer_book::ask_for_vouch(&state, caller.person, provider, customer).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// One step in a customer's history with the provider.
#[derive(Serialize, ToSchema)]
pub struct StepView {
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
    /// `referred`, a referral status it moved to (`accepted`, `contacted`, `hired`,
    /// `completed`, `declined`, `expired`), `contact_disputed`, `reminded`, `vouch_asked`,
    /// `vouched` or `note`.
    #[schema(example = "contacted")]
    pub kind: String,
    /// The referral it belongs to, if any.
    pub referral_id: Option<ReferralId>,
    /// The referrer, for `referred`.
    pub who: Option<String>,
    /// `good` or `bad` for `completed`; `recommend` or `warn` for `vouched`.
    pub detail: Option<String>,
}

/// One customer, opened: every step of their history with the provider, oldest first.
#[derive(Serialize, ToSchema)]
pub struct CustomerTimeline {
    pub customer_id: PersonId,
    pub name: String,
    /// The owner's private note about them.
    pub note: Option<String>,
    pub steps: Vec<StepView>,
}

/// One customer's history with the provider, from the history vouchgraph keeps: who referred
/// them, every step with its date, disputes, reminders, the vouch asked for and given, the
/// owner's note. Owner only; 404 for someone who is not a customer.
#[utoipa::path(get, path = "/v1/providers/{id}/customers/{person_id}", tag = "referrals",
    params(("id" = i64, Path, description = "The provider"),
           ("person_id" = i64, Path, description = "The customer")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "The customer's history", body = CustomerTimeline)))]
async fn customer(
    State(state): State<AppState>,
    caller: Caller,
    Path((provider, customer)): Path<(ProviderId, PersonId)>,
) -> ApiResult<axum::Json<CustomerTimeline>> {
    let opened = customer_book::customer(&state, caller.person, provider, customer).await?;
    Ok(axum::Json(CustomerTimeline {
        customer_id: opened.id,
        name: opened.name,
        note: opened.note,
        steps: opened
            .steps
            .into_iter()
            .map(|s| StepView {
                at: s.at,
                kind: s.kind,
                referral_id: s.referral_id,
                who: s.who,
                detail: s.detail,
            })
            .collect(),
    }))
}
