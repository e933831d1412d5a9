//! Vouches.

use sqlx::{PgConnection, PgExecutor};

use crate::domain::{PersonId, ProviderId, Stance, TradeId, Visibility};

/// Creates or replaces the vouch of `person` for `provider` in `trade`.
pub async fn set(
    tx: &mut PgConnection,
    person: PersonId,
    provider: ProviderId,
    trade: TradeId,
    stance: Stance,
    note: &str,
    visibility: Visibility,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into vouches (person_id, provider_id, trade_id, stance, note, visibility)
         values ($1, $2, $3, $4, $5, $6)
         on conflict (person_id, provider_id, trade_id) do update
         set stance = excluded.stance, note = excluded.note, visibility = excluded.visibility,
             updated_at = now()",
    )
    .bind(person)
    .bind(provider)
    .bind(trade)
    .bind(stance.as_str())
    .bind(note)
    .bind(visibility.as_str())
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Deletes a vouch; returns whether there was one.
pub async fn revoke(
    tx: &mut PgConnection,
    person: PersonId,
    provider: ProviderId,
    trade: TradeId,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "delete from vouches where person_id = $1 and provider_id = $2 and trade_id = $3",
    )
    .bind(person)
    .bind(provider)
    .bind(trade)
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// A vouch as listed on a provider's page.
#[derive(sqlx::FromRow)]
pub struct VouchRow {
    /// The voucher.
    pub person_id: PersonId,
    /// Their name.
    pub display_name: String,
    /// The trade's slug.
    pub trade: String,
    /// Recommend or warn.
    #[sqlx(try_from = "String")]
    pub stance: Stance,
    /// The note.
    pub note: String,
    /// Who may see it.
    #[sqlx(try_from = "String")]
    pub visibility: Visibility,
    /// When it was last set.
    pub updated_at: time::OffsetDateTime,
}

/// The vouches for `provider` that `viewer` may see: public ones, the viewer's own, and
/// network ones whose owner trusts the viewer directly. The rule lives here in SQL and in the
/// graph engine; both are tested against each other through the API.
pub async fn visible_for_provider(
    db: impl PgExecutor<'_>,
    provider: ProviderId,
    viewer: Option<PersonId>,
) -> sqlx::Result<Vec<VouchRow>> {
    sqlx::query_as(
        "select v.person_id, p.display_name, t.slug as trade, v.stance, v.note, v.visibility, v.updated_at
         from offered_vouches v
         join people p on p.id = v.person_id
         join trades t on t.id = v.trade_id
         where v.provider_id = $1
           and (v.visibility = 'public'
                or v.person_id = $2
                or (v.visibility = 'network' and exists (
                      select 1 from trust_edges te
                      where te.truster_id = v.person_id and te.trustee_id = $2
                        -- A private edge must not grant visibility, or it could be inferred.
                        and te.visibility <> 'private')))
         order by v.updated_at desc, v.person_id, t.slug",
    )
    .bind(provider)
    .bind(viewer)
    .fetch_all(db)
    .await
}

/// A stored vouch, as a provider's change of trades hides or shows it again.
#[derive(sqlx::FromRow)]
pub struct StoredVouch {
    /// The voucher.
    pub person_id: PersonId,
    /// The trade.
    pub trade_id: TradeId,
    /// Recommend or warn.
    #[sqlx(try_from = "String")]
    pub stance: Stance,
    /// Who may see it.
    #[sqlx(try_from = "String")]
    pub visibility: Visibility,
    /// The note.
    pub note: String,
}

/// Every vouch stored for these trades of a provider, whether the provider offers them now
/// or not: a trade it drops hides them, a trade it offers again shows them again. Vouches are
/// their vouchers', so nothing a provider does deletes them.
pub async fn for_trades(
    tx: &mut PgConnection,
    provider: ProviderId,
    trades: &[TradeId],
) -> sqlx::Result<Vec<StoredVouch>> {
    sqlx::query_as(
        "select person_id, trade_id, stance, visibility, note from vouches
         where provider_id = $1 and trade_id = any($2) order by person_id, trade_id",
    )
    .bind(provider)
    .bind(trades)
    .fetch_all(&mut *tx)
    .await
}

