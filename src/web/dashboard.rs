//! `/providers/{id}/dashboard`: what the owner of a provider sees of the last 90 days: the
//! referral funnel as a bar chart, who refers them, how far their good name reaches, their
//! vouch counts, and a link to ask customers for a vouch. The same use case as
//! `GET /v1/providers/{id}/insights` (`app::insights`).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use time::{OffsetDateTime, Time};

use crate::app::customer_book::{self, BookFilter};
use crate::app::{insights, providers};
use crate::domain::ReferralId;
use crate::error::ApiError;
use crate::graph;
use crate::state::AppState;

use super::page::{base_url, day, render, Chrome, WebError};
use super::provider::provider_id;
use super::session::Visitor;
use super::svg::funnel::{funnel_svg, Stage};

/// The dashboard's window, in days.
const DAYS: i64 = 90;

struct ReferrerRow {
    name: String,
    sent: i64,
    accepted: i64,
    completed_good: i64,
    vouch: String,
}

struct TradeCount {
    trade: String,
    recommend: i64,
    warn: i64,
}

struct FollowUpRow {
    referral_id: ReferralId,
    name: String,
    accepted: String,
    due: String,
}

struct CustomerLine {
    /// The job went well and they have not vouched publicly: the owner may ask them to.
    may_ask: bool,
    customer_id: i64,
    note: String,
    name: String,
    referred_by: String,
    status: String,
    outcome: String,
    steps: String,
    vouch: String,
}

/// The book's filters, as the page names them: (query value, label).
const BOOK_FILTERS: [(&str, &str); 5] = [
    ("all", "Everyone"),
    ("waiting", "Waiting"),
    ("in_progress", "In progress"),
    ("done", "Done"),
    ("went_well", "Went well"),
];

/// How many customers the dashboard lists; the CSV has them all.
const BOOK_ROWS: i64 = 50;

/// Which part of the book the dashboard shows.
#[derive(serde::Deserialize)]
pub struct BookQuery {
    book: Option<String>,
}

struct OtherBusiness {
    id: i64,
    name: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    id: i64,
    name: String,
    funnel: String,
    stages: Vec<Stage>,
    conversion: String,
    referrers: Vec<ReferrerRow>,
    reach: [u32; graph::REACH_HOPS],
    vouches: Vec<TradeCount>,
    share_url: String,
    others: Vec<OtherBusiness>,
    csrf: String,
    follow_ups: Vec<FollowUpRow>,
    responsiveness: Option<String>,
    book: Vec<CustomerLine>,
    book_filter: &'static str,
    book_filters: &'static [(&'static str, &'static str)],
}

fn percent(part: i64, whole: i64) -> String {
    if whole == 0 {
        "–".into()
    } else {
        format!("{:.0}%", 100.0 * part as f64 / whole as f64)
    }
}

