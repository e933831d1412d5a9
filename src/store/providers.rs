//! Providers and trades.

use sqlx::{PgConnection, PgExecutor};

use crate::domain::{PersonId, ProviderId, TradeId};

/// A trade.
#[derive(sqlx::FromRow, Clone)]
pub struct TradeRow {
    /// The trade's id.
    pub id: TradeId,
    /// URL-safe name.
    pub slug: String,
    /// Human name.
    pub name: String,
}

/// All trades, by name.
pub async fn trades(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<TradeRow>> {
    sqlx::query_as("select id, slug, name from trades order by name")
        .fetch_all(db)
        .await
}

/// A provider with its trades.
#[derive(sqlx::FromRow)]
pub struct ProviderRow {
    /// The provider.
    pub id: ProviderId,
    /// The owning account.
    pub owner_id: PersonId,
    /// Business name.
    pub name: String,
    /// Free-text description.
    pub description: String,
    /// Service-area centre latitude.
    pub lat: f64,
    /// Service-area centre longitude.
    pub lon: f64,
    /// Service-area radius.
    pub radius_km: f64,
    /// Contact phone.
    pub phone: Option<String>,
    /// Contact email.
    pub email: Option<String>,
    /// Website.
    pub website: Option<String>,
    /// The slugs of the trades offered.
    pub trades: Vec<String>,
    /// When it was created.
    pub created_at: time::OffsetDateTime,
    /// When it was last edited.
    pub updated_at: time::OffsetDateTime,
}

/// The editable fields of a provider.
pub struct ProviderFields<'a> {
    /// Business name.
    pub name: &'a str,
    /// Description.
    pub description: &'a str,
    /// Centre latitude.
    pub lat: f64,
    /// Centre longitude.
    pub lon: f64,
    /// Radius.
    pub radius_km: f64,
    /// Phone.
    pub phone: Option<&'a str>,
    /// Email.
    pub email: Option<&'a str>,
    /// Website.
    pub website: Option<&'a str>,
    /// Trades offered.
    pub trades: &'a [TradeId],
}

/// Creates a provider owned by `owner`.
pub async fn create(
    tx: &mut PgConnection,
    owner: PersonId,
    f: &ProviderFields<'_>,
) -> sqlx::Result<ProviderId> {
    let id: ProviderId = sqlx::query_scalar(
        "insert into providers (owner_id, name, description, lat, lon, radius_km, phone, email, website)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id",
    )
    .bind(owner)
    .bind(f.name)
    .bind(f.description)
    .bind(f.lat)
    .bind(f.lon)
    .bind(f.radius_km)
    .bind(f.phone)
    .bind(f.email)
    .bind(f.website)
    .fetch_one(&mut *tx)
    .await?;
    set_trades(tx, id, f.trades).await?;
    Ok(id)
}

/// Replaces a provider's fields.
pub async fn update(
    tx: &mut PgConnection,
    id: ProviderId,
    f: &ProviderFields<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "update providers set name = $2, description = $3, lat = $4, lon = $5, radius_km = $6,
            phone = $7, email = $8, website = $9, updated_at = now() where id = $1",
    )
    .bind(id)
    .bind(f.name)
    .bind(f.description)
    .bind(f.lat)
    .bind(f.lon)
    .bind(f.radius_km)
    .bind(f.phone)
    .bind(f.email)
    .bind(f.website)
    .execute(&mut *tx)
    .await?;
    set_trades(tx, id, f.trades).await
}

/// Makes the provider's trades exactly `trades`. Dropping a trade drops the vouches for it
/// (foreign key cascade); they remain in the change history.
async fn set_trades(tx: &mut PgConnection, id: ProviderId, trades: &[TradeId]) -> sqlx::Result<()> {
    sqlx::query("delete from provider_trades where provider_id = $1 and not (trade_id = any($2))")
        .bind(id)
        .bind(trades)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "insert into provider_trades (provider_id, trade_id)
         select $1, unnest($2::int[]) on conflict do nothing",
    )
    .bind(id)
    .bind(trades)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Reads a provider with its trade slugs. `for update` variants lock it for an edit.
pub async fn get(db: impl PgExecutor<'_>, id: ProviderId) -> sqlx::Result<Option<ProviderRow>> {
    sqlx::query_as(
        "select p.id, p.owner_id, p.name, p.description, p.lat, p.lon, p.radius_km, p.phone,
            p.email, p.website, p.created_at, p.updated_at,
            coalesce(array(select t.slug from provider_trades pt join trades t on t.id = pt.trade_id
                           where pt.provider_id = p.id order by t.slug), '{}') as trades
         from providers p where p.id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Providers whose name contains `q`, whatever its case, by name then id, at most `limit`:
/// for finding one by name where its id is wanted.
pub async fn named_like(
    db: impl PgExecutor<'_>,
    q: &str,
    limit: i64,
) -> sqlx::Result<Vec<(ProviderId, String)>> {
    sqlx::query_as("select id, name from providers where name ilike $1 order by name, id limit $2")
        .bind(super::contains_pattern(q))
        .bind(limit)
        .fetch_all(db)
        .await
}

/// The owner of a provider, locking the row so ownership cannot change under the caller.
pub async fn owner_for_update(
    tx: &mut PgConnection,
    id: ProviderId,
) -> sqlx::Result<Option<PersonId>> {
    sqlx::query_scalar("select owner_id from providers where id = $1 for no key update")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await
}

/// The ids of a provider's trades.
pub async fn trade_ids(db: impl PgExecutor<'_>, id: ProviderId) -> sqlx::Result<Vec<TradeId>> {
    sqlx::query_scalar(
        "select trade_id from provider_trades where provider_id = $1 order by trade_id",
    )
    .bind(id)
    .fetch_all(db)
    .await
}

/// The providers an account owns.
pub async fn owned_by(db: impl PgExecutor<'_>, owner: PersonId) -> sqlx::Result<Vec<ProviderId>> {
    sqlx::query_scalar("select id from providers where owner_id = $1 order by id")
        .bind(owner)
        .fetch_all(db)
        .await
}
