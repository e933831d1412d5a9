//! Building a circle: people you may know, invitations by email that offer a trust edge back
//! to the inviter, and an address book matched against proved addresses.
//!
//! A newcomer who trusts nobody sees only public reputation. These are the ways from "nobody
//! yet" to a circle: people the graph suggests (`graph::people_you_may_know`, which uses only
//! edges the person may see), friends invited by email, and contacts who are already here.

use serde_json::json;

use crate::auth::token;
use crate::domain::address_book::{self, BookError};
use crate::domain::{Email, PersonId, TrustLevel};
use crate::graph;
use crate::state::AppState;
use crate::store;

use super::validate::Fields;
use super::{AppError, AppResult};

/// The most suggestions one request gets.
pub const MOST_SUGGESTIONS: usize = 50;
/// Invitations one person may send in a day: enough for friends and neighbours, too few to
/// turn vouchgraph into a way of mailing strangers.
pub const INVITES_PER_DAY: i64 = 20;
/// The most distinct addresses one import may hold.
pub const CONTACTS_PER_IMPORT: usize = 2_000;
/// The most addresses one person may match in a day. Matching says which addresses belong to
/// someone here, so it is bounded like any look-up of that kind: a real address book fits,
/// trying a list of millions does not.
pub const ADDRESSES_PER_DAY: i32 = 2_000;
/// The size of a circle at which the first-run guide steps aside.
pub const FIRST_CIRCLE: usize = 3;

/// Someone the person may know, and why, in words.
#[derive(Clone, Debug, PartialEq)]
pub struct Suggested {
    /// Who.
    pub person: PersonId,
    /// Their name.
    pub display_name: String,
    /// Their trust in the person (1 to 3), when the person may see it.
    pub trusts_you: Option<u8>,
    /// How many people the person trusts they trust too.
    pub shared_people: u32,
    /// How many providers the person recommends they recommend too.
    pub shared_providers: u32,
    /// Why, one phrase per reason: "trusts you", "also trusts Matt Hughes and Jo Bell".
    pub reasons: Vec<String>,
}

/// "Matt Hughes", "Matt Hughes and Jo Bell", "Matt Hughes, Jo Bell and 3 others".
fn named(names: &[String], total: u32) -> String {
    let rest = total as usize - names.len().min(total as usize);
    match (names, rest) {
        ([one], 0) => one.clone(),
        ([a, b], 0) => format!("{a} and {b}"),
        ([], _) => format!("{total}"),
        (some, 1) => format!("{} and 1 other", some.join(", ")),
        (some, n) => format!("{} and {n} others", some.join(", ")),
    }
}

/// Up to `limit` (at most [`MOST_SUGGESTIONS`]) people `me` may know, best first. Computed on
/// the live graph from edges `me` may see: a private edge never suggests anyone.
pub fn suggestions(state: &AppState, me: PersonId, limit: usize) -> AppResult<Vec<Suggested>> {
    super::search::ready(state)?;
    let limit = limit.min(MOST_SUGGESTIONS);
    Ok(state.live.read(|g, _| {
        graph::people_you_may_know(g, me, limit)
            .into_iter()
            .map(|s| {
                let person_name = |id| g.person_name(id).unwrap_or("someone").to_string();
                let mut reasons = Vec::new();
                if let Some(level) = s.trusts_you {
                    reasons.push(
                        match level.get() {
                            1 => "knows you",
                            2 => "trusts your judgement",
                            _ => "trusts you completely",
                        }
                        .to_string(),
                    );
                }
                if s.shared_people > 0 {
                    let names: Vec<String> = s
                        .shared_people_examples
                        .iter()
                        .map(|&p| person_name(p))
                        .collect();
                    reasons.push(format!("also trusts {}", named(&names, s.shared_people)));
                }
                if s.shared_providers > 0 {
                    let names: Vec<String> = s
                        .shared_provider_examples
                        .iter()
                        .map(|&p| {
                            g.provider(p)
                                .map_or("a provider".into(), |i| i.name.clone())
                        })
                        .collect();
                    reasons.push(format!(
                        "also recommends {}",
                        named(&names, s.shared_providers)
                    ));
                }
                Suggested {
                    display_name: person_name(s.person),
                    person: s.person,
                    trusts_you: s.trusts_you.map(TrustLevel::get),
                    shared_people: s.shared_people,
                    shared_providers: s.shared_providers,
                    reasons,
                }
            })
            .collect()
    }))
}

