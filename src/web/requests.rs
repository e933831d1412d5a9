//! `/requests`: ask one's circle, the requests asked of the visitor, their own; and
//! `/requests/{id}`: a request, with the answers ranked and explained for the asker, the
//! answer form for the people it reached, and the asker's "close, and who helped". Every form
//! calls one use case of `app::requests`, as the JSON API does.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use crate::app::places::PlaceInput;
use crate::app::requests::{self, Answer, Ask, Asker, RequestRow};
use crate::app::search::{self as search_use_case, Search};
use crate::app::AppError;
use crate::domain::{PersonId, ProviderId, ReferralId, Visibility};
use crate::graph::Audience;
use crate::state::AppState;

use super::page::{day, render, see_other, Chrome, WebError};
use super::search::{trade_options, TradeOption};
use super::session::{Posted, SignedIn, Visitor};
use super::svg::paths::trust_paths_svg;

/// A request in a list.
struct Row {
    id: i64,
    /// For a request asked of the visitor: the providers of its trade they already recommend,
    /// each a one-click answer.
    quick: Vec<(i64, String)>,
    asked_by: String,
    trade: String,
    place: String,
    note: String,
    deadline: String,
    status: String,
    answers: String,
    when: String,
}

#[derive(Template)]
#[template(path = "requests.html")]
struct RequestsPage {
    chrome: Chrome,
    csrf: String,
    trades: Vec<TradeOption>,
    near: String,
    note: String,
    deadline: String,
    error: Option<String>,
    inbox: Vec<Row>,
    mine: Vec<Row>,
}

fn row(r: RequestRow, asker: &Asker) -> Row {
    Row {
        id: r.id,
        quick: Vec::new(),
        asked_by: asker.in_words(),
        trade: r.trade_name,
        place: r.place.unwrap_or_default(),
        note: r.note,
        deadline: r.deadline.map(|d| d.to_string()).unwrap_or_default(),
        status: r.status,
        answers: match r.answers {
            1 => "1 answer".into(),
            n => format!("{n} answers"),
        },
        when: day(r.created_at),
    }
}

async fn requests_page(
    state: &AppState,
    visitor: &Visitor,
    me: &SignedIn,
    typed: Option<&AskForm>,
    error: Option<String>,
) -> Result<RequestsPage, WebError> {
    let inbox = requests::list(state, me.person, "inbox").await?;
    let mine = requests::list(state, me.person, "mine").await?;
    Ok(RequestsPage {
        chrome: Chrome::new(state, visitor, "requests", "Ask your circle").await?,
        csrf: me.csrf.clone(),
        trades: trade_options(state, typed.map(|t| t.trade.as_str()).unwrap_or("")).await?,
        near: typed.map(|t| t.near.clone()).unwrap_or_default(),
        note: typed.map(|t| t.note.clone()).unwrap_or_default(),
        deadline: typed.map(|t| t.deadline.clone()).unwrap_or_default(),
        error,
        inbox: quick_answers(state, me, inbox).await?,
        mine: mine.into_iter().map(|(r, a)| row(r, &a)).collect(),
    })
}

/// The inbox's rows, each with the providers of its trade the visitor already recommends (at
/// most three): answering with one of them is one click, as it is in life ("call Mario").
async fn quick_answers(
    state: &AppState,
    me: &SignedIn,
    inbox: Vec<(RequestRow, Asker)>,
) -> Result<Vec<Row>, WebError> {
    let mut rows = Vec::with_capacity(inbox.len());
    for (r, asker) in inbox {
        let quick = requests::quick_answers(state, me.person, &r).await?;
        let mut shown = row(r, &asker);
        shown.quick = quick.into_iter().map(|(p, name)| (p.0, name)).collect();
        rows.push(shown);
    }
    Ok(rows)
}

