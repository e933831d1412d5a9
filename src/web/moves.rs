//! Moving a referral through its lifecycle from a page: the same rules (`domain::referral`),
//! store calls, notifications and outbox events as `POST /v1/referrals/{id}/transitions`.

use serde_json::json;

use crate::domain::{Party, PersonId, ReferralStatus};
use crate::error::ApiError;
use crate::http::referrals::event;
use crate::state::AppState;
use crate::store;
use crate::store::referrals::ReferralRow;

/// The parties `person` plays in a referral.
pub fn parties(r: &ReferralRow, person: PersonId) -> Vec<Party> {
    let mut parties = Vec::new();
    if r.recipient_id == Some(person) {
        parties.push(Party::Recipient);
    }
    if r.owner_id == person {
        parties.push(Party::ProviderOwner);
    }
    if r.referrer_id == person {
        parties.push(Party::Referrer);
    }
    parties
}

/// The moves `parties` may make from `status`.
pub fn allowed_moves(status: ReferralStatus, parties: &[Party]) -> Vec<ReferralStatus> {
    let mut moves: Vec<ReferralStatus> = Vec::new();
    for party in parties {
        for to in status.moves_for(*party) {
            if !moves.contains(&to) {
                moves.push(to);
            }
        }
    }
    moves
}

/// A requested move, already parsed.
pub struct Move {
    /// The status to move to.
    pub to: ReferralStatus,
    /// "good" or "bad", for a completion.
    pub outcome: Option<String>,
    /// 1..5, optional, for a completion.
    pub rating: Option<i16>,
}

/// Checks a move's outcome and rating against the status it moves to.
pub fn check_move(m: &Move) -> Result<(), ApiError> {
    let completing = m.to == ReferralStatus::Completed;
    match (&m.outcome, completing) {
        (None, true) => return Err(ApiError::field("outcome", "say how the job went")),
        (Some(o), true) if o != "good" && o != "bad" => {
            return Err(ApiError::field("outcome", "must be good or bad"))
        }
        (Some(_), false) => {
            return Err(ApiError::field(
                "outcome",
                "only a completion carries an outcome",
            ))
        }
        _ => {}
    }
    match (m.rating, completing) {
        (Some(r), true) if !(1..=5).contains(&r) => {
            Err(ApiError::field("rating", "must be 1 to 5"))
        }
        (Some(_), false) => Err(ApiError::field(
            "rating",
            "only a completion carries a rating",
        )),
        _ => Ok(()),
    }
}

/// Makes the move for `person`: 404 if they are not a party, 409 if the move does not exist
/// from here, 403 if another party makes it.
pub async fn make_move(
    state: &AppState,
    person: PersonId,
    id: i64,
    m: Move,
) -> Result<(), ApiError> {
    check_move(&m)?;
    let mut tx = state.pool.begin().await?;
    if !store::referrals::lock(&mut tx, id).await? {
        return Err(ApiError::NotFound("referral"));
    }
    let row = store::referrals::get(&mut *tx, id)
        .await?
        .ok_or(ApiError::NotFound("referral"))?;
    let parties = parties(&row, person);
    if parties.is_empty() {
        return Err(ApiError::NotFound("referral"));
    }
    let from = ReferralStatus::parse(&row.status).unwrap_or(ReferralStatus::Sent);
    if !from.next().contains(&m.to) {
        return Err(ApiError::IllegalTransition {
            detail: format!(
                "a referral that is {} cannot become {}",
                from.as_str(),
                m.to.as_str()
            ),
            allowed: allowed_moves(from, &parties)
                .into_iter()
                .map(|s| s.as_str().to_string())
                .collect(),
        });
    }
    if !parties.iter().any(|p| from.may_move(m.to, *p)) {
        return Err(ApiError::Forbidden(format!(
            "another party makes the move to {}",
            m.to.as_str()
        )));
    }
    store::referrals::set_status(&mut tx, id, m.to, m.outcome.as_deref(), m.rating).await?;
    store::referrals::record_transition(&mut tx, id, Some(from), m.to, Some(person), "").await?;
    if m.to == ReferralStatus::Hired {
        store::referrals::attribute_hire(&mut tx, &row).await?;
    }
    let mut payload = event(&row, m.to);
    payload["from"] = json!(from.as_str());
    payload["outcome"] = json!(m.outcome);
    for party in [Some(row.referrer_id), row.recipient_id, Some(row.owner_id)]
        .into_iter()
        .flatten()
        .filter(|p| *p != person)
    {
        store::notifications::notify(&mut tx, party, "referral.status_changed", &payload).await?;
    }
    store::notifications::outbox(&mut tx, "referral.status_changed", &payload).await?;
    let completing = m.to == ReferralStatus::Completed;
    if completing {
        // The outcome changes the referrer's track record, so all their vouches are
        // re-weighed in this transaction. Last: it takes the change feed's lock until commit.
        store::track_records::reapply_vouches(&mut tx, row.referrer_id).await?;
    }
    tx.commit().await?;
    if completing {
        state.live.catch_up_after_write(&state.pool).await;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ReferralStatus::*;

    #[test]
    fn a_recipient_who_owns_the_provider_gets_each_move_once() {
        let moves = allowed_moves(Accepted, &[Party::Recipient, Party::ProviderOwner]);
        assert_eq!(moves, vec![Hired, Declined, Contacted]);
    }

    #[test]
    fn only_a_completion_carries_an_outcome() {
        let completion = |outcome: Option<&str>, rating| Move {
            to: Completed,
            outcome: outcome.map(str::to_string),
            rating,
        };
        assert!(check_move(&completion(Some("good"), Some(5))).is_ok());
        assert!(check_move(&completion(None, None)).is_err());
        assert!(check_move(&completion(Some("meh"), None)).is_err());
        assert!(check_move(&completion(Some("bad"), Some(9))).is_err());
        let accept = Move {
            to: Accepted,
            outcome: Some("good".into()),
            rating: None,
        };
        assert!(check_move(&accept).is_err());
    }
}
