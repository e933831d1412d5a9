//! SQL for partners, their keys, links, widget views and analytics.

use sqlx::{PgConnection, PgExecutor};
use time::{Date, OffsetDateTime};

use crate::domain::{KeyId, PartnerId, PersonId, ReferralId};

use crate::domain::KeyKind;

/// A partner.
#[derive(sqlx::FromRow, Clone)]
pub struct PartnerRow {
    /// The partner.
    pub id: PartnerId,
    /// The account that manages it.
    pub owner_id: PersonId,
    /// Its name, shown to visitors on the consent page.
    pub name: String,
    /// Origins allowed to use its publishable keys.
    pub allowed_origins: Vec<String>,
    /// When it was made.
    pub created_at: OffsetDateTime,
}

const PARTNER: &str = "select id, owner_id, name, allowed_origins, created_at from partners";

/// Creates a partner.
pub async fn create(
    db: impl PgExecutor<'_>,
    owner: PersonId,
    name: &str,
    origins: &[String],
) -> sqlx::Result<PartnerRow> {
    sqlx::query_as(
        "insert into partners (owner_id, name, allowed_origins) values ($1, $2, $3)
         returning id, owner_id, name, allowed_origins, created_at",
    )
    .bind(owner)
    .bind(name)
    .bind(origins)
    .fetch_one(db)
    .await
}

