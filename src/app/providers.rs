//! Providers: creating one, and its owner editing it. One rule set for both: an edit is the
//! current profile with the changes laid over it, checked as if new.

use crate::domain::values::parse_radius_km;
use crate::domain::GraphChange;
use crate::domain::{GeoPoint, Name, PersonId, ProviderId, TradeId, Visibility};
use crate::state::AppState;
use crate::store;
use crate::store::providers::ProviderFields;
/// A provider as stored, with its trades; a trade as listed. Adapters name them through here.
pub use crate::store::providers::{ProviderRow, TradeRow};

use super::validate::Fields;
use super::vouches::{announce, announce_gone, Shown};
use super::{AppError, AppResult};

/// A number as the channel read it: JSON gives a number, a form's text may not be one (the
/// `Err` says so, and is reported with the other fields).
pub type Typed<T> = Result<T, String>;

/// A provider's profile as given, before validation.
pub struct ProviderDraft {
    /// Business name, at most 120 characters.
    pub name: String,
    /// What the business does, at most 2,000 characters.
    pub description: String,
    /// Trade slugs, at least one.
    pub trades: Vec<String>,
    /// Service-area centre latitude.
    pub lat: Typed<f64>,
    /// Service-area centre longitude.
    pub lon: Typed<f64>,
    /// Where the business is based, as typed ("Redland, Bristol", "BS6"): when given, the
    /// centre of the service area, instead of `lat`/`lon`.
    pub base: Option<String>,
    /// Service-area radius in km (0 < r ≤ 500).
    pub radius_km: Typed<f64>,
    /// Contact phone; blank is none.
    pub phone: Option<String>,
    /// Contact email; blank is none.
    pub email: Option<String>,
    /// Website (`https://` or `http://`); blank is none.
    pub website: Option<String>,
}

/// Changes to a provider's profile; `None` keeps what is there.
#[derive(Default)]
pub struct ProviderPatch {
    /// Business name.
    pub name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Trade slugs (replaces the list).
    pub trades: Option<Vec<String>>,
    /// Centre latitude.
    pub lat: Option<Typed<f64>>,
    /// Centre longitude.
    pub lon: Option<Typed<f64>>,
    /// Where it is based, as typed; replaces the centre.
    pub base: Option<String>,
    /// Radius in km.
    pub radius_km: Option<Typed<f64>>,
    /// Phone; `Some("")` clears it.
    pub phone: Option<String>,
    /// Email; `Some("")` clears it.
    pub email: Option<String>,
    /// Website; `Some("")` clears it.
    pub website: Option<String>,
}

impl ProviderPatch {
    /// The whole profile a page's editor posts, as a patch that replaces every field.
    pub fn replacing_all(draft: ProviderDraft) -> ProviderPatch {
        ProviderPatch {
            name: Some(draft.name),
            description: Some(draft.description),
            trades: Some(draft.trades),
            lat: Some(draft.lat),
            lon: Some(draft.lon),
            base: draft.base,
            radius_km: Some(draft.radius_km),
            phone: Some(draft.phone.unwrap_or_default()),
            email: Some(draft.email.unwrap_or_default()),
            website: Some(draft.website.unwrap_or_default()),
        }
    }

    fn over(self, current: ProviderRow) -> ProviderDraft {
        ProviderDraft {
            name: self.name.unwrap_or(current.name),
            description: self.description.unwrap_or(current.description),
            trades: self.trades.unwrap_or(current.trades),
            lat: self.lat.unwrap_or(Ok(current.lat)),
            lon: self.lon.unwrap_or(Ok(current.lon)),
            base: self.base,
            radius_km: self.radius_km.unwrap_or(Ok(current.radius_km)),
            phone: self.phone.or(current.phone),
            email: self.email.or(current.email),
            website: self.website.or(current.website),
        }
    }
}