/// Invites `address` into `inviter`'s circle, with a note. The email goes out through the
/// outbox (held until the inviter's own address is proved, like a referral's invitation);
/// whether the address belongs to an account is never said, the answer is the same either way.
pub async fn invite(
    state: &AppState,
    inviter: PersonId,
    address: &str,
    note: &str,
) -> AppResult<()> {
    let mut fields = Fields::new();
    let email = fields.check("email", Email::parse(address));
    let note = note.trim();
    if note.chars().count() > 500 {
        fields.push("note", "must be at most 500 characters");
    }
    fields.finish()?;
    let email = email.expect("checked");
    let mut tx = state.pool.begin().await?;
    let own = store::accounts::get(&mut *tx, inviter)
        .await?
        .is_some_and(|a| a.email.eq_ignore_ascii_case(email.as_str()));
    if own {
        return Err(AppError::field("email", "that is your own address"));
    }
    if store::circle::sent_last_day(&mut *tx, inviter).await? >= INVITES_PER_DAY {
        return Err(AppError::TooManyAttempts {
            retry_after_secs: 3_600,
        });
    }
    let id = store::circle::create(&mut tx, inviter, email.as_str(), note)
        .await?
        .ok_or_else(|| {
            AppError::Conflict("you already invited this address; the invitation is waiting".into())
        })?;
    store::notifications::outbox(&mut tx, "circle.invited", &json!({ "invitation_id": id }))
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Uses a circle invitation's link for `person`, inside their transaction (a sign-up's, or a
/// signed-in visitor's): the inviter hears that they joined, and `person` is offered to trust
/// the inviter back. Returns the inviter.
pub async fn accept_in(
    tx: &mut sqlx::PgConnection,
    secret: &str,
    person: PersonId,
) -> AppResult<PersonId> {
    let inviter = store::circle::accept(tx, &token::hash(secret.trim()), person)
        .await?
        .ok_or_else(|| {
            AppError::field(
                "circle_invitation",
                "this invitation link has expired or was already used",
            )
        })?;
    store::notifications::notify(
        tx,
        inviter,
        "circle.joined",
        &json!({ "person_id": person }),
    )
    .await?;
    Ok(inviter)
}

/// Uses a circle invitation's link for a signed-in `person`.
pub async fn accept(state: &AppState, person: PersonId, secret: &str) -> AppResult<PersonId> {
    let mut tx = state.pool.begin().await?;
    let inviter = accept_in(&mut tx, secret, person).await?;
    tx.commit().await?;
    Ok(inviter)
}

/// An offer to trust an inviter back.
#[derive(Clone, Debug, PartialEq)]
pub struct Offer {
    /// The invitation it came from.
    pub id: i64,
    /// Who invited.
    pub inviter: PersonId,
    /// Their name.
    pub inviter_name: String,
    /// What they wrote.
    pub note: String,
}

/// The offers waiting for `me`. Trusting the inviter (`trust::set_trust`) answers one, as
/// declining it does.
pub async fn offers(state: &AppState, me: PersonId) -> AppResult<Vec<Offer>> {
    Ok(store::circle::offers(&state.pool, me)
        .await?
        .into_iter()
        .map(|o| Offer {
            id: o.id,
            inviter: o.inviter_id,
            inviter_name: o.inviter_name,
            note: o.note,
        })
        .collect())
}

/// Declines the offer `id`.
pub async fn decline(state: &AppState, me: PersonId, id: i64) -> AppResult<()> {
    let mut tx = state.pool.begin().await?;
    if !store::circle::decline(&mut tx, id, me).await? {
        return Err(AppError::NotFound("offer"));
    }
    tx.commit().await?;
    Ok(())
}

/// An invitation as its inviter sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct Sent {
    /// The invitation.
    pub id: i64,
    /// The address, until it was used.
    pub email: Option<String>,
    /// When it was sent.
    pub sent_at: time::OffsetDateTime,
    /// Who joined with it.
    pub joined: Option<(PersonId, String)>,
    /// Whether it expired unused.
    pub expired: bool,
}

