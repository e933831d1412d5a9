//! `/providers/{id}/customers/{person}`: one customer of the relationship book, opened: every
//! step of their history with the provider in words, with its date, and the owner's note.
//! The same use case as `GET /v1/providers/{id}/customers/{person_id}`
//! (`app::customer_book::customer`): the owner's only.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use crate::app::customer_book::{self, TimelineRow};
use crate::state::AppState;

use super::dashboard::customer_path;
use super::page::{render, Chrome, WebError};
use super::session::Visitor;

/// One step, in words.
struct Step {
    when: String,
    text: String,
}

#[derive(Template)]
#[template(path = "customer.html")]
struct CustomerPage {
    chrome: Chrome,
    csrf: String,
    provider: i64,
    customer: i64,
    name: String,
    note: String,
    steps: Vec<Step>,
}

/// A step of the history in a sentence, addressed to the provider's owner.
fn sentence(step: &TimelineRow) -> String {
    let who = step.who.as_deref().unwrap_or("Someone");
    match (step.kind.as_str(), step.detail.as_deref()) {
        ("referred", _) => format!("{who} referred them to you."),
        ("accepted", _) => "They accepted the referral, and wait for you to get in touch.".into(),
        ("contacted", _) => "You marked them contacted.".into(),
        ("hired", _) => "They hired you.".into(),
        ("completed", Some("good")) => "The job is done: they said it went well.".into(),
        ("completed", Some("bad")) => "The job is done: they said it went badly.".into(),
        ("completed", _) => "The job is done.".into(),
        ("declined", _) => "The referral was declined.".into(),
        ("expired", _) => "The referral expired unanswered.".into(),
        ("contact_disputed", _) => {
            "They said you had not been in touch yet, so that contact does not count.".into()
        }
        ("reminded", _) => "We reminded you that they were still waiting for your call.".into(),
        ("vouch_asked", _) => "You asked them for a vouch.".into(),
        ("vouched", Some("warn")) => "They warned others about you, publicly.".into(),
        ("vouched", _) => "They vouched for you, publicly.".into(),
        ("note", _) => "You last changed your note about them.".into(),
        (other, _) => format!("{other}."),
    }
}

fn when(t: time::OffsetDateTime) -> String {
    t.format(time::macros::format_description!(
        "[day padding:none] [month repr:short] [year], [hour]:[minute]"
    ))
    .unwrap_or_default()
}

/// The page: the customer's history, oldest first, and the note form.
pub async fn page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((raw, customer)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let (id, customer) = customer_path(&raw, &customer)?;
    let me = visitor.require()?;
    let opened = customer_book::customer(&state, me.person, id, customer).await?;
    let page = CustomerPage {
        chrome: Chrome::new(&state, &visitor, "dashboard", &opened.name).await?,
        csrf: me.csrf.clone(),
        provider: id.0,
        customer: customer.0,
        steps: opened
            .steps
            .iter()
            .map(|s| Step {
                when: when(s.at),
                text: sentence(s),
            })
            .collect(),
        name: opened.name,
        note: opened.note.unwrap_or_default(),
    };
    render(StatusCode::OK, &page)
}