/// One partner.
pub async fn get(db: impl PgExecutor<'_>, id: PartnerId) -> sqlx::Result<Option<PartnerRow>> {
    sqlx::query_as(&format!("{PARTNER} where id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// The partners an account owns, oldest first.
pub async fn owned_by(db: impl PgExecutor<'_>, owner: PersonId) -> sqlx::Result<Vec<PartnerRow>> {
    sqlx::query_as(&format!("{PARTNER} where owner_id = $1 order by id"))
        .bind(owner)
        .fetch_all(db)
        .await
}

/// Changes a partner's name and/or origins.
pub async fn update(
    db: impl PgExecutor<'_>,
    id: PartnerId,
    name: Option<&str>,
    origins: Option<&[String]>,
) -> sqlx::Result<PartnerRow> {
    sqlx::query_as(
        "update partners set name = coalesce($2, name), allowed_origins = coalesce($3, allowed_origins)
         where id = $1 returning id, owner_id, name, allowed_origins, created_at",
    )
    .bind(id)
    .bind(name)
    .bind(origins)
    .fetch_one(db)
    .await
}

/// Whether any partner allows `origin`: what a CORS preflight, which carries no key, can ask.
pub async fn origin_allowed_by_any(db: impl PgExecutor<'_>, origin: &str) -> sqlx::Result<bool> {
    // `allowed_origins @> array[$1]` can use the GIN index; `$1 = any(...)` could not.
    sqlx::query_scalar(
        "select exists (select 1 from partners where allowed_origins @> array[$1::text])",
    )
    .bind(origin)
    .fetch_one(db)
    .await
}

/// A key as listed (never with its hash).
#[derive(sqlx::FromRow, Clone)]
pub struct KeyRow {
    /// The key's id.
    pub id: KeyId,
    /// Its partner.
    pub partner_id: PartnerId,
    /// `publishable` or `secret`, decoded here once.
    #[sqlx(try_from = "String")]
    pub kind: KeyKind,
    /// Its first 20 characters.
    pub prefix: String,
    /// When it was made.
    pub created_at: OffsetDateTime,
    /// When it was last used (to the minute).
    pub last_used_at: Option<OffsetDateTime>,
    /// When it was revoked.
    pub revoked_at: Option<OffsetDateTime>,
    /// When it stops working after a rotation.
    pub expires_at: Option<OffsetDateTime>,
    /// The key that replaced it.
    pub replaced_by: Option<KeyId>,
}

const KEY: &str = "select id, partner_id, kind, prefix, created_at, last_used_at, revoked_at,
    expires_at, replaced_by from partner_keys";

/// Stores a new key.
pub async fn insert_key(
    db: impl PgExecutor<'_>,
    partner: PartnerId,
    kind: &str,
    prefix: &str,
    hash: &[u8],
) -> sqlx::Result<KeyRow> {
    sqlx::query_as(
        "insert into partner_keys (partner_id, kind, prefix, key_hash) values ($1, $2, $3, $4)
         returning id, partner_id, kind, prefix, created_at, last_used_at, revoked_at, expires_at,
                   replaced_by",
    )
    .bind(partner)
    .bind(kind)
    .bind(prefix)
    .bind(hash)
    .fetch_one(db)
    .await
}

/// A partner's keys, newest first.
pub async fn list_keys(db: impl PgExecutor<'_>, partner: PartnerId) -> sqlx::Result<Vec<KeyRow>> {
    sqlx::query_as(&format!("{KEY} where partner_id = $1 order by id desc"))
        .bind(partner)
        .fetch_all(db)
        .await
}

/// One key of a partner, locked for a rotation or revocation.
pub async fn key_for_update(
    tx: &mut PgConnection,
    partner: PartnerId,
    id: KeyId,
) -> sqlx::Result<Option<KeyRow>> {
    sqlx::query_as(&format!(
        "{KEY} where partner_id = $1 and id = $2 for no key update"
    ))
    .bind(partner)
    .bind(id)
    .fetch_optional(&mut *tx)
    .await
}

/// Ends a rotated key's life at `expires_at` (or keeps an earlier end) and names its successor.
pub async fn retire_key(
    tx: &mut PgConnection,
    id: KeyId,
    expires_at: OffsetDateTime,
    replaced_by: KeyId,
) -> sqlx::Result<()> {
    sqlx::query(
        "update partner_keys set expires_at = least(coalesce(expires_at, $2), $2), replaced_by = $3
         where id = $1",
    )
    .bind(id)
    .bind(expires_at)
    .bind(replaced_by)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Revokes a key at once; false when it is not the partner's or was already revoked.
pub async fn revoke_key(
    db: impl PgExecutor<'_>,
    partner: PartnerId,
    id: KeyId,
) -> sqlx::Result<bool> {
    Ok(sqlx::query(
        "update partner_keys set revoked_at = now()
         where partner_id = $1 and id = $2 and revoked_at is null",
    )
    .bind(partner)
    .bind(id)
    .execute(db)
    .await?
    .rows_affected()
        > 0)
}

/// What authenticating a key needs.
#[derive(sqlx::FromRow)]
pub struct KeyAuthRow {
    /// The key's id.
    pub id: KeyId,
    /// Its partner.
    pub partner_id: PartnerId,
    /// `publishable` or `secret`, decoded here once.
    #[sqlx(try_from = "String")]
    pub kind: KeyKind,
    /// SHA-256 of the whole key.
    pub key_hash: Vec<u8>,
    /// Whether it works now: not revoked, not past a rotation's grace period.
    pub live: bool,
    /// Whether last_used_at is more than a minute old, so it is worth a write.
    pub stale_use: bool,
    /// The partner's allowed origins.
    pub allowed_origins: Vec<String>,
}

/// The key with this prefix, with its partner's origins.
pub async fn key_by_prefix(
    db: impl PgExecutor<'_>,
    prefix: &str,
) -> sqlx::Result<Option<KeyAuthRow>> {
    sqlx::query_as(
        "select k.id, k.partner_id, k.kind, k.key_hash,
                (k.revoked_at is null and (k.expires_at is null or k.expires_at > now())) as live,
                (k.last_used_at is null or k.last_used_at < now() - interval '1 minute') as stale_use,
                p.allowed_origins
         from partner_keys k join partners p on p.id = k.partner_id
         where k.prefix = $1",
    )
    .bind(prefix)
    .fetch_optional(db)
    .await
}

/// Records that a key was used (callers do it at most once a minute per key).
pub async fn touch_key(db: impl PgExecutor<'_>, id: KeyId) -> sqlx::Result<()> {
    sqlx::query("update partner_keys set last_used_at = now() where id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Links a person to a partner, replacing an earlier link token; returns the link's id.
pub async fn upsert_link(
    db: impl PgExecutor<'_>,
    partner: PartnerId,
    person: PersonId,
    token_hash: &[u8],
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "insert into partner_links (partner_id, person_id, token_hash) values ($1, $2, $3)
         on conflict (partner_id, person_id) do update
         set token_hash = excluded.token_hash, created_at = now()
         returning id",
    )
    .bind(partner)
    .bind(person)
    .bind(token_hash)
    .fetch_one(db)
    .await
}

/// The link (id, person) a partner's link token names.
pub async fn link_by_token(
    db: impl PgExecutor<'_>,
    partner: PartnerId,
    token_hash: &[u8],
) -> sqlx::Result<Option<(i64, PersonId)>> {
    sqlx::query_as(
        "select id, person_id from partner_links where partner_id = $1 and token_hash = $2",
    )
    .bind(partner)
    .bind(token_hash)
    .fetch_optional(db)
    .await
}

/// Whether the link still stands (an unlinked visitor's embed tokens stop working).
pub async fn link_stands(
    db: impl PgExecutor<'_>,
    link: i64,
    partner: PartnerId,
    person: PersonId,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "select exists (select 1 from partner_links where id = $1 and partner_id = $2 and person_id = $3)",
    )
    .bind(link)
    .bind(partner)
    .bind(person)
    .fetch_one(db)
    .await
}

/// When a person linked to a partner, if they did.
pub async fn linked_at(
    db: impl PgExecutor<'_>,
    partner: PartnerId,
    person: PersonId,
) -> sqlx::Result<Option<OffsetDateTime>> {
    sqlx::query_scalar(
        "select created_at from partner_links where partner_id = $1 and person_id = $2",
    )
    .bind(partner)
    .bind(person)
    .fetch_optional(db)
    .await
}

/// Removes a person's link to a partner.
pub async fn unlink(
    db: impl PgExecutor<'_>,
    partner: PartnerId,
    person: PersonId,
) -> sqlx::Result<bool> {
    Ok(
        sqlx::query("delete from partner_links where partner_id = $1 and person_id = $2")
            .bind(partner)
            .bind(person)
            .execute(db)
            .await?
            .rows_affected()
            > 0,
    )
}

/// Counts one view of a widget today (UTC).
pub async fn count_view(
    db: impl PgExecutor<'_>,
    partner: PartnerId,
    widget: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into partner_widget_views (partner_id, day, widget, views)
         values ($1, (now() at time zone 'utc')::date, $2, 1)
         on conflict (partner_id, day, widget) do update set views = partner_widget_views.views + 1",
    )
    .bind(partner)
    .bind(widget)
    .execute(db)
    .await?;
    Ok(())
}

/// Marks a referral as sent through a partner's widget.
pub async fn attribute_referral(
    tx: &mut PgConnection,
    referral: ReferralId,
    partner: PartnerId,
) -> sqlx::Result<()> {
    sqlx::query("update referrals set partner_id = $2 where id = $1")
        .bind(referral)
        .bind(partner)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// One day of a partner's analytics.
#[derive(sqlx::FromRow)]
pub struct DayRow {
    /// The day (UTC).
    pub day: Date,
    /// Widget views, all kinds.
    pub widget_views: i64,
    /// Referrals sent through its widgets.
    pub referrals: i64,
    /// Of its referrals, those that moved to hired that day.
    pub hires: i64,
}

/// Views, referrals and hires for each day from `from` to `to` inclusive, zeros included.
pub async fn analytics(
    db: impl PgExecutor<'_>,
    partner: PartnerId,
    from: Date,
    to: Date,
) -> sqlx::Result<Vec<DayRow>> {
    sqlx::query_as(
        "with days as (select generate_series($2::date, $3::date, interval '1 day')::date as day),
         views as (select day, sum(views)::bigint as n from partner_widget_views
                   where partner_id = $1 and day between $2 and $3 group by day),
         sent as (select (created_at at time zone 'utc')::date as day, count(*) as n from referrals
                  where partner_id = $1 group by 1),
         hired as (select (t.created_at at time zone 'utc')::date as day, count(*) as n
                   from referral_transitions t join referrals r on r.id = t.referral_id
                   where r.partner_id = $1 and t.to_status = 'hired' group by 1)
         select d.day, coalesce(v.n, 0) as widget_views, coalesce(s.n, 0) as referrals,
                coalesce(h.n, 0) as hires
         from days d
         left join views v on v.day = d.day
         left join sent s on s.day = d.day
         left join hired h on h.day = d.day
         order by d.day",
    )
    .bind(partner)
    .bind(from)
    .bind(to)
    .fetch_all(db)
    .await
}
