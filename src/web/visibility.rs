//! Which vouches a page may show a viewer.
//!
//! `store::vouches::visible_for_provider` applies the rule in SQL, but it lets a `network`
//! vouch through when its owner trusts the viewer by *any* edge, a private one included; the
//! graph engine (`graph/visibility.rs`) counts only edges the viewer may see, since otherwise
//! the viewer could detect a private edge by the vouches it reveals. Pages follow the engine:
//! they take the store's rows and drop those the stricter rule hides.

use std::collections::HashSet;

use crate::domain::{PersonId, ProviderId};
use crate::store;
use crate::store::vouches::VouchRow;

use super::network_query::visible_trusters;

/// The vouches for `provider` that `viewer` may see, by the graph engine's rule.
pub async fn visible_vouches(
    pool: &sqlx::PgPool,
    provider: ProviderId,
    viewer: Option<PersonId>,
) -> sqlx::Result<Vec<VouchRow>> {
    let rows = store::vouches::visible_for_provider(pool, provider, viewer).await?;
    let hidden_by_rule = |row: &VouchRow, trusters: &HashSet<PersonId>| {
        let own = Some(row.person_id) == viewer;
        match row.visibility.as_str() {
            "public" => false,
            "network" => !own && !trusters.contains(&row.person_id),
            _ => !own,
        }
    };
    let needs_trusters = rows
        .iter()
        .any(|r| r.visibility == "network" && Some(r.person_id) != viewer);
    let trusters: HashSet<PersonId> = match viewer {
        Some(viewer) if needs_trusters => visible_trusters(pool, viewer)
            .await?
            .into_iter()
            .collect(),
        _ => HashSet::new(),
    };
    Ok(rows
        .into_iter()
        .filter(|row| !hidden_by_rule(row, &trusters))
        .collect())
}
