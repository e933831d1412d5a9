//! The provider's relationship book: their customers with every step's date, the follow-ups
//! they owe, and how quickly they usually get in touch. The book and its follow-ups are the
//! owner's alone; responsiveness is shown to everyone once there is enough history to say.

use time::{Duration, OffsetDateTime};

use crate::domain::follow_up::{
    follow_up_due, Responsiveness, FOLLOW_UP_WORKING_DAYS, RESPONSIVENESS_DAYS,
};
use crate::domain::{PersonId, ProviderId, ReferralId};
use crate::state::AppState;
use crate::store;
/// How the book is filtered, a customer in it, a step of a customer's history: adapters name
/// them through here.
pub use crate::store::customer_book::{BookFilter, CustomerRow, TimelineRow};

use super::{AppError, AppResult};

/// At most this many customers in one CSV export: a provider's whole book for years, and a
/// bound on what one request can make the server build.
pub const CSV_MAX_ROWS: i64 = 10_000;

/// A referral the provider owes a call on.
#[derive(Clone, Debug)]
pub struct FollowUp {
    /// The referral.
    pub referral_id: ReferralId,
    /// The customer waiting.
    pub customer_id: PersonId,
    /// Their name.
    pub customer_name: String,
    /// When they accepted.
    pub accepted_at: OffsetDateTime,
    /// When the call was due.
    pub due_at: OffsetDateTime,
}

/// Only the provider's owner reads its book; the provider's row, for those who may.
async fn owned(
    state: &AppState,
    caller: PersonId,
    provider: ProviderId,
) -> AppResult<store::providers::ProviderRow> {
    let refusal = "only the provider's owner sees its customers";
    Ok(super::providers::owned(state, caller, provider, refusal)
        .await?
        .into_row())
}

/// The longest note, in characters.
pub const NOTE_MAX_CHARS: usize = 2000;

/// Sets the owner's private note about one of the provider's customers; an empty note removes
/// it. 404 for someone who is not a customer of the provider: the book holds customers only.
pub async fn set_note(
    state: &AppState,
    caller: PersonId,
    provider: ProviderId,
    customer: PersonId,
    body: &str,
) -> AppResult<()> {
    owned(state, caller, provider).await?;
    let body = body.trim();
    if body.chars().count() > NOTE_MAX_CHARS {
        return Err(AppError::field(
            "body",
            format!("must be at most {NOTE_MAX_CHARS} characters"),
        ));
    }
    if body.contains('\0') {
        return Err(AppError::field("body", "must not contain NUL characters"));
    }
    if !store::customer_book::is_customer(&state.pool, provider, customer).await? {
        return Err(AppError::NotFound("customer"));
    }
    let body = (!body.is_empty()).then_some(body);
    store::customer_book::set_note(&state.pool, provider, customer, body).await?;
    Ok(())
}

/// The owner asks a customer whose job went well to vouch for the provider: the customer finds
/// the request in their inbox, with one link to the provider's vouch form. Only for a
/// customer who said a job went well and has not vouched for it yet, and once: a second
/// request is a 409, so no owner can flood a customer.
pub async fn ask_for_vouch(
    state: &AppState,
    caller: PersonId,
    provider: ProviderId,
    customer: PersonId,
) -> AppResult<()> {
    let row = owned(state, caller, provider).await?;
    if !store::customer_book::job_went_well(&state.pool, provider, customer).await? {
        return Err(AppError::NotFound("customer whose job went well"));
    }
    let mut tx = state.pool.begin().await?;
    let (vouched, asked) =
        store::customer_book::lock_vouch_request(&mut tx, provider, customer).await?;
    if vouched {
        return Err(AppError::Conflict("they have already vouched".into()));
    }
    if asked {
        return Err(AppError::Conflict("they have already been asked".into()));
    }
    let payload = serde_json::json!({
        "provider_id": provider,
        "provider_name": row.name,
    });
    store::notifications::notify(&mut tx, customer, "vouch.requested", &payload).await?;
    tx.commit().await?;
    Ok(())
}

/// One customer of a provider, opened: their name, the owner's note, and every step of their
/// history with the provider, oldest first (`store::customer_book::timeline`).
#[derive(Clone, Debug)]
pub struct Customer {
    /// The customer.
    pub id: PersonId,
    /// Their name.
    pub name: String,
    /// The owner's private note about them.
    pub note: Option<String>,
    /// What happened, oldest first.
    pub steps: Vec<TimelineRow>,
}