/// The requests page.
pub async fn requests(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Response, WebError> {
    let me = visitor.require()?;
    let page = requests_page(&state, &visitor, me, None, None).await?;
    render(StatusCode::OK, &page)
}

/// The ask form, as typed.
#[derive(Deserialize, Default)]
pub struct AskForm {
    #[serde(default)]
    trade: String,
    #[serde(default)]
    near: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    visibility: String,
}

/// Asks, then shows the request; a refused one shows the form again, as typed.
pub async fn ask(
    State(state): State<AppState>,
    Posted { visitor, form }: Posted<AskForm>,
) -> Result<Response, WebError> {
    let me = visitor.require_for("/requests")?;
    let near = if form.near.trim().is_empty() {
        PlaceInput::None
    } else {
        PlaceInput::Text {
            field: "near",
            typed: &form.near,
        }
    };
    let asked = requests::ask(
        &state,
        me.person,
        Ask {
            trade: &form.trade,
            near,
            note: &form.note,
            deadline: Some(&form.deadline),
            visibility: Some(if form.visibility.is_empty() {
                "circle"
            } else {
                &form.visibility
            }),
            partner: None,
        },
    )
    .await;
    match asked {
        Ok(asked) => Ok(see_other(&format!(
            "/requests/{}?done=request-asked",
            asked.id
        ))),
        Err(AppError::Invalid(refused)) => {
            let message = refused
                .iter()
                .map(|e| {
                    let mut m = format!("{}: {}", e.field, e.message);
                    if !e.candidates.is_empty() {
                        m.push_str(&format!(" ({})", e.candidates.join("; ")));
                    }
                    m
                })
                .collect::<Vec<_>>()
                .join(". ");
            let page = requests_page(&state, &visitor, me, Some(&form), Some(message)).await?;
            render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(other) => Err(other.into()),
    }
}

/// An answer as the asker sees it.
struct AnswerCard {
    id: i64,
    /// The referral it became, once the asker asked the provider to get in touch.
    referral_id: Option<ReferralId>,
    /// Why asking the provider to get in touch was refused, beside this answer.
    take_error: Option<String>,
    /// The phone number typed with a refused take, kept.
    phone: String,
    summary: String,
    note: String,
    provider_id: i64,
    provider_name: String,
    svg: String,
    paths: Vec<String>,
}

#[derive(Template)]
#[template(path = "request.html")]
struct RequestPage {
    chrome: Chrome,
    csrf: String,
    id: i64,
    mine: bool,
    open: bool,
    asked_by: String,
    trade: String,
    note: String,
    place: String,
    deadline: String,
    status: String,
    recipients: String,
    answers: Vec<AnswerCard>,
    /// The answerers, for "who helped".
    helpers: Vec<(i64, String)>,
    /// The providers of the trade, ranked for the visitor, to suggest.
    providers: Vec<(i64, String)>,
    error: Option<String>,
}

/// A refused "ask them to get in touch": which answer, why, and the phone number typed.
struct RefusedTake {
    answer: i64,
    why: String,
    phone: String,
}

async fn request_page(
    state: &AppState,
    visitor: &Visitor,
    me: &SignedIn,
    id: i64,
    error: Option<String>,
    refused: Option<RefusedTake>,
) -> Result<RequestPage, WebError> {
    let view = requests::view(state, me.person, id).await?;
    let mine = view.asker == Asker::You;
    let r = view.request;
    let mut helpers: Vec<(i64, String)> = Vec::new();
    for a in &view.answers {
        if !helpers.iter().any(|(h, _)| *h == a.answer.answerer_id.0) {
            helpers.push((a.answer.answerer_id.0, a.answer.answerer_name.clone()));
        }
    }
    let providers = if !mine && r.status == "open" {
        let found = search_use_case::search(
            state,
            Search {
                seeker: Some(me.person),
                trade: &r.trade,
                near: PlaceInput::None,
                limit: 50,
                most: 50,
                audience: Audience::Seeker,
            },
        )
        .await?;
        found
            .into_iter()
            .map(|f| (f.ranked.provider.0, f.ranked.name))
            .collect()
    } else {
        Vec::new()
    };
    Ok(RequestPage {
        chrome: Chrome::new(state, visitor, "requests", "A request").await?,
        csrf: me.csrf.clone(),
        id,
        mine,
        open: r.status == "open",
        asked_by: view.asker.in_words(),
        trade: r.trade_name,
        note: r.note,
        place: r.place.unwrap_or_default(),
        deadline: r.deadline.map(|d| d.to_string()).unwrap_or_default(),
        status: match (r.status.as_str(), r.solved) {
            ("open", _) => "open".into(),
            (_, Some(true)) => "closed: solved".into(),
            _ => "closed".into(),
        },
        recipients: match r.recipients {
            0 => "nobody yet: no one you trust has vouched in this trade".into(),
            1 => "1 person".into(),
            n => format!("{n} people"),
        },
        answers: view
            .answers
            .into_iter()
            .map(|a| AnswerCard {
                id: a.answer.id,
                referral_id: a.answer.referral_id,
                take_error: refused
                    .as_ref()
                    .filter(|r| r.answer == a.answer.id)
                    .map(|r| r.why.clone()),
                phone: refused
                    .as_ref()
                    .filter(|r| r.answer == a.answer.id)
                    .map(|r| r.phone.clone())
                    .unwrap_or_default(),
                svg: trust_paths_svg(
                    &format!("answer-{}", a.answer.id),
                    &a.answer.provider_name,
                    &a.paths,
                ),
                paths: a
                    .paths
                    .iter()
                    .map(|p| p.in_words(&a.answer.provider_name))
                    .collect(),
                summary: a.summary,
                note: a.answer.note,
                provider_id: a.answer.provider_id.0,
                provider_name: a.answer.provider_name,
            })
            .collect(),
        helpers,
        providers,
        error,
    })
}

/// A request.
pub async fn request(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let me = visitor.require()?;
    let page = request_page(&state, &visitor, me, id, None, None).await?;
    render(StatusCode::OK, &page)
}

/// The answer form.
#[derive(Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    provider_id: i64,
    #[serde(default)]
    note: String,
    #[serde(default)]
    vouch: Option<String>,
}

/// Answers; a refused answer shows the page again with the reason.
pub async fn answer(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Posted { visitor, form }: Posted<AnswerForm>,
) -> Result<Response, WebError> {
    let me = visitor.require_for(&format!("/requests/{id}"))?;
    let answered = requests::answer(
        &state,
        me.person,
        id,
        Answer {
            provider: ProviderId(form.provider_id),
            note: &form.note,
            vouch: form.vouch.is_some(),
            visibility: Visibility::Public,
        },
    )
    .await;
    match answered {
        Ok(_) => Ok(see_other(&format!("/requests/{id}?done=answered"))),
        Err(AppError::Invalid(refused)) => {
            let message = refused
                .iter()
                .map(|e| e.message.clone())
                .collect::<Vec<_>>()
                .join("; ");
            let page = request_page(&state, &visitor, me, id, Some(message), None).await?;
            render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(AppError::Conflict(why)) => {
            let page = request_page(&state, &visitor, me, id, Some(why), None).await?;
            render(StatusCode::CONFLICT, &page)
        }
        Err(other) => Err(other.into()),
    }
}

/// The "ask them to get in touch" form of an answer.
#[derive(Deserialize)]
pub struct TakeForm {
    #[serde(default)]
    share_email: Option<String>,
    #[serde(default)]
    phone: String,
}

/// The asker asks the provider an answer suggested to get in touch
/// (`app::requests::take_answer`): the answer becomes an accepted referral, and the referrals
/// page shows it. A refusal shows the request again with the reason beside that answer.
pub async fn take_answer(
    State(state): State<AppState>,
    Path((id, answer)): Path<(i64, i64)>,
    Posted { visitor, form }: Posted<TakeForm>,
) -> Result<Response, WebError> {
    let me = visitor.require_for(&format!("/requests/{id}"))?;
    let contact = crate::app::referrals::ContactChoice {
        share_email: form.share_email.is_some(),
        phone: Some(form.phone.clone()),
    };
    let (status, why) = match requests::take_answer(&state, me.person, id, answer, contact).await {
        Ok(referral) => return Ok(see_other(&format!("/referrals?done=taken#r{referral}"))),
        Err(AppError::Invalid(refused)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            refused
                .iter()
                .map(|e| e.message.clone())
                .collect::<Vec<_>>()
                .join("; "),
        ),
        Err(AppError::Conflict(why)) => (StatusCode::CONFLICT, why),
        Err(other) => return Err(other.into()),
    };
    let refused = RefusedTake {
        answer,
        why,
        phone: form.phone,
    };
    let page = request_page(&state, &visitor, me, id, None, Some(refused)).await?;
    render(status, &page)
}

/// Closes the asker's request, with who helped.
pub async fn close(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Posted { visitor, form }: Posted<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let me = visitor.require_for(&format!("/requests/{id}"))?;
    let solved = form.iter().any(|(k, _)| k == "solved");
    let helped_by: Vec<PersonId> = form
        .iter()
        .filter(|(k, _)| k == "helped_by")
        .filter_map(|(_, v)| v.parse().ok().map(PersonId))
        .collect();
    requests::close(&state, me.person, id, solved, &helped_by).await?;
    Ok(see_other(&format!("/requests/{id}?done=request-closed")))
}
