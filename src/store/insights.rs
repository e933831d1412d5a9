//! The provider's view: who refers them, the funnel, and vouch counts.

use sqlx::PgExecutor;
use time::OffsetDateTime;

use crate::domain::{PersonId, ProviderId};

/// A referrer of a provider, with their record.
#[derive(sqlx::FromRow)]
pub struct ReferrerRow {
    /// The referrer.
    pub referrer_id: PersonId,
    /// Their name.
    pub display_name: String,
    /// Referrals sent in the range.
    pub sent: i64,
    /// Of those, accepted.
    pub accepted: i64,
    /// Of those, completed with a good outcome.
    pub completed_good: i64,
    /// Their vouch stance for this provider, if the owner may see it.
    pub vouch_stance: Option<String>,
    /// Its trade.
    pub vouch_trade: Option<String>,
}

/// Referrers ranked by completed-good, then accepted, then sent. A referrer's vouch is shown
/// only under the usual visibility rule with the owner as viewer: never a private one.
pub async fn referrers(
    db: impl PgExecutor<'_>,
    provider: ProviderId,
    owner: PersonId,
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> sqlx::Result<Vec<ReferrerRow>> {
    sqlx::query_as(
        "select r.referrer_id, p.display_name,
            count(*) as sent,
            count(*) filter (where r.accepted_at is not null) as accepted,
            count(*) filter (where r.status = 'completed' and r.outcome = 'good') as completed_good,
            v.stance as vouch_stance, v.slug as vouch_trade
         from referrals r
         join people p on p.id = r.referrer_id
         left join lateral (
            select v.stance, t.slug from offered_vouches v join trades t on t.id = v.trade_id
            where v.person_id = r.referrer_id and v.provider_id = r.provider_id
              and (v.visibility = 'public' or (v.visibility = 'network' and exists (
                    select 1 from trust_edges te where te.truster_id = v.person_id and te.trustee_id = $2
                  and te.visibility <> 'private')))
            order by v.updated_at desc limit 1) v on true
         where r.provider_id = $1 and r.created_at >= $3 and r.created_at < $4
         group by r.referrer_id, p.display_name, v.stance, v.slug
         order by completed_good desc, accepted desc, sent desc, r.referrer_id
         limit 50",
    )
    .bind(provider)
    .bind(owner)
    .bind(from)
    .bind(to)
    .fetch_all(db)
    .await
}

/// One week of the funnel: how many referrals sent that week reached each stage.
#[derive(sqlx::FromRow)]
pub struct FunnelWeek {
    /// Monday of the week.
    pub week: OffsetDateTime,
    /// Sent.
    pub sent: i64,
    /// Reached accepted (or later).
    pub accepted: i64,
    /// Reached contacted (or later).
    pub contacted: i64,
    /// Reached hired (or later).
    pub hired: i64,
    /// Completed.
    pub completed: i64,
    /// Completed with a good outcome.
    pub completed_good: i64,
}

/// The funnel per week. A referral counts as reaching a stage when its furthest transition is
/// that stage or later; a hire without a "contacted" mark still passed contact.
pub async fn funnel(
    db: impl PgExecutor<'_>,
    provider: ProviderId,
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> sqlx::Result<Vec<FunnelWeek>> {
    sqlx::query_as(
        "with furthest as (
            select r.id, date_trunc('week', r.created_at) as week, r.outcome,
                max(case t.to_status when 'accepted' then 1 when 'contacted' then 2
                    when 'hired' then 3 when 'completed' then 4 else 0 end) as stage
            from referrals r join referral_transitions t on t.referral_id = r.id
            where r.provider_id = $1 and r.created_at >= $2 and r.created_at < $3
            group by r.id)
         select week, count(*) as sent,
            count(*) filter (where stage >= 1) as accepted,
            count(*) filter (where stage >= 2) as contacted,
            count(*) filter (where stage >= 3) as hired,
            count(*) filter (where stage >= 4) as completed,
            count(*) filter (where stage >= 4 and outcome = 'good') as completed_good
         from furthest group by week order by week",
    )
    .bind(provider)
    .bind(from)
    .bind(to)
    .fetch_all(db)
    .await
}

/// Recommend and warn counts by trade, under the visibility rule with the owner as viewer.
pub async fn vouch_counts(
    db: impl PgExecutor<'_>,
    provider: ProviderId,
    owner: PersonId,
) -> sqlx::Result<Vec<(String, i64, i64)>> {
    sqlx::query_as(
        "select t.slug,
            count(*) filter (where v.stance = 'recommend'),
            count(*) filter (where v.stance = 'warn')
         from offered_vouches v join trades t on t.id = v.trade_id
         where v.provider_id = $1
           and (v.visibility = 'public' or (v.visibility = 'network' and exists (
                select 1 from trust_edges te where te.truster_id = v.person_id and te.trustee_id = $2
                  and te.visibility <> 'private')))
         group by t.slug order by t.slug",
    )
    .bind(provider)
    .bind(owner)
    .fetch_all(db)
    .await
}
