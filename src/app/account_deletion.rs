//! Deleting an account (UK GDPR Art. 17): the person leaves every ranking, path, count and
//! widget on every running instance, and their email, name, notes and location leave every
//! table, the append-only history included (as tombstones, through `erase_person`; the design
//! is in migrations/0009_erasure.sql and docs/privacy.md).

use std::net::IpAddr;

use sqlx::{PgConnection, PgPool};

use crate::domain::GraphChange;
use crate::domain::{PersonId, Visibility};
use crate::state::AppState;
use crate::store;

use super::vouches::announce_gone;
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

    // Deletion touches many rows that background work (the partners' fan-out, the expiry job)
    // also touches, so it may meet one of them head-on; the transaction is then rolled back
    // whole, and is run again rather than asking the person to type their password again.
    let mut attempt = 1;
    let sessions = loop {
        match erase(state, person, &account.email).await {
            Err(error) if error.is_collision() && attempt < ERASE_ATTEMPTS => attempt += 1,
            other => break other?,
        }
    };
    for token_hash in &sessions {
        state.sessions.forget(token_hash);
    }
    state.live.catch_up_after_write(&state.pool).await;
    Ok(())
}

/// How many times a deletion that collided with other work is tried before giving up.
const ERASE_ATTEMPTS: u32 = 3;

/// The deletion's one transaction; returns the hashes of the sessions it ended.
async fn erase(state: &AppState, person: PersonId, email: &str) -> AppResult<Vec<Vec<u8>>> {
    let mut tx = state.pool.begin().await?;
    let sessions = store::sessions::token_hashes_of(&mut *tx, person).await?;
    let changes = departure(state, &mut tx, person).await?;
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
    store::email::erase(&mut tx, person, email).await?;
    store::people::erase(&mut tx, person, FORMER_MEMBER).await?;
    tx.commit().await?;
    Ok(sessions)
}

/// The graph changes that take `person` out of every live graph: each trust and distrust edge
/// they gave or received and each vouch they made revoked, their businesses offered in no
/// trade (so out of every search), and their name replaced. The vouches others gave those
/// businesses are hidden with them: partners hear `vouch.revoked` for each (marked public only
/// where it was), as when a provider drops a trade.
async fn departure(
    state: &AppState,
    tx: &mut PgConnection,
    person: PersonId,
) -> AppResult<Vec<GraphChange>> {
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
        let trades = store::providers::trade_ids(&mut *tx, id).await?;
        for vouch in store::vouches::for_trades(&mut *tx, id, &trades).await? {
            let trade = state.live.trade_slug(vouch.trade_id).unwrap_or_default();
            let public = vouch.visibility == Visibility::Public;
            announce_gone(&mut *tx, vouch.person_id, id, &trade, public).await?;
        }
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

/// Ends the vouches for businesses whose owner erased their account `days` ago or more
/// (`VOUCHGRAPH_RETENTION_DAYS`, 30 by default). They were hidden when the owner left and kept
/// that long, their authors', in case the business was claimed again; after that they are
/// deleted, each recorded in the history as a `vouch.revoke` with no actor. The live graph
/// already dropped them and partners already heard `vouch.revoked`, so neither hears of it
/// again. Returns how many ended.
pub async fn end_hidden_vouches(pool: &PgPool, days: i32) -> AppResult<u64> {
    let mut tx = pool.begin().await?;
    let ended = store::vouches::orphaned_for_update(&mut tx, days).await?;
    for &(person, provider, trade) in &ended {
        store::vouches::revoke(&mut tx, person, provider, trade).await?;
        let change = GraphChange::VouchRevoke {
            person,
            provider,
            trade,
        };
        store::changes::record(&mut tx, None, &change).await?;
    }
    tx.commit().await?;
    Ok(ended.len() as u64)
}
