//! Deleting an account (UK GDPR Art. 17): the person leaves every ranking, path, count and
//! widget on every running instance, and their email, name, notes and location leave every
//! table, the append-only history included (as tombstones, through `erase_person`; the design
//! is in migrations/0009_erasure.sql and docs/privacy.md).

use std::net::IpAddr;

use sqlx::PgConnection;

use crate::domain::PersonId;
use crate::feed::GraphChange;
use crate::state::AppState;
use crate::store;

use super::{AppError, AppResult};

/// What a deleted person is called wherever others still see that someone was there: their
/// referrals, the history.
pub const FORMER_MEMBER: &str = "A former member";

/// Deletes `person`'s account once they have typed their password again, from `address`
/// (counted by the login throttle, like a login: a stolen session cannot guess the password
/// here faster than on the login page). All of it commits in one transaction, or none of it:
/// the graph changes that take them out of every live graph, and the erasure of their
/// personal fields everywhere.
pub async fn delete_account(
    state: &AppState,
    person: PersonId,
    typed: String,
    address: IpAddr,
) -> AppResult<()> {
    let account = store::accounts::get(&state.pool, person)
        .await?
        .ok_or(AppError::NotFound("account"))?;
    match super::sessions::check_credentials(state, &account.email, typed, address).await {
        Ok(owner) if owner == person => {}
        Ok(_) | Err(AppError::Unauthenticated(_)) => {
            return Err(AppError::field("password", "this is not your password"))
        }
        Err(other) => return Err(other),
    }

    let mut tx = state.pool.begin().await?;
    let sessions = store::sessions::token_hashes_of(&mut *tx, person).await?;
    let changes = departure(&mut tx, person).await?;
    // Each partner the person linked hears that they left (before the link is deleted),
    // by the person id its embed tokens carried.
    let partners = store::people::linked_partners(&mut *tx, person).await?;
    for partner in partners {
        let event = serde_json::json!({ "person_id": person, "partner_id": partner });
        store::notifications::outbox(&mut tx, "person.deleted", &event).await?;
    }
    for change in &changes {
        store::changes::record(&mut tx, Some(person), change).await?;
    }
    store::email::erase(&mut tx, person, &account.email).await?;
    store::people::erase(&mut tx, person, FORMER_MEMBER).await?;
    tx.commit().await?;
    for token_hash in &sessions {
        state.sessions.forget(token_hash);
    }
    state.live.catch_up_after_write(&state.pool).await;
    Ok(())
}

/// The graph changes that take `person` out of every live graph: each trust and distrust edge
/// they gave or received and each vouch they made revoked, their businesses offered in no
/// trade (so out of every search), and their name replaced.
async fn departure(tx: &mut PgConnection, person: PersonId) -> AppResult<Vec<GraphChange>> {
    let mut changes = Vec::new();
    let trust = store::trust::edges_touching(&mut *tx, person).await?;
    changes.extend(
        trust
            .into_iter()
            .map(|(truster, trustee)| GraphChange::TrustRevoke { truster, trustee }),
    );
    let distrust = store::trust::distrust_edges_touching(&mut *tx, person).await?;
    changes.extend(
        distrust
            .into_iter()
            .map(|(truster, trustee)| GraphChange::DistrustRevoke { truster, trustee }),
    );
    let vouches = store::vouches::made_by(&mut *tx, person).await?;
    changes.extend(
        vouches
            .into_iter()
            .map(|(provider, trade)| GraphChange::VouchRevoke {
                person,
                provider,
                trade,
            }),
    );
    for id in store::providers::owned_by(&mut *tx, person).await? {
        if let Some(row) = store::providers::get(&mut *tx, id).await? {
            changes.push(GraphChange::ProviderUpsert {
                id,
                name: row.name,
                owner: person,
                trades: Vec::new(),
                lat: row.lat,
                lon: row.lon,
                radius_km: row.radius_km,
            });
        }
    }
    changes.push(GraphChange::PersonUpsert {
        id: person,
        name: FORMER_MEMBER.to_string(),
        pre_trusted: false,
    });
    Ok(changes)
}
