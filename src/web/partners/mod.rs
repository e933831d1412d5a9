//! `/partners`: the partner pages (owner only). A partner's allowed origins, its API keys
//! (issue, rotate with a grace period, revoke; a new key is shown once), and the widget
//! configurator that writes the `<script>` snippet and previews the widget. The same use cases
//! (`app::partners`) as the partner API in `src/partners/manage.rs`.
//!
//! | file | what |
//! |---|---|
//! | `mod.rs` | the list and create form, one partner's page and its origins, and what the others share (ownership, ids, notices) |
//! | `keys.rs` | the keys as the partner page lists them; issue, rotate and revoke |
//! | `widget.rs` | the widget configurator and its preview frame |

mod keys;
mod widget;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use time::macros::format_description;
use time::OffsetDateTime;

use crate::app::partners::{self, PartnerRow};
use crate::app::{AppError, FieldError};
use crate::domain::PartnerId;
use crate::error::ApiError;
use crate::state::AppState;

use super::page::{day, render, see_other, Chrome, WebError};
use super::session::{Posted, SignedIn, Visitor};

pub use keys::{create_key, revoke_key, rotate_key};
use keys::{key_item, Grace, KeyItem, KeyOutcome, NewKeyBox, GRACE};
pub use widget::{widget, widget_preview};

/// A date and time, to the minute: "23 Nov 2026 14:05 UTC".
pub fn when(t: OffsetDateTime) -> String {
    t.format(format_description!(
        "[day padding:none] [month repr:short] [year] [hour]:[minute] UTC"
    ))
    .unwrap_or_default()
}

/// A path segment that must be an id; anything else is a 404.
pub fn path_id(raw: &str, what: &'static str) -> Result<i64, WebError> {
    raw.parse::<i64>()
        .map_err(|_| ApiError::NotFound(what).into())
}

/// The partner `id`, for its owner; a 404 if there is none, a 403 page for anyone else.
pub async fn owned(state: &AppState, me: &SignedIn, id: PartnerId) -> Result<PartnerRow, WebError> {
    Ok(partners::owned_partner(state, me.person, id).await?)
}

/// The confirmation after one of these pages' own redirects (`?done=…`); only known keys.
pub fn partner_notice(visitor: &Visitor) -> Option<&'static str> {
    Some(match visitor.done.as_deref()? {
        "partner-created" => "Partner created. Next, issue a publishable key for your widgets.",
        "origins-saved" => "Allowed origins saved.",
        "key-revoked" => "Key revoked: it stops working at once.",
        "redelivered" => "Queued: the event will be sent again within moments.",
        "test-sent" => "A test event is on its way: it shows in the log below within moments.",
        "endpoint-disabled" => "Endpoint disabled: nothing is sent to it until you enable it.",
        "endpoint-enabled" => "Endpoint enabled: new events are sent to it again.",
        "endpoint-deleted" => "Endpoint deleted, with its delivery log.",
        _ => return None,
    })
}

/// Origins typed one per line; blank lines are none.
fn origin_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

/// A refused partner form's reasons: (the name's, the origins'). A failure no field explains
/// is an error page instead.
fn refusal(error: AppError) -> Result<(Option<String>, Option<String>), WebError> {
    let AppError::Invalid(refused) = error else {
        return Err(error.into());
    };
    let (mut name, mut origins) = (None, Vec::new());
    for FieldError { field, message, .. } in refused {
        if field == "name" {
            name = Some(format!("Name {message}."));
        } else {
            origins.push(message);
        }
    }
    Ok((name, (!origins.is_empty()).then(|| origins.join("; "))))
}

// ---------------------------------------------------------------------------------------------
// `/partners`

/// A partner in the list.
struct PartnerItem {
    id: PartnerId,
    name: String,
    origins: String,
    created: String,
}

#[derive(Template)]
#[template(path = "partners.html")]
struct PartnersPage {
    chrome: Chrome,
    csrf: String,
    message: Option<&'static str>,
    partners: Vec<PartnerItem>,
    name: String,
    origins: String,
    name_error: Option<String>,
    origins_error: Option<String>,
}

/// The create form, as typed.
#[derive(Deserialize, Default)]
pub struct NewPartnerForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    origins: String,
}

async fn partners_page_with(
    state: &AppState,
    visitor: &Visitor,
    form: NewPartnerForm,
    name_error: Option<String>,
    origins_error: Option<String>,
) -> Result<Response, WebError> {
    let me = visitor.require()?;
    let partners = partners::owned_by(state, me.person)
        .await?
        .into_iter()
        .map(|p| PartnerItem {
            id: p.id,
            name: p.name,
            origins: p.allowed_origins.join(", "),
            created: day(p.created_at),
        })
        .collect();
    let status = if name_error.is_some() || origins_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = PartnersPage {
        chrome: Chrome::new(state, visitor, "partners", "Partners").await?,
        csrf: me.csrf.clone(),
        message: partner_notice(visitor),
        partners,
        name: form.name,
        origins: form.origins,
        name_error,
        origins_error,
    };
    render(status, &page)
}

