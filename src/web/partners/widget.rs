//! `/partners/{id}/widget`: the widget configurator. It checks a widget's choices, writes the
//! `<script>` snippet that embeds it, and previews the widget in a frame.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;

use crate::app::{partners, providers};
use crate::auth::keys::{self, KeyKind};
use crate::domain::{GeoPoint, PartnerId};
use crate::state::AppState;
use crate::web::page::{base_url, render, Chrome, WebError};
use crate::web::search::{trade_options, TradeOption};
use crate::web::session::{Visitor, WebQuery};

use super::{owned, path_id};

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
    id: PartnerId,
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
    partner: PartnerId,
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
        Some((KeyKind::Publishable, _)) => match partners::find_key(state, key).await? {
            Some(row) if row.partner_id == partner => {
                if !row.live {
                    errors.push("That key was revoked or has expired.".to_string());
                }
            }
            _ => errors.push("That is not a key of this partner.".to_string()),
        },
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
    let id = PartnerId(path_id(&raw, "partner")?);
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
    let id = PartnerId(path_id(&raw, "partner")?);
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
    fn a_snippet_attribute_cannot_break_out_of_its_quotes() {
        let tag = script_tag("/widget.js", &[("data-trade", "a\"><b>&".to_string())]);
        assert_eq!(
            tag,
            "<script src=\"/widget.js\" data-trade=\"a&quot;><b>&amp;\"></script>"
        );
    }
}
