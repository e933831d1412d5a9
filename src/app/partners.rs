//! Partners: a partner account's name and allowed origins, and its API keys (list, issue,
//! rotate with a grace period, revoke). Only the owner account may manage a partner. Finding
//! the key a caller presents is here too, for the partner adapter and the configurator.

use time::OffsetDateTime;

use crate::auth::keys::{self, KeyKind, NewKey};
use crate::domain::{KeyId, PartnerId, PersonId};
use crate::state::AppState;
use crate::store::partners as store;

use super::validate::Fields;
use super::{AppError, AppResult};

/// A partner, one of its keys as listed, a key as a caller presents it, a day of its
/// analytics: adapters name them through here.
pub use crate::store::partners::{DayRow, KeyAuthRow, KeyRow, PartnerRow};

/// The longest grace period a rotated key may keep working: long enough for any deployment.
pub const MAX_GRACE_SECS: i64 = 30 * 86_400;

/// The most allowed origins a partner may list (after duplicates are dropped).
pub const MAX_ORIGINS: usize = 20;

/// The partner `id`, if `person` owns it: not found if there is none, forbidden for anyone
/// else.
pub async fn owned_partner(
    state: &AppState,
    person: PersonId,
    id: PartnerId,
) -> AppResult<PartnerRow> {
    let partner = store::get(&state.pool, id)
        .await?
        .ok_or(AppError::NotFound("partner"))?;
    if partner.owner_id != person {
        return Err(AppError::Forbidden(
            "only the partner's owner account manages it".into(),
        ));
    }
    Ok(partner)
}

/// The partners `person` owns, oldest first.
pub async fn owned_by(state: &AppState, person: PersonId) -> AppResult<Vec<PartnerRow>> {
    Ok(store::owned_by(&state.pool, person).await?)
}

/// The keys of `partner`, newest first, for its owner: prefixes, dates and states, never the
/// keys themselves (only their hashes are kept).
pub async fn keys_of(
    state: &AppState,
    person: PersonId,
    partner: PartnerId,
) -> AppResult<Vec<KeyRow>> {
    owned_partner(state, person, partner).await?;
    Ok(store::list_keys(&state.pool, partner).await?)
}

/// The stored key that `sent` is, if it is one: its prefix names a key whose hash matches the
/// whole of `sent` and whose kind is the one the prefix says. Revoked and expired keys are
/// found too (`live` says which), so a caller can tell a person why their key fails.
pub async fn find_key(state: &AppState, sent: &str) -> AppResult<Option<KeyAuthRow>> {
    let Some((kind, prefix)) = keys::parse_prefix(sent) else {
        return Ok(None);
    };
    Ok(store::key_by_prefix(&state.pool, prefix)
        .await?
        .filter(|row| keys::matches(sent, &row.key_hash) && row.kind == kind))
}

/// Notes that a key was just used, when its last use is old enough to be worth a write.
pub async fn key_used(state: &AppState, key: &KeyAuthRow) -> AppResult<()> {
    if key.stale_use {
        store::touch_key(&state.pool, key.id).await?;
    }
    Ok(())
}

/// Whether some partner allows `origin` (a CORS preflight, which carries no key, asks).
pub async fn origin_allowed_by_any(state: &AppState, origin: &str) -> AppResult<bool> {
    Ok(store::origin_allowed_by_any(&state.pool, origin).await?)
}

/// Counts one showing of a partner's `widget` (badge, list, refer, ask) today, for its
/// analytics.
pub async fn widget_shown(state: &AppState, partner: PartnerId, widget: &str) -> AppResult<()> {
    Ok(store::count_view(&state.pool, partner, widget).await?)
}

/// Widget views, referrals and hires of `partner` by UTC day, `from` to `to` inclusive, for
/// its owner.
pub async fn analytics(
    state: &AppState,
    person: PersonId,
    partner: PartnerId,
    from: time::Date,
    to: time::Date,
) -> AppResult<Vec<DayRow>> {
    owned_partner(state, person, partner).await?;
    Ok(store::analytics(&state.pool, partner, from, to).await?)
}

/// Creates a partner owned by `owner`.
pub async fn create_partner(
    state: &AppState,
    owner: PersonId,
    name: &str,
    origins: &[String],
) -> AppResult<PartnerRow> {
    let mut fields = Fields::new();
    check_name(&mut fields, name);
    let origins = check_origins(&mut fields, origins);
    fields.finish()?;
    Ok(store::create(&state.pool, owner, name.trim(), &origins).await?)
}

/// Renames a partner or replaces its allowed origins; `None` keeps what is there.
pub async fn update_partner(
    state: &AppState,
    person: PersonId,
    id: PartnerId,
    name: Option<&str>,
    origins: Option<&[String]>,
) -> AppResult<PartnerRow> {
    owned_partner(state, person, id).await?;
    let mut fields = Fields::new();
    if let Some(name) = name {
        check_name(&mut fields, name);
    }
    let origins = origins.map(|list| check_origins(&mut fields, list));
    fields.finish()?;
    let name = name.map(str::trim);
    Ok(store::update(&state.pool, id, name, origins.as_deref()).await?)
}