/// One customer's history with the provider, for its owner only; 404 for anyone who is not
/// a customer of the provider (the book holds customers only).
pub async fn customer(
    state: &AppState,
    caller: PersonId,
    provider: ProviderId,
    customer: PersonId,
) -> AppResult<Customer> {
    owned(state, caller, provider).await?;
    let mut tx = state.pool.begin().await?;
    let (name, note) = store::customer_book::customer(&mut *tx, provider, customer)
        .await?
        .ok_or(AppError::NotFound("customer"))?;
    let steps = store::customer_book::timeline(&mut *tx, provider, customer).await?;
    tx.commit().await?;
    Ok(Customer {
        id: customer,
        name,
        note,
        steps,
    })
}

/// A page of the book, latest first, before the cursor (a referral id from the last page).
pub async fn page(
    state: &AppState,
    caller: PersonId,
    provider: ProviderId,
    filter: BookFilter,
    before: Option<ReferralId>,
    limit: i64,
) -> AppResult<Vec<CustomerRow>> {
    owned(state, caller, provider).await?;
    Ok(store::customer_book::page(&state.pool, provider, filter, before, limit).await?)
}

/// The referrals accepted and not marked contacted within [`FOLLOW_UP_WORKING_DAYS`] working
/// days, as of `now` (passed in, so that tests control the clock), longest overdue first.
pub async fn follow_ups(
    state: &AppState,
    caller: PersonId,
    provider: ProviderId,
    now: OffsetDateTime,
) -> AppResult<Vec<FollowUp>> {
    owned(state, caller, provider).await?;
    let waiting = store::customer_book::waiting(&state.pool, provider).await?;
    Ok(waiting
        .into_iter()
        .filter_map(|row| {
            let due_at = follow_up_due(row.accepted_at, FOLLOW_UP_WORKING_DAYS);
            (due_at <= now).then_some(FollowUp {
                referral_id: row.referral_id,
                customer_id: row.customer_id,
                customer_name: row.customer_name,
                accepted_at: row.accepted_at,
                due_at,
            })
        })
        .collect())
}

/// How quickly `provider` got in touch with customers who accepted a referral in the last
/// [`RESPONSIVENESS_DAYS`] days, as of `now`; `None` while there are too few to say.
pub async fn responsiveness(
    state: &AppState,
    provider: ProviderId,
    now: OffsetDateTime,
) -> AppResult<Option<Responsiveness>> {
    let since = now - Duration::days(RESPONSIVENESS_DAYS);
    let times = store::customer_book::contact_times(&state.pool, Some(provider), since).await?;
    let times: Vec<_> = times.into_iter().map(|(_, a, c)| (a, c)).collect();
    Ok(Responsiveness::from_times(&times, now))
}

/// The whole book (up to [`CSV_MAX_ROWS`] customers) as CSV, for the tools a provider already
/// uses. A cell a spreadsheet would read as a formula (=, +, -, @) starts with an apostrophe,
/// so a customer's name can never run as one.
pub async fn csv(
    state: &AppState,
    caller: PersonId,
    provider: ProviderId,
    filter: BookFilter,
) -> AppResult<String> {
    owned(state, caller, provider).await?;
    let rows =
        store::customer_book::page(&state.pool, provider, filter, None, CSV_MAX_ROWS).await?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let header = [
        "customer",
        "referred_by",
        "referrals",
        "status",
        "outcome",
        "sent_at",
        "accepted_at",
        "contacted_at",
        "hired_at",
        "completed_at",
        "public_vouch",
        "note",
    ];
    let write = |out: &mut csv::Writer<Vec<u8>>, cells: &[String]| {
        out.write_record(cells.iter().map(|cell| defused(cell)))
            .map_err(|e| AppError::Internal(e.into()))
    };
    write(&mut out, &header.map(str::to_string))?;
    let day = |at: Option<OffsetDateTime>| at.map(rfc3339).unwrap_or_default();
    for row in rows {
        write(
            &mut out,
            &[
                row.customer_name,
                row.referred_by.join("; "),
                row.referrals.to_string(),
                row.status,
                row.outcome.unwrap_or_default(),
                rfc3339(row.sent_at),
                day(row.accepted_at),
                day(row.contacted_at),
                day(row.hired_at),
                day(row.completed_at),
                row.vouch.unwrap_or_default(),
                row.note.unwrap_or_default(),
            ],
        )?;
    }
    let bytes = out.into_inner().map_err(|e| AppError::Internal(e.into()))?;
    String::from_utf8(bytes).map_err(|e| AppError::Internal(e.into()))
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// A cell that a spreadsheet would not run as a formula.
fn defused(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_that_starts_like_a_formula_is_defused_and_others_are_kept() {
        assert_eq!(defused("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(defused("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(defused("Anna Berg"), "Anna Berg");
        assert_eq!(defused(""), "");
    }
}