/// The dashboard.
pub async fn dashboard(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Query(query): Query<BookQuery>,
) -> Result<Response, WebError> {
    let id = provider_id(&raw)?;
    let me = visitor.require()?;
    let row = providers::owned(
        &state,
        me.person,
        id,
        "only the provider's owner may see its dashboard",
    )
    .await?;

    let today = OffsetDateTime::now_utc().date();
    let start = (today - time::Duration::days(DAYS - 1))
        .with_time(Time::MIDNIGHT)
        .assume_utc();
    let end = (today + time::Duration::days(1))
        .with_time(Time::MIDNIGHT)
        .assume_utc();
    let seen = insights::insights(&state, &row, start, end).await?;
    let row = row.into_row();
    let mut total = [0i64; 6];
    for week in seen.weeks {
        let counts = [
            week.sent,
            week.accepted,
            week.contacted,
            week.hired,
            week.completed,
            week.completed_good,
        ];
        for (t, c) in total.iter_mut().zip(counts) {
            *t += c;
        }
    }
    let labels = [
        ("Sent", "sent"),
        ("Accepted", "accepted"),
        ("Contacted", "contacted"),
        ("Hired", "hired"),
        ("Completed", "completed"),
        ("Went well", "completed_good"),
    ];
    let stages: Vec<Stage> = labels
        .iter()
        .zip(total)
        .map(|(&(label, key), count)| Stage { label, key, count })
        .collect();
    let referrers = seen
        .referrers
        .into_iter()
        .map(|r| ReferrerRow {
            name: r.display_name,
            sent: r.sent,
            accepted: r.accepted,
            completed_good: r.completed_good,
            vouch: match (r.vouch_stance.as_deref(), r.vouch_trade) {
                (Some("recommend"), Some(t)) => format!("recommends ({t})"),
                (Some("warn"), Some(t)) => format!("warns ({t})"),
                _ => "—".into(),
            },
        })
        .collect();
    let trades = providers::trades(&state).await?;
    let vouches = seen
        .vouches
        .into_iter()
        .map(|v| TradeCount {
            trade: trades
                .iter()
                .find(|t| t.slug == v.trade)
                .map_or(v.trade, |t| t.name.clone()),
            recommend: v.recommend,
            warn: v.warn,
        })
        .collect();
    let reach = seen.reach;
    let mut others = Vec::new();
    for other in me.providers.iter().filter(|p| **p != id) {
        if let Some(p) = providers::find(&state, *other).await? {
            others.push(OtherBusiness {
                id: p.id.0,
                name: p.name,
            });
        }
    }
    let now = OffsetDateTime::now_utc();
    let follow_ups = customer_book::follow_ups(&state, me.person, id, now)
        .await?
        .into_iter()
        .map(|f| FollowUpRow {
            referral_id: f.referral_id,
            name: f.customer_name,
            accepted: day(f.accepted_at),
            due: day(f.due_at),
        })
        .collect();
    let responsiveness = customer_book::responsiveness(&state, id, now)
        .await?
        .map(|r| {
            format!(
                "Seekers read: \u{201c}{} {}\u{201d} ({} of the {} customers who accepted a \
                 referral in the last 90 days were contacted within a week).",
                row.name,
                r.in_words(),
                (r.within_week * r.accepted as f64).round(),
                r.accepted
            )
        });
    let (book_filter, filter) = match query.book.as_deref() {
        Some("waiting") => ("waiting", BookFilter::Waiting),
        Some("in_progress") => ("in_progress", BookFilter::InProgress),
        Some("done") => ("done", BookFilter::Done),
        Some("went_well") => ("went_well", BookFilter::WentWell),
        _ => ("all", BookFilter::All),
    };
    let book = customer_book::page(&state, me.person, id, filter, None, BOOK_ROWS)
        .await?
        .into_iter()
        .map(|row| {
            let steps = [
                ("accepted", row.accepted_at),
                ("contacted", row.contacted_at),
                ("hired", row.hired_at),
                ("done", row.completed_at),
            ]
            .into_iter()
            .filter_map(|(label, at)| at.map(|at| format!("{label} {}", day(at))))
            .collect::<Vec<_>>();
            CustomerLine {
                may_ask: row.outcome.as_deref() == Some("good") && row.vouch.is_none(),
                customer_id: row.customer_id.0,
                note: row.note.unwrap_or_default(),
                name: row.customer_name,
                referred_by: row.referred_by.join(", "),
                status: row.status,
                outcome: match row.outcome.as_deref() {
                    Some("good") => "went well".into(),
                    Some("bad") => "went badly".into(),
                    _ => String::new(),
                },
                steps: if steps.is_empty() {
                    format!("sent {}", day(row.sent_at))
                } else {
                    steps.join(" · ")
                },
                vouch: match row.vouch.as_deref() {
                    Some("recommend") => "recommends you".into(),
                    Some("warn") => "warns about you".into(),
                    _ => "—".into(),
                },
            }
        })
        .collect();
    let page = DashboardPage {
        chrome: Chrome::new(
            &state,
            &visitor,
            "dashboard",
            format!("{} · dashboard", row.name),
        )
        .await?,
        id: id.0,
        funnel: funnel_svg(&stages),
        conversion: format!(
            "{} of referrals sent were accepted; {} of those accepted led to a hire.",
            percent(total[1], total[0]),
            percent(total[3], total[1])
        ),
        stages,
        referrers,
        reach,
        vouches,
        share_url: format!(
            "{}/providers/{}#vouch",
            base_url(&headers, state.config.secure_cookies),
            id.0
        ),
        others,
        name: row.name,
        csrf: me.csrf.clone(),
        follow_ups,
        responsiveness,
        book,
        book_filter,
        book_filters: &BOOK_FILTERS,
    };
    render(StatusCode::OK, &page)
}

/// The owner's note about a customer, from the dashboard's form.
#[derive(serde::Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    note: String,
    /// `customer` when sent from the customer's own page, to go back there.
    #[serde(default)]
    back: String,
}

/// The provider and the customer a book route names; a 404 page for ids that are not numbers.
pub(super) fn customer_path(
    provider: &str,
    customer: &str,
) -> Result<(crate::domain::ProviderId, crate::domain::PersonId), WebError> {
    let customer = customer
        .parse()
        .map_err(|_| ApiError::NotFound("customer"))?;
    Ok((provider_id(provider)?, crate::domain::PersonId(customer)))
}

/// Asks a customer whose job went well for a vouch (`app::customer_book::ask_for_vouch`).
pub async fn ask_for_vouch(
    State(state): State<AppState>,
    Path((raw, customer)): Path<(String, String)>,
    super::session::Posted { visitor, .. }: super::session::Posted<super::referrals::EmptyForm>,
) -> Result<Response, WebError> {
    let (id, customer) = customer_path(&raw, &customer)?;
    let me = visitor.require()?;
    customer_book::ask_for_vouch(&state, me.person, id, customer).await?;
    Ok(super::page::see_other(&format!(
        "/providers/{}/dashboard?done=asked#c{}",
        id.0, customer.0
    )))
}

/// Saves the owner's private note about a customer and returns to the book.
pub async fn save_note(
    State(state): State<AppState>,
    Path((raw, customer)): Path<(String, String)>,
    super::session::Posted { visitor, form }: super::session::Posted<NoteForm>,
) -> Result<Response, WebError> {
    let (id, customer) = customer_path(&raw, &customer)?;
    let me = visitor.require()?;
    customer_book::set_note(&state, me.person, id, customer, &form.note).await?;
    let back = if form.back == "customer" {
        format!("/providers/{}/customers/{}?done=saved", id.0, customer.0)
    } else {
        format!("/providers/{}/dashboard?done=saved#c{}", id.0, customer.0)
    };
    Ok(super::page::see_other(&back))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversion_is_a_whole_percentage_or_a_dash() {
        assert_eq!(percent(1, 3), "33%");
        assert_eq!(percent(0, 0), "–");
    }
}
