//! Asking one's circle: "does anyone know a good tiler?" A request is routed on the trust
//! graph to the people best placed to answer (`graph::route_request`), who answer by naming a
//! provider (and, with one tick, vouching for it). The asker sees the answers ranked by the
//! engine with their trust paths, and closes the request saying who helped, which counts in
//! the helpers' track records as a good referral outcome does.
//!
//! What each person sees: the asker sees everything about their request. A recipient the
//! asker trusts sees who asks (the asker's edge to them is one they may see). A recipient
//! reached through someone sees only "someone in Matt's circle". A neighbour who sees a public
//! request sees "a neighbour". Only the asker sees the answers, and each answerer their own.

use serde_json::json;

use crate::domain::{PartnerId, PersonId, ProviderId, ReferralId, Stance, Visibility};
use crate::graph::{self, Audience, TrustPath};
use crate::state::AppState;
use crate::store;
/// An answer to a request; a request as stored. Adapters name them through here.
pub use crate::store::requests::{AnswerRow, RequestRow};
use crate::store::requests::{NewRequest, Reach};

use super::places::PlaceInput;
use super::validate::Fields;
use super::vouches::{set_vouch_in, VouchInput};
use super::{AppError, AppResult};

/// At most this many people receive one request.
pub const MAX_RECIPIENTS: usize = 12;
/// At most this many requests reach one person a day, from everyone together.
pub const DAILY_PER_RECIPIENT: i64 = 5;
/// A public request also reaches people whose home is this close to it.
pub const NEIGHBOURHOOD_KM: f64 = 3.0;
/// The longest note, of a request or an answer.
pub const MAX_NOTE: usize = 1000;

/// A request as asked, before validation.
pub struct Ask<'a> {
    /// The trade's slug.
    pub trade: &'a str,
    /// Where the work is, if said.
    pub near: PlaceInput<'a>,
    /// The note ("bathroom re-tile, small flat").
    pub note: &'a str,
    /// By when, `YYYY-MM-DD`, if said.
    pub deadline: Option<&'a str>,
    /// `circle` (the default) or `public`.
    pub visibility: Option<&'a str>,
    /// The partner whose `ask` widget it came through, if any: its webhooks hear of it.
    pub partner: Option<PartnerId>,
}

/// A request just asked.
pub struct Asked {
    /// The request.
    pub id: i64,
    /// How many people it was sent to.
    pub recipients: usize,
}

fn check_note(fields: &mut Fields, field: &str, note: &str) {
    if note.chars().count() > MAX_NOTE {
        fields.push(field, format!("must be at most {MAX_NOTE} characters"));
    }
    if note
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        fields.push(field, "must not contain control characters");
    }
}