/// Issues a key of `kind`; the whole key is in the [`NewKey`], to be shown this once.
pub async fn issue_key(
    state: &AppState,
    person: PersonId,
    partner: PartnerId,
    kind: KeyKind,
) -> AppResult<(NewKey, KeyRow)> {
    owned_partner(state, person, partner).await?;
    let new = keys::generate(kind);
    let row =
        store::insert_key(&state.pool, partner, kind.as_str(), &new.prefix, &new.hash).await?;
    Ok((new, row))
}

/// Replaces a working key with a new one of the same kind; the old one keeps working for
/// `grace_period_secs` (0 to [`MAX_GRACE_SECS`]), so servers can be redeployed without
/// downtime.
pub async fn rotate_key(
    state: &AppState,
    person: PersonId,
    partner: PartnerId,
    key: KeyId,
    grace_period_secs: i64,
) -> AppResult<(NewKey, KeyRow)> {
    owned_partner(state, person, partner).await?;
    if !(0..=MAX_GRACE_SECS).contains(&grace_period_secs) {
        return Err(AppError::field(
            "grace_period_secs",
            format!("must be between 0 and {MAX_GRACE_SECS}"),
        ));
    }
    let mut tx = state.pool.begin().await?;
    let old = store::key_for_update(&mut tx, partner, key)
        .await?
        .ok_or(AppError::NotFound("key"))?;
    let now = OffsetDateTime::now_utc();
    if !works_at(&old, now) {
        return Err(AppError::Conflict(
            "this key no longer works; issue a new one instead".into(),
        ));
    }
    let kind = old.kind;
    let new = keys::generate(kind);
    let row = store::insert_key(&mut *tx, partner, kind.as_str(), &new.prefix, &new.hash).await?;
    let ends = now + time::Duration::seconds(grace_period_secs);
    store::retire_key(&mut tx, old.id, ends, row.id).await?;
    tx.commit().await?;
    Ok((new, row))
}

/// Revokes a key at once.
pub async fn revoke_key(
    state: &AppState,
    person: PersonId,
    partner: PartnerId,
    key: KeyId,
) -> AppResult<()> {
    owned_partner(state, person, partner).await?;
    if !store::revoke_key(&state.pool, partner, key).await? {
        return Err(AppError::NotFound("key"));
    }
    Ok(())
}

/// Whether a key works at `now`: not revoked, and not past the end of a rotation's grace.
pub fn works_at(key: &KeyRow, now: OffsetDateTime) -> bool {
    key.revoked_at.is_none() && key.expires_at.is_none_or(|end| end > now)
}

fn check_name(fields: &mut Fields, name: &str) {
    if !(1..=120).contains(&name.trim().chars().count()) {
        fields.push("name", "must be 1 to 120 characters");
    }
}

/// Normalizes each origin as browsers send it (`allowed_origins[i]` names a bad one), drops
/// duplicates wherever they are, then checks the count: two spellings of one origin are one.
fn check_origins(fields: &mut Fields, list: &[String]) -> Vec<String> {
    let mut origins: Vec<String> = Vec::new();
    for (i, raw) in list.iter().enumerate() {
        let normalized = fields.check(&format!("allowed_origins[{i}]"), normalize_origin(raw));
        if let Some(origin) = normalized.filter(|o| !origins.contains(o)) {
            origins.push(origin);
        }
    }
    if origins.len() > MAX_ORIGINS {
        fields.push("allowed_origins", format!("at most {MAX_ORIGINS} origins"));
    }
    origins
}

/// `https://Shop.Example:443/` → `https://shop.example`: the form browsers send in `Origin`.
pub fn normalize_origin(raw: &str) -> Result<String, String> {
    let url = reqwest::Url::parse(raw.trim()).map_err(|_| {
        format!("{raw:?} is not a site's address: write it whole, such as https://shop.example")
    })?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err(format!("{raw:?}: an origin is http or https"));
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(format!("{raw:?}: an origin has no path, query or fragment"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!("{raw:?}: an origin has no user or password"));
    }
    Ok(url.origin().ascii_serialization())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_normalized_as_browsers_send_them() {
        assert_eq!(
            normalize_origin("https://Shop.Example:443/").unwrap(),
            "https://shop.example"
        );
        assert_eq!(
            normalize_origin("http://127.0.0.1:8000").unwrap(),
            "http://127.0.0.1:8000"
        );
        assert!(normalize_origin("https://shop.example/widgets").is_err());
        assert!(normalize_origin("ftp://shop.example").is_err());
        assert!(normalize_origin("shop.example").is_err());
    }

    #[test]
    fn duplicate_origins_count_once_wherever_they_are() {
        let list: Vec<String> = [
            "https://a.example",
            "https://b.example",
            "https://A.example:443/",
        ]
        .map(String::from)
        .to_vec();
        let mut fields = Fields::new();
        assert_eq!(
            check_origins(&mut fields, &list),
            ["https://a.example", "https://b.example"]
        );
        assert!(fields.finish().is_ok());
    }

    #[test]
    fn twenty_one_spellings_of_twenty_origins_are_allowed() {
        let mut list: Vec<String> = (0..20).map(|i| format!("https://s{i}.example")).collect();
        list.push("https://S0.example/".into());
        let mut fields = Fields::new();
        assert_eq!(check_origins(&mut fields, &list).len(), 20);
        assert!(fields.finish().is_ok());
    }
}
