//! `/providers/{id}/edit`: the owner's profile editor. The same rules, store calls and change
//! records as `PATCH /v1/providers/{id}`: vouches for a dropped trade are withdrawn with it.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use crate::domain::values::parse_radius_km;
use crate::domain::{GeoPoint, Name, PersonId, ProviderId, TradeId};
use crate::error::ApiError;
use crate::feed::GraphChange;
use crate::state::AppState;
use crate::store;
use crate::store::providers::{ProviderFields, ProviderRow};

use super::page::{render, see_other, Chrome, WebError};
use super::provider::provider_id;
use super::search::{trade_options, TradeOption};
use super::session::{Posted, SignedIn, Visitor};

/// The editor's fields, as typed.
#[derive(Default)]
struct Fields {
    name: String,
    description: String,
    trades: Vec<String>,
    lat: String,
    lon: String,
    radius_km: String,
    phone: String,
    email: String,
    website: String,
}

impl Fields {
    fn from_row(row: ProviderRow) -> Fields {
        Fields {
            name: row.name,
            description: row.description,
            trades: row.trades,
            lat: row.lat.to_string(),
            lon: row.lon.to_string(),
            radius_km: row.radius_km.to_string(),
            phone: row.phone.unwrap_or_default(),
            email: row.email.unwrap_or_default(),
            website: row.website.unwrap_or_default(),
        }
    }

    fn from_pairs(pairs: Vec<(String, String)>) -> Fields {
        let mut f = Fields::default();
        for (key, value) in pairs {
            match key.as_str() {
                "name" => f.name = value,
                "description" => f.description = value,
                "trades" => f.trades.push(value),
                "lat" => f.lat = value,
                "lon" => f.lon = value,
                "radius_km" => f.radius_km = value,
                "phone" => f.phone = value,
                "email" => f.email = value,
                "website" => f.website = value,
                _ => {}
            }
        }
        f
    }
}

/// One message per refused field.
#[derive(Default)]
struct Errors {
    name: Option<String>,
    description: Option<String>,
    trades: Option<String>,
    place: Option<String>,
    radius_km: Option<String>,
    contact: Option<String>,
}

impl Errors {
    fn any(&self) -> bool {
        self.name.is_some()
            || self.description.is_some()
            || self.trades.is_some()
            || self.place.is_some()
            || self.radius_km.is_some()
            || self.contact.is_some()
    }
}

/// Validated fields, ready to store.
struct Valid {
    name: Name,
    description: String,
    trades: Vec<TradeId>,
    point: GeoPoint,
    radius_km: f64,
    phone: Option<String>,
    email: Option<String>,
    website: Option<String>,
}

fn optional(value: &str) -> Option<String> {
    Some(value.trim().to_string()).filter(|v| !v.is_empty())
}

/// The rules of `http/providers.rs`, field by field.
fn validate(state: &AppState, f: &Fields) -> Result<Valid, Box<Errors>> {
    let mut errors = Errors::default();
    let name = Name::parse(&f.name, 120)
        .map_err(|m| errors.name = Some(m))
        .ok();
    if f.description.chars().count() > 2000 {
        errors.description = Some("must be at most 2000 characters".into());
    }
    let mut trades = Vec::new();
    for slug in &f.trades {
        match state.live.trade_by_slug(slug) {
            Some(id) if !trades.contains(&id) => trades.push(id),
            Some(_) => {}
            None => errors.trades = Some(format!("unknown trade {slug:?}")),
        }
    }
    if f.trades.is_empty() {
        errors.trades = Some("pick at least one trade".into());
    }
    let point = match (f.lat.trim().parse::<f64>(), f.lon.trim().parse::<f64>()) {
        (Ok(lat), Ok(lon)) => GeoPoint::parse(lat, lon)
            .map_err(|_| {
                errors.place = Some("latitude must be -90 to 90, longitude -180 to 180".into())
            })
            .ok(),
        _ => {
            errors.place = Some("give latitude and longitude as numbers".into());
            None
        }
    };
    let radius_km = f
        .radius_km
        .trim()
        .parse::<f64>()
        .map_err(|_| "must be a number of km".to_string())
        .and_then(parse_radius_km)
        .map_err(|m| errors.radius_km = Some(m))
        .ok();
    let (phone, email, website) = (optional(&f.phone), optional(&f.email), optional(&f.website));
    let too_long =
        |v: &Option<String>, max: usize| v.as_ref().is_some_and(|v| v.chars().count() > max);
    if too_long(&phone, 40) || too_long(&email, 254) || too_long(&website, 300) {
        errors.contact = Some("phone, email or website is too long".into());
    }
    if let Some(site) = &website {
        if !(site.starts_with("https://") || site.starts_with("http://")) {
            errors.contact = Some("the website must start with https:// or http://".into());
        }
    }
    match (name, point, radius_km) {
        (Some(name), Some(point), Some(radius_km)) if !errors.any() => Ok(Valid {
            name,
            description: f.description.trim().to_string(),
            trades,
            point,
            radius_km,
            phone,
            email,
            website,
        }),
        _ => Err(Box::new(errors)),
    }
}