/// Asks: validates, routes the request on the graph, and stores it with its recipients, who
/// find it in their inbox. Recipients who muted the trade, or were asked enough today, are
/// skipped.
pub async fn ask(state: &AppState, asker: PersonId, input: Ask<'_>) -> AppResult<Asked> {
    let mut fields = Fields::new();
    let trade = state.live.trade_by_slug(input.trade);
    if trade.is_none() {
        fields.push("trade", format!("unknown trade {:?}", input.trade));
    }
    check_note(&mut fields, "note", input.note);
    let deadline = match input.deadline.map(str::trim).filter(|d| !d.is_empty()) {
        None => None,
        Some(text) => {
            let format = time::macros::format_description!("[year]-[month]-[day]");
            match time::Date::parse(text, format) {
                Ok(date) if date >= time::OffsetDateTime::now_utc().date() => Some(date),
                Ok(_) => {
                    fields.push("deadline", "must be today or later");
                    None
                }
                Err(_) => {
                    fields.push("deadline", "must be a date, YYYY-MM-DD");
                    None
                }
            }
        }
    };
    let visibility = match input.visibility.unwrap_or("circle") {
        v @ ("circle" | "public") => v,
        other => {
            fields.push("visibility", format!("{other:?} is not circle or public"));
            "circle"
        }
    };
    // A place typed is stored as the gazetteer names it ("Redland, Bristol"), never as typed:
    // what is shown to recipients is then a known place, not arbitrary text.
    let (point, near_label) = match input.near {
        PlaceInput::Text { field, typed } => {
            match fields.absorb(super::places::resolve(state, field, typed).await)? {
                Some(place) => (
                    crate::domain::GeoPoint::parse(place.lat, place.lon).ok(),
                    // A geocoding server's label is text from elsewhere: one line, bounded.
                    Some(
                        place
                            .label
                            .chars()
                            .filter(|c| !c.is_control())
                            .take(200)
                            .collect(),
                    ),
                ),
                None => (None, None),
            }
        }
        other => (fields.absorb(other.point(state).await)?.flatten(), None),
    };
    fields.finish()?;
    super::search::ready(state)?;
    let trade = trade.expect("checked");

    let routed = state
        .live
        .read(|g, _| graph::route_request(g, asker, trade, MAX_RECIPIENTS * 2));
    let people: Vec<PersonId> = routed.iter().map(|r| r.person).collect();
    let mut tx = state.pool.begin().await?;
    let askable = store::requests::askable(&mut *tx, &people, trade, DAILY_PER_RECIPIENT).await?;
    let recipients: Vec<(PersonId, Option<PersonId>)> = routed
        .iter()
        .filter(|r| askable.contains(&r.person))
        .take(MAX_RECIPIENTS)
        .map(|r| (r.person, r.via))
        .collect();
    let label = near_label.unwrap_or_else(|| "the place given".to_string());
    let id = store::requests::create(
        &mut tx,
        &NewRequest {
            asker,
            trade,
            place: point.map(|p| (p.lat, p.lon, label.as_str())),
            note: input.note.trim(),
            deadline,
            visibility,
            partner: input.partner,
        },
    )
    .await?;
    store::requests::add_recipients(&mut tx, id, &recipients).await?;
    for (person, via) in &recipients {
        // The inbox names the asker only to those the asker trusts directly.
        let payload = json!({ "request_id": id, "trade": input.trade, "through": via });
        store::notifications::notify(&mut tx, *person, "request.received", &payload).await?;
    }
    store::notifications::outbox(
        &mut tx,
        "request.created",
        &json!({ "request_id": id, "trade": input.trade, "partner_id": input.partner }),
    )
    .await?;
    tx.commit().await?;
    Ok(Asked {
        id,
        recipients: recipients.len(),
    })
}

/// Who asks, as a viewer may be told.
#[derive(Clone, Debug, PartialEq)]
pub enum Asker {
    /// The viewer.
    You,
    /// Named: the asker trusts the viewer.
    Named(PersonId, String),
    /// "Someone in Matt's circle".
    InCircleOf(PersonId, String),
    /// "A neighbour", for a public request.
    Neighbour,
}

impl Asker {
    /// In words.
    pub fn in_words(&self) -> String {
        match self {
            Asker::You => "You".into(),
            Asker::Named(_, name) => name.clone(),
            Asker::InCircleOf(_, name) => format!("Someone in {name}'s circle"),
            Asker::Neighbour => "A neighbour".into(),
        }
    }
}

/// An answer as the asker sees it: ranked by the engine, with the trust paths to the provider.
pub struct RankedAnswer {
    /// The answer.
    pub answer: AnswerRow,
    /// The provider's score for the asker (as a search gives it).
    pub score: f64,
    /// The strongest trust paths from the asker to the provider's vouchers.
    pub paths: Vec<TrustPath>,
    /// "Matt Hughes (you trust them completely) suggests Rossi Tiling".
    pub summary: String,
}

/// A request as one viewer may see it.
pub struct RequestView {
    /// The request (the asker's identity is in `asker`, as the viewer may know it).
    pub request: RequestRow,
    /// Who asks, for this viewer.
    pub asker: Asker,
    /// The answers: all of them, ranked, for the asker; the viewer's own for anyone else.
    pub answers: Vec<RankedAnswer>,
}

