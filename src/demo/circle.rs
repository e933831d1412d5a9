//! The demo's second story: Ben has just moved to Redland. Anna, his new neighbour, invited
//! him ("this is how I found my tiler"), and he joined from her link. He trusts nobody yet, so
//! his first visit shows the first-run guide, Anna's invitation waiting for a trust back, and
//! public reputation plainly marked as such. The invitation is stored exactly as one used
//! through `/join` is: accepted by Ben, its address gone, the offer still open.

use serde_json::json;
use sqlx::PgPool;

use crate::store;

/// Anna's note on her invitation.
pub const ANNAS_NOTE: &str = "Welcome to the street! This is how I found Mario for our bathroom.";

/// Seeds Anna's invitation to Ben, unless one exists; returns whether it did.
pub async fn seed(pool: &PgPool) -> anyhow::Result<bool> {
    let mut tx = pool.begin().await?;
    let anna = store::email::person_with_address(&mut *tx, "anna@demo.vouchgraph.test").await?;
    let ben = store::email::person_with_address(&mut *tx, "ben@demo.vouchgraph.test").await?;
    let (Some(anna), Some(ben)) = (anna, ben) else {
        return Ok(false);
    };
    let created = sqlx::query(
        "insert into circle_invitations
             (inviter_id, email, note, created_at, accepted_by, accepted_at)
         select $1, null, $3, now() - interval '3 days', $2, now() - interval '2 days'
         where not exists (select 1 from circle_invitations where inviter_id = $1
                           and accepted_by = $2)",
    )
    .bind(anna)
    .bind(ben)
    .bind(ANNAS_NOTE)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if created {
        let payload = json!({ "person_id": ben });
        store::notifications::notify(&mut tx, anna, "circle.joined", &payload).await?;
    }
    tx.commit().await?;
    Ok(created)
}