/// Whether `person`'s vouch for the provider in this trade is public and shown now (and so seen
/// by partners).
pub async fn is_public(
    db: impl PgExecutor<'_>,
    person: PersonId,
    provider: ProviderId,
    trade: TradeId,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "select exists(select 1 from offered_vouches where person_id = $1 and provider_id = $2
                          and trade_id = $3 and visibility = 'public')",
    )
    .bind(person)
    .bind(provider)
    .bind(trade)
    .fetch_one(db)
    .await
}

/// Every vouch a person made, as (provider, trade).
pub async fn made_by(
    db: impl PgExecutor<'_>,
    person: PersonId,
) -> sqlx::Result<Vec<(ProviderId, TradeId)>> {
    sqlx::query_as("select provider_id, trade_id from vouches where person_id = $1")
        .bind(person)
        .fetch_all(db)
        .await
}

/// The providers `person` recommends in `trade` (as offered: a dropped trade hides them), as
/// (id, name), by name; at most `limit`. The person's own, whatever their visibility.
pub async fn recommended_by(
    db: impl PgExecutor<'_>,
    person: PersonId,
    trade: TradeId,
    limit: i64,
) -> sqlx::Result<Vec<(ProviderId, String)>> {
    sqlx::query_as(
        "select p.id, p.name from offered_vouches v join providers p on p.id = v.provider_id
         where v.person_id = $1 and v.trade_id = $2 and v.stance = 'recommend'
         order by p.name, p.id limit $3",
    )
    .bind(person)
    .bind(trade)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// A public vouch, with what makes it strong.
#[derive(Debug, sqlx::FromRow)]
pub struct PublicVouch {
    /// The voucher's name.
    pub display_name: String,
    /// Recommend or warn.
    #[sqlx(try_from = "String")]
    pub stance: Stance,
    /// What they said.
    pub note: String,
    /// How many people publicly trust the voucher.
    pub trusted_by: i64,
}

/// The `limit` strongest public vouches for a provider (in one trade, or all): recommendations
/// first, then by how many people publicly trust the voucher, then the latest. Public only,
/// whoever asks.
pub async fn top_public(
    db: impl PgExecutor<'_>,
    provider: ProviderId,
    trade: Option<TradeId>,
    limit: i64,
) -> sqlx::Result<Vec<PublicVouch>> {
    sqlx::query_as(
        "select p.display_name, v.stance, v.note,
                (select count(*) from trust_edges te
                 where te.trustee_id = v.person_id and te.visibility = 'public') as trusted_by
         from offered_vouches v join people p on p.id = v.person_id
         where v.provider_id = $1 and v.visibility = 'public' and ($2::int is null or v.trade_id = $2)
         order by (v.stance = 'recommend') desc, trusted_by desc, v.updated_at desc
         limit $3",
    )
    .bind(provider)
    .bind(trade)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// The vouches for businesses whose owner erased their account `days` ago or more, as
/// (voucher, provider, trade), locked until the transaction ends. They were hidden when the
/// owner left (the business offers no trade) and kept that long in case it is claimed again.
pub async fn orphaned_for_update(
    tx: &mut PgConnection,
    days: i32,
) -> sqlx::Result<Vec<(PersonId, ProviderId, TradeId)>> {
    sqlx::query_as(
        "select v.person_id, v.provider_id, v.trade_id
         from vouches v join providers p on p.id = v.provider_id
         where exists (select 1 from erasures e where e.person_id = p.owner_id
                         and e.erased_at < now() - make_interval(days => $1))
         order by v.provider_id, v.person_id, v.trade_id
         for update of v",
    )
    .bind(days)
    .fetch_all(&mut *tx)
    .await
}