/// Creates a provider owned by `owner` and returns it as stored.
pub async fn create_provider(
    state: &AppState,
    owner: PersonId,
    draft: ProviderDraft,
) -> AppResult<ProviderRow> {
    let valid = validate(state, locate(state, draft).await?)?;
    let mut tx = state.pool.begin().await?;
    let id = store::providers::create(&mut tx, owner, &valid.fields()).await?;
    store::changes::record(&mut tx, Some(owner), &valid.upsert(id, owner)).await?;
    tx.commit().await?;
    state.live.catch_up_after_write(&state.pool).await;
    stored(state, id).await
}

/// Every trade, by name: what the forms offer and what slugs are shown as.
pub async fn trades(state: &AppState) -> AppResult<Vec<TradeRow>> {
    Ok(store::providers::trades(&state.pool).await?)
}

/// A provider's public profile, if there is one. Profiles are public: anyone may read one.
pub async fn find(state: &AppState, id: ProviderId) -> AppResult<Option<ProviderRow>> {
    Ok(store::providers::get(&state.pool, id).await?)
}

/// A provider's public profile; [`AppError::NotFound`] when there is none.
pub async fn profile(state: &AppState, id: ProviderId) -> AppResult<ProviderRow> {
    find(state, id).await?.ok_or(AppError::NotFound("provider"))
}

/// The slugs of the trades a provider offers, as the live graph names them (none for a
/// provider that does not exist).
pub async fn offered_trades(state: &AppState, id: ProviderId) -> AppResult<Vec<String>> {
    Ok(store::providers::trade_ids(&state.pool, id)
        .await?
        .into_iter()
        .filter_map(|t| state.live.trade_slug(t))
        .collect())
}

/// A provider as its owner sees it. Only [`owned`] makes one, so a use case that takes one
/// (the insights, the customer book) knows its owner is asking.
pub struct Owned(ProviderRow);

impl Owned {
    /// The provider's row.
    pub fn into_row(self) -> ProviderRow {
        self.0
    }
}

impl std::ops::Deref for Owned {
    type Target = ProviderRow;

    fn deref(&self) -> &ProviderRow {
        &self.0
    }
}

/// The provider `id`, for its owner only: [`AppError::NotFound`] when there is none (before
/// anything else, as for everyone), [`AppError::Forbidden`] with `refusal` for anyone but the
/// owner. Each channel names in `refusal` what was refused ("only the provider's owner sees
/// its insights"), so its answer stays in its own words.
pub async fn owned(
    state: &AppState,
    person: PersonId,
    id: ProviderId,
    refusal: &str,
) -> AppResult<Owned> {
    let row = profile(state, id).await?;
    if row.owner_id != person {
        return Err(AppError::Forbidden(refusal.to_string()));
    }
    Ok(Owned(row))
}

/// How many providers a lookup by name lists at most.
pub const MOST_NAMED: i64 = 8;

/// Providers whose name contains `name` (any case), by name, at most [`MOST_NAMED`]: for a
/// person who knows a provider's name but not its number, as in the widget configurator.
/// Names are public, as on every provider's page.
pub async fn find_by_name(state: &AppState, name: &str) -> AppResult<Vec<(ProviderId, String)>> {
    let name = name.trim();
    if name.chars().count() < 2 {
        return Ok(Vec::new());
    }
    Ok(store::providers::named_like(&state.pool, name, MOST_NAMED).await?)
}

/// The businesses `owner` runs, oldest first.
pub async fn owned_by(state: &AppState, owner: PersonId) -> AppResult<Vec<ProviderId>> {
    Ok(store::providers::owned_by(&state.pool, owner).await?)
}

