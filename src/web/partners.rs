//! `/partners`: the partner pages (owner only). A partner's allowed origins, its API keys
//! (issue, rotate with a grace period, revoke; a new key is shown once), and the widget
//! configurator that writes the `<script>` snippet and previews the widget. The same store calls
//! and rules as the partner API in `src/partners/manage.rs`.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use time::macros::format_description;
use time::OffsetDateTime;

use crate::app::partners::{self, MAX_GRACE_SECS};
use crate::app::providers;
use crate::app::{AppError, FieldError};
use crate::domain::GeoPoint;
use crate::error::ApiError;
use crate::partners::keys::{self, KeyKind};
use crate::partners::store::{self as pstore, KeyRow, PartnerRow};
use crate::state::AppState;
use crate::store::idempotency;

use super::page::{base_url, day, render, see_other, Chrome, WebError};
use super::search::{trade_options, TradeOption};
use super::session::{Posted, SignedIn, Visitor, WebQuery};

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
pub async fn owned(state: &AppState, me: &SignedIn, id: i64) -> Result<PartnerRow, WebError> {
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
    id: i64,
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
    let partners = pstore::owned_by(&state.pool, me.person)
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

/// A key in the list.
struct KeyItem {
    id: i64,
    kind: &'static str,
    prefix: String,
    created: String,
    last_used: String,
    status: String,
    active: bool,
}

fn key_item(k: KeyRow, now: OffsetDateTime) -> KeyItem {
    let kind = k.kind.as_str();
    let (status, active) = match (k.revoked_at, k.expires_at) {
        (Some(at), _) => (format!("Revoked {}", day(at)), false),
        (None, Some(end)) if end <= now => (format!("Expired {}", day(end)), false),
        (None, Some(end)) => (format!("Rotated: works until {}", when(end)), true),
        (None, None) => ("Active".to_string(), true),
    };
    KeyItem {
        id: k.id,
        kind,
        prefix: k.prefix,
        created: day(k.created_at),
        last_used: k.last_used_at.map(when).unwrap_or_else(|| "Never".into()),
        status,
        active,
    }
}

/// A key just made, shown this once.
struct NewKeyBox {
    key: String,
    publishable: bool,
}

/// A rotation's grace period choice.
struct Grace {
    secs: i64,
    label: &'static str,
}

const GRACE: &[Grace] = &[
    Grace {
        secs: 0,
        label: "Stop the old key now",
    },
    Grace {
        secs: 3600,
        label: "Keep the old key 1 hour",
    },
    Grace {
        secs: 86_400,
        label: "Keep the old key 1 day",
    },
    Grace {
        secs: 7 * 86_400,
        label: "Keep the old key 7 days",
    },
    Grace {
        secs: MAX_GRACE_SECS,
        label: "Keep the old key 30 days",
    },
];

#[derive(Template)]
#[template(path = "partner.html")]
struct PartnerPage {
    chrome: Chrome,
    csrf: String,
    message: Option<&'static str>,
    id: i64,
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

/// What a key form's submission led to: a key to show once, or a reload of one already used.
enum KeyOutcome {
    Shown(NewKeyBox),
    Repeated,
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
    let keys = pstore::list_keys(&state.pool, partner.id)
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
    let id = path_id(&raw, "partner")?;
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
    let id = path_id(&raw, "partner")?;
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

/// The new-key form.
#[derive(Deserialize)]
pub struct NewKeyForm {
    kind: KeyKind,
    /// The page's one-time token (`PartnerPage::once`).
    #[serde(default)]
    once: String,
}

/// Whether this submission of a key form is its first: a reload sends the same token again.
async fn first_submission(state: &AppState, me: &SignedIn, once: &str) -> Result<bool, WebError> {
    let once = once.trim();
    if once.is_empty() || once.len() > 100 {
        return Err(ApiError::field("once", "reload the page and try again").into());
    }
    Ok(idempotency::claim(&state.pool, me.person, &format!("web-key-form:{once}")).await?)
}

/// `POST /partners/{id}/keys`: issues a key and shows it this once.
pub async fn create_key(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    Posted { visitor, form }: Posted<NewKeyForm>,
) -> Result<Response, WebError> {
    let id = path_id(&raw, "partner")?;
    let me = visitor.require_for(&format!("/partners/{id}"))?;
    let partner = owned(&state, me, id).await?;
    if !first_submission(&state, me, &form.once).await? {
        let repeated = Some(KeyOutcome::Repeated);
        return partner_page_with(&state, &visitor, partner, None, None, repeated).await;
    }
    let (new, _) = partners::issue_key(&state, me.person, id, form.kind).await?;
    let shown = NewKeyBox {
        key: new.key,
        publishable: form.kind == KeyKind::Publishable,
    };
    let shown = Some(KeyOutcome::Shown(shown));
    partner_page_with(&state, &visitor, partner, None, None, shown).await
}

/// The rotate form.
#[derive(Deserialize)]
pub struct RotateForm {
    #[serde(default)]
    grace_period_secs: i64,
    /// The page's one-time token (`PartnerPage::once`).
    #[serde(default)]
    once: String,
}

/// `POST /partners/{id}/keys/{key}/rotate`: replaces a key; the old one works for the grace
/// period chosen.
pub async fn rotate_key(
    State(state): State<AppState>,
    Path((raw, raw_key)): Path<(String, String)>,
    Posted { visitor, form }: Posted<RotateForm>,
) -> Result<Response, WebError> {
    let id = path_id(&raw, "partner")?;
    let key_id = path_id(&raw_key, "key")?;
    let me = visitor.require_for(&format!("/partners/{id}"))?;
    let partner = owned(&state, me, id).await?;
    if !first_submission(&state, me, &form.once).await? {
        let repeated = Some(KeyOutcome::Repeated);
        return partner_page_with(&state, &visitor, partner, None, None, repeated).await;
    }
    let grace = form.grace_period_secs;
    let (new, row) = partners::rotate_key(&state, me.person, id, key_id, grace).await?;
    let kind = row.kind;
    let shown = NewKeyBox {
        key: new.key,
        publishable: kind == KeyKind::Publishable,
    };
    let shown = Some(KeyOutcome::Shown(shown));
    partner_page_with(&state, &visitor, partner, None, None, shown).await
}

/// `POST /partners/{id}/keys/{key}/revoke`: revokes a key at once.
pub async fn revoke_key(
    State(state): State<AppState>,
    Path((raw, raw_key)): Path<(String, String)>,
    Posted { visitor, .. }: Posted<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let id = path_id(&raw, "partner")?;
    let key_id = path_id(&raw_key, "key")?;
    let me = visitor.require_for(&format!("/partners/{id}"))?;
    partners::revoke_key(&state, me.person, id, key_id).await?;
    Ok(see_other(&format!("/partners/{id}?done=key-revoked")))
}

// ---------------------------------------------------------------------------------------------
// `/partners/{id}/widget`: the configurator

/// The configurator's choices, as typed (a GET form: a publishable key is public by design,
/// it goes in every page that shows a widget).
#[derive(Deserialize, Default, Clone)]
pub struct WidgetQuery {
    #[serde(default)]
    key: String,
    #[serde(default)]
    widget: String,
    #[serde(default)]
    provider: String,
    #[serde(default)]
    trade: String,
    #[serde(default)]
    lat: String,
    #[serde(default)]
    lon: String,
}

#[derive(Template)]
#[template(path = "partner_widget.html")]
struct WidgetPage {
    chrome: Chrome,
    id: i64,
    name: String,
    q: WidgetQuery,
    trades: Vec<TradeOption>,
    errors: Vec<String>,
    snippet: Option<String>,
    /// The preview frame's query string, when the choices are valid.
    preview: Option<String>,
    origins: Vec<String>,
    /// Providers whose name matches what was typed as the provider: (the configurator with
    /// that one chosen, its name).
    choices: Vec<(String, String)>,
}

impl WidgetPage {
    fn is(&self, widget: &str) -> bool {
        self.q.widget == widget
    }
}

/// Checks the choices; the snippet's attributes, or what is wrong.
async fn widget_attributes(
    state: &AppState,
    partner: i64,
    q: &WidgetQuery,
) -> Result<Result<Vec<(&'static str, String)>, Vec<String>>, WebError> {
    let mut errors = Vec::new();
    let key = q.key.trim();
    match keys::parse_prefix(key) {
        None => errors.push(
            "Paste one of this partner's publishable keys (pk_live_…), as shown when it was made."
                .to_string(),
        ),
        Some((KeyKind::Secret, _)) => errors.push(
            "That is a secret key: never put it in a page. Use a publishable key (pk_live_…)."
                .to_string(),
        ),
        Some((KeyKind::Publishable, prefix)) => {
            match pstore::key_by_prefix(&state.pool, prefix).await? {
                Some(row) if row.partner_id == partner && keys::matches(key, &row.key_hash) => {
                    if !row.live {
                        errors.push("That key was revoked or has expired.".to_string());
                    }
                }
                _ => errors.push("That is not a key of this partner.".to_string()),
            }
        }
    }
    let mut attrs = vec![("data-vouchgraph-key", key.to_string())];
    let widget = match q.widget.as_str() {
        w @ ("badge" | "list" | "refer" | "ask") => w,
        _ => {
            errors.push("Choose a widget: badge, list, refer or ask.".to_string());
            "badge"
        }
    };
    attrs.push(("data-widget", widget.to_string()));
    let provider = q.provider.trim();
    if widget == "badge" || widget == "refer" {
        if provider.parse::<u64>().is_ok() {
            attrs.push(("data-provider", provider.to_string()));
        } else if provider.is_empty() {
            errors.push(
                "The badge and refer widgets need a provider: type its name or number.".to_string(),
            );
        } else {
            errors.push(format!(
                "No single provider is called “{provider}”: choose one below, or type its number."
            ));
        }
    }
    let trade = q.trade.trim();
    if !trade.is_empty() {
        if state.live.trade_by_slug(trade).is_some() {
            attrs.push(("data-trade", trade.to_string()));
        } else {
            errors.push(format!("Unknown trade {trade:?}."));
        }
    } else if widget == "list" {
        errors.push("The list widget needs a trade.".to_string());
    }
    if widget == "list" {
        match GeoPoint::parse_text(&q.lat, &q.lon) {
            Ok(None) => {}
            Ok(Some(place)) => {
                attrs.push(("data-lat", place.lat.to_string()));
                attrs.push(("data-lon", place.lon.to_string()));
            }
            Err(_) => errors.push(
                "Latitude must be -90 to 90 and longitude -180 to 180 (or leave both empty)."
                    .to_string(),
            ),
        }
    }
    Ok(if errors.is_empty() {
        Ok(attrs)
    } else {
        Err(errors)
    })
}

/// `GET /partners/{id}/widget`: choose a widget and its options; copy the snippet.
pub async fn widget(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(raw): Path<String>,
    WebQuery(mut q): WebQuery<WidgetQuery>,
) -> Result<Response, WebError> {
    let id = path_id(&raw, "partner")?;
    let me = visitor.require()?;
    let partner = owned(&state, me, id).await?;
    // A first visit (no choices yet) shows the form only.
    let chosen = !q.widget.is_empty();
    if q.widget.is_empty() {
        q.widget = "badge".into();
    }
    // A provider typed by name is looked up: one match is taken, several are offered.
    let mut named = Vec::new();
    let typed = q.provider.trim().to_string();
    if chosen && !typed.is_empty() && typed.parse::<u64>().is_err() {
        named = providers::find_by_name(&state, &typed).await?;
        if let [(only, _)] = named.as_slice() {
            q.provider = only.0.to_string();
            named.clear();
        }
    }
    let choices = named
        .into_iter()
        .map(|(provider, name)| {
            let mut pick = q.clone();
            pick.provider = provider.0.to_string();
            (format!("/partners/{id}/widget?{}", pick.to_query()), name)
        })
        .collect();
    let (snippet, errors) = if chosen {
        match widget_attributes(&state, id, &q).await? {
            Ok(attrs) => {
                let base = base_url(&headers, state.config.secure_cookies);
                (
                    Some(script_tag(&format!("{base}/widget.js"), &attrs)),
                    Vec::new(),
                )
            }
            Err(errors) => (None, errors),
        }
    } else {
        (None, Vec::new())
    };
    let preview = snippet.as_ref().map(|_| q.to_query());
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let trades = trade_options(&state, q.trade.trim()).await?;
    let page = WidgetPage {
        chrome: Chrome::new(&state, &visitor, "partners", "Widget configurator").await?,
        id,
        name: partner.name,
        q,
        trades,
        errors,
        snippet,
        preview,
        origins: partner.allowed_origins,
        choices,
    };
    render(status, &page)
}

/// The `<script>` tag that embeds a widget. Values come from [`widget_attributes`], which only
/// lets through a checked key, a known widget, digits, a known trade slug and numbers, so none
/// can hold a quote; they are escaped anyway.
fn script_tag(src: &str, attrs: &[(&'static str, String)]) -> String {
    let mut tag = format!("<script src=\"{src}\"");
    for (name, value) in attrs {
        let value = value.replace('&', "&amp;").replace('"', "&quot;");
        tag.push_str(&format!(" {name}=\"{value}\""));
    }
    tag.push_str("></script>");
    tag
}

impl WidgetQuery {
    /// The choices as a query string, for the preview frame's address.
    fn to_query(&self) -> String {
        serde_urlencoded::to_string([
            ("key", self.key.trim()),
            ("widget", self.widget.as_str()),
            ("provider", self.provider.trim()),
            ("trade", self.trade.trim()),
            ("lat", self.lat.trim()),
            ("lon", self.lon.trim()),
        ])
        .unwrap_or_default()
    }
}

/// The preview frame: a bare page holding just the snippet, as a partner's page would.
#[derive(Template)]
#[template(path = "partner_widget_preview.html")]
struct PreviewPage {
    attrs: Vec<(&'static str, String)>,
    errors: Vec<String>,
}

/// The preview page's policy. Like every page's, it runs only our own script; unlike them it
/// allows inline style, because the widget styles its Shadow DOM with a `<style>` element as it
/// must on partners' pages, and it may be framed by our own configurator.
const PREVIEW_POLICY: &str = "default-src 'none'; script-src 'self'; connect-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; \
     form-action 'none'; frame-ancestors 'self'";

/// `GET /partners/{id}/widget/preview`: the widget as the configurator's choices make it,
/// drawn by the real `widget.js` against the real API, for the configurator's frame. The
/// widget's calls come from our own origin, which a publishable key accepts as a preview
/// (`src/partners/auth.rs`), so the partner sees it before adding any allowed origin.
pub async fn widget_preview(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(raw): Path<String>,
    WebQuery(q): WebQuery<WidgetQuery>,
) -> Result<Response, WebError> {
    let id = path_id(&raw, "partner")?;
    let me = visitor.require()?;
    owned(&state, me, id).await?;
    let (status, page) = match widget_attributes(&state, id, &q).await? {
        Ok(attrs) => (
            StatusCode::OK,
            PreviewPage {
                attrs,
                errors: Vec::new(),
            },
        ),
        Err(errors) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            PreviewPage {
                attrs: Vec::new(),
                errors,
            },
        ),
    };
    let mut response = render(status, &page)?;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        header::HeaderValue::from_static(PREVIEW_POLICY),
    );
    headers.insert(
        header::X_FRAME_OPTIONS,
        header::HeaderValue::from_static("SAMEORIGIN"),
    );
    Ok(response)
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

    #[test]
    fn a_snippet_attribute_cannot_break_out_of_its_quotes() {
        let tag = script_tag("/widget.js", &[("data-trade", "a\"><b>&".to_string())]);
        assert_eq!(
            tag,
            "<script src=\"/widget.js\" data-trade=\"a&quot;><b>&amp;\"></script>"
        );
    }
}
