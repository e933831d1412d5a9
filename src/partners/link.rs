//! `/partners/{id}/link`: the consent page where a visitor links their vouchgraph account to a
//! partner, so the partner's widgets can show them their own ranking.
//!
//! The page is ours, served to the signed-in visitor (the `vg_session` cookie): the partner
//! cannot see or press the button. The form carries the session's CSRF token as a hidden field
//! (a cookie alone would let any site post it), and the page may not be framed, so it cannot be
//! clickjacked. After consent the visitor goes back to `return_to` (only on one of the
//! partner's allowed origins) with `vouchgraph_link_token` and the partner's `state`.

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use axum_extra::extract::cookie::CookieJar;
use html_escape::encode_quoted_attribute as escape;
use serde::Deserialize;
use subtle::ConstantTimeEq;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::auth::token;
use crate::auth::SESSION_COOKIE;
use crate::domain::PersonId;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{Path, Query};
use crate::state::AppState;
use crate::store;

use super::store as partners;
use super::store::PartnerRow;

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(link_page, link))
        .routes(routes!(unlink))
}

/// Where to go after consent.
#[derive(Deserialize, IntoParams)]
pub struct LinkParams {
    /// A page on one of the partner's allowed origins; the link token is appended to it.
    pub return_to: Option<String>,
    /// An opaque value passed back to `return_to` unchanged (the partner's CSRF defence).
    pub state: Option<String>,
}

/// The consent form.
#[derive(Deserialize)]
pub struct LinkForm {
    csrf: String,
    #[serde(default)]
    return_to: String,
    #[serde(default)]
    state: String,
}

struct Visitor {
    person: PersonId,
    csrf: String,
}

async fn visitor(state: &AppState, jar: &CookieJar) -> ApiResult<Option<Visitor>> {
    let Some(cookie) = jar.get(SESSION_COOKIE) else {
        return Ok(None);
    };
    let found = store::sessions::find_live(&state.pool, &token::hash(cookie.value())).await?;
    Ok(found.map(|(person, csrf, _)| Visitor { person, csrf }))
}

/// A page in the site's stylesheet that no one may frame.
fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} · vouchgraph</title><link rel=\"stylesheet\" href=\"/static/app.css\"></head>\
         <body><main id=\"main\" class=\"wrap\"><section class=\"card narrow\">{body}</section></main></body></html>",
        escape(title)
    );
    let mut response = (status, Html(html)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'",
        ),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// `return_to` if it is on one of the partner's allowed origins.
fn allowed_return(partner: &PartnerRow, return_to: &str) -> Option<reqwest::Url> {
    let url = reqwest::Url::parse(return_to).ok()?;
    let origin = url.origin().ascii_serialization();
    partner.allowed_origins.contains(&origin).then_some(url)
}

async fn partner(state: &AppState, id: i64) -> ApiResult<PartnerRow> {
    partners::get(&state.pool, id)
        .await?
        .ok_or(ApiError::NotFound("partner"))
}

/// The consent page. Signed-out visitors are sent to log in first, and come back here.
#[utoipa::path(get, path = "/partners/{id}/link", tag = "partners",
    params(("id" = i64, Path, description = "The partner"), LinkParams),
    security(("cookie" = [])),
    responses((status = 200, description = "The consent page", content_type = "text/html"),
              (status = 303, description = "Not signed in: to the login page")))]