/// Edits a provider; only its owner may. Returns it as stored.
///
/// Vouches belong to the people who gave them, so no edit deletes one: a trade the provider
/// stops offering hides its vouches (the live graph drops them, partners hear `vouch.revoked`
/// for the public ones), and offering it again brings them back, weighed by each voucher's
/// track record as it stands then (partners hear `vouch.created`).
pub async fn update_provider(
    state: &AppState,
    editor: PersonId,
    id: ProviderId,
    patch: ProviderPatch,
) -> AppResult<ProviderRow> {
    let mut tx = state.pool.begin().await?;
    let owner = store::providers::owner_for_update(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound("provider"))?;
    if owner != editor {
        return Err(AppError::Forbidden(
            "only the provider's owner may edit it".into(),
        ));
    }
    let current = store::providers::get(&mut *tx, id)
        .await?
        .ok_or(AppError::NotFound("provider"))?;
    let valid = validate(state, locate(state, patch.over(current)).await?)?;
    let before = store::providers::trade_ids(&mut *tx, id).await?;
    let dropped: Vec<TradeId> = before
        .iter()
        .filter(|t| !valid.trades.contains(t))
        .copied()
        .collect();
    let added: Vec<TradeId> = valid
        .trades
        .iter()
        .filter(|t| !before.contains(t))
        .copied()
        .collect();
    store::providers::update(&mut tx, id, &valid.fields()).await?;
    // The provider first, so that vouches shown again find their trade in the live graph.
    store::changes::record(&mut tx, Some(editor), &valid.upsert(id, owner)).await?;
    for vouch in store::vouches::for_trades(&mut tx, id, &dropped).await? {
        let hide = GraphChange::VouchRevoke {
            person: vouch.person_id,
            provider: id,
            trade: vouch.trade_id,
        };
        store::changes::record(&mut tx, Some(editor), &hide).await?;
        let trade = state.live.trade_slug(vouch.trade_id).unwrap_or_default();
        let public = vouch.visibility == Visibility::Public;
        announce_gone(&mut tx, vouch.person_id, id, &trade, public).await?;
    }
    for vouch in store::vouches::for_trades(&mut tx, id, &added).await? {
        let strength = store::track_records::strength_of(&mut *tx, vouch.person_id).await?;
        let show = GraphChange::VouchSet {
            person: vouch.person_id,
            provider: id,
            trade: vouch.trade_id,
            stance: vouch.stance,
            visibility: vouch.visibility,
            note: vouch.note.clone(),
            strength,
        };
        store::changes::record(&mut tx, Some(editor), &show).await?;
        let trade = state.live.trade_slug(vouch.trade_id).unwrap_or_default();
        let shown = Shown {
            stance: vouch.stance.as_str(),
            note: &vouch.note,
            visibility: vouch.visibility.as_str(),
        };
        announce(&mut tx, vouch.person_id, id, &trade, shown).await?;
    }
    tx.commit().await?;
    state.live.catch_up_after_write(&state.pool).await;
    stored(state, id).await
}

async fn stored(state: &AppState, id: ProviderId) -> AppResult<ProviderRow> {
    store::providers::get(&state.pool, id)
        .await?
        .ok_or(AppError::NotFound("provider"))
}

/// Validated provider fields, owned.
struct ValidProvider {
    name: Name,
    description: String,
    trades: Vec<TradeId>,
    point: GeoPoint,
    radius_km: f64,
    phone: Option<String>,
    email: Option<String>,
    website: Option<String>,
}

impl ValidProvider {
    fn fields(&self) -> ProviderFields<'_> {
        ProviderFields {
            name: self.name.as_str(),
            description: &self.description,
            lat: self.point.lat,
            lon: self.point.lon,
            radius_km: self.radius_km,
            phone: self.phone.as_deref(),
            email: self.email.as_deref(),
            website: self.website.as_deref(),
            trades: &self.trades,
        }
    }

    fn upsert(&self, id: ProviderId, owner: PersonId) -> GraphChange {
        GraphChange::ProviderUpsert {
            id,
            name: self.name.as_str().to_string(),
            owner,
            trades: self.trades.clone(),
            lat: self.point.lat,
            lon: self.point.lon,
            radius_km: self.radius_km,
        }
    }
}

