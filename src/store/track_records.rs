//! Recommenders' track records: the outcomes of their completed referrals, and the answers to
//! requests their askers said helped, turned into the strength of their vouches (the rule is
//! `domain::track_record`).

use std::collections::HashMap;

use sqlx::{PgConnection, PgExecutor};

use crate::domain::track_record::vouch_strength;
use crate::domain::PersonId;

/// The referrals whose outcome counts in their referrer's track record: completed by their
/// recipient, the customer who hired. The provider's owner may complete a referral too, but
/// an outcome they give would let a provider punish or reward the people who send them work.
const COUNTED: &str = "r.status = 'completed' and exists (
    select 1 from referral_transitions t
    where t.referral_id = r.id and t.to_status = 'completed' and t.actor_id = r.recipient_id)";

/// The vouch strength of every recommender with at least one completed referral; everyone
/// else's is 1.0.
pub async fn all_strengths(db: impl PgExecutor<'_>) -> sqlx::Result<HashMap<PersonId, f32>> {
    // One pass over completed referrals at start-up; the outcome check constraint makes
    // "completed" and "has an outcome" the same thing.
    let rows: Vec<(PersonId, i64, i64)> = sqlx::query_as(&format!(
        "select person, sum(good)::int8, sum(bad)::int8 from (
             select referrer_id as person,
                    count(*) filter (where outcome = 'good') as good,
                    count(*) filter (where outcome = 'bad') as bad
             from referrals r where {COUNTED} group by referrer_id
             union all
             select a.answerer_id, count(distinct q.asker_id), 0
             from request_answers a join requests q on q.id = a.request_id
             where a.helped group by a.answerer_id) outcomes
         group by person"
    ))
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(person, good, bad)| (person, strength_from_counts(good, bad)))
        .collect())
}

/// One recommender's vouch strength, as of the caller's transaction.
pub async fn strength_of(db: impl PgExecutor<'_>, person: PersonId) -> sqlx::Result<f32> {
    // referrals_referrer (referrer_id, id desc) finds their referrals.
    // A request's asker saying an answer helped counts as one good outcome, once per asker.
    let (good, bad): (i64, i64) = sqlx::query_as(&format!(
        "select count(*) filter (where outcome = 'good')
                  + (select count(distinct q.asker_id) from request_answers a
                     join requests q on q.id = a.request_id
                     where a.answerer_id = $1 and a.helped),
                count(*) filter (where outcome = 'bad')
         from referrals r where referrer_id = $1 and {COUNTED}"
    ))
    .bind(person)
    .fetch_one(db)
    .await?;
    Ok(strength_from_counts(good, bad))
}

/// Records a `vouch.set` change, at the recommender's current strength, for every vouch they
/// have, so that every instance re-weighs them. Call it last before commit: it takes the
/// change feed's lock (see `store::changes::record`). Returns how many changes it recorded.
pub async fn reapply_vouches(tx: &mut PgConnection, person: PersonId) -> sqlx::Result<u64> {
    let strength = strength_of(&mut *tx, person).await?;
    super::changes::lock_for_append(&mut *tx).await?;
    // The payload's keys are exactly the serde form of GraphChange::VouchSet.
    let done = sqlx::query(
        "insert into graph_changes (kind, actor_id, payload)
         select 'vouch.set', v.person_id, jsonb_build_object(
             'kind', 'vouch.set', 'person', v.person_id, 'provider', v.provider_id,
             'trade', v.trade_id, 'stance', v.stance, 'visibility', v.visibility,
             'note', v.note, 'strength', $2::real)
         from offered_vouches v where v.person_id = $1 order by v.provider_id, v.trade_id",
    )
    .bind(person)
    .bind(strength)
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected())
}

fn strength_from_counts(good: i64, bad: i64) -> f32 {
    let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
    vouch_strength(count(good), count(bad))
}