/// The invitations `me` sent, newest first (the last hundred).
pub async fn sent(state: &AppState, me: PersonId) -> AppResult<Vec<Sent>> {
    Ok(store::circle::sent_by(&state.pool, me)
        .await?
        .into_iter()
        .map(|r| Sent {
            id: r.id,
            email: r.email,
            sent_at: r.created_at,
            joined: r.accepted_by.zip(r.accepted_name),
            expired: r.expired,
        })
        .collect())
}

/// Someone in the address book who is already here.
#[derive(Clone, Debug, PartialEq)]
pub struct Contact {
    /// Who.
    pub person: PersonId,
    /// Their name.
    pub display_name: String,
    /// The address that matched (the caller's own data: it was in their address book).
    pub address: String,
    /// Whether the caller trusts them already.
    pub in_circle: bool,
}

/// What an address book holds, before anything is done with it.
#[derive(Clone, Debug, PartialEq)]
pub struct ContactMatch {
    /// How many distinct addresses were read.
    pub read: usize,
    /// The people here whose proved address is in the book.
    pub matched: Vec<Contact>,
    /// The other addresses, to invite if the caller chooses. They are not stored.
    pub unmatched: Vec<String>,
}

/// Reads an address book (vCard or CSV) and matches its addresses against proved ones only
/// (anyone can sign up with someone else's address; only its owner can prove it). Nothing is
/// stored but the day's count of addresses matched; the caller then chooses whom to trust and
/// whom to invite, through `trust::set_trust` and [`invite`].
pub async fn match_contacts(state: &AppState, me: PersonId, text: &str) -> AppResult<ContactMatch> {
    let addresses = address_book::addresses(text, CONTACTS_PER_IMPORT).map_err(|e| match e {
        BookError::NoAddresses | BookError::TooMany { .. } => {
            AppError::field("contacts", e.to_string())
        }
    })?;
    let wanted: Vec<String> = addresses.iter().map(|e| e.as_str().to_string()).collect();
    let mut tx = state.pool.begin().await?;
    let today = store::circle::count_lookups(&mut tx, me, wanted.len() as i32).await?;
    if today > ADDRESSES_PER_DAY {
        // Dropped, so the refused look-up does not count either.
        return Err(AppError::TooManyAttempts {
            retry_after_secs: seconds_to_midnight(),
        });
    }
    // The caller's own address is theirs to know about: neither a match nor one to invite.
    let own = store::accounts::get(&mut *tx, me)
        .await?
        .map(|a| a.email.to_lowercase())
        .unwrap_or_default();
    let found = store::circle::verified_people(&mut *tx, &wanted).await?;
    let trusted: Vec<PersonId> = store::trust::list_from(&mut *tx, me)
        .await?
        .into_iter()
        .map(|r| r.trustee_id)
        .collect();
    tx.commit().await?;
    let matched: Vec<Contact> = found
        .iter()
        .filter(|(person, _, _)| *person != me)
        .map(|(person, name, address)| Contact {
            person: *person,
            display_name: name.clone(),
            address: address.clone(),
            in_circle: trusted.contains(person),
        })
        .collect();
    let unmatched = wanted
        .iter()
        .filter(|a| **a != own && !found.iter().any(|(_, _, m)| m == *a))
        .cloned()
        .collect();
    Ok(ContactMatch {
        read: wanted.len(),
        matched,
        unmatched,
    })
}

/// Seconds until the day's look-up count starts again (days are UTC).
fn seconds_to_midnight() -> u64 {
    let now = time::OffsetDateTime::now_utc();
    let secs =
        u64::from(now.hour()) * 3600 + u64::from(now.minute()) * 60 + u64::from(now.second());
    86_400 - secs.min(86_399)
}

#[cfg(test)]
mod tests {
    use super::named;

    fn names(n: &[&str]) -> Vec<String> {
        n.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn shared_people_are_named_then_counted() {
        assert_eq!(named(&names(&["Matt"]), 1), "Matt");
        assert_eq!(named(&names(&["Matt", "Jo"]), 2), "Matt and Jo");
        assert_eq!(named(&names(&["Matt", "Jo"]), 3), "Matt, Jo and 1 other");
        assert_eq!(named(&names(&["Matt", "Jo"]), 5), "Matt, Jo and 3 others");
    }
}