async fn link_page(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(id): Path<i64>,
    Query(params): Query<LinkParams>,
) -> ApiResult<Response> {
    let partner = partner(&state, id).await?;
    let Some(me) = visitor(&state, &jar).await? else {
        let mut here = format!("/partners/{id}/link");
        let query = serde_urlencoded::to_string([
            ("return_to", params.return_to.as_deref().unwrap_or_default()),
            ("state", params.state.as_deref().unwrap_or_default()),
        ])
        .unwrap_or_default();
        here.push('?');
        here.push_str(&query);
        let login = serde_urlencoded::to_string([("next", here)]).unwrap_or_default();
        return Ok(Redirect::to(&format!("/login?{login}")).into_response());
    };
    let name = escape(&partner.name);
    let linked = partners::linked_at(&state.pool, id, me.person).await?;
    let already = match linked {
        Some(at) => format!(
            "<p>You linked your account on {}. Linking again gives {name} a new code and ends the old one.</p>\
             <form method=\"post\" action=\"/partners/{id}/unlink\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">\
             <button type=\"submit\" class=\"button ghost\">Unlink {name}</button></form>",
            at.date(),
            escape(&me.csrf)
        ),
        None => String::new(),
    };
    let body = format!(
        "<h1>Link your account to {name}?</h1>\
         <p>{name} wants to show you, in its own pages, the tradespeople the people you trust recommend, \
         with the paths of trust behind each one.</p>\
         <ul><li>{name} will see your ranking and the trust paths the widget shows you, as you would.</li>\
         <li>When you use its referral form, {name} may send referrals in your name; when you use \
         its form to ask your circle, it may ask the people you trust for a recommendation in \
         your name (they see only that you ask, as on vouchgraph).</li>\
         <li>It will not see your email, your password or anything you keep private.</li></ul>\
         <form method=\"post\" action=\"/partners/{id}/link\" class=\"stack\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{}\">\
         <input type=\"hidden\" name=\"return_to\" value=\"{}\">\
         <input type=\"hidden\" name=\"state\" value=\"{}\">\
         <button type=\"submit\" class=\"button\">Link my account</button></form>{already}\
         <p class=\"muted\"><a href=\"/\">Not now</a></p>",
        escape(&me.csrf),
        escape(params.return_to.as_deref().unwrap_or_default()),
        escape(params.state.as_deref().unwrap_or_default()),
    );
    Ok(page(
        StatusCode::OK,
        &format!("Link {}", partner.name),
        &body,
    ))
}

/// Consent: links the signed-in visitor and hands the partner a link token.
#[utoipa::path(post, path = "/partners/{id}/link", tag = "partners",
    params(("id" = i64, Path, description = "The partner")),
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf, return_to, state"),
    security(("cookie" = [])),
    responses((status = 303, description = "Linked: back to return_to with vouchgraph_link_token"),
              (status = 200, description = "Linked: the code, when there is nowhere to return", content_type = "text/html")))]
async fn link(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(id): Path<i64>,
    Form(form): Form<LinkForm>,
) -> ApiResult<Response> {
    let partner = partner(&state, id).await?;
    let me = signed_in_with_csrf(&state, &jar, &form.csrf).await?;
    let link_token = format!("vglink_{}", token::generate());
    partners::upsert_link(&state.pool, id, me.person, &token::hash(&link_token)).await?;
    if let Some(mut url) = allowed_return(&partner, &form.return_to) {
        url.query_pairs_mut()
            .append_pair("vouchgraph_link_token", &link_token)
            .append_pair("state", &form.state);
        return Ok(Redirect::to(url.as_str()).into_response());
    }
    let body = format!(
        "<h1>Linked to {}</h1><p>Give {} this code to finish:</p><p><code id=\"link-token\">{}</code></p>",
        escape(&partner.name),
        escape(&partner.name),
        escape(&link_token)
    );
    Ok(page(StatusCode::OK, "Linked", &body))
}

/// Withdraws consent: the partner's embed tokens for the visitor stop working at once.
#[utoipa::path(post, path = "/partners/{id}/unlink", tag = "partners",
    params(("id" = i64, Path, description = "The partner")),
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf"),
    security(("cookie" = [])),
    responses((status = 200, description = "Unlinked", content_type = "text/html")))]
async fn unlink(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(id): Path<i64>,
    Form(form): Form<LinkForm>,
) -> ApiResult<Response> {
    let partner = partner(&state, id).await?;
    let me = signed_in_with_csrf(&state, &jar, &form.csrf).await?;
    partners::unlink(&state.pool, id, me.person).await?;
    let body = format!(
        "<h1>Unlinked</h1><p>{} can no longer personalise its widgets for you.</p>",
        escape(&partner.name)
    );
    Ok(page(StatusCode::OK, "Unlinked", &body))
}

async fn signed_in_with_csrf(state: &AppState, jar: &CookieJar, sent: &str) -> ApiResult<Visitor> {
    let me = visitor(state, jar)
        .await?
        .ok_or_else(|| ApiError::Unauthorized("sign in first".into()))?;
    if !bool::from(sent.as_bytes().ct_eq(me.csrf.as_bytes())) {
        return Err(ApiError::Forbidden(
            "the form's CSRF token does not match your session".into(),
        ));
    }
    Ok(me)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#x27;&amp;&#x27;&lt;/a&gt;"
        );
    }
}