/// How the viewer may see a request: 404 when not at all.
async fn reach_of(state: &AppState, row: &RequestRow, viewer: PersonId) -> AppResult<Asker> {
    if row.asker_id == viewer {
        return Ok(Asker::You);
    }
    match store::requests::reach(&state.pool, row.id, viewer, NEIGHBOURHOOD_KM).await? {
        Some(Reach::Direct) => Ok(Asker::Named(row.asker_id, row.asker_name.clone())),
        Some(Reach::Through(via, name)) => Ok(Asker::InCircleOf(via, name)),
        Some(Reach::Neighbour) => Ok(Asker::Neighbour),
        None => Err(AppError::NotFound("request")),
    }
}

fn level_words(level: u8) -> &'static str {
    match level {
        3 => "you trust them completely",
        2 => "you trust them",
        _ => "you know them",
    }
}

/// A request with what the viewer may see of it.
pub async fn view(state: &AppState, viewer: PersonId, id: i64) -> AppResult<RequestView> {
    let row = store::requests::get(&state.pool, id)
        .await?
        .ok_or(AppError::NotFound("request"))?;
    let asker = reach_of(state, &row, viewer).await?;
    let all = store::requests::answers(&state.pool, id).await?;
    let answers = if asker == Asker::You {
        rank_answers(state, viewer, &row, all)?
    } else {
        all.into_iter()
            .filter(|a| a.answerer_id == viewer)
            .map(|answer| RankedAnswer {
                summary: format!("You suggested {}", answer.provider_name),
                answer,
                score: 0.0,
                paths: Vec::new(),
            })
            .collect()
    };
    Ok(RequestView {
        request: row,
        asker,
        answers,
    })
}

/// The answers ranked for the asker: by the engine's score of the provider suggested (what a
/// search would give it, with the trust paths), then oldest first.
fn rank_answers(
    state: &AppState,
    asker: PersonId,
    row: &RequestRow,
    answers: Vec<AnswerRow>,
) -> AppResult<Vec<RankedAnswer>> {
    super::search::ready(state)?;
    let mut ranked: Vec<RankedAnswer> = state.live.read(|g, prior| {
        answers
            .into_iter()
            .map(|answer| {
                let explained = graph::explain_provider(
                    g,
                    prior,
                    Some(asker),
                    Audience::Seeker,
                    answer.provider_id,
                    Some(row.trade_id),
                    state.live.params(),
                );
                // How the asker knows the answerer: directly, or not at all.
                let known = explained
                    .as_ref()
                    .and_then(|e| {
                        e.paths.iter().find_map(|p| {
                            (p.hops.len() == 1 && p.hops[0].person == answer.answerer_id)
                                .then(|| p.hops[0].level.get())
                        })
                    })
                    .map(|level| format!(" ({})", level_words(level)))
                    .unwrap_or_default();
                RankedAnswer {
                    summary: format!(
                        "{}{known} suggests {}",
                        answer.answerer_name, answer.provider_name
                    ),
                    score: explained.as_ref().map(|e| e.score).unwrap_or(0.0),
                    paths: explained.map(|e| e.paths).unwrap_or_default(),
                    answer,
                }
            })
            .collect()
    });
    ranked.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.answer.id.cmp(&b.answer.id))
    });
    Ok(ranked)
}

/// A person's requests (`mine`) or the open ones they may answer (`inbox`), newest first, each
/// with who asks as the person may know it.
pub async fn list(
    state: &AppState,
    person: PersonId,
    role: &str,
) -> AppResult<Vec<(RequestRow, Asker)>> {
    match role {
        "mine" => Ok(store::requests::mine(&state.pool, person)
            .await?
            .into_iter()
            .map(|r| (r, Asker::You))
            .collect()),
        "inbox" => Ok(
            store::requests::inbox(&state.pool, person, NEIGHBOURHOOD_KM)
                .await?
                .into_iter()
                .map(|row| {
                    let asker = match (row.routed, row.via_id, row.via_name) {
                        (true, Some(via), Some(name)) => Asker::InCircleOf(via, name),
                        (true, _, _) => {
                            Asker::Named(row.request.asker_id, row.request.asker_name.clone())
                        }
                        (false, _, _) => Asker::Neighbour,
                    };
                    (row.request, asker)
                })
                .collect(),
        ),
        other => Err(AppError::field(
            "role",
            format!("{other:?} is not mine or inbox"),
        )),
    }
}

/// How many providers a request offers its answerer as one-click answers.
pub const QUICK_ANSWERS: i64 = 3;

