//! `/providers/{id}/edit`: the owner's profile editor, and `/providers/new`, the same form to
//! list a business. They save through the use cases of `app::providers`, as
//! `PATCH /v1/providers/{id}` and `POST /v1/providers` do: vouches for a dropped trade are
//! withdrawn with it.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use crate::app::providers::{self, ProviderDraft, ProviderPatch, ProviderRow};
use crate::app::{AppError, FieldError};
use crate::domain::ProviderId;
use crate::error::ApiError;
use crate::state::AppState;

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
    /// Where the business is based, as typed; empty keeps the centre (`lat`/`lon`, hidden).
    base: String,
    /// The neighbourhood of the current centre, to show.
    area: String,
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
            area: crate::places::neighbourhood(row.lat, row.lon).unwrap_or_default(),
            base: String::new(),
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
                "base" => f.base = value,
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
    /// The places an ambiguous base could be.
    base_candidates: Vec<String>,
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

/// Reads a number typed into the editor.
fn number(text: &str, refusal: &str) -> Result<f64, String> {
    text.trim().parse::<f64>().map_err(|_| refusal.to_string())
}

impl Fields {
    /// The profile as typed, for the use case to check and save.
    fn draft(&self) -> ProviderDraft {
        ProviderDraft {
            name: self.name.clone(),
            description: self.description.clone(),
            trades: self.trades.clone(),
            lat: number(&self.lat, "must be a number"),
            lon: number(&self.lon, "must be a number"),
            base: Some(self.base.clone()),
            radius_km: number(&self.radius_km, "must be a number of km"),
            phone: Some(self.phone.clone()),
            email: Some(self.email.clone()),
            website: Some(self.website.clone()),
        }
    }
}

impl Errors {
    /// Puts a refused edit's reasons beside the fields they concern. A failure no field
    /// explains (not the owner, the database is down) is an error page instead.
    fn from_refusal(error: AppError, typed: &Fields) -> Result<Errors, WebError> {
        let AppError::Invalid(refused) = error else {
            return Err(error.into());
        };
        let mut errors = Errors::default();
        let mut contact = Vec::new();
        for FieldError {
            field,
            message,
            candidates,
        } in refused
        {
            match field.as_str() {
                "name" => errors.name = Some(message),
                "description" => errors.description = Some(message),
                "trades" => errors.trades = Some(message),
                "lat" | "lon" => {
                    let numbers = number(&typed.lat, "").is_ok() && number(&typed.lon, "").is_ok();
                    errors.place = Some(if numbers {
                        "latitude must be -90 to 90, longitude -180 to 180".into()
                    } else {
                        "give latitude and longitude as numbers".into()
                    });
                }
                "base" => {
                    errors.place = Some(message);
                    errors.base_candidates = candidates;
                }
                "radius_km" => errors.radius_km = Some(message),
                _ => contact.push(format!("{field}: {message}")),
            }
        }
        if !contact.is_empty() {
            errors.contact = Some(contact.join("; "));
        }
        Ok(errors)
    }
}

#[derive(Template)]
#[template(path = "edit.html")]
struct EditPage {
    chrome: Chrome,
    csrf: String,
    /// The business edited; none while listing a new one.
    id: Option<i64>,
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
    id: Option<ProviderId>,
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
    let title = if id.is_some() {
        "Edit your profile"
    } else {
        "List your business"
    };
    let page = EditPage {
        chrome: Chrome::new(state, visitor, "dashboard", title).await?,
        csrf: me.csrf.clone(),
        id: id.map(|id| id.0),
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
    let row = providers::owned(
        &state,
        me.person,
        id,
        "only the provider's owner may edit it",
    )
    .await?
    .into_row();
    edit_page_with(
        &state,
        &visitor,
        Some(id),
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
    let patch = ProviderPatch::replacing_all(fields.draft());
    if let Err(refused) = providers::update_provider(&state, me.person, id, patch).await {
        let errors = Errors::from_refusal(refused, &fields)?;
        return edit_page_with(&state, &visitor, Some(id), fields, errors).await;
    }
    Ok(see_other(&format!("/providers/{}?done=saved", id.0)))
}

/// The form to list a business: empty, with a 10 km service area to start from.
pub async fn new_page(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Response, WebError> {
    visitor.require_for("/providers/new")?;
    let fields = Fields {
        radius_km: "10".into(),
        ..Fields::default()
    };
    edit_page_with(&state, &visitor, None, fields, Errors::default()).await
}

/// Lists a business owned by the visitor, then opens its dashboard; a refused field shows
/// beside itself with everything typed kept.
pub async fn create(
    State(state): State<AppState>,
    Posted { visitor, form }: Posted<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let me = visitor.require_for("/providers/new")?;
    let fields = Fields::from_pairs(form);
    match providers::create_provider(&state, me.person, fields.draft()).await {
        Ok(row) => Ok(see_other(&format!(
            "/providers/{}/dashboard?done=listed",
            row.id.0
        ))),
        Err(refused) => {
            let errors = Errors::from_refusal(refused, &fields)?;
            edit_page_with(&state, &visitor, None, fields, errors).await
        }
    }
}