/// Trims a contact field; blank is none, longer than `max` characters is refused.
fn optional_text(
    fields: &mut Fields,
    field: &str,
    value: Option<String>,
    max: usize,
) -> Option<String> {
    let value = value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())?;
    if value.chars().count() > max {
        fields.push(field, format!("must be at most {max} characters"));
    }
    Some(value)
}

/// Puts the centre of the service area at the place typed as `base`, if one was: an ambiguous
/// or unknown place is a 422 on `base` with the candidates.
async fn locate(state: &AppState, mut draft: ProviderDraft) -> AppResult<ProviderDraft> {
    if let Some(base) = draft.base.take().filter(|b| !b.trim().is_empty()) {
        let place = super::places::resolve(state, "base", &base).await?;
        draft.lat = Ok(place.lat);
        draft.lon = Ok(place.lon);
    }
    Ok(draft)
}

fn validate(state: &AppState, draft: ProviderDraft) -> AppResult<ValidProvider> {
    let mut fields = Fields::new();
    let name = fields.check("name", Name::parse(&draft.name, 120));
    if draft.description.chars().count() > 2000 {
        fields.push("description", "must be at most 2000 characters");
    }
    let mut trades = Vec::new();
    if draft.trades.is_empty() {
        fields.push("trades", "pick at least one trade");
    }
    for slug in &draft.trades {
        match state.live.trade_by_slug(slug) {
            Some(id) if !trades.contains(&id) => trades.push(id),
            Some(_) => {}
            None => fields.push("trades", format!("unknown trade {slug:?}")),
        }
    }
    let point = match (draft.lat, draft.lon) {
        (Ok(lat), Ok(lon)) => fields.check_each(GeoPoint::parse(lat, lon)),
        (lat, lon) => {
            for (field, typed) in [("lat", lat), ("lon", lon)] {
                fields.check(field, typed);
            }
            None
        }
    };
    let radius_km = fields.check("radius_km", draft.radius_km.and_then(parse_radius_km));
    let phone = optional_text(&mut fields, "phone", draft.phone, 40);
    let email = optional_text(&mut fields, "email", draft.email, 254);
    let website = optional_text(&mut fields, "website", draft.website, 300)
        .and_then(|site| fields.check("website", parse_website(&site)));
    fields.finish()?;
    // `finish` refused the draft if any of these was missing.
    Ok(ValidProvider {
        name: name.expect("checked"),
        description: draft.description.trim().to_string(),
        trades,
        point: point.expect("checked"),
        radius_km: radius_km.expect("checked"),
        phone,
        email,
        website,
    })
}

/// A website as people type it: "rossi.example" is read as `https://rossi.example`, so nobody
/// is refused for leaving out the scheme; another scheme (`ftp:`, `javascript:`) or an address
/// with no dotted host is refused.
fn parse_website(typed: &str) -> Result<String, String> {
    const REFUSAL: &str =
        "must be a web address, such as rossi-tiling.example or https://rossi-tiling.example";
    let lower = typed.to_ascii_lowercase();
    let full = if lower.starts_with("https://") || lower.starts_with("http://") {
        typed.to_string()
    } else if lower.contains("://")
        || lower.starts_with("javascript:")
        || lower.starts_with("data:")
    {
        return Err(REFUSAL.into());
    } else {
        format!("https://{typed}")
    };
    let url = url::Url::parse(&full).map_err(|_| REFUSAL.to_string())?;
    match url.host_str() {
        Some(host) if host.contains('.') && !url.cannot_be_a_base() => Ok(full),
        _ => Err(REFUSAL.into()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_website_without_a_scheme_is_read_as_https() {
        assert_eq!(
            super::parse_website("rossi.example").unwrap(),
            "https://rossi.example"
        );
        assert_eq!(
            super::parse_website("http://rossi.example/x").unwrap(),
            "http://rossi.example/x"
        );
        for bad in [
            "ftp://rossi.example",
            "javascript:alert(1)",
            "not a site",
            "localhost",
        ] {
            assert!(super::parse_website(bad).is_err(), "{bad}");
        }
    }
}