/// The providers `person` recommends in the request's trade that they have not yet suggested
/// for it, by name, at most [`QUICK_ANSWERS`] (as (id, name)): answering with one of them is
/// one click, as it is in life ("call Mario").
pub async fn quick_answers(
    state: &AppState,
    person: PersonId,
    request: &RequestRow,
) -> AppResult<Vec<(ProviderId, String)>> {
    let given: Vec<ProviderId> = store::requests::answers(&state.pool, request.id)
        .await?
        .into_iter()
        .filter(|a| a.answerer_id == person)
        .map(|a| a.provider_id)
        .collect();
    let trade = request.trade_id;
    Ok(
        store::vouches::recommended_by(&state.pool, person, trade, QUICK_ANSWERS)
            .await?
            .into_iter()
            .filter(|(p, _)| !given.contains(p))
            .collect(),
    )
}

/// An answer as given, before validation.
pub struct Answer<'a> {
    /// The provider suggested.
    pub provider: ProviderId,
    /// The note ("Mario did my bathroom, call him").
    pub note: &'a str,
    /// Also vouch for the provider in the request's trade, with the note.
    pub vouch: bool,
    /// Who may see that vouch (default public).
    pub visibility: Visibility,
}

/// Answers a request the answerer may see and that is still open: one suggestion of a
/// provider offering the trade (409 if they suggested it already), optionally vouching for it
/// in the same transaction. The asker finds it in their inbox.
pub async fn answer(
    state: &AppState,
    answerer: PersonId,
    id: i64,
    input: Answer<'_>,
) -> AppResult<i64> {
    let mut fields = Fields::new();
    check_note(&mut fields, "note", input.note);
    fields.finish()?;
    let mut tx = state.pool.begin().await?;
    let row = store::requests::lock(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound("request"))?;
    let asker = reach_of(state, &row, answerer).await?;
    if asker == Asker::You {
        return Err(AppError::Forbidden(
            "you cannot answer your own request".into(),
        ));
    }
    if row.status != "open" {
        return Err(AppError::Conflict("the request is closed".into()));
    }
    if !store::providers::trade_ids(&mut *tx, input.provider)
        .await?
        .contains(&row.trade_id)
    {
        return Err(AppError::field(
            "provider_id",
            format!("no such provider offers {}", row.trade_name.to_lowercase()),
        ));
    }
    if input.vouch {
        set_vouch_in(
            state,
            &mut tx,
            answerer,
            VouchInput {
                provider: input.provider,
                trade: &row.trade,
                stance: Stance::Recommend,
                note: input.note,
                visibility: input.visibility,
            },
        )
        .await?;
    }
    let answer = store::requests::add_answer(
        &mut tx,
        id,
        answerer,
        input.provider,
        input.note.trim(),
        input.vouch,
    )
    .await?
    .ok_or_else(|| AppError::Conflict("you already suggested this provider here".into()))?;
    let payload = json!({ "request_id": id, "answer_id": answer, "trade": row.trade });
    store::notifications::notify(&mut tx, row.asker_id, "request.answered", &payload).await?;
    store::notifications::outbox(&mut tx, "request.answered", &payload).await?;
    tx.commit().await?;
    if input.vouch {
        state.live.catch_up_after_write(&state.pool).await;
    }
    Ok(answer)
}

