//! The seeker's 2-hop neighbourhood, read from Postgres under the privacy rule.
//!
//! The seeker sees all their own edges. An edge owned by someone else is visible when it is
//! public, or when it is `network` and its owner trusts the seeker directly by an edge that is
//! not private: the rule of `graph/visibility.rs`, written in SQL. (A private edge u → seeker
//! does not open u's network edges: the seeker could otherwise detect the private edge.)

use sqlx::PgExecutor;

use crate::domain::{PersonId, ProviderId};

/// An edge from a person the seeker trusts to someone else, visible to the seeker.
#[derive(sqlx::FromRow)]
pub struct SecondHop {
    /// Who trusts (a person the seeker trusts).
    pub truster_id: PersonId,
    /// Whom.
    pub trustee_id: PersonId,
    /// Their name.
    pub display_name: String,
    /// The level, 1..3.
    pub level: i16,
}

/// The visible trust edges out of `first_hop` people, other than those back to the seeker.
pub async fn second_hops(
    db: impl PgExecutor<'_>,
    seeker: PersonId,
    first_hop: &[PersonId],
) -> sqlx::Result<Vec<SecondHop>> {
    sqlx::query_as(
        "select t.truster_id, t.trustee_id, p.display_name, t.level
         from trust_edges t join people p on p.id = t.trustee_id
         where t.truster_id = any($2) and t.trustee_id <> $1
           and (t.visibility = 'public'
                or (t.visibility = 'network' and exists (
                      select 1 from trust_edges back
                      where back.truster_id = t.truster_id and back.trustee_id = $1
                        and back.visibility <> 'private')))
         order by t.truster_id, t.level desc, t.trustee_id",
    )
    .bind(seeker)
    .bind(first_hop)
    .fetch_all(db)
    .await
}

/// A vouch by someone in the neighbourhood, visible to the seeker.
#[derive(sqlx::FromRow)]
pub struct NearbyVouch {
    /// The voucher.
    pub person_id: PersonId,
    /// The provider.
    pub provider_id: ProviderId,
    /// Its name.
    pub provider_name: String,
    /// The trade's id, which picks its colour.
    pub trade_id: i32,
    /// The trade's name.
    pub trade_name: String,
    /// "recommend" or "warn".
    pub stance: String,
}

/// The visible vouches made by `people` (the seeker's own included, whatever their
/// visibility).
pub async fn vouches_by(
    db: impl PgExecutor<'_>,
    seeker: PersonId,
    people: &[PersonId],
) -> sqlx::Result<Vec<NearbyVouch>> {
    sqlx::query_as(
        "select v.person_id, v.provider_id, pr.name as provider_name, v.trade_id,
                tr.name as trade_name, v.stance
         from offered_vouches v
         join providers pr on pr.id = v.provider_id
         join trades tr on tr.id = v.trade_id
         where v.person_id = any($2)
           and (v.person_id = $1 or v.visibility = 'public'
                or (v.visibility = 'network' and exists (
                      select 1 from trust_edges back
                      where back.truster_id = v.person_id and back.trustee_id = $1
                        and back.visibility <> 'private')))
         order by v.provider_id, v.person_id, v.trade_id",
    )
    .bind(seeker)
    .bind(people)
    .fetch_all(db)
    .await
}