#[derive(Template)]
#[template(path = "edit.html")]
struct EditPage {
    chrome: Chrome,
    csrf: String,
    id: i64,
    f: Fields,
    trades: Vec<TradeOption>,
    errors: Errors,
}

/// The owner, or a 403 page for anyone else.
pub fn owner_only(me: &SignedIn, id: ProviderId, what: &str) -> Result<(), WebError> {
    if me.owns(id) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!("only the provider's owner may {what}")).into())
    }
}

async fn edit_page_with(
    state: &AppState,
    visitor: &Visitor,
    id: ProviderId,
    f: Fields,
    errors: Errors,
) -> Result<Response, WebError> {
    let me = visitor.require()?;
    let mut trades = trade_options(state, "").await?;
    for t in &mut trades {
        t.selected = f.trades.contains(&t.slug);
    }
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = EditPage {
        chrome: Chrome::new(state, visitor, "dashboard", "Edit your profile").await?,
        csrf: me.csrf.clone(),
        id: id.0,
        f,
        trades,
        errors,
    };
    render(status, &page)
}

/// The editor.
pub async fn edit_page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(raw): Path<String>,
) -> Result<Response, WebError> {
    let id = provider_id(&raw)?;
    let me = visitor.require()?;
    let row = store::providers::get(&state.pool, id)
        .await?
        .ok_or(ApiError::NotFound("provider"))?;
    owner_only(me, id, "edit it")?;
    edit_page_with(
        &state,
        &visitor,
        id,
        Fields::from_row(row),
        Errors::default(),
    )
    .await
}

/// Saves the profile.
pub async fn edit(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    Posted { visitor, form }: Posted<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let id = provider_id(&raw)?;
    let me = visitor.require_for(&format!("/providers/{}/edit", id.0))?;
    owner_only(me, id, "edit it")?;
    let fields = Fields::from_pairs(form);
    let valid = match validate(&state, &fields) {
        Ok(valid) => valid,
        Err(errors) => return edit_page_with(&state, &visitor, id, fields, *errors).await,
    };
    save(&state, me.person, id, &valid).await?;
    Ok(see_other(&format!("/providers/{}?done=saved", id.0)))
}

async fn save(
    state: &AppState,
    person: PersonId,
    id: ProviderId,
    v: &Valid,
) -> Result<(), WebError> {
    let mut tx = state.pool.begin().await?;
    let owner = store::providers::owner_for_update(&mut tx, id)
        .await?
        .ok_or(ApiError::NotFound("provider"))?;
    if owner != person {
        return Err(ApiError::Forbidden("only the provider's owner may edit it".into()).into());
    }
    let dropped = store::vouches::revoke_for_dropped_trades(&mut tx, id, &v.trades).await?;
    let fields = ProviderFields {
        name: v.name.as_str(),
        description: &v.description,
        lat: v.point.lat,
        lon: v.point.lon,
        radius_km: v.radius_km,
        phone: v.phone.as_deref(),
        email: v.email.as_deref(),
        website: v.website.as_deref(),
        trades: &v.trades,
    };
    store::providers::update(&mut tx, id, &fields).await?;
    for (voucher, trade) in dropped {
        let revoke = GraphChange::VouchRevoke {
            person: voucher,
            provider: id,
            trade,
        };
        store::changes::record(&mut tx, Some(person), &revoke).await?;
    }
    let upsert = GraphChange::ProviderUpsert {
        id,
        name: v.name.as_str().to_string(),
        owner,
        trades: v.trades.clone(),
        lat: v.point.lat,
        lon: v.point.lon,
        radius_km: v.radius_km,
    };
    store::changes::record(&mut tx, Some(person), &upsert).await?;
    tx.commit().await?;
    state.live.catch_up_after_write(&state.pool).await;
    Ok(())
}