/// Closes the asker's request: solved or not, and who helped (people who answered it). Their
/// helpful answers count in their track records as a good referral outcome does, once per
/// asker, so that no one asker can make a helper's word weigh more and more.
pub async fn close(
    state: &AppState,
    asker: PersonId,
    id: i64,
    solved: bool,
    helped_by: &[PersonId],
) -> AppResult<Vec<PersonId>> {
    let mut tx = state.pool.begin().await?;
    let row = store::requests::lock(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound("request"))?;
    if row.asker_id != asker {
        // Whether someone else's request exists is not theirs to learn from this route.
        reach_of(state, &row, asker).await?;
        return Err(AppError::Forbidden(
            "only the person who asked can close a request".into(),
        ));
    }
    if row.status != "open" {
        return Err(AppError::Conflict("the request is already closed".into()));
    }
    let answerers: Vec<PersonId> = store::requests::answers(&mut *tx, id)
        .await?
        .into_iter()
        .map(|a| a.answerer_id)
        .collect();
    if let Some(stranger) = helped_by.iter().find(|p| !answerers.contains(p)) {
        return Err(AppError::field(
            "helped_by",
            format!("person {} did not answer this request", stranger.0),
        ));
    }
    let helpers = store::requests::close(&mut tx, id, solved, helped_by).await?;
    let payload = json!({ "request_id": id, "solved": solved });
    store::notifications::outbox(&mut tx, "request.closed", &payload).await?;
    for helper in &helpers {
        let thanks = json!({ "request_id": id, "trade": row.trade });
        store::notifications::notify(&mut tx, *helper, "request.helped", &thanks).await?;
        // Last: it takes the change feed's lock until commit.
        store::track_records::reapply_vouches(&mut tx, *helper).await?;
    }
    tx.commit().await?;
    if !helpers.is_empty() {
        state.live.catch_up_after_write(&state.pool).await;
    }
    Ok(helpers)
}

/// The asker takes an answer: "ask them to get in touch". The answer becomes a referral of the
/// suggested provider from the answerer to the asker, accepted by the asker at once with the
/// contact details they chose to share, all in one transaction; from then on it is a referral
/// like any other (the provider's book, follow-ups and responsiveness count it, and its
/// outcome counts in the answerer's track record, as any referrer's). Returns the referral.
///
/// # Errors
/// 404 for a request or answer the caller may not see; 403 for someone else's request; 409
/// when the answer was taken already; 422 when the provider no longer offers the trade, or
/// the asker owns it, or the phone number is not one.
pub async fn take_answer(
    state: &AppState,
    asker: PersonId,
    request: i64,
    answer: i64,
    contact: super::referrals::ContactChoice,
) -> AppResult<ReferralId> {
    use super::referrals::{after_move, check_move, move_in, send, Move, Recipient, SendReferral};
    let accept = Move {
        to: crate::domain::ReferralStatus::Accepted,
        outcome: None,
        rating: None,
        note: String::new(),
        contact,
    };
    check_move(&accept)?;
    let mut tx = state.pool.begin().await?;
    let Some(taken) = store::requests::answer_for_update(&mut tx, request, answer).await? else {
        if let Some(row) = store::requests::get(&mut *tx, request).await? {
            reach_of(state, &row, asker).await?;
        }
        return Err(AppError::NotFound("answer"));
    };
    if taken.asker_id != asker {
        if let Some(row) = store::requests::get(&mut *tx, request).await? {
            reach_of(state, &row, asker).await?;
        }
        return Err(AppError::Forbidden(
            "only the person who asked can take an answer".into(),
        ));
    }
    if taken.referral_id.is_some() {
        return Err(AppError::Conflict(
            "you already asked them to get in touch: see your referrals".into(),
        ));
    }
    let sent = send(
        &mut tx,
        taken.answerer_id,
        &SendReferral {
            provider: taken.provider_id,
            trade: taken.trade_id,
            recipient: Recipient::Person(asker),
            note: "",
            partner: None,
        },
    )
    .await
    .map_err(|error| match error {
        // `send` names the recipient's field; here the recipient is the asker themselves.
        AppError::Invalid(_) => AppError::field(
            "answer",
            "this suggestion cannot become a referral: the provider no longer offers the \
             trade, or it is yours",
        ),
        other => other,
    })?;
    let id = sent.row.id;
    store::referrals::link_answer(&mut tx, id, answer).await?;
    let moved = move_in(&mut tx, asker, id, &accept).await?;
    tx.commit().await?;
    after_move(state, moved).await;
    Ok(id)
}

/// Mutes or unmutes requests about a trade.
pub async fn mute(state: &AppState, person: PersonId, trade: &str, muted: bool) -> AppResult<()> {
    let trade = state
        .live
        .trade_by_slug(trade)
        .ok_or_else(|| AppError::field("trade", format!("unknown trade {trade:?}")))?;
    store::requests::set_muted(&state.pool, person, trade, muted).await?;
    Ok(())
}