/// `GET /partners`: my partners and the create form.
pub async fn partners(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Response, WebError> {
    partners_page_with(&state, &visitor, NewPartnerForm::default(), None, None).await
}

/// `POST /partners`: creates a partner owned by me.
pub async fn create_partner(
    State(state): State<AppState>,
    Posted { visitor, form }: Posted<NewPartnerForm>,
) -> Result<Response, WebError> {
    let me = visitor.require_for("/partners")?;
    let origins = origin_lines(&form.origins);
    let partner = match partners::create_partner(&state, me.person, &form.name, &origins).await {
        Ok(partner) => partner,
        Err(error) => {
            let (name_error, origins_error) = refusal(error)?;
            return partners_page_with(&state, &visitor, form, name_error, origins_error).await;
        }
    };
    Ok(see_other(&format!(
        "/partners/{}?done=partner-created",
        partner.id
    )))
}

// ---------------------------------------------------------------------------------------------
// `/partners/{id}`: origins and keys

#[derive(Template)]
#[template(path = "partner.html")]
struct PartnerPage {
    chrome: Chrome,
    csrf: String,
    message: Option<&'static str>,
    id: PartnerId,
    name: String,
    origins: String,
    origins_error: Option<String>,
    keys: Vec<KeyItem>,
    new_key: Option<NewKeyBox>,
    grace: &'static [Grace],
    /// A fresh one-time token for the key forms: a reloaded key form mints nothing.
    once: String,
    /// The visitor reloaded a key form: the key was made the first time and is not shown again.
    repeated: bool,
}

async fn partner_page_with(
    state: &AppState,
    visitor: &Visitor,
    partner: PartnerRow,
    origins: Option<String>,
    origins_error: Option<String>,
    key: Option<KeyOutcome>,
) -> Result<Response, WebError> {
    let me = visitor.require()?;
    let now = OffsetDateTime::now_utc();
    let (new_key, repeated) = match key {
        Some(KeyOutcome::Shown(shown)) => (Some(shown), false),
        Some(KeyOutcome::Repeated) => (None, true),
        None => (None, false),
    };
    let keys = partners::keys_of(state, me.person, partner.id)
        .await?
        .into_iter()
        .map(|k| key_item(k, now))
        .collect();
    let status = if origins_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else if new_key.is_some() {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let page = PartnerPage {
        chrome: Chrome::new(state, visitor, "partners", partner.name.clone()).await?,
        csrf: me.csrf.clone(),
        message: partner_notice(visitor),
        id: partner.id,
        origins: origins.unwrap_or_else(|| partner.allowed_origins.join("\n")),
        name: partner.name,
        origins_error,
        keys,
        new_key,
        grace: GRACE,
        once: crate::auth::token::generate(),
        repeated,
    };
    render(status, &page)
}

/// `GET /partners/{id}`.
pub async fn partner(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(raw): Path<String>,
) -> Result<Response, WebError> {
    let id = PartnerId(path_id(&raw, "partner")?);
    let me = visitor.require()?;
    let partner = owned(&state, me, id).await?;
    partner_page_with(&state, &visitor, partner, None, None, None).await
}

/// The origins form.
#[derive(Deserialize)]
pub struct OriginsForm {
    #[serde(default)]
    origins: String,
}

/// `POST /partners/{id}/origins`: replaces the allowed origins.
pub async fn save_origins(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    Posted { visitor, form }: Posted<OriginsForm>,
) -> Result<Response, WebError> {
    let id = PartnerId(path_id(&raw, "partner")?);
    let me = visitor.require_for(&format!("/partners/{id}"))?;
    let partner = owned(&state, me, id).await?;
    let origins = origin_lines(&form.origins);
    match partners::update_partner(&state, me.person, id, None, Some(&origins)).await {
        Ok(_) => Ok(see_other(&format!("/partners/{id}?done=origins-saved"))),
        Err(error) => {
            let (_, why) = refusal(error)?;
            let (origins, why) = (Some(form.origins), why);
            partner_page_with(&state, &visitor, partner, origins, why, None).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_read_one_per_line() {
        assert_eq!(
            origin_lines("https://Shop.Example/\n\n  http://127.0.0.1:8000 \n"),
            vec!["https://Shop.Example/", "http://127.0.0.1:8000"]
        );
        assert_eq!(origin_lines(""), Vec::<String>::new());
    }

    #[test]
    fn a_refused_partner_form_puts_each_reason_beside_its_field() {
        let refused = AppError::Invalid(vec![
            FieldError::new("name", "must be 1 to 120 characters"),
            FieldError::new("allowed_origins[0]", "\"x\": an origin is http or https"),
        ]);
        let (name, origins) = refusal(refused).unwrap();
        assert_eq!(name.as_deref(), Some("Name must be 1 to 120 characters."));
        assert_eq!(
            origins.as_deref(),
            Some("\"x\": an origin is http or https")
        );
    }
}
